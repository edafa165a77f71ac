#include "proofs/equivalence.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "circuits/sim/bitsim.hpp"
#include "proofs/bv.hpp"
#include "proofs/circuit_encoding.hpp"

namespace tc0::proofs {

std::string Counterexample::str() const {
  auto list = [](const std::vector<std::pair<std::string, int64_t>>& v) {
    std::string s;
    for (auto& [n, x] : v) s += fmt::format("{}{}={}", s.empty() ? "" : " ", n, x);
    return s;
  };
  return fmt::format("inputs [{}] circuit [{}] expected [{}]", list(inputs), list(circuit), list(expected));
}

nlohmann::json Counterexample::to_json() const {
  auto obj = [](const std::vector<std::pair<std::string, int64_t>>& v) {
    nlohmann::json j = nlohmann::json::object();
    for (auto& [n, x] : v) j[n] = x;
    return j;
  };
  return {{"inputs", obj(inputs)}, {"circuit", obj(circuit)}, {"expected", obj(expected)}};
}

std::vector<int64_t> simulate_once(const circuits::Network& ntk, const std::vector<int64_t>& ports) {
  circuits::sim::SimOptions so;
  so.threads = 1;
  so.block_words = 1;
  circuits::sim::BitSimulator sim(ntk, so);
  circuits::sim::BusBatch in;
  for (int64_t v : ports) in.push_back({v});
  circuits::sim::BusBatch out = sim.run(in);
  std::vector<int64_t> r;
  for (auto& o : out) r.push_back(o.at(0));
  return r;
}

EquivalenceResult prove_equivalence(const GadgetCase& gc, const QueryOptions& opt) {
  z3::context ctx;
  CircuitEncoding enc(ctx, gc.ntk);
  std::vector<z3::expr> circ = enc.outputs();
  std::vector<z3::expr> spec = gc.encode(enc.inputs());
  if (spec.size() != circ.size())
    throw std::logic_error(fmt::format("{}: spec has {} outputs, circuit {}", gc.name, spec.size(), circ.size()));
  z3::expr differ = ctx.bool_val(false);
  for (size_t i = 0; i < circ.size(); ++i) {
    if (width_of(spec[i]) != width_of(circ[i]))
      throw std::logic_error(fmt::format("{}: output {} is {} bits in the circuit, {} in the spec", gc.name, i,
                                         width_of(circ[i]), width_of(spec[i])));
    differ = differ || circ[i] != spec[i];
  }
  SolverOutcome so = check(ctx, {differ}, opt, gc.name);
  EquivalenceResult r;
  r.seconds = so.seconds;
  if (so.status == z3::unsat) {
    r.verdict = Verdict::proved;
    return r;
  }
  if (so.status == z3::unknown) {
    r.detail = "solver: " + so.reason;
    return r;
  }
  // A candidate counterexample: reproduce it outside the solver before reporting it.
  auto ports = circuits::sim::input_ports(gc.ntk);
  std::vector<int64_t> values;
  Counterexample cex;
  for (size_t p = 0; p < ports.size(); ++p) {
    values.push_back(model_int64(*so.model, enc.inputs()[p], ports[p].is_signed));
    cex.inputs.emplace_back(ports[p].name, values.back());
  }
  std::vector<int64_t> got = simulate_once(gc.ntk, values);
  std::vector<int64_t> want = gc.reference(values);
  bool mismatch = false;
  const auto& outs = gc.ntk.output_buses();
  for (size_t i = 0; i < outs.size(); ++i) {
    int64_t w = circuits::sim::wrap_to_bus(want.at(i), outs[i].bits.size(), outs[i].is_signed);
    if (w != want.at(i))
      throw std::logic_error(fmt::format("{}: reference value {} does not fit output {}", gc.name, want[i], outs[i].name));
    cex.circuit.emplace_back(outs[i].name, got[i]);
    cex.expected.emplace_back(outs[i].name, want[i]);
    mismatch = mismatch || got[i] != want[i];
  }
  if (!mismatch) {
    r.detail = "solver counterexample not reproduced by the simulator and the numerics reference: " + cex.str();
    return r;  // inconclusive: an encoder disagreement, never a refutation nor a proof
  }
  r.verdict = Verdict::refuted;
  r.detail = cex.str();
  r.cex = cex;
  return r;
}

}  // namespace tc0::proofs
