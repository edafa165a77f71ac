// Degree choice, rank and bounds of the polynomial method (polynomial.hpp), plus the multi-index
// enumeration shared by every scalar.
#include "sampler/attention/polynomial.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "sampler/attention/exact.hpp"

namespace tc0::sampler::attention {

double entry_error_bound(double B, int degree) {
  if (!(B >= 0) || !std::isfinite(B)) throw std::invalid_argument("error bound: B must be finite and >= 0");
  if (degree < 0) throw std::invalid_argument("error bound: degree must be >= 0");
  if (B == 0) return 0;
  const double beta = B * B, k = degree + 1.0;
  return std::exp(beta + k * std::log(beta) - std::lgamma(k + 1));
}

int choose_degree(double B, double eps) {
  if (!(eps > 0 && eps < 1))
    throw std::invalid_argument("approximate attention: eps = " + std::to_string(eps) +
                                " must be in (0, 1) (for eps >= 1 the truncated exponential can go negative)");
  if (!(B >= 0) || !std::isfinite(B)) throw std::invalid_argument("approximate attention: B must be finite and >= 0");
  for (int g = 0; g <= 1000; ++g)
    if (entry_error_bound(B, g) <= eps) return g;
  throw std::invalid_argument("approximate attention: no degree <= 1000 reaches eps = " + std::to_string(eps) +
                              " at B = " + std::to_string(B) + "; reduce B");
}

std::size_t polynomial_rank(std::size_t d, int degree) {
  if (degree < 0) throw std::invalid_argument("rank: degree must be >= 0");
  // C(d+g, g) by the product formula; each partial product C(d+i, i) is an integer.
  // C(d+i, i) = C(d+i-1, i-1) (d+i) / i exactly; 128-bit intermediates cannot overflow while the
  // running value stays below 2^53 and d below 2^64 / 2^53.
  const unsigned __int128 limit = static_cast<unsigned __int128>(1) << 53;
  unsigned __int128 c = 1;
  if (d > (std::size_t{1} << 40)) throw std::invalid_argument("rank: d is absurdly large");
  for (int i = 1; i <= degree; ++i) {
    c = c * (d + static_cast<unsigned>(i)) / static_cast<unsigned>(i);
    if (c > limit)
      throw std::invalid_argument("approximate attention: rank C(d+g, g) with d = " + std::to_string(d) +
                                  ", g = " + std::to_string(degree) + " exceeds 2^53; reduce d, B or 1/eps");
  }
  return static_cast<std::size_t>(c);
}

double output_error_bound(double eps, double v_inf) { return 2 * eps / (1 - eps) * v_inf; }

double polynomial_rank_estimate(std::size_t d, int degree) {
  if (degree < 0) throw std::invalid_argument("rank: degree must be >= 0");
  const double n = static_cast<double>(d), g = degree;
  return std::round(std::exp(std::lgamma(n + g + 1) - std::lgamma(g + 1) - std::lgamma(n + 1)));
}

void check_rank_limit(std::size_t d, int degree, double B, double eps, bool forced, double max_rank) {
  if (!(max_rank > 0)) return;
  // exact while it fits 2^53, the lgamma estimate beyond (only for the message)
  double r;
  try {
    r = static_cast<double>(polynomial_rank(d, degree));
  } catch (const std::invalid_argument&) {
    r = polynomial_rank_estimate(d, degree);
  }
  if (r <= max_rank) return;
  const std::string why =
      forced ? fmt::format("the forced degree {}", degree)
             : fmt::format("eps = {:g} at B = {:.4g} (beta = B^2 = {:.4g}) needs degree {}", eps, B, B * B, degree);
  throw std::invalid_argument(fmt::format(
      "approximate attention: {}, rank C({}+{}, {}) = {:.4g} > the limit {:.4g} on the rank; the polynomial method "
      "only pays for small d and B (SPEC 4): raise eps, force a lower degree, or raise the limit",
      why, d, degree, degree, r, max_rank));
}

MonomialBasis::MonomialBasis(std::size_t d_, int degree_) : d(d_), degree(degree_) {
  if (d == 0) throw std::invalid_argument("monomial basis: d must be >= 1");
  std::size_t r = polynomial_rank(d, degree);
  if (r > (std::size_t{1} << 24))
    throw std::invalid_argument("approximate attention: rank " + std::to_string(r) +
                                " is too large to store (limit 2^24); reduce d, B or 1/eps");
  parent.reserve(r);
  var.reserve(r);
  exponent.reserve(r);
  parent.push_back(-1);
  var.push_back(0);
  exponent.push_back(0);
  // Degree k monomials extend a degree k-1 monomial by a variable >= its last variable, so each
  // multi-index appears exactly once. last[m] is the largest variable in monomial m.
  std::vector<std::size_t> last{0};
  std::size_t begin = 0, end = 1;
  for (int k = 1; k <= degree; ++k) {
    for (std::size_t m = begin; m < end; ++m) {
      for (std::size_t j = (k == 1 ? 0 : last[m]); j < d; ++j) {
        parent.push_back(static_cast<long>(m));
        var.push_back(j);
        exponent.push_back(k == 1 || j != last[m] ? 1 : exponent[m] + 1);
        last.push_back(j);
      }
    }
    begin = end;
    end = parent.size();
  }
}

template Matrix<double> attention_exact(const Matrix<double>&, const Matrix<double>&, const Matrix<double>&);
template Matrix<double> attention_approx(const Matrix<double>&, const Matrix<double>&, const Matrix<double>&,
                                         const ApproxAttentionOptions&, PolynomialPlan*);

}  // namespace tc0::sampler::attention
