#pragma once
// The obviously-correct scalar evaluator: one input assignment in, every node's value out. It walks
// the gates in topological order and sums weights in exact 128-bit arithmetic (every gate keeps
// sum |w| + |theta| below 2^126, network.hpp). Slow on purpose: it is the reference that the fast
// simulators are tested against, so it has no tricks.
#include <cstdint>
#include <span>
#include <vector>

#include "circuits/network.hpp"

namespace tc0::circuits {

// One gate evaluated as another threshold function over the network's signals (fault injection,
// for the mutation campaign of tc0flow verify, without copying a large network). The replacement
// may read only nodes created before the gate, as any gate does.
struct GateReplacement {
  uint32_t gate = 0;  // gate index
  std::span<const Signal> fanins;
  std::span<const Weight> weights;
  Weight theta = 0;
};

// Values of all nodes (index = node) for one assignment of the primary inputs, given in
// creation order (inputs()[i] gets input_values[i]). Throws CircuitError on a size mismatch.
std::vector<bool> evaluate_nodes(const Network& ntk, const std::vector<bool>& input_values,
                                 const GateReplacement* replace = nullptr);

// Value of a signal given the node values.
inline bool signal_value(const std::vector<bool>& node_values, Signal s) {
  return node_values[s.index()] != s.complemented();
}

// The integer on a bus: two's complement (sign-extended) when bus.is_signed, else unsigned.
// Buses wider than 64 bits are refused with CircuitError.
int64_t bus_value(const std::vector<bool>& node_values, const Bus& bus);

// Whole-bus interface: one integer per input bus (in input_buses() order; raw two's-complement
// values, taken modulo 2^width), one integer per output bus back. Inputs that belong to no bus
// are 0. Throws CircuitError on a count mismatch or a value that does not fit its bus.
std::vector<int64_t> evaluate_buses(const Network& ntk, const std::vector<int64_t>& input_bus_values,
                                    const GateReplacement* replace = nullptr);

}  // namespace tc0::circuits
