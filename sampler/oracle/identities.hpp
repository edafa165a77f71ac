#pragma once
// Evaluates every identity of SPEC 1.2 on a set of mean-flow fields (fields.hpp) in scalar S:
// exact identities as max residuals over a grid of times, the boundary statements as limits with
// a fitted order in t-r, and the second-order formulas as approximations with their measured order.
// Time derivatives are forward-mode JVPs (Dual<S>), never finite differences.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "sampler/oracle/dual.hpp"
#include "sampler/oracle/fields.hpp"
#include "sampler/oracle/quadrature.hpp"

namespace tc0::sampler::oracle {

enum class IdentityKind { exact, limit, approximation };
const char* to_string(IdentityKind k);

struct IdentityResult {
  std::string name;       // e.g. "meanflow"
  std::string statement;  // the formula checked
  IdentityKind kind = IdentityKind::exact;
  bool applicable = true;  // false when the fields lack what the identity needs (note says why)
  std::string note;
  double max_residual = 0;  // exact: max over the grid; limit/approximation: at the smallest t-r
  double tolerance = 0;     // exact: the bound the verdict used (absolute, includes the scale)
  double expected_order = std::numeric_limits<double>::quiet_NaN();
  double order = std::numeric_limits<double>::quiet_NaN();  // log-log least-squares slope in t-r
  std::vector<std::pair<double, double>> steps;             // (t-r, max residual) for limits
  std::string worst;  // where the max residual occurred
  bool pass = false;
};

struct IdentityOptions {
  // Times of the exact-identity grid: all pairs r < t and triples r < s < t with gaps >= min_gap.
  std::vector<double> times{0.0, 1e-3, 0.1, 0.25, 0.5, 0.75, 0.999, 1.0};
  double min_gap = 1e-3;
  // Times t at which limits and approximations are measured, with r = t - h for each h in steps.
  std::vector<double> limit_times{0.3, 0.6, 1.0};
  std::vector<double> steps{0.1, 0.05, 0.025, 0.0125, 0.00625, 0.003125, 0.0015625};
  int points = 3;         // points z per time (standard normal noise, seeded)
  std::uint64_t seed = 1;
  double tolerance = 1e-10;   // exact identities pass when residual <= tolerance * scale,
                              // scale = max(1, |z|, |v|) over the points used
  double order_slack = 0.15;  // limits pass when |order - expected| <= slack; approximations
                              // pass when order >= expected - slack
  int quadrature_nodes = 48;  // for the kinematic remainder of fields without a closed form
};

// Portable standard-normal noise (splitmix64 + Box-Muller on doubles): the same seed gives the
// same points on every standard library.
std::vector<double> normal_noise(std::uint64_t seed, std::uint64_t index, std::size_t dim);
// Least-squares slope of log(residual) against log(h); NaN when fewer than two positive residuals.
double fitted_order(const std::vector<std::pair<double, double>>& steps);

namespace detail {

template <class S>
double to_double(const S& x) {
  return static_cast<double>(x);
}

template <class S>
double max_abs_diff(const std::vector<S>& a, const std::vector<S>& b) {
  using std::abs;
  double m = 0;
  for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, to_double(abs(a[i] - b[i])));
  return m;
}
template <class S>
double max_abs(const std::vector<S>& a) {
  using std::abs;
  double m = 0;
  for (const auto& x : a) m = std::max(m, to_double(abs(x)));
  return m;
}
// x + c y, elementwise.
template <class S>
std::vector<S> axpy(const std::vector<S>& x, const S& c, const std::vector<S>& y) {
  std::vector<S> out(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) out[i] = x[i] + c * y[i];
  return out;
}
template <class S>
std::vector<Dual<S>> seed_tangent(const std::vector<S>& z, const std::vector<S>& dz) {
  std::vector<Dual<S>> out(z.size());
  for (std::size_t i = 0; i < z.size(); ++i) out[i] = Dual<S>(z[i], dz[i]);
  return out;
}
template <class S>
std::vector<S> tangent_of(const std::vector<Dual<S>>& x) {
  std::vector<S> out(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) out[i] = x[i].der;
  return out;
}

}  // namespace detail

// Total derivatives along the trajectory (tangent (v(z,t), 0, 1) on (z, r, t); SPEC 1.2), by the
// fields' own JVPs when they have them, else by running the fields on Dual<S>.
template <class S, class F>
  requires MeanFlowFields<F, S>
std::vector<S> du_dt(const F& f, const std::vector<S>& z, const S& r, const S& t) {
  if constexpr (HasOwnJvps<F, S>) {
    return f.template du_dt<S>(z, r, t);
  } else {
    auto zd = detail::seed_tangent(z, f.template v<S>(z, t));
    return detail::tangent_of(f.template u<Dual<S>>(zd, Dual<S>(r, S(0)), Dual<S>(t, S(1))));
  }
}
template <class S, class F>
  requires MeanFlowFields<F, S>
std::vector<S> dabar_dt(const F& f, const std::vector<S>& z, const S& r, const S& t) {
  if constexpr (HasOwnJvps<F, S>) {
    return f.template dabar_dt<S>(z, r, t);
  } else {
    auto zd = detail::seed_tangent(z, f.template v<S>(z, t));
    return detail::tangent_of(f.template abar<Dual<S>>(zd, Dual<S>(r, S(0)), Dual<S>(t, S(1))));
  }
}
// Kinematic acceleration a = d/dt v(z_t, t) = JVP of v with tangent (v, 1).
template <class S, class F>
  requires MeanFlowFields<F, S>
std::vector<S> acceleration_jvp(const F& f, const std::vector<S>& z, const S& t) {
  if constexpr (HasOwnJvps<F, S>) {
    return f.template acceleration_jvp<S>(z, t);
  } else {
    auto zd = detail::seed_tangent(z, f.template v<S>(z, t));
    return detail::tangent_of(f.template v<Dual<S>>(zd, Dual<S>(t, S(1))));
  }
}

// z_q on the trajectory through z at time t (q < t): exact when the fields know it, otherwise the
// fields' own displacement z - (t-q) u(z,q,t).
template <class S, class F>
std::vector<S> trajectory_point(const F& f, const std::vector<S>& z, const S& t, const S& q) {
  if constexpr (HasTrajectory<F, S>) {
    return f.template trajectory<S>(z, t, q);
  } else {
    if (!(q < t)) return z;
    return detail::axpy(z, S(-(t - q)), f.template u<S>(z, q, t));
  }
}

// integral_r^t (q-r) a(z_q,q) dq: closed form when available, else Gauss-Legendre along the
// trajectory with a from the JVP of v.
template <class S, class F>
std::vector<S> kinematic_remainder(const F& f, const std::vector<S>& z, const S& r, const S& t,
                                   const GaussLegendre<S>& gl) {
  if constexpr (HasKinematicRemainder<F, S>) {
    return f.template kinematic_remainder<S>(z, r, t);
  } else {
    std::vector<S> out(z.size(), S(0));
    S half = (t - r) / S(2), mid = (t + r) / S(2);
    for (std::size_t k = 0; k < gl.nodes.size(); ++k) {
      S q = mid + half * gl.nodes[k];
      auto zq = trajectory_point(f, z, t, q);
      auto aq = acceleration_jvp(f, zq, q);
      S c = gl.weights[k] * half * (q - r);
      for (std::size_t i = 0; i < z.size(); ++i) out[i] += c * aq[i];
    }
    return out;
  }
}

template <class S, class F>
  requires MeanFlowFields<F, S>
std::vector<IdentityResult> evaluate_identities(const F& f, std::size_t dim, const IdentityOptions& opt);

}  // namespace tc0::sampler::oracle

#include "sampler/oracle/identities_impl.hpp"
