#pragma once
// Reference scalars for the float64 and MPFR reference samplers (SPEC section 2: the references
// follow the fixed-point operation graph without rounding). Two number types:
//   double -- IEEE binary64, functions from <cmath>;
//   Mpfr   -- boost::multiprecision::mpfr_float whose precision is chosen at run time per value
//             (to_mpfr(..., bits)); results of functions here take the argument's precision.
// Domain rules mirror the fixed-point ones where the real function has no finite value:
// reciprocal(0), rsqrt(x <= 0) are +inf, log(x <= 0) is -inf (the fixed-point versions saturate to
// the format's largest / smallest value), sqrt(x < 0) is 0.
#include <boost/multiprecision/mpfr.hpp>

#include "numerics/fixed.hpp"
#include "numerics/functions.hpp"

namespace tc0::numerics {

using Mpfr = boost::multiprecision::mpfr_float;

// Values of a given binary precision (2 <= bits <= MPFR_PREC_MAX), rounded to nearest.
Mpfr mpfr_zero(unsigned bits);
Mpfr to_mpfr(double x, unsigned bits);
Mpfr to_mpfr(const Rational& q, unsigned bits);
Mpfr to_mpfr(const Fixed& x, unsigned bits);
unsigned precision_bits(const Mpfr& x);
double to_double(const Mpfr& x);  // rounded to nearest

// fn(x) in each scalar type. The MPFR result has x's precision and is rounded to nearest.
double reference_double(UnaryFn fn, double x);
Mpfr reference_mpfr(UnaryFn fn, const Mpfr& x);

}  // namespace tc0::numerics
