#pragma once
// The last layer of a linear-form operation's proof (op_linear_proof.cpp) by exhaustive simulation:
// once the partial products and group sums are explained, the output bits are gates over a few
// term wires x_t, and the claim is out = round_sat((K + sum_t w_t x_t) 2^-F) for EVERY assignment of
// those wires (a superset of what the groups below can hand on, so no range premise is used). With
// up to about 30 wires this is cheaper and more robust than the word lemmas (word_lemma.hpp), whose
// facts can be too weak when the form reads the bits of two levels of group sums. The reference is
// numerics::round_to_format, the sampler's own rounding (SPEC.md section 2).
#include <cstdint>
#include <string>
#include <vector>

#include "circuits/network.hpp"
#include "proofs/column_proof.hpp"

namespace tc0::proofs {

// The most term wires final_form_exhaustive() enumerates (2^30 assignments).
inline constexpr int kMaxFinalFormWires = 30;

struct FinalFormCheck {
  bool proved = false;
  uint64_t assignments = 0;  // 2^n, every one simulated
  // When not proved: why (a gate outside the form, a weight past 2^120), or the first differing
  // assignment of the term wires (bit t = wire spec.terms[t].node) and the output bit.
  std::string why;
  std::vector<uint8_t> counterexample;
};

// `gates`: the gate nodes of `ntk` between the term wires and the output bus `out` (topological
// order), reading only term wires, constants and each other. spec.terms.size() <= kMaxFinalFormWires.
FinalFormCheck final_form_exhaustive(const circuits::Network& ntk, const circuits::Bus& out,
                                     const std::vector<uint32_t>& gates, const LinearFormSpec& spec);

// The same comparison on 64 x words seeded random assignments of the term wires: not a proof
// (proved stays false); a counterexample shows that the form is not right for EVERY assignment of
// its term wires, so no method that treats them as free can prove it (the form then needs what the
// groups below can hand on as a premise). `assignments` counts what was compared.
FinalFormCheck final_form_sampled(const circuits::Network& ntk, const circuits::Bus& out,
                                  const std::vector<uint32_t>& gates, const LinearFormSpec& spec, uint64_t words,
                                  uint64_t seed);

}  // namespace tc0::proofs
