#include "circuits/sim/flat.hpp"

#include <algorithm>
#include <unordered_map>

namespace tc0::circuits::sim {

namespace {

Weight abs128(Weight w) { return w < 0 ? -w : w; }

}  // namespace

std::vector<uint32_t> node_levels(const Network& ntk) {
  std::vector<uint32_t> level(ntk.num_nodes(), 0);
  for (uint32_t g = 0; g < ntk.num_gates(); ++g) {
    uint32_t l = 0;
    for (Signal s : ntk.gate(g).fanins) l = std::max(l, level[s.index()]);
    level[ntk.gate_node(g)] = l + 1;
  }
  return level;
}

FlatNetwork flatten(const Network& ntk) {
  FlatNetwork f;
  f.num_inputs = ntk.num_inputs();
  f.num_gates = ntk.num_gates();
  const auto level = node_levels(ntk);

  // Counting sort of the gates by level keeps creation order inside a level (deterministic).
  uint32_t depth = 0;
  for (uint32_t g = 0; g < f.num_gates; ++g) depth = std::max(depth, level[ntk.gate_node(g)]);
  f.level_begin.assign(depth + 2, 0);
  for (uint32_t g = 0; g < f.num_gates; ++g) ++f.level_begin[level[ntk.gate_node(g)]];
  // level_begin[l] currently counts gates of level l (l >= 1); turn into offsets of level l+1 at l.
  std::vector<uint32_t> offsets(depth + 2, 0);
  for (uint32_t l = 1; l <= depth; ++l) offsets[l + 1] = offsets[l] + f.level_begin[l];
  f.level_begin.assign(offsets.begin() + 1, offsets.end());  // size depth + 1
  std::vector<uint32_t> next(offsets.begin(), offsets.end());
  f.gate_of_flat.resize(f.num_gates);
  for (uint32_t g = 0; g < f.num_gates; ++g) f.gate_of_flat[next[level[ntk.gate_node(g)]]++] = g;

  f.slot_of_node.assign(ntk.num_nodes(), 0);
  for (uint32_t i = 0; i < f.num_inputs; ++i) f.slot_of_node[ntk.inputs()[i]] = 1 + i;
  for (uint32_t fg = 0; fg < f.num_gates; ++fg) f.slot_of_node[ntk.gate_node(f.gate_of_flat[fg])] = f.gate_slot(fg);

  f.fanin_begin.reserve(f.num_gates);
  f.fanin_count.reserve(f.num_gates);
  f.theta.reserve(f.num_gates);
  f.kernel.reserve(f.num_gates);
  // A fan-in list shared in the Network stays shared here: network list id -> flat offset.
  std::unordered_map<uint64_t, uint64_t> flat_list;
  bool any_wide = false;
  for (uint32_t fg = 0; fg < f.num_gates; ++fg) {
    const uint32_t g = f.gate_of_flat[fg];
    const GateView gv = ntk.gate(g);
    Weight sum = 0;
    for (size_t i = 0; i < gv.size(); ++i) sum += abs128(gv.weight(i));
    const bool wide = sum + abs128(gv.theta) >= (Weight(1) << 62);
    any_wide |= wide;
    f.kernel.push_back(wide ? GateKernel::lanes128 : GateKernel::lanes64);
    f.theta.push_back(gv.theta);
    f.fanin_count.push_back(uint32_t(gv.size()));
    auto [it, fresh] = flat_list.try_emplace(ntk.fanin_list(g), f.fanin.size());
    f.fanin_begin.push_back(it->second);
    if (!fresh) continue;
    for (size_t i = 0; i < gv.size(); ++i) {
      f.fanin.push_back(f.signal_slot(gv.fanins[i]));
      // Lists whose weights exceed int64 are only read by the int128 kernel.
      f.weight64.push_back(gv.wide_weights.empty() ? gv.narrow_weights[i] : 0);
    }
  }
  // int128 weights only for the lists lanes128 gates read (a few gates of a large circuit).
  f.weight128_begin.assign(f.num_gates, UINT64_MAX);
  if (any_wide) {
    std::unordered_map<uint64_t, uint64_t> wide_list;  // flat list offset -> weight128 offset
    for (uint32_t fg = 0; fg < f.num_gates; ++fg) {
      if (f.kernel[fg] != GateKernel::lanes128) continue;
      auto [it, fresh] = wide_list.try_emplace(f.fanin_begin[fg], f.weight128.size());
      f.weight128_begin[fg] = it->second;
      if (!fresh) continue;
      const GateView gv = ntk.gate(f.gate_of_flat[fg]);
      for (size_t i = 0; i < gv.size(); ++i) f.weight128.push_back(gv.weight(i));
    }
  }
  return f;
}

}  // namespace tc0::circuits::sim
