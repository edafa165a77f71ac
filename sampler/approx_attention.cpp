// PolynomialHead: one head's attention by the polynomial method, in double or in MPFR at the
// values' own precision (approx_attention.hpp).
#include "sampler/approx_attention.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "sampler/attention/mpfr_working.hpp"

namespace tc0::sampler {

using attention::Matrix;
using attention::PolynomialPlan;

void check_setting(const ApproxAttentionSetting& s) {
  if (!(s.eps > 0 && s.eps < 1))
    throw std::invalid_argument(fmt::format(
        "approximate attention: eps = {:g} is outside (0, 1); eps is the relative error of each exp(score) "
        "(for eps >= 1 the truncated exponential can go negative)", s.eps));
  if (!(s.B >= 0) || !std::isfinite(s.B))
    throw std::invalid_argument(fmt::format(
        "approximate attention: B = {:g} must be a finite number >= 0 (0: measured on every head call)", s.B));
  if (s.degree < -1 || s.degree > 1000)
    throw std::invalid_argument(fmt::format(
        "approximate attention: degree {} is outside [0, 1000] (or -1: chosen from B and eps)", s.degree));
  if (!(s.max_rank >= 1 && s.max_rank <= 0x1p53))
    throw std::invalid_argument(fmt::format("approximate attention: max rank {:g} is outside [1, 2^53]", s.max_rank));
}

void ApproxAttentionStats::add(const PolynomialPlan& p, double v_inf, double abs_score) {
  ApproxAttentionStats one;
  one.calls = 1;
  one.min_degree = one.max_degree = p.degree;
  one.max_rank = p.rank;
  one.min_B = one.max_B = p.B;
  one.max_eps_bound = p.eps_bound;
  one.max_output_bound = p.eps_bound < 1 ? attention::output_error_bound(p.eps_bound, v_inf)
                                         : std::numeric_limits<double>::infinity();
  one.max_abs_score = abs_score;
  one.min_denominator = p.min_denominator;
  merge(one);
}

void ApproxAttentionStats::merge(const ApproxAttentionStats& o) {
  if (o.calls == 0) return;
  if (calls == 0) {
    *this = o;
    return;
  }
  calls += o.calls;
  min_degree = std::min(min_degree, o.min_degree);
  max_degree = std::max(max_degree, o.max_degree);
  max_rank = std::max(max_rank, o.max_rank);
  min_B = std::min(min_B, o.min_B);
  max_B = std::max(max_B, o.max_B);
  max_eps_bound = std::max(max_eps_bound, o.max_eps_bound);
  max_output_bound = std::max(max_output_bound, o.max_output_bound);
  max_abs_score = std::max(max_abs_score, o.max_abs_score);
  min_denominator = std::min(min_denominator, o.min_denominator);
}

PolynomialHead::PolynomialHead(const ApproxAttentionSetting& s) : setting_(s), log_(std::make_shared<Log>()) {
  check_setting(s);
}

ApproxAttentionStats PolynomialHead::stats() const {
  std::lock_guard<std::mutex> lock(log_->mu);
  return log_->stats;
}

void PolynomialHead::record(const PolynomialPlan& p, double v_inf, double abs_score) const {
  std::lock_guard<std::mutex> lock(log_->mu);
  log_->stats.add(p, v_inf, abs_score);
}

namespace {

template <class V>
using Rows = std::vector<std::vector<V>>;

// The head's attention for scalar S; `to_s` / `from_s` convert the policy's values. The plan, max |V|
// and max |score| go to `record`.
template <class S, class A, class ToS, class FromS, class Record>
Rows<typename A::Value> polynomial_head(const ApproxAttentionSetting& set, const HeadInput<A>& in, const S& scale,
                                        ToS to_s, FromS from_s, Record record) {
  using std::abs;
  using std::sqrt;
  const size_t T = in.q.size(), d = T ? in.q[0].size() : 0;
  Matrix<S> q(T, d), k(T, d), v(T, d);
  for (size_t i = 0; i < T; ++i)
    for (size_t c = 0; c < d; ++c) {
      q(i, c) = to_s(in.q[i][c]);
      k(i, c) = to_s(in.k[i][c]);
      v(i, c) = to_s(in.v[i][c]);
    }
  // max |attn_scale q.k| for the report (in double: a figure, not part of the result)
  double abs_score = 0;
  const double scale_d = static_cast<double>(scale);
  for (size_t i = 0; i < T; ++i)
    for (size_t j = 0; j < T; ++j) {
      double s = 0;
      for (size_t c = 0; c < d; ++c) s += static_cast<double>(q(i, c)) * static_cast<double>(k(j, c));
      abs_score = std::max(abs_score, std::abs(scale_d * s));
    }
  // the balanced split of d * scale over Q and K (header comment)
  S mq = S(0), mk = S(0);
  for (const auto& x : q.data) mq = std::max(mq, abs(x), [](const S& a, const S& b) { return a < b; });
  for (const auto& x : k.data) mk = std::max(mk, abs(x), [](const S& a, const S& b) { return a < b; });
  const S ds = S(static_cast<double>(d)) * scale;
  S cq = sqrt(ds), ck = cq;
  if (mq > S(0) && mk > S(0)) {
    cq = sqrt(ds * mk / mq);
    ck = sqrt(ds * mq / mk);
  }
  for (auto& x : q.data) x = x * cq;
  for (auto& x : k.data) x = x * ck;
  PolynomialPlan plan;
  Matrix<S> t = attention::attention_approx(q, k, v, {set.eps, set.B, set.degree, set.max_rank}, &plan);
  record(plan, attention::max_abs_entry(v), abs_score);
  Rows<typename A::Value> out(T);
  for (size_t i = 0; i < T; ++i) {
    out[i].reserve(d);
    for (size_t c = 0; c < d; ++c) out[i].push_back(from_s(t(i, c)));
  }
  return out;
}

// Runs f, prefixing any error with the block and head it came from.
template <class F>
auto at_head(const std::string& prefix, size_t head, F&& f) {
  try {
    return f();
  } catch (const std::exception& e) {
    throw std::invalid_argument(fmt::format("{} head {}: {}", prefix, head, e.what()));
  }
}

}  // namespace

std::vector<std::vector<double>> PolynomialHead::attend(const DoubleArith&, const HeadInput<DoubleArith>& in) const {
  return at_head(in.prefix, in.head, [&] {
    return polynomial_head<double>(
        setting_, in, in.scale.convert_to<double>(), [](double x) { return x; }, [](double x) { return x; },
        [this](const PolynomialPlan& p, double v, double s) { record(p, v, s); });
  });
}

std::vector<std::vector<MpfrValue>> PolynomialHead::attend(const MpfrArith& a, const HeadInput<MpfrArith>& in) const {
  return at_head(in.prefix, in.head, [&] {
    // the policy's precision for every intermediate; the scale as the policy rounds rationals
    attention::MpfrWorking::Precision guard(a.precision());
    using S = attention::MpfrWorking;
    const mpfr_prec_t bits = a.precision();
    return polynomial_head<S>(
        setting_, in, S(a.rational(in.scale)), [](const MpfrValue& x) { return S(x); },
        [bits](const S& x) { return x.to_value(bits); },
        [this](const PolynomialPlan& p, double v, double s) { record(p, v, s); });
  });
}

}  // namespace tc0::sampler
