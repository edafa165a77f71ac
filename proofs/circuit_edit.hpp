#pragma once
// Damaged copies of a compiled circuit, for the tests and the mutation campaign of tc0flow verify:
// the copy keeps the input buses, the operation map (every operation's gates recreated inside
// begin_op/end_op) and the output buses, with at most one of these edits:
//   - gate: one gate's fan-ins, weights and threshold replaced (single-gate mutation);
//   - swap_reads: every read of wire a by a gate or an operation's output becomes a read of wire b
//     and vice versa, from the point where both exist (two wires between operations swapped);
//   - swap_output_bits: two bits of one output bus exchanged (an output bus reordered).
// Gates go through create_threshold, so a mutated gate may fold into a constant or an existing gate
// of its operation; the operation map stays consistent either way.
#include <cstdint>
#include <optional>
#include <vector>

#include "circuits/network.hpp"

namespace tc0::proofs {

struct CircuitEdit {
  struct Gate {
    uint32_t gate = 0;  // gate index in the original network
    std::vector<circuits::Signal> fanins;
    std::vector<circuits::Weight> weights;
    circuits::Weight theta = 0;
  };
  struct SwapReads {
    uint32_t a = 0, b = 0;  // node indices
  };
  struct SwapOutputBits {
    uint32_t bus = 0;
    uint32_t i = 0, j = 0;
  };
  std::optional<Gate> gate;
  std::optional<SwapReads> swap_reads;
  std::optional<SwapOutputBits> swap_output_bits;
};

circuits::Network copy_with_edit(const circuits::Network& ntk, const CircuitEdit& e);

}  // namespace tc0::proofs
