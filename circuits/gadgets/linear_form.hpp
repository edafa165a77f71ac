#pragma once
// All bits of a linear form K + sum_t w_t z_t with constant integer weights, rounded once (half to
// even) and saturated to an output format: SPEC section 3, "all bits of a linear form", depth 2.
//
// Construction (the recipe of SPEC 3.3, generalised to signed weights and fused rounding): for each level k
// the form is reduced to L_k == S (mod 2^(k+1)) with balanced residues |r_t| <= 2^k, and the carry
// C_k = floor(L_k / 2^(k+1)) is thermometer-coded by gates [L_k >= j 2^(k+1)] (at most
// #terms/2 + 2 of them). Bit k of S is then the parity C_(k-1) + B_k - 2 C_k, one output gate.
// Rounding by s bits needs no bits below s: bits of R = round(S / 2^s) are the bits of S + 2^(s-1)
// from position s up, except bit 0, whose carry comes from the thermometer of L_(s-1) - 1 (this
// clears the bit on a tie, which is always rounded to even). Saturation adds two depth-1 gates
// [S >= hi 2^s], [S <= lo 2^s] wired into every output gate, and the sign bit is the single gate
// [R < 0] = [S <= -2^(s-1) - 1], which is right even when saturated: no extra depth.
//
// Size-saving variant (block-save reduction): with depth_budget >= 4 the terms are sorted by weight
// and summed exactly in groups (depth 2 per level of grouping), then the final rounded form reads
// the group sums' bits. Each grouping level costs 2 depth and cuts edges when terms are many.
#include <span>

#include "circuits/gadgets/common.hpp"

namespace tc0::circuits::gadgets {

struct LinearFormParams {
  // Largest depth the gadget may use counted from its term signals: 2 is the plain construction,
  // each further 2 allows one level of grouping (used only when the form has more terms than
  // group_size). Below 2 is refused.
  int depth_budget = 2;
  // Terms per group in the grouped variant; 0 picks 16.
  uint32_t group_size = 0;
};

// The bits of round_sat((lf.constant + sum w z) * 2^-lf.frac) in format `out`, as a signed bus named
// `name` with out.frac() fraction bits.
template <class Ntk>
Bus linear_form_bus(Ntk& ntk, const LinearForm& lf, numerics::Format out, const LinearFormParams& ps = {},
                    GadgetStats* st = nullptr, const std::string& name = "y");

// Iterated addition: sum of the buses, rounded once to out.
template <class Ntk>
Bus sum_buses(Ntk& ntk, std::span<const Bus> xs, numerics::Format out, const LinearFormParams& ps = {},
              GadgetStats* st = nullptr);

// Constant dot product K + sum_i c_i x_i with fixed-point constants (raw, frac), rounded once.
struct Constant {
  Weight raw = 0;
  int frac = 0;
};
template <class Ntk>
Bus dot_const(Ntk& ntk, Constant k, std::span<const Constant> c, std::span<const Bus> xs, numerics::Format out,
              const LinearFormParams& ps = {}, GadgetStats* st = nullptr);

// x * c for a fixed-point constant c, rounded once.
template <class Ntk>
Bus mul_const(Ntk& ntk, const Bus& x, Constant c, numerics::Format out, const LinearFormParams& ps = {},
              GadgetStats* st = nullptr);

// The exact sum of a form's terms (no constant, no rounding) as a signed bus just wide enough for
// its range: the building block of grouping, exposed for tests.
template <class Ntk>
Bus exact_sum_bus(Ntk& ntk, std::span<const Term> terms);

}  // namespace tc0::circuits::gadgets
