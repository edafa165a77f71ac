// The tight bounds k of the SPEC 5 identities against exhaustive enumeration with numerics/ (an
// independent reference): for the 8-bit format sets every input of the two-variable identities is
// enumerated, so the solver's k must equal the enumerated maximum; three-variable identities are
// sampled (seeded), and no sample may exceed the proved k.
#include <gtest/gtest.h>

#include <random>

#include "numerics/fixed.hpp"
#include "proofs/identities.hpp"

using namespace tc0;
using namespace tc0::proofs;
using numerics::Fixed;
using numerics::Rational;

namespace {

const IdentityFormats& set(const std::string& name) {
  for (auto& s : identity_format_sets())
    if (s.name == name) return s;
  throw std::runtime_error("no set " + name);
}

int64_t lf(std::vector<Rational> c, std::vector<Fixed> x, numerics::Format out) {
  return numerics::linear_form(Rational(0), c, x, out).raw;
}

bool fits(const Rational& q, numerics::Format f) {
  // round(q) lies in range <=> no saturation: compare against the unsaturated rounding.
  numerics::BigInt r = numerics::round_div_half_even(numerator(q) << f.frac(), denominator(q));
  return r >= f.min_raw() && r <= f.max_raw();
}

QueryOptions opt() {
  QueryOptions o;
  o.timeout_ms = 60000;
  return o;
}

}  // namespace

TEST(Identities, AdditivityMatchesExhaustiveMaximum) {
  for (const char* name : {"q8-mixed"}) {
    const IdentityFormats& f = set(name);
    for (bool sat : {true, false}) {
      ObligationResult r = prove_additivity(f, sat, opt());
      ASSERT_EQ(r.verdict, Verdict::proved) << name << " " << r.detail;
      int64_t worst = 0;
      Rational h1 = f.h1.rational(), h2 = f.h2.rational();
      for (int64_t a = f.u.min_raw(); a <= f.u.max_raw(); ++a)
        for (int64_t b = f.u.min_raw(); b <= f.u.max_raw(); ++b) {
          Fixed x = Fixed::from_raw(a, f.u), y = Fixed::from_raw(b, f.u);
          Rational p1 = h1 * x.to_rational(), p2 = h2 * y.to_rational();
          if (!sat && !(fits(p1, f.z) && fits(p2, f.z) && fits(p1 + p2, f.z))) continue;
          int64_t d = lf({h1, h2}, {x, y}, f.z) - lf({h1}, {x}, f.z) - lf({h2}, {y}, f.z);
          worst = std::max(worst, d < 0 ? -d : d);
        }
      EXPECT_EQ(*r.k, std::to_string(worst)) << name << (sat ? " with saturation" : " without saturation");
    }
  }
}

TEST(Identities, RoundOnceIsHalfLsbAndTight) {
  for (auto& f : identity_format_sets()) {
    ObligationResult r = prove_round_once(f, opt());
    ASSERT_EQ(r.verdict, Verdict::proved) << f.name << " " << r.detail;
    // z - h1 u is exact on z's grid when h1 u has no more fraction bits than z (the demo set):
    // then no rounding happens at all (k = 0); otherwise half an LSB, tight (k = 1).
    const bool on_grid = f.u.frac() + f.h1.frac <= f.z.frac();
    EXPECT_EQ(*r.k, on_grid ? "0" : "1") << f.name;
  }
}

TEST(Identities, SampledInputsNeverExceedProvedK) {
  std::mt19937_64 rng(5);
  auto pick = [&](numerics::Format fm) {
    return Fixed::from_raw(fm.min_raw() + int64_t(rng() % uint64_t(fm.max_raw() - fm.min_raw() + 1)), fm);
  };
  for (const char* name : {"q8", "q8-mixed"}) {
    const IdentityFormats& f = set(name);
    Rational h1 = f.h1.rational(), h2 = f.h2.rational(), h = h1 + h2;
    ObligationResult two = prove_two_step(f, true, opt());
    ObligationResult mf = prove_mf1_mf2(f, true, opt());
    ASSERT_EQ(two.verdict, Verdict::proved);
    ASSERT_EQ(mf.verdict, Verdict::proved);
    int64_t k_two = std::stoll(*two.k), k_mf = std::stoll(*mf.k), seen_two = 0, seen_mf = 0;
    for (int i = 0; i < 6000; ++i) {
      Fixed z = pick(f.z), u1 = pick(f.u), u2 = pick(f.u), v = pick(f.v), a = pick(f.a);
      Fixed mid = Fixed::from_raw(lf({1, -h1}, {z, u1}, f.z), f.z);
      int64_t d = lf({1, -h2}, {mid, u2}, f.z) - lf({1, -h1, -h2}, {z, u1, u2}, f.z);
      seen_two = std::max(seen_two, std::abs(d));
      Fixed u = Fixed::from_rational(v.to_rational() - h / 2 * a.to_rational(), f.u);
      int64_t e = lf({1, -h}, {z, u}, f.z) - lf({1, -h, h * h / 2}, {z, v, a}, f.z);
      seen_mf = std::max(seen_mf, std::abs(e));
    }
    EXPECT_LE(seen_two, k_two) << name;
    EXPECT_LE(seen_mf, k_mf) << name;
    EXPECT_GT(seen_two, 0) << name;  // the samples do exercise the rounding
  }
}

TEST(Identities, ExactAndBoundaryCasesAreZero) {
  const IdentityFormats& f = set("q8");
  ObligationResult b = prove_boundary(f, opt());
  ASSERT_EQ(b.verdict, Verdict::proved);
  EXPECT_EQ(*b.k, "0");
  ObligationResult m = prove_mf1_mf2(f, false, opt());
  ASSERT_EQ(m.verdict, Verdict::proved);
  EXPECT_EQ(*m.k, "0");
  ObligationResult t = prove_two_step(f, false, opt());
  ASSERT_EQ(t.verdict, Verdict::proved);
  EXPECT_EQ(*t.k, "1");  // two half-LSB roundings against one: k = 1, and tight
  EXPECT_FALSE(t.evidence.is_null());
}
