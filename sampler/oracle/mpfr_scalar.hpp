#pragma once
// MPFR scalar at run-time precision for the oracle and the attention references. Expression
// templates are off so that generic code (auto, Dual<S>, std::vector<S>) sees a plain value type.
// When numerics/reference.hpp lands with the project-wide MPFR reference scalar, this alias should
// point to it.
#include <boost/multiprecision/mpfr.hpp>
#include <stdexcept>
#include <string>

namespace tc0::sampler::oracle {

using Mpfr = boost::multiprecision::number<boost::multiprecision::mpfr_float_backend<0>,
                                           boost::multiprecision::et_off>;

// Sets the default MPFR precision (in bits, at least `bits`) for new values while alive, and
// restores the previous one on exit. Boost takes the precision in decimal digits and converts it
// to bits as d*1000/301 + 1 or 2; we pick the smallest d reaching `bits` (128 bits -> exactly 128).
class MpfrPrecision {
 public:
  explicit MpfrPrecision(unsigned bits) : saved_(Mpfr::default_precision()) {
    if (bits < 24 || bits > 100000)
      throw std::invalid_argument("MPFR precision " + std::to_string(bits) +
                                  " bits is out of range; use 24..100000 (e.g. --precision 128)");
    unsigned d = 1;
    while (boost::multiprecision::detail::digits10_2_2(d) < bits) ++d;
    Mpfr::default_precision(d);
    bits_ = static_cast<unsigned>(boost::multiprecision::detail::digits10_2_2(d));
  }
  ~MpfrPrecision() { Mpfr::default_precision(saved_); }
  MpfrPrecision(const MpfrPrecision&) = delete;
  MpfrPrecision& operator=(const MpfrPrecision&) = delete;
  unsigned bits() const { return bits_; }  // the precision actually in effect (>= requested)

 private:
  unsigned saved_;
  unsigned bits_ = 0;
};

}  // namespace tc0::sampler::oracle
