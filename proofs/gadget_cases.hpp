#pragma once
// The gadgets of circuits/gadgets/ as proof cases: each builds its network at a width and pairs it
// with a word-level specification (fixed_spec.hpp) and a numerics/ reference. Formats at width n:
// x in Q(n, n/2), y in Q(n, n/2 - 1) (different grids exercise alignment), rounded outputs in
// Q(n, n/2) (so sums and products both round and saturate).
#include <functional>
#include <string>
#include <vector>

#include "proofs/equivalence.hpp"

namespace tc0::proofs {

struct GadgetFamily {
  std::string name;      // e.g. "gadget.add"
  int min_bits, max_bits;  // widths offered
  int quick_max_bits;      // widths up to this are in the default (quick) suite
  std::function<GadgetCase(int bits)> make;
};

const std::vector<GadgetFamily>& gadget_families();
const GadgetFamily& gadget_family(const std::string& name);

}  // namespace tc0::proofs
