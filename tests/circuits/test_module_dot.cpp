// The module-level picture (io/module_dot) and the module filter of the gate-level picture
// (io/dot), on a small network whose module boxes, wire counts and levels are counted by hand.
#include <gtest/gtest.h>

#include <string>

#include "circuits/io/dot.hpp"
#include "circuits/io/module_dot.hpp"
#include "circuits/extract.hpp"
#include "circuits/network.hpp"
#include "circuits/reference_eval.hpp"

namespace tc0::circuits::io {
namespace {

// x0..x3 -> module "a": g1 = and(x0,x1), g2 = or(x2,x3); "a/b": g3 = maj(g1,g2,x0)
//        -> module "c": g4 = and(g3, x3), g5 = xor-free gate [g1 + g4 >= 1]; outputs g4, g5.
Network sample_network() {
  Network ntk;
  const Bus& x = ntk.create_input_bus("x", numerics::Format(4, 0));
  ntk.push_module("a");
  Signal g1 = ntk.create_and(x.bits[0], x.bits[1]);
  Signal g2 = ntk.create_or(x.bits[2], x.bits[3]);
  ntk.push_module("b");
  Signal m[3] = {g1, g2, x.bits[0]};
  Signal g3 = ntk.create_maj(m);
  ntk.pop_module();
  ntk.pop_module();
  ntk.push_module("c");
  Signal g4 = ntk.create_and(g3, x.bits[3]);
  Signal g5 = ntk.create_or(g1, g4);
  ntk.pop_module();
  ntk.add_output_bus(Bus{"y", numerics::Format(2, 0), false, {g4, g5}});
  return ntk;
}

TEST(ModuleDot, BoxesWiresAndLevels) {
  const Network ntk = sample_network();
  const ModuleGraph g = module_graph(ntk, 1);
  auto box = [&](const std::string& name) -> const ModuleBox& {
    for (const ModuleBox& b : g.boxes)
      if (b.name == name) return b;
    ADD_FAILURE() << "no box " << name;
    return g.boxes[0];
  };
  EXPECT_EQ(box("a").gates, 3u);  // a and a/b merged at depth 1
  EXPECT_EQ(box("a").edges, 7u);
  EXPECT_EQ(box("a").first_level, 1u);
  EXPECT_EQ(box("a").last_level, 2u);
  EXPECT_EQ(box("c").gates, 2u);
  EXPECT_EQ(box("c").first_level, 3u);
  EXPECT_EQ(box("c").last_level, 4u);
  auto wires = [&](const std::string& from, const std::string& to) {
    for (const auto& a : g.arrows)
      if (g.boxes[a.from].name == from && g.boxes[a.to].name == to) return a.wires;
    return uint64_t(0);
  };
  EXPECT_EQ(wires("inputs", "a"), 5u);  // x0, x1 into g1; x2, x3 into g2; x0 into g3
  EXPECT_EQ(wires("inputs", "c"), 1u);  // x3 into g4
  EXPECT_EQ(wires("a", "c"), 2u);       // g3 into g4, g1 into g5
  EXPECT_EQ(wires("c", "outputs"), 2u);
  // At depth 2 the sub-module is its own box.
  const ModuleGraph g2 = module_graph(ntk, 2);
  bool sub = false;
  for (const ModuleBox& b : g2.boxes) sub |= b.name == "a/b" && b.gates == 1;
  EXPECT_TRUE(sub);
  const std::string dot = write_module_dot(g, "t");
  EXPECT_NE(dot.find("3 gates, 7 edges"), std::string::npos) << dot;
}

TEST(ModuleDot, GateLevelPictureOfOneModule) {
  const Network ntk = sample_network();
  DotOptions o;
  o.module = "a";
  const std::string dot = write_dot(ntk, o);
  size_t gates = 0;
  for (uint32_t g = 0; g < ntk.num_gates(); ++g)
    gates += dot.find(" g" + std::to_string(ntk.gate_node(g)) + " [") != std::string::npos;
  EXPECT_EQ(gates, 3u) << dot;  // g1, g2, g3; not the gates of c
  o.module = "a/b";
  EXPECT_NE(write_dot(ntk, o).find("cut"), std::string::npos);  // its fan-ins from "a" are cut stubs
  o.module = "nope";
  EXPECT_THROW(write_dot(ntk, o), CircuitError);
}

// extract_module: module "a" of the sample network as a stand-alone circuit, cut inputs in order of
// first use (x0, x1, x2, x3), outputs the gates read from outside (g1 by c, g3 by c), checked on
// every input against the whole network's node values.
TEST(ExtractModule, CutInputsExportedOutputsSameFunction) {
  const Network ntk = sample_network();
  const Network sub = extract_module(ntk, "a");
  EXPECT_EQ(sub.num_gates(), 3u);
  EXPECT_EQ(sub.num_inputs(), 4u);
  ASSERT_EQ(sub.output_buses().size(), 1u);
  ASSERT_EQ(sub.output_buses()[0].bits.size(), 2u);
  const Signal g1 = Signal::make(ntk.gate_node(0), false), g3 = Signal::make(ntk.gate_node(2), false);
  for (uint32_t x = 0; x < 16; ++x) {
    std::vector<bool> iv(4);
    for (int i = 0; i < 4; ++i) iv[size_t(i)] = (x >> i) & 1;
    const auto whole = evaluate_nodes(ntk, iv);
    const auto part = evaluate_nodes(sub, iv);
    auto val = [](const std::vector<bool>& v, Signal s) { return bool(v[s.index()]) != s.complemented(); };
    EXPECT_EQ(val(part, sub.output_buses()[0].bits[0]), val(whole, g1)) << x;
    EXPECT_EQ(val(part, sub.output_buses()[0].bits[1]), val(whole, g3)) << x;
  }
  EXPECT_EQ(extract_module(ntk, "a/b").num_inputs(), 3u);  // g1, g2 and x0 are cut
  EXPECT_THROW(extract_module(ntk, "zzz"), CircuitError);
}

}  // namespace
}  // namespace tc0::circuits::io
