// The sampler and circuit stages of `tc0flow demo` (demo_stages.hpp): fixed-point samples against
// their goldens and the float64 / MPFR references, the sampler compiled into one threshold circuit,
// and that circuit simulated and checked bit for bit against the fixed-point sampler.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "circuits/io/dot.hpp"
#include "circuits/io/module_dot.hpp"
#include "circuits/io/native.hpp"
#include "circuits/sim/bitsim.hpp"
#include "circuits/stats.hpp"
#include "fileio/input_file.hpp"
#include "sampler/compile/count_arith.hpp"
#include "sampler/compile/equivalence.hpp"
#include "sampler/compile/memory.hpp"
#include "sampler/compile/trace.hpp"
#include "sampler/image_grid.hpp"
#include "sampler/run.hpp"
#include "tools/cli/demo_stages.hpp"
#include "tools/cli/device_option.hpp"
#include "tools/explorer/site.hpp"

namespace tc0::cli::demo {

namespace {

using namespace tc0::sampler;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

struct ErrorStats {
  double max = 0, sum = 0;
  size_t n = 0, worst = 0;
  void add(double e, size_t sample) {
    if (e > max) max = e, worst = sample;
    sum += e;
    ++n;
  }
  double mean() const { return n ? sum / double(n) : 0.0; }
  nlohmann::json to_json(double lsb) const {
    return {{"max_abs_error", max}, {"mean_abs_error", mean()}, {"max_error_lsb", max / lsb}, {"worst_sample", worst}};
  }
};

ErrorStats compare(const std::vector<std::vector<double>>& a, const std::vector<std::vector<double>>& b) {
  ErrorStats e;
  for (size_t s = 0; s < std::min(a.size(), b.size()); ++s)
    for (size_t d = 0; d < a[s].size(); ++d) e.add(std::abs(a[s][d] - b[s][d]), s);
  return e;
}

void draw_grid(const DemoContext& ctx, const std::string& file, const std::vector<std::vector<double>>& values) {
  const auto& cfg = ctx.model->config();
  if (cfg.architecture != Architecture::dit) return;  // point data: the numbers are in the report
  write_png_grid((ctx.out_dir / file).string(), values, cfg.dit.image_size, cfg.dit.channels, 4);
}

SampleResult sample(const DemoContext& ctx, NumberType type, size_t count, uint64_t seed) {
  SampleRequest req;
  req.spec = *ctx.spec;
  req.type = type;
  req.seed = seed;
  req.count = count;
  return run_sampler(*ctx.model, req);
}

}  // namespace

void stage_sampler(DemoContext& ctx) {
  fmt::print("== sampler: {} in fixed point vs float64 and MPFR ==\n", ctx.model_dir);
  ctx.model = std::make_unique<Model>(Model::load(ctx.model_dir));
  ctx.spec = sampler_spec(*ctx.model, "", 0);
  const Format fz = ctx.model->act("state");
  nlohmann::json section = {{"model", ctx.model_dir},
                            {"sampler", {{"kind", name(ctx.spec->kind)}, {"steps", ctx.spec->steps}}}};

  // The committed bit-exact goldens (tools/train/make_fixed_goldens.py): any change of the bits shows.
  const std::string golden_path = (std::filesystem::path(ctx.model_dir) / "fixed_golden.json").string();
  if (std::filesystem::exists(golden_path)) {
    const auto golden = nlohmann::json::parse(fileio::read_regular_file(golden_path, "golden file", fileio::kGiB));
    size_t cases = 0, same = 0;
    for (const auto& c : golden["cases"]) {
      SampleRequest req;
      req.spec = sampler_spec(*ctx.model, c["sampler"].get<std::string>(), c["steps"].get<int>());
      req.seed = c["seed"].get<uint64_t>();
      req.count = c["count"].get<size_t>();
      ++cases;
      same += run_sampler(*ctx.model, req).raw == c["raw"].get<std::vector<std::vector<int64_t>>>();
    }
    ctx.check("sampler", "fixed-point sampler reproduces its committed goldens", cases > 0 && same == cases,
              fmt::format("{} of {} golden cases bit-exact", same, cases));
  } else {
    ctx.check("sampler", "fixed-point sampler reproduces its committed goldens", false,
              fmt::format("no fixed_golden.json in {}", ctx.model_dir));
  }

  const size_t n = ctx.grid_samples;
  const SampleResult fixed = sample(ctx, NumberType::fixed, n, 0);
  const SampleResult flt = sample(ctx, NumberType::float64, n, 0);
  const size_t n_mpfr = std::min<size_t>(n, 8);
  const SampleResult mp = sample(ctx, NumberType::mpfr, n_mpfr, 0);
  draw_grid(ctx, "samples_fixed.png", fixed.values);
  draw_grid(ctx, "samples_float64.png", flt.values);
  const ErrorStats fx_fl = compare(fixed.values, flt.values);
  const ErrorStats fx_mp = compare(fixed.values, mp.values);
  const ErrorStats fl_mp = compare(flt.values, mp.values);
  fmt::print("  {} samples, seed 0, state format {}: fixed {:.2f} s, float64 {:.2f} s, MPFR-128 ({} samples) {:.2f} s\n", n,
             fz.str(), fixed.seconds, flt.seconds, n_mpfr, mp.seconds);
  fmt::print("  fixed vs float64: max |err| {:.4f} ({:.1f} LSB), mean {:.4f}; fixed vs MPFR-128: max {:.4f}; "
             "float64 vs MPFR-128: max {:.2e}\n",
             fx_fl.max, fx_fl.max / fz.lsb(), fx_fl.mean(), fx_mp.max, fl_mp.max);
  // float64 must agree with MPFR-128 to rounding noise: a large gap means a broken reference.
  ctx.check("sampler", "float64 reference agrees with MPFR at 128 bits", fl_mp.max < 1e-9,
            fmt::format("max |float64 - MPFR| = {:.2e} over {} samples", fl_mp.max, n_mpfr));
  section["samples"] = n;
  section["fixed_vs_float64"] = fx_fl.to_json(fz.lsb());
  section["fixed_vs_mpfr128"] = fx_mp.to_json(fz.lsb());
  section["float64_vs_mpfr128"] = fl_mp.to_json(fz.lsb());
  section["saturations"] = fixed.saturations;
  section["grids"] = {"samples_fixed.png", "samples_float64.png"};
  ctx.report["stages"]["sampler"] = section;
  ctx.grid_noise = fixed.noise_raw;
  ctx.grid_fixed_raw = fixed.raw;
}

void stage_compile(DemoContext& ctx) {
  using namespace tc0::sampler::compile;
  fmt::print("== compile: the {} {}-step sampler into one threshold circuit (linear-form depth budget {}) ==\n",
             name(ctx.spec->kind), ctx.spec->steps, ctx.depth_budget);
  CompileOptions co;
  co.linear.depth_budget = ctx.depth_budget;
  const auto t0 = Clock::now();
  const SamplerCount cnt = count_sampler(*ctx.model, *ctx.spec, co.linear);
  const double need = compile_bytes_needed(cnt);
  const double avail = 0.8 * double(available_memory_bytes());
  fmt::print("  counted: {} gates, {} edges, depth {} ({:.1f} s); needs about {:.2f} GiB of {:.2f} GiB available\n",
             cnt.totals.gates, cnt.totals.edges, cnt.depth, seconds_since(t0), need / double(1ull << 30),
             avail / double(1ull << 30));
  nlohmann::json section = {{"depth_budget", ctx.depth_budget},
                            {"counted", {{"gates", cnt.totals.gates}, {"edges", cnt.totals.edges}, {"depth", cnt.depth}}}};
  if (avail > 0 && need > avail) {
    ctx.check("compile", "circuit fits in memory", false,
              fmt::format("needs about {:.2f} GiB, {:.2f} GiB available", need / double(1ull << 30), avail / double(1ull << 30)));
    ctx.report["stages"]["compile"] = section;
    return;
  }
  co.reserve_gates = cnt.totals.gates;
  co.reserve_edges = cnt.totals.stored_edges;
  const auto t1 = Clock::now();
  ctx.circuit = std::make_unique<circuits::Network>(compile_sampler(*ctx.model, *ctx.spec, co));
  const double compile_s = seconds_since(t1);
  const circuits::Network& ntk = *ctx.circuit;
  const circuits::CircuitStats st = circuits::compute_stats(ntk);
  fmt::print("  compiled in {:.1f} s (+{:.1f} s counting), peak memory {:.2f} GiB, {:.1f} bytes per edge\n", compile_s,
             seconds_since(t0) - compile_s, peak_rss_gib(), double(ntk.memory_bytes()) / double(ntk.num_edges()));
  fmt::print("  {}\n", st.line());
  std::vector<circuits::ModuleStats> mods = st.modules;
  std::sort(mods.begin(), mods.end(), [](const auto& a, const auto& b) { return a.edges > b.edges; });
  fmt::print("  largest modules (by edges):\n");
  for (size_t i = 0; i < std::min<size_t>(mods.size(), 6); ++i)
    fmt::print("    {:<40} {:>10} gates {:>12} edges  depth {}\n", mods[i].path, mods[i].gates, mods[i].edges,
               mods[i].depth);
  ctx.check("compile", "the materialised circuit equals the counted one (gates, edges, depth)",
            st.gates == cnt.totals.gates && st.edges == cnt.totals.edges && st.depth == cnt.gate_depth,
            fmt::format("materialised {} gates {} edges depth {}, counted {} gates {} edges depth {}", st.gates, st.edges,
                        st.depth, cnt.totals.gates, cnt.totals.edges, cnt.gate_depth));
  ctx.check("compile", "every gate canonical, depth independent of the batch", st.depth > 0 && st.gates == ntk.num_gates(),
            fmt::format("{} gates, {} edges", st.gates, st.edges));
  fmt::print("  depth bound: linear forms {} levels each (d_std = d_plus = {}), products {} (1 + b), staircases 2 "
             "(d_exp = d_sqrt = 2), max 3; the critical path has {} gates\n",
             ctx.depth_budget, ctx.depth_budget, 1 + ctx.depth_budget, st.critical_path.size());

  // Pictures: the whole sampler at module level, and the gate-level cone of one output bit.
  const circuits::io::ModuleGraph mg = circuits::io::module_graph(ntk, 2);
  const std::string title = fmt::format("{} {}-step sampler: {} gates, {} edges, depth {}", name(ctx.spec->kind),
                                        ctx.spec->steps, st.gates, st.edges, st.depth);
  circuits::io::render_dot(circuits::io::write_module_dot(mg, title), (ctx.out_dir / "circuit_modules.svg").string());
  circuits::io::DotOptions cone;
  cone.cone = "x[0][0]";
  cone.max_depth = 3;
  cone.max_gates = 400;
  std::string pictures = "circuit_modules.svg";
  try {
    circuits::io::render_dot(circuits::io::write_dot(ntk, cone), (ctx.out_dir / "cone_x0_bit0.svg").string());
    pictures += ", cone_x0_bit0.svg";
  } catch (const std::exception& e) {
    fmt::print("  (no gate-level cone picture: {})\n", e.what());
  }
  fmt::print("  pictures: {}\n", pictures);
  if (ctx.save_circuit) {
    circuits::io::save_native(ntk, (ctx.out_dir / "sampler.tc0c").string());
    fmt::print("  circuit file: {}\n", (ctx.out_dir / "sampler.tc0c").string());
  }
  section["stats"] = st.to_json();
  section["stats"].erase("critical_path");
  section["compile_seconds"] = compile_s;
  section["count_seconds"] = seconds_since(t0) - compile_s;
  section["peak_rss_gib"] = peak_rss_gib();
  section["stored_edges"] = ntk.num_stored_edges();
  section["bytes_per_edge"] = double(ntk.memory_bytes()) / double(ntk.num_edges());
  section["module_graph"] = mg.to_json();
  // The interactive explorer of the circuit (tc0flow view), walked from the sampler to one gate.
  try {
    explorer::SiteOptions so;
    so.title = fmt::format("{} {}-step sampler of {}", name(ctx.spec->kind), ctx.spec->steps,
                           std::filesystem::path(ctx.model_dir).filename().string());
    so.model_dir = ctx.model_dir;
    const auto site = explorer::write_site(ntk, ctx.out_dir / "explorer", so);
    ctx.explorer_index = (ctx.out_dir / "explorer" / "index.html").string();
    section["explorer"] = site.to_json();
    section["explorer"]["index"] = ctx.explorer_index;
    ctx.check("compile", "explorer site written", true,
              fmt::format("{} units at gate level, {} templates, {:.0f} MB", site.template_units, site.templates, double(site.bytes) / 1e6));
  } catch (const std::exception& e) {
    ctx.check("compile", "explorer site written", false, e.what());
  }
  ctx.report["stages"]["compile"] = section;
}

void stage_equivalence(DemoContext& ctx) {
  using namespace tc0::sampler::compile;
  fmt::print("== equivalence: circuit simulation vs the fixed-point sampler, bit for bit ==\n");
  if (!ctx.circuit) {
    ctx.check("equivalence", "circuit == fixed-point sampler", false, "no circuit (the compile stage failed)");
    return;
  }
  const circuits::Network& ntk = *ctx.circuit;
  // The sample grid through the circuit: the same noise as the sampler stage's fixed-point grid.
  const size_t dim = ctx.grid_noise.empty() ? 0 : ctx.grid_noise[0].size();
  circuits::sim::BusBatch in(dim, std::vector<int64_t>(ctx.grid_noise.size()));
  for (size_t s = 0; s < ctx.grid_noise.size(); ++s)
    for (size_t d = 0; d < dim; ++d) in[d][s] = ctx.grid_noise[s][d];
  const auto t0 = Clock::now();
  const circuits::sim::SimOptions so{.device = circuits::sim::parse_device(ctx.device),
                                     .on_fallback = report_fallback("demo")};
  const circuits::sim::BitSimulator sim(ntk, so);
  const auto out = sim.run(in);
  fmt::print("  {}\n", sim.device_run().line());
  const double grid_s = seconds_since(t0);
  const Format fz = ctx.model->act("state");
  std::vector<std::vector<double>> values(ctx.grid_noise.size(), std::vector<double>(dim));
  size_t differ = 0;
  for (size_t s = 0; s < values.size(); ++s)
    for (size_t d = 0; d < dim; ++d) {
      values[s][d] = std::ldexp(double(out[d][s]), -fz.frac());
      differ += out[d][s] != ctx.grid_fixed_raw[s][d];
    }
  draw_grid(ctx, "samples_circuit.png", values);
  ctx.check("equivalence", "sample grid through the circuit == fixed-point grid", differ == 0,
            fmt::format("{} samples x {} entries, {} differ ({:.1f} s incl. flattening)", values.size(), dim, differ, grid_s));

  EquivalenceOptions eo;
  eo.count = ctx.equivalence_inputs;
  eo.seed = 1;
  eo.compile.linear.depth_budget = ctx.depth_budget;
  eo.simulator = so;
  std::fflush(stdout);  // the progress line goes to stderr; keep the two streams in order
  eo.progress = [](size_t done, size_t total) {
    fmt::print(stderr, "\r  checked {}/{}", done, total);
    if (done == total) fmt::print(stderr, "\n");
  };
  const EquivalenceResult r = check_equivalence(*ctx.model, *ctx.spec, ntk, eo);
  const double edge_samples = double(ntk.num_edges()) * double(r.compared);
  ctx.check("equivalence", "circuit == fixed-point sampler on every output bit", r.ok(),
            fmt::format("{} inputs ({} quantised noise, {} random bit patterns), {} mismatches", r.compared,
                        r.noise_inputs, r.random_inputs, r.mismatches));
  if (r.first) fmt::print("  first mismatch: {}\n", r.first->describe());
  fmt::print("  {}\n", r.device.line());
  fmt::print("  fixed-point sampler {:.1f} s, circuit simulation {:.1f} s ({:.2e} edge-samples/s)\n",
             r.seconds_fixed, r.seconds_circuit, edge_samples / std::max(r.seconds_circuit, 1e-9));
  nlohmann::json section = {{"inputs", r.compared},         {"noise_inputs", r.noise_inputs},
                            {"random_inputs", r.random_inputs}, {"mismatches", r.mismatches},
                            {"seconds_fixed", r.seconds_fixed}, {"seconds_circuit", r.seconds_circuit},
                            {"edge_samples_per_second", edge_samples / std::max(r.seconds_circuit, 1e-9)},
                            {"device", r.device.to_json()}, {"grid_device", sim.device_run().to_json()},
                            {"grid", "samples_circuit.png"}};
  if (r.first) section["first_mismatch"] = r.first->describe();
  ctx.report["stages"]["equivalence"] = section;
}

}  // namespace tc0::cli::demo
