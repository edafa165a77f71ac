#pragma once
// The proof methods behind prove_op (op_proof.hpp), one file each.
#include <string>

#include "proofs/op_proof.hpp"

namespace tc0::proofs {

// Every assignment of the free wires (at most kMaxExhaustiveInputs).
OpProof prove_exhaustive(const circuits::Network& local, const OpSpec& op, const OpWiring& w);

// Operations whose value is one rounded linear form of operand bits and their pairwise products.
bool is_linear_form_op(OpKind k);
OpProof prove_linear_form(const circuits::Network& local, const OpSpec& op, const OpWiring& w,
                          const OpProofOptions& o, const std::string& name);

// A counterexample to a linear-form operation from one Z3 miter of its gates against the exact form
// rounded once (fixed_spec.hpp), reproduced by the CPU simulator; nullopt when the solver finds none
// in time (it proves nothing either way: only a reproduced counterexample counts).
std::optional<OpCounterexample> linear_form_miter(const circuits::Network& local, const OpSpec& op, const OpWiring& w,
                                                  const QueryOptions& q, const std::string& name);

// max of operands: comparators lifted to words, then one query.
OpProof prove_max(const circuits::Network& local, const OpSpec& op, const OpWiring& w, const OpProofOptions& o,
                  const std::string& name);

}  // namespace tc0::proofs
