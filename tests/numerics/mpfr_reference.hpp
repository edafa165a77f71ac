#pragma once
// Independent MPFR reference for the correctly rounded functions: each function evaluated at 256
// bits (with formulas chosen to differ from numerics/functions.cpp where possible: sigmoid through
// tanh, GELU-erf through erfc, rsqrt as 1/sqrt), then rounded to the output format by the exact
// rational rounding of exact_reference.hpp. A value closer to a rounding tie than the evaluation
// error, or landing on a tie without every step being exact, is reported as undecidable.
#include <gmp.h>
#include <mpfr.h>

#include <optional>

#include "numerics/functions.hpp"
#include "tests/numerics/exact_reference.hpp"

namespace tc0::test {

class MpfrRef {
 public:
  static constexpr int kBits = 256;
  MpfrRef() {
    for (mpfr_ptr p : {x_, r_, t_, u_}) mpfr_init2(p, kBits);
    for (mpz_ptr p : {z_, fl_, rem_, half_}) mpz_init(p);
  }
  ~MpfrRef() {
    for (mpfr_ptr p : {x_, r_, t_, u_}) mpfr_clear(p);
    for (mpz_ptr p : {z_, fl_, rem_, half_}) mpz_clear(p);
  }
  MpfrRef(const MpfrRef&) = delete;
  MpfrRef& operator=(const MpfrRef&) = delete;

  // Expected raw output, or nullopt when 256 bits cannot decide the rounding.
  std::optional<int64_t> expected(numerics::UnaryFn fn, int64_t raw, numerics::Format in, numerics::Format out) {
    using numerics::UnaryFn;
    exact_ = true;
    switch (fn) {  // domain rules of SPEC section 2
      case UnaryFn::reciprocal: if (raw == 0) return out.max_raw(); break;
      case UnaryFn::rsqrt: if (raw <= 0) return out.max_raw(); break;
      case UnaryFn::log: if (raw <= 0) return out.min_raw(); break;
      case UnaryFn::sqrt: if (raw < 0) return int64_t{0}; break;
      default: break;
    }
    mpfr_set_si(x_, static_cast<long>(raw), MPFR_RNDN);
    mpfr_div_2si(x_, x_, in.frac(), MPFR_RNDN);  // exact
    const mpfr_rnd_t N = MPFR_RNDN;
    switch (fn) {
      case UnaryFn::exp: note(mpfr_exp(r_, x_, N)); break;
      case UnaryFn::exp2: note(mpfr_exp2(r_, x_, N)); break;
      case UnaryFn::log: note(mpfr_log(r_, x_, N)); break;
      case UnaryFn::reciprocal: note(mpfr_ui_div(r_, 1, x_, N)); break;
      case UnaryFn::sqrt: note(mpfr_sqrt(r_, x_, N)); break;
      case UnaryFn::rsqrt: note(mpfr_sqrt(t_, x_, N)); note(mpfr_ui_div(r_, 1, t_, N)); break;
      case UnaryFn::tanh: note(mpfr_tanh(r_, x_, N)); break;
      case UnaryFn::sigmoid:  // (1 + tanh(x/2)) / 2
      case UnaryFn::silu:
        note(mpfr_div_2ui(t_, x_, 1, N));
        note(mpfr_tanh(t_, t_, N));
        note(mpfr_add_ui(t_, t_, 1, N));
        note(mpfr_div_2ui(r_, t_, 1, N));
        if (fn == UnaryFn::silu) note(mpfr_mul(r_, r_, x_, N));
        break;
      case UnaryFn::gelu_tanh:  // tanh argument: sqrt(2/pi) * x * (1 + 0.044715 x^2)
        note(mpfr_const_pi(u_, N));
        note(mpfr_si_div(u_, 2, u_, N));
        note(mpfr_sqrt(u_, u_, N));
        note(mpfr_sqr(t_, x_, N));
        note(mpfr_mul_ui(t_, t_, 44715, N));
        note(mpfr_div_ui(t_, t_, 1000000, N));
        note(mpfr_add_ui(t_, t_, 1, N));
        note(mpfr_mul(t_, t_, x_, N));
        note(mpfr_mul(t_, t_, u_, N));
        note(mpfr_tanh(t_, t_, N));
        note(mpfr_add_ui(t_, t_, 1, N));
        note(mpfr_mul(t_, t_, x_, N));
        note(mpfr_div_2ui(r_, t_, 1, N));
        break;
      case UnaryFn::gelu_erf:  // x/2 * erfc(-x / sqrt 2)
        note(mpfr_sqrt_ui(u_, 2, N));
        note(mpfr_div(t_, x_, u_, N));
        note(mpfr_neg(t_, t_, N));
        note(mpfr_erfc(t_, t_, N));
        note(mpfr_mul(t_, t_, x_, N));
        note(mpfr_div_2ui(r_, t_, 1, N));
        break;
    }
    auto direct = round_checked(out);
    if (direct) return direct;
    return complement(fn, out);
  }

  // How many exact rounding ties the last calls met (an exact value halfway between grid points).
  uint64_t exact_ties() const { return ties_; }

 private:
  void note(int ternary) { exact_ = exact_ && ternary == 0; }

  // Rounds r_ = z 2^e exactly with GMP integers (floor, then the remainder against one half), which
  // shares nothing with the library's rounding.
  std::optional<int64_t> round_checked(numerics::Format out) {
    if (mpfr_zero_p(r_)) return int64_t{0};
    int sign = mpfr_sgn(r_);
    if (mpfr_inf_p(r_)) return sign > 0 ? out.max_raw() : out.min_raw();  // exp overflowed MPFR's range
    // |r| * 2^f >= 2^65 saturates every format; decide it before any tie test.
    if (mpfr_get_exp(r_) + out.frac() > 66) return sign > 0 ? out.max_raw() : out.min_raw();
    if (mpfr_get_exp(r_) < -300) return int64_t{0};
    long e = mpfr_get_z_2exp(z_, r_);  // r = z 2^e exactly
    long k = -(e + out.frac());        // r 2^f = z / 2^k
    if (k <= 0) {
      mpz_mul_2exp(fl_, z_, static_cast<unsigned long>(-k));
      return clamp(fl_, out);
    }
    mpz_fdiv_q_2exp(fl_, z_, static_cast<unsigned long>(k));
    mpz_fdiv_r_2exp(rem_, z_, static_cast<unsigned long>(k));
    mpz_set_ui(half_, 1);
    mpz_mul_2exp(half_, half_, static_cast<unsigned long>(k - 1));
    int c = mpz_cmp(rem_, half_);
    if (c == 0) {
      if (!exact_) return std::nullopt;
      ++ties_;
    } else {
      // Distance of r 2^f from the tie, against the evaluation error: below 2^-200 relative and,
      // where a composite cancels (1 + tanh(y) for very negative y), below 2^-100 LSB absolute:
      // |rem - half| 2^200 <= |z| + 2^(k+100) is undecidable.
      mpz_sub(rem_, rem_, half_);
      mpz_abs(rem_, rem_);
      mpz_mul_2exp(rem_, rem_, 200);
      mpz_set_ui(half_, 1);
      mpz_mul_2exp(half_, half_, static_cast<unsigned long>(k + 100));
      mpz_abs(z_, z_);
      mpz_add(half_, half_, z_);
      if (mpz_cmp(rem_, half_) <= 0) return std::nullopt;
    }
    if (c > 0 || (c == 0 && mpz_odd_p(fl_))) mpz_add_ui(fl_, fl_, 1);
    return clamp(fl_, out);
  }

  static int64_t clamp(const mpz_t v, numerics::Format out) {
    if (mpz_cmp_si(v, static_cast<long>(out.min_raw())) < 0) return out.min_raw();
    if (mpz_cmp_si(v, static_cast<long>(out.max_raw())) > 0) return out.max_raw();
    return static_cast<int64_t>(mpz_get_si(v));
  }

  // Values that approach a rounding tie M asymptotically (sigmoid, tanh -> +-1; silu, gelu -> x) as
  // M - g with g of known sign and tiny magnitude: round M, a tie going away from g's side.
  std::optional<int64_t> complement(numerics::UnaryFn fn, numerics::Format out) {
    using numerics::UnaryFn;
    const mpfr_rnd_t N = MPFR_RNDN;
    int sx = mpfr_sgn(x_);
    if (sx == 0) return std::nullopt;
    int g_sign = 1;
    switch (fn) {
      case UnaryFn::sigmoid:  // 1 - 1/(1 + e^x)
        if (sx < 0) return std::nullopt;
        mpfr_set_ui(r_, 1, N);
        mpfr_exp(t_, x_, N);
        mpfr_add_ui(t_, t_, 1, N);
        mpfr_ui_div(t_, 1, t_, N);
        break;
      case UnaryFn::tanh:  // sign(x) (1 - 2/(1 + e^{2|x|}))
        mpfr_set_si(r_, sx, N);
        mpfr_abs(t_, x_, N);
        mpfr_mul_2ui(t_, t_, 1, N);
        mpfr_exp(t_, t_, N);
        mpfr_add_ui(t_, t_, 1, N);
        mpfr_ui_div(t_, 2, t_, N);
        g_sign = sx;
        break;
      case UnaryFn::silu:  // x - x/(1 + e^x)
        if (sx < 0) return std::nullopt;
        mpfr_set(r_, x_, N);
        mpfr_exp(t_, x_, N);
        mpfr_add_ui(t_, t_, 1, N);
        mpfr_div(t_, x_, t_, N);
        break;
      case UnaryFn::gelu_tanh:  // x - x/(1 + e^{2y})
        if (sx < 0) return std::nullopt;
        mpfr_set(r_, x_, N);
        mpfr_const_pi(u_, N);
        mpfr_si_div(u_, 2, u_, N);
        mpfr_sqrt(u_, u_, N);
        mpfr_sqr(t_, x_, N);
        mpfr_mul_ui(t_, t_, 44715, N);
        mpfr_div_ui(t_, t_, 1000000, N);
        mpfr_add_ui(t_, t_, 1, N);
        mpfr_mul(t_, t_, x_, N);
        mpfr_mul(t_, t_, u_, N);
        mpfr_mul_2ui(t_, t_, 1, N);
        mpfr_exp(t_, t_, N);
        mpfr_add_ui(t_, t_, 1, N);
        mpfr_div(t_, x_, t_, N);
        break;
      case UnaryFn::gelu_erf:  // x - x/2 erfc(x/sqrt 2)
        if (sx < 0) return std::nullopt;
        mpfr_set(r_, x_, N);
        mpfr_sqrt_ui(u_, 2, N);
        mpfr_div(t_, x_, u_, N);
        mpfr_erfc(t_, t_, N);
        mpfr_mul(t_, t_, x_, N);
        mpfr_div_2ui(t_, t_, 1, N);
        break;
      default:
        return std::nullopt;
    }
    // g (in t_) is nonzero in truth even where it underflowed. When M is a tie, any g below 1/2 LSB
    // puts M - g on g's side of it; otherwise g must be negligible: below 2^-300 LSB, far under the
    // distance (>= 2^-260 LSB) of a non-tie M from any tie.
    long g_exp = mpfr_zero_p(t_) ? -100000 : static_cast<long>(mpfr_get_exp(t_)) + out.frac();
    long e = mpfr_get_z_2exp(z_, r_);  // M = z 2^e exactly
    Rational m{BigInt(mpz_class_str())};
    m *= pow2q(static_cast<int>(e));
    Rational s = m * pow2q(out.frac());
    BigInt fl = floor_q(s);
    if (s - Rational(fl) != Rational(BigInt(1), BigInt(2))) {
      if (g_exp > -300) return std::nullopt;
      return round_ref(m, out);
    }
    if (g_exp > -1) return std::nullopt;
    ++ties_near_;
    BigInt k = g_sign > 0 ? fl : BigInt(fl + 1);  // M - g with g > 0 lies just below the tie
    if (k < BigInt(out.min_raw())) return out.min_raw();
    if (k > BigInt(out.max_raw())) return out.max_raw();
    return static_cast<int64_t>(k);
  }

 public:
  // How many values closer to a tie than 2^-100 LSB (but not on it) the complement form decided.
  uint64_t near_ties() const { return ties_near_; }

 private:
  std::string mpz_class_str() {
    char* p = mpz_get_str(nullptr, 10, z_);
    std::string s(p);
    void (*freefunc)(void*, size_t);
    mp_get_memory_functions(nullptr, nullptr, &freefunc);
    freefunc(p, s.size() + 1);
    return s;
  }

  mpfr_t x_, r_, t_, u_;
  mpz_t z_, fl_, rem_, half_;
  bool exact_ = true;
  uint64_t ties_ = 0;
  uint64_t ties_near_ = 0;
};

}  // namespace tc0::test
