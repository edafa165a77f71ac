#include "circuits/sim/random_network.hpp"

#include <fmt/format.h>

#include <random>
#include <vector>

namespace tc0::circuits::sim {

namespace {

Weight random_magnitude(std::mt19937_64& rng, int cls) {
  switch (cls) {
    case 0: return 1;
    case 1: return Weight(1 + rng() % (uint64_t(1) << 16));
    case 2: return Weight(1 + rng() % (uint64_t(1) << 40));
    default: {
      const int bits = 41 + int(rng() % 60);  // 41..100 bits
      Weight w = (Weight(rng()) << 64 | Weight(rng() >> 1)) & ((Weight(1) << bits) - 1);
      return w | (Weight(1) << (bits - 1));
    }
  }
}

}  // namespace

Network random_network(const RandomNetworkParams& p) {
  std::mt19937_64 rng(p.seed);
  Network ntk;
  std::vector<Signal> pool;  // every non-constant node so far
  for (uint32_t b = 0; b < p.input_buses; ++b) {
    const int w = 2 + int(rng() % std::max<uint32_t>(p.max_bus_width - 1, 1));
    const Bus& bus = ntk.create_input_bus(fmt::format("in{}", b), numerics::Format(w, 0), rng() % 2 == 0);
    for (Signal s : bus.bits) pool.push_back(s);
  }
  for (uint32_t i = 0; i < p.loose_inputs; ++i) pool.push_back(ntk.create_input(fmt::format("x{}", i)));
  if (pool.empty()) pool.push_back(ntk.create_input("x"));
  const char* module_names[] = {"alpha", "beta", "beta/inner", "gamma"};
  for (uint32_t g = 0; g < p.gates; ++g) {
    const uint32_t n = 2 + uint32_t(rng() % std::max<uint32_t>(p.max_fanin - 1, 1));
    const int cls = int(rng() % uint64_t(p.max_weight_class + 1));
    std::vector<Signal> ins;
    std::vector<Weight> ws;
    Weight total = 0;
    for (uint32_t i = 0; i < n; ++i) {
      // Prefer recent nodes so that the network gets deep, but reach back to inputs too.
      const size_t span = std::min<size_t>(pool.size(), 24);
      const size_t idx = rng() % 3 == 0 ? rng() % pool.size() : pool.size() - 1 - rng() % span;
      Signal s = pool[idx];
      if (rng() % 3 == 0) s = !s;
      Weight w = random_magnitude(rng, cls);
      if (rng() % 4 == 0) w = -w;
      ins.push_back(s);
      ws.push_back(w);
      total += w < 0 ? -w : w;
    }
    // theta anywhere in the reachable range (a little beyond, so constant gates get folded too).
    const Weight span = total + 2;
    const Weight r = (Weight(rng()) << 64 | Weight(rng() >> 1)) % (2 * span);
    const Weight theta = r - span + 1;
    const uint64_t m = rng() % 5;
    if (m < 4) ntk.push_module(module_names[m]);
    if (rng() % 100 < p.logic_percent) {
      const uint64_t kind = rng() % 3;
      if (kind == 2 && ins.size() % 2 == 0) ins.pop_back();
      const Signal out = kind == 0 ? ntk.create_and(ins) : kind == 1 ? ntk.create_or(ins) : ntk.create_maj(ins);
      if (ntk.is_gate(out.index())) pool.push_back(out);
      if (m < 4) ntk.pop_module();
      continue;
    }
    const uint32_t members = rng() % 100 < p.family_percent ? 2 + uint32_t(rng() % 5) : 1;
    for (uint32_t k = 0; k < members; ++k) {
      // Family members step theta through the reachable range, like [L >= j 2^k] of a linear form.
      const Weight t = k == 0 ? theta : theta + Weight(k) * (span / Weight(members) + 1);
      const Signal out = ntk.create_threshold(ins, ws, t);
      if (ntk.is_gate(out.index())) pool.push_back(out);
    }
    if (m < 4) ntk.pop_module();
  }
  for (uint32_t o = 0; o < p.output_buses; ++o) {
    Bus bus;
    bus.name = fmt::format("out{}", o);
    const uint32_t w = 2 + uint32_t(rng() % std::max<uint32_t>(p.max_output_width - 1, 1));
    bus.fmt = numerics::Format(int(std::min<uint32_t>(w, 64)), 0);
    bus.is_signed = rng() % 2 == 0;
    for (uint32_t k = 0; k < w; ++k) {
      const uint64_t pick = rng() % 16;
      Signal s = pick == 0 ? kFalse : pick == 1 ? kTrue : pool[pool.size() - 1 - rng() % std::min<size_t>(pool.size(), 40)];
      if (pick > 1 && rng() % 4 == 0) s = !s;
      bus.bits.push_back(s);
    }
    ntk.add_output_bus(std::move(bus));
  }
  return ntk;
}

}  // namespace tc0::circuits::sim
