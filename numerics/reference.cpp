#include "numerics/reference.hpp"

#include "numerics/mpfr_thread_cache.hpp"

#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <iterator>
#include <stdexcept>
#include <vector>

namespace tc0::numerics {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();

// The constants of GELU's tanh form: sqrt(2/pi) and 0.044715 (an exact decimal, as in the paper's
// usual definition).
constexpr double kSqrt2OverPi = 0.79788456080286535588;
constexpr double kGeluCubic = 0.044715;

mpfr_ptr data(Mpfr& x) { return x.backend().data(); }
mpfr_srcptr data(const Mpfr& x) { return x.backend().data(); }
}  // namespace

Mpfr mpfr_zero(unsigned bits) {
  if (bits < 2 || bits > MPFR_PREC_MAX)
    throw std::invalid_argument(fmt::format("MPFR precision {} bits is illegal: use 2..{}", bits, MPFR_PREC_MAX));
  Mpfr r;
  mpfr_set_prec(data(r), bits);  // sets r to NaN
  mpfr_set_zero(data(r), 1);
  return r;
}

Mpfr to_mpfr(double x, unsigned bits) {
  Mpfr r = mpfr_zero(bits);
  mpfr_set_d(data(r), x, MPFR_RNDN);
  return r;
}

namespace {
// Exact conversion of a big integer to GMP (through its bytes; no decimal round trip).
void to_mpz(mpz_t out, const BigInt& v) {
  std::vector<unsigned char> bytes;
  BigInt m = abs(v);
  export_bits(m, std::back_inserter(bytes), 8);
  mpz_import(out, bytes.size(), 1, 1, 1, 0, bytes.data());
  if (v < 0) mpz_neg(out, out);
}
}  // namespace

Mpfr to_mpfr(const Rational& q, unsigned bits) {
  mpz_t n, d;
  mpz_init(n);
  mpz_init(d);
  to_mpz(n, numerator(q));
  to_mpz(d, denominator(q));
  mpq_t mq;
  mpq_init(mq);
  mpq_set_num(mq, n);
  mpq_set_den(mq, d);  // already in lowest terms with a positive denominator
  Mpfr r = mpfr_zero(bits);
  mpfr_set_q(data(r), mq, MPFR_RNDN);  // one rounding
  mpq_clear(mq);
  mpz_clear(n);
  mpz_clear(d);
  return r;
}

Mpfr to_mpfr(const Fixed& x, unsigned bits) {
  Mpfr r = mpfr_zero(bits);
  mpfr_set_si_2exp(data(r), static_cast<long>(x.raw), -x.fmt.frac(), MPFR_RNDN);
  return r;
}

unsigned precision_bits(const Mpfr& x) { return static_cast<unsigned>(mpfr_get_prec(data(x))); }

double to_double(const Mpfr& x) { return mpfr_get_d(data(x), MPFR_RNDN); }

double reference_double(UnaryFn fn, double x) {
  switch (fn) {
    case UnaryFn::exp: return std::exp(x);
    case UnaryFn::exp2: return std::exp2(x);
    case UnaryFn::log: return x > 0 ? std::log(x) : -kInf;
    case UnaryFn::reciprocal: return x == 0 ? kInf : 1.0 / x;
    case UnaryFn::sqrt: return x > 0 ? std::sqrt(x) : 0.0;
    case UnaryFn::rsqrt: return x > 0 ? 1.0 / std::sqrt(x) : kInf;
    case UnaryFn::sigmoid: return 1.0 / (1.0 + std::exp(-x));
    case UnaryFn::tanh: return std::tanh(x);
    case UnaryFn::silu: return x / (1.0 + std::exp(-x));
    case UnaryFn::gelu_tanh: return 0.5 * x * (1.0 + std::tanh(kSqrt2OverPi * (x + kGeluCubic * x * x * x)));
    case UnaryFn::gelu_erf: return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0)));
  }
  throw std::invalid_argument("reference_double: unknown function");
}

Mpfr reference_mpfr(UnaryFn fn, const Mpfr& x) {
  register_mpfr_thread_cache();
  const mpfr_prec_t p = mpfr_get_prec(data(x));
  // Intermediate steps of composite functions carry 32 guard bits, so the result is accurate to
  // about the working precision (not correctly rounded: that is what functions.hpp is for).
  const mpfr_prec_t q = p + 32;
  Mpfr r = mpfr_zero(static_cast<unsigned>(p));
  Mpfr t = mpfr_zero(static_cast<unsigned>(q)), u = mpfr_zero(static_cast<unsigned>(q));
  const mpfr_rnd_t N = MPFR_RNDN;
  switch (fn) {
    case UnaryFn::exp: mpfr_exp(data(r), data(x), N); break;
    case UnaryFn::exp2: mpfr_exp2(data(r), data(x), N); break;
    case UnaryFn::log:
      if (mpfr_sgn(data(x)) > 0) mpfr_log(data(r), data(x), N); else mpfr_set_inf(data(r), -1);
      break;
    case UnaryFn::reciprocal:
      if (mpfr_zero_p(data(x))) mpfr_set_inf(data(r), 1); else mpfr_ui_div(data(r), 1, data(x), N);
      break;
    case UnaryFn::sqrt:
      if (mpfr_sgn(data(x)) > 0) mpfr_sqrt(data(r), data(x), N); else mpfr_set_zero(data(r), 1);
      break;
    case UnaryFn::rsqrt:
      if (mpfr_sgn(data(x)) > 0) mpfr_rec_sqrt(data(r), data(x), N); else mpfr_set_inf(data(r), 1);
      break;
    case UnaryFn::tanh: mpfr_tanh(data(r), data(x), N); break;
    case UnaryFn::sigmoid:
    case UnaryFn::silu:
      mpfr_neg(data(t), data(x), N);
      mpfr_exp(data(t), data(t), N);
      mpfr_add_ui(data(t), data(t), 1, N);
      if (fn == UnaryFn::sigmoid) mpfr_ui_div(data(r), 1, data(t), N);
      else mpfr_div(data(r), data(x), data(t), N);
      break;
    case UnaryFn::gelu_tanh:
      mpfr_const_pi(data(u), N);
      mpfr_ui_div(data(u), 2, data(u), N);
      mpfr_sqrt(data(u), data(u), N);  // sqrt(2/pi)
      mpfr_pow_ui(data(t), data(x), 3, N);
      {
        Mpfr k = mpfr_zero(static_cast<unsigned>(q));
        mpfr_set_str(data(k), "0.044715", 10, N);
        mpfr_mul(data(t), data(t), data(k), N);
      }
      mpfr_add(data(t), data(t), data(x), N);
      mpfr_mul(data(t), data(t), data(u), N);
      mpfr_tanh(data(t), data(t), N);
      mpfr_add_ui(data(t), data(t), 1, N);
      mpfr_mul(data(t), data(t), data(x), N);
      mpfr_mul_2si(data(r), data(t), -1, N);
      break;
    case UnaryFn::gelu_erf:
      mpfr_sqrt_ui(data(u), 2, N);
      mpfr_div(data(t), data(x), data(u), N);
      mpfr_erf(data(t), data(t), N);
      mpfr_add_ui(data(t), data(t), 1, N);
      mpfr_mul(data(t), data(t), data(x), N);
      mpfr_mul_2si(data(r), data(t), -1, N);
      break;
  }
  return r;
}

}  // namespace tc0::numerics
