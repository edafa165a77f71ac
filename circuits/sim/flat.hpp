#pragma once
// The levelised flat form of a Network, used by the CUDA backend (the CPU simulator compiles the
// Network into a register program instead, program.hpp). Value slots: slot 0 is constant false, slots 1..num_inputs are the primary inputs in
// creation order, then one slot per gate, gates sorted by logic level (level 1 first), so every level
// is a contiguous range of gates whose fan-ins all lie in earlier slots.
//
// Per edge we keep the fan-in as `slot << 1 | complement` and the weight; weights are stored in
// int64 when the gate's sum |w| + |theta| fits comfortably (< 2^62), else in the int128 array; a
// per-gate tag says which accumulator width the gate needs.
// Gates that share a fan-in list in the Network share it here too (same fanin_begin and count);
// they lie on one level, next to each other when created together, so an evaluator computes the
// weighted sum once and compares it with each gate's theta.
#include <cstdint>
#include <vector>

#include "circuits/network.hpp"

namespace tc0::circuits::sim {

enum class GateKernel : uint8_t {
  lanes64,    // sum < 2^62: one int64 accumulator per sample
  lanes128,   // the rest (sum < 2^126 by the Network contract): one int128 accumulator per sample
};

struct FlatNetwork {
  uint32_t num_inputs = 0;
  uint32_t num_gates = 0;
  // level_begin[l] .. level_begin[l+1] are the gates (flat gate indices) of level l+1; its size is
  // depth + 1.
  std::vector<uint32_t> level_begin;
  std::vector<uint64_t> fanin_begin;  // per gate: offset of its fan-in list in fanin / weight arrays
  std::vector<uint32_t> fanin_count;  // per gate: length of that list
  std::vector<uint32_t> fanin;        // slot << 1 | complement
  std::vector<int64_t> weight64;      // per edge; valid for non-wide gates
  std::vector<Weight> weight128;      // the lists of lanes128 gates only, at weight128_begin[g]
  std::vector<uint64_t> weight128_begin;  // per gate; UINT64_MAX unless the gate is lanes128
  std::vector<Weight> theta;          // per gate
  std::vector<GateKernel> kernel;     // per gate
  std::vector<uint32_t> gate_of_flat; // flat gate index -> Network gate index
  std::vector<uint32_t> slot_of_node; // Network node index -> slot

  uint32_t num_slots() const { return 1 + num_inputs + num_gates; }
  uint32_t depth() const { return uint32_t(level_begin.size()) - 1; }
  uint32_t gate_slot(uint32_t flat_gate) const { return 1 + num_inputs + flat_gate; }
  bool shares_list(uint32_t a, uint32_t b) const {
    return fanin_begin[a] == fanin_begin[b] && fanin_count[a] == fanin_count[b];
  }
  uint32_t signal_slot(Signal s) const { return slot_of_node[s.index()] << 1 | uint32_t(s.complemented()); }
};

// Logic level of every node of the network: 0 for constants and inputs, 1 + max over fan-ins for
// gates. Indexed by node.
std::vector<uint32_t> node_levels(const Network& ntk);

FlatNetwork flatten(const Network& ntk);

}  // namespace tc0::circuits::sim
