// bench_numerics: operations per second of the exact round-once fixed-point operations and of a
// correctly rounded table lookup, side by side with the same computation in double (the anchor).
// One thread, timed in thread CPU seconds. Prints a table with the ratio double/fixed (how many times slower bit-exactness is)
// and writes JSON with the machine, the commit and the figures.
//
//   bench_numerics [--quick] [--json PATH]     (default PATH: bench_numerics.json)
#include <fmt/format.h>
#include <sys/utsname.h>
#include <time.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "numerics/fixed.hpp"
#include "numerics/functions.hpp"
#include "fileio/atomic_file.hpp"

#ifndef TC0_GIT_COMMIT
#define TC0_GIT_COMMIT "unknown"
#endif

namespace {

using namespace tc0::numerics;

// The commit of the working tree at run time (the configure-time one can be stale), else the
// configure-time one, else "unknown".
std::string commit() {
  std::string s;
  if (FILE* p = popen("git rev-parse --short HEAD 2>/dev/null", "r")) {
    char buf[64];
    while (fgets(buf, sizeof buf, p)) s += buf;
    pclose(p);
  }
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s.empty() ? std::string(TC0_GIT_COMMIT) : s;
}

nlohmann::json machine() {
  std::string cpu = "unknown";
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("model name", 0) == 0) {
      auto c = line.find(':');
      if (c != std::string::npos) cpu = line.substr(c + 2);
      break;
    }
  }
  utsname u{};
  uname(&u);
  return {{"cpu", cpu}, {"nproc", std::thread::hardware_concurrency()}, {"system", fmt::format("{} {}", u.sysname, u.machine)}};
}

// CPU time of this thread: rates stay meaningful on a machine shared with other jobs.
double thread_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// Runs body (which performs `ops_per_call` operations) until at least min_seconds of thread CPU
// time have passed; returns operations per CPU second. The sink keeps results alive.
double rate(const std::function<int64_t()>& body, double ops_per_call, double min_seconds, int64_t& sink) {
  sink += body();  // warm-up (table builds, caches)
  long calls = 0;
  double t0 = thread_seconds(), el = 0;
  do {
    sink += body();
    ++calls;
    el = thread_seconds() - t0;
  } while (el < min_seconds);
  return calls * ops_per_call / el;
}

struct Row {
  std::string op, detail;
  double fixed_rate, double_rate;
};

}  // namespace

int main(int argc, char** argv) try {
  bool quick = false;
  std::string json_path = "bench_numerics.json";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--quick") quick = true;
    else if (a == "--json" && i + 1 < argc) json_path = argv[++i];
    else {
      fmt::print(stderr, "usage: bench_numerics [--quick] [--json PATH]\n");
      return a == "--help" || a == "-h" ? 0 : 1;
    }
  }
  const double min_s = quick ? 0.05 : 0.5;
  const size_t n = 1 << 16;
  std::mt19937_64 rng(1);
  const Format q16(16, 8), q32(32, 16), q16_12(16, 12);
  std::vector<Fixed> a(n), b(n), w(n);
  std::vector<double> da(n), db(n), dw(n);
  for (size_t i = 0; i < n; ++i) {
    a[i] = Fixed::from_raw(static_cast<int16_t>(rng()), q16);
    b[i] = Fixed::from_raw(static_cast<int16_t>(rng()), q16);
    w[i] = Fixed::from_raw(static_cast<int32_t>(rng()), q32);
    da[i] = a[i].to_double();
    db[i] = b[i].to_double();
    dw[i] = w[i].to_double();
  }
  int64_t sink = 0;
  std::vector<Row> rows;
  auto bench = [&](std::string op, std::string detail, std::function<int64_t()> f, std::function<int64_t()> d,
                   double ops) {
    rows.push_back({std::move(op), std::move(detail), rate(f, ops, min_s, sink), rate(d, ops, min_s, sink)});
  };

  bench("add", "Q(16,8)+Q(16,8)->Q(16,8)", [&] {
    int64_t s = 0;
    for (size_t i = 0; i < n; ++i) s += add(a[i], b[i], q16).raw;
    return s;
  }, [&] {
    double s = 0;
    for (size_t i = 0; i < n; ++i) s += da[i] + db[i];
    return static_cast<int64_t>(s);
  }, n);
  bench("mul", "Q(16,8)*Q(16,8)->Q(16,8)", [&] {
    int64_t s = 0;
    for (size_t i = 0; i < n; ++i) s += mul(a[i], b[i], q16).raw;
    return s;
  }, [&] {
    double s = 0;
    for (size_t i = 0; i < n; ++i) s += da[i] * db[i];
    return static_cast<int64_t>(s);
  }, n);
  bench("dot64", "64 x Q(16,8)*Q(16,8)->Q(32,16)", [&] {
    int64_t s = 0;
    for (size_t i = 0; i + 64 <= n; i += 64)
      s += dot(std::span<const Fixed>(&a[i], 64), std::span<const Fixed>(&b[i], 64), q32).raw;
    return s;
  }, [&] {
    double s = 0;
    for (size_t i = 0; i + 64 <= n; i += 64) {
      double t = 0;
      for (size_t k = 0; k < 64; ++k) t += da[i + k] * db[i + k];
      s += t;
    }
    return static_cast<int64_t>(s);
  }, static_cast<double>(n / 64));
  bench("convert", "Q(32,16)->Q(16,8), round+saturate", [&] {
    int64_t s = 0;
    for (size_t i = 0; i < n; ++i) s += convert(w[i], q16).raw;
    return s;
  }, [&] {
    double s = 0;
    for (size_t i = 0; i < n; ++i) s += std::min(127.99609375, std::max(-128.0, std::nearbyint(dw[i] * 256.0) / 256.0));
    return static_cast<int64_t>(s);
  }, n);
  const Table& exp_table = Table::get(UnaryFn::exp, q16, q16_12);
  bench("exp table", "Q(16,8)->Q(16,12) lookup vs std::exp", [&] {
    int64_t s = 0;
    for (size_t i = 0; i < n; ++i) s += apply(UnaryFn::exp, a[i], q16_12).raw;
    return s;
  }, [&] {
    double s = 0;
    for (size_t i = 0; i < n; ++i) s += std::exp(da[i] * 0.01);
    return static_cast<int64_t>(s);
  }, n);
  bench("exp raw lookup", "Table::lookup on raw ints vs std::exp", [&] {
    int64_t s = 0;
    for (size_t i = 0; i < n; ++i) s += exp_table.lookup(a[i].raw);
    return s;
  }, [&] {
    double s = 0;
    for (size_t i = 0; i < n; ++i) s += std::exp(da[i] * 0.01);
    return static_cast<int64_t>(s);
  }, n);
  // Certification cost: one table build, entries per second (no double counterpart).
  double t0 = thread_seconds();
  Table built(UnaryFn::gelu_erf, Format(12, 8), q16_12);
  double build_s = thread_seconds() - t0;

  nlohmann::json m = machine();
  std::string c = commit();
  fmt::print("bench_numerics  commit {}  {} ({} threads)  one thread, rates per CPU second\n\n", c, m["cpu"].get<std::string>(),
             m["nproc"].get<unsigned>());
  fmt::print("{:<15} {:<36} {:>12} {:>12} {:>14}\n", "op", "what", "fixed Mop/s", "double Mop/s", "double/fixed");
  nlohmann::json figures = nlohmann::json::array();
  for (const Row& r : rows) {
    fmt::print("{:<15} {:<36} {:>12.2f} {:>12.2f} {:>13.1f}x\n", r.op, r.detail, r.fixed_rate / 1e6, r.double_rate / 1e6,
               r.double_rate / r.fixed_rate);
    figures.push_back({{"op", r.op}, {"what", r.detail}, {"fixed_ops_per_s", r.fixed_rate},
                       {"double_ops_per_s", r.double_rate}, {"double_over_fixed", r.double_rate / r.fixed_rate}});
  }
  fmt::print("\ntable build (certified, MPFR): gelu_erf Q(12,8)->Q(16,12), {} entries in {:.3f} s = {:.0f} entries/s\n",
             built.size(), build_s, built.size() / build_s);
  nlohmann::json report{{"benchmark", "bench_numerics"}, {"commit", c}, {"machine", m}, {"quick", quick},
                        {"anchor", "double (same computation, no rounding to the fixed-point grid except convert)"},
                        {"figures", figures},
                        {"table_build", {{"function", "gelu_erf"}, {"in", "Q(12,8)"}, {"out", "Q(16,12)"},
                                         {"entries", built.size()}, {"seconds", build_s}}},
                        {"sink", sink}};
  tc0::fileio::write_file(json_path, report.dump(2) + "\n", "JSON report");
  fmt::print("JSON written to {}\n", json_path);
  return 0;
} catch (const std::exception& e) {
  fmt::print(stderr, "bench_numerics: error: {}\n", e.what());
  return 1;
}
