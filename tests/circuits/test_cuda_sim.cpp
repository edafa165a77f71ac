// The device path of the simulator (circuits/sim/device.hpp) against the CPU evaluator, bit for bit.
//
// DeviceFallback.* (default suite, any machine): the streaming and fallback logic through the host
// emulation of a device (TC0_TEST_DEVICE), so that a device error part-way through a batch is shown
// to give the CPU's bits; device selection without a GPU.
// CudaSim.* (label `gpu`): the CUDA backend on a real GPU: random circuits of every weight width the
// builder emits (1..125 bits, both sides of the int64/int128 boundary), every gadget family, compiled
// sampler circuits, block sizes around the warp's word chunks, streaming, and a real device failing
// part-way. Without a device each reports itself skipped, with the reason; tools/gpu/run.sh refuses
// a device run in which any of them skipped.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "circuits/cuda/cuda_eval.hpp"
#include "circuits/gadgets/arith.hpp"
#include "circuits/gadgets/linear_form.hpp"
#include "circuits/gadgets/select.hpp"
#include "circuits/gadgets/staircase.hpp"
#include "circuits/network.hpp"
#include "circuits/sim/bitsim.hpp"
#include "circuits/sim/flat.hpp"
#include "circuits/sim/random_network.hpp"
#include "numerics/functions.hpp"
#include "sampler/compile/trace.hpp"
#include "sampler/model.hpp"
#include "sampler/run.hpp"
#include "tests/sampler/random_model.hpp"

namespace tc0::circuits {
namespace {

using numerics::Format;

// A CUDA device, or the host emulation when the whole binary runs under TC0_TEST_DEVICE=emulate
// (a rehearsal of these tests without a GPU; tools/gpu/run.sh counts them as not run on CUDA).
#define REQUIRE_DEVICE()                                                          \
  do {                                                                            \
    std::string why;                                                              \
    if (!sim::device_present(sim::Device::cuda, &why)) GTEST_SKIP() << why;       \
  } while (0)

bool emulating() {
  const char* e = std::getenv("TC0_TEST_DEVICE");
  return e && std::string(e).find("emulate") != std::string::npos;
}
const char* device_kind() { return emulating() ? "emulated" : "cuda"; }

// Sets TC0_TEST_DEVICE for one scope (keeping an outer `emulate`), and restores it.
struct TestDeviceEnv {
  explicit TestDeviceEnv(const std::string& value) {
    const char* e = std::getenv("TC0_TEST_DEVICE");
    if (e) outer_ = e;
    setenv("TC0_TEST_DEVICE", (emulating() && value.find("emulate") == std::string::npos ? "emulate," + value : value).c_str(), 1);
  }
  ~TestDeviceEnv() {
    if (outer_) setenv("TC0_TEST_DEVICE", outer_->c_str(), 1);
    else unsetenv("TC0_TEST_DEVICE");
  }

 private:
  std::optional<std::string> outer_;
};

int bit_length(Weight v) {
  int n = 0;
  for (v = v < 0 ? -v : v; v > 0; v >>= 1) ++n;
  return n;
}

// Random gates whose widest weight is exactly `bits` wide (top bit set, odd, so that
// canonicalisation rarely divides it down), fan-in 2..24, the other weights up to that width within
// the builder's bound (sum |w| + |theta| < 2^126), thresholds above the widest weight (so it is not
// clamped) and reachable (so the gate is not constant); some gates are thermometer families sharing
// one list. Weights get random signs (the builder turns them into complemented fan-ins).
Network width_network(uint64_t seed, int bits, int gates) {
  std::mt19937_64 rng(seed);
  auto random128 = [&] { return Weight(rng()) << 64 | Weight(rng()); };
  auto below = [&](Weight hi) { return Weight((unsigned __int128)random128() % (unsigned __int128)hi); };  // [0, hi)
  Network ntk;
  std::vector<Signal> pool;
  for (int i = 0; i < 12; ++i) pool.push_back(ntk.create_input("x" + std::to_string(i)));
  Bus out{"out", Format(2, 0), false, {}};
  const Weight budget = (Weight(1) << 125) - 1;  // sum |w| <= budget keeps sum |w| + theta below 2^126
  for (int g = 0; g < gates;) {
    const int k = 2 + int(rng() % 23);
    Weight lead = 1;
    if (bits >= 2) lead = Weight(1) << (bits - 1) | (bits >= 3 ? below(Weight(1) << (bits - 2)) : 0) | 1;
    std::vector<Weight> mags{lead};
    Weight total = lead;
    for (int i = 1; i < k; ++i) {
      const Weight room = std::min<Weight>(lead, (budget - total) / (k - i));
      const Weight w = room <= 1 ? 1 : 1 + below(room);
      mags.push_back(w);
      total += w;
    }
    std::vector<Signal> fanins;
    std::vector<Weight> weights;
    Weight negative = 0;
    for (const Weight w : mags) {
      const Signal s = pool[rng() % pool.size()];
      fanins.push_back(rng() & 1 ? !s : s);
      const bool neg = rng() & 1;
      weights.push_back(neg ? -w : w);
      if (neg) negative += w;
    }
    const int family = rng() % 4 == 0 ? 2 + int(rng() % 4) : 1;
    for (int f = 0; f < family && g < gates; ++f, ++g) {
      // In the all-positive form the threshold lies in (lead, total].
      const Weight positive_theta = lead + 1 + below(total - lead);
      const Signal s = ntk.create_threshold(fanins, weights, positive_theta - negative);
      pool.push_back(s);
      if (out.bits.size() < 64 && rng() % 3 == 0) out.bits.push_back(s);
    }
  }
  if (out.bits.empty()) out.bits.push_back(pool.back());
  ntk.add_output_bus(out);
  return ntk;
}

// The corpus of CudaSim.EveryWeightWidthMatchesCpu: one network per width 1..125.
std::vector<Network> width_corpus() {
  std::vector<Network> nets;
  for (int bits = 1; bits <= 125; ++bits) nets.push_back(width_network(1000 + uint64_t(bits), bits, 60));
  return nets;
}

// Widths (bit length of the largest |weight| of a gate) present in a network.
std::set<int> gate_weight_widths(const Network& ntk) {
  std::set<int> widths;
  for (uint32_t g = 0; g < ntk.num_gates(); ++g) {
    const GateView gv = ntk.gate(g);
    int w = 0;
    for (size_t i = 0; i < gv.size(); ++i) w = std::max(w, bit_length(gv.weight(i)));
    widths.insert(w);
  }
  return widths;
}

// Every gate slot of `ntk` on `words` words of random inputs (at most a device block): the device
// (CUDA, or what TC0_TEST_DEVICE selects) against sim::eval_block. Returns the differing words.
size_t device_vs_cpu(const Network& ntk, uint32_t words, uint64_t seed) {
  const sim::FlatNetwork flat = sim::flatten(ntk);
  std::string why;
  auto device = sim::open_device(flat, sim::Device::cuda, &why);
  if (!device) {
    ADD_FAILURE() << "no device: " << why;
    return 1;
  }
  words = std::min(words, device->max_block_words());
  std::vector<uint64_t> cpu(size_t(flat.num_slots()) * words, 0);
  std::mt19937_64 rng(seed);
  for (size_t i = size_t(words); i < size_t(1 + flat.num_inputs) * words; ++i) cpu[i] = rng();
  const std::vector<uint64_t> inputs(cpu.begin(), cpu.begin() + long(size_t(1 + flat.num_inputs) * words));
  std::vector<uint32_t> all;
  for (uint32_t g = 0; g < flat.num_gates; ++g) all.push_back(flat.gate_slot(g));
  std::vector<uint64_t> dev(all.size() * words, 0);
  // eval_block takes at most 64 words; larger blocks are checked 64 words at a time.
  for (uint32_t w0 = 0; w0 < words; w0 += 64) {
    const uint32_t n = std::min(64u, words - w0);
    std::vector<uint64_t> part(size_t(flat.num_slots()) * n);
    for (uint32_t s = 0; s < flat.num_slots(); ++s)
      std::copy_n(cpu.begin() + long(size_t(s) * words + w0), n, part.begin() + long(size_t(s) * n));
    sim::eval_block(flat, part.data(), n);
    for (uint32_t s = 0; s < flat.num_slots(); ++s)
      std::copy_n(part.begin() + long(size_t(s) * n), n, cpu.begin() + long(size_t(s) * words + w0));
  }
  device->eval(inputs.data(), words, all, dev.data());
  size_t mismatches = 0;
  for (size_t k = 0; k < all.size(); ++k)
    for (uint32_t w = 0; w < words; ++w) mismatches += cpu[size_t(all[k]) * words + w] != dev[k * words + w];
  return mismatches;
}

sim::BusBatch random_batch(const sim::BitSimulator& s, size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  sim::BusBatch in(s.inputs().size(), std::vector<int64_t>(n));
  for (size_t p = 0; p < in.size(); ++p)
    for (auto& v : in[p]) v = sim::wrap_to_bus(int64_t(rng()), s.inputs()[p].bits.size(), s.inputs()[p].is_signed);
  return in;
}

Network mixed_network(uint64_t seed) {
  sim::RandomNetworkParams p;
  p.gates = 400;
  p.seed = seed;
  return sim::random_network(p);
}

// One network per gadget family of circuits/gadgets, on small operands.
std::vector<std::pair<std::string, Network>> gadget_networks() {
  std::vector<std::pair<std::string, Network>> out;
  auto two = [](Network& n, Format f) {
    return std::vector<Bus>{n.create_input_bus("a", f), n.create_input_bus("b", f)};
  };
  auto many = [](Network& n, int count, Format f) {
    std::vector<Bus> xs;
    for (int i = 0; i < count; ++i) xs.push_back(n.create_input_bus("x" + std::to_string(i), f));
    return xs;
  };
  auto add = [&](const std::string& name, const std::function<void(Network&)>& build) {
    Network n;
    build(n);
    out.emplace_back(name, std::move(n));
  };
  for (int budget : {2, 4, 6}) {
    const gadgets::LinearFormParams lp{budget, 4};
    const std::string b = " budget " + std::to_string(budget);
    add("add" + b, [&](Network& n) { auto x = two(n, Format(12, 4)); n.add_output_bus(gadgets::add(n, x[0], x[1], Format(10, 2), lp)); });
    add("sub" + b, [&](Network& n) { auto x = two(n, Format(12, 4)); n.add_output_bus(gadgets::sub(n, x[0], x[1], Format(13, 4), lp)); });
    add("multiply" + b, [&](Network& n) { auto x = two(n, Format(10, 5)); n.add_output_bus(gadgets::multiply(n, x[0], x[1], Format(12, 6), lp)); });
    add("sum" + b, [&](Network& n) { auto x = many(n, 9, Format(8, 2)); n.add_output_bus(gadgets::sum_buses(n, x, Format(12, 2), lp)); });
    add("dot_const" + b, [&](Network& n) {
      auto x = many(n, 20, Format(10, 4));
      std::vector<gadgets::Constant> c;
      for (int i = 0; i < 20; ++i) c.push_back({Weight((i * 37 + 11) % 255 - 127), 7});
      n.add_output_bus(gadgets::dot_const(n, {3, 2}, c, x, Format(12, 4), lp));
    });
    add("mul_const" + b, [&](Network& n) { auto x = two(n, Format(14, 6)); n.add_output_bus(gadgets::mul_const(n, x[0], {-1234567, 9}, Format(16, 6), lp)); });
  }
  add("compare_ge", [&](Network& n) { auto x = two(n, Format(16, 3)); n.add_output_bus(Bus{"y", Format(2, 0), false, {gadgets::compare_ge(n, x[0], x[1])}}); });
  add("add_exact", [&](Network& n) { auto x = two(n, Format(20, 0)); n.add_output_bus(gadgets::add_exact(n, x[0], x[1])); });
  add("multiply_full 16", [&](Network& n) { auto x = two(n, Format(16, 0)); n.add_output_bus(gadgets::multiply_full(n, x[0], x[1])); });
  add("multiply_full 32", [&](Network& n) { auto x = two(n, Format(32, 0)); n.add_output_bus(gadgets::multiply_full(n, x[0], x[1])); });
  add("exact_sum_bus (wide weights)", [&](Network& n) {
    std::vector<gadgets::Term> terms;
    for (int i = 0; i < 24; ++i) terms.push_back({n.create_input("z" + std::to_string(i)), (Weight(1) << (4 * i + 10)) + i});
    n.add_output_bus(gadgets::exact_sum_bus(n, terms));
  });
  add("mux", [&](Network& n) { auto x = two(n, Format(12, 0)); n.add_output_bus(gadgets::mux(n, n.create_input("sel"), x[0], x[1])); });
  add("max_argmax", [&](Network& n) {
    auto x = many(n, 8, Format(8, 0));
    auto r = gadgets::max_argmax(n, x);
    n.add_output_bus(r.max);
    n.add_output_bus(r.index);
  });
  add("function_of_bus (relu)", [&](Network& n) {
    auto x = two(n, Format(10, 3));
    n.add_output_bus(gadgets::function_of_bus(n, x[0], [](int64_t v) { return v > 0 ? v : 0; }, Format(10, 3)));
  });
  add("unary_table (exp)", [&](Network& n) {
    auto x = two(n, Format(12, 8));
    n.add_output_bus(gadgets::unary_table(n, x[0], numerics::UnaryFn::exp, Format(12, 10)));
  });
  add("function_of_linear_form (rsqrt)", [&](Network& n) {
    auto x = many(n, 6, Format(10, 4));
    gadgets::LinearForm lf;
    lf.frac = 4;
    for (int i = 0; i < 6; ++i)
      for (size_t b = 0; b < x[size_t(i)].bits.size(); ++b)
        lf.terms.push_back({x[size_t(i)].bits[b], (b + 1 == x[size_t(i)].bits.size() ? -1 : 1) * (Weight(1) << b) * (i + 1)});
    const Format table_in(12, 6), out(12, 8);
    n.add_output_bus(gadgets::function_of_linear_form(
        n, lf, table_in, [&](int64_t raw) { return numerics::correctly_rounded(numerics::UnaryFn::rsqrt, raw, table_in, out); },
        out));
  });
  add("staircase", [&](Network& n) {
    auto x = many(n, 3, Format(6, 0));
    gadgets::LinearForm lf;
    for (int i = 0; i < 3; ++i)
      for (size_t b = 0; b < x[size_t(i)].bits.size(); ++b)
        lf.terms.push_back({x[size_t(i)].bits[b], (b + 1 == x[size_t(i)].bits.size() ? -1 : 1) * (Weight(1) << b)});
    n.add_output_bus(gadgets::staircase(n, lf, [](int64_t v) { return (v * v) % 100 - 50; }, Format(8, 0)));
  });
  return out;
}

// ---- DeviceFallback: the device path without a GPU ----------------------------------------------

TEST(DeviceFallback, CudaReportsWhyItIsUnavailable) {
  std::string why;
  const bool ok = cuda::cuda_available(&why);
  const cuda::CudaDeviceInfo info = cuda::cuda_device_info();
  EXPECT_EQ(info.usable, ok);
  if (ok) {
    EXPECT_FALSE(info.name.empty());
    EXPECT_NE(info.describe().find(info.name), std::string::npos);
  } else {
    EXPECT_FALSE(why.empty());
    EXPECT_EQ(info.describe(), info.why);
    EXPECT_THROW(cuda::CudaEvaluator{sim::flatten(mixed_network(1))}, std::runtime_error);
  }
}

// `auto` gives the CPU's bits on either device and says why when it is the CPU; `cuda` without a
// device is refused with the reason.
TEST(DeviceFallback, AutoWithoutDeviceRunsOnTheCpuAndSaysWhy) {
  const Network ntk = mixed_network(5);
  const sim::BitSimulator cpu(ntk);
  const sim::BusBatch in = random_batch(cpu, 1000, 9);
  const sim::BitSimulator automatic(ntk, {.device = sim::Device::automatic});
  EXPECT_EQ(automatic.run(in), cpu.run(in));
  EXPECT_EQ(cpu.device_run().line().rfind("device: cpu (", 0), 0u) << cpu.device_run().line();
  std::string why;
  if (cuda::cuda_available(&why)) {
    EXPECT_TRUE(automatic.on_device());
    EXPECT_EQ(automatic.device_run().device, "cuda");
  } else {
    EXPECT_FALSE(automatic.on_device());
    EXPECT_EQ(automatic.device_run().note, why);
    EXPECT_NE(automatic.device_run().line().find("--device auto found no usable device: " + why), std::string::npos)
        << automatic.device_run().line();
    EXPECT_THROW(sim::BitSimulator(ntk, {.device = sim::Device::cuda}), std::runtime_error);
  }
  EXPECT_EQ(sim::parse_device("auto"), sim::Device::automatic);
  EXPECT_THROW(sim::parse_device("gpu"), std::invalid_argument);
}

// A batch streams through the (emulated) device in blocks of 2 words: 1000 samples are 8 blocks,
// the last one partial; the bits are the CPU's.
TEST(DeviceFallback, EmulatedDeviceStreamsBlocksWithTheCpusBits) {
  const TestDeviceEnv env("emulate,block-words=2");
  const Network ntk = mixed_network(7);
  const sim::BitSimulator cpu(ntk);
  const sim::BitSimulator dev(ntk, {.device = sim::Device::cuda});
  ASSERT_TRUE(dev.on_device());
  const sim::BusBatch in = random_batch(cpu, 1000, 3);
  EXPECT_EQ(dev.run(in), cpu.run(in));
  const sim::DeviceRun& r = dev.device_run();
  EXPECT_EQ(r.device, "emulated");
  EXPECT_EQ(r.device_samples, 1000u);
  EXPECT_EQ(r.cpu_samples, 0u);
  EXPECT_EQ(r.profile.blocks, 8u);
  EXPECT_EQ(r.profile.block_words, 2u);
  EXPECT_FALSE(r.fell_back());
  EXPECT_EQ(r.line(), "device: emulated (host emulation of a device (TC0_TEST_DEVICE=emulate)): 1000 samples in 8 "
                      "blocks of up to 128 samples");
  EXPECT_EQ(r.to_json()["profile"]["blocks"], 8);
}

// The device fails on its 4th block, after scribbling over its output: the first three blocks
// (192 samples) are the device's, the rest the CPU's, the bits all the CPU's; the simulator says so
// once and stays on the CPU afterwards.
TEST(DeviceFallback, DeviceErrorMidRunFallsBackToTheCpusBits) {
  const TestDeviceEnv env("emulate,block-words=1,fail-after=3");
  const Network ntk = mixed_network(11);
  const sim::BitSimulator cpu(ntk);
  std::vector<std::string> messages;
  const sim::BitSimulator dev(ntk, {.device = sim::Device::automatic,
                                    .on_fallback = [&](const std::string& m) { messages.push_back(m); }});
  ASSERT_TRUE(dev.on_device());
  const sim::BusBatch in = random_batch(cpu, 1000, 4);
  EXPECT_EQ(dev.run(in), cpu.run(in));
  const sim::DeviceRun& r = dev.device_run();
  EXPECT_TRUE(r.fell_back());
  EXPECT_EQ(r.device_samples, 192u);
  EXPECT_EQ(r.cpu_samples, 808u);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_NE(messages[0].find("injected device fault on batch 4"), std::string::npos) << messages[0];
  EXPECT_NE(r.line().find("for 192 samples, then cpu ("), std::string::npos) << r.line();
  EXPECT_NE(r.line().find("block at sample 192 of 1000"), std::string::npos) << r.line();
  EXPECT_FALSE(dev.on_device());
  const sim::BusBatch again = random_batch(cpu, 300, 5);
  EXPECT_EQ(dev.run(again), cpu.run(again));
  EXPECT_EQ(messages.size(), 1u);
}

TEST(DeviceFallback, DeviceErrorOnTheFirstBlock) {
  const TestDeviceEnv env("emulate,fail-after=0");
  const Network ntk = mixed_network(12);
  const sim::BitSimulator cpu(ntk);
  const sim::BitSimulator dev(ntk, {.device = sim::Device::cuda});
  const sim::BusBatch in = random_batch(cpu, 4000, 6);
  EXPECT_EQ(dev.run(in), cpu.run(in));
  EXPECT_EQ(dev.device_run().device_samples, 0u);
  EXPECT_EQ(dev.device_run().cpu_samples, 4000u);
}

TEST(DeviceFallback, MalformedTestHookIsRefused) {
  const Network ntk = mixed_network(13);
  for (const char* bad : {"emulat", "fail-after=-1", "block-words=0", "fail-after=x", "emulate,block-words"}) {
    const TestDeviceEnv env(bad);
    try {
      sim::BitSimulator s(ntk, {.device = sim::Device::automatic});
      ADD_FAILURE() << bad << " was accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("TC0_TEST_DEVICE"), std::string::npos) << e.what();
    }
  }
  // The CPU never consults the hook.
  const TestDeviceEnv env("bogus");
  EXPECT_NO_THROW(sim::BitSimulator(ntk, {.device = sim::Device::cpu}));
}

// The corpus of the CUDA width test holds every width 1..125 and both accumulator kinds, and the
// emulated device path agrees with the CPU on it (the CUDA test below runs the same corpus).
TEST(DeviceFallback, WidthCorpusCoversEveryWeightWidth) {
  const TestDeviceEnv env("emulate");
  std::set<int> widths;
  bool narrow = false, wide = false;
  size_t mismatches = 0;
  for (const Network& ntk : width_corpus()) {
    for (int w : gate_weight_widths(ntk)) widths.insert(w);
    for (auto k : sim::flatten(ntk).kernel) (k == sim::GateKernel::lanes128 ? wide : narrow) = true;
    mismatches += device_vs_cpu(ntk, 3, 17);
  }
  for (int w = 1; w <= 125; ++w) EXPECT_TRUE(widths.count(w)) << "no gate with " << w << "-bit weights";
  EXPECT_EQ(*widths.rbegin(), 125);
  EXPECT_TRUE(narrow && wide);
  EXPECT_EQ(mismatches, 0u);
}

// ---- CudaSim: the CUDA backend on a GPU ---------------------------------------------------------

TEST(CudaSim, DeviceIsNamed) {
  const cuda::CudaDeviceInfo info = cuda::cuda_device_info();
  if (!info.usable) GTEST_SKIP() << info.why;
  std::printf("CUDA device: %s\n", info.describe().c_str());
  RecordProperty("device", info.describe());
}

TEST(CudaSim, EveryWeightWidthMatchesCpu) {
  REQUIRE_DEVICE();
  size_t nets = 0;
  for (const Network& ntk : width_corpus()) {
    const uint32_t words = 1 + uint32_t(nets++ % 11);
    EXPECT_EQ(device_vs_cpu(ntk, words, nets), 0u) << "network " << nets << ", " << words << " words";
  }
}

TEST(CudaSim, RandomMixedCircuitsMatchCpu) {
  REQUIRE_DEVICE();
  for (uint64_t seed = 1; seed <= 20; ++seed)
    EXPECT_EQ(device_vs_cpu(mixed_network(seed), 1 + uint32_t(seed % 7) * 5, seed), 0u) << "seed " << seed;
}

TEST(CudaSim, EveryGadgetFamilyMatchesCpu) {
  REQUIRE_DEVICE();
  size_t families = 0;
  for (const auto& [name, ntk] : gadget_networks()) {
    EXPECT_EQ(device_vs_cpu(ntk, 9, ++families), 0u) << name;
    ASSERT_GT(ntk.num_gates(), 0u) << name;
  }
  EXPECT_GE(families, 25u);
}

// Compiled samplers: a random MLP and a random DiT (attention, softmax, LayerNorm tables, grouped
// linear forms) through BitSimulator on the device, against the CPU.
TEST(CudaSim, CompiledSamplerCircuitsMatchCpu) {
  REQUIRE_DEVICE();
  std::vector<Network> nets;
  for (const char* arch : {"mlp", "dit"}) {
    const sampler::Model m = sampler::testing::random_model(arch, 21, std::string(arch) == "dit" ? 8 : 10);
    sampler::compile::CompileOptions co;
    co.linear.depth_budget = 4;
    nets.push_back(sampler::compile::compile_sampler(m, sampler::sampler_spec(m, "mf2", 1), co));
  }
  for (const Network& ntk : nets) {
    const sim::BitSimulator cpu(ntk);
    const sim::BitSimulator gpu(ntk, {.device = sim::Device::cuda});
    const sim::BusBatch in = random_batch(cpu, 5000, 21);
    EXPECT_EQ(gpu.run(in), cpu.run(in)) << ntk.num_gates() << " gates";
    EXPECT_EQ(gpu.device_run().device, device_kind());
    EXPECT_EQ(gpu.device_run().device_samples, 5000u);
  }
}

// Block sizes around the kernel's chunks of 8 32-bit words (4 64-bit words), and a large one.
TEST(CudaSim, BlockSizesMatchCpu) {
  REQUIRE_DEVICE();
  const Network ntk = mixed_network(33);
  for (uint32_t words : {1u, 2u, 3u, 4u, 5u, 7u, 8u, 9u, 15u, 16u, 17u, 63u, 64u, 65u, 1024u})
    EXPECT_EQ(device_vs_cpu(ntk, words, words), 0u) << words << " words";
}

TEST(CudaSim, SimulatorStreamsBlocksOnTheDevice) {
  REQUIRE_DEVICE();
  const TestDeviceEnv env("block-words=3");
  const Network ntk = mixed_network(34);
  const sim::BitSimulator cpu(ntk);
  const sim::BitSimulator gpu(ntk, {.device = sim::Device::cuda});
  const sim::BusBatch in = random_batch(cpu, 10000, 8);
  EXPECT_EQ(gpu.run(in), cpu.run(in));
  EXPECT_EQ(gpu.device_run().device, device_kind());
  EXPECT_EQ(gpu.device_run().profile.blocks, 53u);  // ceil(10000 / 192)
  EXPECT_GT(gpu.device_run().profile.kernels_s, 0.0);
}

// A real GPU failing part-way: the rest of the batch on the CPU, the CPU's bits.
TEST(CudaSim, DeviceErrorMidRunFallsBackToTheCpusBits) {
  REQUIRE_DEVICE();
  const TestDeviceEnv env("block-words=2,fail-after=2");
  const Network ntk = mixed_network(35);
  const sim::BitSimulator cpu(ntk);
  const sim::BitSimulator gpu(ntk, {.device = sim::Device::automatic});
  const sim::BusBatch in = random_batch(cpu, 2000, 9);
  EXPECT_EQ(gpu.run(in), cpu.run(in));
  EXPECT_EQ(gpu.device_run().device, device_kind());
  EXPECT_TRUE(gpu.device_run().fell_back());
  EXPECT_EQ(gpu.device_run().device_samples, 256u);
}

}  // namespace
}  // namespace tc0::circuits
