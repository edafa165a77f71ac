#pragma once
// Equivalence of the multiplier gadget (circuits/gadgets/arith.hpp) at widths where a monolithic
// miter against the word-level product times out (about 10 bits, NOTES.md), by case splitting:
// the top `split_bits` bits of x are fixed to each of their 2^split_bits values in turn (one solver
// query each, as assumptions on one incremental solver holding the miter); with those bits constant
// the product is a linear form in the remaining bits and each case is easy. The cases cover every
// x, which is checked outside the solver by enumerating them; the obligation is proved only when
// every case is unsat. (NOTES.md's column-lemma idea, and cutting the AND layer into free
// partial-product bits, were tried here: the cut output layer alone timed out at 8 bits.)
#include "proofs/result.hpp"

namespace tc0::proofs {

// x, y in Q(n, n/2), product rounded and saturated to Q(n, n/2) (full = false) or the exact
// Q(2n, 2 (n/2)) (full = true).
ObligationResult prove_multiplier_split(int n, bool full, int split_bits, const QueryOptions& opt);

}  // namespace tc0::proofs
