// Correctly rounded unary functions: every entry of 12-bit tables (several format pairs) against
// an independent 256-bit MPFR evaluation with exact rational rounding; random wide inputs through
// correctly_rounded(); names, errors, caching and thread safety of Table.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <thread>

#include "numerics/functions.hpp"
#include "tests/numerics/mpfr_reference.hpp"

using namespace tc0::numerics;
using tc0::test::MpfrRef;
using tc0::test::report_cases;

namespace {

struct Pair {
  Format in, out;
};

// Realistic activation formats plus ones that saturate, narrow, use integer inputs, and (Q(12,2) ->
// Q(12,0)) put many exact values on rounding ties: sqrt(k^2 + k + 1/4) = k + 1/2, exp2(-1) = 1/2,
// 1/2, sigmoid(0) = 1/2.
const std::vector<Pair> kPairs12 = {
    {Format(12, 8), Format(12, 10)}, {Format(12, 4), Format(16, 8)}, {Format(12, 10), Format(16, 14)},
    {Format(12, 2), Format(12, 0)},  {Format(12, 6), Format(8, 6)},  {Format(12, 0), Format(16, 4)},
};

void check_table(UnaryFn fn, Format in, Format out, MpfrRef& ref, uint64_t& cases) {
  Table t(fn, in, out);
  ASSERT_EQ(t.size(), size_t{1} << in.width());
  for (int64_t raw = in.min_raw(); raw <= in.max_raw(); ++raw) {
    auto want = ref.expected(fn, raw, in, out);
    ASSERT_TRUE(want.has_value()) << name(fn) << " raw " << raw << ": reference cannot decide";
    ASSERT_EQ(t.lookup(raw), *want) << name(fn) << "(raw " << raw << " in " << in.str() << ") -> " << out.str();
    ++cases;
  }
}

}  // namespace

TEST(Functions, Every12BitTableEntryAgainstMpfr256) {
  MpfrRef ref;
  uint64_t cases = 0;
  for (UnaryFn fn : all_unary_fns())
    for (const Pair& p : kPairs12) check_table(fn, p.in, p.out, ref, cases);
  report_cases("function tables, every 12-bit entry", cases);
  report_cases("function tables, exact ties met", ref.exact_ties());
  report_cases("function tables, values within 2^-100 LSB of a tie", ref.near_ties());
  EXPECT_EQ(cases, all_unary_fns().size() * kPairs12.size() * 4096);
  EXPECT_GT(ref.exact_ties(), 20u);  // the tie pair really exercises ties
  EXPECT_GT(ref.near_ties(), 20u);   // and values such as gelu(43.5) = 43.5 - 2^-8600
}

TEST(Functions, ExactTiesRoundToEven) {
  Format q20(12, 2), q0(12, 0);
  // sqrt(2.25) = 1.5 -> 2, sqrt(6.25) = 2.5 -> 2, sqrt(12.25) = 3.5 -> 4
  EXPECT_EQ(correctly_rounded(UnaryFn::sqrt, 9, q20, q0), 2);
  EXPECT_EQ(correctly_rounded(UnaryFn::sqrt, 25, q20, q0), 2);
  EXPECT_EQ(correctly_rounded(UnaryFn::sqrt, 49, q20, q0), 4);
  // exp2(-1) = 0.5 -> 0, exp2(0.5)... is irrational; reciprocal(2) = 0.5 -> 0, reciprocal(0.5) = 2
  // exactly, reciprocal(2/3)... is not dyadic; sigmoid(0) = 0.5 -> 0; rsqrt(0.25) = 2 exactly.
  EXPECT_EQ(correctly_rounded(UnaryFn::exp2, -4, q20, q0), 0);
  EXPECT_EQ(correctly_rounded(UnaryFn::reciprocal, 8, q20, q0), 0);
  EXPECT_EQ(correctly_rounded(UnaryFn::reciprocal, 2, q20, q0), 2);
  EXPECT_EQ(correctly_rounded(UnaryFn::sigmoid, 0, q20, q0), 0);
  EXPECT_EQ(correctly_rounded(UnaryFn::rsqrt, 1, q20, q0), 2);
  // exp2(1.5 - 1) is not a tie, but exp2(-1) at Q(12,2) -> Q(12,1) is exact 0.5 on the grid.
  EXPECT_EQ(correctly_rounded(UnaryFn::exp2, -4, q20, Format(12, 1)), 1);
  // Values that approach a tie but never reach it: gelu(43.5) = 43.5 - 2^-8600 -> 43 (not the
  // even 44); silu(74.5) = 74.5 - 2^-101 -> 74; tanh(x) < 1 -> 0 at LSB 2 (f = -1).
  EXPECT_EQ(correctly_rounded(UnaryFn::gelu_tanh, 174, q20, q0), 43);
  EXPECT_EQ(correctly_rounded(UnaryFn::silu, 298, q20, q0), 74);
  EXPECT_EQ(correctly_rounded(UnaryFn::gelu_erf, 174, q20, q0), 43);
  EXPECT_EQ(correctly_rounded(UnaryFn::tanh, 400, q20, Format(8, -1)), 0);
  EXPECT_EQ(correctly_rounded(UnaryFn::sigmoid, 400, q20, Format(8, -1)), 0);
  CertifyStats st;
  EXPECT_EQ(correctly_rounded(UnaryFn::sqrt, 9, q20, q0, &st), 2);
  EXPECT_TRUE(st.exact);
  EXPECT_EQ(correctly_rounded(UnaryFn::exp, 1, q20, q0, &st), 1);
  EXPECT_FALSE(st.exact);
}

TEST(Functions, DomainRules) {
  Format in(8, 4), out(8, 4);
  EXPECT_EQ(correctly_rounded(UnaryFn::reciprocal, 0, in, out), out.max_raw());
  EXPECT_EQ(correctly_rounded(UnaryFn::rsqrt, 0, in, out), out.max_raw());
  EXPECT_EQ(correctly_rounded(UnaryFn::rsqrt, -5, in, out), out.max_raw());
  EXPECT_EQ(correctly_rounded(UnaryFn::log, 0, in, out), out.min_raw());
  EXPECT_EQ(correctly_rounded(UnaryFn::log, -1, in, out), out.min_raw());
  EXPECT_EQ(correctly_rounded(UnaryFn::sqrt, -7, in, out), 0);
  EXPECT_EQ(correctly_rounded(UnaryFn::sqrt, 0, in, out), 0);
  EXPECT_THROW(correctly_rounded(UnaryFn::exp, 128, in, out), FormatError);
}

TEST(Functions, RandomWideInputsAgainstMpfr256) {
  // Wide formats exercise the precision choice: outputs of 32 and 64 bits need > 64 bits.
  const std::vector<Pair> pairs = {{Format(32, 24), Format(32, 28)},
                                   {Format(32, 16), Format(48, 30)},
                                   {Format(64, 56), Format(64, 60)},
                                   {Format(20, 12), Format(64, 50)},
                                   {Format(40, -8), Format(24, 4)}};
  MpfrRef ref;
  std::mt19937_64 rng(20261126);
  uint64_t cases = 0;
  for (UnaryFn fn : all_unary_fns()) {
    for (const Pair& p : pairs) {
      for (int i = 0; i < 200; ++i) {
        int64_t raw;
        // Half uniform bit patterns, half small magnitudes where the functions are not saturated.
        if (i % 2 == 0) raw = std::uniform_int_distribution<int64_t>(p.in.min_raw(), p.in.max_raw())(rng);
        else {
          int64_t span = int64_t{1} << std::clamp(p.in.frac() + 3, 0, 62);
          raw = std::uniform_int_distribution<int64_t>(-span, span)(rng);
        }
        if (!p.in.contains_raw(raw)) raw = p.in.max_raw();
        auto want = ref.expected(fn, raw, p.in, p.out);
        ASSERT_TRUE(want.has_value()) << name(fn) << " raw " << raw;
        ASSERT_EQ(correctly_rounded(fn, raw, p.in, p.out), *want)
            << name(fn) << "(raw " << raw << " in " << p.in.str() << ") -> " << p.out.str();
        ++cases;
      }
    }
  }
  report_cases("correctly_rounded random wide inputs", cases);
}

TEST(Functions, NamesRoundTripAndUnknownNameListsValidOnes) {
  EXPECT_EQ(all_unary_fns().size(), 11u);
  for (UnaryFn fn : all_unary_fns()) EXPECT_EQ(unary_fn_from_name(name(fn)), fn);
  try {
    unary_fn_from_name("softplus");
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("softplus"), std::string::npos);
    EXPECT_NE(m.find("gelu_erf"), std::string::npos);
    EXPECT_NE(m.find("reciprocal"), std::string::npos);
  }
}

TEST(Functions, TableRefusesWideInputsAndChecksRange) {
  try {
    apply(UnaryFn::exp, Fixed::from_raw(0, Format(17, 8)), Format(16, 8));
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("convert"), std::string::npos) << e.what();
  }
  EXPECT_THROW(Table::get(UnaryFn::exp, Format(24, 8), Format(16, 8)), std::invalid_argument);
  const Table& t = Table::get(UnaryFn::tanh, Format(8, 5), Format(8, 7));
  EXPECT_THROW(t.at(128), FormatError);
  EXPECT_EQ(t.at(-128), t.lookup(-128));
}

TEST(Functions, TableCacheIsSharedAndThreadSafe) {
  Format in(10, 6), out(12, 10);
  const Table* seen[4] = {};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) threads.emplace_back([&, i] { seen[i] = &Table::get(UnaryFn::gelu_erf, in, out); });
  for (auto& th : threads) th.join();
  for (int i = 1; i < 4; ++i) EXPECT_EQ(seen[i], seen[0]);
  EXPECT_EQ(&Table::get(UnaryFn::gelu_erf, in, out), seen[0]);
  EXPECT_NE(&Table::get(UnaryFn::gelu_tanh, in, out), seen[0]);
  // apply() goes through the same table and agrees with a direct certified evaluation.
  for (int64_t raw : {int64_t{-512}, int64_t{-1}, int64_t{0}, int64_t{77}, int64_t{511}}) {
    Fixed y = apply(UnaryFn::gelu_erf, Fixed::from_raw(raw, in), out);
    EXPECT_EQ(y.fmt, out);
    EXPECT_EQ(y.raw, correctly_rounded(UnaryFn::gelu_erf, raw, in, out));
  }
}

// The precision-doubling path: starting at 64 bits with 64-bit outputs whose LSB sits near the 62nd
// bit of the value leaves about 2 bits of margin, so many entries need retries; results must still
// match the reference and the default start.
TEST(Functions, RetriesWhenThePrecisionDoesNotDecide) {
  struct Case {
    UnaryFn fn;
    Format in, out;
    int64_t lo, hi;
  };
  const Format in(16, 10);
  const std::vector<Case> cases_list = {
      {UnaryFn::exp, in, Format(64, 42), 13926, 14300},        // e^x ~ 2^20
      {UnaryFn::exp2, in, Format(64, 42), 19968, 20400},       // 2^x ~ 2^20
      {UnaryFn::tanh, in, Format(64, 62), 100, 500},           // ~0.1 .. 0.5
      {UnaryFn::sigmoid, in, Format(64, 61), -300, 300},       // ~1/2
      {UnaryFn::gelu_erf, in, Format(64, 58), 2000, 2300},     // ~2
      {UnaryFn::reciprocal, in, Format(64, 61), 1025, 1400},   // ~0.75 .. 1
  };
  MpfrRef ref;
  uint64_t cases = 0, retried = 0;
  for (const Case& c : cases_list) {
    for (int64_t raw = c.lo; raw < c.hi; ++raw) {
      CertifyStats st;
      int64_t got = correctly_rounded(c.fn, raw, c.in, c.out, &st, 64);
      auto want = ref.expected(c.fn, raw, c.in, c.out);
      ASSERT_TRUE(want.has_value());
      ASSERT_EQ(got, *want) << name(c.fn) << " raw " << raw;
      ASSERT_EQ(got, correctly_rounded(c.fn, raw, c.in, c.out));
      retried += st.retries > 0;
      ++cases;
    }
  }
  report_cases("correctly_rounded starting at 64 bits", cases);
  report_cases("correctly_rounded entries that needed a retry", retried);
  EXPECT_GT(retried, 50u);  // 74 with these ranges
  EXPECT_THROW(correctly_rounded(UnaryFn::exp, 0, in, Format(64, 42), nullptr, 32), std::invalid_argument);
}
