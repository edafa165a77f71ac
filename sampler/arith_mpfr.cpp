#include "sampler/arith_mpfr.hpp"

#include <fmt/format.h>
#include <gmp.h>

#include <stdexcept>
#include <string>

namespace tc0::sampler {

namespace {
void check(size_t a, size_t b) {
  if (a != b) throw std::invalid_argument("arith: operand length mismatch");
}
}  // namespace

MpfrArith::MpfrArith(int precision_bits, bool quantised_weights) : prec_(precision_bits), quantised_(quantised_weights) {
  if (precision_bits < 16 || precision_bits > 1 << 16)
    throw std::invalid_argument(fmt::format("MPFR precision {} bits is outside [16, 65536]", precision_bits));
}

MpfrArith::Value MpfrArith::rational(const Rational& q) const {
  Value r(prec_);
  using boost::multiprecision::numerator;
  using boost::multiprecision::denominator;
  const auto& n = numerator(q);
  const auto& d = denominator(q);
  if (n >= INT64_MIN && n <= INT64_MAX && d <= INT64_MAX) {
    // numerator exactly in a 64-bit temporary, then one rounded division
    MpfrValue num(64);
    mpfr_set_sj(num.get(), static_cast<int64_t>(n), MPFR_RNDN);
    mpfr_div_si(r.get(), num.get(), static_cast<long>(d), MPFR_RNDN);
    return r;
  }
  mpq_t g;
  mpq_init(g);
  std::string s = n.str() + "/" + d.str();
  mpq_set_str(g, s.c_str(), 10);
  mpfr_set_q(r.get(), g, MPFR_RNDN);
  mpq_clear(g);
  return r;
}

MpfrArith::Value MpfrArith::input(const Fixed& x) const {
  Value r(prec_);
  mpfr_set_sj(r.get(), x.raw, MPFR_RNDN);
  mpfr_mul_2si(r.get(), r.get(), -x.fmt.frac(), MPFR_RNDN);
  return r;
}

MpfrArith::Value MpfrArith::constant(const Const& c) const {
  if (quantised_) return input(c.fixed);
  Value r(prec_);
  mpfr_set_d(r.get(), c.value, MPFR_RNDN);
  return r;
}

MpfrArith::Value MpfrArith::trig(Trig fn, const Rational& q, Format) const {
  // evaluate the argument with guard bits so the result is accurate to about prec_ bits
  MpfrArith wide(prec_ + 32);
  Value x = wide.rational(q);
  Value r(prec_);
  if (fn == Trig::cos) mpfr_cos(r.get(), x.get(), MPFR_RNDN);
  else mpfr_sin(r.get(), x.get(), MPFR_RNDN);
  return r;
}

MpfrArith::Value MpfrArith::linear(std::span<const Const> w, std::span<const Value> x, std::span<const Const> bias,
                                   const Rational& offset, Format) const {
  check(w.size(), x.size());
  Value s = rational(offset);
  for (const Const& b : bias) {
    Value c = constant(b);
    mpfr_add(s.get(), s.get(), c.get(), MPFR_RNDN);
  }
  for (size_t i = 0; i < w.size(); ++i) {
    Value c = constant(w[i]);
    mpfr_fma(s.get(), c.get(), x[i].get(), s.get(), MPFR_RNDN);
  }
  return s;
}

MpfrArith::Value MpfrArith::lincomb(const Rational& offset, std::span<const Rational> c, std::span<const Value> x,
                                    Format) const {
  check(c.size(), x.size());
  Value s = rational(offset);
  for (size_t i = 0; i < c.size(); ++i) {
    Value k = rational(c[i]);
    mpfr_fma(s.get(), k.get(), x[i].get(), s.get(), MPFR_RNDN);
  }
  return s;
}

MpfrArith::Value MpfrArith::dot(std::span<const Value> x, std::span<const Value> y, const Rational& scale,
                                const Rational& offset, Format) const {
  check(x.size(), y.size());
  Value s(prec_);
  for (size_t i = 0; i < x.size(); ++i) mpfr_fma(s.get(), x[i].get(), y[i].get(), s.get(), MPFR_RNDN);
  Value k = rational(scale), o = rational(offset);
  mpfr_fma(s.get(), s.get(), k.get(), o.get(), MPFR_RNDN);
  return s;
}

MpfrArith::Value MpfrArith::mul(const Value& a, const Value& b, Format) const {
  Value r(prec_);
  mpfr_mul(r.get(), a.get(), b.get(), MPFR_RNDN);
  return r;
}

MpfrArith::Value MpfrArith::mul_add(const Value& a, const Value& b, const Value& c, Format) const {
  Value r(prec_);
  mpfr_fma(r.get(), a.get(), b.get(), c.get(), MPFR_RNDN);
  return r;
}

MpfrArith::Value MpfrArith::sum(std::span<const Value> x, Format) const {
  Value s(prec_);
  for (const Value& v : x) mpfr_add(s.get(), s.get(), v.get(), MPFR_RNDN);
  return s;
}

MpfrArith::Value MpfrArith::max(std::span<const Value> x, Format) const {
  if (x.empty()) throw std::invalid_argument("max of an empty list");
  Value m = x[0];
  for (const Value& v : x)
    if (mpfr_greater_p(v.get(), m.get())) m = v;
  return m;
}

MpfrArith::Value MpfrArith::unary(UnaryFn fn, const Value& xin, Format) const {
  Value r(prec_), t(prec_);
  mpfr_srcptr x = xin.get();
  switch (fn) {
    case UnaryFn::exp: mpfr_exp(r.get(), x, MPFR_RNDN); break;
    case UnaryFn::exp2: mpfr_exp2(r.get(), x, MPFR_RNDN); break;
    case UnaryFn::log: mpfr_log(r.get(), x, MPFR_RNDN); break;
    case UnaryFn::reciprocal: mpfr_ui_div(r.get(), 1, x, MPFR_RNDN); break;
    case UnaryFn::sqrt:
      if (mpfr_sgn(x) < 0) mpfr_set_zero(r.get(), 1);
      else mpfr_sqrt(r.get(), x, MPFR_RNDN);
      break;
    case UnaryFn::rsqrt: mpfr_rec_sqrt(r.get(), x, MPFR_RNDN); break;
    case UnaryFn::sigmoid:
    case UnaryFn::silu:
      mpfr_neg(t.get(), x, MPFR_RNDN);
      mpfr_exp(t.get(), t.get(), MPFR_RNDN);
      mpfr_add_ui(t.get(), t.get(), 1, MPFR_RNDN);
      if (fn == UnaryFn::sigmoid) mpfr_ui_div(r.get(), 1, t.get(), MPFR_RNDN);
      else mpfr_div(r.get(), x, t.get(), MPFR_RNDN);
      break;
    case UnaryFn::tanh: mpfr_tanh(r.get(), x, MPFR_RNDN); break;
    case UnaryFn::gelu_tanh: {
      // x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
      Value k(prec_), c(prec_);
      mpfr_const_pi(k.get(), MPFR_RNDN);
      mpfr_ui_div(k.get(), 2, k.get(), MPFR_RNDN);
      mpfr_sqrt(k.get(), k.get(), MPFR_RNDN);
      mpfr_set_str(c.get(), "0.044715", 10, MPFR_RNDN);
      mpfr_pow_ui(t.get(), x, 3, MPFR_RNDN);
      mpfr_mul(t.get(), t.get(), c.get(), MPFR_RNDN);
      mpfr_add(t.get(), t.get(), x, MPFR_RNDN);
      mpfr_mul(t.get(), t.get(), k.get(), MPFR_RNDN);
      mpfr_tanh(t.get(), t.get(), MPFR_RNDN);
      mpfr_add_ui(t.get(), t.get(), 1, MPFR_RNDN);
      mpfr_mul(r.get(), t.get(), x, MPFR_RNDN);
      mpfr_div_2ui(r.get(), r.get(), 1, MPFR_RNDN);
      break;
    }
    case UnaryFn::gelu_erf: {
      Value s2(prec_);
      mpfr_sqrt_ui(s2.get(), 2, MPFR_RNDN);
      mpfr_div(t.get(), x, s2.get(), MPFR_RNDN);
      mpfr_erf(t.get(), t.get(), MPFR_RNDN);
      mpfr_add_ui(t.get(), t.get(), 1, MPFR_RNDN);
      mpfr_mul(r.get(), t.get(), x, MPFR_RNDN);
      mpfr_div_2ui(r.get(), r.get(), 1, MPFR_RNDN);
      break;
    }
  }
  return r;
}

}  // namespace tc0::sampler
