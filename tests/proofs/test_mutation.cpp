// Fault injection: 120 seeded single-gate mutants over ten gadgets. Every mutant the prover calls
// equivalent must be equivalent by exhaustive simulation; every refuted one carries a counterexample
// the simulator reproduced; no escapes, no inconclusive answers.
#include <gtest/gtest.h>

#include "proofs/gadget_cases.hpp"
#include "proofs/mutation.hpp"

using namespace tc0::proofs;

TEST(Mutation, EveryNonEquivalentMutantIsRefuted) {
  std::vector<GadgetCase> cases;
  for (auto [fam, n] : std::vector<std::pair<const char*, int>>{{"gadget.add", 5},
                                                                 {"gadget.sub", 4},
                                                                 {"gadget.compare", 5},
                                                                 {"gadget.sum4", 3},
                                                                 {"gadget.mul_const", 6},
                                                                 {"gadget.staircase_round", 6},
                                                                 {"gadget.mux", 4},
                                                                 {"gadget.max_argmax4", 3},
                                                                 {"gadget.multiply", 4},
                                                                 {"gadget.dot_const", 3}})
    cases.push_back(gadget_family(fam).make(n));
  QueryOptions opt;
  opt.timeout_ms = 60000;
  MutationSummary s = run_mutation_campaign(cases, 120, 2026, opt);
  EXPECT_EQ(s.total, 120);
  EXPECT_EQ(s.escapes, 0);
  EXPECT_EQ(s.inconclusive, 0);
  EXPECT_EQ(s.refuted + s.equivalent, s.total);
  EXPECT_GT(s.refuted, 60);  // most single-gate faults change the function
  for (const auto& o : s.outcomes) {
    if (o.verdict == Verdict::refuted) {
      EXPECT_FALSE(o.exhaustive_equal) << o.gadget << " " << o.mutation.str();
    }
    if (o.verdict == Verdict::proved) {
      EXPECT_TRUE(o.exhaustive_equal) << o.gadget << " " << o.mutation.str();
    }
  }
  RecordProperty("refuted", s.refuted);
  RecordProperty("equivalent", s.equivalent);
  std::printf("mutants %d: refuted %d, equivalent %d, inconclusive %d, escapes %d\n", s.total, s.refuted, s.equivalent,
              s.inconclusive, s.escapes);
}
