// tc0flow check FILE --model DIR: the circuit against the bit-exact fixed-point sampler (every output
// bit, on quantised noise and on uniformly random bit patterns), then the fixed-point sampler's
// fidelity against the float64 reference on the noise inputs. Exit 1 on any mismatch. With the
// circuit on a GPU (--device), both references (fixed point, float64) run on the CPU cores while the
// GPU simulates.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <future>
#include <memory>

#include "circuits/io/native.hpp"
#include "sampler/arith_double.hpp"
#include "sampler/compile/equivalence.hpp"
#include "sampler/run.hpp"
#include "sampler/samplers.hpp"
#include "tools/cli/command.hpp"
#include "tools/cli/device_option.hpp"

namespace {

struct Options {
  std::string file, model, sampler, json, device = "auto";
  int steps = 0;
  size_t count = 1000;
  uint64_t seed = 1;
};

struct Fidelity {
  size_t inputs = 0, worst = 0, n = 0;
  double max_err = 0, sum_err = 0;
};

// Fixed point vs float64 (trained weights) on the check's quantised noise inputs, on all cores.
Fidelity float64_fidelity(const tc0::sampler::Model& m, const tc0::sampler::SamplerSpec& spec,
                          const tc0::sampler::compile::EquivalenceOptions& eo) {
  using namespace tc0::sampler;
  using namespace tc0::sampler::compile;
  size_t nn = 0;
  auto inputs = equivalence_inputs(m, eo, &nn);
  inputs.resize(nn);
  const auto fixed = run_fixed(m, spec, inputs);
  const Format fz = m.act("state");
  std::vector<std::vector<double>> err(inputs.size());
#pragma omp parallel for schedule(dynamic, 4)
  for (long s = 0; s < long(inputs.size()); ++s) {
    DoubleArith da;
    const auto ref = sample(da, m, spec, inputs[size_t(s)]);
    for (size_t d = 0; d < ref.size(); ++d) err[size_t(s)].push_back(std::abs(Fixed{fixed[size_t(s)][d], fz}.to_double() - ref[d]));
  }
  Fidelity f;  // summed in input order: the same figures for every thread count
  f.inputs = inputs.size();
  for (size_t s = 0; s < err.size(); ++s)
    for (double e : err[s]) {
      f.sum_err += e;
      ++f.n;
      if (e > f.max_err) f.max_err = e, f.worst = s;
    }
  return f;
}

int run(const Options& o) {
  using namespace tc0::sampler;
  using namespace tc0::sampler::compile;
  Model m = Model::load(o.model);
  SamplerSpec spec = sampler_spec(m, o.sampler, o.steps);
  const tc0::circuits::Network ntk = tc0::circuits::io::load_native(o.file);
  EquivalenceOptions eo;
  eo.count = o.count;
  eo.seed = o.seed;
  eo.simulator.device = tc0::circuits::sim::parse_device(o.device);
  eo.simulator.on_fallback = tc0::cli::report_fallback("check");
  eo.progress = [](size_t done, size_t total) {
    fmt::print(stderr, "\rchecked {}/{}", done, total);
    if (done == total) fmt::print(stderr, "\n");
  };
  // With a device, the float64 reference runs on the CPU cores while the device simulates.
  std::future<Fidelity> fidelity;
  if (tc0::circuits::sim::device_present(eo.simulator.device))
    fidelity = std::async(std::launch::async, [&] { return float64_fidelity(m, spec, eo); });
  EquivalenceResult r = check_equivalence(m, spec, ntk, eo);
  tc0::cli::print_device_line(stdout, r.device);
  fmt::print("equivalence: {} inputs ({} noise, {} random bit patterns), {} mismatches: {}\n", r.compared, r.noise_inputs,
             r.random_inputs, r.mismatches, r.ok() ? "PASS" : "FAIL");
  if (r.first) fmt::print("first mismatch: {}\n", r.first->describe());
  fmt::print("time: fixed-point sampler {:.2f} s, circuit simulation {:.2f} s{}\n", r.seconds_fixed, r.seconds_circuit,
             fidelity.valid() ? " (overlapped)" : "");

  const Fidelity f = fidelity.valid() ? fidelity.get() : float64_fidelity(m, spec, eo);
  const double max_err = f.max_err, sum_err = f.sum_err;
  const size_t worst = f.worst, n = f.n;
  const Format fz = m.act("state");
  const double lsb = fz.lsb();
  fmt::print("fidelity vs float64 on {} noise inputs: max |err| {:.3g} ({:.1f} LSB of {}), mean {:.3g}, worst input {}\n",
             f.inputs, max_err, max_err / lsb, fz.str(), n ? sum_err / double(n) : 0.0, worst);
  auto j = tc0::cli::report_header("check");
  j["file"] = o.file;
  j["model"] = o.model;
  j["sampler"] = {{"kind", name(spec.kind)}, {"steps", spec.steps}};
  j["equivalence"] = {{"inputs", r.compared}, {"noise_inputs", r.noise_inputs}, {"random_inputs", r.random_inputs},
                      {"mismatches", r.mismatches}, {"pass", r.ok()}, {"seconds_fixed", r.seconds_fixed},
                      {"seconds_circuit", r.seconds_circuit}};
  if (r.first) j["equivalence"]["first_mismatch"] = r.first->describe();
  j["device"] = r.device.to_json();
  j["fidelity_float64"] = {{"inputs", f.inputs}, {"max_abs_error", max_err}, {"max_error_lsb", max_err / lsb},
                           {"mean_abs_error", n ? sum_err / double(n) : 0.0}, {"worst_input", worst}};
  tc0::cli::write_json(o.json, j);
  return r.ok() ? 0 : 1;
}

tc0::cli::Registrar reg(
    "check", "Check a compiled circuit against the fixed-point sampler bit for bit, and fidelity vs float64",
    [](CLI::App& sub) -> tc0::cli::Runner {
      auto o = std::make_shared<Options>();
      sub.add_option("file", o->file, "Circuit file (.tc0c) written by tc0flow compile")->required();
      sub.add_option("--model", o->model, "Model directory the circuit was compiled from")->required();
      sub.add_option("--sampler", o->sampler, "mf1 | mf2 | euler: as given to compile")
          ->check(CLI::IsMember({"mf1", "mf2", "euler"}));
      sub.add_option("--steps", o->steps, "Number of steps K: as given to compile")->check(CLI::Range(1, 64));
      sub.add_option("--count", o->count, "Inputs to check (half noise, half random bit patterns)")
          ->check(CLI::Range(1, 100000000));
      sub.add_option("--seed", o->seed, "Seed of the noise and of the random bit patterns");
      tc0::cli::add_device_option(sub, o->device);
      tc0::cli::add_json_option(sub, o->json);
      sub.footer("Exit status 1 when any output bit differs; the first mismatch names the input and the first\n"
                 "diverging operation (module path) of the traced sampler.");
      return [o] { return run(*o); };
    });

}  // namespace
