// Compare and variable-by-variable multiply against numerics (compare, mul): exhaustive over all
// pairs of 8-bit operands, random with fixed seeds at 16 and 32 bits; depth asserted against SPEC 3.5
// section 3 (compare 1, multiply 3).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "circuits/gadgets/arith.hpp"
#include "test_gadgets_support.hpp"

namespace tc0::circuits {
namespace {

using numerics::Format;
using namespace testing;
using namespace gadgets;

TEST(GadgetArith, CompareExhaustive8BitPairs) {
  const std::pair<Format, Format> cases[] = {
      {Format(8, 0), Format(8, 0)}, {Format(8, 3), Format(8, 0)}, {Format(8, -2), Format(8, 5)}};
  for (auto [fa, fb] : cases) {
    Network ntk;
    Bus a = ntk.create_input_bus("a", fa);
    Bus b = ntk.create_input_bus("b", fb);
    GadgetStats st;
    Signal ge = compare_ge(ntk, a, b, &st);
    EXPECT_EQ(st.depth, 1u);
    EXPECT_EQ(st.gates, 1u);
    Bus out{"ge", Format(2, 0), false, {ge, kFalse}};
    ntk.add_output_bus(out);
    Checker chk{ntk};
    for (int64_t x = fa.min_raw(); x <= fa.max_raw(); ++x)
      for (int64_t y = fb.min_raw(); y <= fb.max_raw(); ++y)
        chk.check({x, y}, numerics::compare(fx(x, fa), fx(y, fb)) >= 0 ? 1 : 0);
    EXPECT_EQ(chk.failures, 0);
    EXPECT_EQ(chk.cases, 65536u);
  }
}

TEST(GadgetArith, CompareRandom32Bit) {
  std::mt19937_64 rng(32);
  Format f(32, 0);
  Network ntk;
  Bus a = ntk.create_input_bus("a", f);
  Bus b = ntk.create_input_bus("b", f);
  ntk.add_output_bus(Bus{"ge", Format(2, 0), false, {compare_ge(ntk, a, b), kFalse}});
  Batch batch(2);
  for (size_t i = 0; i < case_count(100000, 1000000); ++i) {
    int64_t x = random_raw(rng, f), y = rng() % 4 == 0 ? x + int64_t(rng() % 3) - 1 : random_raw(rng, f);
    if (!f.contains_raw(y)) y = x;
    batch.add({x, y}, x >= y);
  }
  check_batch(ntk, batch);
}

struct MulCase {
  Format a, b, out;
  bool a_signed = true, b_signed = true;
};

TEST(GadgetArith, MultiplyExhaustive8BitPairs) {
  const MulCase cases[] = {
      {Format(8, 0), Format(8, 0), Format(16, 0)},  // full 2n bits, exact
      {Format(8, 4), Format(8, 4), Format(8, 4)},   // fixed point: round 4 bits, saturate
      {Format(8, 7), Format(8, 7), Format(8, 7)},   // (-1)(-1) saturates
      {Format(8, 2), Format(8, 5), Format(10, 3)},
      {Format(8, 0), Format(8, 0), Format(6, -4)},  // coarse output grid
      {Format(8, 3), Format(8, 1), Format(12, 6)},  // output finer than the product
  };
  for (const MulCase& c : cases) {
    Network ntk;
    Bus a = ntk.create_input_bus("a", c.a);
    Bus b = ntk.create_input_bus("b", c.b);
    GadgetStats st;
    ntk.add_output_bus(multiply(ntk, a, b, c.out, {}, &st));
    EXPECT_LE(st.depth, 3u) << "SPEC section 3: multiply at depth 3";
    Batch batch(2);
    for (int64_t x = c.a.min_raw(); x <= c.a.max_raw(); ++x)
      for (int64_t y = c.b.min_raw(); y <= c.b.max_raw(); ++y)
        batch.add({x, y}, numerics::mul(fx(x, c.a), fx(y, c.b), c.out).raw);
    EXPECT_EQ(batch.size(), 65536u);
    check_batch(ntk, batch, 0, &c == &cases[0] ? 65536 : 4096);  // the scalar evaluator sees every pair of the first case
  }
}

TEST(GadgetArith, MultiplyGroupedVariant) {
  // Block-save reduction of the partial products: depth 1 + 4, fewer edges; exhaustive at 8 bits,
  // random at 16 bits.
  std::mt19937_64 rng(55);
  for (int n : {8, 16}) {
    Format f(n, n / 2);
    Network ntk;
    Bus a = ntk.create_input_bus("a", f);
    Bus b = ntk.create_input_bus("b", f);
    GadgetStats st, plain;
    ntk.add_output_bus(multiply(ntk, a, b, f, LinearFormParams{4, 16}, &st));
    EXPECT_EQ(st.depth, 5u);
    {
      Network ref;
      Bus ra = ref.create_input_bus("a", f), rb = ref.create_input_bus("b", f);
      multiply(ref, ra, rb, f, {}, &plain);
    }
    if (n == 16) {
      EXPECT_LT(st.edges, plain.edges) << "grouping saves edges at 16 bits";
    }
    Batch batch(2);
    if (n == 8) {
      for (int64_t x = f.min_raw(); x <= f.max_raw(); ++x)
        for (int64_t y = f.min_raw(); y <= f.max_raw(); ++y) batch.add({x, y}, numerics::mul(fx(x, f), fx(y, f), f).raw);
    } else {
      for (size_t i = 0; i < case_count(50000, 1000000); ++i) {
        int64_t x = random_raw(rng, f), y = random_raw(rng, f);
        batch.add({x, y}, numerics::mul(fx(x, f), fx(y, f), f).raw);
      }
    }
    check_batch(ntk, batch, 0, 500);
  }
}

TEST(GadgetArith, MultiplyUnsignedOperandsExhaustive) {
  Network ntk;
  Bus a = ntk.create_input_bus("a", Format(8, 0), false);
  Bus b = ntk.create_input_bus("b", Format(8, 0), true);
  ntk.add_output_bus(multiply_full(ntk, a, b));
  Batch batch(2);
  for (int64_t x = 0; x < 256; ++x)
    for (int64_t y = -128; y < 128; ++y) batch.add({x, y}, x * y);  // |x*y| < 2^15: exact in int64
  check_batch(ntk, batch, 0, 2000);
}

TEST(GadgetArith, MultiplyFullReferenceSizes) {
  const uint64_t reference[] = {135, 527, 2079};  // SPEC section 3 (unsigned operands)
  int i = 0;
  for (int n : {8, 16, 32}) {
    Network ntk;
    Bus a = ntk.create_input_bus("a", Format(n, 0));
    Bus b = ntk.create_input_bus("b", Format(n, 0));
    GadgetStats st;
    Bus p = multiply_full(ntk, a, b, &st);
    EXPECT_EQ(p.fmt, Format(2 * n, 0));
    EXPECT_EQ(st.depth, 3u);
    EXPECT_LE(st.gates, reference[i++] + 2);
    EXPECT_LE(st.max_weight_bits, 2 * n);
  }
}

TEST(GadgetArith, MultiplyRandom16Bit) {
  std::mt19937_64 rng(16);
  const MulCase cases[] = {{Format(16, 0), Format(16, 0), Format(32, 0)}, {Format(16, 8), Format(16, 8), Format(16, 8)}};
  for (const MulCase& c : cases) {
    Network ntk;
    Bus a = ntk.create_input_bus("a", c.a);
    Bus b = ntk.create_input_bus("b", c.b);
    GadgetStats st;
    ntk.add_output_bus(multiply(ntk, a, b, c.out, {}, &st));
    EXPECT_EQ(st.depth, 3u);
    Batch batch(2);
    for (size_t i = 0; i < case_count(100000, 1000000); ++i) {
      int64_t x = random_raw(rng, c.a), y = random_raw(rng, c.b);
      batch.add({x, y}, numerics::mul(fx(x, c.a), fx(y, c.b), c.out).raw);
    }
    check_batch(ntk, batch, 0, 200);
  }
}

TEST(GadgetArith, MultiplyRandom32Bit) {
  // The 32-bit multiplier has ~0.5 M edges with weights near 2^63 (128-bit lanes): a few thousand
  // cases by default, 10^5 in the slow run.
  std::mt19937_64 rng(3232);
  const MulCase cases[] = {{Format(32, 0), Format(32, 0), Format(64, 0)}, {Format(32, 16), Format(32, 16), Format(32, 16)}};
  for (const MulCase& c : cases) {
    Network ntk;
    Bus a = ntk.create_input_bus("a", c.a);
    Bus b = ntk.create_input_bus("b", c.b);
    GadgetStats st;
    ntk.add_output_bus(multiply(ntk, a, b, c.out, {}, &st));
    EXPECT_EQ(st.depth, 3u);
    Batch batch(2);
    for (size_t i = 0; i < case_count(2000, 100000); ++i) {
      int64_t x = random_raw(rng, c.a), y = random_raw(rng, c.b);
      batch.add({x, y}, numerics::mul(fx(x, c.a), fx(y, c.b), c.out).raw);
    }
    check_batch(ntk, batch, 0, 20);
  }
}

}  // namespace
}  // namespace tc0::circuits
