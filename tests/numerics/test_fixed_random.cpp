// Random and corner-case checks of the exact round-once operations on 16-, 32- and 64-bit formats
// (beyond exhaustive reach), with fixed seeds, against the exact rational reference. Operands are
// drawn to hit extremes, exact ties, saturation boundaries and mixed formats, not just uniform bits.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "numerics/fixed.hpp"
#include "tests/numerics/exact_reference.hpp"

using namespace tc0::numerics;
using tc0::test::pow2q;
using tc0::test::report_cases;
using tc0::test::round_ref;
using tc0::test::value_of;
using Q = tc0::test::Rational;
using BI = tc0::test::BigInt;

namespace {

class Gen {
 public:
  explicit Gen(uint64_t seed) : rng_(seed) {}

  int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  uint64_t bits() { return rng_(); }

  Format format(std::initializer_list<int> widths, int frac_lo, int frac_hi) {
    std::vector<int> w(widths);
    return Format(w[static_cast<size_t>(uniform(0, static_cast<int>(w.size()) - 1))], uniform(frac_lo, frac_hi));
  }

  // A raw value of f: uniform bits, extremes, small magnitudes, or a "tie pattern" (random high
  // bits, then a one followed by zeros) that lands exactly halfway after a right shift.
  int64_t raw(Format f) {
    const int w = f.width();
    switch (uniform(0, 4)) {
      case 0: {
        const int64_t e[] = {f.min_raw(), f.max_raw(), 0, 1, -1, f.min_raw() + 1, f.max_raw() - 1};
        return e[uniform(0, 6)];
      }
      case 1: return uniform(-40, 40);
      case 2: {
        int z = uniform(0, w - 2);  // bit z set, bits below clear
        int64_t v = static_cast<int64_t>(bits() >> (64 - (w - 1 - z) > 63 ? 63 : 64 - (w - 1 - z)));
        if (w - 1 - z == 0) v = 0;
        v = static_cast<int64_t>((static_cast<uint64_t>(v) << (z + 1)) | (uint64_t{1} << z));
        if (uniform(0, 1)) v = -v;
        return f.contains_raw(v) ? v : (v < 0 ? f.min_raw() : f.max_raw());
      }
      default: {
        uint64_t u = bits();
        return w == 64 ? static_cast<int64_t>(u) : static_cast<int64_t>(u >> (64 - w)) + f.min_raw();
      }
    }
  }

  Fixed fixed(Format f) { return Fixed::from_raw(raw(f), f); }

 private:
  std::mt19937_64 rng_;
};

Q val(const Fixed& x) { return value_of(x.raw, x.fmt.frac()); }

// Output format near the exact grid (so rounding happens) with widths that sometimes saturate.
Format out_near(Gen& g, int exact_frac) {
  int f = exact_frac - g.uniform(-4, 40);
  f = std::max(Format::kMinFrac, std::min(Format::kMaxFrac, f));
  const int ws[] = {8, 16, 24, 32, 48, 64};
  return Format(ws[g.uniform(0, 5)], f);
}

constexpr int kPerOp = 125000;  // 8 operation families: 10^6 random cases in all

}  // namespace

TEST(FixedRandom, BinaryOps) {
  Gen g(0x7c0f10);
  uint64_t n = 0;
  for (int i = 0; i < kPerOp; ++i) {
    Format fa = g.format({16, 32, 64}, -10, 70), fb = g.format({16, 32, 64}, -10, 70);
    Fixed a = g.fixed(fa), b = g.fixed(fb);
    Q qa = val(a), qb = val(b);
    Format o = out_near(g, std::max(fa.frac(), fb.frac()));
    ASSERT_EQ(add(a, b, o).raw, round_ref(qa + qb, o)) << "add " << a.str() << " + " << b.str() << " -> " << o.str();
    ASSERT_EQ(sub(a, b, o).raw, round_ref(qa - qb, o)) << "sub " << a.str() << " - " << b.str() << " -> " << o.str();
    Format om = out_near(g, fa.frac() + fb.frac());
    ASSERT_EQ(mul(a, b, om).raw, round_ref(qa * qb, om)) << "mul " << a.str() << " * " << b.str() << " -> " << om.str();
    ASSERT_EQ(min(a, b, o).raw, round_ref(qa < qb ? qa : qb, o));
    ASSERT_EQ(max(a, b, o).raw, round_ref(qa < qb ? qb : qa, o));
    ASSERT_EQ(compare(a, b) < 0, qa < qb);
    ASSERT_EQ(compare(a, b) == 0, qa == qb);
    n += 6;
  }
  report_cases("add/sub/mul/min/max/compare random 16-64 bit", n);
}

TEST(FixedRandom, UnaryOps) {
  Gen g(0x7c0f11);
  uint64_t n = 0;
  for (int i = 0; i < kPerOp; ++i) {
    Format fa = g.format({16, 32, 64}, -128, 128);
    Fixed a = g.fixed(fa);
    Q qa = val(a);
    Format o = out_near(g, fa.frac());
    ASSERT_EQ(convert(a, o).raw, round_ref(qa, o)) << "convert " << a.str() << " -> " << o.str();
    ASSERT_EQ(neg(a, o).raw, round_ref(-qa, o)) << "neg " << a.str() << " -> " << o.str();
    int k = g.uniform(-70, 70);
    ASSERT_EQ(shift(a, k, o).raw, round_ref(qa * pow2q(k), o)) << "shift " << k << " " << a.str() << " -> " << o.str();
    n += 3;
  }
  report_cases("convert/neg/shift random 16-64 bit", n);
}

TEST(FixedRandom, ConstantsAndLinearForms) {
  Gen g(0x7c0f12);
  uint64_t n = 0;
  auto rational = [&] {
    int64_t num = static_cast<int64_t>(g.bits() >> g.uniform(1, 60)) * (g.uniform(0, 1) ? 1 : -1);
    int64_t den = static_cast<int64_t>(g.bits() >> g.uniform(1, 62)) + 1;
    return Q(BI(num), BI(den));
  };
  for (int i = 0; i < kPerOp / 10; ++i) {
    Format fa = g.format({16, 32, 64}, -10, 60);
    Fixed a = g.fixed(fa);
    Q c = rational();
    Format o = out_near(g, fa.frac() + 10);
    ASSERT_EQ(mul_const(a, c, o).raw, round_ref(val(a) * c, o)) << "mul_const " << a.str() << " * " << c;
    int m = g.uniform(0, 12);
    std::vector<Q> cs;
    std::vector<Fixed> xs;
    Q k = rational(), want = k;
    for (int t = 0; t < m; ++t) {
      cs.push_back(rational());
      xs.push_back(g.fixed(g.format({16, 32, 64}, -10, 60)));
      want += cs.back() * val(xs.back());
    }
    ASSERT_EQ(linear_form(k, cs, xs, o).raw, round_ref(want, o)) << "linear_form of " << m << " terms";
    Q r = rational();
    ASSERT_EQ(Fixed::from_rational(r, o).raw, round_ref(r, o)) << "from_rational " << r;
    n += 3;
  }
  report_cases("mul_const/linear_form/from_rational random", n);
}

// Doubles decoded from their IEEE bits here (independently of frexp/ldexp in the library).
TEST(FixedRandom, FromDouble) {
  Gen g(0x7c0f13);
  uint64_t n = 0;
  auto exact = [](double d) {
    uint64_t u;
    std::memcpy(&u, &d, 8);
    bool s = u >> 63;
    int e = static_cast<int>((u >> 52) & 0x7ff);
    uint64_t m = u & ((uint64_t{1} << 52) - 1);
    Q q = e == 0 ? Q(BI(m)) * pow2q(-1074) : Q(BI(m | (uint64_t{1} << 52))) * pow2q(e - 1075);
    return s ? Q(-q) : q;
  };
  for (int i = 0; i < kPerOp; ++i) {
    double d;
    if (i % 2 == 0) {
      uint64_t u = g.bits();
      std::memcpy(&d, &u, 8);
      if (!std::isfinite(d)) continue;
    } else {
      // Moderate values and exact ties: k/2^j for small integers.
      d = std::ldexp(static_cast<double>(g.uniform(-100000, 100000)), -g.uniform(0, 30));
    }
    Format o = g.format({8, 16, 32, 64}, -20, 128);
    ASSERT_EQ(Fixed::from_double(d, o).raw, round_ref(exact(d), o)) << "from_double " << d << " -> " << o.str();
    ++n;
  }
  EXPECT_THROW(Fixed::from_double(std::nan(""), Format(8, 0)), std::invalid_argument);
  EXPECT_THROW(Fixed::from_double(HUGE_VAL, Format(8, 0)), std::invalid_argument);
  report_cases("from_double random bit patterns and ties", n);
}

// n-ary sums and dot products with many terms and mixed formats, including ones whose exact sum
// leaves 128 bits (the arbitrary-precision fallback): Q(64,128) next to Q(64,-128) spans 256 bits.
TEST(FixedRandom, SumAndDotManyTerms) {
  Gen g(0x7c0f14);
  uint64_t n_sum = 0, n_dot = 0;
  for (int i = 0; i < 4000; ++i) {
    int m = g.uniform(0, i % 10 == 0 ? 300 : 40);
    bool wide = g.uniform(0, 2) == 0;
    std::vector<Fixed> a, b;
    Q s = 0, d = 0;
    for (int t = 0; t < m; ++t) {
      Format fa = wide ? g.format({64}, -128, 128) : g.format({16, 32, 64}, -10, 40);
      Format fb = wide ? g.format({64}, -128, 128) : g.format({16, 32, 64}, -10, 40);
      a.push_back(g.fixed(fa));
      b.push_back(g.fixed(fb));
      s += val(a.back());
      d += val(a.back()) * val(b.back());
    }
    Format o = wide ? g.format({16, 32, 64}, -128, 128) : out_near(g, 40);
    ASSERT_EQ(sum(a, o).raw, round_ref(s, o)) << "sum of " << m << " terms -> " << o.str();
    ASSERT_EQ(dot(a, b, o).raw, round_ref(d, o)) << "dot of " << m << " terms -> " << o.str();
    ++n_sum;
    ++n_dot;
  }
  // Many maximal products overflow 128 bits only in their sum: 64 x (2^63)^2 = 2^132.
  std::vector<Fixed> big(64, Fixed::from_raw(INT64_MIN, Format(64, 0)));
  Format o(64, -80);
  ASSERT_EQ(dot(big, big, o).raw, round_ref(Q(64) * val(big[0]) * val(big[0]), o));
  ASSERT_EQ(sum(big, Format(64, -6)).raw, round_ref(Q(64) * val(big[0]), Format(64, -6)));
  EXPECT_THROW(dot(big, std::span<const Fixed>(big).first(3), o), std::invalid_argument);
  report_cases("sum random many terms", n_sum);
  report_cases("dot random many terms", n_dot);
}

// The exact sum -2^127 on a grid 127 bits finer than the output: the rounding shift is 127, where
// the value is exactly -1 (the library once returned 0 here).
TEST(FixedRandom, ShiftOf127OnMostNegative128BitSum) {
  std::vector<Fixed> t = {Fixed::from_raw(INT64_MIN, Format(64, 0)), Fixed::from_raw(INT64_MIN, Format(64, 0)),
                          Fixed::from_raw(0, Format(64, 63))};
  Format o(64, -64);
  Q exact = val(t[0]) + val(t[1]);
  EXPECT_EQ(round_ref(exact, o), -1);
  EXPECT_EQ(sum(t, o).raw, -1);
}

TEST(FixedCorners, RoundHalfToEvenTiesEverywhere) {
  // x.5 for x in -4..4 at every width: ties go to the even neighbour.
  for (int w : {8, 16, 32, 64}) {
    Format in(w, 1), out(w, 0);
    for (int64_t k = -4; k <= 4; ++k) {
      int64_t raw = 2 * k + 1;  // (2k+1)/2 = k + 1/2
      int64_t even = (k % 2 == 0) ? k : k + 1;
      EXPECT_EQ(convert(Fixed::from_raw(raw, in), out).raw, even) << w << " " << raw;
      EXPECT_EQ(round_ref(value_of(raw, 1), out), even);
    }
    // Saturation boundary: max + 1/2 rounds up to max+1 (odd max -> even) and then saturates.
    Fixed m = Fixed::from_raw(in.max_raw(), in);
    EXPECT_EQ(convert(m, out).raw, round_ref(val(m), out));
  }
  // Products that tie: 0.5 * 0.5 = 0.25 -> Q(8,1): 0.5 tie between 0 and 0.5 -> 0
  Format q81(8, 1), q82(8, 2);
  EXPECT_EQ(mul(Fixed::from_raw(1, q81), Fixed::from_raw(1, q81), q81).raw, 0);
  EXPECT_EQ(mul(Fixed::from_raw(3, q81), Fixed::from_raw(1, q81), q81).raw, 2);  // 0.75 -> 1.0
  EXPECT_EQ(mul(Fixed::from_raw(-3, q81), Fixed::from_raw(1, q81), q82).raw, -3);  // exact
  // A right shift is a rounding, not a floor: -3 >> 1 = -1.5 -> -2; -1 >> 1 = -0.5 -> 0.
  EXPECT_EQ(shift(Fixed::from_raw(-3, Format(8, 0)), -1, Format(8, 0)).raw, -2);
  EXPECT_EQ(shift(Fixed::from_raw(-1, Format(8, 0)), -1, Format(8, 0)).raw, 0);
  EXPECT_EQ(shift(Fixed::from_raw(-5, Format(8, 0)), -1, Format(8, 0)).raw, -2);
}
