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

// max of operands: comparators lifted to words, then one query.
OpProof prove_max(const circuits::Network& local, const OpSpec& op, const OpWiring& w, const OpProofOptions& o,
                  const std::string& name);

}  // namespace tc0::proofs
