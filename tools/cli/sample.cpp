// tc0flow sample: draws samples from a model with the MF1, MF2 or Euler sampler in float64, MPFR or
// bit-exact fixed point, from the portable quantised noise of a seed (sampler/run.hpp).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sampler/image_grid.hpp"
#include "sampler/model.hpp"
#include "sampler/run.hpp"
#include "tools/cli/command.hpp"
#include "tools/cli/flags.hpp"

namespace {

using namespace tc0::sampler;

struct Options {
  std::string model;
  std::string sampler;  // empty: the model's configured sampler
  int steps = 0;        // 0: the model's configured steps
  std::string type = "fixed";
  int precision = 128;
  bool quantised_weights = false;
  uint64_t seed = 0;
  size_t count = 16;
  std::string out;
  std::string png;
  std::string json;
  // --approx-attention and its companions; the Option pointers say which were given
  ApproxAttentionSetting approx;
  bool no_compare_exact = false;
  CLI::Option* approx_eps = nullptr;
  std::vector<CLI::Option*> approx_companions;  // every option that needs --approx-attention
  CLI::Option *precision_flag = nullptr, *quantised_flag = nullptr;
};

// The approximate-attention flags as a setting, refused with one line when a value or the number
// type does not fit (before the model is sampled).
std::optional<ApproxAttentionSetting> approx_setting(const Options& o) {
  if (!o.approx_eps->count()) {
    for (const CLI::Option* c : o.approx_companions)
      if (c->count()) throw std::invalid_argument(fmt::format("{} needs --approx-attention EPS", c->get_name()));
    return std::nullopt;
  }
  // the values are in their declared ranges (add_number); what remains is the number type
  if (o.type == "fixed")
    throw std::invalid_argument("--approx-attention is for --type float64 or mpfr: the fixed-point sampler is the contract "
                                "of the operation graph (and of the circuit), which has no approximate attention");
  return o.approx;
}

double max_abs_diff(const std::vector<std::vector<double>>& a, const std::vector<std::vector<double>>& b) {
  double e = 0;
  for (size_t i = 0; i < a.size(); ++i)
    for (size_t j = 0; j < a[i].size(); ++j) e = std::max(e, std::abs(a[i][j] - b[i][j]));
  return e;
}

int run(const Options& o) {
  tc0::cli::refuse_flag(o.precision_flag, o.type == "mpfr", "applies to --type mpfr only");
  tc0::cli::refuse_flag(o.quantised_flag, o.type != "fixed", "applies to --type float64 or mpfr (fixed point always uses "
                                                               "the quantised weights)");
  tc0::cli::check_paths(tc0::cli::model_paths(o.model), {{"-o", o.out}, {"--png", o.png}, {"--json", o.json}});
  Model m = Model::load(o.model);
  SampleRequest req;
  req.spec = sampler_spec(m, o.sampler, o.steps);
  req.type = number_type_from_name(o.type);
  req.precision = o.precision;
  req.quantised_weights = o.quantised_weights;
  req.seed = o.seed;
  req.count = o.count;
  req.approx_attention = approx_setting(o);
  const auto& cfg = m.config();
  if (!o.png.empty() && cfg.architecture != Architecture::dit)
    throw std::invalid_argument("--png draws image models only; this model's samples are points (see -o)");

  SampleResult r = run_sampler(m, req);
  // the exact float sampler on the same noise, for the error of the approximation
  std::optional<SampleResult> exact;
  if (req.approx_attention && !o.no_compare_exact) {
    SampleRequest ex = req;
    ex.approx_attention.reset();
    exact = run_sampler(m, ex);
  }

  nlohmann::json grid = nlohmann::json::array();
  for (const auto& t : req.spec.grid) grid.push_back(t.convert_to<double>());
  nlohmann::json j = tc0::cli::report_header("sample");
  j["model"] = o.model;
  j["model_name"] = cfg.name;
  j["sampler"] = {{"kind", name(req.spec.kind)}, {"steps", req.spec.steps}, {"c", req.spec.c.convert_to<double>()},
                  {"time_grid", grid}};
  j["type"] = name(req.type);
  if (req.type == NumberType::mpfr) j["precision_bits"] = o.precision;
  if (req.type != NumberType::fixed) j["quantised_weights"] = o.quantised_weights;
  j["seed"] = o.seed;
  j["count"] = o.count;
  j["dim"] = cfg.data_dim;
  j["state_format"] = m.act("state").str();
  j["noise"] = {{"generator", "xoshiro256** (splitmix64 seeding)"}, {"transform", "box-muller-cos, correctly rounded"},
                {"clip", cfg.noise_clip.convert_to<double>()}};
  j["seconds"] = r.seconds;
  j["samples"] = r.values;
  j["noise_raw"] = r.noise_raw;  // the quantised noise, raw integers of the state format
  if (req.type == NumberType::fixed) {
    j["raw"] = r.raw;
    j["saturation_events"] = r.saturations;
  }
  if (req.approx_attention) {
    const ApproxAttentionSetting& s = *req.approx_attention;
    const ApproxAttentionStats& st = *r.approx_attention;
    // null where a figure does not exist: no bound (a forced degree's eps bound >= 1), B or degree not given
    auto finite = [](double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(); };
    nlohmann::json aj = {{"method", "polynomial (Alman-Song), SPEC 4"},
                         {"eps", s.eps},
                         {"B", s.B == 0 ? nlohmann::json() : nlohmann::json(s.B)},
                         {"B_measured_per_call", s.B == 0},
                         {"degree", s.degree < 0 ? nlohmann::json() : nlohmann::json(s.degree)},
                         {"degree_forced", s.degree >= 0},
                         {"max_rank_limit", s.max_rank},
                         {"head_calls", st.calls},
                         {"B_used", {{"min", st.min_B}, {"max", st.max_B}}},
                         {"degree_used", {{"min", st.min_degree}, {"max", st.max_degree}}},
                         {"rank_max", st.max_rank},
                         {"eps_bound_max", finite(st.max_eps_bound)},
                         {"head_output_bound_max", finite(st.max_output_bound)},
                         {"abs_score_max", st.max_abs_score},
                         {"min_denominator", st.min_denominator},
                         {"seconds", r.seconds}};
    if (exact) {
      aj["max_abs_diff_vs_exact"] = max_abs_diff(r.values, exact->values);
      aj["exact_seconds"] = exact->seconds;
    }
    j["approx_attention"] = aj;
  }
  if (!o.out.empty()) tc0::cli::write_json(o.out, j);
  if (!o.png.empty())
    write_png_grid(o.png, r.values, cfg.dit.image_size, cfg.dit.channels, 4);

  double lo = INFINITY, hi = -INFINITY, s1 = 0;
  size_t n = 0;
  for (const auto& v : r.values)
    for (double x : v) { lo = std::min(lo, x); hi = std::max(hi, x); s1 += x; ++n; }
  fmt::print("sample  model {}  sampler {}-{}  type {}{}  seed {}  count {}  dim {}\n", cfg.name.empty() ? o.model : cfg.name,
             name(req.spec.kind), req.spec.steps, name(req.type),
             req.type == NumberType::mpfr ? fmt::format("({} bits)", o.precision) : "", o.seed, o.count, cfg.data_dim);
  fmt::print("values  min {:.4f}  max {:.4f}  mean {:.4f}{}  time {:.2f} s\n", lo, hi, s1 / static_cast<double>(n),
             req.type == NumberType::fixed ? fmt::format("  saturations {}", r.saturations) : "", r.seconds);
  if (req.approx_attention) {
    const ApproxAttentionSetting& s = *req.approx_attention;
    const ApproxAttentionStats& st = *r.approx_attention;
    auto range = [](auto lo_, auto hi_, const char* f) {
      return lo_ == hi_ ? fmt::format(fmt::runtime(f), lo_) : fmt::format(fmt::runtime(std::string(f) + "..." + f), lo_, hi_);
    };
    fmt::print("approx-attention  eps {:g}  B {} {}  degree {} {}  rank {}  eps bound {:.3g}  head calls {}  max |score| {:.4g}\n",
               s.eps, range(st.min_B, st.max_B, "{:.4g}"), s.B == 0 ? "(measured)" : "(given)",
               range(st.min_degree, st.max_degree, "{}"), s.degree < 0 ? "(from B, eps)" : "(forced)", st.max_rank,
               st.max_eps_bound, st.calls, st.max_abs_score);
    if (exact)
      fmt::print("vs exact  max |approx - exact| {:.3e}  time approx {:.3f} s  exact {:.3f} s  (approx / exact {:.2f})\n",
                 max_abs_diff(r.values, exact->values), r.seconds, exact->seconds, r.seconds / exact->seconds);
  }
  if (!o.json.empty()) {
    nlohmann::json rep = j;
    rep.erase("samples");
    rep.erase("raw");
    rep.erase("noise_raw");
    rep["summary"] = {{"min", lo}, {"max", hi}, {"mean", s1 / static_cast<double>(n)}};
    tc0::cli::write_json(o.json, rep);
  }
  return 0;
}

tc0::cli::Registrar reg(
    "sample", "Draw samples from a model (MF1, MF2 or Euler; float64, MPFR or bit-exact fixed point)",
    [](CLI::App& sub) -> tc0::cli::Runner {
      auto o = std::make_shared<Options>();
      using tc0::cli::add_number;
      sub.add_option("--model", o->model, "Model directory (config.json + weights.safetensors)")->required();
      sub.add_option("--sampler", o->sampler, "mf1 | mf2 | euler (default: the model's configured sampler)")
          ->check(CLI::IsMember({"mf1", "mf2", "euler"}));
      add_number(sub, "--steps", o->steps, 1, 1024, "Number of steps K on the uniform grid (default: the model's grid)");
      sub.add_option("--type", o->type, "Number type: float64 | mpfr | fixed")
          ->check(CLI::IsMember({"float64", "mpfr", "fixed"}))
          ->capture_default_str();
      o->precision_flag = add_number(sub, "--precision", o->precision, 16, 65536, "MPFR precision in bits (with --type mpfr)")
                              ->capture_default_str();
      o->quantised_flag = sub.add_flag("--quantised-weights", o->quantised_weights,
                                       "float64/MPFR: compute with the fixed-point weights (isolates activation rounding)");
      tc0::cli::add_seed(sub, o->seed, "Noise seed (portable xoshiro256** stream)")->capture_default_str();
      add_number(sub, "--count", o->count, size_t(1), size_t(1000000), "Number of samples")->capture_default_str();
      sub.add_option("-o,--output", o->out, "Write the samples (and raw fixed-point bits) as JSON");
      sub.add_option("--png", o->png, "Write a PNG grid of the samples (image models)");
      o->approx_eps = add_number(sub, "--approx-attention", o->approx.eps, tc0::cli::Range<double>{0, 1, true, true},
                                 "EPS: float64/MPFR DiT only; every attention head by the polynomial method (SPEC 4), the "
                                 "Taylor degree chosen so that each exp(score) is within relative EPS (for EPS >= 1 the "
                                 "truncated exponential can go negative)");
      o->approx_companions = {
          add_number(sub, "--approx-B", o->approx.B, 0.0, 1e6,
                     "With --approx-attention: bound B on the entries of the head's scaled Q and K (beta = B^2 "
                     "bounds |score|); 0 = measured on every head call")
              ->capture_default_str(),
          add_number(
              sub, "--approx-degree", o->approx.degree, 0, 1000,
              "With --approx-attention: force the Taylor degree G instead of choosing it from (B, EPS)"),
          add_number(sub, "--approx-max-rank", o->approx.max_rank, 1.0, 0x1p53,
                     "With --approx-attention: refuse a head call whose rank C(d_h + G, G) exceeds R")
              ->capture_default_str(),
          sub.add_flag("--no-compare-exact", o->no_compare_exact,
                       "With --approx-attention: skip the exact sampler run on the same noise (max |approx - exact|)")};
      tc0::cli::add_json_option(sub, o->json);
      sub.footer(
          "Noise: xoshiro256** seeded by splitmix64(seed), Box-Muller g = sqrt(-2 ln u1) cos(2 pi u2), clipped to the\n"
          "model's noise.clip and correctly rounded to the state format; float64 and MPFR start from the same\n"
          "quantised noise. Sample i uses entries [i dim, (i+1) dim) of the stream, whatever --count is.\n"
          "Approximate attention (--approx-attention EPS, float64/MPFR, DiT): each head's softmax(s q.k) V is computed\n"
          "as D~^-1 U1 (U2^T V) with Taylor features of degree G (rank C(d_h + G, G)); Q and K share the factor d_h s so\n"
          "that B = sqrt(d_h s max|q| max|k|), and G is the smallest with e^beta beta^(G+1)/(G+1)! <= EPS, beta = B^2.\n"
          "By default the exact sampler also runs on the same noise and max |approx - exact| and both times are printed\n"
          "(and put in --json). It pays only for small d_h and B: on digits_mf2 EPS = 1e-2 needs a degree in the\n"
          "hundreds and is refused by the rank limit (tools/bench/README.md).");
      return [o] { return run(*o); };
    });

}  // namespace
