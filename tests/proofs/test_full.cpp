// The full proof suite (LABEL slow): every registered obligation must be proved.
#include <gtest/gtest.h>

#include <cstdio>

#include "proofs/registry.hpp"

using namespace tc0::proofs;

TEST(FullSuite, EveryObligationIsProved) {
  QueryOptions opt;
  opt.timeout_ms = 120000;
  double total = 0;
  for (const Obligation& ob : obligations()) {
    ObligationResult r = run_obligation(ob, opt);
    total += r.seconds;
    std::printf("%-40s %-12s %8.2f s\n", ob.name.c_str(), to_string(r.verdict), r.seconds);
    std::fflush(stdout);
    EXPECT_EQ(r.verdict, Verdict::proved) << ob.name << ": " << r.detail;
  }
  std::printf("total solver time %.1f s\n", total);
}
