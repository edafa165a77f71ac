// Compositional proofs at 12 bits (LABEL slow, ~20 s in Release): the exact 12 x 12 multiplier is
// proved with one query for the AND layer and one per output bit, and a 12-bit rounded multiplier
// with one parity gate's threshold moved by +-1 is refuted with a counterexample that the simulator
// reproduces against numerics/.
#include <gtest/gtest.h>

#include "proofs/compositional.hpp"
#include "proofs/gadget_cases.hpp"
#include "proofs/mutation.hpp"

using namespace tc0::proofs;

namespace {

QueryOptions options() {
  QueryOptions o;
  o.timeout_ms = 120000;
  return o;
}

}  // namespace

TEST(Compositional, WideMultiplierIsProved) {
  ObligationResult r = prove_multiplier_compositional(12, true, options());
  EXPECT_EQ(r.verdict, Verdict::proved) << r.detail;
  EXPECT_EQ(r.queries, 1 + 24);  // the AND layer and one lemma per output bit
}

TEST(Compositional, MutatedTwelveBitMultiplierIsRefuted) {
  GadgetCase base = gadget_family("gadget.multiply").make(12);
  // The output gate of bit 7 (a parity gate of the column construction) with its threshold moved.
  const auto& out = base.ntk.output_buses().at(0);
  uint32_t node = out.bits.at(7).index();
  ASSERT_TRUE(base.ntk.is_gate(node));
  for (tc0::circuits::Weight delta : {1, -1}) {
    Mutation m{base.ntk.gate_index(node), MutationKind::threshold, 0, delta};
    GadgetCase mutant{base.name, base.params, apply_mutation(base.ntk, m), base.encode, base.reference};
    ObligationResult r = prove_multiplier_compositional(mutant, options());
    EXPECT_EQ(r.verdict, Verdict::refuted) << m.str() << ": " << r.detail;
    ASSERT_TRUE(r.evidence.contains("counterexample"));
    // Independent re-check of the reported input: simulator vs integer product rounded by numerics.
    const auto& in = r.evidence["counterexample"]["inputs"];
    int64_t x = in["x"], y = in["y"];
    EXPECT_NE(simulate_once(mutant.ntk, {x, y}), base.reference({x, y}));
  }
}

