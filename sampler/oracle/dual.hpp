#pragma once
// Forward-mode derivative: a dual number val + der * eps with eps^2 = 0, over any scalar S
// (double, MPFR). The identities of SPEC 1.2 need total time derivatives of u and abar along a
// trajectory; forward mode gives them to working precision, which finite differences cannot
// (their truncation error would swamp the 1e-10 / 1e-30 residuals we want to see).
//
// Operators are hidden friends taking Dual by value so that an S or an arithmetic constant on
// either side converts implicitly (Dual * S, 2 * Dual, ...).
#include <cmath>
#include <type_traits>
#include <utility>

namespace tc0::sampler::oracle {

template <class S>
struct Dual {
  S val{0};
  S der{0};

  Dual() = default;
  Dual(S v) : val(std::move(v)), der(0) {}  // NOLINT: implicit on purpose (constants)
  Dual(S v, S d) : val(std::move(v)), der(std::move(d)) {}
  template <class A>
    requires(std::is_arithmetic_v<A> && !std::is_same_v<A, S>)
  Dual(A v) : val(v), der(0) {}  // NOLINT

  friend Dual operator+(const Dual& a, const Dual& b) { return {a.val + b.val, a.der + b.der}; }
  friend Dual operator-(const Dual& a, const Dual& b) { return {a.val - b.val, a.der - b.der}; }
  friend Dual operator-(const Dual& a) { return {-a.val, -a.der}; }
  friend Dual operator*(const Dual& a, const Dual& b) {
    return {a.val * b.val, a.der * b.val + a.val * b.der};
  }
  friend Dual operator/(const Dual& a, const Dual& b) {
    S q = a.val / b.val;
    return {q, (a.der - q * b.der) / b.val};
  }
  Dual& operator+=(const Dual& b) { return *this = *this + b; }
  Dual& operator-=(const Dual& b) { return *this = *this - b; }
  Dual& operator*=(const Dual& b) { return *this = *this * b; }
  Dual& operator/=(const Dual& b) { return *this = *this / b; }
  // Comparisons look at the value only (branching on a value keeps the derivative of that branch).
  friend bool operator<(const Dual& a, const Dual& b) { return a.val < b.val; }
  friend bool operator>(const Dual& a, const Dual& b) { return a.val > b.val; }
  friend bool operator<=(const Dual& a, const Dual& b) { return a.val <= b.val; }
  friend bool operator>=(const Dual& a, const Dual& b) { return a.val >= b.val; }

  friend Dual sqrt(const Dual& a) {
    using std::sqrt;
    S r = sqrt(a.val);
    return {r, a.der / (S(2) * r)};
  }
  friend Dual exp(const Dual& a) {
    using std::exp;
    S e = exp(a.val);
    return {e, e * a.der};
  }
  friend Dual abs(const Dual& a) { return a.val < S(0) ? -a : a; }
};

}  // namespace tc0::sampler::oracle
