#include "sampler/compile/equivalence.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <future>

#include "circuits/sim/bitsim.hpp"
#include "sampler/arith_double.hpp"
#include "sampler/compile/recording_fixed.hpp"
#include "sampler/noise.hpp"
#include "sampler/samplers.hpp"

namespace tc0::sampler::compile {

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

void locate_mismatch(const Model& m, const SamplerSpec& spec, const CompileOptions& co, Mismatch& mm) {
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

std::string Mismatch::describe() const {
  std::string s = fmt::format("input {} ({}) output x[{}]: circuit {} != fixed {}", input, input_kind, output, circuit, fixed);
  if (op_index >= 0)
    s += fmt::format("; first diverging operation #{} {} in module '{}' (circuit {} != fixed {})", op_index, op_kind,
                     op_module, op_circuit, op_fixed);
  std::string raw;
  for (size_t i = 0; i < this->raw.size() && i < 16; ++i) raw += fmt::format("{}{}", i ? "," : "", this->raw[i]);
  return s + fmt::format("; input raw [{}{}]", raw, this->raw.size() > 16 ? ",..." : "");
}

size_t noise_count(const EquivalenceOptions& o) {
  return std::min(o.count, size_t(std::llround(double(o.count) * o.noise_fraction)));
}

namespace {

// The check's inputs from index `begin` on, batch after batch. Noise input i takes entries
// [i dim, (i + 1) dim) of the noise stream, two generator outputs each (sampler/noise.hpp); random
// input i takes dim outputs of its own stream from (i - nn) dim on. The streams are advanced once to
// `begin`, so a shard costs its own length, not its offset, per batch.
class InputStream {
 public:
  InputStream(const Model& m, const EquivalenceOptions& o, size_t begin)
      : m_(m), count_(o.count), nn_(noise_count(o)), next_(begin), noise_(o.seed), bits_(o.seed ^ 0x5bd1e9955bd1e995ull) {
    const size_t dim = size_t(m.config().data_dim);
    for (size_t k = 0; k < 2 * dim * std::min(begin, nn_); ++k) noise_.next();
    for (size_t k = 0; begin > nn_ && k < (begin - nn_) * dim; ++k) bits_.next();
  }
  std::vector<std::vector<Fixed>> next(size_t n) {
    const size_t dim = size_t(m_.config().data_dim);
    const Format fz = m_.act("state");
    const uint64_t span = uint64_t(fz.max_raw() - fz.min_raw()) + 1;  // width <= 64 handled below
    const size_t end = std::min(count_, next_ + n);
    std::vector<std::vector<Fixed>> in;
    in.reserve(end > next_ ? end - next_ : 0);
    for (; next_ < end; ++next_) {
      std::vector<Fixed>& v = in.emplace_back();
      for (size_t d = 0; d < dim; ++d) {
        if (next_ < nn_) {
          const uint64_t a = noise_.next() >> 11, b = noise_.next() >> 11;
          v.push_back(box_muller_rounded(a, b, m_.config().noise_clip, fz));
        } else {
          const uint64_t r = bits_.next();
          v.push_back(Fixed{fz.width() == 64 ? int64_t(r) : fz.min_raw() + int64_t(r % span), fz});
        }
      }
    }
    return in;
  }

 private:
  const Model& m_;
  size_t count_, nn_, next_;
  Xoshiro256ss noise_, bits_;
};

}  // namespace

std::vector<std::vector<Fixed>> equivalence_inputs(const Model& m, const EquivalenceOptions& o, size_t begin, size_t end) {
  return InputStream(m, o, begin).next(end > begin ? end - begin : 0);
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

ShardResult check_shard(const Model& m, const SamplerSpec& spec, const circuits::Network& ntk,
                        const EquivalenceOptions& o, size_t begin, size_t end, bool fidelity) {
  const size_t dim = size_t(m.config().data_dim);
  if (ntk.input_buses().size() != dim || ntk.output_buses().size() != dim)
    throw std::invalid_argument(fmt::format("equivalence: the circuit has {} input and {} output buses but the model "
                                            "has {} data entries; was it compiled from this model?",
                                            ntk.input_buses().size(), ntk.output_buses().size(), dim));
  for (const circuits::Bus& b : ntk.input_buses())
    if (!(b.fmt == m.act("state")))
      throw std::invalid_argument(fmt::format("equivalence: circuit input '{}' has format {} but the model's state is {}",
                                              b.name, b.fmt.str(), m.act("state").str()));
  if (begin % 64 != 0) throw std::invalid_argument("check_shard: a shard starts at a multiple of 64 inputs");
  end = std::min(end, o.count);
  ShardResult r;
  r.begin = begin;
  r.end = std::max(begin, end);
  r.unit_error_sums.assign((r.end - r.begin + 63) / 64, 0.0);
  const circuits::sim::BitSimulator sim(ntk, o.simulator);
  const size_t batch = std::max<size_t>(64, o.batch);
  const size_t nn = noise_count(o);
  const Format fz = m.act("state");
  InputStream inputs(m, o, begin);
  for (size_t b0 = begin; b0 < r.end; b0 += batch) {
    const size_t b1 = std::min(r.end, b0 + batch);
    const auto in = inputs.next(b1 - b0);
    // The references of the batch: the fixed-point outputs and, when `fidelity`, the float64 error
    // of every entry of the noise inputs (computed in parallel, summed below in input order, so the
    // figures do not depend on the thread count). With the circuit on a device they run on the CPU
    // cores meanwhile.
    std::vector<std::vector<double>> errors;
    auto reference = [&] {
      auto t0 = std::chrono::steady_clock::now();
      auto want = run_fixed(m, spec, in);
      r.seconds_fixed += seconds_since(t0);
      if (fidelity) {
        t0 = std::chrono::steady_clock::now();
        errors.assign(b0 < nn ? std::min(in.size(), nn - b0) : 0, {});
#pragma omp parallel for schedule(dynamic, 4)
        for (long s = 0; s < long(errors.size()); ++s) {
          DoubleArith da;
          const auto ref = sample(da, m, spec, in[size_t(s)]);
          for (size_t d = 0; d < ref.size(); ++d)
            errors[size_t(s)].push_back(std::abs(Fixed{want[size_t(s)][d], fz}.to_double() - ref[d]));
        }
        r.seconds_float += seconds_since(t0);
      }
      return want;
    };
    std::future<std::vector<std::vector<int64_t>>> pending;
    std::vector<std::vector<int64_t>> want;
    if (sim.on_device()) pending = std::async(std::launch::async, reference);
    else want = reference();
    const auto t0 = std::chrono::steady_clock::now();
    circuits::sim::BusBatch bin(dim, std::vector<int64_t>(in.size()));
    for (size_t s = 0; s < in.size(); ++s)
      for (size_t d = 0; d < dim; ++d) bin[d][s] = in[s][d].raw;
    const auto got = sim.run(bin);
    r.seconds_circuit += seconds_since(t0);
    if (pending.valid()) want = pending.get();
    for (size_t s = 0; s < in.size(); ++s) {
      const size_t idx = b0 + s;
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
          r.first = mm;
        }
        break;
      }
    }
    for (size_t s = 0; s < errors.size(); ++s) {
      double sum = 0;
      for (double e : errors[s]) {
        sum += e;
        ++r.error_count;
        if (e > r.max_error) r.max_error = e, r.worst_input = b0 + s;
      }
      r.unit_error_sums[(b0 + s - begin) / 64] += sum;
      ++r.fidelity_inputs;
    }
    if (o.progress) o.progress(b1 - begin, r.end - begin);
  }
  r.device = sim.device_run();
  return r;
}

namespace {
nlohmann::json mismatch_json(const Mismatch& mm) {
  return {{"input", mm.input}, {"input_kind", mm.input_kind}, {"raw", mm.raw}, {"output", mm.output},
          {"circuit", mm.circuit}, {"fixed", mm.fixed}};
}
}  // namespace

nlohmann::json to_json(const ShardResult& r) {
  nlohmann::json j = {{"begin", r.begin}, {"end", r.end}, {"compared", r.compared}, {"mismatches", r.mismatches},
                      {"noise_inputs", r.noise_inputs}, {"random_inputs", r.random_inputs},
                      {"seconds_fixed", r.seconds_fixed}, {"seconds_circuit", r.seconds_circuit},
                      {"seconds_float", r.seconds_float}, {"fidelity_inputs", r.fidelity_inputs},
                      {"error_count", r.error_count}, {"max_error", r.max_error}, {"worst_input", r.worst_input},
                      {"unit_error_sums", r.unit_error_sums}};
  if (r.first) j["first"] = mismatch_json(*r.first);
  return j;
}

ShardResult shard_from_json(const nlohmann::json& j) {
  ShardResult r;
  j.at("begin").get_to(r.begin);
  j.at("end").get_to(r.end);
  j.at("compared").get_to(r.compared);
  j.at("mismatches").get_to(r.mismatches);
  j.at("noise_inputs").get_to(r.noise_inputs);
  j.at("random_inputs").get_to(r.random_inputs);
  j.at("seconds_fixed").get_to(r.seconds_fixed);
  j.at("seconds_circuit").get_to(r.seconds_circuit);
  j.at("seconds_float").get_to(r.seconds_float);
  j.at("fidelity_inputs").get_to(r.fidelity_inputs);
  j.at("error_count").get_to(r.error_count);
  j.at("max_error").get_to(r.max_error);
  j.at("worst_input").get_to(r.worst_input);
  j.at("unit_error_sums").get_to(r.unit_error_sums);
  if (j.contains("first")) {
    const auto& f = j.at("first");
    Mismatch mm;
    f.at("input").get_to(mm.input);
    f.at("input_kind").get_to(mm.input_kind);
    f.at("raw").get_to(mm.raw);
    f.at("output").get_to(mm.output);
    f.at("circuit").get_to(mm.circuit);
    f.at("fixed").get_to(mm.fixed);
    r.first = mm;
  }
  return r;
}

EquivalenceResult check_equivalence(const Model& m, const SamplerSpec& spec, const circuits::Network& ntk,
                                    const EquivalenceOptions& o) {
  const ShardResult s = check_shard(m, spec, ntk, o, 0, o.count, false);
  EquivalenceResult r;
  r.compared = s.compared;
  r.mismatches = s.mismatches;
  r.noise_inputs = s.noise_inputs;
  r.random_inputs = s.random_inputs;
  r.seconds_fixed = s.seconds_fixed;
  r.seconds_circuit = s.seconds_circuit;
  r.device = s.device;
  r.first = s.first;
  if (r.first) locate_mismatch(m, spec, o.compile, *r.first);
  return r;
}

}  // namespace tc0::sampler::compile
