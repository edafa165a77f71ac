#pragma once
// Independent exact references for the numerics tests. Values are boost cpp_rational; rounding to a
// format is written here from scratch (floor on rationals, compare the fraction with 1/2, then
// clamp) and shares no code with numerics/rounding.cpp, so a bug there cannot hide itself.
#include <boost/multiprecision/cpp_int.hpp>
#include <cstdint>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "numerics/format.hpp"

namespace tc0::test {

using Rational = boost::multiprecision::cpp_rational;
using BigInt = boost::multiprecision::cpp_int;

// 2^k as a rational, built by repeated doubling (no shifts, nothing shared with the library) and
// cached for |k| <= 1200.
inline Rational pow2q(int k) {
  static const std::vector<Rational> table = [] {
    std::vector<Rational> t;
    t.reserve(2401);
    BigInt p = 1;
    std::vector<BigInt> powers;
    for (int i = 0; i <= 1200; ++i, p *= 2) powers.push_back(p);
    for (int i = 1200; i >= 1; --i) t.emplace_back(powers[0], powers[static_cast<size_t>(i)]);
    for (int i = 0; i <= 1200; ++i) t.emplace_back(powers[static_cast<size_t>(i)]);
    return t;
  }();
  if (k < -1200 || k > 1200) throw std::out_of_range("pow2q: exponent out of the test's range");
  return table[static_cast<size_t>(k + 1200)];
}

// raw * 2^-frac
inline Rational value_of(int64_t raw, int frac) { return Rational(BigInt(raw)) * pow2q(-frac); }

// Largest integer <= q.
inline BigInt floor_q(const Rational& q) {
  BigInt n = numerator(q), d = denominator(q);  // d > 0
  BigInt t = n / d;                            // truncates toward zero
  if (t * d > n) t -= 1;                       // negative non-integers: step down
  return t;
}

// q rounded to the grid of out, half to even, then clamped to out's range: with s = q 2^f = n/d
// (d > 0), take fl = floor(n/d) and the remainder r = n - fl d in [0, d); r/d against 1/2 is 2r
// against d.
inline int64_t round_ref(const Rational& q, numerics::Format out) {
  static const BigInt two = 2;
  BigInt n = numerator(q), d = denominator(q);
  const int f = out.frac();
  if (f >= 0) n *= numerator(pow2q(f));
  else d *= denominator(pow2q(f));
  BigInt fl = n / d;        // truncates toward zero
  if (fl * d > n) fl -= 1;  // floor for negative non-integers
  BigInt twice_rest = two * (n - fl * d);
  if (twice_rest > d || (twice_rest == d && (fl % 2 != 0))) fl += 1;
  if (fl < BigInt(out.min_raw())) return out.min_raw();
  if (fl > BigInt(out.max_raw())) return out.max_raw();
  return static_cast<int64_t>(fl);
}

// Prints the number of cases a test family checked, e.g. "[cases] add exhaustive: 4194304".
inline void report_cases(const std::string& family, uint64_t n) {
  std::cout << "[cases] " << family << ": " << n << std::endl;
}

}  // namespace tc0::test
