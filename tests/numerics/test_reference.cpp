// Reference scalars: the MPFR reference at 300 bits agrees with the certified correctly rounded
// value at a 2^-58 grid to within half a grid step, the float64 reference to within 2^-40 of it; domain rules; precision handling.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "numerics/reference.hpp"
#include "tests/numerics/exact_reference.hpp"

using namespace tc0::numerics;

TEST(Reference, MpfrAndDoubleAgreeWithCertifiedValues) {
  const Format in(16, 12), out(64, 58);  // |x| < 8; every function's value fits out's range
  std::mt19937_64 rng(7);
  uint64_t cases = 0;
  for (UnaryFn fn : all_unary_fns()) {
    for (int i = 0; i < 300; ++i) {
      int64_t raw = std::uniform_int_distribution<int64_t>(in.min_raw(), in.max_raw())(rng);
      if (fn == UnaryFn::exp || fn == UnaryFn::exp2) raw /= 4;  // keep e^x, 2^x inside out's range
      Fixed x = Fixed::from_raw(raw, in);
      int64_t cr = correctly_rounded(fn, raw, in, out);
      if (cr == out.max_raw() || cr == out.min_raw()) continue;  // domain saturation
      Mpfr ref = reference_mpfr(fn, to_mpfr(x, 300));
      ASSERT_EQ(precision_bits(ref), 300u);
      // |ref - cr 2^-58| <= 2^-59 (+ the reference's own error, far below).
      Mpfr d = to_mpfr(Fixed::from_raw(cr, out), 300);
      mpfr_sub(d.backend().data(), ref.backend().data(), d.backend().data(), MPFR_RNDN);
      mpfr_abs(d.backend().data(), d.backend().data(), MPFR_RNDN);
      ASSERT_LE(mpfr_cmp_d(d.backend().data(), std::ldexp(1.0, -59) * (1 + 1e-20)), 0)
          << name(fn) << " raw " << raw;
      // float64: the naive formulas cancel (1 + tanh(y) for negative x loses up to ~10 bits), so
      // allow 2^-40 relative to max(|f(x)|, |x|, 1) plus the grid step.
      double want = std::ldexp(static_cast<double>(cr), -58);
      double got = reference_double(fn, x.to_double());
      double tol = std::ldexp(std::max({std::fabs(want), std::fabs(x.to_double()), 1.0}), -40) + std::ldexp(1.0, -58);
      ASSERT_LE(std::fabs(got - want), tol) << name(fn) << " raw " << raw;
      ++cases;
    }
  }
  tc0::test::report_cases("reference_mpfr/reference_double against certified values", cases);
}

TEST(Reference, DomainRulesAndConversions) {
  EXPECT_EQ(reference_double(UnaryFn::reciprocal, 0.0), INFINITY);
  EXPECT_EQ(reference_double(UnaryFn::rsqrt, -1.0), INFINITY);
  EXPECT_EQ(reference_double(UnaryFn::log, 0.0), -INFINITY);
  EXPECT_EQ(reference_double(UnaryFn::sqrt, -4.0), 0.0);
  Mpfr z = mpfr_zero(100);
  EXPECT_TRUE(mpfr_inf_p(reference_mpfr(UnaryFn::reciprocal, z).backend().data()));
  EXPECT_TRUE(mpfr_inf_p(reference_mpfr(UnaryFn::log, z).backend().data()));
  EXPECT_EQ(to_double(reference_mpfr(UnaryFn::sqrt, to_mpfr(-2.0, 80))), 0.0);
  // Rational conversion rounds once to nearest: 1/3 at 60 bits vs the double nearest 1/3.
  EXPECT_EQ(to_double(to_mpfr(tc0::test::Rational(1, 3), 53)), 1.0 / 3.0);
  EXPECT_EQ(to_double(to_mpfr(tc0::test::Rational(-5, 4), 8)), -1.25);
  EXPECT_EQ(precision_bits(to_mpfr(0.5, 777)), 777u);
  EXPECT_THROW(mpfr_zero(1), std::invalid_argument);
}
