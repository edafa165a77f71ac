#pragma once
// The polynomial method (sampler/attention/polynomial.hpp, SPEC 4) as an attention head policy of
// the float samplers: PolynomialHead replaces each head's softmax(attn_scale q.k) V by
// T = D~^-1 U1 (U2^T V) on the head's T x d_h operands.
//
// Scale split. attention_approx computes exp(Q K^T / d) normalised, so any Q = c q, K = (d s / c) k
// (s = attn_scale) gives the model's head. SPEC 4 puts the whole factor on Q; we split it so that
// max|Q| = max|K| = B = sqrt(d s max|q| max|k|), which makes B^2 = d s max|q| max|k| >= |s q.k| the
// smallest B the bound can use (any other split has max(max|Q|, max|K|) >= this B). A given B must
// bound the entries of this Q and K; B = 0 measures it on every head call.
//
// Only float64 and MPFR values: the fixed-point and circuit samplers are the contract of the
// operation graph, which has no approximate attention (there attend() does not exist, so
// AttentionHeadPolicy<PolynomialHead, FixedArith> is false and sample() refuses to compile).
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "sampler/arith_double.hpp"
#include "sampler/arith_mpfr.hpp"
#include "sampler/attention/polynomial.hpp"
#include "sampler/attention_head.hpp"

namespace tc0::sampler {

struct ApproxAttentionSetting {
  double eps = 1e-6;       // entrywise relative error of exp(score) the degree is chosen for, in (0, 1)
  double B = 0;            // bound on the entries of the split Q and K; 0: measured on each head call
  int degree = -1;         // forced Taylor degree g >= 0; -1: the smallest g meeting eps at B
  double max_rank = 1e6;   // a head call whose rank C(d_h + g, g) exceeds this is refused
};

// Throws std::invalid_argument with one line naming the bad field (eps outside (0, 1), B < 0 or not
// finite, degree < -1 or > 1000, max_rank < 1 or above 2^53).
void check_setting(const ApproxAttentionSetting& s);

// What the head calls of a run used (attention::PolynomialPlan, aggregated over every call).
struct ApproxAttentionStats {
  uint64_t calls = 0;
  int min_degree = 0, max_degree = 0;
  size_t max_rank = 0;
  double min_B = 0, max_B = 0;      // the B each call's degree and bound used
  double max_eps_bound = 0;         // largest entry_error_bound(B, g): the relative error of exp(score)
  double max_output_bound = 0;      // largest 2 eps/(1-eps) ||V_head||_inf of a call (inf when eps >= 1)
  double max_abs_score = 0;         // largest |attn_scale q.k| seen (B^2 bounds it)
  double min_denominator = 0;       // smallest D~_i / T seen (must stay > 0)
  void add(const attention::PolynomialPlan& p, double v_inf, double abs_score);
  void merge(const ApproxAttentionStats& o);
};

class PolynomialHead {
 public:
  explicit PolynomialHead(const ApproxAttentionSetting& s);  // checks s

  std::vector<std::vector<double>> attend(const DoubleArith& a, const HeadInput<DoubleArith>& in) const;
  std::vector<std::vector<MpfrValue>> attend(const MpfrArith& a, const HeadInput<MpfrArith>& in) const;

  const ApproxAttentionSetting& setting() const { return setting_; }
  // Every call so far (all copies of this head share one record; safe across sampler threads).
  ApproxAttentionStats stats() const;

 private:
  struct Log {
    std::mutex mu;
    ApproxAttentionStats stats;
  };
  void record(const attention::PolynomialPlan& p, double v_inf, double abs_score) const;

  ApproxAttentionSetting setting_;
  std::shared_ptr<Log> log_;
};

}  // namespace tc0::sampler
