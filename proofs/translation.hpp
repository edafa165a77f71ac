#pragma once
// Translation validation of a compiled sampler (tc0flow verify): the circuit computes the model's
// fixed-point sampler on every input. The specification is the model itself, traced into its
// operation graph (op_graph.hpp); the circuit contributes only its gates and the operation map that
// compile wrote. Three steps, the composition argument in proofs/README.md:
//   1. structure (op_structure.hpp): the map is the graph, every gate in exactly one operation, each
//      operation reading only its operands' wires, the outputs the sampler's outputs;
//   2. sharing: operations with equal exact shapes (parameters, operand pattern, gates over local
//      wire numbers: identical up to a renaming of their input wires) form one class;
//   3. one proof per class (op_proof.hpp) on its first operation, valid for every member.
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "circuits/network.hpp"
#include "proofs/op_graph.hpp"
#include "proofs/op_proof.hpp"
#include "proofs/op_structure.hpp"

namespace tc0::proofs {

struct VerifyOptions {
  OpProofOptions proof;
  int threads = 1;              // proof workers (each with its own Z3 contexts)
  bool structure_only = false;  // stop after step 2
  // When not empty, only classes whose operations are of these kinds are proved; the others are
  // reported "not attempted" (the demo's quick subset).
  std::set<std::string> kinds;
  // When not empty, only the classes of these operations are proved.
  std::set<uint32_t> ops;
  // Called after each class proof (done, total, the class) from the worker threads, serialised.
  std::function<void(size_t, size_t, const struct OpClass&)> progress;
};

// The label of an operation kind in reports: the policy call, and the table function for unary
// ("unary/exp").
std::string kind_label(const OpSpec& op);

struct OpClass {
  uint32_t rep = 0;                // the operation proved
  std::vector<uint32_t> members;   // every operation of the class, rep first
  uint32_t free_wires = 0;
  uint64_t gates = 0, edges = 0;   // of one member
  bool attempted = false;
  OpProof proof;
};

struct VerifyReport {
  StructureResult structure;
  std::vector<OpClass> classes;
  std::vector<uint32_t> class_of;  // per operation
  double seconds_structure = 0, seconds_classes = 0, seconds_proofs = 0;
  double proof_seconds_sum = 0;    // sum over classes (CPU time of the proofs, all workers)
  // operations (not classes) by verdict
  uint64_t proved = 0, refuted = 0, inconclusive = 0, not_attempted = 0;
  bool all_proved() const { return structure.ok && refuted == 0 && inconclusive == 0 && not_attempted == 0; }
  // Per operation: index, module, kind, status (proved | refuted | inconclusive | not-attempted),
  // method, seconds (of its class's proof), class and whether it shares its class's proof; per
  // kind the counts; the assumptions of the certificate.
  nlohmann::json to_json(const SamplerGraph& g) const;
};

VerifyReport verify_circuit(const circuits::Network& ntk, const SamplerGraph& g, const VerifyOptions& o);

// The assumptions every proof of verify_circuit rests on, for the certificate (one line each).
std::vector<std::string> verify_assumptions();

}  // namespace tc0::proofs
