// Opt-in (LABEL slow): every entry of full 16-bit tables against the 256-bit MPFR reference.
#include <gtest/gtest.h>

#include "numerics/functions.hpp"
#include "tests/numerics/mpfr_reference.hpp"

using namespace tc0::numerics;

TEST(FunctionsSlow, Every16BitTableEntryAgainstMpfr256) {
  tc0::test::MpfrRef ref;
  uint64_t cases = 0;
  const Format in(16, 10), out(16, 12);
  for (UnaryFn fn : all_unary_fns()) {
    Table t(fn, in, out);
    for (int64_t raw = in.min_raw(); raw <= in.max_raw(); ++raw) {
      auto want = ref.expected(fn, raw, in, out);
      ASSERT_TRUE(want.has_value()) << name(fn) << " raw " << raw;
      ASSERT_EQ(t.lookup(raw), *want) << name(fn) << " raw " << raw;
      ++cases;
    }
  }
  tc0::test::report_cases("function tables, every 16-bit entry Q(16,10)->Q(16,12)", cases);
}
