#pragma once
// Random threshold networks for tests and benchmarks: random fan-ins over earlier nodes, random
// complemented signals, random signed weights from several magnitude classes (1, up to 2^16, up to
// 2^40, up to 2^100), thermometer families sharing a fan-in list, AND / OR / majority gates, module
// tags, several input and output buses (signed and unsigned). The same seed gives the same network.
#include <cstdint>

#include "circuits/network.hpp"

namespace tc0::circuits::sim {

struct RandomNetworkParams {
  uint32_t gates = 200;
  uint32_t max_fanin = 12;
  uint32_t input_buses = 3;
  uint32_t max_bus_width = 10;
  uint32_t loose_inputs = 2;
  uint32_t output_buses = 3;
  uint32_t max_output_width = 16;
  // Largest weight magnitude class allowed: 0 unit, 1 up to 2^16, 2 up to 2^40, 3 up to 2^100.
  int max_weight_class = 3;
  // Percentage of draws that create a thermometer family instead of one gate: 2-6 gates with the
  // same fan-ins and weights and different thresholds, which share one stored fan-in list.
  uint32_t family_percent = 25;
  // Percentage of draws that create an AND, OR or majority gate (unit weights) instead, the classes
  // the simulator evaluates as plain Boolean logic.
  uint32_t logic_percent = 0;
  uint64_t seed = 1;
};

Network random_network(const RandomNetworkParams& params);

}  // namespace tc0::circuits::sim
