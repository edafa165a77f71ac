#pragma once
// A minimal RAII holder of an MPFR number with its own precision (bits). The MPFR policy does all
// arithmetic through the C API; this type only owns, copies and moves the storage.
#include <mpfr.h>

#include <utility>

namespace tc0::sampler {

class MpfrValue {
 public:
  explicit MpfrValue(mpfr_prec_t prec = 53) { mpfr_init2(v_, prec); mpfr_set_zero(v_, 1); }
  MpfrValue(const MpfrValue& o) { mpfr_init2(v_, mpfr_get_prec(o.v_)); mpfr_set(v_, o.v_, MPFR_RNDN); }
  MpfrValue(MpfrValue&& o) noexcept { mpfr_init2(v_, mpfr_get_prec(o.v_)); mpfr_swap(v_, o.v_); }
  MpfrValue& operator=(const MpfrValue& o) {
    if (this != &o) { mpfr_set_prec(v_, mpfr_get_prec(o.v_)); mpfr_set(v_, o.v_, MPFR_RNDN); }
    return *this;
  }
  MpfrValue& operator=(MpfrValue&& o) noexcept { mpfr_swap(v_, o.v_); return *this; }
  ~MpfrValue() { mpfr_clear(v_); }

  mpfr_ptr get() { return v_; }
  mpfr_srcptr get() const { return v_; }
  double to_double() const { return mpfr_get_d(v_, MPFR_RNDN); }

 private:
  mpfr_t v_;
};

}  // namespace tc0::sampler
