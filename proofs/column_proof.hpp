#pragma once
// Compositional proof of a depth-2 linear-form sub-circuit (circuits/gadgets/linear_form.hpp: SPEC 3
// thermometer carries + one output gate per bit) over FREE term wires, one small query per output
// bit ("column lemma"). Why: a monolithic miter makes the SAT solver relate two differently built
// adder trees (thermometer comparisons vs the word-level sum), which times out near 10 bits; every
// column lemma instead talks about a few bounded words.
//
// Column lemma for output bit j, on the ACTUAL output gate of bit j (encode_gate): every depth-1 gate
// G feeding it is cut and replaced by the comparison its own weights define, [u.x >= lambda theta],
// where u = lambda v_G is G's weight vector over the term wires x (complements moved into theta)
// scaled by a small lambda, and the linear form u.x is a FREE bounded word Y_u. The words are tied
// to the spec sum S = K + sum w_t x_t (itself a free word over its exact range) only by facts that
// hold for every x:
//   (range)       min(u.x) <= Y_u <= max(u.x), summed from u's signs;
//   (congruence)  Y_u == S - K (mod 2^e), e = min_t nu_2(u_t - w_t), checked here on integers;
//   (exact)       Y_u == S - K or K - S when u = w or u = -w;
//   (link)        Y_u == Y_a + sum_{t: u_t != a_t} (u_t - a_t) x_t for an anchor word a, the few
//                 differing terms as free bits (a column of the multiplier, a clamped weight);
//   (present)     S - K == sum_{t present} w_t x_t (mod 2^e), e = min nu_2(w_t) over absent terms.
// Anchors are S itself and the recipe's levels (SPEC 3.3) k-1 and k (k = j + rounding shift: balanced
// residues of |w_t| mod 2^(k+1), sign of w_t), whether or not the circuit has gates for them.
// Compact form, tried first: a cut gate that is an anchor's own comparison (up to lambda, and up to
// weights the network clamped to theta, which any weight >= theta could replace) reads the anchor's
// word directly; the linked form above is the fallback when the compact one is not proved.
// The claim: output gate != bit j of round_sat(S * 2^-frac) (fixed_spec.hpp) is unsat. Since each
// fact holds for the real x and each cut gate equals its comparison by definition, the lemma covers
// every real input; all bits proved => the sub-circuit equals the spec for every value of the term
// wires. A lemma that fails may be spurious (the facts are incomplete): it is inconclusive, and only
// a concrete counterexample that the simulator reproduces refutes (see compositional.hpp).
#include <string>
#include <vector>

#include "circuits/network.hpp"
#include "numerics/format.hpp"
#include "proofs/bv.hpp"
#include "proofs/query.hpp"

namespace tc0::proofs {

// A term wire (a primary input, or a gate such as an AND of the multiplier's first layer that the
// proof cuts to a free bit) and its weight in the specification.
struct SpecTerm {
  uint32_t node;
  BigInt weight;
};

// out = round_sat((constant + sum weight_t x_t) * 2^-frac), rounded once to `out` (SPEC 2).
struct LinearFormSpec {
  std::vector<SpecTerm> terms;
  BigInt constant = 0;
  int frac = 0;
  numerics::Format out{2, 0};
};

struct BitLemma {
  int bit = 0;
  Verdict verdict = Verdict::inconclusive;
  double seconds = 0;
  int cut_gates = 0;   // depth-1 gates replaced by word comparisons
  int anchored = 0;    // of which matched to S or a level word
  bool retried = false;  // the compact form was not proved; this is the linked form
  int words = 0;       // free words
  int free_bits = 0;   // term wires kept as free bits
  std::string detail;  // why not proved
};

struct ColumnProof {
  Verdict verdict = Verdict::inconclusive;  // proved only when every bit lemma is unsat; never refuted
  std::vector<BitLemma> bits;
  double seconds = 0;
  int failed_bit = -1;  // first bit whose lemma is not proved
  std::string detail;
};

// Proves out_bus of ntk (each bit a gate over term wires and depth-1 gates over term wires, or a
// term, or a constant) against spec, bit by bit; stops at the first bit not proved.
ColumnProof prove_linear_form_columns(const circuits::Network& ntk, const circuits::Bus& out_bus,
                                      const LinearFormSpec& spec, const QueryOptions& opt, const std::string& name);

}  // namespace tc0::proofs
