// tc0flow compile --model DIR [--sampler mf1|mf2|euler --steps K] -o FILE: traces the generic sampler
// with the circuit policy (sampler/compile) into one threshold network and writes the native file.
#include <fmt/format.h>

#include <chrono>
#include <memory>
#include <sys/resource.h>

#include "circuits/io/native.hpp"
#include "circuits/stats.hpp"
#include "sampler/compile/count_arith.hpp"
#include "sampler/compile/memory.hpp"
#include "sampler/compile/trace.hpp"
#include "sampler/run.hpp"
#include "tools/cli/command.hpp"
#include "tools/cli/flags.hpp"

namespace {

struct Options {
  std::string model, sampler, out, json;
  int steps = 0, depth_budget = 2;
  unsigned group = 0;
  double max_gib = 0;
  bool force = false;
};

int run(const Options& o) {
  using namespace tc0::sampler;
  using namespace tc0::sampler::compile;
  const auto t0 = std::chrono::steady_clock::now();
  tc0::cli::check_paths(tc0::cli::model_paths(o.model), {{"-o", o.out}, {"--json", o.json}});
  Model m = Model::load(o.model);
  SamplerSpec spec = sampler_spec(m, o.sampler, o.steps);
  CompileOptions co;
  co.linear.depth_budget = o.depth_budget;
  co.linear.group_size = o.group;
  // refuse up front what cannot fit: the counter sizes the circuit exactly without building it
  const SamplerCount cnt = count_sampler(m, spec, co.linear);
  const double need = compile_bytes_needed(cnt);
  const double budget = o.max_gib > 0 ? o.max_gib * double(1ull << 30) : 0.8 * double(available_memory_bytes());
  fmt::print("counted: {} gates, {} edges ({} stored), depth {}; needs about {:.2f} GiB, budget {:.2f} GiB\n",
             cnt.totals.gates, cnt.totals.edges, cnt.totals.stored_edges, cnt.depth, need / double(1ull << 30), budget / double(1ull << 30));
  if (budget > 0 && need > budget && !o.force)
    throw std::runtime_error(fmt::format(
        "the circuit has about {} edges and needs about {:.2f} GiB, more than the {:.2f} GiB available; use a larger "
        "--depth-budget (grouped linear forms, fewer edges), a smaller model or narrower formats, or --force to try "
        "anyway",
        cnt.totals.edges, need / double(1ull << 30), budget / double(1ull << 30)));
  // the counted sizes are exact: the large arrays are allocated once
  co.reserve_gates = cnt.totals.gates;
  co.reserve_edges = cnt.totals.stored_edges;
  nlohmann::json phases = nlohmann::json::object();
  auto lap = [&phases, t = t0](const std::string& what) mutable {
    const auto now = std::chrono::steady_clock::now();
    const double s = std::chrono::duration<double>(now - t).count();
    phases[what] = s;
    fmt::print("  {:<18} {:7.1f} s\n", what, s);
    t = now;
  };
  lap("count");
  co.on_phase = [&lap](const std::string& what, double) { lap(what); };
  tc0::circuits::Network ntk = compile_sampler(m, spec, co);
  const double compile_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  tc0::circuits::io::save_native(ntk, o.out);
  lap("write");
  const tc0::circuits::CircuitStats st = tc0::circuits::compute_stats(ntk);
  lap("stats");
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  fmt::print("{}\n", st.line());
  fmt::print("stored: {} fan-in entries for {} edges ({:.1f} edges per stored entry), {:.2f} GiB, {:.1f} bytes per edge\n",
             ntk.num_stored_edges(), ntk.num_edges(), double(ntk.num_edges()) / double(std::max<uint64_t>(1, ntk.num_stored_edges())),
             double(ntk.memory_bytes()) / double(1ull << 30), double(ntk.memory_bytes()) / double(std::max<uint64_t>(1, ntk.num_edges())));
  fmt::print("compiled {} {}-step in {:.1f} s, peak memory {:.2f} GiB -> {}\n", name(spec.kind), spec.steps, compile_s,
             double(ru.ru_maxrss) / (1 << 20), o.out);
  auto j = tc0::cli::report_header("compile");
  j["model"] = o.model;
  j["sampler"] = {{"kind", name(spec.kind)}, {"steps", spec.steps}};
  j["strategy"] = {{"depth_budget", o.depth_budget}, {"group_size", o.group ? o.group : 16}};
  j["counted"] = {{"gates", cnt.totals.gates}, {"edges", cnt.totals.edges}, {"stored_edges", cnt.totals.stored_edges},
                  {"depth", cnt.depth}, {"bytes_needed", need}};
  j["stored_edges"] = ntk.num_stored_edges();
  j["network_bytes"] = ntk.memory_bytes();
  j["stats"] = st.to_json();
  j["compile_seconds"] = compile_s;
  j["phase_seconds"] = phases;
  j["peak_rss_bytes"] = uint64_t(ru.ru_maxrss) * 1024;
  j["output"] = o.out;
  tc0::cli::write_json(o.json, j);
  return 0;
}

tc0::cli::Registrar reg(
    "compile", "Compile a model's sampler (noise bits in, sample bits out) into one threshold circuit file",
    [](CLI::App& sub) -> tc0::cli::Runner {
      auto o = std::make_shared<Options>();
      using tc0::cli::add_number;
      sub.add_option("--model", o->model, "Model directory (config.json + weights.safetensors)")->required();
      sub.add_option("--sampler", o->sampler, "mf1 | mf2 | euler (default: the model's configured sampler)")
          ->check(CLI::IsMember({"mf1", "mf2", "euler"}));
      add_number(sub, "--steps", o->steps, 1, 64, "Number of steps K on the uniform grid (default: the model's grid)");
      sub.add_option("-o,--output", o->out, "Circuit file to write (.tc0c, native format)")->required();
      add_number(sub, "--depth-budget", o->depth_budget, 2, 12,
                 "Depth of each linear form: 2 = plain, 4/6 = one/two levels of grouping (fewer edges)");
      add_number(sub, "--group-size", o->group, 2u, 4096u, "Terms per group in grouped linear forms (default 16)");
      add_number(sub, "--max-memory", o->max_gib, tc0::cli::Range<double>{0, 4096, true, false},
                 "Refuse circuits whose estimate exceeds this many GiB (default: 80% of the available memory)");
      sub.add_flag("--force", o->force, "Compile even when the estimate exceeds the memory budget");
      tc0::cli::add_json_option(sub, o->json);
      sub.footer("Input bus e[i] is noise entry i in the state format, output bus x[i] is sample entry i.\n"
                 "Check the result with: tc0flow check FILE --model DIR");
      return [o] { return run(*o); };
    });

}  // namespace
