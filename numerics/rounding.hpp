#pragma once
// "Exact, then round once" (SPEC section 2): every operation forms its exact result as a wide
// integer (or an exact rational) and calls one of these functions, which round half to even to
// the output format's grid and then saturate to its range. A right shift is a rounding, never a
// floor. These are the only places where precision is lost.
#include <boost/multiprecision/cpp_int.hpp>
#include <cstdint>

#include "numerics/format.hpp"

namespace tc0::numerics {

using BigInt = boost::multiprecision::cpp_int;
using Rational = boost::multiprecision::cpp_rational;
using Int128 = __int128;

// Rounds the integer n to the nearest multiple of 2^shift (shift >= 0) and returns n / 2^shift,
// ties to even. Exact for every n.
BigInt round_shift_half_even(const BigInt& n, int shift);
// Rounds num/den (den != 0) to the nearest integer, ties to even.
BigInt round_div_half_even(const BigInt& num, const BigInt& den);

// Clamps to out's range; counts a saturation event when it clamps.
int64_t saturate(const BigInt& raw, Format out);

// The exact value num * 2^-frac, rounded to out: round half to even, then saturate.
int64_t round_to_format(const BigInt& num, int frac, Format out);
// Fast path of round_to_format for values that fit in 128 bits; same result bit for bit.
int64_t round_to_format(Int128 num, int frac, Format out);
// The exact rational value q, rounded to out.
int64_t round_to_format(const Rational& q, Format out);

// Saturation events of this thread since the last reset (SPEC section 5: saturation on real inputs
// is counted and reported, not proved absent).
uint64_t saturation_events();
void reset_saturation_events();

BigInt to_bigint(Int128 v);
// The inverse for |v| < 2^127 (callers check the range).
Int128 to_int128(const BigInt& v);

}  // namespace tc0::numerics
