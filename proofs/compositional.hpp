#pragma once
// Compositional equivalence proofs of the gadgets whose monolithic miter times out (NOTES.md: the
// multiplier near 10 bits, sum4 and the constant dot product near 10 and 7 bits).
//
// Multiplier X * Y (circuits/gadgets/arith.cpp: an AND layer, then one linear form over the partial
// products), proved in three pieces (the composition is in proofs/README.md):
//   (a) AND layer: one Z3 query over all first-layer gates, each actual gate [x_i + y_j >= 2]
//       encoded over free x_i, y_j, against x_i & y_j;
//   (b) the linear-form sub-circuit with every partial product p_ij cut to a FREE bit equals
//       round_sat(sum_ij c_i d_j p_ij * 2^-(fx+fy)), c_i, d_j the two's-complement bit weights
//       (+2^i, and -2^(n-1) for the sign bit): one column lemma per output bit (column_proof.hpp);
//   (c) sum_ij c_i d_j x_i y_j = X * Y: distributivity of the two's-complement value
//       X = sum_i c_i x_i (a theorem; tests/proofs checks it exhaustively at small widths).
// Linear gadgets (sum of buses, constant dot product): the terms are the input bits themselves, so
// only (b) and the linearity of (c) are needed.
//
// Honesty: proved only when every query is unsat. Any failing lemma makes the result inconclusive
// unless a concrete counterexample is found (seeded random simulation, then a Z3 miter of the first
// failing output bit on the whole circuit) and reproduced by the CPU simulator against numerics/:
// then refuted.
#include <string>

#include "proofs/equivalence.hpp"
#include "proofs/result.hpp"

namespace tc0::proofs {

// x, y in Q(n, n/2); product rounded to Q(n, n/2) (full = false) or exact in Q(2n, 2 (n/2)).
ObligationResult prove_multiplier_compositional(int n, bool full, const QueryOptions& opt);
// The same on a given case (gc.ntk may be a mutant of the multiplier gadget).
ObligationResult prove_multiplier_compositional(const GadgetCase& gc, const QueryOptions& opt);

// "gadget.sum4", "gadget.dot_const", "gadget.mul_const", "gadget.add" or "gadget.sub" at width n
// (the formats of gadget_cases.cpp), proved by column lemmas over the input bits.
ObligationResult prove_linear_gadget_compositional(const std::string& family, int n, const QueryOptions& opt);
// The same on a given case of that family (possibly a mutant).
ObligationResult prove_linear_gadget_compositional(const std::string& family, const GadgetCase& gc,
                                                   const QueryOptions& opt);

}  // namespace tc0::proofs
