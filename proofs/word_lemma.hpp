#pragma once
// Column lemmas over words only: the last layer of a linear-form operation (op_linear_proof.cpp)
// proved one output bit at a time without a single term wire in the query, so the query's size does
// not grow with the number of terms (a 64-input row of 12-bit operands has 768 term wires; the
// column lemmas of column_proof.hpp keep the output gate's direct terms as free bits and time out
// there).
//
// For output bit j every gate in its cone is [v.x >= theta] over the term wires x (complemented
// fan-ins moved into theta): the depth-1 gates feeding the output gate, and the output gate's own
// direct terms as one vector a. Each distinct vector u, and the specification's w (S = K + w.x),
// becomes a FREE bounded word Y_u, standing for u.x. The words are tied only by facts that hold for
// every x, each checked here on the integer vectors:
//   (range)        sum of u's negative entries <= Y_u <= sum of its positive entries;
//   (gap)          Y_u is its range's end or at least min_t |u_t| inside it;
//   (2-adic)       Y_u == 0 (mod 2^e), e = min_t nu_2(u_t);
//   (congruence)   Y_u == Y_v and Y_u == -Y_v (mod 2^e), e = min_t nu_2(u_t -+ v_t);
//   (proportional) q (Y_u - Y_v) == p Y_z when u - v = (p/q) z, and q Y_u == p Y_v when u = (p/q) v;
//   (few terms)    Y_u == Y_v + sum_{t: u_t != v_t} (u_t - v_t) x_t, the few differing terms as
//                  free bits shared by every fact (at most kMaxLinkBits of them per link);
//   (range less a bit) for such a free bit x_t and every word u: Y_u - u_t x_t lies in the range of
//                  u's other terms (what makes a weight clamped to theta harmless).
// Clamped weights are given back first (a weight the network clamped to theta decides alone, as
// any larger weight would), against the recipe's level vectors, so a clamped gate reads its level's
// word; gates over one word with one weight in the output gate are a thermometer and enter the
// output gate as weight * c, c a small counter word defined exactly by the thresholds.
// The claim, output gate (over the words) != bit j of round_sat((K + Y_w) 2^-frac) (fixed_spec.hpp),
// is asserted negated: unsat proves the bit for every assignment of the term wires, because each
// fact is a theorem and each gate equals its comparison by its own definition. A sat answer may be
// spurious (the facts can be too weak): the bit is then inconclusive, never refuted.
#include <string>

#include "proofs/column_proof.hpp"

namespace tc0::proofs {

inline constexpr size_t kMaxLinkBits = 8;

ColumnProof prove_linear_form_words(const circuits::Network& ntk, const circuits::Bus& out_bus,
                                    const LinearFormSpec& spec, const QueryOptions& opt, const std::string& name);

}  // namespace tc0::proofs
