// Linear-form gadgets (add/sub, iterated add, constant multiply, constant dot product, grouped
// variants) against the fixed-point semantics of numerics/fixed.hpp: exhaustive where inputs total
// <= 24 bits, random with fixed seeds beyond; depth asserted against SPEC section 3.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "circuits/gadgets/arith.hpp"
#include "circuits/gadgets/linear_form.hpp"
#include "test_gadgets_support.hpp"

namespace tc0::circuits {
namespace {

using numerics::Format;
using numerics::Rational;
using namespace testing;
using namespace gadgets;

struct AddCase {
  Format a, b, out;
  bool subtract;
};

TEST(GadgetLinear, AddSubExhaustive8Bit) {
  const AddCase cases[] = {
      {Format(8, 0), Format(8, 0), Format(9, 0), false},  // plain n+1-bit add: exact
      {Format(8, 0), Format(8, 0), Format(9, 0), true},
      {Format(8, 3), Format(8, 2), Format(8, 1), false},  // round 2 bits, saturate
      {Format(8, 4), Format(8, 4), Format(6, 2), true},   // round + heavy saturation
      {Format(8, 0), Format(8, 2), Format(8, 0), false},
      {Format(8, 1), Format(8, 1), Format(8, 3), false},  // output finer than inputs (left shift)
      {Format(8, 5), Format(8, -1), Format(10, 0), true},
      {Format(8, 7), Format(8, 7), Format(2, 0), false},  // narrowest output
      {Format(8, 0), Format(8, 0), Format(8, -3), true},  // coarse output grid (f < 0)
  };
  for (const AddCase& c : cases) {
    Network ntk;
    Bus a = ntk.create_input_bus("a", c.a);
    Bus b = ntk.create_input_bus("b", c.b);
    GadgetStats st;
    ntk.add_output_bus(c.subtract ? sub(ntk, a, b, c.out, {}, &st) : add(ntk, a, b, c.out, {}, &st));
    EXPECT_LE(st.depth, 2u) << "SPEC section 3: add/sub at depth 2";
    Checker chk{ntk};
    for (int64_t x = c.a.min_raw(); x <= c.a.max_raw(); ++x)
      for (int64_t y = c.b.min_raw(); y <= c.b.max_raw(); ++y) {
        auto r = c.subtract ? numerics::sub(fx(x, c.a), fx(y, c.b), c.out) : numerics::add(fx(x, c.a), fx(y, c.b), c.out);
        chk.check({x, y}, r.raw);
      }
    EXPECT_EQ(chk.failures, 0) << c.a.str() << (c.subtract ? " - " : " + ") << c.b.str() << " -> " << c.out.str();
    EXPECT_EQ(chk.cases, 65536u);
  }
}

TEST(GadgetLinear, AddExactDepthAndSize) {
  for (int n : {8, 16, 32}) {
    Network ntk;
    Bus a = ntk.create_input_bus("a", Format(n, 0));
    Bus b = ntk.create_input_bus("b", Format(n, 0));
    GadgetStats st;
    Bus s = add_exact(ntk, a, b, &st);
    EXPECT_EQ(s.fmt, Format(n + 1, 0));
    EXPECT_EQ(st.depth, 2u);
    EXPECT_LE(st.gates, uint64_t(2 * n + 2)) << "SPEC 3.5 reference 2n for unsigned operands, a gate or two more signed";
  }
}

TEST(GadgetLinear, AddSubRandom16And32Bit) {
  std::mt19937_64 rng(1603);
  for (int n : {16, 32}) {
    Format fa(n, n / 2), fb(n, n / 2 - 3), out(n, n / 2 - 2);
    for (bool subtract : {false, true}) {
      Network ntk;
      Bus a = ntk.create_input_bus("a", fa);
      Bus b = ntk.create_input_bus("b", fb);
      GadgetStats st;
      ntk.add_output_bus(subtract ? sub(ntk, a, b, out, {}, &st) : add(ntk, a, b, out, {}, &st));
      EXPECT_LE(st.depth, 2u);
      Batch batch(2);
      size_t count = case_count(100000, 1000000);
      for (size_t i = 0; i < count; ++i) {
        int64_t x = random_raw(rng, fa), y = random_raw(rng, fb);
        auto r = subtract ? numerics::sub(fx(x, fa), fx(y, fb), out) : numerics::add(fx(x, fa), fx(y, fb), out);
        batch.add({x, y}, r.raw);
      }
      check_batch(ntk, batch);
    }
  }
}

TEST(GadgetLinear, IteratedAddExhaustiveThreeSixBitTerms) {
  // 3 x 6 = 18 input bits: every combination, exact and rounded/saturated outputs.
  Format in(6, 2);
  for (Format out : {Format(8, 2), Format(6, 1), Format(5, 0), Format(9, 4)}) {
    Network ntk;
    std::vector<Bus> xs;
    for (int i = 0; i < 3; ++i) xs.push_back(ntk.create_input_bus(fmt::format("x{}", i), in));
    GadgetStats st;
    ntk.add_output_bus(sum_buses(ntk, xs, out, {}, &st));
    EXPECT_LE(st.depth, 2u);
    Batch batch(3);
    for (int64_t a = in.min_raw(); a <= in.max_raw(); ++a)
      for (int64_t b = in.min_raw(); b <= in.max_raw(); ++b)
        for (int64_t c = in.min_raw(); c <= in.max_raw(); ++c) {
          numerics::Fixed t[3] = {fx(a, in), fx(b, in), fx(c, in)};
          batch.add({a, b, c}, numerics::sum(t, out).raw);
        }
    EXPECT_EQ(batch.size(), 1u << 18);
    check_batch(ntk, batch, 0, 5000);
  }
}

TEST(GadgetLinear, IteratedAddEightTermsRandomAndReferenceSize) {
  const uint64_t reference_gates[] = {66, 130, 258};  // SPEC section 3, m = 8, unsigned
  std::mt19937_64 rng(77);
  int idx = 0;
  for (int n : {8, 16, 32}) {
    Format in(n, 0);
    for (Format out : {Format(n + 3, 0), Format(n, -2)}) {
      Network ntk;
      std::vector<Bus> xs;
      for (int i = 0; i < 8; ++i) xs.push_back(ntk.create_input_bus(fmt::format("x{}", i), in));
      GadgetStats st;
      ntk.add_output_bus(sum_buses(ntk, xs, out, {}, &st));
      EXPECT_EQ(st.depth, 2u);
      if (out.width() == n + 3) {
        EXPECT_LE(st.gates, reference_gates[idx]);
      }
      Batch batch(8);
      size_t count = case_count(n == 32 ? 20000 : 100000, 1000000);
      for (size_t i = 0; i < count; ++i) {
        std::vector<int64_t> raw;
        std::vector<numerics::Fixed> t;
        for (int k = 0; k < 8; ++k) raw.push_back(random_raw(rng, in)), t.push_back(fx(raw.back(), in));
        batch.add(raw, numerics::sum(t, out).raw);
      }
      check_batch(ntk, batch);
    }
    ++idx;
  }
}

TEST(GadgetLinear, MulConstAll16BitInputs) {
  // Every 16-bit input for several constants (negative, > 1, tiny) and output formats.
  Format in(16, 8);
  struct C {
    Constant c;
    Format out;
  } cases[] = {{{181, 8}, Format(16, 8)},   {{-3, 0}, Format(16, 6)},  {{5, 1}, Format(12, 2)},
               {{-32767, 15}, Format(16, 15)}, {{1, 20}, Format(8, 12)}, {{-1, 0}, Format(16, 8)}};
  for (const C& c : cases) {
    Network ntk;
    Bus x = ntk.create_input_bus("x", in);
    GadgetStats st;
    ntk.add_output_bus(mul_const(ntk, x, c.c, c.out, {}, &st));
    EXPECT_LE(st.depth, 2u);
    Rational cq = Rational(numerics::BigInt(int64_t(c.c.raw))) / Rational(numerics::BigInt(1) << c.c.frac);
    Batch batch(1);
    for (int64_t v = in.min_raw(); v <= in.max_raw(); ++v) batch.add({v}, numerics::mul_const(fx(v, in), cq, c.out).raw);
    check_batch(ntk, batch, 0, 2000);
  }
}

// 64-term constant dot products (wide linear forms), plain depth 2 and grouped (depth 4, 6). The
// reference is numerics::dot with the constant K as a 65th product K * 1.
TEST(GadgetLinear, DotConst64TermsAllVariants) {
  std::mt19937_64 rng(4242);
  for (int n : {8, 16}) {
    Format in(n, n / 2), out(n, n / 2 - 1), cf(8, 7);
    std::vector<Constant> c;
    std::vector<numerics::Fixed> cfix;
    for (int i = 0; i < 64; ++i) {
      int64_t raw = int64_t(rng() % 255) - 127;
      c.push_back({raw, 7});
      cfix.push_back(fx(raw, cf));
    }
    Constant k{-5, 3};
    cfix.push_back(fx(-5, Format(8, 3)));
    Batch batch(64);
    size_t count = case_count(n == 8 ? 4000 : 1000, 100000);
    for (size_t i = 0; i < count; ++i) {
      std::vector<int64_t> raw;
      std::vector<numerics::Fixed> t;
      for (int j = 0; j < 64; ++j) raw.push_back(random_raw(rng, in)), t.push_back(fx(raw.back(), in));
      t.push_back(fx(1, Format(2, 0)));
      batch.add(raw, numerics::dot(cfix, t, out).raw);
    }
    for (auto [budget, group] : {std::pair{2, 0u}, std::pair{4, 16u}, std::pair{4, 7u}, std::pair{6, 5u}}) {
      // The depth-2 form at 16 bits has 1.5 M edges: only in the slow run.
      if (n == 16 && budget == 2 && case_count(0, 1) == 0) continue;
      Network ntk;
      std::vector<Bus> xs;
      for (int i = 0; i < 64; ++i) xs.push_back(ntk.create_input_bus(fmt::format("x{}", i), in));
      GadgetStats st;
      ntk.add_output_bus(dot_const(ntk, k, c, xs, out, LinearFormParams{budget, group}, &st));
      EXPECT_LE(st.depth, uint32_t(budget)) << "budget " << budget;
      if (budget > 2) {
        EXPECT_GT(st.depth, 2u) << "grouping used";
      }
      check_batch(ntk, batch, 0, 20);
    }
  }
}

TEST(GadgetLinear, GroupingCutsEdges) {
  auto edges = [](int budget) {
    Network ntk;
    LinearForm lf;
    for (int i = 0; i < 64; ++i) append_bus_terms(lf, ntk.create_input_bus(fmt::format("x{}", i), Format(8, 0)), 1, 0, "t");
    GadgetStats st;
    linear_form_bus(ntk, lf, Format(14, 0), LinearFormParams{budget, 16}, &st);
    return st.edges;
  };
  EXPECT_LT(edges(4) * 3, edges(2));
}

TEST(GadgetLinear, ExactSumBusRandomWeights) {
  // Arbitrary signed weights (not powers of two) on 12 free bits: all 4096 assignments.
  std::mt19937_64 rng(9);
  for (int rep = 0; rep < 5; ++rep) {
    Network ntk;
    Bus in = ntk.create_input_bus("z", Format(12, 0), false);
    std::vector<Term> terms;
    std::vector<int64_t> w;
    for (int i = 0; i < 12; ++i) {
      w.push_back(int64_t(rng() % 2001) - 1000);
      terms.push_back({in.bits[i], w.back()});
    }
    terms.push_back({in.bits[3], 77});  // a repeated signal
    w[3] += 77;
    terms.push_back({!in.bits[5], -13});  // a complemented signal: -13 (1 - z5)
    Bus s = exact_sum_bus(ntk, terms);
    ntk.add_output_bus(s);
    Checker chk{ntk};
    for (int64_t v = 0; v < 4096; ++v) {
      int64_t want = -13;
      for (int i = 0; i < 12; ++i)
        if (v >> i & 1) want += w[i] + (i == 5 ? 13 : 0);
      chk.check({v}, want);
    }
    EXPECT_EQ(chk.failures, 0);
  }
}

TEST(GadgetLinear, ConstantTermsAndConstantForms) {
  // Terms on the constant signals fold into K; a form without terms gives constant bits.
  for (int64_t k = -300; k <= 300; k += 7) {
    Network ntk;
    Bus x = ntk.create_input_bus("x", Format(4, 0));
    LinearForm lf;
    lf.frac = 2;
    lf.constant = k;
    lf.terms.push_back({kTrue, 3});    // +3
    lf.terms.push_back({kFalse, 100});  // +0
    append_bus_terms(lf, x, 4, 0, "t");  // 4x
    ntk.add_output_bus(linear_form_bus(ntk, lf, Format(8, 0)));
    for (int64_t v = -8; v < 8; ++v) {
      numerics::Fixed t[2] = {fx(k + 3, Format(16, 2)), fx(4 * v, Format(16, 2))};
      EXPECT_EQ(evaluate_buses(ntk, {v})[0], numerics::sum(t, Format(8, 0)).raw) << "k " << k << " x " << v;
    }
  }
}

TEST(GadgetLinear, RefusesBadRequests) {
  Network ntk;
  Bus x = ntk.create_input_bus("x", Format(8, 0));
  LinearForm lf;
  append_bus_terms(lf, x, 1, 0, "t");
  EXPECT_THROW(linear_form_bus(ntk, lf, Format(8, 0), LinearFormParams{1, 0}), CircuitError);
  EXPECT_THROW(linear_form_bus(ntk, lf, Format(8, 0), LinearFormParams{4, 1}), CircuitError);
  // Weights beyond 2^124 are refused, never wrapped.
  LinearForm huge;
  huge.terms.push_back({x.bits[0], Weight(1) << 125});
  EXPECT_THROW(linear_form_bus(ntk, huge, Format(8, 0)), CircuitError);
  EXPECT_THROW(dot_const(ntk, Constant{0, 0}, std::vector<Constant>{{1, 0}, {1, 0}}, std::vector<Bus>{x}, Format(8, 0)),
               CircuitError);
}

}  // namespace
}  // namespace tc0::circuits
