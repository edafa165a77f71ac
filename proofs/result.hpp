#pragma once
// The outcome of one named proof obligation, as the registry, the CLI and the benchmark report it.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "proofs/query.hpp"

namespace tc0::proofs {

struct ObligationResult {
  Verdict verdict = Verdict::inconclusive;
  double seconds = 0;
  int queries = 0;
  std::optional<std::string> k;  // the smallest bound, for identities (in output LSBs unless detail says)
  std::string detail;            // counterexample, witness of tightness, or why inconclusive
  nlohmann::json evidence;       // machine-readable counterexample / witness
};

}  // namespace tc0::proofs
