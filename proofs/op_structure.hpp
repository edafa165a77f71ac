#pragma once
// The structural half of translation validation: a circuit's operation map (Network::op, written by
// compile) against the model's operation graph (op_graph.hpp).
//
// Each operation's operands are defined by the graph, never by the circuit: operand bit i of an
// operand produced by operation p is the i-th output signal of p in the map; of a primary input, bit
// i of that input bus; of a constant, the constant signal of its bit. check_structure() then
// demands:
//   - the map has exactly the graph's operations, each with as many output bits as its format;
//   - every gate lies in exactly one operation (the ranges are disjoint; no gate outside them);
//   - every fan-in of an operation's gates is one of its own earlier gates or a wire of its
//     operands, and so is every output bit (or a constant);
//   - the input buses are the graph's primary inputs (formats, in order), nothing else is an
//     input, and the output buses are exactly the operand bits of the sampler's outputs.
// The first violation names the operation (index, module path of the graph) and the wire.
//
// With the structure in place an operation is a function of its free wires (the distinct
// non-constant signals among its operand bits): extract_op() copies it into a small stand-alone
// network over those wires, and op_shape() writes it down exactly (graph parameters, operand
// pattern, gates over local wire numbers) so that two operations whose gates are identical up to a
// renaming of their input wires can share one proof; equal shapes ARE that renaming.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "circuits/network.hpp"
#include "proofs/op_graph.hpp"

namespace tc0::proofs {

// One operand bit: a constant (free < 0, value `bit`) or free wire number `free`, complemented
// when `bit`.
struct OperandBit {
  int32_t free = -1;
  bool bit = false;
};

struct OpWiring {
  std::vector<uint32_t> free_nodes;                // the distinct wires, in operand-bit order
  std::vector<std::vector<OperandBit>> operands;   // per operand of the graph, per bit
};

// The signals of operand a as the circuit carries them (defined by the graph and the map).
std::vector<circuits::Signal> operand_signals(const circuits::Network& ntk, const Operand& a);
OpWiring op_wiring(const circuits::Network& ntk, const OpSpec& op);

struct StructureResult {
  bool ok = true;
  int64_t first_bad_op = -1;  // -1: the problem is not one operation's (counts, inputs, outputs)
  std::string error;          // one line
  uint64_t ops = 0, gates = 0;
};

StructureResult check_structure(const circuits::Network& ntk, const SamplerGraph& g);

// Operation k as a stand-alone network: loose inputs w0..w(n-1) (the free wires, in order), its
// gates over them, and one output bus "y" in the operation's format. `edit`, when given, rewrites
// gate `edit_gate` (an index among the operation's gates) before it is created: fault injection
// for the mutation campaign.
struct GateEdit {
  uint32_t gate = 0;
  std::vector<circuits::Signal> fanins;  // in the ORIGINAL network's signals
  std::vector<circuits::Weight> weights;
  circuits::Weight theta = 0;
};
// check_structure's rule for the reads of operation k alone (its gates' fan-ins and its output
// bits), with `edit` in place of one of its gates: the first violation, or nullopt. A single-gate
// mutant of a circuit that passes check_structure passes it again exactly when this accepts the
// edit, so the mutation campaign checks a moved fan-in without copying the circuit.
std::optional<std::string> check_op_reads(const circuits::Network& ntk, const SamplerGraph& g, uint32_t k,
                                          const GateEdit* edit = nullptr);
circuits::Network extract_op(const circuits::Network& ntk, uint32_t k, const OpSpec& op, const OpWiring& w,
                             const GateEdit* edit = nullptr);

// Exact description of operation k up to a renaming of its free wires (see the header comment).
std::vector<uint64_t> op_shape(const circuits::Network& ntk, uint32_t k, const OpSpec& op, const OpWiring& w);

}  // namespace tc0::proofs
