// tc0flow identities: every identity of SPEC 1.2 evaluated on the closed-form Gaussian fields of
// SPEC 1.3 in float64 and in MPFR, as a residual table (sampler/oracle/identities.hpp).
#include <fmt/format.h>

#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "sampler/oracle/gaussian_oracle.hpp"
#include "sampler/oracle/identities.hpp"
#include "sampler/model.hpp"
#include "sampler/oracle/model_identities.hpp"
#include "sampler/oracle/mpfr_scalar.hpp"
#include "tools/cli/command.hpp"
#include "tools/cli/flags.hpp"

namespace {

using namespace tc0::sampler::oracle;

struct Options {
  unsigned precision = 128;
  std::vector<double> mu{0.5, -1.0};
  double s = 0.5;
  int dim = 0;  // 0: the length of --mu
  int points = 3;
  std::uint64_t seed = 1;
  double tol_double = 1e-10;
  double tol_mpfr = -1;  // default from the precision
  std::string model;     // a model directory: measure its heads instead of the oracle
  std::string json;
  std::vector<CLI::Option*> oracle_flags;  // the Gaussian oracle's parameters (not read with --model)
};

// Exact identities may lose up to about 20 bits to the 1/(t-r)^2 in du/dt at t-r = 1e-3 (SPEC 1.3),
// so the default MPFR bound is 2^(30 - bits): 3.2e-30 at 128 bits (SPEC 1.3's ~1e-30). The table
// shows the measured residuals, which are usually far smaller.
double default_mpfr_tolerance(unsigned bits) { return std::ldexp(1.0, 30 - static_cast<int>(bits)); }

std::string fmt_residual(const IdentityResult& r) {
  if (!r.applicable) return "n/a";
  if (r.kind == IdentityKind::exact) return fmt::format("{:.2e}", r.max_residual);
  return fmt::format("{:.2e} (p={:.2f})", r.max_residual, r.order);
}

nlohmann::json to_json(const IdentityResult& r) {
  nlohmann::json j{{"name", r.name},         {"statement", r.statement}, {"kind", to_string(r.kind)},
                   {"applicable", r.applicable}, {"pass", r.pass},       {"max_residual", r.max_residual},
                   {"worst", r.worst}};
  if (!r.note.empty()) j["note"] = r.note;
  if (r.kind == IdentityKind::exact) j["tolerance"] = r.tolerance;
  if (r.kind != IdentityKind::exact) {
    j["order"] = r.order;
    j["expected_order"] = r.expected_order;
    auto& st = j["steps"] = nlohmann::json::array();
    for (auto [h, res] : r.steps) st.push_back({{"t_minus_r", h}, {"residual", res}});
  }
  return j;
}

// How much the float64 closed forms of u and abar lose to cancellation (SPEC 1.3): their max
// absolute error against the MPFR oracle over the pair grid, and the t-r where it is worst.
struct CancellationReport {
  double u = 0, abar = 0, u_gap = 0, abar_gap = 0;
};
CancellationReport closed_form_accuracy(const GaussianOracle<double>& od, const GaussianOracle<Mpfr>& om,
                                        const IdentityOptions& opt) {
  CancellationReport rep;
  const auto& T = opt.times;
  for (std::size_t it = 0; it < T.size(); ++it)
    for (std::size_t ir = 0; ir < T.size(); ++ir) {
      if (!(T[it] - T[ir] >= opt.min_gap * (1 - 1e-9))) continue;
      auto zd = od.sample_point(normal_noise(opt.seed, 1000 + it, od.dim()), T[it]);
      std::vector<Mpfr> zm(zd.begin(), zd.end());
      auto err = [](const std::vector<double>& a, const std::vector<Mpfr>& b) {
        double e = 0;
        for (std::size_t i = 0; i < a.size(); ++i) e = std::max(e, static_cast<double>(abs(Mpfr(a[i]) - b[i])));
        return e;
      };
      double eu = err(od.u(zd, T[ir], T[it]), om.u(zm, Mpfr(T[ir]), Mpfr(T[it])));
      double ea = err(od.abar(zd, T[ir], T[it]), om.abar(zm, Mpfr(T[ir]), Mpfr(T[it])));
      if (eu > rep.u) rep.u = eu, rep.u_gap = T[it] - T[ir];
      if (ea > rep.abar) rep.abar = ea, rep.abar_gap = T[it] - T[ir];
    }
  return rep;
}

// The derivative-free identities on a trained model's heads (sampler/oracle/model_identities.hpp).
int run_model(const Options& o) {
  tc0::sampler::Model m = tc0::sampler::Model::load(o.model);
  ModelHeads heads(m);
  ModelIdentityOptions opt;
  opt.points = o.points;
  opt.seed = o.seed;
  auto res = evaluate_model_identities(heads, opt);
  double scale = 0;
  for (const auto& r : res)
    if (r.applicable) scale = r.tolerance;
  fmt::print("Identities of SPEC 1.2 on the heads of {} (float64; dim {}; times {}; {} points per time on the\n"
             "model's own flow z_t = e - (1-t) u(e,t,1)). Learned heads: residuals are measurements, not verdicts.\n"
             "Scale: max |v_theta| over the points = {:.3g}.\n\n",
             o.model, heads.dim(), fmt::join(opt.times, ","), opt.points, scale);
  fmt::print("{:<18} {:<14} {:>13} {:>11}  {}\n", "identity", "kind", "max residual", "/ max|v|", "note");
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& r : res) {
    if (r.applicable)
      fmt::print("{:<18} {:<14} {:>13.3e} {:>11.3e}  worst at {}\n", r.name, to_string(r.kind), r.max_residual,
                 scale > 0 ? r.max_residual / scale : 0.0, r.worst);
    else
      fmt::print("{:<18} {:<14} {:>13} {:>11}  {}\n", r.name, to_string(r.kind), "n/a", "", r.note);
    rows.push_back(to_json(r));
  }
  auto j = tc0::cli::report_header("identities");
  j["model"] = o.model;
  j["scale_max_abs_v"] = scale;
  j["points_per_time"] = o.points;
  j["seed"] = o.seed;
  j["times"] = opt.times;
  j["identities"] = rows;
  tc0::cli::write_json(o.json, j);
  return 0;
}

int run(const Options& o) {
  for (const CLI::Option* f : o.oracle_flags)
    tc0::cli::refuse_flag(f, o.model.empty(), "sets the Gaussian oracle, which --model replaces by the model's heads");
  tc0::cli::check_paths(tc0::cli::model_paths(o.model), {{"--json", o.json}});
  if (!o.model.empty()) return run_model(o);
  std::vector<double> mu = o.mu;  // --mu, --s, --dim and --points are in their ranges (flags.hpp)
  if (o.dim > 0) {
    if (mu.size() == 1) mu.assign(o.dim, mu[0]);
    else if (static_cast<int>(mu.size()) != o.dim)
      throw std::invalid_argument(fmt::format("--mu has {} values but --dim is {}; give one value or {}",
                                              mu.size(), o.dim, o.dim));
  }

  IdentityOptions opt;
  opt.points = o.points;
  opt.seed = o.seed;
  opt.tolerance = o.tol_double;
  GaussianOracle<double> od(mu, o.s);
  auto rd = evaluate_identities<double>(od, mu.size(), opt);

  MpfrPrecision prec(o.precision);
  opt.tolerance = o.tol_mpfr > 0 ? o.tol_mpfr : default_mpfr_tolerance(prec.bits());
  GaussianOracle<Mpfr> om(std::vector<Mpfr>(mu.begin(), mu.end()), Mpfr(o.s));
  auto rm = evaluate_identities<Mpfr>(om, mu.size(), opt);

  fmt::print("Identities of SPEC 1.2 on the Gaussian oracle: dim {}, s {}, mu [{}]\n", mu.size(), o.s,
             fmt::join(mu, ", "));
  fmt::print("exact: max |residual| over the time grid (t-r >= 1e-3); limit/approximation: residual at the\n"
             "smallest t-r and the fitted order p in t-r. Tolerances: double {:.1e}, MPFR {} bits {:.1e}\n"
             "(times max(1, |z|, |v|)).\n\n",
             o.tol_double, prec.bits(), opt.tolerance);
  fmt::print("{:<18} {:<14} {:>22} {:>22}  {}\n", "identity", "kind", "max residual double", "max residual MPFR",
             "verdict");
  bool all = true;
  nlohmann::json rows = nlohmann::json::array();
  for (std::size_t i = 0; i < rd.size(); ++i) {
    const auto &a = rd[i], &b = rm[i];
    bool pass = a.pass && b.pass;
    all = all && pass;
    std::string verdict = !a.applicable ? "n/a" : pass ? "PASS" : "FAIL";
    if (a.kind == IdentityKind::limit) verdict += fmt::format(" (order {:g} expected)", a.expected_order);
    if (a.kind == IdentityKind::approximation)
      verdict += fmt::format(" (approximation, order >= {:g} expected)", a.expected_order);
    fmt::print("{:<18} {:<14} {:>22} {:>22}  {}\n", a.name, to_string(a.kind), fmt_residual(a), fmt_residual(b),
               verdict);
    rows.push_back({{"identity", a.name}, {"double", to_json(a)}, {"mpfr", to_json(b)}, {"pass", pass}});
  }
  auto acc = closed_form_accuracy(od, om, opt);
  fmt::print("\nfloat64 closed forms against MPFR (cancellation, SPEC 1.3): u max error {:.2e} (at t-r = {:.3g}), "
             "abar {:.2e} (at t-r = {:.3g})\n", acc.u, acc.u_gap, acc.abar, acc.abar_gap);
  fmt::print("\n{}\n", all ? "all identities hold" : "SOME IDENTITIES FAIL");

  auto j = tc0::cli::report_header("identities");
  j["oracle"] = {{"mu", mu}, {"s", o.s}, {"dim", mu.size()}};
  j["mpfr_bits"] = prec.bits();
  j["tolerance_double"] = o.tol_double;
  j["tolerance_mpfr"] = opt.tolerance;
  j["points_per_time"] = o.points;
  j["seed"] = o.seed;
  j["times"] = opt.times;
  j["identities"] = rows;
  j["all_pass"] = all;
  j["float64_closed_form_error"] = {{"u", acc.u}, {"u_at_t_minus_r", acc.u_gap}, {"abar", acc.abar},
                                    {"abar_at_t_minus_r", acc.abar_gap}};
  tc0::cli::write_json(o.json, j);
  return all ? 0 : 2;
}

tc0::cli::Registrar reg(
    "identities", "Evaluate the Second-Order MeanFlow identities on the Gaussian oracle (float64 and MPFR)",
    [](CLI::App& sub) -> tc0::cli::Runner {
      auto o = std::make_shared<Options>();
      sub.footer(
          "Data N(mu, s^2 I) on the linear path has closed-form u, abar, v, a (SPEC 1.3). Every identity of\n"
          "SPEC 1.2 is evaluated with forward-mode derivatives on a grid of times 0 <= r < s < t <= 1 with\n"
          "gaps >= 1e-3; boundary limits and the second-order approximations report their fitted order in\n"
          "t-r. Exit status 0 when every identity holds, 2 when one fails, 1 on bad input.\n"
          "With --model DIR the heads of a trained model are measured instead (additivity of u and abar, and\n"
          "u ~= v - (t-r)/2 abar, on the model's own flow); identities needing JVPs are reported n/a.");
      using tc0::cli::add_number;
      using R = tc0::cli::Range<double>;
      o->oracle_flags = {
          add_number(sub, "--precision", o->precision, 24u, 100000u, "MPFR precision in bits (default 128)"),
          tc0::cli::add_numbers(sub, "--mu", o->mu, R{-1e6, 1e6},
                                "Data mean: one value per dimension, or one value with --dim (default 0.5,-1)"),
          add_number(sub, "--s", o->s, R{0, 1e6, true, false}, "Data standard deviation (default 0.5)"),
          add_number(sub, "--dim", o->dim, 1, 4096, "Data dimension (broadcasts a single --mu value)"),
          add_number(sub, "--tol-double", o->tol_double, R{0, 1, true, false},
                     "Bound for exact identities in float64 (default 1e-10)"),
          add_number(sub, "--tol-mpfr", o->tol_mpfr, R{0, 1, true, false},
                     "Bound for exact identities in MPFR (default 2^(30-bits))")};
      add_number(sub, "--points", o->points, 1, 1000, "Random points z per time (default 3)");
      tc0::cli::add_seed(sub, o->seed, "Seed of the points (default 1)");
      sub.add_option("--model", o->model,
                     "Measure a trained model's heads (DIR with config.json and weights.safetensors) instead of "
                     "the oracle: the derivative-free identities in float64");
      tc0::cli::add_json_option(sub, o->json);
      return [o] { return run(*o); };
    });

}  // namespace
