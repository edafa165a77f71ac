// The counting builder against the materialising one: the same random calls (single gates and
// thermometer families over random lists, with constants, complements, repeated fan-ins, wide
// weights, module tags) into a Network and a GateCounter give the same gates, edges, stored
// entries, gates by kind, max fan-in, weight and theta bits, majority size, levels of every
// returned signal and per-module counts. And the canonicaliser's family path gives what single
// gates give.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "circuits/gadgets/linear_form.hpp"
#include "circuits/gate_counter.hpp"
#include "circuits/levels.hpp"
#include "circuits/network.hpp"
#include "circuits/stats.hpp"

namespace tc0::circuits {
namespace {

// Applies the same calls to any builder; returns the signals it got.
template <class Ntk>
std::vector<Signal> random_calls(Ntk& ntk, uint64_t seed, int inputs) {
  std::mt19937_64 rng(seed);
  std::vector<Signal> pool{kTrue, kFalse};
  for (int i = 0; i < inputs; ++i) pool.push_back(Signal::make(uint32_t(i + 1), false));
  std::vector<Signal> got;
  const char* mods[] = {"a", "b", "c"};
  for (int step = 0; step < 60; ++step) {
    const bool module = rng() % 3 == 0;
    if (module) ntk.push_module(mods[rng() % 3]);
    const size_t k = 1 + rng() % 7;
    std::vector<Signal> f;
    std::vector<Weight> w;
    const bool wide = rng() % 8 == 0;
    for (size_t i = 0; i < k; ++i) {
      Signal s = pool[rng() % pool.size()];
      if (rng() & 1) s = !s;
      f.push_back(s);
      Weight x = Weight(int64_t(rng() % 19) - 9);
      if (wide) x *= Weight(1) << 90;
      w.push_back(x);
    }
    Weight lo = 0, hi = 0;
    for (Weight x : w) (x < 0 ? lo : hi) += x;
    if (rng() % 2) {
      std::vector<Weight> thetas;
      const Weight step_w = wide ? Weight(1) << 89 : 1;
      for (Weight t = lo - step_w; t <= hi + step_w; t += step_w * Weight(1 + rng() % 3)) thetas.push_back(t);
      std::vector<Signal> out(thetas.size());
      ntk.create_threshold_family(f, w, thetas, out);
      for (Signal s : out) got.push_back(s), pool.push_back(s);
    } else {
      const Weight t = lo + Weight(int64_t(rng() % 64)) * (wide ? Weight(1) << 88 : 1);
      const Signal s = ntk.create_threshold(f, w, t);
      got.push_back(s);
      pool.push_back(s);
    }
    if (module) ntk.pop_module();
  }
  return got;
}

TEST(GateCounter, SameCountsAsNetwork) {
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    SCOPED_TRACE(seed);
    Network ntk;
    for (int i = 0; i < 6; ++i) ntk.create_input(fmt::format("x{}", i));
    GateCounter gc;
    for (int i = 0; i < 6; ++i) gc.create_input(0);
    const std::vector<Signal> a = random_calls(ntk, seed, 6);
    const std::vector<Signal> b = random_calls(gc, seed, 6);
    ASSERT_EQ(a.size(), b.size());
    // Both number nodes in creation order, so the same calls give the same signals.
    EXPECT_EQ(a, b);
    const CircuitStats st = compute_stats(ntk);
    const CountTotals t = gc.totals();
    EXPECT_EQ(t.gates, st.gates);
    EXPECT_EQ(t.edges, st.edges);
    EXPECT_EQ(t.stored_edges, st.stored_edges);
    EXPECT_EQ(t.max_fanin, st.max_fanin);
    EXPECT_EQ(t.weight_bits, st.weight_bits);
    EXPECT_EQ(t.theta_bits, st.theta_bits);
    EXPECT_EQ(t.majority, st.majority_size);
    for (int k = 0; k < 4; ++k) EXPECT_EQ(t.by_kind[k], st.by_kind[k]);
    const auto level = compute_levels(ntk);
    for (Signal s : a) EXPECT_EQ(level.of(s), gc.level(s));
    std::map<std::string, ModuleCount> counted;
    for (size_t m = 0; m < gc.modules().size(); ++m)
      if (gc.module_counts()[m].gates) counted[gc.modules()[m]] = gc.module_counts()[m];
    ASSERT_EQ(counted.size(), st.modules.size());
    for (const ModuleStats& ms : st.modules) {
      const ModuleCount& mc = counted.at(ms.path);
      EXPECT_EQ(mc.gates, ms.gates) << ms.path;
      EXPECT_EQ(mc.edges, ms.edges) << ms.path;
      EXPECT_EQ(mc.stored_edges, ms.stored_edges) << ms.path;
      EXPECT_EQ(mc.depth, ms.depth) << ms.path;
    }
  }
}

// A family is canonicalised once; every gate must still be what create_threshold gives alone.
TEST(GateCounter, FamilyEqualsSingleGates) {
  std::mt19937_64 rng(9);
  for (int rep = 0; rep < 500; ++rep) {
    Network one, fam;
    std::vector<Signal> in;
    for (int i = 0; i < 7; ++i) in.push_back(one.create_input("x")), fam.create_input("x");
    std::vector<Signal> f;
    std::vector<Weight> w;
    for (int i = 0; i < 5; ++i) {
      Signal s = in[rng() % in.size()];
      f.push_back((rng() & 1) ? !s : s);
      w.push_back(Weight(int64_t(rng() % 33) - 16));
    }
    std::vector<Weight> thetas;
    for (int j = -40; j <= 40; j += 1 + int(rng() % 4)) thetas.push_back(j);
    std::vector<Signal> a, b(thetas.size());
    for (Weight t : thetas) a.push_back(one.create_threshold(f, w, t));
    fam.create_threshold_family(f, w, thetas, b);
    ASSERT_EQ(a, b) << rep;
    ASSERT_EQ(one.num_gates(), fam.num_gates());
    for (uint32_t g = 0; g < one.num_gates(); ++g) {
      const GateView x = one.gate(g), y = fam.gate(g);
      ASSERT_EQ(x.theta, y.theta);
      ASSERT_EQ(x.size(), y.size());
      for (size_t i = 0; i < x.size(); ++i) ASSERT_TRUE(x.fanins[i] == y.fanins[i] && x.weight(i) == y.weight(i));
    }
  }
}

// Grouped linear forms reuse their group sums in the counter, across scopes (operations): each
// operation's counts stay those Network gives it.
TEST(GateCounter, ReusedGroupSumsKeepTheCounts) {
  std::mt19937_64 rng(3);
  GateCounter gc;
  gc.enable_reuse(true);
  for (int rep = 0; rep < 20; ++rep) {
    SCOPED_TRACE(rep);
    std::vector<gadgets::Constant> c;
    for (int i = 0; i < 12; ++i) c.push_back({Weight(int64_t(rng() % 7) - 3), 2});  // few distinct groups
    const gadgets::LinearFormParams ps{6, 8};
    Network ntk;
    std::vector<Bus> xs;
    for (int i = 0; i < 12; ++i) xs.push_back(ntk.create_input_bus("x", numerics::Format(8, 4)));
    for (int op = 0; op < 3; ++op) {  // the same form in three operations
      const uint64_t g0 = ntk.num_gates(), e0 = ntk.num_edges(), s0 = ntk.num_stored_edges();
      ntk.begin_op();
      const Bus out = gadgets::dot_const(ntk, gadgets::Constant{1, 0}, c, xs, numerics::Format(10, 4), ps);
      ntk.end_op(out.bits);
      gc.reset();
      std::vector<Bus> ys;
      for (int i = 0; i < 12; ++i) ys.push_back(gc.create_input_bus("x", numerics::Format(8, 4)));
      gadgets::dot_const(gc, gadgets::Constant{1, 0}, c, ys, numerics::Format(10, 4), ps);
      const CountTotals t = gc.totals();
      EXPECT_EQ(t.gates, ntk.num_gates() - g0);
      EXPECT_EQ(t.edges, ntk.num_edges() - e0);
      EXPECT_EQ(t.stored_edges, ntk.num_stored_edges() - s0);
    }
    const CircuitStats st = compute_stats(ntk);
    EXPECT_EQ(gc.max_gate_level(), st.depth);
  }
}

}  // namespace
}  // namespace tc0::circuits
