// bench_attention: exact attention D^-1 exp(Q K^T / d) V against the polynomial method (SPEC 4),
// single-threaded, in double.
//   1. time against n at small d (anchor: exact attention; ratio = exact / approximate), fitted
//      log-log exponents, measured error against the bound 2 eps/(1-eps) ||V||_inf;
//   2. the error and the rank as B passes sqrt(ln n): degree for eps = 1/n, and a fixed degree.
// Q and K entries are +-B with random signs (so |q.k|/d = B^2, the worst case, occurs often at small
// d), V uniform in [-1, 1]. Where exact attention is not timed in full, its rows are subsampled for
// the error and the table says so.
//   bench_attention [--max-n N] [--exact-max-n N] [--quick] [--json PATH (default out/bench_attention.json)]
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>
#include <sys/utsname.h>

#include "sampler/attention/exact.hpp"
#include "sampler/attention/polynomial.hpp"
#include "fileio/atomic_file.hpp"

#ifndef TC0_GIT_COMMIT
#define TC0_GIT_COMMIT "unknown"
#endif

using namespace tc0::sampler::attention;
using Clock = std::chrono::steady_clock;

namespace {

Matrix<double> random_matrix(std::size_t rows, std::size_t cols, double B, std::uint64_t seed, bool sign_only) {
  std::mt19937_64 gen(seed);
  Matrix<double> m(rows, cols);
  for (auto& x : m.data) {
    std::uint64_t bits = gen();
    x = sign_only ? ((bits >> 63) ? B : -B) : B * (2.0 * static_cast<double>(bits >> 11) * 0x1.0p-53 - 1.0);
  }
  return m;
}

// Mean seconds per call, repeating until at least min_total seconds have passed.
double time_it(const std::function<void()>& f, double min_total = 0.2) {
  int runs = 0;
  auto start = Clock::now();
  double elapsed = 0;
  do {
    f();
    ++runs;
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  } while (elapsed < min_total);
  return elapsed / runs;
}

double slope(const std::vector<double>& x, const std::vector<double>& y) {
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  const double n = static_cast<double>(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    double a = std::log(x[i]), b = std::log(y[i]);
    sx += a, sy += b, sxx += a * a, sxy += a * b;
  }
  return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

double inf_norm(const Matrix<double>& m) {
  double e = 0;
  for (double x : m.data) e = std::max(e, std::abs(x));
  return e;
}

// Max |T - Att| over the rows in `rows` (exact rows computed here, O(n d) each).
double error_on_rows(const Matrix<double>& q, const Matrix<double>& k, const Matrix<double>& v,
                     const Matrix<double>& t, const std::vector<std::size_t>& rows) {
  std::vector<double> out(v.cols), scratch;
  double e = 0;
  for (std::size_t i : rows) {
    attention_exact_row(q, k, v, i, out.data(), scratch);
    for (std::size_t c = 0; c < v.cols; ++c) e = std::max(e, std::abs(out[c] - t(i, c)));
  }
  return e;
}

std::vector<std::size_t> sample_rows(std::size_t n, std::size_t count) {
  std::vector<std::size_t> rows;
  if (count >= n) {
    for (std::size_t i = 0; i < n; ++i) rows.push_back(i);
  } else {
    for (std::size_t j = 0; j < count; ++j) rows.push_back(j * n / count);
  }
  return rows;
}

std::string machine() {
  std::string cpu = "unknown cpu";
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("model name", 0) == 0) {
      cpu = line.substr(line.find(':') + 2);
      break;
    }
  utsname u{};
  uname(&u);
  return fmt::format("{}, {} hardware threads, {} {}", cpu, std::thread::hardware_concurrency(), u.sysname, u.machine);
}

}  // namespace

int main(int argc, char** argv) try {
  std::size_t max_n = 32768, exact_max_n = 32768;
  std::string json_path = "out/bench_attention.json";  // out/ is git-ignored
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
      return argv[++i];
    };
    if (a == "--max-n") max_n = std::stoul(value());
    else if (a == "--exact-max-n") exact_max_n = std::stoul(value());
    else if (a == "--json") json_path = value();
    else if (a == "--quick") max_n = exact_max_n = 4096;
    else if (a == "--help" || a == "-h") {
      fmt::print("usage: bench_attention [--max-n N (32768)] [--exact-max-n N (32768)] [--quick] [--json PATH]\n");
      return 0;
    } else {
      throw std::invalid_argument("unknown argument '" + a + "' (see --help)");
    }
  }
  if (max_n < 1024) throw std::invalid_argument("--max-n must be >= 1024");

  nlohmann::json report{{"benchmark", "bench_attention"}, {"commit", TC0_GIT_COMMIT}, {"machine", machine()},
                        {"threads", 1}, {"scalar", "double"}};
  fmt::print("bench_attention  commit {}  {}\n", TC0_GIT_COMMIT, machine());
  fmt::print("single thread, double; Q, K entries +-B (random signs), V uniform [-1, 1]; anchor = exact attention\n");

  // ---- 1. time against n --------------------------------------------------------------------
  const double B = 1.0, eps = 1e-3;
  nlohmann::json scaling = nlohmann::json::array();
  for (std::size_t d : {2u, 4u}) {
    int g = choose_degree(B, eps);
    fmt::print("\n[1] d = {}, B = {}, eps = {}: degree {}, rank {}\n", d, B, eps, g, polynomial_rank(d, g));
    fmt::print("{:>7} {:>11} {:>11} {:>9} {:>11} {:>11} {:>8}  {}\n", "n", "exact s", "approx s", "ratio",
               "max error", "bound", "err/bnd", "error rows");
    std::vector<double> ns, te, ns_e, ta;
    nlohmann::json rows = nlohmann::json::array();
    for (std::size_t n = 1024; n <= max_n; n *= 2) {
      auto q = random_matrix(n, d, B, 11 * n + d, true), k = random_matrix(n, d, B, 13 * n + d, true);
      auto v = random_matrix(n, d, 1.0, 17 * n + d, false);
      Matrix<double> t;
      PolynomialPlan plan;
      double t_approx = time_it([&] { t = attention_approx(q, k, v, {eps, B}, &plan); });
      double t_exact = std::nan("");
      double err;
      std::string err_rows;
      if (n <= exact_max_n) {
        Matrix<double> e;
        t_exact = time_it([&] { e = attention_exact(q, k, v); }, 0.0);
        err = 0;
        for (std::size_t i = 0; i < e.data.size(); ++i) err = std::max(err, std::abs(e.data[i] - t.data[i]));
        err_rows = "all";
        ns_e.push_back(static_cast<double>(n));
        te.push_back(t_exact);
      } else {
        auto sub = sample_rows(n, 512);
        err = error_on_rows(q, k, v, t, sub);
        err_rows = fmt::format("{} subsampled", sub.size());
      }
      ns.push_back(static_cast<double>(n));
      ta.push_back(t_approx);
      double bound = output_error_bound(plan.eps_bound, inf_norm(v));
      fmt::print("{:>7} {:>11.4g} {:>11.4g} {:>9.1f} {:>11.3e} {:>11.3e} {:>8.3f}  {}\n", n, t_exact, t_approx,
                 t_exact / t_approx, err, bound, err / bound, err_rows);
      rows.push_back({{"n", n}, {"exact_s", std::isnan(t_exact) ? nlohmann::json() : nlohmann::json(t_exact)},
                      {"approx_s", t_approx}, {"ratio", std::isnan(t_exact) ? nlohmann::json() : nlohmann::json(t_exact / t_approx)},
                      {"max_error", err}, {"bound", bound}, {"error_rows", err_rows}});
    }
    // Fit on n >= 2048 (the smallest sizes are dominated by fixed costs).
    auto tail = [](const std::vector<double>& x) { return std::vector<double>(x.begin() + (x.size() > 3), x.end()); };
    double pe = ns_e.size() >= 2 ? slope(tail(ns_e), tail(te)) : std::nan("");
    double pa = slope(tail(ns), tail(ta));
    fmt::print("fitted exponents (time ~ n^p, n >= 2048): exact p = {:.3f}, approximate p = {:.3f}\n", pe, pa);
    scaling.push_back({{"d", d}, {"B", B}, {"eps", eps}, {"degree", g}, {"rank", polynomial_rank(d, g)},
                       {"rows", rows}, {"exponent_exact", pe}, {"exponent_approx", pa}});
  }
  report["scaling"] = scaling;

  // ---- 2. B across sqrt(ln n) -------------------------------------------------------------------
  const std::size_t n = 4096, d = 2;
  const double root = std::sqrt(std::log(static_cast<double>(n)));
  const double eps_n = 1.0 / n;
  const int g_fixed = choose_degree(1.0, 1e-3);
  fmt::print("\n[2] n = {}, d = {}, sqrt(ln n) = {:.3f}; degree for eps = 1/n, and a fixed degree {} (B = 1, eps = 1e-3)\n",
             n, d, root, g_fixed);
  fmt::print("{:>6} {:>7} {:>7} {:>4} {:>6} {:>7} {:>9} {:>9} {:>7} {:>10} {:>10} {:>11} {:>10}\n", "B/rt", "B",
             "beta", "g", "rank", "rank/n", "exact s", "approx s", "ratio", "error", "bound", "err fixed g",
             "bnd fix g");
  nlohmann::json growth = nlohmann::json::array();
  auto v = random_matrix(n, d, 1.0, 99, false);
  for (double c : {0.25, 0.5, 0.75, 1.0, 1.25, 1.5}) {
    double Bc = c * root;
    auto q = random_matrix(n, d, Bc, 1000 + static_cast<std::uint64_t>(c * 100), true);
    auto k = random_matrix(n, d, Bc, 2000 + static_cast<std::uint64_t>(c * 100), true);
    Matrix<double> exact;
    double secs_exact = time_it([&] { exact = attention_exact(q, k, v); }, 0.0);
    auto err_of = [&](const Matrix<double>& t) {
      double e = 0;
      for (std::size_t i = 0; i < t.data.size(); ++i) e = std::max(e, std::abs(t.data[i] - exact.data[i]));
      return e;
    };
    int g = choose_degree(Bc, eps_n);
    std::size_t r = polynomial_rank(d, g);
    Matrix<double> t;
    double secs = time_it([&] { t = attention_polynomial(q, k, v, g); }, 0.0);
    double err = err_of(t), bound = output_error_bound(entry_error_bound(Bc, g), inf_norm(v));
    double err_fixed = std::nan(""), bound_fixed = std::nan("");
    std::string fixed_note;
    try {
      err_fixed = err_of(attention_polynomial(q, k, v, g_fixed));
      double ef = entry_error_bound(Bc, g_fixed);
      bound_fixed = ef < 1 ? output_error_bound(ef, inf_norm(v)) : INFINITY;
    } catch (const std::domain_error&) {
      fixed_note = "D~ <= 0";
    }
    fmt::print("{:>6.2f} {:>7.3f} {:>7.3f} {:>4} {:>6} {:>7.3f} {:>9.4g} {:>9.4g} {:>7.1f} {:>10.3e} {:>10.3e} {:>11} {:>10.3e}\n",
               c, Bc, Bc * Bc, g, r, static_cast<double>(r) / n, secs_exact, secs, secs_exact / secs, err, bound,
               fixed_note.empty() ? fmt::format("{:.3e}", err_fixed) : fixed_note, bound_fixed);
    growth.push_back({{"B_over_sqrt_ln_n", c}, {"B", Bc}, {"degree", g}, {"rank", r}, {"exact_s", secs_exact}, {"approx_s", secs},
                      {"ratio", secs_exact / secs},
                      {"max_error", err}, {"bound", bound}, {"fixed_degree", g_fixed},
                      {"max_error_fixed_degree", fixed_note.empty() ? nlohmann::json(err_fixed) : nlohmann::json(fixed_note)},
                      {"bound_fixed_degree", std::isfinite(bound_fixed) ? nlohmann::json(bound_fixed) : nlohmann::json()}});
  }
  report["b_growth"] = {{"n", n}, {"d", d}, {"sqrt_ln_n", root}, {"eps", eps_n}, {"rows", growth}};

  if (auto dir = std::filesystem::path(json_path).parent_path(); !dir.empty()) std::filesystem::create_directories(dir);
  tc0::fileio::write_file(json_path, report.dump(2) + "\n", "JSON report");
  fmt::print("\nJSON written to {}\n", json_path);
  return 0;
} catch (const std::exception& e) {
  fmt::print(stderr, "bench_attention: error: {}\n", e.what());
  return 1;
}
