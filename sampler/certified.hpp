#pragma once
// Correct rounding of real values that MPFR can only approximate (cos/sin of the time embedding,
// the Box-Muller transform of the noise). An approximation at precision p with an error bound gives
// an enclosure; the value is rounded (half to even, then saturated) once both ends of the enclosure
// round to the same raw value, doubling p until they do. The values concerned are transcendental
// (never exactly on a rounding tie), so the loop ends.
#include <functional>
#include <mpfr.h>

#include "numerics/format.hpp"
#include "numerics/rounding.hpp"
#include "sampler/arith.hpp"
#include "sampler/mpfr_value.hpp"

namespace tc0::sampler {

// approx(p) returns x with |approx(p) - x| <= 2^(err_exp - p), for some fixed err_exp. When clip is
// given, x is first clamped to [-clip, clip].
int64_t round_certified(const std::function<MpfrValue(mpfr_prec_t)>& approx, int err_exp, Format out,
                        const Rational* clip = nullptr);

// cos(q) or sin(q) of an exact rational, correctly rounded to out.
int64_t trig_rounded(Trig fn, const Rational& q, Format out);

// q as an MPFR number at precision p (round to nearest).
MpfrValue mpfr_from_rational(const Rational& q, mpfr_prec_t p);

}  // namespace tc0::sampler
