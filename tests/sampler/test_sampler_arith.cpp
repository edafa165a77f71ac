// FixedArith against exact rational arithmetic: every fused operation must equal the exact value
// rounded once (half to even, then saturated) by numerics' rational rounding, an independent path.
#include <gtest/gtest.h>

#include "numerics/rounding.hpp"
#include "sampler/arith_fixed.hpp"
#include "sampler/noise.hpp"

using namespace tc0::sampler;
using tc0::numerics::round_to_format;

namespace {

struct Gen {
  Xoshiro256ss g{20261126};
  int64_t range(int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(g.next() % static_cast<uint64_t>(hi - lo + 1)); }
  Format fmt() {
    int w = static_cast<int>(range(2, 20));
    return Format(w, static_cast<int>(range(-4, 24)));
  }
  Fixed fixed(Format f) { return Fixed{range(f.min_raw(), f.max_raw()), f}; }
  Fixed fixed() { return fixed(fmt()); }
  Rational coef() {
    // dyadic most of the time, sometimes a third (the non-dyadic path)
    Rational q(range(-300, 300), int64_t(1) << range(0, 12));
    return range(0, 5) == 0 ? q / 3 : q;
  }
};

}  // namespace

TEST(FixedArith, LinearEqualsRoundedExactValue) {
  Gen g;
  FixedArith a;
  for (int rep = 0; rep < 3000; ++rep) {
    size_t n = static_cast<size_t>(g.range(0, 12));
    Format wf = g.fmt(), out = g.fmt();
    std::vector<Const> w, bias;
    std::vector<Fixed> x;
    Rational exact = g.coef();
    Rational offset = exact;
    for (size_t i = 0; i < n; ++i) {
      Fixed wi = g.fixed(wf);
      w.push_back(Const{wi.to_double(), wi});
      x.push_back(g.fixed());
      exact += wi.to_rational() * x.back().to_rational();
    }
    for (int b = 0; b < g.range(0, 2); ++b) {
      Fixed bi = g.fixed();
      bias.push_back(Const{bi.to_double(), bi});
      exact += bi.to_rational();
    }
    Fixed got = a.linear(w, x, bias, offset, out);
    ASSERT_EQ(got.raw, round_to_format(exact, out)) << "case " << rep;
    ASSERT_EQ(got.fmt, out);
  }
}

TEST(FixedArith, LincombDotMulAddEqualRoundedExactValue) {
  Gen g;
  FixedArith a;
  for (int rep = 0; rep < 3000; ++rep) {
    size_t n = static_cast<size_t>(g.range(1, 10));
    Format out = g.fmt();
    std::vector<Rational> c;
    std::vector<Fixed> x, y;
    Rational off = g.coef(), scale = g.coef();
    Rational lin = off, dotsum = 0;
    for (size_t i = 0; i < n; ++i) {
      c.push_back(g.coef());
      x.push_back(g.fixed());
      y.push_back(g.fixed());
      lin += c.back() * x.back().to_rational();
      dotsum += x.back().to_rational() * y.back().to_rational();
    }
    ASSERT_EQ(a.lincomb(off, c, x, out).raw, round_to_format(lin, out)) << "lincomb case " << rep;
    ASSERT_EQ(a.dot(x, y, scale, off, out).raw, round_to_format(dotsum * scale + off, out)) << "dot case " << rep;
    ASSERT_EQ(a.dot(x, y, Rational(1), Rational(0), out).raw, round_to_format(dotsum, out)) << "plain dot " << rep;
    Rational fma = x[0].to_rational() * y[0].to_rational() + x[n - 1].to_rational();
    ASSERT_EQ(a.mul_add(x[0], y[0], x[n - 1], out).raw, round_to_format(fma, out)) << "mul_add case " << rep;
    Rational mx = x[0].to_rational();
    for (auto& v : x) mx = std::max(mx, v.to_rational());
    ASSERT_EQ(a.max(x, out).raw, round_to_format(mx, out)) << "max case " << rep;
  }
}

TEST(FixedArith, WideAccumulatorsFallBackExactly) {
  // products near 2^126 and widely spread fractions force the arbitrary-precision path
  FixedArith a;
  Format big(64, 0), fine(64, 60), out(64, 10);
  std::vector<Fixed> x{Fixed{big.max_raw(), big}, Fixed{big.min_raw(), big}, Fixed{fine.max_raw(), fine}};
  std::vector<Fixed> y{Fixed{big.max_raw(), big}, Fixed{big.max_raw(), big}, Fixed{fine.min_raw(), fine}};
  Rational exact = 0;
  for (size_t i = 0; i < 3; ++i) exact += x[i].to_rational() * y[i].to_rational();
  EXPECT_EQ(a.dot(x, y, Rational(1), Rational(0), out).raw, round_to_format(exact, out));
  std::vector<Rational> c{Rational(1), Rational(1), Rational(1)};
  Rational lin = x[0].to_rational() + x[1].to_rational() + x[2].to_rational();
  EXPECT_EQ(a.lincomb(Rational(0), c, x, Format(40, 30)).raw, round_to_format(lin, Format(40, 30)));
}

TEST(FixedArith, TrigIsCorrectlyRoundedAgainstLongDouble) {
  FixedArith a;
  Format out(16, 14);
  for (int k = -40; k <= 40; ++k) {
    Rational q(k, 7);
    double ref = std::cos(static_cast<double>(k) / 7.0);
    Fixed got = a.trig(Trig::cos, q, out);
    // the correctly rounded value is within half an LSB of the true value (double error ~1e-16)
    EXPECT_LE(std::abs(got.to_double() - ref), 0.5 * out.lsb() + 1e-12) << k;
    Fixed s = a.trig(Trig::sin, q, out);
    EXPECT_LE(std::abs(s.to_double() - std::sin(static_cast<double>(k) / 7.0)), 0.5 * out.lsb() + 1e-12) << k;
  }
  EXPECT_EQ(a.trig(Trig::cos, Rational(0), out).to_double(), 1.0);
  EXPECT_EQ(a.trig(Trig::sin, Rational(0), out).raw, 0);
}
