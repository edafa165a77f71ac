// The canonical builder (network.cpp), levelisation and the reference evaluator. Every gate the
// builder returns is checked against the raw threshold it was asked for, by direct evaluation of
// [sum w_i x_i >= theta] over all assignments (independent of the canonical form), and every stored
// gate is checked for the invariants of network.hpp.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <numeric>
#include <random>

#include "circuits/levels.hpp"
#include "circuits/network.hpp"
#include "circuits/reference_eval.hpp"

namespace tc0::circuits {
namespace {

using numerics::Format;

Weight gcd128(Weight a, Weight b) {
  while (b != 0) {
    Weight t = a % b;
    a = b;
    b = t;
  }
  return a;
}

// Invariants of a canonical network (network.hpp).
void expect_canonical(const Network& ntk) {
  for (uint32_t g = 0; g < ntk.num_gates(); ++g) {
    GateView v = ntk.gate(g);
    ASSERT_GE(v.size(), 2u) << "gate " << g << ": single-input gates are buffers";
    Weight sum = 0, gcd = 0;
    size_t complemented = 0;
    for (size_t i = 0; i < v.size(); ++i) {
      complemented += v.fanins[i].complemented();
      EXPECT_GT(v.weight(i), 0) << "gate " << g;
      EXPECT_NE(v.fanins[i].index(), 0u) << "gate " << g << ": constant fan-in";
      EXPECT_LT(v.fanins[i].index(), ntk.gate_node(g)) << "topological order";
      if (i) {
        EXPECT_LT(v.fanins[i - 1].index(), v.fanins[i].index()) << "sorted, no node twice";
      }
      sum += v.weight(i);
      gcd = gcd128(gcd, v.weight(i));
    }
    EXPECT_EQ(gcd, 1) << "gate " << g << ": common factor left";
    EXPECT_GT(v.theta, 0) << "gate " << g << " is constant true";
    EXPECT_LE(v.theta, sum) << "gate " << g << " is constant false";
    EXPECT_LE(2 * complemented, v.size()) << "polarity: no more complemented fan-ins than uncomplemented";
  }
}

TEST(Network, RandomGatesKeepTheirFunction) {
  std::mt19937_64 rng(2024);
  int constants = 0, buffers = 0, stored = 0;
  for (int rep = 0; rep < 3000; ++rep) {
    Network ntk;
    std::vector<Signal> in;
    for (int i = 0; i < 5; ++i) in.push_back(ntk.create_input(fmt::format("x{}", i)));
    // A few earlier gates so that fan-ins can be gates too.
    Signal g0 = ntk.create_and(in[0], in[1]);
    Signal g1 = ntk.create_or(!in[2], in[3]);
    std::vector<Signal> pool = in;
    pool.push_back(g0);
    pool.push_back(g1);
    pool.push_back(kTrue);
    pool.push_back(kFalse);
    size_t k = 1 + rng() % 6;
    std::vector<Signal> f;
    std::vector<Weight> w;
    bool wide = rep % 10 == 0;
    for (size_t i = 0; i < k; ++i) {
      Signal s = pool[rng() % pool.size()];
      if (rng() & 1) s = !s;
      f.push_back(s);
      Weight x = Weight(int64_t(rng() % 17) - 8);
      if (wide) x *= Weight(1) << 100;
      w.push_back(x);
    }
    Weight theta = Weight(int64_t(rng() % 21) - 10);
    if (wide) theta *= Weight(1) << 100;
    Signal out = ntk.create_threshold(f, w, theta);
    if (out.index() == 0) ++constants;
    else if (!ntk.is_gate(out.index()) || ntk.gate_index(out.index()) < 2) ++buffers;
    else ++stored;
    expect_canonical(ntk);
    for (int a = 0; a < 32; ++a) {
      std::vector<bool> iv;
      for (int i = 0; i < 5; ++i) iv.push_back(a >> i & 1);
      std::vector<bool> val = evaluate_nodes(ntk, iv);
      // Direct evaluation of the request, independent of the builder.
      auto sig = [&](Signal s) {
        bool x;
        if (s.index() == 0) x = false;
        else if (s == g0 || s == !g0) x = iv[0] && iv[1];
        else if (s == g1 || s == !g1) x = !iv[2] || iv[3];
        else x = iv[ntk.input_index(s.index())];
        if (s == !g0 || s == !g1) return !x;
        return (s.index() == g0.index() || s.index() == g1.index()) ? x : (x != s.complemented());
      };
      Weight sum = 0;
      for (size_t i = 0; i < k; ++i)
        if (sig(f[i])) sum += w[i];
      ASSERT_EQ(signal_value(val, out), sum >= theta) << "rep " << rep << " assignment " << a;
    }
  }
  EXPECT_GT(constants, 50);
  EXPECT_GT(buffers, 50);
  EXPECT_GT(stored, 1000);
}

TEST(Network, CanonicalFormsAndStructuralHashing) {
  Network ntk;
  Signal a = ntk.create_input("a"), b = ntk.create_input("b"), c = ntk.create_input("c");
  Signal and_ab = ntk.create_and(a, b);
  uint32_t gates = ntk.num_gates();
  // Duplicates merged: [a + a + b + b >= 3] is [2a + 2b >= 3], i.e. [a + b >= 2] after the common factor.
  Signal dup[4] = {a, a, b, b};
  Weight one4[4] = {1, 1, 1, 1};
  EXPECT_EQ(ntk.create_threshold(dup, one4, 3), and_ab);
  Weight one3[3] = {1, 1, 1};
  // Fan-in order does not matter.
  EXPECT_EQ(ntk.create_and(b, a), and_ab);
  // Common factor: [2a + 2b >= 3] is [a + b >= 2].
  Signal ab[2] = {a, b};
  Weight two2[2] = {2, 2};
  EXPECT_EQ(ntk.create_threshold(ab, two2, 3), and_ab);
  // Constant folding: [true + a + b >= 3] is [a + b >= 2].
  Signal tab[3] = {kTrue, a, b};
  EXPECT_EQ(ntk.create_threshold(tab, one3, 3), and_ab);
  // Complemented inputs and negative weights: [-a - b >= -1] = NAND = !AND; [!a + !b >= 2] = NOR = !OR.
  Weight neg[2] = {-1, -1};
  EXPECT_EQ(ntk.create_threshold(ab, neg, -1), !and_ab);
  Signal or_ab = ntk.create_or(a, b);
  EXPECT_EQ(ntk.create_and(!a, !b), !or_ab);
  EXPECT_EQ(ntk.num_gates(), gates + 1) << "only the OR is new";
  // Constant over the input range.
  EXPECT_EQ(ntk.create_threshold(ab, two2, 5), kFalse);
  EXPECT_EQ(ntk.create_threshold(ab, two2, 0), kTrue);
  EXPECT_EQ(ntk.create_threshold(ab, neg, -2), kTrue);
  // Buffers: [5a + false >= 3] is a; [-4 !c >= -2] is c.
  Signal af[2] = {a, kFalse};
  Weight w51[2] = {5, 1};
  EXPECT_EQ(ntk.create_threshold(af, w51, 3), a);
  Signal nc[1] = {!c};
  Weight w4[1] = {-4};
  EXPECT_EQ(ntk.create_threshold(nc, w4, -2), c);
  // Weights >= theta are clamped, so [7a + 7b + c >= 2] ... = [a + b + c >= 1]? No: c alone is 1 < 2.
  Signal abc[3] = {a, b, c};
  Weight w771[3] = {7, 7, 1};
  Signal g = ntk.create_threshold(abc, w771, 2);  // clamps to [2a + 2b + c >= 2]
  GateView v = ntk.gate(ntk.gate_index(g.index()));
  EXPECT_EQ(v.weight(0), 2);
  EXPECT_EQ(v.weight(2), 1);
  EXPECT_EQ(v.theta, 2);
  Signal maj_in[3] = {a, b, c};
  EXPECT_EQ(ntk.create_maj(maj_in), ntk.create_threshold(abc, one3, 2));
  // XOR costs two gates.
  Signal x = ntk.create_xor(a, c);
  for (int m = 0; m < 4; ++m) {
    auto val = evaluate_nodes(ntk, {bool(m & 1), false, bool(m & 2)});
    EXPECT_EQ(signal_value(val, x), bool(m & 1) != bool(m & 2));
  }
  expect_canonical(ntk);
}

TEST(Network, RefusesOverflowAndBadArguments) {
  Network ntk;
  Signal a = ntk.create_input("a"), b = ntk.create_input("b");
  Signal ab[2] = {a, b};
  Weight big[2] = {Weight(1) << 126, 1};
  EXPECT_THROW(ntk.create_threshold(ab, big, 1), CircuitError);
  Weight half[2] = {Weight(1) << 125, Weight(1) << 125};  // sum reaches 2^126
  EXPECT_THROW(ntk.create_threshold(ab, half, 1), CircuitError);
  Weight ok[2] = {(Weight(1) << 125) - 1, (Weight(1) << 124) + 3};
  Signal g = ntk.create_threshold(ab, ok, (Weight(1) << 125) + (Weight(1) << 123));
  EXPECT_TRUE(ntk.is_gate(g.index()));
  EXPECT_FALSE(ntk.gate(ntk.gate_index(g.index())).wide_weights.empty()) << "weights beyond int64 stored wide";
  Weight one[2] = {1, 1};
  EXPECT_THROW(ntk.create_threshold(ab, one, Weight(1) << 126), CircuitError);
  // The most negative int128 has no negation; a corrupt file can hold it (found by fuzzing).
  const Weight most_negative = Weight(__uint128_t(1) << 127);
  Weight min_first[2] = {most_negative, 1};
  EXPECT_THROW(ntk.create_threshold(ab, min_first, 1), CircuitError);
  EXPECT_THROW(ntk.create_threshold(ab, one, most_negative), CircuitError);
  Weight three[3] = {1, 1, 1};
  EXPECT_THROW(ntk.create_threshold(ab, std::span<const Weight>(three, 3), 1), CircuitError);
  Signal ghost[2] = {a, Signal::make(99, false)};
  EXPECT_THROW(ntk.create_threshold(ghost, one, 1), CircuitError);
  EXPECT_THROW(ntk.create_maj(ab), CircuitError);
  EXPECT_THROW(ntk.pop_module(), CircuitError);
  EXPECT_THROW(ntk.add_output_bus(Bus{"o", Format(2, 0), false, {Signal::make(99, false), a}}), CircuitError);
  EXPECT_THROW(evaluate_nodes(ntk, {true}), CircuitError);
}

TEST(Network, ModuleTags) {
  Network ntk;
  Signal a = ntk.create_input("a"), b = ntk.create_input("b"), c = ntk.create_input("c");
  Signal g1, g2, g3;
  {
    Network::ModuleScope s1(ntk, "block1");
    g1 = ntk.create_and(a, b);
    {
      Network::ModuleScope s2(ntk, "attn");
      g2 = ntk.create_or(b, c);
    }
  }
  g3 = ntk.create_or(a, c);
  auto path = [&](Signal s) { return ntk.modules()[ntk.gate(ntk.gate_index(s.index())).module]; };
  EXPECT_EQ(path(g1), "block1");
  EXPECT_EQ(path(g2), "block1/attn");
  EXPECT_EQ(path(g3), "");
  EXPECT_EQ(ntk.modules().size(), 3u);
}

TEST(Network, RemoveDeadGatesKeepsOutputs) {
  std::mt19937_64 rng(11);
  for (int rep = 0; rep < 50; ++rep) {
    Network ntk;
    const Bus& in0 = ntk.create_input_bus("x", Format(6, 0));
    Bus in = in0;
    std::vector<Signal> pool = in.bits;
    for (int g = 0; g < 60; ++g) {
      std::vector<Signal> f;
      std::vector<Weight> w;
      for (int i = 0; i < 4; ++i) {
        Signal s = pool[rng() % pool.size()];
        f.push_back((rng() & 1) ? !s : s);
        w.push_back(Weight(int64_t(rng() % 9) - 4));
      }
      Signal s = ntk.create_threshold(f, w, Weight(int64_t(rng() % 7) - 3));
      if (s.index() != 0) pool.push_back(s);
    }
    Bus out{"y", Format(4, 0), false, {}};
    for (int i = 0; i < 4; ++i) out.bits.push_back(pool[pool.size() - 1 - rng() % 20]);
    ntk.add_output_bus(out);
    std::vector<int64_t> before;
    for (int64_t v = -32; v < 32; ++v) before.push_back(evaluate_buses(ntk, {v})[0]);
    Levels lv0 = compute_levels(ntk);
    uint32_t gates = ntk.num_gates();
    ntk.remove_dead_gates();
    EXPECT_LE(ntk.num_gates(), gates);
    expect_canonical(ntk);
    Levels lv1 = compute_levels(ntk);
    EXPECT_EQ(lv0.depth, lv1.depth);
    for (int64_t v = -32; v < 32; ++v) ASSERT_EQ(evaluate_buses(ntk, {v})[0], before[v + 32]) << "rep " << rep;
    // Every remaining gate reaches an output: a second pass removes nothing.
    gates = ntk.num_gates();
    ntk.remove_dead_gates();
    EXPECT_EQ(ntk.num_gates(), gates);
  }
}

// Thermometer gates [L >= theta_j] over one list share it: stored once, each gate keeps its function
// (checked by direct evaluation), and sharing survives dead-gate removal.
TEST(Network, ThermometerGatesShareOneStoredList) {
  std::mt19937_64 rng(5);
  for (int rep = 0; rep < 30; ++rep) {
    Network ntk;
    const Bus& in = ntk.create_input_bus("x", Format(8, 0));
    std::vector<Signal> f = in.bits;
    std::vector<Weight> w;
    for (int i = 0; i < 8; ++i) w.push_back(Weight(int64_t(rng() % 31) - 15));
    Weight lo = 0, hi = 0;
    for (Weight v : w) (v < 0 ? lo : hi) += v;
    std::vector<std::pair<Signal, Weight>> made;
    for (Weight t = lo - 1; t <= hi + 1; t += 1 + Weight(rng() % 3)) made.push_back({ntk.create_threshold(f, w, t), t});
    uint64_t logical = 0;
    for (uint32_t g = 0; g < ntk.num_gates(); ++g) logical += ntk.gate(g).size();
    EXPECT_EQ(ntk.num_edges(), logical);
    EXPECT_LT(ntk.num_stored_edges(), ntk.num_edges()) << "rep " << rep << ": no list was shared";
    expect_canonical(ntk);
    for (uint32_t x = 0; x < 256; ++x) {
      Weight sum = 0;
      for (int i = 0; i < 8; ++i) sum += ((x >> i) & 1) ? w[size_t(i)] : 0;
      std::vector<bool> node_val(ntk.num_nodes(), false);
      for (int i = 0; i < 8; ++i) node_val[in.bits[size_t(i)].index()] = (x >> i) & 1;
      for (uint32_t g = 0; g < ntk.num_gates(); ++g) {
        GateView v = ntk.gate(g);
        Weight s = 0;
        for (size_t i = 0; i < v.size(); ++i) s += (node_val[v.fanins[i].index()] != v.fanins[i].complemented()) ? v.weight(i) : 0;
        node_val[ntk.gate_node(g)] = s >= v.theta;
      }
      for (auto [sig, t] : made) {
        const bool got = sig.index() == 0 ? sig.complemented() : node_val[sig.index()] != sig.complemented();
        ASSERT_EQ(got, sum >= t) << "rep " << rep << " x " << x << " theta " << int64_t(t);
      }
    }
    // Keep every other thermometer gate: the kept ones still share, and still compute their function.
    Bus out{"y", Format(2, 0), false, {}};
    for (size_t i = 0; i < made.size(); i += 2) out.bits.push_back(made[i].first);
    ntk.add_output_bus(out);
    std::vector<int64_t> before;
    for (int64_t v = -128; v < 128; ++v) before.push_back(evaluate_buses(ntk, {v})[0]);
    ntk.remove_dead_gates();
    expect_canonical(ntk);
    uint64_t kept = 0;
    for (uint32_t g = 0; g < ntk.num_gates(); ++g) kept += ntk.gate(g).size();
    EXPECT_EQ(ntk.num_edges(), kept);
    if (ntk.num_gates() > 1) {
      EXPECT_LT(ntk.num_stored_edges(), ntk.num_edges());
    }
    for (int64_t v = -128; v < 128; ++v) ASSERT_EQ(evaluate_buses(ntk, {v})[0], before[size_t(v + 128)]) << "rep " << rep;
    // The rebuilt hash table still finds every gate: re-creating one returns the same signal.
    for (Signal sig : ntk.output_buses()[0].bits) {  // renumbered by remove_dead_gates
      if (sig.index() == 0) continue;
      const GateView v = ntk.gate(ntk.gate_index(sig.index()));
      std::vector<Weight> ws(v.size());
      for (size_t k = 0; k < v.size(); ++k) ws[k] = v.weight(k);
      const uint32_t gates = ntk.num_gates();
      ntk.create_threshold(v.fanins, ws, v.theta);
      EXPECT_EQ(ntk.num_gates(), gates) << "structural hashing lost a gate";
    }
  }
}

TEST(Network, LevelsDepthAndCriticalPath) {
  Network ntk;
  Signal a = ntk.create_input("a"), b = ntk.create_input("b"), c = ntk.create_input("c");
  Signal g1 = ntk.create_and(a, b);       // level 1
  Signal g2 = ntk.create_or(g1, c);       // level 2
  Signal g3 = ntk.create_xor(g2, a);      // levels 3 and 4
  Signal side = ntk.create_or(a, c);      // level 1, not on the path
  ntk.add_output_bus(Bus{"o", Format(2, 0), false, {g3, side}});
  Levels lv = compute_levels(ntk);
  EXPECT_EQ(lv.of(g1), 1u);
  EXPECT_EQ(lv.of(g2), 2u);
  EXPECT_EQ(lv.of(g3), 4u);
  EXPECT_EQ(lv.depth, 4u);
  Signal pair[2] = {g2, side};
  EXPECT_EQ(depth_of(lv, pair), 2u);
  std::vector<uint32_t> path = critical_path(ntk, lv);
  ASSERT_EQ(path.size(), 5u);
  EXPECT_TRUE(ntk.is_input(path[0]));
  EXPECT_EQ(path.back(), g3.index());
  for (size_t i = 0; i < path.size(); ++i) EXPECT_EQ(lv.level[path[i]], i);
}

TEST(ReferenceEval, BusesAndErrors) {
  Network ntk;
  Bus s = ntk.create_input_bus("s", Format(8, 0));
  Bus u = ntk.create_input_bus("u", Format(8, 0), false);
  ntk.add_output_bus(s);
  ntk.add_output_bus(u);
  ntk.add_output_bus(Bus{"inv", Format(8, 0), true, {!s.bits[0], !s.bits[1], !s.bits[2], !s.bits[3], !s.bits[4], !s.bits[5], !s.bits[6], !s.bits[7]}});
  for (int64_t x : {-128, -1, 0, 1, 127})
    for (int64_t y : {0, 1, 200, 255}) {
      auto out = evaluate_buses(ntk, {x, y});
      EXPECT_EQ(out[0], x);
      EXPECT_EQ(out[1], y);
      EXPECT_EQ(out[2], ~x);
    }
  EXPECT_THROW(evaluate_buses(ntk, {128, 0}), CircuitError);
  EXPECT_THROW(evaluate_buses(ntk, {0, -1}), CircuitError);
  EXPECT_THROW(evaluate_buses(ntk, {0}), CircuitError);
}

}  // namespace
}  // namespace tc0::circuits
