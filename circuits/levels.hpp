#pragma once
// Levelisation (a derived view, kept out of Network's storage): the logic level of every node and
// the depth of the network. Level 0: the constant and primary inputs; a gate is 1 + the largest
// level of its fan-ins. Depth counts gates on the longest input-to-output path (SPEC section 3).
#include <cstdint>
#include <span>
#include <vector>

#include "circuits/network.hpp"

namespace tc0::circuits {

struct Levels {
  std::vector<uint32_t> level;  // per node
  uint32_t depth = 0;           // max level over output-bus bits (over all nodes if no outputs)

  uint32_t of(Signal s) const { return level[s.index()]; }
};

Levels compute_levels(const Network& ntk);

// Depth of a set of signals (max level), e.g. of one gadget's outputs.
uint32_t depth_of(const Levels& lv, std::span<const Signal> signals);

// One longest path ending at the deepest output bit (the deepest node when there are no outputs):
// node indices from a primary input (level 0) up to that node, each a fan-in of the next, levels
// increasing by one. A path that starts at the constant stops at its level-1 gate.
std::vector<uint32_t> critical_path(const Network& ntk, const Levels& lv);

}  // namespace tc0::circuits
