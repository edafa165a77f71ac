// Canonical form of threshold gates (rules in canonical.hpp).
#include "circuits/canonical.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>

namespace tc0::circuits {

namespace {

// Range check written without negation: -INT128_MIN is undefined, and a corrupt file can hold it.
bool exceeds_magnitude(Weight w) { return w >= kMaxMagnitude || w <= -kMaxMagnitude; }

[[noreturn]] void refuse_magnitude() {
  throw CircuitError(
      "threshold gate: weights or threshold exceed 2^126 in magnitude; split the linear form into smaller blocks or "
      "lower the precision");
}

Weight gcd_w(Weight a, Weight b) {
  if (a < 0) a = -a;
  if (b < 0) b = -b;
  if (a <= INT64_MAX && b <= INT64_MAX) return Weight(std::gcd(uint64_t(a), uint64_t(b)));
  while (b != 0) {
    Weight t = a % b;
    a = b;
    b = t;
  }
  return a;
}

// Ceiling division for b > 0.
Weight ceil_div(Weight a, Weight b) {
  Weight q = a / b;
  if (a % b != 0 && a > 0) ++q;
  return q;
}

// Rule 3: clamp weights above theta, divide out the common factor, until stable. Each round only
// lowers numbers, so it ends.
void shrink(std::vector<Weight>& ws, Weight& theta) {
  for (bool changed = true; changed;) {
    changed = false;
    Weight g = 0;
    for (Weight& w : ws) {
      if (w > theta) {
        w = theta;
        changed = true;
      }
      if (g != 1) g = gcd_w(g, w);  // once 1, the gcd stays 1
    }
    if (g > 1) {
      for (Weight& w : ws) w /= g;
      theta = ceil_div(theta, g);
      changed = true;
    }
  }
}

}  // namespace

Weight checked_weight_add(Weight a, Weight b) {
  Weight r;
  if (__builtin_add_overflow(a, b, &r) || exceeds_magnitude(r)) refuse_magnitude();
  return r;
}

void Canonicalizer::prepare(std::span<const Signal> fanins, std::span<const Weight> weights, uint32_t node_limit) {
  if (fanins.size() != weights.size())
    throw CircuitError(fmt::format("create_threshold: {} fan-ins but {} weights", fanins.size(), weights.size()));
  // Rule 1: fold complements and constants (w !x = w - w x), then merge duplicates per node.
  offset_ = 0;
  merged_.clear();
  for (size_t i = 0; i < fanins.size(); ++i) {
    Weight w = weights[i];
    if (w == 0) continue;
    if (exceeds_magnitude(w)) refuse_magnitude();
    const Signal s = fanins[i];
    if (s.index() >= node_limit)
      throw CircuitError(
          fmt::format("create_threshold: fan-in node {} does not exist ({} nodes)", s.index(), node_limit));
    if (s.complemented()) {
      offset_ = checked_weight_add(offset_, -w);
      w = -w;
    }
    if (s.index() == 0) continue;  // constant false contributes nothing (true was folded above)
    merged_.emplace_back(s.index(), w);
  }
  // Builders usually pass fan-ins in node order already (a thermometer's terms, a bus's bits).
  if (!std::is_sorted(merged_.begin(), merged_.end(), [](const auto& a, const auto& b) { return a.first < b.first; }))
    std::sort(merged_.begin(), merged_.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  // A negative weight becomes a complemented fan-in: w x = w + |w| !x.
  fanins_.clear();
  weights_.clear();
  for (size_t i = 0; i < merged_.size();) {
    const uint32_t node = merged_[i].first;
    Weight w = 0;
    for (; i < merged_.size() && merged_[i].first == node; ++i) w = checked_weight_add(w, merged_[i].second);
    if (w == 0) continue;
    if (w < 0) {
      offset_ = checked_weight_add(offset_, -w);
      fanins_.push_back(Signal::make(node, true));
      weights_.push_back(-w);
    } else {
      fanins_.push_back(Signal::make(node, false));
      weights_.push_back(w);
    }
  }
  total_ = 0;
  max_w_ = 0;
  gcd_ = 0;
  size_t complemented = 0;
  for (size_t i = 0; i < weights_.size(); ++i) {
    total_ = checked_weight_add(total_, weights_[i]);
    max_w_ = std::max(max_w_, weights_[i]);
    if (gcd_ != 1) gcd_ = gcd_w(gcd_, weights_[i]);
    complemented += fanins_[i].complemented();
  }
  // Rule 5 depends only on the complement bits, which rules 3 and 4 never change.
  flip_ = 2 * complemented > fanins_.size();
  reg_fanins_.assign(fanins_.begin(), fanins_.end());
  if (flip_)
    for (Signal& s : reg_fanins_) s = !s;
  if (gcd_ <= 1) {  // the common case: no 128-bit division
    reg_weights_.assign(weights_.begin(), weights_.end());
    reg_sum_ = total_;
    reg_max_ = max_w_;
  } else {
    reg_weights_.resize(weights_.size());
    reg_sum_ = 0;
    for (size_t i = 0; i < weights_.size(); ++i) reg_sum_ += reg_weights_[i] = weights_[i] / gcd_;
    reg_max_ = max_w_ / gcd_;
  }
}

Canonicalizer::Result Canonicalizer::gate(Weight theta) {
  if (exceeds_magnitude(theta)) refuse_magnitude();
  Weight t = checked_weight_add(theta, offset_);
  // Rule 2: the sum of the list lies in [0, total].
  if (t <= 0) return Result{Kind::constant, kTrue};
  if (t > total_) return Result{Kind::constant, kFalse};
  // Rule 4 (shrinking keeps every fan-in, so the fan-in count decides before it).
  if (fanins_.size() == 1) return Result{Kind::buffer, fanins_[0]};
  Result r;
  r.kind = Kind::gate;
  r.flip = flip_;
  if (t >= max_w_) {
    // No weight exceeds theta: rule 3 only divides by the common factor (and, after that, no
    // weight exceeds the rounded-up theta and the gcd is 1, so it stops).
    Weight th = gcd_ == 1 ? t : ceil_div(t, gcd_);
    if (flip_) th = reg_sum_ - th + 1;  // in [1, reg_sum_]
    if (!flip_ || th >= reg_max_) {
      r.regular = true;
      r.theta = th;
      return r;
    }
  }
  own_fanins_.assign(fanins_.begin(), fanins_.end());
  own_weights_.assign(weights_.begin(), weights_.end());
  shrink(own_weights_, t);
  if (flip_) {
    Weight sum = 0;
    for (Weight w : own_weights_) sum += w;
    for (Signal& s : own_fanins_) s = !s;
    t = sum - t + 1;
    shrink(own_weights_, t);
  }
  r.theta = t;
  return r;
}

}  // namespace tc0::circuits
