// Approximate attention in the float samplers (sampler/approx_attention.hpp, the head policies of
// sampler/attention_head.hpp), against independent references:
//  - on a random DiT the polynomial head converges to the exact float64 sampler as eps shrinks, and
//    every head call stays within its stated bound 2 eps/(1-eps) ||V||_inf of the graph's softmax;
//  - the MPFR polynomial head agrees with the float64 one, and at a small eps with exact MPFR;
//  - the default head is the operation graph as before the head policy existed: float64 bits of a
//    sample recorded before the refactor, and exact attention computed by attention_exact;
//  - refusals: fixed point, eps outside (0, 1), bad settings, an MLP, the rank limit on digits_mf2.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <regex>
#include <string>
#include <vector>

#include "sampler/approx_attention.hpp"
#include "sampler/arith_double.hpp"
#include "sampler/arith_fixed.hpp"
#include "sampler/arith_mpfr.hpp"
#include "sampler/attention/exact.hpp"
#include "sampler/compile/architecture.hpp"
#include "sampler/noise.hpp"
#include "sampler/run.hpp"
#include "sampler/samplers.hpp"

using namespace tc0::sampler;

namespace {

// 16 tokens (4x4 image, patch 1), width 8, one block, MF2 one step; heads 4 (d_h = 2) or 2 (d_h = 4).
// At d_h = 2 the bound's degree is small (rank <= 300 at eps = 1e-8) and the error of each eps is
// visible above float64 rounding; at d_h = 4 the bound B^2 = d_h s max|q| max|k| overshoots the
// scores so much that eps = 1e-2 already gives errors near 1e-15 (tools/bench/README.md).
Model small_dit(uint64_t seed, int heads = 4) {
  compile::ArchitectureSpec s;
  s.image_size = 4;
  s.patch = 1;
  s.width = 8;
  s.depth = 1;
  s.heads = heads;
  s.act_bits = 12;
  s.seed = seed;
  return compile::random_model(s);
}

double max_abs_diff(const std::vector<std::vector<double>>& a, const std::vector<std::vector<double>>& b) {
  EXPECT_EQ(a.size(), b.size());
  double e = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].size(), b[i].size());
    for (size_t j = 0; j < a[i].size(); ++j) e = std::max(e, std::abs(a[i][j] - b[i][j]));
  }
  return e;
}

SampleRequest float64_request(const Model& m, size_t count, uint64_t seed) {
  SampleRequest r;
  r.spec = sampler_spec(m, "", 0);
  r.type = NumberType::float64;
  r.seed = seed;
  r.count = count;
  return r;
}

ApproxAttentionSetting setting(double eps) {
  ApproxAttentionSetting s;
  s.eps = eps;
  return s;
}

// Runs the polynomial head and the graph's softmax on every head call, checks the stated bound of
// that call, and passes the approximation on (so later calls see approximate inputs, as in a run).
struct BoundCheckingHead {
  ApproxAttentionSetting setting;
  mutable int calls = 0;
  mutable double worst_ratio = 0;  // max over calls of |approx - exact| / bound
  std::vector<std::vector<double>> attend(const DoubleArith& a, const HeadInput<DoubleArith>& in) const {
    PolynomialHead poly(setting);  // fresh, so its stats are this call's plan
    auto approx = poly.attend(a, in);
    auto exact = ExactSoftmaxHead{}.attend(a, in);
    const double bound = poly.stats().max_output_bound;
    double err = 0;
    for (size_t i = 0; i < exact.size(); ++i)
      for (size_t c = 0; c < exact[i].size(); ++c) err = std::max(err, std::abs(approx[i][c] - exact[i][c]));
    // the bound is on exact arithmetic; float64 adds rounding of order 1e-15 |V|
    EXPECT_LE(err, bound + 1e-13) << in.prefix << " head " << in.head << " eps " << setting.eps;
    ++calls;
    worst_ratio = std::max(worst_ratio, err / bound);
    return approx;
  }
};

// The head by attention::attention_exact (exp(Q K^T / d) normalised, its own max-subtract and
// summation order) with Q = d attn_scale q: an independent reference for the graph's softmax.
struct AttentionExactHead {
  std::vector<std::vector<double>> attend(const DoubleArith&, const HeadInput<DoubleArith>& in) const {
    const size_t T = in.q.size(), d = in.q[0].size();
    const double f = static_cast<double>(d) * in.scale.convert_to<double>();
    attention::Matrix<double> q(T, d), k(T, d), v(T, d);
    for (size_t i = 0; i < T; ++i)
      for (size_t c = 0; c < d; ++c) q(i, c) = f * in.q[i][c], k(i, c) = in.k[i][c], v(i, c) = in.v[i][c];
    auto t = attention::attention_exact(q, k, v);
    std::vector<std::vector<double>> out(T);
    for (size_t i = 0; i < T; ++i) out[i].assign(t.row(i), t.row(i) + d);
    return out;
  }
};

static_assert(AttentionHeadPolicy<ExactSoftmaxHead, FixedArith>);
static_assert(AttentionHeadPolicy<ExactSoftmaxHead, DoubleArith>);
static_assert(AttentionHeadPolicy<PolynomialHead, DoubleArith>);
static_assert(AttentionHeadPolicy<PolynomialHead, MpfrArith>);
// the fixed-point contract has no approximate attention: a fixed sampler cannot take this head
static_assert(!AttentionHeadPolicy<PolynomialHead, FixedArith>);

}  // namespace

TEST(ApproxAttention, ConvergesToTheExactFloat64Sampler) {
  Model m = small_dit(5);
  SampleRequest req = float64_request(m, 4, 11);
  const auto exact = run_sampler(m, req);
  std::vector<double> errors;
  int last_degree = -1;
  for (double eps : {1e-2, 1e-5, 1e-8}) {
    req.approx_attention = setting(eps);
    const auto approx = run_sampler(m, req);
    ASSERT_TRUE(approx.approx_attention);
    const auto& st = *approx.approx_attention;
    const double err = max_abs_diff(approx.values, exact.values);
    errors.push_back(err);
    EXPECT_EQ(st.calls, 4u * 2 * 4) << "4 samples x 2 evaluations (MF2) x 4 heads";
    EXPECT_LE(st.max_eps_bound, eps);
    EXPECT_GT(st.max_degree, last_degree);
    EXPECT_LE(st.max_abs_score, st.max_B * st.max_B * (1 + 1e-12)) << "beta = B^2 bounds the scores";
    last_degree = st.max_degree;
    std::printf("eps %.0e: B %.3f..%.3f, degree %d..%d, rank %zu, max |approx - exact| %.3e\n", eps, st.min_B,
                st.max_B, st.min_degree, st.max_degree, st.max_rank, err);
  }
  EXPECT_LT(errors[1], errors[0] / 10);
  EXPECT_LT(errors[2], errors[1] / 10);
  EXPECT_LT(errors[2], 1e-12);
  EXPECT_GT(errors[0], 1e-9) << "eps = 1e-2 must visibly change the samples, or this test cannot fail";
}

TEST(ApproxAttention, ForcedEvenDegreesConverge) {
  // Even Taylor degrees keep every exp(score) positive whatever the scores; the error falls with the
  // degree at d_h = 4 too, where the bound's own degree choice overshoots.
  Model m = small_dit(5, 2);
  SampleRequest req = float64_request(m, 2, 11);
  const auto exact = run_sampler(m, req);
  double last = INFINITY;
  for (int g : {0, 2, 4, 8}) {
    req.approx_attention = setting(0.5);
    req.approx_attention->degree = g;
    const auto r = run_sampler(m, req);
    const double err = max_abs_diff(r.values, exact.values);
    EXPECT_LT(err, last / 5) << "degree " << g;
    EXPECT_EQ(r.approx_attention->max_degree, g);
    last = err;
  }
  EXPECT_GT(last, 1e-12);
}

TEST(ApproxAttention, EveryHeadCallIsWithinItsStatedBound) {
  Model m = small_dit(7, 2);
  const auto& cfg = m.config();
  const SamplerSpec spec = sampler_spec(m, "", 0);
  DoubleArith a;
  for (double eps : {0.5, 1e-2, 1e-6}) {
    BoundCheckingHead head{setting(eps)};
    for (uint64_t seed : {1u, 2u}) {
      auto e = gaussian_noise(seed, static_cast<size_t>(cfg.data_dim), m.act("state"), cfg.noise_clip);
      sample(a, m, spec, e, head);
    }
    EXPECT_EQ(head.calls, 2 * 2 * 2) << "2 samples x 2 evaluations x 2 heads";
    EXPECT_GT(head.worst_ratio, 0);
    EXPECT_LE(head.worst_ratio, 1.0);
  }
}

TEST(ApproxAttention, MpfrHeadAgreesWithFloat64AndWithExactMpfr) {
  Model m = small_dit(9);
  SampleRequest req = float64_request(m, 1, 3);
  req.approx_attention = setting(1e-4);
  const auto d = run_sampler(m, req);
  req.type = NumberType::mpfr;
  req.precision = 128;
  const auto q = run_sampler(m, req);
  ASSERT_TRUE(d.approx_attention && q.approx_attention);
  EXPECT_EQ(d.approx_attention->max_degree, q.approx_attention->max_degree);
  EXPECT_LE(max_abs_diff(d.values, q.values), 1e-12) << "same approximation, float64 vs MPFR 128";
  // at eps = 1e-12 the MPFR approximation is the exact MPFR sampler to about 1e-12
  req.approx_attention = setting(1e-12);
  const auto q_small = run_sampler(m, req);
  req.approx_attention.reset();
  const auto q_exact = run_sampler(m, req);
  const double err = max_abs_diff(q_small.values, q_exact.values);
  EXPECT_LE(err, 1e-10);
  EXPECT_GT(max_abs_diff(q.values, q_exact.values), err) << "eps = 1e-4 must be further from exact";
}

TEST(ApproxAttention, DefaultHeadIsTheGraphAsBeforeTheRefactor) {
  // float64 sample 0 of `tc0flow sample --model sampler/models/digits_mf2 --type float64 --count 2
  // --seed 3`, written by the build of commit 78d52fb (before attention heads were a policy).
  const double before[64] = {
      -0x1.23e7cff8feeb6p+0, -0x1.ebc9cd825ad9fp-1, -0x1.0d774352a2c2ep-1, 0x1.bf18f14c6b179p-2,
      0x1.63ecf62576012p-1, -0x1.737de6bd9f9b8p-4, -0x1.872f95a1d5db8p-1, -0x1.6355c78b2ed02p-1,
      -0x1.29987c2868cc4p+0, -0x1.ea67866b038d4p-1, -0x1.6c28f7697af58p-4, 0x1.04883d6952f92p+0,
      0x1.a8cae9249d16cp-1, 0x1.0615ec01d5e28p-1, -0x1.1faaabae25ee4p+0, -0x1.5fd0670c73fc3p-1,
      -0x1.0f046994cdfefp+0, -0x1.8b89d7df6912cp-1, -0x1.0f03fa453b028p+0, -0x1.9e542927c35b9p-1,
      -0x1.dcc4bddb9eb26p-1, -0x1.bba1f62203107p-1, -0x1.f507632f81172p-1, -0x1.157316699ce60p+0,
      -0x1.1c9ba8ddd5f31p+0, -0x1.05618d35b93f4p+0, -0x1.9f1e4c946cca8p-1, -0x1.53582b415eedap-3,
      0x1.6a0e2f415f674p-2, -0x1.017b12b2cb2dep+0, -0x1.030eb1a13b281p+0, -0x1.0a4146ef548e3p+0,
      -0x1.33cafe2f763d4p+0, -0x1.4ac0a76ae62ecp-1, -0x1.56bdae95b4503p-3, 0x1.7ba5aff574367p+0,
      0x1.15ebf8b4faf43p-1, -0x1.e06269a0f3648p-2, -0x1.d5e635a89e622p-1, -0x1.1e87b8e3b4aa7p+0,
      -0x1.6d2a08fe35534p+0, -0x1.09a77b9c4e169p+0, -0x1.866c652520310p-1, 0x1.4971b4b0d17b9p-1,
      0x1.5be49e88fdf5bp-2, -0x1.392b14e6690e9p+0, -0x1.03e512ad2f8b6p+0, -0x1.d1cafb91a1768p-1,
      -0x1.0ca6119b48d3fp+0, -0x1.04843c1ee97f6p+0, -0x1.cb95b953ecfdfp-2, 0x1.5419dd94ab13dp-1,
      -0x1.9d72d4c895cecp-2, -0x1.dbdc9ba5a622fp-1, -0x1.189b5b36f8dccp+0, -0x1.b4db702e026dcp-1,
      -0x1.2f990a7b8c661p+0, -0x1.1b39cc5c9effap+0, 0x1.e219ddd9c18d6p-2, 0x1.cd0baedafcefap-1,
      -0x1.a4b5152aa90f4p-1, -0x1.522e05df6a70ep+0, -0x1.ad899221d3c4cp-1, -0x1.621b8858081c7p-1,
  };
  Model m = Model::load("sampler/models/digits_mf2");
  const auto r = run_sampler(m, float64_request(m, 2, 3));
  ASSERT_EQ(r.values[0].size(), 64u);
  for (size_t i = 0; i < 64; ++i) EXPECT_EQ(r.values[0][i], before[i]) << "pixel " << i;

  // the graph's softmax against attention_exact, through whole forward passes of the shipped model
  DoubleArith a;
  const auto& cfg = m.config();
  auto e = gaussian_noise(5, static_cast<size_t>(cfg.data_dim), m.act("state"), cfg.noise_clip);
  std::vector<double> z;
  for (const Fixed& v : e) z.push_back(a.input(v));
  for (auto [t, s] : {std::pair{Rational(1), Rational(0)}, std::pair{Rational(1, 2), Rational(1, 4)}}) {
    auto graph = forward(a, m, std::span<const double>(z), t, s);
    auto ref = forward(a, m, std::span<const double>(z), t, s, AttentionExactHead{});
    double scale = 0, err = 0;
    for (size_t i = 0; i < graph.u.size(); ++i) {
      scale = std::max({scale, std::abs(ref.u[i]), std::abs(ref.abar[i])});
      err = std::max({err, std::abs(graph.u[i] - ref.u[i]), std::abs(graph.abar[i] - ref.abar[i])});
    }
    EXPECT_LE(err, 1e-12 * scale);
  }
}

TEST(ApproxAttention, RefusesWhatItDoesNotCover) {
  Model m = small_dit(5);
  SampleRequest req = float64_request(m, 1, 1);
  auto refused = [&](const SampleRequest& r, const std::string& pattern) {
    try {
      run_sampler(m, r);
    } catch (const std::exception& e) {
      const std::string what = e.what();
      EXPECT_TRUE(std::regex_search(what, std::regex(pattern))) << what;
      EXPECT_EQ(what.find('\n'), std::string::npos) << "one line: " << what;
      return;
    }
    ADD_FAILURE() << "not refused; expected " << pattern;
  };
  // fixed point: the contract of the graph has no approximate attention
  req.type = NumberType::fixed;
  req.approx_attention = setting(1e-3);
  refused(req, "float64 and MPFR samplers only");
  req.type = NumberType::float64;
  for (double eps : {0.0, 1.0, -1e-3, 2.0, std::nan("")}) {
    req.approx_attention = setting(eps);
    refused(req, "eps = .* is outside \\(0, 1\\)");
  }
  req.approx_attention = setting(1e-3);
  req.approx_attention->B = -1;
  refused(req, "B = -1 must be a finite number >= 0");
  req.approx_attention->B = INFINITY;
  refused(req, "B = inf must be a finite number >= 0");
  req.approx_attention = setting(1e-3);
  req.approx_attention->degree = -2;
  refused(req, "degree -2 is outside \\[0, 1000\\]");
  req.approx_attention = setting(1e-3);
  req.approx_attention->max_rank = 0;
  refused(req, "max rank 0 is outside \\[1, 2\\^53\\]");
  // a given B that the head's entries exceed
  req.approx_attention = setting(1e-3);
  req.approx_attention->B = 1e-3;
  refused(req, "blocks\\.0 head [01]: approximate attention: an entry of Q or K has \\|x\\| = .* > B");
  // a forced odd degree can make a row sum negative: refused, not divided by
  {
    Model digits = Model::load("sampler/models/digits_mf2");
    SampleRequest r = float64_request(digits, 1, 0);
    r.approx_attention = setting(1e-2);
    r.approx_attention->degree = 1;
    try {
      run_sampler(digits, r);
      ADD_FAILURE() << "degree 1 on digits_mf2 was not refused";
    } catch (const std::exception& e) {
      EXPECT_TRUE(std::regex_search(e.what(), std::regex("row sum D~_[0-9]+ = .* is not positive"))) << e.what();
    }
  }
  // an MLP has no attention heads
  {
    Model moons = Model::load("sampler/models/moons_mf2");
    SampleRequest r = float64_request(moons, 1, 0);
    r.approx_attention = setting(1e-3);
    try {
      run_sampler(moons, r);
      ADD_FAILURE() << "an MLP was not refused";
    } catch (const std::invalid_argument& e) {
      EXPECT_TRUE(std::regex_search(e.what(), std::regex("MLP, which has no attention heads"))) << e.what();
    }
  }
}

TEST(ApproxAttention, RankLimitRefusesTheDemoModel) {
  // digits_mf2's heads have d_h = 8 and B around 8: eps = 1e-2 needs a degree in the hundreds,
  // a rank near 1e14, far beyond the default limit 1e6. The refusal names degree and rank.
  Model m = Model::load("sampler/models/digits_mf2");
  SampleRequest req = float64_request(m, 2, 0);
  req.approx_attention = setting(1e-2);
  try {
    run_sampler(m, req);
    ADD_FAILURE() << "not refused";
  } catch (const std::exception& e) {
    const std::string what = e.what();
    std::smatch g;
    ASSERT_TRUE(std::regex_search(what, g,
                                  std::regex("blocks\\.[01] head [01]: approximate attention: eps = 0\\.01 at B = ([0-9.]+) "
                                             "\\(beta = B\\^2 = [0-9.]+\\) needs degree ([0-9]+), rank C\\(8\\+([0-9]+), "
                                             "[0-9]+\\) = ([0-9.e+]+) > the limit 1e\\+06")))
        << what;
    const double B = std::stod(g[1]);
    const int degree = std::stoi(g[2]);
    EXPECT_EQ(degree, attention::choose_degree(B, 1e-2)) << "up to the 4 digits of B printed";
    EXPECT_GT(degree, 100);
    EXPECT_GT(std::stod(g[4]), 1e12);
    EXPECT_EQ(what.find('\n'), std::string::npos);
  }
  // a forced low degree fits the limit and runs (the samples are wrong: see tools/bench/README.md)
  req.approx_attention->degree = 4;
  const auto r = run_sampler(m, req);
  ASSERT_TRUE(r.approx_attention);
  EXPECT_EQ(r.approx_attention->max_rank, 495u);  // C(12, 4)
  EXPECT_GT(r.approx_attention->max_eps_bound, 1) << "degree 4 is far below what the bound needs";
}
