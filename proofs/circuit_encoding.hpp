#pragma once
// A threshold network as Z3 bit-vector formulas (QF_BV). Each input bus becomes one free bit-vector
// named after it (with a prefix, so two networks can share a solver); every gate
// [sum_i w_i x_i >= theta] becomes a zero-extended sum of ite(x_i, w_i, 0) in an accumulator just
// wide enough for sum |w_i|, compared with bvuge (NOTES.md: far faster than pseudo-Boolean or
// integer encodings). Negative weights are moved onto the complemented input first, so every sum
// is unsigned. Output buses are read back as bit-vectors of their width.
#include <z3++.h>

#include <string>
#include <unordered_map>
#include <vector>

#include "circuits/network.hpp"

namespace tc0::proofs {

// One gate [sum_i w_i x_i >= theta] over the given fan-in values (Booleans, complement already
// applied), in the encoding described above. CircuitEncoding uses it for every gate; compositional
// proofs use it to encode one actual gate over cut (free) fan-ins.
z3::expr encode_gate(z3::context& ctx, const circuits::GateView& gv, const std::vector<z3::expr>& fanins);

class CircuitEncoding {
 public:
  // Fresh inputs: bus b becomes the bit-vector constant prefix + b.name.
  CircuitEncoding(z3::context& ctx, const circuits::Network& ntk, const std::string& prefix = "");
  // Given inputs: one bit-vector per input port (sim::input_ports order: buses, then loose inputs).
  // Cut points: gates whose node index is a key of `cuts` take the given Boolean instead of their
  // function (free variables for compositional proofs: "for every value of these wires").
  CircuitEncoding(z3::context& ctx, const circuits::Network& ntk, const std::vector<z3::expr>& port_values,
                  const std::unordered_map<uint32_t, z3::expr>& cuts = {});

  // Input ports in sim::input_ports() order, as bit-vectors of the port widths.
  const std::vector<z3::expr>& inputs() const { return inputs_; }
  // Output buses in ntk.output_buses() order, as bit-vectors of their widths.
  std::vector<z3::expr> outputs() const;
  z3::expr output(const std::string& bus_name) const;
  z3::expr signal(circuits::Signal s) const;

 private:
  void encode_gates(const std::unordered_map<uint32_t, z3::expr>& cuts);
  z3::expr bus_bits(const circuits::Bus& bus) const;

  z3::context& ctx_;
  const circuits::Network& ntk_;
  std::vector<z3::expr> inputs_;
  std::vector<z3::expr> nodes_;  // Boolean value of each node
};

}  // namespace tc0::proofs
