#pragma once
// The bit-exact fixed-point policy (SPEC section 2): every operation forms its exact result (128-bit
// integers while they provably suffice, arbitrary precision otherwise) and rounds once, half to
// even, then saturates, to the format the operation names. Unary functions go through the
// correctly rounded tables of numerics/functions.hpp, which refuse inputs wider than 16 bits.
#include "sampler/arith.hpp"

namespace tc0::sampler {

class FixedArith {
 public:
  using Value = Fixed;

  Fixed input(const Fixed& x) const { return x; }
  Fixed constant(const Const& c) const { return c.fixed; }
  Fixed trig(Trig fn, const Rational& q, Format out) const;
  Fixed linear(std::span<const Const> w, std::span<const Fixed> x, std::span<const Const> bias,
               const Rational& offset, Format out) const;
  Fixed lincomb(const Rational& offset, std::span<const Rational> c, std::span<const Fixed> x, Format out) const;
  Fixed dot(std::span<const Fixed> x, std::span<const Fixed> y, const Rational& scale, const Rational& offset,
            Format out) const;
  Fixed mul(const Fixed& a, const Fixed& b, Format out) const;
  Fixed mul_add(const Fixed& a, const Fixed& b, const Fixed& c, Format out) const;
  Fixed sum(std::span<const Fixed> x, Format out) const;
  Fixed max(std::span<const Fixed> x, Format out) const;
  Fixed unary(UnaryFn fn, const Fixed& x, Format out) const;
  Fixed convert(const Fixed& x, Format out) const;
  double to_double(const Fixed& x) const { return x.to_double(); }
};

}  // namespace tc0::sampler
