#pragma once
// Small helpers between tc0's exact integers and Z3 bit-vector terms: numerals of any width from
// 128-bit or arbitrary-precision integers, sign/zero extension to a width, and reading a model's
// value back as a signed integer.
#include <z3++.h>

#include <cstdint>
#include <string>

#include "circuits/network.hpp"
#include "numerics/rounding.hpp"

namespace tc0::proofs {

using circuits::Weight;
using numerics::BigInt;

std::string to_decimal(Weight v);
BigInt to_big(Weight v);

unsigned width_of(const z3::expr& bv);
// The two's-complement numeral v mod 2^width.
z3::expr bv_num(z3::context& ctx, const BigInt& v, unsigned width);
// Sign- or zero-extends bv to `width` bits (width >= width_of(bv)).
z3::expr sext_to(const z3::expr& bv, unsigned width);
z3::expr zext_to(const z3::expr& bv, unsigned width);
// Bits needed to hold every value of [lo, hi] in two's complement (at least 1).
unsigned signed_bits(const BigInt& lo, const BigInt& hi);
// Bit length of |v| (0 for 0).
unsigned bit_length(const BigInt& v);
// |x| of a signed bit-vector, one bit wider so that -2^(w-1) does not wrap.
z3::expr abs_wide(const z3::expr& bv);

// The value of bv in model m (unassigned variables completed), as a signed or unsigned integer.
BigInt model_value(const z3::model& m, const z3::expr& bv, bool is_signed = true);
int64_t model_int64(const z3::model& m, const z3::expr& bv, bool is_signed = true);

}  // namespace tc0::proofs
