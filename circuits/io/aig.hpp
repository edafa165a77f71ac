#pragma once
// Exact AND-inverter lowering of a threshold network, shared by the AIGER and BLIF writers.
//
// Each threshold gate [sum w_i x_i >= theta] (canonical: w_i > 0, complemented fan-ins become
// inverted literals) becomes a bit-level adder and a comparator: every set bit p of w_i puts the
// literal x_i into column p; columns are reduced from the least significant one with full and half
// adders (3 -> sum + carry, 2 -> sum + carry) until one bit per column remains, and the resulting
// sum S is compared with the constant theta by a borrow chain (S >= theta iff S - theta does not
// borrow). The AIG builder folds constants and hashes structurally, so shared logic is shared.
#include <cstdint>
#include <ostream>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "circuits/network.hpp"

namespace tc0::circuits::io {

// AIGER literals: 2 * variable + complement; variable 0 is constant false, 1..num_inputs the inputs,
// then the AND nodes in order (ands[k] defines variable num_inputs + 1 + k).
class Aig {
 public:
  explicit Aig(uint32_t num_inputs) : num_inputs_(num_inputs) {}
  uint32_t num_inputs() const { return num_inputs_; }
  uint32_t input(uint32_t i) const { return 2 * (i + 1); }
  uint32_t num_ands() const { return uint32_t(ands_.size()); }
  uint32_t max_var() const { return num_inputs_ + num_ands(); }
  const std::vector<std::pair<uint32_t, uint32_t>>& ands() const { return ands_; }

  uint32_t land(uint32_t a, uint32_t b);
  uint32_t lor(uint32_t a, uint32_t b) { return land(a ^ 1, b ^ 1) ^ 1; }
  uint32_t lxor(uint32_t a, uint32_t b) { return lor(land(a, b ^ 1), land(a ^ 1, b)); }
  uint32_t maj(uint32_t a, uint32_t b, uint32_t c) { return lor(land(a, b), land(c, lor(a, b))); }

 private:
  uint32_t num_inputs_;
  std::vector<std::pair<uint32_t, uint32_t>> ands_;  // (larger literal, smaller literal)
  std::unordered_map<uint64_t, uint32_t> hash_;
};

// The lowering of a whole network: input i of the network is AIG input i; outputs are the bits of
// the output buses in order, named "bus[k]".
struct LoweredAig {
  Aig aig{0};
  std::vector<uint32_t> outputs;
  std::vector<std::string> input_names;
  std::vector<std::string> output_names;
  std::vector<uint32_t> node_literal;  // per network node
};

// Lowers one gate given the literals of its fan-ins (used by BLIF for gates too wide for a table).
uint32_t lower_threshold(Aig& aig, const GateView& gate, const std::vector<uint32_t>& fanin_literals);

LoweredAig lower_to_aig(const Network& ntk);

// AIGER 1.9-compatible writers (no latches): binary "aig" or ASCII "aag", with a symbol table.
// The stream version writes in pieces of about 1 MiB.
void write_aiger(std::ostream& out, const LoweredAig& l, bool binary);
std::string write_aiger(const LoweredAig& l, bool binary);

}  // namespace tc0::circuits::io
