#pragma once
// Fixed-point values and the exact operations of SPEC section 2. Every operation names its output
// format; it computes its exact result (128-bit integers where they provably suffice, otherwise
// arbitrary precision) and rounds once, half to even, then saturates. There are no implicit
// promotions and no double arithmetic anywhere on this path.
#include <compare>
#include <cstdint>
#include <span>
#include <string>

#include "numerics/format.hpp"
#include "numerics/rounding.hpp"

namespace tc0::numerics {

struct Fixed {
  int64_t raw = 0;
  Format fmt{8, 0};

  // Throws FormatError when raw is outside fmt's range.
  static Fixed from_raw(int64_t raw, Format fmt);
  // Round-once conversions of exact values: doubles are dyadic rationals, so this is exact too.
  static Fixed from_double(double x, Format fmt);
  static Fixed from_rational(const Rational& q, Format fmt);

  Rational to_rational() const;
  double to_double() const;  // rounded to nearest double (exact when w <= 53)
  std::string str() const;   // e.g. "-0.75 (raw -3, Q(4,2))"
};

// Exact value comparisons across formats.
std::strong_ordering compare(const Fixed& a, const Fixed& b);
inline bool operator==(const Fixed& a, const Fixed& b) { return compare(a, b) == 0; }

Fixed convert(const Fixed& a, Format out);
Fixed neg(const Fixed& a, Format out);
Fixed add(const Fixed& a, const Fixed& b, Format out);
Fixed sub(const Fixed& a, const Fixed& b, Format out);
Fixed mul(const Fixed& a, const Fixed& b, Format out);
// a * 2^k, rounded to out (k < 0 is a right shift, which rounds half to even).
Fixed shift(const Fixed& a, int k, Format out);
Fixed min(const Fixed& a, const Fixed& b, Format out);
Fixed max(const Fixed& a, const Fixed& b, Format out);
// Sum of all terms, rounded once. An empty sum is 0.
Fixed sum(std::span<const Fixed> terms, Format out);
// sum_i a_i * b_i, rounded once; throws std::invalid_argument on a length mismatch.
Fixed dot(std::span<const Fixed> a, std::span<const Fixed> b, Format out);
// a * c for an exact rational constant c, rounded once.
Fixed mul_const(const Fixed& a, const Rational& c, Format out);
// K + sum_i c_i * x_i with exact rational constants, rounded once.
Fixed linear_form(const Rational& k, std::span<const Rational> c, std::span<const Fixed> x, Format out);

}  // namespace tc0::numerics
