// Every gadget of the catalogue (circuits/gadgets/catalogue.hpp), built into the materialising
// Network and into the counting GateCounter, gives the same gates, edges, depth, weight and theta
// bits at every width; and where the construction has a closed-form size, the count equals it.
#include <gtest/gtest.h>

#include "circuits/gadgets/catalogue.hpp"

namespace tc0::circuits::gadgets {
namespace {

std::vector<int> widths(const CatalogueEntry& e) {
  std::vector<int> w;
  for (int n = e.min_n; n <= std::min(e.max_n, 12); ++n) w.push_back(n);
  for (int n : {16, 24, 32})
    if (n >= e.min_n && n <= e.max_n) w.push_back(n);
  return w;
}

TEST(GadgetCatalogue, CountedEqualsMaterialisedAndTheClosedForm) {
  int closed = 0;
  for (const CatalogueEntry& e : gadget_catalogue())
    for (int n : widths(e)) {
      // the 64-term constant dot products at depth 2 grow quadratically: the widest in the slow suite
      if (e.variant.find("64 terms, depth budget 2") != std::string::npos && n > 16) continue;
      SCOPED_TRACE(e.gadget + " | " + e.variant + " | n = " + std::to_string(n));
      Network ntk;
      GateCounter counter;
      GadgetStats a, b;
      e.build_network(ntk, n, a);
      e.build_counter(counter, n, b);
      EXPECT_EQ(a.gates, b.gates);
      EXPECT_EQ(a.edges, b.edges);
      EXPECT_EQ(a.depth, b.depth);
      EXPECT_EQ(a.max_weight_bits, b.max_weight_bits);
      EXPECT_EQ(a.max_theta_bits, b.max_theta_bits);
      EXPECT_EQ(ntk.num_stored_edges(), counter.totals().stored_edges);
      if (n < e.closed_min_n) continue;
      const ClosedForm f = e.closed_form(n);
      if (f.gates) {
        EXPECT_EQ(a.gates, *f.gates) << e.gates_formula;
        ++closed;
      }
      if (f.edges) {
        EXPECT_EQ(a.edges, *f.edges) << e.edges_formula;
      }
    }
  EXPECT_GT(closed, 100) << "the closed forms were not checked";
}

}  // namespace
}  // namespace tc0::circuits::gadgets
