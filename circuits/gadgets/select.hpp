#pragma once
// Selection gadgets: max and argmax of N numbers (depth 3, ties to the lowest index), the
// multiplexer, and AND absorption (ANDing a gate with a control signal inside the gate itself).
#include <span>

#include "circuits/gadgets/common.hpp"

namespace tc0::circuits::gadgets {

// s AND c. When s is a gate (either polarity) the control is folded into a copy of that gate with a
// large weight on c, so the AND costs no depth beyond max(depth(s), depth(c) + 1); otherwise an AND gate.
template <class Ntk>
Signal and_absorb(Ntk& ntk, Signal s, Signal c);

// sel ? a : b, bit by bit: [and_absorb(a_i, sel) + and_absorb(b_i, !sel) >= 1]. Depth: one over the
// data gates when they can absorb the select, two over primary-input data. a and b must have one width.
template <class Ntk>
Bus mux(Ntk& ntk, Signal sel, const Bus& a, const Bus& b, GadgetStats* st = nullptr);

struct MaxResult {
  Bus max;    // in the inputs' common format
  Bus index;  // unsigned, ceil(log2 N) bits (at least 2), the lowest index of a maximum
};

struct MaxParams {
  bool want_max = true;     // build the max bus (left empty otherwise)
  bool want_argmax = true;  // build the index bus (left empty otherwise)
};

// Comparisons [X_i >= X_j] (depth 1), winner gates AND-ed with each data bit (depth 2), ORs (depth 3).
// N = 8, n = 8: 28 + 64 + 8 gates for the max (SPEC 3.5: 100), N + ceil(log2 N) more for the argmax.
// All inputs must share one format.
template <class Ntk>
MaxResult max_argmax(Ntk& ntk, std::span<const Bus> xs, const MaxParams& ps = {}, GadgetStats* st = nullptr);
template <class Ntk>
inline MaxResult max_argmax(Ntk& ntk, std::span<const Bus> xs, GadgetStats* st) {
  return max_argmax(ntk, xs, MaxParams{}, st);
}

}  // namespace tc0::circuits::gadgets
