#pragma once
// The one construction every WireArith operation reduces to: a sum of pieces coef_i * X_i (* Y_i)
// plus a constant, all exact rationals, rounded once (half to even, then saturated) to a format.
// X_i and Y_i are buses (their two's-complement raw values); a piece with Y_i is a product, built
// from one AND gate per pair of bits (the multiply gadget's partial products).
//
// With a common denominator L of all coefficients the value is N / L for an integer linear form N
// over the bits. When L is a power of two the linear-form gadget (depth 2, fused rounding and
// saturation) builds the bits. Otherwise (t - r = 1/3 ...) a thermometer does it: one gate
// g_j = [round(N 2^f / L) >= j] per reachable output value j, exact in integers, and one output gate
// per bit summing the bit's changes (depth 2, like a staircase); the output range is limited to
// 2^16 values, otherwise the operation is refused with a message asking for a dyadic time grid.
#include <vector>

#include "circuits/gadgets/linear_form.hpp"
#include "sampler/arith.hpp"

namespace tc0::sampler::compile {

struct Piece {
  const circuits::Bus* x = nullptr;
  const circuits::Bus* y = nullptr;  // null: the piece is coef * x
  Rational coef;
};

circuits::Bus round_pieces(circuits::Network& ntk, std::span<const Piece> pieces, const Rational& constant,
                           Format out, const circuits::gadgets::LinearFormParams& ps, const std::string& name);

// The rational value of a bus's raw integer times 2^-frac is coef-scaled by this (2^-frac).
Rational pow2_rational(int e);

}  // namespace tc0::sampler::compile
