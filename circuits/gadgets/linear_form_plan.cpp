// The numbers of the linear-form construction (linear_form_plan.hpp).
#include "circuits/gadgets/linear_form_plan.hpp"

#include <algorithm>

namespace tc0::circuits::gadgets {

namespace {

// Levels at or above this use the full weights (every |w| < 2^121 <= 2^k): no residues needed.
constexpr int kFullLevel = 122;

Weight floor_div(Weight a, Weight b) {  // b > 0
  Weight q = a / b;
  if (a % b != 0 && a < 0) --q;
  return q;
}

Weight level_modulus(int k) { return Weight(1) << std::min(k + 1, kFullLevel + 1); }

}  // namespace

RoundedFormPlan::RoundedFormPlan(std::span<const Weight> weights, Weight k, int s)
    : w_(weights.begin(), weights.end()), k_(k), s_(s) {
  h_ = s >= 1 ? Weight(1) << (s - 1) : 0;
}

const RoundedFormPlan::Level& RoundedFormPlan::level(int k) {
  auto it = levels_.find(k);
  if (it != levels_.end()) return it->second;
  Level lv;
  lv.r.resize(w_.size(), 0);
  if (k >= 0) {
    for (size_t t = 0; t < w_.size(); ++t) {
      lv.r[t] = balanced_residue(w_[t], k);
      (lv.r[t] > 0 ? lv.pos : lv.neg) += lv.r[t];
    }
    const Weight kp = k_ + h_;
    if (k >= kFullLevel) {
      lv.kr = kp;
    } else {
      // The representative of K + h (mod 2^(k+1)) that needs the fewest carry gates.
      const Weight d = level_modulus(k);
      const Weight c0 = ((kp % d) + d) % d, c1 = c0 - d;
      auto count = [&](Weight c) { return floor_div(c + lv.pos, d) - floor_div(c + lv.neg, d); };
      lv.kr = count(c1) < count(c0) ? c1 : c0;
    }
  }
  return levels_.emplace(k, std::move(lv)).first->second;
}

RoundedFormPlan::Thermo RoundedFormPlan::thermo(int k, int delta) {
  Thermo th;
  if (k < 0 && delta == 0) return th;  // below level 0 there is no carry
  const Level& lv = level(k);
  th.d = level_modulus(k);
  th.base = lv.kr + delta;
  th.jlo = floor_div(th.base + lv.neg, th.d);
  th.jhi = floor_div(th.base + lv.pos, th.d);
  return th;
}

}  // namespace tc0::circuits::gadgets
