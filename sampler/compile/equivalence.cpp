#include "sampler/compile/equivalence.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <future>

#include "circuits/sim/bitsim.hpp"
#include "sampler/compile/recording_fixed.hpp"
#include "sampler/noise.hpp"
#include "sampler/samplers.hpp"

namespace tc0::sampler::compile {

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Fills in the first diverging operation of a mismatch (see the header).
void locate(const Model& m, const SamplerSpec& spec, const CompileOptions& co, Mismatch& mm) {
  std::vector<TracedOp> rec;
  CompileOptions c = co;
  c.record = &rec;
  circuits::Network ntk = compile_sampler(m, spec, c);
  for (const TracedOp& op : rec) ntk.add_output_bus(op.bus);
  circuits::sim::BitSimulator sim(ntk);
  circuits::sim::BusBatch in;
  for (int64_t r : mm.raw) in.push_back({r});
  auto out = sim.run(in);
  const size_t first_op = size_t(m.config().data_dim);  // the output buses come first
  std::vector<Fixed> fx;
  RecordingFixed rf(&fx);
  std::vector<Fixed> e;
  for (int64_t r : mm.raw) e.push_back(Fixed{r, m.act("state")});
  sample(rf, m, spec, e);
  for (size_t k = 0; k < rec.size() && k < fx.size(); ++k) {
    if (out[first_op + k][0] != fx[k].raw) {
      mm.op_index = long(k);
      mm.op_kind = rec[k].kind;
      mm.op_module = rec[k].module;
      mm.op_circuit = out[first_op + k][0];
      mm.op_fixed = fx[k].raw;
      return;
    }
  }
}

}  // namespace

std::string Mismatch::describe() const {
  std::string s = fmt::format("input {} ({}) output x[{}]: circuit {} != fixed {}", input, input_kind, output, circuit, fixed);
  if (op_index >= 0)
    s += fmt::format("; first diverging operation #{} {} in module '{}' (circuit {} != fixed {})", op_index, op_kind,
                     op_module, op_circuit, op_fixed);
  std::string raw;
  for (size_t i = 0; i < this->raw.size() && i < 16; ++i) raw += fmt::format("{}{}", i ? "," : "", this->raw[i]);
  return s + fmt::format("; input raw [{}{}]", raw, this->raw.size() > 16 ? ",..." : "");
}

std::vector<std::vector<Fixed>> equivalence_inputs(const Model& m, const EquivalenceOptions& o, size_t* noise_count) {
  const size_t dim = size_t(m.config().data_dim);
  const Format fz = m.act("state");
  const size_t nn = std::min(o.count, size_t(std::llround(double(o.count) * o.noise_fraction)));
  std::vector<Fixed> noise = gaussian_noise(o.seed, nn * dim, fz, m.config().noise_clip);
  std::vector<std::vector<Fixed>> in(o.count);
  for (size_t i = 0; i < nn; ++i) in[i].assign(noise.begin() + long(i * dim), noise.begin() + long((i + 1) * dim));
  Xoshiro256ss g(o.seed ^ 0x5bd1e9955bd1e995ull);
  const uint64_t span = uint64_t(fz.max_raw() - fz.min_raw()) + 1;  // width <= 64 handled below
  for (size_t i = nn; i < o.count; ++i)
    for (size_t d = 0; d < dim; ++d) {
      uint64_t r = g.next();
      int64_t raw = fz.width() == 64 ? int64_t(r) : fz.min_raw() + int64_t(r % span);
      in[i].push_back(Fixed{raw, fz});
    }
  if (noise_count) *noise_count = nn;
  return in;
}

std::vector<std::vector<int64_t>> run_fixed(const Model& m, const SamplerSpec& spec,
                                            const std::vector<std::vector<Fixed>>& inputs) {
  std::vector<std::vector<int64_t>> out(inputs.size());
  FixedArith fa;
  // warm the shared tables single-threaded, then run samples in parallel (FixedArith is stateless)
  if (!inputs.empty()) {
    auto z = sample(fa, m, spec, inputs[0]);
    for (const Fixed& f : z) out[0].push_back(f.raw);
  }
#pragma omp parallel for schedule(dynamic, 4)
  for (long i = 1; i < long(inputs.size()); ++i) {
    auto z = sample(fa, m, spec, inputs[size_t(i)]);
    for (const Fixed& f : z) out[size_t(i)].push_back(f.raw);
  }
  return out;
}

EquivalenceResult check_equivalence(const Model& m, const SamplerSpec& spec, const circuits::Network& ntk,
                                    const EquivalenceOptions& o) {
  const size_t dim = size_t(m.config().data_dim);
  if (ntk.input_buses().size() != dim || ntk.output_buses().size() != dim)
    throw std::invalid_argument(fmt::format("equivalence: the circuit has {} input and {} output buses but the model "
                                            "has {} data entries; was it compiled from this model?",
                                            ntk.input_buses().size(), ntk.output_buses().size(), dim));
  for (const circuits::Bus& b : ntk.input_buses())
    if (!(b.fmt == m.act("state")))
      throw std::invalid_argument(fmt::format("equivalence: circuit input '{}' has format {} but the model's state is {}",
                                              b.name, b.fmt.str(), m.act("state").str()));
  EquivalenceResult r;
  const circuits::sim::BitSimulator sim(ntk, o.simulator);
  const size_t batch = std::max<size_t>(64, o.batch);
  size_t nn = 0;
  const auto every = equivalence_inputs(m, o, &nn);
  for (size_t begin = 0; begin < o.count; begin += batch) {
    EquivalenceOptions part = o;
    part.count = std::min(batch, o.count - begin);
    std::vector<std::vector<Fixed>> in(every.begin() + long(begin), every.begin() + long(begin + part.count));
    auto fixed = [&] {
      const auto t0 = std::chrono::steady_clock::now();
      auto want = run_fixed(m, spec, in);
      r.seconds_fixed += seconds_since(t0);
      return want;
    };
    // With the circuit on a device, the reference runs on the CPU cores meanwhile.
    std::future<std::vector<std::vector<int64_t>>> reference;
    std::vector<std::vector<int64_t>> want;
    if (sim.on_device()) reference = std::async(std::launch::async, fixed);
    else want = fixed();
    const auto t0 = std::chrono::steady_clock::now();
    circuits::sim::BusBatch bin(dim, std::vector<int64_t>(in.size()));
    for (size_t s = 0; s < in.size(); ++s)
      for (size_t d = 0; d < dim; ++d) bin[d][s] = in[s][d].raw;
    auto got = sim.run(bin);
    r.seconds_circuit += seconds_since(t0);
    if (reference.valid()) want = reference.get();
    for (size_t s = 0; s < in.size(); ++s) {
      const size_t idx = begin + s;
      (idx < nn ? r.noise_inputs : r.random_inputs)++;
      ++r.compared;
      for (size_t d = 0; d < dim; ++d) {
        if (got[d][s] == want[s][d]) continue;
        ++r.mismatches;
        if (!r.first) {
          Mismatch mm;
          mm.input = idx;
          mm.input_kind = idx < nn ? "noise" : "random bits";
          for (const Fixed& f : in[s]) mm.raw.push_back(f.raw);
          mm.output = d;
          mm.circuit = got[d][s];
          mm.fixed = want[s][d];
          locate(m, spec, o.compile, mm);
          r.first = mm;
        }
        break;
      }
    }
    if (o.progress) o.progress(begin + part.count, o.count);
  }
  r.device = sim.device_run();
  return r;
}

}  // namespace tc0::sampler::compile
