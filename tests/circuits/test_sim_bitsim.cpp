// Bit-parallel simulator against the scalar reference evaluator (circuits/reference_eval.hpp) on
// random networks of every gate class (AND / OR / majority, small fan-in, thermometer families) and
// weight width (unit, 16, 40, 100 bits), complemented signals and several buses, through every
// kernel (the cost model's choice, the counter tree or the int64 lanes for every gate; AVX-512 and
// portable); and the same bits for every thread count and block size.
#include <gtest/gtest.h>

#include <random>

#include "circuits/reference_eval.hpp"
#include "circuits/sim/bitsim.hpp"
#include "circuits/sim/random_network.hpp"

namespace tc0::circuits::sim {
namespace {

// Uniformly random bus values, with the corner values (min, max, 0, -1) mixed in.
BusBatch random_inputs(const std::vector<Bus>& ports, size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  BusBatch in(ports.size(), std::vector<int64_t>(n));
  for (size_t p = 0; p < ports.size(); ++p) {
    const size_t w = ports[p].bits.size();
    for (size_t s = 0; s < n; ++s) {
      uint64_t v = rng();
      if (s % 17 == 0) v = 0;
      if (s % 17 == 1) v = ~uint64_t(0);
      if (s % 17 == 2) v = uint64_t(1) << (w - 1);
      if (s % 17 == 3) v = (uint64_t(1) << (w - 1)) - 1;
      in[p][s] = wrap_to_bus(int64_t(v), w, ports[p].is_signed);
    }
  }
  return in;
}

// The reference: one sample at a time through evaluate_nodes.
BusBatch reference_outputs(const Network& ntk, const std::vector<Bus>& ports, const BusBatch& in) {
  const size_t n = in.empty() ? 0 : in[0].size();
  BusBatch out(ntk.output_buses().size(), std::vector<int64_t>(n));
  std::vector<uint32_t> position(ntk.num_nodes(), 0);
  for (uint32_t i = 0; i < ntk.num_inputs(); ++i) position[ntk.inputs()[i]] = i;
  for (size_t s = 0; s < n; ++s) {
    std::vector<bool> iv(ntk.num_inputs(), false);
    for (size_t p = 0; p < ports.size(); ++p)
      for (size_t k = 0; k < ports[p].bits.size(); ++k)
        iv[position[ports[p].bits[k].index()]] = (uint64_t(in[p][s]) >> k) & 1;
    const auto nodes = evaluate_nodes(ntk, iv);
    for (size_t o = 0; o < ntk.output_buses().size(); ++o) out[o][s] = bus_value(nodes, ntk.output_buses()[o]);
  }
  return out;
}

TEST(BitSim, RandomNetworksMatchReference) {
  uint64_t gates[kNumOpKinds] = {0, 0, 0, 0};
  size_t compared = 0;
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    RandomNetworkParams p;
    p.seed = seed;
    p.gates = 50 + uint32_t(seed * 13 % 250);
    p.max_fanin = 2 + uint32_t(seed % 24);
    p.max_weight_class = int(seed % 4);
    p.max_output_width = seed % 5 == 0 ? 64 : 20;
    p.logic_percent = uint32_t(seed % 3) * 20;
    const Network ntk = random_network(p);
    const size_t n = 300 + seed * 7;  // not a multiple of 64: partial blocks and words
    BusBatch want;
    for (KernelPolicy policy : {KernelPolicy::automatic, KernelPolicy::tree, KernelPolicy::lanes})
      for (bool avx512 : {true, false}) {
        BitSimulator sim(ntk, {.threads = 2, .block_words = uint32_t(1 + seed % 9), .kernels = policy, .avx512 = avx512});
        if (avx512)
          for (int k = 0; k < kNumOpKinds; ++k) gates[k] += sim.program().gates_per_kind[k];
        const BusBatch in = random_inputs(sim.inputs(), n, seed * 1000);
        if (want.empty()) want = reference_outputs(ntk, sim.inputs(), in);
        const BusBatch got = sim.run(in);
        ASSERT_EQ(got.size(), want.size());
        for (size_t o = 0; o < got.size(); ++o)
          for (size_t s = 0; s < n; ++s) {
            ASSERT_EQ(got[o][s], want[o][s]) << "seed " << seed << " kernels " << int(policy) << " avx512 " << avx512
                                             << " output " << sim.outputs()[o].name << " sample " << s;
            ++compared;
          }
      }
  }
  if (!cpu_has_avx512()) GTEST_LOG_(WARNING) << "no AVX-512 on this CPU: the AVX-512 kernels were not exercised";
  // Every kernel was exercised.
  for (int k = 0; k < kNumOpKinds; ++k) EXPECT_GT(gates[k], 100u) << op_kind_name(OpKind(k));
  EXPECT_GT(compared, 10000u);
}

TEST(BitSim, SameBitsForEveryThreadCountAndBlockSize) {
  RandomNetworkParams p;
  p.seed = 77;
  p.gates = 400;
  p.logic_percent = 20;
  const Network ntk = random_network(p);
  BitSimulator base(ntk, {.threads = 1, .block_words = 1, .kernels = KernelPolicy::lanes, .avx512 = false});
  const BusBatch in = random_inputs(base.inputs(), 5000, 5);
  const BusBatch want = base.run(in);
  for (int threads : {1, 2, 3}) {
    for (uint32_t bw : {1u, 2u, 7u, 16u, 64u}) {
      for (bool avx512 : {true, false}) {
        BitSimulator sim(ntk, {.threads = threads, .block_words = bw, .avx512 = avx512});
        EXPECT_EQ(sim.run(in), want) << threads << " threads, " << bw << " words per block, avx512 " << avx512;
      }
    }
  }
}

// Thousands of 1-bit input ports (a module cut out of a sampler has one per cut signal) go through
// the fast packing path; a few wide ones too.
TEST(BitSim, ManyInputPortsMatchReference) {
  RandomNetworkParams p;
  p.seed = 5;
  p.gates = 3000;
  p.loose_inputs = 2500;
  p.max_fanin = 16;
  p.logic_percent = 30;
  const Network ntk = random_network(p);
  for (bool avx512 : {true, false}) {
    BitSimulator sim(ntk, {.threads = 2, .avx512 = avx512});
    ASSERT_GT(sim.inputs().size(), 2000u);
    const BusBatch in = random_inputs(sim.inputs(), 700, 9);
    const BusBatch want = reference_outputs(ntk, sim.inputs(), in);
    EXPECT_EQ(sim.run(in), want) << "avx512 " << avx512;
    // The same through bit-sliced batches.
    BitBatch bits;
    for (size_t p = 0; p < in.size(); ++p)
      for (size_t k = 0; k < sim.inputs()[p].bits.size(); ++k) {
        auto& b = bits.emplace_back((in[p].size() + 63) / 64, 0);
        for (size_t s = 0; s < in[p].size(); ++s) b[s / 64] |= ((uint64_t(in[p][s]) >> k) & 1) << (s % 64);
      }
    const BitBatch got = sim.run_bits(bits, 700);
    size_t bit = 0;
    for (size_t o = 0; o < want.size(); ++o)
      for (size_t k = 0; k < sim.outputs()[o].bits.size(); ++k, ++bit)
        for (size_t s = 0; s < 700; ++s)
          ASSERT_EQ((got[bit][s / 64] >> (s % 64)) & 1, (uint64_t(want[o][s]) >> k) & 1)
              << "avx512 " << avx512 << " output " << sim.outputs()[o].name << " bit " << k << " sample " << s;
    EXPECT_THROW(sim.run_bits(bits, 705), std::invalid_argument);  // 12 words needed, 11 given
  }
}

// Values live only until their last reader: a long chain of gates that each read the two before
// needs a handful of registers however long it is.
TEST(BitSim, RegistersBoundedByTheWidestCut) {
  Network ntk;
  const Bus a = ntk.create_input_bus("a", numerics::Format(8, 0), false);
  std::vector<Signal> chain(a.bits.begin(), a.bits.end());
  for (int g = 0; g < 5000; ++g) {
    const size_t k = chain.size();
    const Signal ins[4] = {chain[k - 1], chain[k - 2], a.bits[g % 8], chain[k - 3]};
    const Weight ws[4] = {3, -2, 1, 5 + g % 3};
    chain.push_back(ntk.create_threshold(ins, ws, 2 + g % 5));
  }
  ntk.add_output_bus(Bus{"y", numerics::Format(2, 0), false, {chain.back(), chain[chain.size() - 2]}});
  BitSimulator sim(ntk);
  EXPECT_GT(ntk.num_gates(), 1000u);
  EXPECT_LE(sim.program().num_registers, 16u);
  const BusBatch in = random_inputs(sim.inputs(), 256, 3);
  EXPECT_EQ(sim.run(in), reference_outputs(ntk, sim.inputs(), in));
}

// A family of thermometer gates whose fan-ins die at the family's instruction: its outputs take the
// fan-ins' registers while the later members' comparisons still need the sum's bits.
TEST(BitSim, FamilyOutputsReuseDyingInputRegisters) {
  Network ntk;
  const Bus a = ntk.create_input_bus("a", numerics::Format(6, 0), false);
  const Weight ws[6] = {1, 2, 4, 8, 16, 32};
  Bus y{"y", numerics::Format(40, 0), false, {}};
  for (int j = 1; j < 64; j += 2) y.bits.push_back(ntk.create_threshold(a.bits, ws, j));
  ntk.add_output_bus(y);
  for (KernelPolicy policy : {KernelPolicy::automatic, KernelPolicy::tree, KernelPolicy::lanes})
    for (bool avx512 : {true, false}) {
      BitSimulator sim(ntk, {.kernels = policy, .avx512 = avx512});
      BusBatch in(1);
      for (int x = 0; x < 64; ++x) in[0].push_back(x);
      EXPECT_EQ(sim.run(in), reference_outputs(ntk, sim.inputs(), in)) << int(policy) << " avx512 " << avx512;
    }
}

TEST(BitSim, ExhaustiveSmallNetwork) {
  // Two 4-bit unsigned buses, every one of the 256 patterns.
  Network ntk;
  const Bus a = ntk.create_input_bus("a", numerics::Format(4, 0), false);
  const Bus b = ntk.create_input_bus("b", numerics::Format(4, 0), false);
  std::vector<Signal> ins(a.bits);
  ins.insert(ins.end(), b.bits.begin(), b.bits.end());
  Bus out{"y", numerics::Format(4, 0), false, {}};
  // y0 = [a >= b], y1 = [a + b >= 16], y2 = [3a - 5b >= -7], y3 = !y0 AND y1 via a threshold gate.
  std::vector<Weight> cmp, sum, lin;
  for (int i = 0; i < 4; ++i) cmp.push_back(Weight(1) << i);
  for (int i = 0; i < 4; ++i) cmp.push_back(-(Weight(1) << i));
  for (int i = 0; i < 8; ++i) sum.push_back(Weight(1) << (i % 4));
  for (int i = 0; i < 4; ++i) lin.push_back(3 * (Weight(1) << i));
  for (int i = 0; i < 4; ++i) lin.push_back(-5 * (Weight(1) << i));
  const Signal y0 = ntk.create_threshold(ins, cmp, 0);
  const Signal y1 = ntk.create_threshold(ins, sum, 16);
  const Signal y2 = ntk.create_threshold(ins, lin, -7);
  const Signal y3 = ntk.create_and(!y0, y1);
  out.bits = {y0, y1, y2, y3};
  ntk.add_output_bus(out);
  BitSimulator sim(ntk, {.threads = 2, .block_words = 1});
  BusBatch in(2);
  for (int x = 0; x < 16; ++x)
    for (int y = 0; y < 16; ++y) {
      in[0].push_back(x);
      in[1].push_back(y);
    }
  const BusBatch got = sim.run(in);
  for (size_t s = 0; s < 256; ++s) {
    const int64_t x = in[0][s], y = in[1][s];
    const int64_t want = int64_t(x >= y) | int64_t(x + y >= 16) << 1 | int64_t(3 * x - 5 * y >= -7) << 2 |
                         int64_t(!(x >= y) && x + y >= 16) << 3;
    ASSERT_EQ(got[0][s], want) << "a=" << x << " b=" << y;
  }
}

TEST(BitSim, WideWeightsExact) {
  // [(2^100 + 1) a0 + 2^100 a1 + (2^100 - 1) a2 >= 2^101]: sums differ from theta by 1 in 2^101, so
  // only exact arithmetic beyond 64 bits gets every pattern right; it is a0 AND (a1 OR a2).
  Network ntk;
  const Bus a = ntk.create_input_bus("a", numerics::Format(3, 0), false);
  const Weight big = Weight(1) << 100;
  const Weight ws[3] = {big + 1, big, big - 1};
  const Signal y = ntk.create_threshold(a.bits, ws, 2 * big);
  ntk.add_output_bus(Bus{"y", numerics::Format(2, 0), false, {y, kFalse}});
  // Through the counter (forced) and through the cost model's choice (a 3-input truth table).
  for (KernelPolicy policy : {KernelPolicy::tree, KernelPolicy::automatic})
    for (bool avx512 : {true, false}) {
      BitSimulator sim(ntk, {.kernels = policy, .avx512 = avx512});
      EXPECT_EQ(sim.program().gates_per_kind[size_t(policy == KernelPolicy::tree ? OpKind::tree : OpKind::lut3)], 1u);
      const BusBatch got = sim.run({{0, 1, 2, 3, 4, 5, 6, 7}});
      for (int x = 0; x < 8; ++x) {
        const bool a0 = x & 1, a1 = x & 2, a2 = x & 4;
        EXPECT_EQ(got[0][x], int64_t(a0 && (a1 || a2))) << x;
      }
    }
}

TEST(BitSim, EmptyBatchAndBadInputsAreHandled) {
  RandomNetworkParams p;
  p.seed = 3;
  const Network ntk = random_network(p);
  BitSimulator sim(ntk);
  BusBatch empty(sim.inputs().size());
  const BusBatch out = sim.run(empty);
  ASSERT_EQ(out.size(), ntk.output_buses().size());
  for (const auto& col : out) EXPECT_TRUE(col.empty());
  BusBatch bad = random_inputs(sim.inputs(), 10, 1);
  bad[0][4] = int64_t(1) << 40;  // does not fit a bus of at most 10 bits
  EXPECT_THROW(sim.run(bad), std::invalid_argument);
  bad.pop_back();
  EXPECT_THROW(sim.run(bad), std::invalid_argument);
  EXPECT_THROW(BitSimulator(ntk, {.threads = 1, .block_words = 65}), std::invalid_argument);
}

}  // namespace
}  // namespace tc0::circuits::sim
