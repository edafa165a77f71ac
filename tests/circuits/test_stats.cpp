// Stats against a hand-counted circuit and, on random networks, against an independent recursive
// longest-path computation.
#include <gtest/gtest.h>

#include <functional>

#include "circuits/sim/random_network.hpp"
#include "circuits/stats.hpp"

namespace tc0::circuits {
namespace {

TEST(Stats, HandCountedCircuit) {
  Network ntk;
  const Signal x0 = ntk.create_input("x0"), x1 = ntk.create_input("x1"), x2 = ntk.create_input("x2"),
               x3 = ntk.create_input("x3");
  ntk.push_module("m1");
  const Signal and3[3] = {x0, x1, x2};
  const Signal g1 = ntk.create_and(and3);
  const Signal g2 = ntk.create_or(x2, !x3);
  ntk.pop_module();
  ntk.push_module("m2");
  const Signal maj[3] = {g1, g2, x0};
  const Signal g3 = ntk.create_maj(maj);
  const Signal th[3] = {g3, x1, x3};
  const Weight w[3] = {3, 2, 1};
  const Signal g4 = ntk.create_threshold(th, w, 4);
  ntk.pop_module();
  const Signal g5 = ntk.create_and(g4, x2);
  ntk.add_output_bus(Bus{"y", numerics::Format(2, 0), false, {g5, g2}});

  const CircuitStats st = compute_stats(ntk);
  EXPECT_EQ(st.line(), "i/o = 4/2  gates = 5  edges = 13  depth = 4  maxfanin = 3  wbits = 2  tbits = 3");
  EXPECT_EQ(st.by_kind[size_t(GateKind::and_gate)], 2u);
  EXPECT_EQ(st.by_kind[size_t(GateKind::or_gate)], 1u);
  EXPECT_EQ(st.by_kind[size_t(GateKind::maj_gate)], 1u);
  EXPECT_EQ(st.by_kind[size_t(GateKind::threshold)], 1u);
  ASSERT_EQ(st.critical_path.size(), 4u);
  const uint32_t want_nodes[4] = {g1.index(), g3.index(), g4.index(), g5.index()};
  const char* want_modules[4] = {"m1", "m2", "m2", ""};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(st.critical_path[i].node, want_nodes[i]);
    EXPECT_EQ(st.critical_path[i].level, i + 1);
    EXPECT_EQ(st.critical_path[i].module, want_modules[i]);
  }
  ASSERT_EQ(st.modules.size(), 3u);  // top, m1, m2 by module id
  EXPECT_EQ(st.modules[0].path, "");
  EXPECT_EQ(st.modules[0].gates, 1u);
  EXPECT_EQ(st.modules[0].edges, 2u);
  EXPECT_EQ(st.modules[1].path, "m1");
  EXPECT_EQ(st.modules[1].gates, 2u);
  EXPECT_EQ(st.modules[1].edges, 5u);
  EXPECT_EQ(st.modules[1].depth, 1u);
  EXPECT_EQ(st.modules[2].path, "m2");
  EXPECT_EQ(st.modules[2].edges, 6u);
  EXPECT_EQ(st.modules[2].depth, 2u);
  const auto j = st.to_json();
  EXPECT_EQ(j["gates_by_kind"]["MAJ"], 1);
  EXPECT_EQ(j["critical_path"].size(), 4u);
}

TEST(Stats, RandomNetworksDepthAndEdges) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    sim::RandomNetworkParams p;
    p.seed = seed;
    p.gates = 300;
    const Network ntk = sim::random_network(p);
    std::vector<int> memo(ntk.num_nodes(), -1);
    std::function<int(uint32_t)> depth_of = [&](uint32_t node) -> int {
      if (!ntk.is_gate(node)) return 0;
      if (memo[node] >= 0) return memo[node];
      int d = 0;
      for (Signal s : ntk.gate(ntk.gate_index(node)).fanins) d = std::max(d, depth_of(s.index()));
      return memo[node] = d + 1;
    };
    int depth = 0;
    uint64_t edges = 0;
    for (uint32_t g = 0; g < ntk.num_gates(); ++g) {
      depth = std::max(depth, depth_of(ntk.gate_node(g)));
      edges += ntk.gate(g).fanins.size();
    }
    const CircuitStats st = compute_stats(ntk);
    EXPECT_EQ(int(st.depth), depth);
    EXPECT_EQ(st.edges, edges);
    EXPECT_EQ(st.critical_path.size(), size_t(depth));
    uint64_t kinds = 0, mod_gates = 0;
    for (auto k : st.by_kind) kinds += k;
    for (const auto& m : st.modules) mod_gates += m.gates;
    EXPECT_EQ(kinds, st.gates);
    EXPECT_EQ(mod_gates, st.gates);
    // Each step of the critical path is a fan-in of the next.
    for (size_t i = 1; i < st.critical_path.size(); ++i) {
      bool found = false;
      for (Signal s : ntk.gate(ntk.gate_index(st.critical_path[i].node)).fanins)
        found |= s.index() == st.critical_path[i - 1].node;
      EXPECT_TRUE(found);
    }
  }
}

}  // namespace
}  // namespace tc0::circuits
