#pragma once
// MPFR policy at run-time precision: the high-precision reference. Like the float64 policy it
// ignores formats and follows the operation graph without rounding (except MPFR's own rounding at
// the chosen precision, round to nearest). Weights are the trained float values (exact in MPFR),
// or the quantised ones with quantised_weights.
#include "sampler/arith.hpp"
#include "sampler/mpfr_value.hpp"

namespace tc0::sampler {

class MpfrArith {
 public:
  using Value = MpfrValue;
  // precision in bits, at least 16 (MPFR_PREC_MIN is smaller, but nothing useful lies below).
  explicit MpfrArith(int precision_bits, bool quantised_weights = false);

  int precision() const { return prec_; }
  Value input(const Fixed& x) const;
  Value constant(const Const& c) const;
  Value trig(Trig fn, const Rational& q, Format) const;
  Value linear(std::span<const Const> w, std::span<const Value> x, std::span<const Const> bias,
               const Rational& offset, Format) const;
  Value lincomb(const Rational& offset, std::span<const Rational> c, std::span<const Value> x, Format) const;
  Value dot(std::span<const Value> x, std::span<const Value> y, const Rational& scale, const Rational& offset,
            Format) const;
  Value mul(const Value& a, const Value& b, Format) const;
  Value mul_add(const Value& a, const Value& b, const Value& c, Format) const;
  Value sum(std::span<const Value> x, Format) const;
  Value max(std::span<const Value> x, Format) const;
  Value unary(UnaryFn fn, const Value& x, Format) const;
  Value convert(const Value& x, Format) const { return x; }
  double to_double(const Value& x) const { return x.to_double(); }

  // q as an MPFR number at this precision (round to nearest).
  Value rational(const Rational& q) const;

 private:
  int prec_;
  bool quantised_;
};

}  // namespace tc0::sampler
