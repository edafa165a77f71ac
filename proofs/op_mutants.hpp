#pragma once
// The mutation campaign of tc0flow verify on a compiled sampler (issue 14 item 3): seeded
// single-gate mutants of the circuit's operations, each judged as tc0flow verify would see it, and
// structural mutants judged by the structure check.
//
// Single-gate mutants (draw_op_mutants), round-robin over the operation kinds, alternating high
// (top two) and low (bottom two) output bits, the gate drawn from that bit's cone:
//   weight     one fan-in weight +1 (or -1)
//   threshold  the threshold +1 or -1
//   fanin      one fan-in replaced by another free wire of the operation (a swapped fan-in)
//   moved      one fan-in moved to an output wire of another operation
// judge_op_mutant:
//   - moved: check_op_reads (check_structure's rule for the edited operation: the rest of the circuit
//     is unchanged and passed check_structure) must refuse it; "caught by the structure check";
//   - otherwise prove_op on the mutated operation. Refuted: the counterexample is reproduced by the
//     CPU simulator (check_assignment) and FixedArith disagrees. Then reachability
//     (reachability.hpp): whether one of the recorded sampler inputs gives the operation operands on
//     which the mutant is wrong and, when one does, whether the whole mutated circuit's sample on it
//     differs from the fixed-point sampler's (visible) or not (masked downstream), by the reference
//     evaluator with the mutated gate in place (circuits/reference_eval.hpp, no copy of the circuit). A mutant the
//     proof leaves inconclusive but a sampler input reaches is refuted by that input (the
//     counterexample, reproduced the same way, is the operands it receives). A proved mutant is
//     "equivalent" only when a second method confirms it: after an exhaustive proof (bit-parallel
//     simulator), every assignment again through the reference evaluator (circuits/reference_eval);
//     after a solver proof, every Z3 query re-checked by cvc5 (tools/smt2_recheck.sh; the proof's
//     exhaustive steps are not re-run); otherwise it is "equivalent (unconfirmed)". A proved mutant
//     that the random search, a sampler input or the second method shows wrong is an escape.
// judge_structural_mutant: a whole copy of the circuit with two wires between operations swapped or
// an output bus reordered (circuit_edit.hpp) must fail check_structure.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "circuits/network.hpp"
#include "proofs/circuit_edit.hpp"
#include "proofs/op_proof.hpp"
#include "proofs/reachability.hpp"

namespace tc0::proofs {

enum class MutantKind { weight, threshold, fanin, moved };
const char* to_string(MutantKind k);

struct OpMutant {
  int index = 0;
  uint32_t op = 0;
  std::string kind;  // kind_label of the operation
  MutantKind mutation = MutantKind::weight;
  size_t bit = 0;
  bool high = false;  // drawn from a high-order output bit's cone
  GateEdit edit;      // edit.gate: index among the operation's gates
  uint32_t gate_node = 0;
  std::string change;  // what was changed, one line
};

// `count` mutants of the operations with gates, seeded; the kinds (kind_label) in sorted order.
std::vector<OpMutant> draw_op_mutants(const circuits::Network& ntk, const SamplerGraph& g, int count, uint64_t seed,
                                      std::vector<std::string>* kinds = nullptr);

struct JudgeOptions {
  OpProofOptions proof;
  int search_words = 1024;            // x 64 assignments searched again after a proof
  const SamplerRuns* runs = nullptr;  // recorded sampler inputs (reachability); none: not searched
  bool downstream = true;             // simulate the whole mutated circuit on a reaching input
  std::string recheck_script;         // tools/smt2_recheck.sh; empty: no cvc5 re-check
  int cvc5_timeout_s = 60;
  std::string work_dir;               // where a mutant's queries are written for cvc5 (removed after)
};

struct MutantOutcome {
  // refuted | caught by the structure check | equivalent | equivalent (unconfirmed) | inconclusive | escape (...)
  std::string verdict;
  std::string method, detail;
  std::string refuted_by;                // "proof" or "sampler input"
  std::optional<OpCounterexample> cex;   // reproduced by the CPU simulator
  // reachability (refuted, inconclusive and proved mutants, when runs are given)
  size_t reach_inputs = 0;
  std::optional<size_t> reached_input;
  std::optional<OpCounterexample> reached;
  std::optional<bool> visible;           // the whole mutated circuit's sample differs from the fixed-point sampler's
  size_t visible_entry = 0;
  int64_t sample_circuit = 0, sample_fixed = 0;
  double seconds_downstream = 0;
  std::string confirmation;              // of an equivalent verdict: which second method
  int cvc5_queries = 0, cvc5_agree = 0;
  double seconds = 0;
  bool is_refuted() const { return verdict == "refuted"; }
  bool is_caught() const { return verdict == "caught by the structure check"; }
  bool is_escape() const { return verdict.rfind("escape", 0) == 0; }
  bool is_equivalent() const { return verdict.rfind("equivalent", 0) == 0; }
  bool is_inconclusive() const { return verdict == "inconclusive"; }
  nlohmann::json to_json() const;
};

MutantOutcome judge_op_mutant(const circuits::Network& ntk, const SamplerGraph& g, const OpMutant& mu,
                              const JudgeOptions& o);

// Seeded structural mutants: even indices swap an output wire a of one operation, which a later
// operation reads, with an output wire b of another operation (swap_reads; b none of the operand
// wires of a's producer or of its reader, a none of b's producer's, so that the swap is a wrong wire
// between operations and not a change inside one), odd ones exchange two differing bits of an output
// bus (swap_output_bits).
struct StructuralMutant {
  int index = 0;
  CircuitEdit edit;
  std::string change;
};
std::vector<StructuralMutant> draw_structural_mutants(const circuits::Network& ntk, const SamplerGraph& g, int count,
                                                      uint64_t seed);
MutantOutcome judge_structural_mutant(const circuits::Network& ntk, const SamplerGraph& g, const StructuralMutant& mu);

}  // namespace tc0::proofs
