#pragma once
// MpfrWorking: an MPFR scalar for the generic attention code (polynomial.hpp, exact.hpp) whose
// precision is a per-thread setting. Why not the oracle's Boost scalar (oracle/mpfr_scalar.hpp):
// Boost 1.74 keeps the default precision of mpfr_float_backend<0> in one process-wide static, and
// the samplers run their samples on OpenMP threads, so one thread's precision guard would change
// the precision of another thread's temporaries. Here every new value (constructors and operator
// results) takes the calling thread's working precision, set by MpfrWorking::Precision for a scope;
// every operation is one MPFR call, rounded to nearest.
#include <mpfr.h>

#include <stdexcept>
#include <string>

#include "sampler/mpfr_value.hpp"

namespace tc0::sampler::attention {

class MpfrWorking {
 public:
  // Sets this thread's working precision (bits) while alive and restores the previous one.
  class Precision {
   public:
    explicit Precision(long bits) : saved_(bits_) {
      if (bits < MPFR_PREC_MIN || bits > 1 << 20)
        throw std::invalid_argument("MpfrWorking: precision " + std::to_string(bits) + " bits is out of range");
      bits_ = static_cast<mpfr_prec_t>(bits);
    }
    ~Precision() { bits_ = saved_; }
    Precision(const Precision&) = delete;
    Precision& operator=(const Precision&) = delete;

   private:
    mpfr_prec_t saved_;
  };
  static mpfr_prec_t precision() { return bits_; }

  MpfrWorking() : v_(bits_) {}
  MpfrWorking(double x) : v_(bits_) { mpfr_set_d(v_.get(), x, MPFR_RNDN); }  // NOLINT: implicit like double
  // Rounds x to the working precision.
  explicit MpfrWorking(const MpfrValue& x) : v_(bits_) { mpfr_set(v_.get(), x.get(), MPFR_RNDN); }

  explicit operator double() const { return mpfr_get_d(v_.get(), MPFR_RNDN); }
  // x at `bits` precision, rounded to nearest.
  MpfrValue to_value(mpfr_prec_t bits) const {
    MpfrValue r(bits);
    mpfr_set(r.get(), v_.get(), MPFR_RNDN);
    return r;
  }
  mpfr_srcptr get() const { return v_.get(); }

  MpfrWorking& operator+=(const MpfrWorking& o) { mpfr_add(v_.get(), v_.get(), o.get(), MPFR_RNDN); return *this; }
  MpfrWorking& operator-=(const MpfrWorking& o) { mpfr_sub(v_.get(), v_.get(), o.get(), MPFR_RNDN); return *this; }
  MpfrWorking& operator*=(const MpfrWorking& o) { mpfr_mul(v_.get(), v_.get(), o.get(), MPFR_RNDN); return *this; }
  MpfrWorking& operator/=(const MpfrWorking& o) { mpfr_div(v_.get(), v_.get(), o.get(), MPFR_RNDN); return *this; }

  friend MpfrWorking operator+(const MpfrWorking& a, const MpfrWorking& b) { return op(mpfr_add, a, b); }
  friend MpfrWorking operator-(const MpfrWorking& a, const MpfrWorking& b) { return op(mpfr_sub, a, b); }
  friend MpfrWorking operator*(const MpfrWorking& a, const MpfrWorking& b) { return op(mpfr_mul, a, b); }
  friend MpfrWorking operator/(const MpfrWorking& a, const MpfrWorking& b) { return op(mpfr_div, a, b); }
  friend bool operator<(const MpfrWorking& a, const MpfrWorking& b) { return mpfr_less_p(a.get(), b.get()); }
  friend bool operator>(const MpfrWorking& a, const MpfrWorking& b) { return mpfr_greater_p(a.get(), b.get()); }
  friend MpfrWorking sqrt(const MpfrWorking& a) { return op1(mpfr_sqrt, a); }
  friend MpfrWorking exp(const MpfrWorking& a) { return op1(mpfr_exp, a); }
  friend MpfrWorking abs(const MpfrWorking& a) { return op1(mpfr_abs, a); }

 private:
  using Binary = int (*)(mpfr_ptr, mpfr_srcptr, mpfr_srcptr, mpfr_rnd_t);
  using Unary = int (*)(mpfr_ptr, mpfr_srcptr, mpfr_rnd_t);
  static MpfrWorking op(Binary f, const MpfrWorking& a, const MpfrWorking& b) {
    MpfrWorking r;
    f(r.v_.get(), a.get(), b.get(), MPFR_RNDN);
    return r;
  }
  static MpfrWorking op1(Unary f, const MpfrWorking& a) {
    MpfrWorking r;
    f(r.v_.get(), a.get(), MPFR_RNDN);
    return r;
  }

  static inline thread_local mpfr_prec_t bits_ = 53;
  MpfrValue v_;
};

}  // namespace tc0::sampler::attention
