#pragma once
// The registry of named proof obligations: every gadget at every offered width, the SPEC 5
// identities for every format set, the no-wrap interval analyses and the compositional multiplier.
// Names are "family/parameter" (e.g. "gadget.add/12", "identity.additivity/q8"); selection is by
// exact name or family prefix, optionally restricted to widths.
#include <functional>
#include <string>
#include <vector>

#include "proofs/result.hpp"

namespace tc0::proofs {

struct Obligation {
  std::string name;
  std::string family;
  int bits = 0;        // the width parameter (0 when none)
  std::string params;  // formats, widths, ranges
  bool quick = false;  // part of the default (quick) test subset
  std::function<ObligationResult(const QueryOptions&)> run;
};

const std::vector<Obligation>& obligations();

// Obligations whose name equals or starts with one of `patterns` (all when empty), and whose bits
// are in `bits` (any when empty). quick_only keeps the quick subset. Throws std::invalid_argument
// when a pattern matches nothing.
std::vector<const Obligation*> select_obligations(const std::vector<std::string>& patterns, const std::vector<int>& bits,
                                                  bool quick_only = false);

// Runs one obligation, turning an exception into an inconclusive result that says why.
ObligationResult run_obligation(const Obligation& ob, const QueryOptions& opt);

}  // namespace tc0::proofs
