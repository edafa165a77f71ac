// The CUDA simulator against the CPU bit-parallel evaluator, bit for bit, on random circuits with
// narrow and 128-bit weights and on random batches. Labelled `gpu`: without a device every test
// reports itself skipped with the reason (never a silent pass).
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "circuits/cuda/cuda_eval.hpp"
#include "circuits/network.hpp"
#include "circuits/sim/bitsim.hpp"
#include "circuits/sim/flat.hpp"

namespace tc0::circuits {
namespace {

#define REQUIRE_DEVICE()                                          \
  do {                                                            \
    std::string why;                                              \
    if (!cuda::cuda_available(&why)) GTEST_SKIP() << why;         \
  } while (0)

// A random levelled network: gates read random earlier signals (complemented at random) with
// weights of up to `weight_bits` bits, so some gates need 128-bit sums.
Network random_network(uint64_t seed, int inputs, int gates, int max_fanin, int weight_bits) {
  std::mt19937_64 rng(seed);
  Network ntk;
  std::vector<Signal> pool;
  for (int i = 0; i < inputs; ++i) pool.push_back(ntk.create_input("x" + std::to_string(i)));
  Bus out{"out", numerics::Format(2, 0), false, {}};
  for (int g = 0; g < gates; ++g) {
    const int k = 1 + int(rng() % max_fanin);
    std::vector<Signal> fanins;
    std::vector<Weight> weights;
    Weight total = 0;
    for (int i = 0; i < k; ++i) {
      Signal s = pool[rng() % pool.size()];
      fanins.push_back(rng() & 1 ? !s : s);
      const int bits = 1 + int(rng() % weight_bits);
      Weight w = (Weight(rng()) << 64 | Weight(rng())) & ((Weight(1) << bits) - 1);
      if (w == 0) w = 1;
      total += w;
      weights.push_back(rng() & 1 ? -w : w);
    }
    // A threshold inside the reachable range, so most gates are not constant.
    const Weight theta = total == 0 ? 0 : (Weight(rng()) % total) - total / 2;
    Signal s = ntk.create_threshold(fanins, weights, theta);
    pool.push_back(s);
    if (g % 3 == 0 && out.bits.size() < 64) out.bits.push_back(s);
  }
  if (out.bits.empty()) out.bits.push_back(pool.back());
  ntk.add_output_bus(out);
  return ntk;
}

void expect_same_as_cpu(const Network& ntk, uint32_t words, uint64_t seed) {
  const sim::FlatNetwork flat = sim::flatten(ntk);
  std::vector<uint64_t> cpu(size_t(flat.num_slots()) * words, 0);
  std::mt19937_64 rng(seed);
  for (size_t i = size_t(words); i < size_t(1 + flat.num_inputs) * words; ++i) cpu[i] = rng();
  std::vector<uint64_t> gpu = cpu;
  sim::eval_block(flat, cpu.data(), words);
  std::vector<uint32_t> all;
  for (uint32_t g = 0; g < flat.num_gates; ++g) all.push_back(flat.gate_slot(g));
  cuda::CudaEvaluator eval(flat);
  eval.eval(gpu.data(), words, all);
  size_t mismatches = 0;
  for (uint32_t g = 0; g < flat.num_gates; ++g)
    for (uint32_t w = 0; w < words; ++w)
      mismatches += cpu[size_t(flat.gate_slot(g)) * words + w] != gpu[size_t(flat.gate_slot(g)) * words + w];
  EXPECT_EQ(mismatches, 0u) << "gates " << flat.num_gates << ", words " << words;
}

TEST(CudaSim, RandomNarrowCircuitsMatchCpu) {
  REQUIRE_DEVICE();
  for (uint64_t seed = 1; seed <= 20; ++seed)
    expect_same_as_cpu(random_network(seed, 24, 400, 40, 20), 1 + uint32_t(seed % 7) * 5, seed);
}

TEST(CudaSim, RandomWideWeightCircuitsMatchCpu) {
  REQUIRE_DEVICE();
  for (uint64_t seed = 100; seed <= 110; ++seed)
    expect_same_as_cpu(random_network(seed, 32, 300, 30, 120), 3 + uint32_t(seed % 5), seed);
}

TEST(CudaSim, LargeBatchMatchesCpu) {
  REQUIRE_DEVICE();
  expect_same_as_cpu(random_network(7, 64, 5000, 64, 16), 1024, 7);
}

TEST(CudaSim, FallbackReportsReason) {
  std::string why;
  const bool ok = cuda::cuda_available(&why);
  if (ok) {
    EXPECT_FALSE(cuda::cuda_device_name().empty());
  } else {
    EXPECT_FALSE(why.empty());
    const Network ntk = random_network(1, 4, 4, 3, 4);
    EXPECT_THROW(cuda::CudaEvaluator{sim::flatten(ntk)}, std::runtime_error);
  }
}

// Device selection through the simulator API: `auto` gives the CPU's bits on either device and says
// why when it falls back; `cuda` without a device is refused with the reason.
TEST(CudaSim, FallbackSimulatorDeviceSelection) {
  const Network ntk = random_network(5, 12, 300, 12, 70);
  const sim::BitSimulator cpu(ntk);
  std::mt19937_64 rng(9);
  sim::BusBatch in(cpu.inputs().size(), std::vector<int64_t>(1000));
  for (size_t p = 0; p < in.size(); ++p)
    for (auto& v : in[p]) v = sim::wrap_to_bus(int64_t(rng()), cpu.inputs()[p].bits.size(), cpu.inputs()[p].is_signed);
  const sim::BitSimulator automatic(ntk, {.device = sim::Device::automatic});
  EXPECT_EQ(automatic.run(in), cpu.run(in));
  std::string why;
  if (cuda::cuda_available(&why)) {
    EXPECT_TRUE(automatic.on_gpu());
    EXPECT_TRUE(automatic.device_note().empty());
  } else {
    EXPECT_FALSE(automatic.on_gpu());
    EXPECT_NE(automatic.device_note().find(why), std::string::npos);
    EXPECT_THROW(sim::BitSimulator(ntk, {.device = sim::Device::cuda}), std::runtime_error);
  }
  EXPECT_EQ(sim::parse_device("auto"), sim::Device::automatic);
  EXPECT_THROW(sim::parse_device("gpu"), std::invalid_argument);
}

}  // namespace
}  // namespace tc0::circuits
