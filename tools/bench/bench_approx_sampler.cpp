// bench_approx_sampler: the polynomial method (SPEC 4) inside the float64 sampler
// (`tc0flow sample --approx-attention`), against the exact float64 sampler on the same noise.
//   1. the demo model (default sampler/models/digits_mf2, its configured sampler): the B of every
//      head call (the balanced split of approx_attention.hpp, and SPEC 4's whole scale on Q), the
//      largest score, the degree and rank the bound needs for eps = 1e-2 and the refusal; then
//      forced degrees 0..10: max / mean |approx - exact| over the samples and the times;
//   2. random small DiTs (16 tokens, width 8, one block; d_h = 2 and 4): error against eps, with
//      the degrees, ranks and the largest per-call bound 2 eps/(1-eps) ||V||_inf.
// Samples run on one thread by default (--threads), so the times compare like with like.
//   bench_approx_sampler [--model DIR] [--count N (64)] [--seed S (1000)] [--threads T (1)] [--quick]
//                        [--json PATH (default out/bench_approx_sampler.json)]
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>
#include <sys/utsname.h>

#include "sampler/approx_attention.hpp"
#include "sampler/arith_double.hpp"
#include "sampler/compile/architecture.hpp"
#include "sampler/noise.hpp"
#include "sampler/run.hpp"
#include "sampler/samplers.hpp"
#include "fileio/atomic_file.hpp"

#ifndef TC0_GIT_COMMIT
#define TC0_GIT_COMMIT "unknown"
#endif

using namespace tc0::sampler;
using nlohmann::json;

namespace {

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

struct Diff {
  double max = 0, mean = 0;
};
Diff diff(const std::vector<std::vector<double>>& a, const std::vector<std::vector<double>>& b) {
  Diff d;
  size_t n = 0;
  for (size_t i = 0; i < a.size(); ++i)
    for (size_t j = 0; j < a[i].size(); ++j) {
      double e = std::abs(a[i][j] - b[i][j]);
      d.max = std::max(d.max, e);
      d.mean += e;
      ++n;
    }
  d.mean /= static_cast<double>(n);
  return d;
}

// The graph's softmax, plus the figures of each head call the polynomial method would see.
struct MeasuringHead {
  struct Call {
    double B_balanced, B_spec, max_score;
  };
  mutable std::mutex mu;
  mutable std::vector<Call> calls;
  std::vector<std::vector<double>> attend(const DoubleArith& a, const HeadInput<DoubleArith>& in) const {
    const double s = in.scale.convert_to<double>(), d = static_cast<double>(in.q[0].size());
    double mq = 0, mk = 0, sc = 0;
    for (const auto& r : in.q)
      for (double x : r) mq = std::max(mq, std::abs(x));
    for (const auto& r : in.k)
      for (double x : r) mk = std::max(mk, std::abs(x));
    for (const auto& qi : in.q)
      for (const auto& kj : in.k) {
        double dot = 0;
        for (size_t c = 0; c < qi.size(); ++c) dot += qi[c] * kj[c];
        sc = std::max(sc, std::abs(s * dot));
      }
    {
      std::lock_guard<std::mutex> lock(mu);
      calls.push_back({std::sqrt(d * s * mq * mk), std::max(d * s * mq, mk), sc});
    }
    return ExactSoftmaxHead{}.attend(a, in);
  }
};

double quantile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5)];
}

std::string degree_and_rank(double B, double eps, size_t d) {
  int g = tc0::sampler::attention::choose_degree(B, eps);
  return fmt::format("degree {}, rank {:.3g}", g, tc0::sampler::attention::polynomial_rank_estimate(d, g));
}

}  // namespace

int main(int argc, char** argv) try {
  std::string model_dir = "sampler/models/digits_mf2", json_path = "out/bench_approx_sampler.json";
  size_t count = 64;
  uint64_t seed = 1000;
  int threads = 1;
  bool quick = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
      return argv[++i];
    };
    if (a == "--model") model_dir = value();
    else if (a == "--count") count = std::stoul(value());
    else if (a == "--seed") seed = std::stoull(value());
    else if (a == "--threads") threads = std::stoi(value());
    else if (a == "--json") json_path = value();
    else if (a == "--quick") quick = true;
    else if (a == "--help" || a == "-h") {
      fmt::print("usage: bench_approx_sampler [--model DIR (sampler/models/digits_mf2)] [--count N (64)] [--seed S (1000)]\n"
                 "                            [--threads T (1)] [--quick] [--json PATH (out/bench_approx_sampler.json)]\n");
      return 0;
    } else {
      throw std::invalid_argument("unknown argument '" + a + "' (see --help)");
    }
  }
  if (quick) count = std::min<size_t>(count, 8);
  if (count < 1 || threads < 1) throw std::invalid_argument("--count and --threads must be >= 1");
  omp_set_num_threads(threads);

  json report{{"benchmark", "bench_approx_sampler"}, {"commit", TC0_GIT_COMMIT}, {"machine", machine()},
              {"threads", threads}, {"scalar", "double"}, {"count", count}, {"seed", seed}};
  fmt::print("bench_approx_sampler  commit {}  {}\n", TC0_GIT_COMMIT, machine());
  fmt::print("float64, {} thread(s); anchor = the exact float64 sampler on the same noise ({} samples of seed {})\n",
             threads, count, seed);

  // ---- 1. the demo model -------------------------------------------------------------------------
  Model m = Model::load(model_dir);
  if (m.config().architecture != Architecture::dit) throw std::invalid_argument(model_dir + " is not a DiT");
  const size_t dh = static_cast<size_t>(m.config().dit.width / m.config().dit.heads);
  SampleRequest req;
  req.spec = sampler_spec(m, "", 0);
  req.type = NumberType::float64;
  req.seed = seed;
  req.count = count;
  const SampleResult exact = run_sampler(m, req);

  MeasuringHead meas;
  {
    auto flat = gaussian_noise(seed, count * static_cast<size_t>(m.config().data_dim), m.act("state"),
                               m.config().noise_clip);
    const size_t dim = static_cast<size_t>(m.config().data_dim);
    for (size_t i = 0; i < count; ++i)
      sample(DoubleArith(), m, req.spec, std::vector<Fixed>(flat.begin() + i * dim, flat.begin() + (i + 1) * dim), meas);
  }
  std::vector<double> bb, bs, sc;
  for (const auto& c : meas.calls) bb.push_back(c.B_balanced), bs.push_back(c.B_spec), sc.push_back(c.max_score);
  const double bb_max = quantile(bb, 1), bs_max = quantile(bs, 1), sc_max = quantile(sc, 1);
  fmt::print("\n[1] {} ({}-{}, d_h = {}, attn_scale {}), {} head calls\n", m.config().name, name(req.spec.kind),
             req.spec.steps, dh, m.config().dit.attn_scale.convert_to<double>(), meas.calls.size());
  fmt::print("{:<44} {:>8} {:>8} {:>8}   {}\n", "per head call", "min", "median", "max", "eps = 1e-2 at the max needs");
  fmt::print("{:<44} {:>8.3f} {:>8.3f} {:>8.3f}   {}\n", "B, balanced split (used): sqrt(d s|q||k|)", quantile(bb, 0),
             quantile(bb, 0.5), bb_max, degree_and_rank(bb_max, 1e-2, dh));
  fmt::print("{:<44} {:>8.3f} {:>8.3f} {:>8.3f}   {}\n", "B, SPEC 4 split (scale on Q): max(d s|q|, |k|)",
             quantile(bs, 0), quantile(bs, 0.5), bs_max, degree_and_rank(bs_max, 1e-2, dh));
  fmt::print("{:<44} {:>8.3f} {:>8.3f} {:>8.3f}   (B^2 of the balanced split: {:.1f})\n", "max |attn_scale q.k|",
             quantile(sc, 0), quantile(sc, 0.5), sc_max, bb_max * bb_max);
  std::string refusal;
  req.approx_attention = ApproxAttentionSetting{1e-2, 0, -1, 1e6};
  try {
    run_sampler(m, req);
    refusal = "(not refused)";
  } catch (const std::exception& e) {
    refusal = e.what();
  }
  fmt::print("eps = 1e-2 with the default rank limit 1e6: {}\n", refusal);
  json demo{{"model", model_dir},
            {"head_calls", meas.calls.size()},
            {"d_h", dh},
            {"B_balanced", {{"min", quantile(bb, 0)}, {"median", quantile(bb, 0.5)}, {"max", bb_max}}},
            {"B_spec_q_scaled", {{"min", quantile(bs, 0)}, {"median", quantile(bs, 0.5)}, {"max", bs_max}}},
            {"max_abs_score", {{"min", quantile(sc, 0)}, {"median", quantile(sc, 0.5)}, {"max", sc_max}}},
            {"degree_eps_1e-2_balanced", attention::choose_degree(bb_max, 1e-2)},
            {"degree_eps_1e-2_spec", attention::choose_degree(bs_max, 1e-2)},
            {"refusal_eps_1e-2", refusal}};

  fmt::print("\nforced degrees; eps bound = e^beta beta^(g+1)/(g+1)! at the largest balanced B; exact sampler {:.3f} s\n",
             exact.seconds);
  fmt::print("{:>6} {:>7} {:>10} {:>11} {:>11} {:>9} {:>9} {:>7}\n", "degree", "rank", "eps bound", "max |diff|",
             "mean |diff|", "approx s", "exact s", "ratio");
  json forced = json::array();
  for (int g = 0; g <= 10; ++g) {
    req.approx_attention = ApproxAttentionSetting{1e-2, 0, g, 1e6};
    const size_t r = attention::polynomial_rank(dh, g);
    const double eb = attention::entry_error_bound(bb_max, g);
    try {
      const SampleResult a = run_sampler(m, req);
      const Diff df = diff(a.values, exact.values);
      fmt::print("{:>6} {:>7} {:>10.2e} {:>11.4f} {:>11.4f} {:>9.3f} {:>9.3f} {:>7.2f}\n", g, r, eb, df.max, df.mean,
                 a.seconds, exact.seconds, a.seconds / exact.seconds);
      forced.push_back({{"degree", g}, {"rank", r}, {"eps_bound", eb}, {"max_abs_diff", df.max}, {"mean_abs_diff", df.mean},
                        {"approx_s", a.seconds}, {"exact_s", exact.seconds}, {"ratio", a.seconds / exact.seconds}});
    } catch (const std::exception& e) {
      fmt::print("{:>6} {:>7} {:>10.2e}   refused: {}\n", g, r, eb, e.what());
      forced.push_back({{"degree", g}, {"rank", r}, {"eps_bound", eb}, {"refused", e.what()}});
    }
  }
  demo["forced_degrees"] = forced;
  report["demo_model"] = demo;

  // ---- 2. random small DiTs ------------------------------------------------------------------------
  json random = json::array();
  for (int heads : {4, 2}) {
    compile::ArchitectureSpec spec;
    spec.image_size = 4;
    spec.patch = 1;
    spec.width = 8;
    spec.depth = 1;
    spec.heads = heads;
    spec.act_bits = 12;
    spec.seed = 5;
    Model rm = compile::random_model(spec);
    SampleRequest rr;
    rr.spec = sampler_spec(rm, "", 0);
    rr.type = NumberType::float64;
    rr.seed = seed;
    rr.count = count;
    const SampleResult rex = run_sampler(rm, rr);
    fmt::print("\n[2] random DiT (seed 5): 16 tokens, width 8, 1 block, {} heads (d_h = {}), {}-{}; exact {:.3f} s\n",
               heads, 8 / heads, name(rr.spec.kind), rr.spec.steps, rex.seconds);
    fmt::print("{:>7} {:>13} {:>8} {:>6} {:>10} {:>11} {:>13} {:>9} {:>7}\n", "eps", "B", "degree", "rank", "max |score|",
               "max |diff|", "max call bnd", "approx s", "ratio");
    json rows = json::array();
    for (double eps : {0.5, 1e-1, 1e-2, 1e-3, 1e-5, 1e-8, 1e-11}) {
      rr.approx_attention = ApproxAttentionSetting{eps, 0, -1, 1e6};
      const SampleResult a = run_sampler(rm, rr);
      const auto& st = *a.approx_attention;
      const Diff df = diff(a.values, rex.values);
      fmt::print("{:>7.0e} {:>6.3f}..{:<5.3f} {:>3}..{:<3} {:>6} {:>10.3f} {:>11.3e} {:>13.3e} {:>9.3f} {:>7.2f}\n", eps,
                 st.min_B, st.max_B, st.min_degree, st.max_degree, st.max_rank, st.max_abs_score, df.max,
                 st.max_output_bound, a.seconds, a.seconds / rex.seconds);
      rows.push_back({{"eps", eps}, {"B_min", st.min_B}, {"B_max", st.max_B}, {"degree_min", st.min_degree},
                      {"degree_max", st.max_degree}, {"rank_max", st.max_rank}, {"max_abs_score", st.max_abs_score},
                      {"max_abs_diff", df.max}, {"mean_abs_diff", df.mean}, {"max_call_bound", st.max_output_bound},
                      {"approx_s", a.seconds}, {"exact_s", rex.seconds}});
    }
    random.push_back({{"heads", heads}, {"d_h", 8 / heads}, {"tokens", 16}, {"rows", rows}});
  }
  report["random_dit"] = random;

  if (auto dir = std::filesystem::path(json_path).parent_path(); !dir.empty()) std::filesystem::create_directories(dir);
  tc0::fileio::write_file(json_path, report.dump(2) + "\n", "JSON report");
  fmt::print("\nJSON written to {}\n", json_path);
  return 0;
} catch (const std::exception& e) {
  fmt::print(stderr, "bench_approx_sampler: error: {}\n", e.what());
  return 1;
}
