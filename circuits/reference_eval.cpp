#include "circuits/reference_eval.hpp"

#include <fmt/format.h>

namespace tc0::circuits {

std::vector<bool> evaluate_nodes(const Network& ntk, const std::vector<bool>& input_values,
                                 const GateReplacement* replace) {
  if (input_values.size() != ntk.num_inputs())
    throw CircuitError(fmt::format("evaluate_nodes: {} input values for a network with {} inputs",
                                   input_values.size(), ntk.num_inputs()));
  std::vector<bool> value(ntk.num_nodes(), false);
  for (uint32_t i = 0; i < ntk.num_inputs(); ++i) value[ntk.inputs()[i]] = input_values[i];
  if (replace && (replace->gate >= ntk.num_gates() || replace->fanins.size() != replace->weights.size()))
    throw CircuitError(fmt::format("evaluate_nodes: replacement of gate {} (of {}) with {} fan-ins and {} weights",
                                   replace->gate, ntk.num_gates(), replace->fanins.size(), replace->weights.size()));
  for (uint32_t g = 0; g < ntk.num_gates(); ++g) {
    Weight sum = 0;
    if (replace && replace->gate == g) {
      for (size_t i = 0; i < replace->fanins.size(); ++i) {
        if (replace->fanins[i].index() >= ntk.gate_node(g))
          throw CircuitError(fmt::format("evaluate_nodes: the replacement of gate {} reads a later node", g));
        if (signal_value(value, replace->fanins[i])) sum += replace->weights[i];
      }
      value[ntk.gate_node(g)] = sum >= replace->theta;
      continue;
    }
    GateView v = ntk.gate(g);
    for (size_t i = 0; i < v.size(); ++i)
      if (signal_value(value, v.fanins[i])) sum += v.weight(i);
    value[ntk.gate_node(g)] = sum >= v.theta;
  }
  return value;
}

int64_t bus_value(const std::vector<bool>& node_values, const Bus& bus) {
  size_t w = bus.bits.size();
  if (w > 64) throw CircuitError(fmt::format("bus '{}' has {} bits; at most 64 fit an integer", bus.name, w));
  uint64_t u = 0;
  for (size_t i = 0; i < w; ++i)
    if (signal_value(node_values, bus.bits[i])) u |= uint64_t(1) << i;
  if (bus.is_signed && w > 0 && w < 64 && (u >> (w - 1) & 1)) u |= ~uint64_t(0) << w;  // sign-extend
  return int64_t(u);
}

std::vector<int64_t> evaluate_buses(const Network& ntk, const std::vector<int64_t>& input_bus_values,
                                    const GateReplacement* replace) {
  const auto& buses = ntk.input_buses();
  if (input_bus_values.size() != buses.size())
    throw CircuitError(fmt::format("evaluate_buses: {} values for {} input buses", input_bus_values.size(),
                                   buses.size()));
  std::vector<bool> in(ntk.num_inputs(), false);
  for (size_t b = 0; b < buses.size(); ++b) {
    const Bus& bus = buses[b];
    int64_t x = input_bus_values[b];
    size_t w = bus.bits.size();
    if (w < 64) {
      int64_t lo = bus.is_signed ? -(int64_t(1) << (w - 1)) : 0;
      int64_t hi = bus.is_signed ? (int64_t(1) << (w - 1)) - 1 : (int64_t(1) << w) - 1;
      if (x < lo || x > hi)
        throw CircuitError(fmt::format("evaluate_buses: value {} does not fit input bus '{}' ({} bits, {})", x,
                                       bus.name, w, bus.is_signed ? "signed" : "unsigned"));
    }
    for (size_t i = 0; i < w && i < 64; ++i) {
      Signal s = bus.bits[i];
      if (!ntk.is_input(s.index()))
        throw CircuitError(fmt::format("input bus '{}' bit {} is not a primary input", bus.name, i));
      in[ntk.input_index(s.index())] = ((uint64_t(x) >> i) & 1) != s.complemented();
    }
  }
  std::vector<bool> value = evaluate_nodes(ntk, in, replace);
  std::vector<int64_t> out;
  for (const Bus& bus : ntk.output_buses()) out.push_back(bus_value(value, bus));
  return out;
}

}  // namespace tc0::circuits
