// tc0flow check FILE --model DIR: the circuit against the bit-exact fixed-point sampler (every output
// bit, on quantised noise and on uniformly random bit patterns), then the fixed-point sampler's
// fidelity against the float64 reference on the noise inputs. Exit 1 on any mismatch.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>

#include "circuits/io/native.hpp"
#include "sampler/arith_double.hpp"
#include "sampler/compile/equivalence.hpp"
#include "sampler/run.hpp"
#include "sampler/samplers.hpp"
#include "tools/cli/command.hpp"
#include "tools/cli/flags.hpp"

namespace {

struct Options {
  std::string file, model, sampler, json;
  int steps = 0;
  size_t count = 1000;
  uint64_t seed = 1;
};

int run(const Options& o) {
  using namespace tc0::sampler;
  using namespace tc0::sampler::compile;
  auto inputs_named = tc0::cli::model_paths(o.model);
  inputs_named.push_back({"FILE", o.file});
  tc0::cli::check_paths(inputs_named, {{"--json", o.json}});
  Model m = Model::load(o.model);
  SamplerSpec spec = sampler_spec(m, o.sampler, o.steps);
  const tc0::circuits::Network ntk = tc0::circuits::io::load_native(o.file);
  EquivalenceOptions eo;
  eo.count = o.count;
  eo.seed = o.seed;
  eo.progress = [](size_t done, size_t total) {
    fmt::print(stderr, "\rchecked {}/{}", done, total);
    if (done == total) fmt::print(stderr, "\n");
  };
  EquivalenceResult r = check_equivalence(m, spec, ntk, eo);
  fmt::print("equivalence: {} inputs ({} noise, {} random bit patterns), {} mismatches: {}\n", r.compared, r.noise_inputs,
             r.random_inputs, r.mismatches, r.ok() ? "PASS" : "FAIL");
  if (r.first) fmt::print("first mismatch: {}\n", r.first->describe());
  fmt::print("time: fixed-point sampler {:.2f} s, circuit simulation {:.2f} s\n", r.seconds_fixed, r.seconds_circuit);

  // fidelity: fixed point vs float64 (trained weights) on the same quantised noise
  size_t nn = 0;
  auto inputs = equivalence_inputs(m, eo, &nn);
  inputs.resize(nn);
  auto fixed = run_fixed(m, spec, inputs);
  const Format fz = m.act("state");
  DoubleArith da;
  double max_err = 0, sum_err = 0;
  size_t worst = 0, n = 0;
  for (size_t s = 0; s < inputs.size(); ++s) {
    auto ref = sample(da, m, spec, inputs[s]);
    for (size_t d = 0; d < ref.size(); ++d) {
      double e = std::abs(Fixed{fixed[s][d], fz}.to_double() - ref[d]);
      sum_err += e;
      ++n;
      if (e > max_err) max_err = e, worst = s;
    }
  }
  const double lsb = fz.lsb();
  fmt::print("fidelity vs float64 on {} noise inputs: max |err| {:.3g} ({:.1f} LSB of {}), mean {:.3g}, worst input {}\n",
             inputs.size(), max_err, max_err / lsb, fz.str(), n ? sum_err / double(n) : 0.0, worst);
  auto j = tc0::cli::report_header("check");
  j["file"] = o.file;
  j["model"] = o.model;
  j["sampler"] = {{"kind", name(spec.kind)}, {"steps", spec.steps}};
  j["equivalence"] = {{"inputs", r.compared}, {"noise_inputs", r.noise_inputs}, {"random_inputs", r.random_inputs},
                      {"mismatches", r.mismatches}, {"pass", r.ok()}, {"seconds_fixed", r.seconds_fixed},
                      {"seconds_circuit", r.seconds_circuit}};
  if (r.first) j["equivalence"]["first_mismatch"] = r.first->describe();
  j["fidelity_float64"] = {{"inputs", inputs.size()}, {"max_abs_error", max_err}, {"max_error_lsb", max_err / lsb},
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
      tc0::cli::add_number(sub, "--steps", o->steps, 1, 64, "Number of steps K: as given to compile");
      tc0::cli::add_number(sub, "--count", o->count, size_t(1), size_t(100000000),
                           "Inputs to check (half noise, half random bit patterns)");
      tc0::cli::add_seed(sub, o->seed, "Seed of the noise and of the random bit patterns");
      tc0::cli::add_json_option(sub, o->json);
      sub.footer("Exit status 1 when any output bit differs; the first mismatch names the input and the first\n"
                 "diverging operation (module path) of the traced sampler.");
      return [o] { return run(*o); };
    });

}  // namespace
