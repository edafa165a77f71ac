// The quick subset of the obligation registry (what the default suite runs): every gadget at small
// widths, the compositional multiplier and linear forms at small widths, the identities of the 8-bit
// format sets and the no-wrap graphs must be proved; registry selection errors are clear.
#include <gtest/gtest.h>

#include "proofs/registry.hpp"

using namespace tc0::proofs;

TEST(Obligations, QuickSubsetIsProved) {
  QueryOptions opt;
  opt.timeout_ms = 60000;
  auto sel = select_obligations({}, {}, true);
  ASSERT_GT(sel.size(), 60u);
  int proved = 0;
  for (const Obligation* ob : sel) {
    ObligationResult r = run_obligation(*ob, opt);
    EXPECT_EQ(r.verdict, Verdict::proved) << ob->name << ": " << r.detail;
    proved += r.verdict == Verdict::proved;
  }
  RecordProperty("proved", proved);
}

TEST(Obligations, SelectionByPrefixAndBits) {
  auto adds = select_obligations({"gadget.add/"}, {});
  EXPECT_EQ(adds.size(), 15u);  // widths 2..16
  auto eight = select_obligations({"gadget."}, {8});
  for (auto* ob : eight) EXPECT_EQ(ob->bits, 8);
  EXPECT_THROW(select_obligations({"no.such.obligation"}, {}), std::invalid_argument);
}
