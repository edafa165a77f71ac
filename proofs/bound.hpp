#pragma once
// The smallest bound k with |diff| <= k over a domain, found by solver queries and shown tight:
// each query asserts "domain and |diff| > k" (unsat proves the bound), a sat answer is a witness
// whose |diff| is recomputed outside the solver with numerics/ before it raises the lower bound.
// The answer k is proved (the last unsat query) and, when k > 0, refuted at k - 1 by the last
// witness. Search: query the best witness value first (usually the answer), then bisect between
// the witnessed lower bound and the bound implied by diff's width.
#include <z3++.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "proofs/bv.hpp"
#include "proofs/query.hpp"

namespace tc0::proofs {

struct BoundProblem {
  std::string name;
  std::vector<z3::expr> domain;  // constraints on the free variables
  z3::expr diff;                  // a signed integer bit-vector (in LSBs of some format)
  std::vector<std::pair<std::string, z3::expr>> vars;  // free variables (signed raw values)
  // diff recomputed from the variables' values with numerics/ (independent of the encoding).
  std::function<BigInt(const std::vector<int64_t>&)> reference;
};

struct Witness {
  std::vector<std::pair<std::string, int64_t>> vars;
  BigInt diff;
  nlohmann::json to_json() const;
  std::string str() const;
};

struct BoundResult {
  Verdict verdict = Verdict::inconclusive;  // proved: k is the smallest bound (tight when k > 0)
  BigInt k = 0;
  double seconds = 0;
  int queries = 0;
  std::optional<Witness> witness;  // |diff| = k: refutes k - 1
  std::string detail;
};

BoundResult smallest_bound(BoundProblem& p, const QueryOptions& opt);

// Checks |diff| <= k over the domain once (proved, refuted with a reproduced witness, or inconclusive).
BoundResult check_bound(BoundProblem& p, const BigInt& k, const QueryOptions& opt);

}  // namespace tc0::proofs
