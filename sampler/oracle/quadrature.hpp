#pragma once
// Gauss-Legendre quadrature at the working precision of S (double or Mpfr): nodes by Newton's
// method on the Legendre recurrence, started from a double estimate and refined in S. Used for
// integrals along a trajectory (kinematic remainder of fields without a closed form) and as an
// independent reference in the oracle tests.
#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>
#include <vector>

namespace tc0::sampler::oracle {

template <class S>
struct GaussLegendre {
  std::vector<S> nodes;    // on [-1, 1], ascending
  std::vector<S> weights;  // sum to 2

  explicit GaussLegendre(int n) {
    if (n < 1 || n > 4096) throw std::invalid_argument("Gauss-Legendre: the number of nodes must be in 1..4096");
    using std::abs;
    nodes.resize(n);
    weights.resize(n);
    const S eps = std::numeric_limits<S>::epsilon();
    for (int i = 0; i < (n + 1) / 2; ++i) {
      S x = S(std::cos(M_PI * (i + 0.75) / (n + 0.5)));
      S dp = S(1);
      for (int it = 0; it < 100; ++it) {
        auto [p, d] = legendre(n, x);
        dp = d;
        S dx = p / d;
        x -= dx;
        if (abs(dx) <= eps * S(4)) {
          dp = legendre(n, x).second;
          break;
        }
      }
      S w = S(2) / ((S(1) - x * x) * dp * dp);
      nodes[n - 1 - i] = x;
      nodes[i] = -x;
      weights[i] = weights[n - 1 - i] = w;
    }
  }

  // integral_a^b f(q) dq for a callable f(S) -> S.
  template <class F>
  S integrate(F&& f, const S& a, const S& b) const {
    S half = (b - a) / S(2), mid = (a + b) / S(2), acc = S(0);
    for (std::size_t i = 0; i < nodes.size(); ++i) acc += weights[i] * f(mid + half * nodes[i]);
    return acc * half;
  }

 private:
  // P_n(x) and P_n'(x) by the three-term recurrence.
  static std::pair<S, S> legendre(int n, const S& x) {
    S p0 = S(1), p1 = x;
    if (n == 0) return {p0, S(0)};
    for (int k = 2; k <= n; ++k) {
      S p2 = (S(2 * k - 1) * x * p1 - S(k - 1) * p0) / S(k);
      p0 = std::move(p1);
      p1 = std::move(p2);
    }
    S d = S(n) * (x * p1 - p0) / (x * x - S(1));
    return {p1, d};
  }
};

}  // namespace tc0::sampler::oracle
