// Sampler inputs that reach a wrong operation (reachability.hpp).
#include "proofs/reachability.hpp"

#include <fmt/format.h>

#include <chrono>
#include <stdexcept>

#include "circuits/sim/bitsim.hpp"
#include "sampler/compile/equivalence.hpp"
#include "sampler/compile/recording_fixed.hpp"
#include "sampler/samplers.hpp"

namespace tc0::proofs {

SamplerRuns record_sampler_runs(const sampler::Model& m, const sampler::SamplerSpec& spec, const SamplerGraph& g,
                                size_t count, uint64_t seed) {
  const auto t0 = std::chrono::steady_clock::now();
  SamplerRuns r;
  r.seed = seed;
  sampler::compile::EquivalenceOptions eo;
  eo.count = count;
  eo.seed = seed;
  r.inputs = sampler::compile::equivalence_inputs(m, eo, 0, count);
  r.values.resize(count);
  r.outputs.resize(count);
  for (size_t i = 0; i < count; ++i) {
    sampler::compile::RecordingFixed a(&r.values[i]);
    for (const Fixed& z : sampler::sample(a, m, spec, r.inputs[i])) r.outputs[i].push_back(z.raw);
    if (r.values[i].size() != g.ops.size())
      throw std::logic_error(fmt::format("reachability: the fixed-point sampler recorded {} operations, the graph has {}",
                                         r.values[i].size(), g.ops.size()));
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

std::vector<Fixed> recorded_operands(const SamplerGraph& g, const SamplerRuns& r, size_t i, uint32_t k) {
  std::vector<Fixed> v;
  for (const Operand& a : g.ops[k].args) {
    switch (a.source) {
      case Operand::Source::constant: v.push_back(*a.value); break;
      case Operand::Source::input: v.push_back(r.inputs[i].at(a.index)); break;
      case Operand::Source::op: v.push_back(r.values[i].at(a.index)); break;
    }
    if (v.back().fmt != a.fmt)
      throw std::logic_error(fmt::format("reachability: operand of operation {} recorded as {}, the graph says {}", k,
                                         v.back().fmt.str(), a.fmt.str()));
  }
  return v;
}

std::optional<std::vector<uint8_t>> wires_of(const OpWiring& w, std::span<const Fixed> operands) {
  std::vector<uint8_t> wires(w.free_nodes.size(), 0);
  std::vector<uint8_t> set(w.free_nodes.size(), 0);
  for (size_t a = 0; a < w.operands.size(); ++a)
    for (size_t i = 0; i < w.operands[a].size(); ++i) {
      const int64_t raw = operands[a].raw;
      const bool bit = i >= 63 ? raw < 0 : ((raw >> i) & 1) != 0;
      const OperandBit& b = w.operands[a][i];
      if (b.free < 0) {
        if (bit != b.bit) return std::nullopt;
        continue;
      }
      const uint8_t v = uint8_t(bit != b.bit);
      if (set[size_t(b.free)] && wires[size_t(b.free)] != v) return std::nullopt;  // one wire, two values
      wires[size_t(b.free)] = v, set[size_t(b.free)] = 1;
    }
  return wires;
}

std::optional<Reached> first_reaching_input(const circuits::Network& local, const SamplerGraph& g, uint32_t k,
                                            const OpWiring& w, const SamplerRuns& r) {
  const OpSpec& op = g.ops[k];
  const size_t n = r.inputs.size();
  std::vector<std::vector<uint8_t>> assignments(n);
  circuits::sim::BusBatch in(w.free_nodes.size(), std::vector<int64_t>(n));
  for (size_t i = 0; i < n; ++i) {
    auto wires = wires_of(w, recorded_operands(g, r, i, k));
    if (!wires)
      throw std::logic_error(fmt::format("reachability: the recorded operands of operation {} contradict its wiring", k));
    for (size_t j = 0; j < wires->size(); ++j) in[j][i] = (*wires)[j];
    assignments[i] = std::move(*wires);
  }
  circuits::sim::SimOptions so;
  so.threads = 1;
  const circuits::sim::BusBatch out = circuits::sim::BitSimulator(local, so).run(in);
  const OpEvaluator eval(op);
  for (size_t i = 0; i < n; ++i) {
    if (out.at(0)[i] == eval(recorded_operands(g, r, i, k)).raw) continue;
    // reproduced one assignment at a time, on the same path as every counterexample of the proofs
    auto c = check_assignment(local, op, w, assignments[i]);
    if (!c) throw std::logic_error("reachability: the batch and the single simulation of an operation disagree");
    return Reached{i, std::move(*c)};
  }
  return std::nullopt;
}

std::vector<int64_t> simulate_sample(const circuits::Network& ntk, std::span<const Fixed> input,
                                     const circuits::GateReplacement* replace) {
  std::vector<int64_t> raw;
  for (const Fixed& x : input) raw.push_back(x.raw);
  return circuits::evaluate_buses(ntk, raw, replace);
}

}  // namespace tc0::proofs
