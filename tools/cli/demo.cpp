// tc0flow demo: the main job of the README's first command. Each stage is one function that adds
// its section to the report and says whether its checks passed (demo_stages.hpp): the numerics
// fidelity table (here), then the sampler, the compiled circuit and its equivalence
// (demo_circuit.cpp), then the structure and the quick per-operation proofs of the translation
// validation (demo_verify.cpp).
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "numerics/error_metrics.hpp"
#include "numerics/functions.hpp"
#include "numerics/reference.hpp"
#include "tools/cli/command.hpp"
#include "tools/cli/flags.hpp"
#include "tools/cli/demo_stages.hpp"
#include "tools/cli/device_option.hpp"

namespace {

namespace fs = std::filesystem;
using namespace tc0::numerics;
using tc0::cli::demo::DemoContext;

struct Options {
  std::string out = "tc0flow-demo";
  std::string json;
  DemoContext ctx;
};

// ---- stage: numerics fidelity ------------------------------------------------------------------

constexpr unsigned kMpfrBits = 128;

struct FnResult {
  UnaryFn fn = UnaryFn::exp;
  double build_ms = 0;
  int max_precision = 0;
  size_t retried = 0;
  std::unique_ptr<ErrorReport> vs_mpfr, vs_double;
  size_t beyond_half_lsb = 0;  // entries farther than 1/2 LSB from MPFR (decided in MPFR)
};

// Clamps a reference value to the output format's range: saturation is part of the semantics, and
// the domain rules turn 1/0 and log 0 into the largest / smallest value.
double clamp_to(double v, Format out) {
  double lo = std::ldexp(static_cast<double>(out.min_raw()), -out.frac());
  double hi = std::ldexp(static_cast<double>(out.max_raw()), -out.frac());
  return std::min(hi, std::max(lo, v));
}

FnResult measure(UnaryFn fn, Format in, Format out) {
  FnResult r;
  r.fn = fn;
  auto t0 = std::chrono::steady_clock::now();
  const Table& table = Table::get(fn, in, out);
  r.build_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  r.max_precision = table.max_precision_bits();
  r.retried = table.retried_entries();
  std::string label = fmt::format("{} {}->{}", name(fn), in.str(), out.str());
  r.vs_mpfr = std::make_unique<ErrorReport>(out.lsb(), label + " vs MPFR");
  r.vs_double = std::make_unique<ErrorReport>(out.lsb(), label + " vs float64");
  Mpfr lo = to_mpfr(Fixed::from_raw(out.min_raw(), out), kMpfrBits);
  Mpfr hi = to_mpfr(Fixed::from_raw(out.max_raw(), out), kMpfrBits);
  Mpfr half_lsb = to_mpfr(std::ldexp(1.0, -out.frac() - 1), kMpfrBits);
  Mpfr diff = mpfr_zero(kMpfrBits);
  for (int64_t raw = in.min_raw(); raw <= in.max_raw(); ++raw) {
    size_t index = static_cast<size_t>(raw - in.min_raw());
    Fixed x = Fixed::from_raw(raw, in);
    Fixed y = Fixed::from_raw(table.lookup(raw), out);
    Mpfr ref = reference_mpfr(fn, to_mpfr(x, kMpfrBits));
    // Clamp to the output range (infinite references included).
    if (mpfr_less_p(ref.backend().data(), lo.backend().data())) ref = lo;
    if (mpfr_greater_p(ref.backend().data(), hi.backend().data())) ref = hi;
    // The 1/2-LSB verdict is decided in MPFR, not on doubles.
    mpfr_sub(diff.backend().data(), ref.backend().data(), to_mpfr(y, kMpfrBits).backend().data(), MPFR_RNDN);
    mpfr_abs(diff.backend().data(), diff.backend().data(), MPFR_RNDN);
    if (mpfr_greater_p(diff.backend().data(), half_lsb.backend().data())) ++r.beyond_half_lsb;
    r.vs_mpfr->add(to_double(ref), y.to_double(), index, x.to_double());
    r.vs_double->add(clamp_to(reference_double(fn, x.to_double()), out), y.to_double(), index, x.to_double());
  }
  return r;
}

}  // namespace

void tc0::cli::demo::stage_numerics(DemoContext& ctx) {
  const std::vector<std::pair<Format, Format>> pairs = {{Format(12, 8), Format(12, 10)},
                                                        {Format(16, 10), Format(16, 12)}};
  fmt::print("== numerics: correctly rounded function tables vs MPFR ({} bits) and float64 ==\n", kMpfrBits);
  nlohmann::json section = nlohmann::json::array();
  size_t entries = 0, beyond = 0;
  for (auto [in, out] : pairs) {
    auto fns = all_unary_fns();
    std::vector<FnResult> results(fns.size());
    // Tables of different functions build independently (Table::get is thread-safe).
#pragma omp parallel for schedule(dynamic)
    for (size_t i = 0; i < fns.size(); ++i) results[i] = measure(fns[i], in, out);
    fmt::print("\n{} -> {}  (LSB {:g}, {} entries per table)\n", in.str(), out.str(), out.lsb(), size_t{1} << in.width());
    fmt::print("{:<11} {:>9} {:>6} | {:>10} {:>9} {:>9} {:>11} | {:>10} {:>9}\n", "function", "build ms", "bits",
               "max|err|", "max LSB", "mean LSB", "worst x", "f64 maxLSB", "f64 mean");
    for (const FnResult& r : results) {
      const ErrorReport& m = *r.vs_mpfr;
      const ErrorReport& d = *r.vs_double;
      fmt::print("{:<11} {:>9.1f} {:>6} | {:>10.3e} {:>9.4f} {:>9.4f} {:>11.6g} | {:>10.4f} {:>9.4f}{}\n", name(r.fn),
                 r.build_ms, r.max_precision, m.max_abs_error(), m.max_lsb_error(), m.mean_lsb_error(),
                 m.worst_input(), d.max_lsb_error(), d.mean_lsb_error(),
                 r.beyond_half_lsb ? fmt::format("  <- {} entries beyond 1/2 LSB", r.beyond_half_lsb) : "");
      entries += m.count();
      beyond += r.beyond_half_lsb;
      section.push_back({{"function", name(r.fn)},
                         {"in", in.str()},
                         {"out", out.str()},
                         {"build_ms", r.build_ms},
                         {"max_precision_bits", r.max_precision},
                         {"entries_needing_more_precision", r.retried},
                         {"entries_beyond_half_lsb", r.beyond_half_lsb},
                         {"vs_mpfr", m.to_json()},
                         {"vs_float64", d.to_json()}});
    }
  }
  bool ok = beyond == 0;
  fmt::print("\nnumerics verdict: {} ({} of {} table entries within 1/2 LSB of MPFR at {} bits)\n",
             ok ? "PASS" : "FAIL", entries - beyond, entries, kMpfrBits);
  ctx.check("numerics", "function tables within 1/2 LSB of MPFR", ok,
            fmt::format("{} of {} entries", entries - beyond, entries));
  ctx.report["stages"]["numerics"] = {{"pass", ok},
                                      {"mpfr_bits", kMpfrBits},
                                      {"entries", entries},
                                      {"entries_beyond_half_lsb", beyond},
                                      {"tables", section}};
}

namespace {

// ---- the pipeline ------------------------------------------------------------------------------

using Stage = void (*)(DemoContext&);
const std::vector<Stage> kStages = {tc0::cli::demo::stage_numerics, tc0::cli::demo::stage_sampler,
                                    tc0::cli::demo::stage_compile, tc0::cli::demo::stage_equivalence,
                                    tc0::cli::demo::stage_verify};

int run(Options& o) {
  const auto t0 = std::chrono::steady_clock::now();
  DemoContext& ctx = o.ctx;
  ctx.out_dir = o.out;
  std::error_code ec;
  fs::create_directories(ctx.out_dir, ec);
  if (ec)
    throw std::runtime_error(fmt::format("cannot create output directory '{}': {}; pass a writable --out DIR",
                                         o.out, ec.message()));
  tc0::cli::check_paths(tc0::cli::model_paths(ctx.model_dir), {{"--out", (ctx.out_dir / "report.json").string()},
                                                               {"--json", o.json}});
  ctx.report = tc0::cli::report_header("demo");
  ctx.report["checks"] = nlohmann::json::array();
  for (Stage s : kStages) {
    s(ctx);
    fmt::print("\n");
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ctx.report["pass"] = ctx.pass;
  ctx.report["seconds"] = seconds;
  fmt::print("== checks ==\n");
  for (const auto& c : ctx.report["checks"])
    fmt::print("  [{}] {} / {}\n", c["pass"].get<bool>() ? "PASS" : "FAIL", c["stage"].get<std::string>(),
               c["check"].get<std::string>());
  for (const std::string& l : ctx.closing_lines) fmt::print("{}\n", l);
  fmt::print("demo took {:.0f} s; pictures, sample grids and report in {}/\n", seconds, ctx.out_dir.string());
  fs::path report = ctx.out_dir / "report.json";
  tc0::cli::write_json(report.string(), ctx.report);
  tc0::cli::write_json(o.json, ctx.report);
  if (!ctx.explorer_index.empty()) fmt::print("explorer: open {} in a browser\n", ctx.explorer_index);
  fmt::print("verdict: {}   report: {}\n", ctx.pass ? "PASS" : "FAIL", report.string());
  return ctx.pass ? 0 : 1;
}

tc0::cli::Registrar reg(
    "demo",
    "Run the whole tc0flow pipeline on the shipped demo model: numerics tables vs MPFR, fixed-point "
    "samples (goldens, fidelity vs float64 and MPFR), compile the sampler into one threshold circuit "
    "(stats, depth, module picture), simulate a batch and check it bit for bit against the fixed-point "
    "sampler, then prove its structure and the operations of the quick kinds for every input (translation "
    "validation; the full proof is `tc0flow verify`); writes pictures, sample grids and report.json into DIR "
    "and exits non-zero when a check fails",
    [](CLI::App& sub) -> tc0::cli::Runner {
      auto opts = std::make_shared<Options>();
      sub.add_option("--out", opts->out, "Output directory (created if missing)")->capture_default_str();
      sub.add_option("--model", opts->ctx.model_dir, "Model directory to run the pipeline on")->capture_default_str();
      tc0::cli::add_number(sub, "--depth-budget", opts->ctx.depth_budget, 2, 12,
                           "Linear-form strategy of the circuit: 2 plain, 4/6 one/two grouping levels")
          ->capture_default_str();
      tc0::cli::add_number(sub, "--inputs", opts->ctx.equivalence_inputs, size_t(1), size_t(10000000),
                           "Inputs simulated and checked bit for bit (half quantised noise, half random bits)")
          ->capture_default_str();
      sub.add_flag("--save-circuit", opts->ctx.save_circuit, "Also write the circuit file DIR/sampler.tc0c");
      tc0::cli::add_device_option(sub, opts->ctx.device);
      tc0::cli::add_json_option(sub, opts->json);
      return [opts] { return run(*opts); };
    });

}  // namespace
