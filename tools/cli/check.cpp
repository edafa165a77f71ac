// tc0flow check FILE --model DIR: the circuit against the bit-exact fixed-point sampler (every output
// bit, on quantised noise and on uniformly random bit patterns), then the fixed-point sampler's
// fidelity against the float64 reference on the noise inputs. Exit 1 on any mismatch. With the
// circuit on a GPU (--device), both references (fixed point, float64) run on the CPU cores while the
// GPU simulates. Under mpirun the inputs are sharded over the ranks (tools/cluster/README.md); the
// report is the same.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <optional>

#include "circuits/io/native.hpp"
#include "sampler/compile/equivalence.hpp"
#include "sampler/run.hpp"
#include "sampler/samplers.hpp"
#include "tools/cli/cluster.hpp"
#include "tools/cli/command.hpp"
#include "tools/cli/device_option.hpp"
#include "tools/cli/flags.hpp"

namespace {

struct Options {
  std::string file, model, sampler, json, device = "auto";
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
  // Under mpirun every rank checks its shard of the inputs and rank 0 writes the report
  // (tools/cli/cluster.hpp); alone, the one shard is every input.
  const tc0::cli::Cluster& cluster = tc0::cli::Cluster::get();
  std::optional<Model> model;
  std::optional<SamplerSpec> spec;
  EquivalenceOptions eo;
  eo.count = o.count;
  eo.seed = o.seed;
  eo.simulator.device = tc0::circuits::sim::parse_device(o.device);
  eo.simulator.on_fallback = tc0::cli::report_fallback("check");
  tc0::circuits::sim::DeviceRun device;  // this rank's; rank 0 reports its own
  auto work = [&]() -> nlohmann::json {
    model.emplace(Model::load(o.model));
    spec.emplace(sampler_spec(*model, o.sampler, o.steps));
    const tc0::circuits::Network ntk = tc0::circuits::io::load_native(o.file);
    const tc0::cli::Shard shard = cluster.shard(o.count);
    EquivalenceOptions mine = eo;
    if (cluster.root())
      mine.progress = [](size_t done, size_t total) {
        fmt::print(stderr, "\rchecked {}/{}", done, total);
        if (done == total) fmt::print(stderr, "\n");
      };
    const auto t0 = std::chrono::steady_clock::now();
    const ShardResult result = check_shard(*model, *spec, ntk, mine, shard.begin, shard.end, true);
    device = result.device;
    nlohmann::json j = to_json(result);
    j["device"] = result.device.to_json();
    j["rank"] = cluster.rank();
    j["host"] = cluster.host();
    j["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return j;
  };
  auto merge = [&](const std::vector<nlohmann::json>& shards) -> int {
    EquivalenceResult r;
    size_t fidelity_inputs = 0, error_count = 0, worst = 0;
    double max_err = 0, sum_err = 0;
    nlohmann::json ranks = nlohmann::json::array();
    for (const nlohmann::json& sj : shards) {
      const ShardResult s = shard_from_json(sj);
      r.compared += s.compared;
      r.mismatches += s.mismatches;
      r.noise_inputs += s.noise_inputs;
      r.random_inputs += s.random_inputs;
      r.seconds_fixed += s.seconds_fixed;
      r.seconds_circuit += s.seconds_circuit;
      if (!r.first && s.first) r.first = s.first;  // shards come in input order: the lowest index
      fidelity_inputs += s.fidelity_inputs;
      error_count += s.error_count;
      if (s.max_error > max_err) max_err = s.max_error, worst = s.worst_input;
      for (double u : s.unit_error_sums) sum_err += u;
      ranks.push_back({{"rank", sj.at("rank")}, {"host", sj.at("host")}, {"begin", s.begin}, {"end", s.end},
                       {"inputs", s.compared}, {"mismatches", s.mismatches}, {"seconds", sj.at("seconds")},
                       {"device", sj.at("device")}});
    }
    if (r.first) locate_mismatch(*model, *spec, eo.compile, *r.first);
    tc0::cli::print_device_line(stdout, device);
    fmt::print("equivalence: {} inputs ({} noise, {} random bit patterns), {} mismatches: {}\n", r.compared,
               r.noise_inputs, r.random_inputs, r.mismatches, r.ok() ? "PASS" : "FAIL");
    if (r.first) fmt::print("first mismatch: {}\n", r.first->describe());
    fmt::print("time: fixed-point sampler {:.2f} s, circuit simulation {:.2f} s{}{}\n", r.seconds_fixed,
               r.seconds_circuit, device.device == "cpu" ? "" : " (overlapped)",
               cluster.size() > 1 ? fmt::format(" (summed over {} ranks)", cluster.size()) : "");
    const Format fz = model->act("state");
    const double lsb = fz.lsb();
    const double mean = error_count ? sum_err / double(error_count) : 0.0;
    fmt::print("fidelity vs float64 on {} noise inputs: max |err| {:.3g} ({:.1f} LSB of {}), mean {:.3g}, worst input {}\n",
               fidelity_inputs, max_err, max_err / lsb, fz.str(), mean, worst);
    auto j = tc0::cli::report_header("check");
    j["file"] = o.file;
    j["model"] = o.model;
    j["sampler"] = {{"kind", name(spec->kind)}, {"steps", spec->steps}};
    j["equivalence"] = {{"inputs", r.compared}, {"noise_inputs", r.noise_inputs}, {"random_inputs", r.random_inputs},
                        {"mismatches", r.mismatches}, {"pass", r.ok()}, {"seconds_fixed", r.seconds_fixed},
                        {"seconds_circuit", r.seconds_circuit}};
    if (r.first) j["equivalence"]["first_mismatch"] = r.first->describe();
    j["device"] = device.to_json();
    j["fidelity_float64"] = {{"inputs", fidelity_inputs}, {"max_abs_error", max_err}, {"max_error_lsb", max_err / lsb},
                             {"mean_abs_error", mean}, {"worst_input", worst}};
    j["ranks"] = ranks;
    tc0::cli::write_json(o.json, j);
    return r.ok() ? 0 : 1;
  };
  return tc0::cli::run_sharded(work, merge);
}

tc0::cli::Registrar reg(
    "check", "Check a compiled circuit against the fixed-point sampler bit for bit, and fidelity vs float64",
    [](CLI::App& sub) -> tc0::cli::Runner {
      auto o = std::make_shared<Options>();
      tc0::cli::add_compiled_circuit(sub, o->file, o->model, o->sampler, o->steps);
      tc0::cli::add_number(sub, "--count", o->count, size_t(1), size_t(100000000),
                           "Inputs to check (half noise, half random bit patterns)");
      tc0::cli::add_seed(sub, o->seed, "Seed of the noise and of the random bit patterns");
      tc0::cli::add_device_option(sub, o->device);
      tc0::cli::add_json_option(sub, o->json);
      sub.footer("Exit status 1 when any output bit differs; the first mismatch names the input and the first\n"
                 "diverging operation (module path) of the traced sampler.");
      return [o] { return run(*o); };
    });

}  // namespace
