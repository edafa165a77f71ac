#include "circuits/gadgets/linear_form.hpp"

#include <algorithm>
#include <array>
#include <fmt/format.h>
#include <map>
#include <optional>

#include "circuits/gadgets/linear_form_plan.hpp"

namespace tc0::circuits::gadgets {

namespace {

constexpr const char* kWhat = "linear form";

Weight floor_div(Weight a, Weight b) {  // b > 0
  Weight q = a / b;
  if (a % b != 0 && a < 0) --q;
  return q;
}

Weight ceil_div(Weight a, Weight b) {  // b > 0
  Weight q = a / b;
  if (a % b != 0 && a > 0) ++q;
  return q;
}

// Builds the bits of sat(round_half_even(S / 2^s)) for S = K + sum_t w_t z_t into a signed W-bit
// two's-complement range [lo, hi], reading the numbers from RoundedFormPlan (see the header).
template <class Ntk>
class RoundedBits {
 public:
  RoundedBits(Ntk& ntk, std::span<const Term> terms, Weight k, int s) : ntk_(ntk), s_(s) {
    Weight mag = k < 0 ? -k : k;
    for (const Term& t : terms) mag = add_w(mag, t.w < 0 ? -t.w : t.w, kWhat);
    if (mag >= Weight(1) << 121)
      throw CircuitError(fmt::format("{}: |K| + sum |w| needs {} bits, more than the 120 supported; split the form",
                                     kWhat, bit_length(mag)));
    // w z with w < 0 is |w| !z + w: with every weight positive, a power-of-two weight -2^k keeps the
    // residue +2^k at level k like its neighbours (x - y becomes x + !y + 1), which saves carry gates.
    for (const Term& t : terms) {
      if (t.w < 0) {
        terms_.push_back({!t.s, -t.w});
        k += t.w;
      } else {
        terms_.push_back(t);
      }
    }
    // In node order, every fan-in list below is made sorted, as canonical gates store them: nothing
    // depends on the order of the terms (canonical.hpp), and the builder skips the sort.
    if (!std::is_sorted(terms_.begin(), terms_.end(), [](const Term& a, const Term& b) { return a.s.index() < b.s.index(); }))
      std::stable_sort(terms_.begin(), terms_.end(), [](const Term& a, const Term& b) { return a.s.index() < b.s.index(); });
    for (const Term& t : terms_) {
      signals_.push_back(t.s);
      weights_.push_back(t.w);
      neg_weights_.push_back(-t.w);
    }
    k_ = k;
    plan_.emplace(weights_, k, s);
  }

  std::vector<Signal> build(int width, Weight lo, Weight hi) {
    std::vector<Signal> out(width, kFalse);
    if (s_ >= 122) return out;  // |S| < 2^121 <= 2^(s-1): every value rounds to 0
    // Saturation detectors on the exact S (depth 1).
    Weight thr_hi, thr_lo;
    if (s_ >= 0) {
      thr_hi = mul_w(hi, pow2_w(s_, kWhat), kWhat);
      thr_lo = mul_w(lo, pow2_w(s_, kWhat), kWhat);
    } else {
      Weight m = Weight(1) << std::min(-s_, 100);
      thr_hi = ceil_div(hi, m);
      thr_lo = floor_div(lo, m);
    }
    const Signal sat_hi = ntk_.create_threshold(signals_, weights_, add_w(thr_hi, -k_, kWhat));
    const Signal sat_lo = ntk_.create_threshold(signals_, neg_weights_, add_w(k_, -thr_lo, kWhat));
    std::vector<Signal> f;
    std::vector<Weight> w;
    for (int j = 0; j + 1 < width; ++j) {
      const int k = j + s_;
      if (k < 0) {  // exact left shift: a constant 0 bit, or 1 when saturated high
        out[j] = sat_hi;
        continue;
      }
      const bool tie_bit = s_ >= 1 && j == 0;
      const Thermo& prev = thermo(k - 1, tie_bit ? -1 : 0);
      const Thermo& cur = thermo(k, 0);
      const RoundedFormPlan::Level& lp = plan_->level(k - 1);
      const RoundedFormPlan::Level& lc = plan_->level(k);
      // fan-ins in node order: the terms, the saturation detectors, then the carries of level k-1
      // (made before those of level k)
      f.clear();
      w.clear();
      for (size_t t = 0; t < terms_.size(); ++t) {
        const Weight b = (lc.r[t] - lp.r[t]) >> std::min(k, 126);
        if (b != 0) f.push_back(terms_[t].s), w.push_back(b);
      }
      f.push_back(sat_hi), w.push_back(2);
      f.push_back(sat_lo), w.push_back(-2);
      for (Signal g : prev.gates) f.push_back(g), w.push_back(1);
      for (Signal g : cur.gates) f.push_back(g), w.push_back(-2);
      const Weight b_k = (lc.kr - lp.kr) >> std::min(k, 126);
      const Weight theta = 1 - prev.jlo - b_k + 2 * cur.jlo;
      out[j] = ntk_.create_threshold(f, w, theta);
    }
    // Sign bit: R < 0 exactly when S <= -h - 1, saturated or not.
    out[width - 1] = ntk_.create_threshold(signals_, neg_weights_, add_w(k_, plan_->half() + 1, kWhat));
    return out;
  }

 private:
  struct Thermo {
    Weight jlo = 0;
    std::vector<Signal> gates;
  };

  // floor((L_k + delta) / 2^(k+1)) = jlo + sum of the gates: one family over one fan-in list.
  const Thermo& thermo(int k, int delta) {
    const auto key = std::make_pair(k, delta);
    auto it = thermos_.find(key);
    if (it != thermos_.end()) return it->second;
    Thermo th;
    const RoundedFormPlan::Thermo p = plan_->thermo(k, delta);
    th.jlo = p.jlo;
    if (p.gates() > 0) {
      const RoundedFormPlan::Level& lv = plan_->level(k);
      f_.clear();
      w_.clear();
      thetas_.clear();
      for (size_t t = 0; t < terms_.size(); ++t)
        if (lv.r[t] != 0) f_.push_back(terms_[t].s), w_.push_back(lv.r[t]);
      for (Weight j = p.jlo + 1; j <= p.jhi; ++j) thetas_.push_back(p.theta(j));
      th.gates.resize(thetas_.size());
      ntk_.create_threshold_family(f_, w_, thetas_, th.gates);
    }
    return thermos_.emplace(key, std::move(th)).first->second;
  }

  Ntk& ntk_;
  std::vector<Term> terms_;
  Weight k_ = 0;
  int s_;
  std::optional<RoundedFormPlan> plan_;
  std::vector<Signal> signals_;
  std::vector<Weight> weights_, neg_weights_;
  std::map<std::pair<int, int>, Thermo> thermos_;
  std::vector<Signal> f_;  // scratch of thermo()
  std::vector<Weight> w_, thetas_;
};

int trailing_zeros(Weight w) {
  int e = 0;
  while (w != 0 && (w & 1) == 0) w >>= 1, ++e;
  return e;
}

// Block-save reduction: sort by weight, sum groups exactly, return terms over the group sums' bits.
template <class Ntk>
std::vector<Term> group_reduce(Ntk& ntk, std::vector<Term> terms, size_t group) {
  // by |weight|, ties in the given order (in one 64-bit key when the weights allow: the common case)
  bool narrow = terms.size() < (size_t(1) << 32);
  for (const Term& t : terms) narrow = narrow && t.w < (Weight(1) << 31) && t.w > -(Weight(1) << 31);
  std::vector<uint32_t> order(terms.size());
  if (narrow) {
    // Stable LSD radix sort on |w| by bytes, skipping the bytes all weights share (the high ones,
    // mostly): linear in the terms, where a comparison sort was a tenth of counting a DiT.
    std::vector<uint32_t> mag(terms.size()), next(terms.size());
    uint32_t all_or = 0, all_and = UINT32_MAX;
    for (size_t i = 0; i < terms.size(); ++i) {
      mag[i] = uint32_t(terms[i].w < 0 ? -terms[i].w : terms[i].w);
      all_or |= mag[i], all_and &= mag[i];
      order[i] = uint32_t(i);
    }
    for (int shift = 0; shift < 32; shift += 8) {
      if (((all_or ^ all_and) >> shift & 0xFF) == 0) continue;  // one value of this byte: already sorted
      std::array<uint32_t, 257> start{};
      for (uint32_t i : order) ++start[(mag[i] >> shift & 0xFF) + 1];
      for (size_t b = 1; b < start.size(); ++b) start[b] += start[b - 1];
      for (uint32_t i : order) next[start[mag[i] >> shift & 0xFF]++] = i;
      order.swap(next);
    }
  } else {
    std::vector<std::pair<Weight, uint32_t>> key(terms.size());
    for (uint32_t i = 0; i < key.size(); ++i) key[i] = {terms[i].w < 0 ? -terms[i].w : terms[i].w, i};
    std::sort(key.begin(), key.end());
    for (size_t i = 0; i < key.size(); ++i) order[i] = key[i].second;
  }
  {
    std::vector<Term> sorted(terms.size());
    for (size_t i = 0; i < order.size(); ++i) sorted[i] = terms[order[i]];
    terms = std::move(sorted);
  }
  std::vector<Term> out, scaled;
  std::vector<Signal> signals;
  std::vector<Weight> weights;
  for (size_t begin = 0; begin < terms.size(); begin += group) {
    std::span<const Term> chunk(terms.data() + begin, std::min(group, terms.size() - begin));
    if (chunk.size() == 1) {
      out.push_back(chunk[0]);
      continue;
    }
    // Factor out the common power of two so the group sum has as few bits as possible.
    int e = 126;
    for (const Term& t : chunk) e = std::min(e, trailing_zeros(t.w));
    scaled.assign(chunk.begin(), chunk.end());
    signals.clear();
    weights.clear();
    for (Term& t : scaled) {
      t.w >>= e;
      signals.push_back(t.s);
      weights.push_back(t.w);
    }
    // A group sum depends only on its terms: the counter counts each pattern once (builder.hpp).
    const std::vector<Signal> bits = ntk.reuse(signals, weights, [&] { return exact_sum_bus(ntk, scaled).bits; });
    for (size_t i = 0; i < bits.size(); ++i) {
      Weight w = Weight(1) << (i + e);
      out.push_back({bits[i], i + 1 == bits.size() ? -w : w});
    }
  }
  return out;
}

}  // namespace

template <class Ntk>
Bus exact_sum_bus(Ntk& ntk, std::span<const Term> terms) {
  Weight pos = 0, neg = 0;
  for (const Term& t : terms) (t.w > 0 ? pos : neg) = add_w(t.w > 0 ? pos : neg, t.w, kWhat);
  int width = 2;
  while (width < 124 && ((Weight(1) << (width - 1)) <= pos || -(Weight(1) << (width - 1)) > neg)) ++width;
  RoundedBits<Ntk> rb(ntk, terms, 0, 0);
  Bus bus;
  bus.name = "sum";
  bus.fmt = numerics::Format(std::min(width, 64), 0);
  bus.bits = rb.build(width, -(Weight(1) << (width - 1)), (Weight(1) << (width - 1)) - 1);
  return bus;
}

template <class Ntk>
Bus linear_form_bus(Ntk& ntk, const LinearForm& lf, numerics::Format out, const LinearFormParams& ps,
                    GadgetStats* st, const std::string& name) {
  if (ps.depth_budget < 2)
    throw CircuitError(fmt::format("linear form: depth budget {} is below 2, the least a linear form needs",
                                   ps.depth_budget));
  StatsRecorder<Ntk> rec(ntk, st);
  ModuleScopeOf<Ntk> scope(ntk, "linear_form");
  std::vector<Term> terms = lf.terms;
  size_t group = ps.group_size ? ps.group_size : 16;
  if (group < 2) throw CircuitError("linear form: group_size must be at least 2");
  for (int budget = ps.depth_budget; budget >= 4 && terms.size() > group; budget -= 2)
    terms = group_reduce(ntk, std::move(terms), group);
  RoundedBits<Ntk> rb(ntk, terms, lf.constant, lf.frac - out.frac());
  Bus bus;
  bus.name = name;
  bus.fmt = out;
  bus.bits = rb.build(out.width(), out.min_raw(), out.max_raw());
  rec.finish(bus.bits);
  return bus;
}

template <class Ntk>
Bus sum_buses(Ntk& ntk, std::span<const Bus> xs, numerics::Format out, const LinearFormParams& ps, GadgetStats* st) {
  LinearForm lf;
  lf.frac = out.frac();
  for (const Bus& x : xs) lf.frac = std::max(lf.frac, x.fmt.frac());
  for (const Bus& x : xs) append_bus_terms(lf, x, 1, lf.frac - x.fmt.frac(), "sum");
  return linear_form_bus(ntk, lf, out, ps, st, "sum");
}

template <class Ntk>
Bus dot_const(Ntk& ntk, Constant k, std::span<const Constant> c, std::span<const Bus> xs, numerics::Format out,
              const LinearFormParams& ps, GadgetStats* st) {
  if (c.size() != xs.size())
    throw CircuitError(fmt::format("dot_const: {} constants for {} buses", c.size(), xs.size()));
  LinearForm lf;
  lf.frac = std::max(out.frac(), k.frac);
  for (size_t i = 0; i < xs.size(); ++i) lf.frac = std::max(lf.frac, c[i].frac + xs[i].fmt.frac());
  lf.constant = mul_w(k.raw, pow2_w(lf.frac - k.frac, "dot_const"), "dot_const");
  for (size_t i = 0; i < xs.size(); ++i)
    append_bus_terms(lf, xs[i], c[i].raw, lf.frac - c[i].frac - xs[i].fmt.frac(), "dot_const");
  return linear_form_bus(ntk, lf, out, ps, st, "dot");
}

template <class Ntk>
Bus mul_const(Ntk& ntk, const Bus& x, Constant c, numerics::Format out, const LinearFormParams& ps, GadgetStats* st) {
  return dot_const(ntk, Constant{0, 0}, std::span<const Constant>(&c, 1), std::span<const Bus>(&x, 1), out, ps, st);
}

#define TC0_EXACT_SUM(N) Bus exact_sum_bus<N>(N&, std::span<const Term>)
#define TC0_LINEAR_FORM(N) \
  Bus linear_form_bus<N>(N&, const LinearForm&, numerics::Format, const LinearFormParams&, GadgetStats*, const std::string&)
#define TC0_SUM_BUSES(N) \
  Bus sum_buses<N>(N&, std::span<const Bus>, numerics::Format, const LinearFormParams&, GadgetStats*)
#define TC0_DOT_CONST(N)                                                                                      \
  Bus dot_const<N>(N&, Constant, std::span<const Constant>, std::span<const Bus>, numerics::Format,          \
                   const LinearFormParams&, GadgetStats*)
#define TC0_MUL_CONST(N) Bus mul_const<N>(N&, const Bus&, Constant, numerics::Format, const LinearFormParams&, GadgetStats*)
TC0_GADGET_INSTANTIATE(TC0_EXACT_SUM)
TC0_GADGET_INSTANTIATE(TC0_LINEAR_FORM)
TC0_GADGET_INSTANTIATE(TC0_SUM_BUSES)
TC0_GADGET_INSTANTIATE(TC0_DOT_CONST)
TC0_GADGET_INSTANTIATE(TC0_MUL_CONST)

}  // namespace tc0::circuits::gadgets
