#pragma once
// Shared vocabulary of the gadget library: linear forms over wires, the stats every gadget fills
// (mockturtle style: gadget(ntk, inputs..., ps, &st)), and helpers turning buses into terms.
// Every gadget is a template over the builder concept of circuits/builder.hpp and is instantiated
// for Network (materialise) and GateCounter (count): GADGET_INSTANTIATE below.
#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "circuits/builder.hpp"
#include "circuits/gate_counter.hpp"
#include "circuits/network.hpp"
#include "numerics/format.hpp"

namespace tc0::circuits::gadgets {

// One wire z in {0,1} with an integer weight.
struct Term {
  Signal s;
  Weight w;
};

// The exact value (constant + sum_t w_t z_t) * 2^-frac.
struct LinearForm {
  std::vector<Term> terms;
  Weight constant = 0;
  int frac = 0;

  // Smallest and largest value of constant + sum w_t z_t over independent z_t (exact, checked).
  Weight min_value() const;
  Weight max_value() const;
};

// Filled by every gadget: what it added to the network. Gates shared with earlier logic through
// structural hashing are not counted. depth counts gates from the gadget's inputs (any earlier
// node counts as level 0) to its deepest output bit.
struct GadgetStats {
  uint64_t gates = 0;
  uint64_t edges = 0;
  uint32_t depth = 0;
  int max_weight_bits = 0;  // bits of the largest |weight| of an added gate
  int max_theta_bits = 0;   // bits of the largest |theta| of an added gate
};

// Records the network's size on construction; finish() fills the stats for the gates added since.
template <class Ntk>
class StatsRecorder {
 public:
  StatsRecorder(const Ntk& ntk, GadgetStats* st) : ntk_(ntk), st_(st), gates0_(ntk.num_gates()), edges0_(ntk.num_edges()) {}
  void finish(std::span<const Signal> outputs) const;

 private:
  const Ntk& ntk_;
  GadgetStats* st_;
  uint32_t gates0_;
  uint64_t edges0_;
};

// Bit length of |v| (0 for 0).
int bit_length(Weight v);

// Checked arithmetic on weights: a result of 2^124 or more in magnitude is refused with
// CircuitError (`what` names the gadget), so thresholds derived from it stay below 2^126.
Weight add_w(Weight a, Weight b, const char* what);
Weight mul_w(Weight a, Weight b, const char* what);
Weight pow2_w(int k, const char* what);

// Terms of a bus's integer value (two's complement: the top bit of a signed bus weighs -2^(w-1)),
// each weight multiplied by scale * 2^shift.
void append_bus_terms(LinearForm& lf, const Bus& bus, Weight scale, int shift, const char* what);

// All outputs of a bus, for StatsRecorder::finish.
std::vector<Signal> all_bits(std::span<const Bus> buses);

template <class Ntk>
void StatsRecorder<Ntk>::finish(std::span<const Signal> outputs) const {
  if (!st_) return;
  GadgetStats s;
  s.gates = ntk_.num_gates() - gates0_;
  s.edges = ntk_.num_edges() - edges0_;
  // Local levels: nodes that existed before the gadget count as level 0.
  const uint32_t first_node = gates0_ < ntk_.num_gates() ? ntk_.gate_node(gates0_) : ntk_.num_nodes();
  std::vector<uint32_t> level(ntk_.num_nodes() - first_node, 0);
  for (uint32_t g = gates0_; g < ntk_.num_gates(); ++g) {
    const GateView v = ntk_.gate(g);
    uint32_t l = 0;
    for (Signal f : v.fanins)
      if (f.index() >= first_node) l = std::max(l, level[f.index() - first_node]);
    level[ntk_.gate_node(g) - first_node] = l + 1;
    s.max_theta_bits = std::max(s.max_theta_bits, bit_length(v.theta));
    for (size_t i = 0; i < v.size(); ++i) s.max_weight_bits = std::max(s.max_weight_bits, bit_length(v.weight(i)));
  }
  for (Signal o : outputs)
    if (o.index() >= first_node) s.depth = std::max(s.depth, level[o.index() - first_node]);
  *st_ = s;
}

}  // namespace tc0::circuits::gadgets

// Explicit instantiation of a gadget template for both builders (in the gadget's .cpp).
#define TC0_GADGET_INSTANTIATE(DECL) \
  template DECL(::tc0::circuits::Network); \
  template DECL(::tc0::circuits::GateCounter);
