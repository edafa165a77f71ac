#include "sampler/certified.hpp"

#include <fmt/format.h>
#include <gmp.h>

#include <cmath>
#include <stdexcept>
#include <string>

#include "numerics/mpfr_thread_cache.hpp"

namespace tc0::sampler {

namespace {

// Rounds y (already clamped) to out's grid, half to even, then saturates.
int64_t round_mpfr(mpfr_srcptr y, Format out) {
  MpfrValue s(mpfr_get_prec(y) + 8);
  mpfr_mul_2si(s.get(), y, out.frac(), MPFR_RNDN);  // exact: scaling by a power of two
  mpfr_rint(s.get(), s.get(), MPFR_RNDN);            // nearest integer, ties to even
  MpfrValue lim(80);
  mpfr_set_sj(lim.get(), out.max_raw(), MPFR_RNDN);
  if (mpfr_greater_p(s.get(), lim.get())) return out.max_raw();
  mpfr_set_sj(lim.get(), out.min_raw(), MPFR_RNDN);
  if (mpfr_less_p(s.get(), lim.get())) return out.min_raw();
  return mpfr_get_sj(s.get(), MPFR_RNDN);
}

void clamp(mpfr_ptr x, const Rational* clip, mpfr_prec_t p) {
  if (!clip) return;
  MpfrValue c = mpfr_from_rational(*clip, p + 64);
  if (mpfr_greater_p(x, c.get())) mpfr_set(x, c.get(), MPFR_RNDN);
  mpfr_neg(c.get(), c.get(), MPFR_RNDN);
  if (mpfr_less_p(x, c.get())) mpfr_set(x, c.get(), MPFR_RNDN);
}

}  // namespace

MpfrValue mpfr_from_rational(const Rational& q, mpfr_prec_t p) {
  using boost::multiprecision::denominator;
  using boost::multiprecision::numerator;
  MpfrValue r(p);
  mpq_t g;
  mpq_init(g);
  std::string s = numerator(q).str() + "/" + denominator(q).str();
  mpq_set_str(g, s.c_str(), 10);
  mpfr_set_q(r.get(), g, MPFR_RNDN);
  mpq_clear(g);
  return r;
}

int64_t round_certified(const std::function<MpfrValue(mpfr_prec_t)>& approx, int err_exp, Format out,
                        const Rational* clip) {
  numerics::register_mpfr_thread_cache();  // callers run on any thread (check's references run beside the GPU)
  for (mpfr_prec_t p = 128; p <= 8192; p *= 2) {
    MpfrValue x = approx(p);
    MpfrValue lo(p + 64), hi(p + 64), e(64);
    mpfr_set_ui_2exp(e.get(), 1, err_exp - static_cast<long>(p), MPFR_RNDN);
    mpfr_sub(lo.get(), x.get(), e.get(), MPFR_RNDD);
    mpfr_add(hi.get(), x.get(), e.get(), MPFR_RNDU);
    clamp(lo.get(), clip, p);
    clamp(hi.get(), clip, p);
    int64_t a = round_mpfr(lo.get(), out), b = round_mpfr(hi.get(), out);
    if (a == b) return a;
  }
  throw std::runtime_error(fmt::format("correct rounding to {} not decided at 8192 bits", out.str()));
}

int64_t trig_rounded(Trig fn, const Rational& q, Format out) {
  if (q == 0) return numerics::round_to_format(Rational(fn == Trig::cos ? 1 : 0), out);  // exact cases
  // |q| below 2^k: the argument rounded at p + k + 8 bits is off by at most 2^(-p-8), and cos, sin
  // are 1-Lipschitz, so with MPFR's own half-ulp the error stays below 2^(1-p).
  const double aq = boost::multiprecision::abs(q).convert_to<double>();
  int k = 1;
  while (k < 4096 && std::ldexp(1.0, k) <= aq + 1) ++k;
  return round_certified(
      [&](mpfr_prec_t p) {
        MpfrValue a = mpfr_from_rational(q, p + k + 8);
        MpfrValue r(p);
        if (fn == Trig::cos) mpfr_cos(r.get(), a.get(), MPFR_RNDN);
        else mpfr_sin(r.get(), a.get(), MPFR_RNDN);
        return r;
      },
      1, out);
}

}  // namespace tc0::sampler
