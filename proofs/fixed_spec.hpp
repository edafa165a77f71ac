#pragma once
// The fixed-point semantics of SPEC section 2 as Z3 bit-vector terms, written independently of the
// circuit code and of numerics/: every value is an exact signed bit-vector with a binary point
// (ExactBV), operations widen so that nothing can wrap, and round_to_format() rounds once (half to
// even: floor by an arithmetic shift, round bit, sticky bits, the even rule) and then saturates.
#include <z3++.h>

#include "numerics/format.hpp"
#include "proofs/bv.hpp"

namespace tc0::proofs {

// The exact rational bits * 2^-frac; bits is a signed bit-vector of any width.
struct ExactBV {
  z3::expr bits;
  int frac;
  unsigned width() const { return width_of(bits); }
};

// A raw value of format f (a bit-vector of f.width() bits).
ExactBV exact_raw(const z3::expr& raw, numerics::Format f);
// The exact constant num * 2^-frac.
ExactBV exact_const(z3::context& ctx, const BigInt& num, int frac);
// Brings a to `frac` fraction bits (frac >= a.frac): a left shift into a wider vector, exact.
ExactBV align(const ExactBV& a, int frac);
ExactBV exact_add(const ExactBV& a, const ExactBV& b);
ExactBV exact_sub(const ExactBV& a, const ExactBV& b);
ExactBV exact_neg(const ExactBV& a);
ExactBV exact_mul(const ExactBV& a, const ExactBV& b);
// a * c for the constant c = num * 2^-frac.
ExactBV exact_mul_const(const ExactBV& a, const BigInt& num, int frac);
// Equality and order of exact values (after aligning the binary points).
z3::expr exact_eq(const ExactBV& a, const ExactBV& b);
z3::expr exact_le(const ExactBV& a, const ExactBV& b);

// n / 2^shift rounded half to even (shift >= 1), as a bit-vector as wide as n (or wider when n is
// narrower than shift + 2 bits).
z3::expr round_shift_half_even(const z3::expr& n, int shift);
// Clamps the signed n to out's range and returns out.width() bits.
z3::expr saturate(const z3::expr& n, numerics::Format out);
// The exact value a rounded once to out: round half to even, then saturate. out.width() bits.
z3::expr round_to_format(const ExactBV& a, numerics::Format out);
// True when rounding a to out's grid needs no saturation.
z3::expr fits_without_saturation(const ExactBV& a, numerics::Format out);

}  // namespace tc0::proofs
