// Fast approximate attention (SPEC 4) against independent references: brute-force multi-index
// enumeration, the truncated exponential series in MPFR, the degree rule evaluated in MPFR, and
// exact attention (double and MPFR).
#include <gtest/gtest.h>

#include <boost/multiprecision/mpfr.hpp>
#include <cmath>
#include <cstdint>
#include <functional>
#include <random>
#include <vector>

#include "sampler/attention/exact.hpp"
#include "sampler/attention/polynomial.hpp"
#include "sampler/oracle/mpfr_scalar.hpp"

using namespace tc0::sampler::attention;
using tc0::sampler::oracle::Mpfr;
using tc0::sampler::oracle::MpfrPrecision;

namespace {

// Deterministic inputs: mt19937_64 bits mapped to [-B, B] by hand (no std distributions, whose
// output differs between standard libraries). sign_only: entries exactly +-B, which makes
// |q.k|/d = B^2 happen often at small d (the worst case of the bound).
Matrix<double> random_matrix(std::size_t rows, std::size_t cols, double B, std::uint64_t seed, bool sign_only = false) {
  std::mt19937_64 gen(seed);
  Matrix<double> m(rows, cols);
  for (auto& x : m.data) {
    std::uint64_t bits = gen();
    if (sign_only)
      x = (bits >> 63) ? B : -B;
    else
      x = B * (2.0 * static_cast<double>(bits >> 11) * 0x1.0p-53 - 1.0);
  }
  return m;
}

template <class S>
Matrix<S> convert(const Matrix<double>& m) {
  Matrix<S> out(m.rows, m.cols);
  for (std::size_t i = 0; i < m.data.size(); ++i) out.data[i] = S(m.data[i]);
  return out;
}

double max_diff(const Matrix<double>& a, const Matrix<double>& b) {
  double e = 0;
  for (std::size_t i = 0; i < a.data.size(); ++i) e = std::max(e, std::abs(a.data[i] - b.data[i]));
  return e;
}

double inf_norm(const Matrix<double>& m) {
  double e = 0;
  for (double x : m.data) e = std::max(e, std::abs(x));
  return e;
}

}  // namespace

TEST(Attention, RankIsTheNumberOfMultiIndices) {
  for (std::size_t d = 1; d <= 5; ++d) {
    for (int g = 0; g <= 6; ++g) {
      // Brute force: count tuples in [0..g]^d with sum <= g.
      std::size_t count = 0, total = 1;
      for (std::size_t i = 0; i < d; ++i) total *= g + 1;
      for (std::size_t code = 0; code < total; ++code) {
        std::size_t c = code;
        int sum = 0;
        for (std::size_t i = 0; i < d; ++i, c /= g + 1) sum += static_cast<int>(c % (g + 1));
        count += sum <= g;
      }
      EXPECT_EQ(polynomial_rank(d, g), count) << "d = " << d << " g = " << g;
      EXPECT_EQ(MonomialBasis(d, g).rank(), count) << "d = " << d << " g = " << g;
    }
  }
  EXPECT_EQ(polynomial_rank(8, 8), 12870u);  // C(16, 8)
  EXPECT_EQ(polynomial_rank(8, 7), 6435u);   // SPEC 4: d = 8, B = 1, eps = 1e-3
  EXPECT_EQ(choose_degree(1.0, 1e-3), 6);    // e / 7! = 5.4e-4 <= 1e-3 < e / 6! = 3.8e-3
  EXPECT_THROW(polynomial_rank(64, 64), std::invalid_argument);  // C(128, 64) ~ 2.4e37
}

TEST(Attention, KernelIsTheTruncatedExponentialSeries) {
  // (phi(q) . phi(k)) = sum_{k<=g} (q.k/d)^k / k!, evaluated independently in MPFR at 128 bits.
  MpfrPrecision prec(128);
  for (std::size_t d : {1u, 2u, 3u, 5u}) {
    for (int g : {0, 1, 2, 5, 8}) {
      auto q = random_matrix(4, d, 1.3, 100 + d * 10 + g), k = random_matrix(5, d, 1.3, 200 + d * 10 + g);
      MonomialBasis basis(d, g);
      auto u1 = feature_map(convert<Mpfr>(q), basis), u2 = feature_map(convert<Mpfr>(k), basis);
      for (std::size_t i = 0; i < q.rows; ++i) {
        for (std::size_t j = 0; j < k.rows; ++j) {
          Mpfr dot = 0, kernel = 0;
          for (std::size_t c = 0; c < d; ++c) dot += Mpfr(q(i, c)) * Mpfr(k(j, c));
          for (std::size_t a = 0; a < basis.rank(); ++a) kernel += u1(i, a) * u2(j, a);
          Mpfr x = dot / d, term = 1, series = 0;
          for (int n = 0; n <= g; ++n) {
            series += term;
            term = term * x / (n + 1);
          }
          EXPECT_LT(static_cast<double>(abs(kernel - series)), 1e-35) << "d " << d << " g " << g;
        }
      }
    }
  }
}

TEST(Attention, DegreeIsTheSmallestMeetingTheBound) {
  // The bound e^beta beta^(g+1)/(g+1)! evaluated in MPFR (no lgamma) decides the expected degree.
  MpfrPrecision prec(128);
  for (double B : {0.1, 0.5, 1.0, 1.5, 2.0, 3.0}) {
    for (double eps : {0.5, 1e-2, 1e-3, 1e-6, 1e-9, 1e-12}) {
      Mpfr beta = Mpfr(B) * Mpfr(B);
      auto bound = [&](int g) {
        Mpfr f = 1;
        for (int i = 2; i <= g + 1; ++i) f *= i;
        return exp(beta) * pow(beta, g + 1) / f;
      };
      int expect = 0;
      while (bound(expect) > Mpfr(eps)) ++expect;
      EXPECT_EQ(choose_degree(B, eps), expect) << "B " << B << " eps " << eps;
      EXPECT_NEAR(entry_error_bound(B, expect), static_cast<double>(bound(expect)),
                  1e-12 * static_cast<double>(bound(expect)));
    }
  }
  EXPECT_EQ(choose_degree(0.0, 1e-9), 0);  // B = 0: all scores 0, exp(0) = 1 exactly
}

TEST(Attention, MeasuredErrorIsWithinTheBound) {
  struct Run {
    std::size_t n, d, dv;
    double B, eps;
    bool sign_only;
  };
  const std::vector<Run> runs = {{64, 2, 3, 1.0, 1e-3, true},   {200, 3, 2, 0.5, 1e-2, false},
                                 {300, 4, 4, 1.0, 1e-4, true},  {128, 2, 1, 2.0, 1e-3, true},
                                 {257, 1, 2, 1.5, 0.3, true},   {100, 5, 3, 0.8, 1e-6, false},
                                 {150, 2, 2, 1.2, 0.9, true}};
  int seed = 1;
  for (const auto& r : runs) {
    auto q = random_matrix(r.n, r.d, r.B, seed++, r.sign_only), k = random_matrix(r.n, r.d, r.B, seed++, r.sign_only);
    auto v = random_matrix(r.n, r.dv, 1.0, seed++);
    PolynomialPlan plan;
    auto t = attention_approx(q, k, v, {r.eps, r.B}, &plan);
    auto exact = attention_exact(q, k, v);
    double err = max_diff(t, exact);
    double bound = output_error_bound(plan.eps_bound, inf_norm(v));
    EXPECT_LE(plan.eps_bound, r.eps);
    EXPECT_LE(err, bound + 1e-13) << "n " << r.n << " d " << r.d << " B " << r.B << " eps " << r.eps;
    EXPECT_LE(err, output_error_bound(r.eps, inf_norm(v)) + 1e-13);
    // Not vacuous: one degree lower the error must exceed this run's error for sign inputs (the
    // truncation error is real, not hidden below rounding).
    if (r.sign_only && plan.degree > 0) {
      auto lower = attention_polynomial(q, k, v, plan.degree - 1);
      EXPECT_GT(max_diff(lower, exact), err) << "n " << r.n << " d " << r.d;
    }
  }
}

TEST(Attention, TinyEpsReproducesExactAttention) {
  // In double: eps = 1e-17 gives rounding-level agreement.
  auto q = random_matrix(12, 3, 1.0, 41), k = random_matrix(9, 3, 1.0, 42), v = random_matrix(9, 2, 1.0, 43);
  EXPECT_LT(max_diff(attention_approx(q, k, v, {1e-17, 1.0}), attention_exact(q, k, v)), 1e-14);
  // In MPFR at 160 bits: eps = 1e-45 agrees with exact MPFR attention to 1e-40.
  MpfrPrecision prec(160);
  auto qm = convert<Mpfr>(q), km = convert<Mpfr>(k), vm = convert<Mpfr>(v);
  auto t = attention_approx(qm, km, vm, {1e-45, 1.0});
  auto e = attention_exact(qm, km, vm);
  for (std::size_t i = 0; i < t.data.size(); ++i) EXPECT_LT(static_cast<double>(abs(t.data[i] - e.data[i])), 1e-40);
}

TEST(Attention, GuardsRefuseWhatTheBoundDoesNotCover) {
  auto q = random_matrix(4, 2, 1.0, 7), k = random_matrix(4, 2, 1.0, 8), v = random_matrix(4, 2, 1.0, 9);
  EXPECT_THROW(attention_approx(q, k, v, {1.0, 1.0}), std::invalid_argument);   // eps >= 1
  EXPECT_THROW(attention_approx(q, k, v, {0.0, 1.0}), std::invalid_argument);   // eps <= 0
  EXPECT_THROW(attention_approx(q, k, v, {1e-3, 0.5}), std::invalid_argument);  // entries beyond B
  // D~ guard: degree 1 and q.k/d = -4 give 1 + x = -3 < 0 for the only key.
  Matrix<double> q1(1, 1, -2.0), k1(1, 1, 2.0), v1(1, 1, 1.0);
  EXPECT_THROW(attention_polynomial(q1, k1, v1, 1), std::domain_error);
  EXPECT_NO_THROW(attention_polynomial(q1, k1, v1, 2));  // even degree: 1 - 4 + 8 > 0
  // Shapes.
  Matrix<double> bad(4, 3), bad_v(3, 2);
  EXPECT_THROW(attention_exact(q, bad, v), std::invalid_argument);    // K has 3 columns, Q 2
  EXPECT_THROW(attention_approx(q, k, bad_v), std::invalid_argument); // V has 3 rows, K 4
  EXPECT_THROW(attention_exact(Matrix<double>(), k, v), std::invalid_argument);
}

TEST(Attention, ExactAttentionMatchesMpfr) {
  // The double reference against the same formula in MPFR (no max subtraction there).
  MpfrPrecision prec(128);
  auto q = random_matrix(20, 4, 2.0, 51), k = random_matrix(30, 4, 2.0, 52), v = random_matrix(30, 3, 1.0, 53);
  auto e = attention_exact(q, k, v);
  for (std::size_t i = 0; i < q.rows; ++i) {
    std::vector<Mpfr> num(v.cols, Mpfr(0));
    Mpfr den = 0;
    for (std::size_t j = 0; j < k.rows; ++j) {
      Mpfr dot = 0;
      for (std::size_t c = 0; c < q.cols; ++c) dot += Mpfr(q(i, c)) * Mpfr(k(j, c));
      Mpfr a = exp(dot / 4);
      den += a;
      for (std::size_t c = 0; c < v.cols; ++c) num[c] += a * Mpfr(v(j, c));
    }
    for (std::size_t c = 0; c < v.cols; ++c) EXPECT_NEAR(e(i, c), static_cast<double>(num[c] / den), 1e-14);
  }
}

TEST(Attention, SoftmaxVariantsMatchATransformerHead) {
  // softmax(Q K^T / sqrt(d)) V computed directly in MPFR.
  MpfrPrecision prec(128);
  const std::size_t d = 3;
  auto q = random_matrix(10, d, 0.5, 61), k = random_matrix(14, d, 0.5, 62), v = random_matrix(14, 2, 1.0, 63);
  auto e = softmax_attention_exact(q, k, v);
  PolynomialPlan plan;
  auto t = softmax_attention_approx(q, k, v, {1e-8, 0.0}, &plan);
  // B is measured after scaling: max(sqrt(d) max|Q|, max|K|).
  EXPECT_DOUBLE_EQ(plan.B, std::max(std::sqrt(3.0) * inf_norm(q), inf_norm(k)));
  for (std::size_t i = 0; i < q.rows; ++i) {
    std::vector<Mpfr> num(v.cols, Mpfr(0));
    Mpfr den = 0;
    for (std::size_t j = 0; j < k.rows; ++j) {
      Mpfr dot = 0;
      for (std::size_t c = 0; c < d; ++c) dot += Mpfr(q(i, c)) * Mpfr(k(j, c));
      Mpfr a = exp(dot / sqrt(Mpfr(d)));
      den += a;
      for (std::size_t c = 0; c < v.cols; ++c) num[c] += a * Mpfr(v(j, c));
    }
    for (std::size_t c = 0; c < v.cols; ++c) {
      double ref = static_cast<double>(num[c] / den);
      EXPECT_NEAR(e(i, c), ref, 1e-14);
      EXPECT_NEAR(t(i, c), ref, output_error_bound(plan.eps_bound, inf_norm(v)) + 1e-14);
    }
  }
}
