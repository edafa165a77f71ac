#include "proofs/bound.hpp"

#include <fmt/format.h>

namespace tc0::proofs {

nlohmann::json Witness::to_json() const {
  nlohmann::json j = nlohmann::json::object();
  for (auto& [n, v] : vars) j[n] = v;
  return {{"inputs", j}, {"diff", diff.str()}};
}

std::string Witness::str() const {
  std::string s;
  for (auto& [n, v] : vars) s += fmt::format("{}{}={}", s.empty() ? "" : " ", n, v);
  return fmt::format("[{}] diff={}", s, diff.str());
}

namespace {

enum class Step { holds, violated, unknown, not_reproduced };

// One query: is there a point of the domain with |diff| > k?
Step query(BoundProblem& p, const BigInt& k, const QueryOptions& opt, BoundResult& r, std::optional<Witness>& w) {
  z3::context& ctx = p.diff.ctx();
  z3::expr a = abs_wide(p.diff);
  std::vector<z3::expr> as = p.domain;
  as.push_back(z3::ugt(a, bv_num(ctx, k, width_of(a))));
  SolverOutcome so = check(ctx, as, opt, fmt::format("{}.k{}", p.name, k.str()));
  r.seconds += so.seconds;
  ++r.queries;
  if (so.status == z3::unsat) return Step::holds;
  if (so.status == z3::unknown) {
    r.detail = fmt::format("query |diff| <= {}: {}", k.str(), so.reason);
    return Step::unknown;
  }
  Witness wit;
  std::vector<int64_t> values;
  for (auto& [n, e] : p.vars) {
    values.push_back(model_int64(*so.model, e));
    wit.vars.emplace_back(n, values.back());
  }
  BigInt solver_diff = model_value(*so.model, p.diff);
  wit.diff = p.reference(values);
  if (wit.diff != solver_diff || abs(wit.diff) <= k) {
    r.detail = fmt::format("witness not reproduced by numerics: solver diff {}, numerics diff {} at {}", solver_diff.str(),
                           wit.diff.str(), wit.str());
    return Step::not_reproduced;
  }
  w = wit;
  return Step::violated;
}

}  // namespace

BoundResult check_bound(BoundProblem& p, const BigInt& k, const QueryOptions& opt) {
  BoundResult r;
  r.k = k;
  std::optional<Witness> w;
  Step s = query(p, k, opt, r, w);
  if (s == Step::holds) r.verdict = Verdict::proved;
  if (s == Step::violated) {
    r.verdict = Verdict::refuted;
    r.witness = w;
    r.detail = w->str();
  }
  return r;
}

BoundResult smallest_bound(BoundProblem& p, const QueryOptions& opt) {
  BoundResult r;
  BigInt lo = 0;                                          // |diff| reaches lo (witnessed) or lo = 0
  BigInt hi = BigInt(1) << (width_of(p.diff) - 1);        // |diff| <= hi by the width of diff
  std::optional<Witness> best;
  int gallops = 0;
  while (true) {
    bool gallop = gallops < 3;  // the witness is usually the maximum; then bisect
    ++gallops;
    BigInt k = gallop ? lo : lo + (hi - lo) / 2;
    if (k >= hi) k = hi;
    std::optional<Witness> w;
    Step s = query(p, k, opt, r, w);
    if (s == Step::unknown || s == Step::not_reproduced) return r;  // inconclusive
    if (s == Step::holds) {
      hi = k;
      if (hi == lo) break;
      gallops = 3;
    } else {
      lo = abs(w->diff);
      best = w;
      if (lo >= hi) break;  // cannot happen for a sound width bound; stop anyway
    }
    if (r.queries > 200) {
      r.detail = "bound search did not converge in 200 queries";
      return r;
    }
  }
  r.verdict = Verdict::proved;
  r.k = lo;
  r.witness = best;
  return r;
}

}  // namespace tc0::proofs
