#pragma once
// Fast approximate attention by the polynomial method (Alman and Song 2023; SPEC 4).
//   A = exp(Q K^T / d) ~= U1 U2^T,  U1 = phi(Q), U2 = phi(K),
//   phi(q)_alpha = q^alpha / sqrt(alpha! d^|alpha|) over multi-indices |alpha| <= g,
// so that (U1 U2^T)_ij = sum_{k<=g} (q_i.k_j / d)^k / k!, the degree-g Taylor polynomial of exp
// (multinomial theorem). Rank r = C(d+g, g). With beta = B^2 >= |q.k|/d the entrywise relative
// error is at most eps_g = e^beta beta^(g+1) / (g+1)! (Lagrange remainder), and
//   T = D~^-1 (U1 (U2^T V)),  D~ = U1 (U2^T 1)
// costs O(n r d) and satisfies ||T - Att||_inf <= 2 eps/(1-eps) ||V||_inf for eps < 1.
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "sampler/attention/exact.hpp"
#include "sampler/attention/matrix.hpp"

namespace tc0::sampler::attention {

// e^beta beta^(g+1) / (g+1)! with beta = B^2, in double (log space, so no overflow).
double entry_error_bound(double B, int degree);
// Smallest g >= 0 with entry_error_bound(B, g) <= eps. Requires 0 < eps < 1 and finite B >= 0.
int choose_degree(double B, double eps);
// C(d+g, g), the number of multi-indices of d variables with |alpha| <= g; throws past 2^53.
std::size_t polynomial_rank(std::size_t d, int degree);
// 2 eps / (1 - eps) * ||V||_inf.
double output_error_bound(double eps, double v_inf);

// The multi-indices |alpha| <= g in graded order, each as (parent, variable): alpha = parent + e_var,
// so phi_alpha = phi_parent * q_var / sqrt((alpha_var) d). Index 0 is alpha = 0 (parent -1).
struct MonomialBasis {
  std::size_t d = 0;
  int degree = 0;
  std::vector<long> parent;
  std::vector<std::size_t> var;
  std::vector<int> exponent;  // alpha_var of the monomial itself (>= 1 except index 0)
  std::size_t rank() const { return parent.size(); }
  MonomialBasis(std::size_t d, int degree);
};

// Multipliers 1/sqrt(alpha_var d) of the recurrence phi_alpha = phi_parent * q_var * coef_alpha.
template <class S>
std::vector<S> feature_coefficients(const MonomialBasis& basis) {
  using std::sqrt;
  std::vector<S> coef(basis.rank(), S(1));
  for (std::size_t m = 1; m < basis.rank(); ++m)
    coef[m] = S(1) / sqrt(S(basis.exponent[m]) * S(static_cast<double>(basis.d)));
  return coef;
}

// phi(x) for one row x of length d into f[0 .. r).
template <class S>
void feature_row(const S* x, const MonomialBasis& basis, const std::vector<S>& coef, S* f) {
  f[0] = S(1);
  for (std::size_t m = 1; m < basis.rank(); ++m) f[m] = f[basis.parent[m]] * x[basis.var[m]] * coef[m];
}

// phi applied to every row of X (n x d) -> n x r.
template <class S>
Matrix<S> feature_map(const Matrix<S>& x, const MonomialBasis& basis) {
  if (x.cols != basis.d)
    throw std::invalid_argument("feature map: X has " + std::to_string(x.cols) + " columns but the basis is for d = " +
                                std::to_string(basis.d));
  auto coef = feature_coefficients<S>(basis);
  Matrix<S> out(x.rows, basis.rank());
  for (std::size_t i = 0; i < x.rows; ++i) feature_row(x.row(i), basis, coef, out.row(i));
  return out;
}

// What an approximate-attention call used, for reports.
struct PolynomialPlan {
  double B = 0;           // bound on |Q|, |K| entries used for the degree
  double eps_request = 0; // requested entrywise relative error
  int degree = 0;
  std::size_t rank = 0;
  double eps_bound = 0;   // entry_error_bound(B, degree) <= eps_request
  double min_denominator = 0;  // smallest D~_i / m seen (the guard requires > 0)
};

// T = D~^-1 U1 (U2^T V) at a fixed degree. Throws if some D~_i <= 0 (possible for odd g when
// |q.k|/d is large: the truncated exponential goes negative) instead of dividing by it.
template <class S>
Matrix<S> attention_polynomial(const Matrix<S>& q, const Matrix<S>& k, const Matrix<S>& v, int degree,
                               PolynomialPlan* plan = nullptr) {
  check_attention_shapes(q, k, v, "polynomial attention");
  if (degree < 0 || degree > 1000) throw std::invalid_argument("polynomial attention: degree must be in 0..1000");
  polynomial_rank(q.cols, degree);  // throws when the rank is absurd, before allocating
  MonomialBasis basis(q.cols, degree);
  const std::size_t r = basis.rank(), m = k.rows, dv = v.cols;
  const auto coef = feature_coefficients<S>(basis);
  // Features are made one row at a time: memory O(r dv), not O(n r).
  std::vector<S> f(r);
  // s = U2^T 1 and W = U2^T V, both O(m r dv).
  std::vector<S> s(r, S(0));
  Matrix<S> w(r, dv);
  for (std::size_t j = 0; j < m; ++j) {
    feature_row(k.row(j), basis, coef, f.data());
    const S* vj = v.row(j);
    for (std::size_t a = 0; a < r; ++a) {
      s[a] += f[a];
      S* wa = w.row(a);
      for (std::size_t c = 0; c < dv; ++c) wa[c] += f[a] * vj[c];
    }
  }
  Matrix<S> out(q.rows, dv);
  double min_den = 0;
  for (std::size_t i = 0; i < q.rows; ++i) {
    feature_row(q.row(i), basis, coef, f.data());
    S den = S(0);
    S* o = out.row(i);
    for (std::size_t a = 0; a < r; ++a) {
      den += f[a] * s[a];
      const S* wa = w.row(a);
      for (std::size_t c = 0; c < dv; ++c) o[c] += f[a] * wa[c];
    }
    double dd = static_cast<double>(den) / static_cast<double>(m);
    if (i == 0 || dd < min_den) min_den = dd;
    if (!(den > S(0)))
      throw std::domain_error("polynomial attention: the approximate row sum D~_" + std::to_string(i) + " = " +
                              std::to_string(static_cast<double>(den)) +
                              " is not positive (degree " + std::to_string(degree) +
                              " is too low for these scores); choose the degree from (B, eps) with eps < 1");
    for (std::size_t c = 0; c < dv; ++c) o[c] /= den;
  }
  if (plan) {
    plan->degree = degree;
    plan->rank = r;
    plan->min_denominator = min_den;
  }
  return out;
}

struct ApproxAttentionOptions {
  double eps = 1e-6;     // entrywise relative error of A, 0 < eps < 1
  double B = 0;          // bound on the entries of Q and K; 0: measured from Q and K
  int degree = -1;       // forced degree g >= 0 (the bound is then e^beta beta^(g+1)/(g+1)!, maybe >= 1);
                         // -1: the smallest g meeting eps at B
  double max_rank = 0;   // refuse (before any work) when C(d+g, g) exceeds this; 0: no limit of our own
};

// C(d+g, g) in double, for ranks too large to compute exactly (polynomial_rank throws past 2^53).
double polynomial_rank_estimate(std::size_t d, int degree);
// Throws std::invalid_argument with one line naming eps, B, beta = B^2, the degree and the rank
// when C(d+g, g) > max_rank (max_rank > 0); `forced` says whether g was given or chosen from eps.
void check_rank_limit(std::size_t d, int degree, double B, double eps, bool forced, double max_rank);

// Largest |entry| of a matrix, in double (exact for double entries; for MPFR entries the
// conversion may round down by half an ulp, a relative 1e-16 change of the bound).
template <class S>
double max_abs_entry(const Matrix<S>& x) {
  using std::abs;
  double b = 0;
  for (const auto& e : x.data) b = std::max(b, static_cast<double>(abs(e)));
  return b;
}

// Drop-in replacement for attention_exact(Q, K, V): the degree comes from (B, eps) and the
// result is within 2 eps/(1-eps) ||V||_inf of exact attention (plus rounding of the scalar).
// With a forced degree the plan's eps_bound is that degree's bound, which may exceed eps.
template <class S>
Matrix<S> attention_approx(const Matrix<S>& q, const Matrix<S>& k, const Matrix<S>& v,
                           const ApproxAttentionOptions& opt = {}, PolynomialPlan* plan = nullptr) {
  check_attention_shapes(q, k, v, "approximate attention");
  double measured = std::max(max_abs_entry(q), max_abs_entry(k));
  if (!std::isfinite(measured))
    throw std::invalid_argument("approximate attention: Q or K has a non-finite entry");
  double B = opt.B;
  if (B == 0) B = measured;
  if (!(B >= 0) || !std::isfinite(B))
    throw std::invalid_argument("approximate attention: B must be finite and >= 0");
  if (measured > B)
    throw std::invalid_argument("approximate attention: an entry of Q or K has |x| = " + std::to_string(measured) +
                                " > B = " + std::to_string(B) + "; raise B or scale Q and K");
  if (opt.degree < -1) throw std::invalid_argument("approximate attention: degree must be >= 0, or -1 (from B and eps)");
  const bool forced = opt.degree >= 0;
  const int g = forced ? opt.degree : choose_degree(B, opt.eps);
  check_rank_limit(q.cols, g, B, opt.eps, forced, opt.max_rank);
  PolynomialPlan p;
  auto out = attention_polynomial(q, k, v, g, &p);
  p.B = B;
  p.eps_request = opt.eps;
  p.eps_bound = entry_error_bound(B, g);
  if (plan) *plan = p;
  return out;
}

// softmax(Q K^T / sqrt(d)) V by the polynomial method: Q is scaled by sqrt(d) first, so B (when
// given) must bound the entries of sqrt(d) Q and of K. Same call shape as softmax_attention_exact.
template <class S>
Matrix<S> softmax_attention_approx(const Matrix<S>& q, const Matrix<S>& k, const Matrix<S>& v,
                                   const ApproxAttentionOptions& opt = {}, PolynomialPlan* plan = nullptr) {
  return attention_approx(scale_for_softmax(q), k, v, opt, plan);
}

}  // namespace tc0::sampler::attention
