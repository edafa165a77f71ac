#pragma once
// The threshold-builder concept every gadget is written against (mockturtle's network concept):
// circuits::Network materialises the gates, circuits::GateCounter (gate_counter.hpp) counts them
// without keeping them. Both put every gate in the canonical form of canonical.hpp, so a gadget
// built into either gives the same gates, edges, depth and weights.
//
// A builder provides threshold gates (one, or a family over one fan-in list), module tags, and a
// read-only view of the gates it made (and_absorb folds a control signal into an existing gate;
// StatsRecorder walks the gates a gadget added). The helpers below (AND, OR, MAJ, XOR, the module
// scope) are written once on top of it.
#include <concepts>
#include <span>
#include <string>
#include <vector>

#include "circuits/network_types.hpp"

namespace tc0::circuits {

template <class Ntk>
concept ThresholdBuilder = requires(Ntk& n, const Ntk& cn, std::span<const Signal> f, std::span<const Weight> w,
                                    Weight theta, std::span<const Weight> thetas, std::span<Signal> out,
                                    const std::string& name, uint32_t id) {
  { n.create_threshold(f, w, theta) } -> std::same_as<Signal>;
  { n.create_threshold_family(f, w, thetas, out) };
  { n.push_module(name) };
  { n.pop_module() };
  { cn.num_nodes() } -> std::convertible_to<uint32_t>;
  { cn.num_gates() } -> std::convertible_to<uint32_t>;
  { cn.num_edges() } -> std::convertible_to<uint64_t>;
  { cn.is_gate(id) } -> std::same_as<bool>;
  { cn.gate_index(id) } -> std::convertible_to<uint32_t>;
  { cn.gate_node(id) } -> std::convertible_to<uint32_t>;
  { cn.gate(id) } -> std::same_as<GateView>;
  // a sub-gadget that depends only on its inputs (GateCounter may count it once and reuse it)
  { n.reuse(f, w, [] { return std::vector<Signal>{}; }) } -> std::same_as<std::vector<Signal>>;
};

// RAII module tag: gates created in its lifetime carry the pushed path.
template <class Ntk>
struct ModuleScopeOf {
  Ntk& ntk;
  ModuleScopeOf(Ntk& n, const std::string& name) : ntk(n) { ntk.push_module(name); }
  ~ModuleScopeOf() { ntk.pop_module(); }
  ModuleScopeOf(const ModuleScopeOf&) = delete;
  ModuleScopeOf& operator=(const ModuleScopeOf&) = delete;
};

template <class Ntk>
Signal make_and(Ntk& ntk, std::span<const Signal> fanins) {
  std::vector<Weight> w(fanins.size(), 1);
  return ntk.create_threshold(fanins, w, Weight(fanins.size()));
}

template <class Ntk>
Signal make_or(Ntk& ntk, std::span<const Signal> fanins) {
  std::vector<Weight> w(fanins.size(), 1);
  return ntk.create_threshold(fanins, w, 1);
}

template <class Ntk>
Signal make_and(Ntk& ntk, Signal a, Signal b) {
  const Signal f[2] = {a, b};
  const Weight w[2] = {1, 1};
  return ntk.create_threshold(f, w, 2);
}

template <class Ntk>
Signal make_or(Ntk& ntk, Signal a, Signal b) {
  const Signal f[2] = {a, b};
  const Weight w[2] = {1, 1};
  return ntk.create_threshold(f, w, 1);
}

// Majority of an odd number of fan-ins.
template <class Ntk>
Signal make_maj(Ntk& ntk, std::span<const Signal> fanins) {
  if (fanins.size() % 2 == 0) throw CircuitError("majority: needs an odd number of fan-ins");
  std::vector<Weight> w(fanins.size(), 1);
  return ntk.create_threshold(fanins, w, Weight(fanins.size() / 2 + 1));
}

// a xor b = [a + b - 2 (a and b) >= 1]: two threshold gates, depth 2.
template <class Ntk>
Signal make_xor(Ntk& ntk, Signal a, Signal b) {
  const Signal both = make_and(ntk, a, b);
  const Signal f[3] = {a, b, both};
  const Weight w[3] = {1, 1, -2};
  return ntk.create_threshold(f, w, 1);
}

}  // namespace tc0::circuits
