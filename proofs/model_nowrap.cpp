#include "proofs/model_nowrap.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <stdexcept>
#include <string_view>

#include "numerics/functions.hpp"
#include "sampler/arith.hpp"
#include "sampler/arith_fixed.hpp"
#include "sampler/samplers.hpp"

namespace tc0::proofs {

namespace {

using numerics::BigInt;
using numerics::Fixed;
using numerics::Format;
using numerics::Rational;
using sampler::Const;

struct Dyadic {
  BigInt num;
  int frac = 0;  // >= 0
};

Dyadic dyadic(const Rational& q, const char* what) {
  using boost::multiprecision::denominator;
  using boost::multiprecision::numerator;
  const BigInt& d = denominator(q);
  const unsigned k = boost::multiprecision::msb(d);
  if (boost::multiprecision::lsb(d) != k)
    throw std::invalid_argument(fmt::format("no-wrap analysis: the {} {} is not dyadic; only dyadic exact constants are "
                                            "supported (every shipped model's are)",
                                            what, q.str()));
  return {numerator(q), int(k)};
}

// A coefficient num * 2^-frac with frac >= 0 (coarse formats have negative fractions).
void set_coef(OpTerm& t, BigInt num, int frac) {
  if (frac < 0) {
    num <<= -frac;
    frac = 0;
  }
  t.num = std::move(num);
  t.frac = frac;
}

// The state the const policy methods write to: the analysis, the operations since the last
// observe(), and the per-tensor summaries.
struct Builder {
  Builder(std::string graph, const ModelNoWrapOptions& o) : analysis(std::move(graph), o.query), opt(o) {}
  IntervalAnalysis analysis;
  ModelNoWrapOptions opt;
  Format state{8, 0};
  BigInt noise_lo, noise_hi;
  uint32_t next = 0;
  struct Pending {
    StepReport rep;
    bool step;
  };
  std::vector<Pending> pending;
  std::vector<TensorNoWrap> tensors;
  std::map<std::string, size_t> index;
};

class IntervalArith {
 public:
  struct Value {
    uint32_t id = 0;
  };
  explicit IntervalArith(Builder& b) : b_(&b) {}

  // The state entries get the declared noise range; the model's placeholders (raw 0 of Q(2,0),
  // overwritten before use) and anything else are exact points.
  Value input(const Fixed& x) const {
    if (x.fmt == b_->state) return point_or_range(x.fmt, b_->noise_lo, b_->noise_hi, false);
    return point_or_range(x.fmt, x.raw, x.raw, false);
  }
  Value constant(const Const& c) const { return point_or_range(c.fixed.fmt, c.fixed.raw, c.fixed.raw, false); }
  Value trig(sampler::Trig fn, const Rational& q, Format out) const {
    const Fixed v = sampler::FixedArith().trig(fn, q, out);
    return point_or_range(out, v.raw, v.raw, true);
  }
  Value linear(std::span<const Const> w, std::span<const Value> x, std::span<const Const> bias, const Rational& off,
               Format out) const {
    OpNode n = node(out, OpNode::Kind::linear);
    for (size_t i = 0; i < w.size(); ++i)
      if (w[i].fixed.raw != 0) n.terms.push_back(term(x[i], w[i].fixed.raw, w[i].fixed.fmt.frac()));
    if (n.terms.empty() && !x.empty()) n.terms.push_back(term(x[0], 0, 0));
    Rational k = off;
    for (const Const& c : bias) k += c.fixed.to_rational();
    set_constant(n, k);
    return step(n);
  }
  Value lincomb(const Rational& off, std::span<const Rational> c, std::span<const Value> x, Format out) const {
    OpNode n = node(out, OpNode::Kind::linear);
    for (size_t i = 0; i < c.size(); ++i) {
      const Dyadic d = dyadic(c[i], "coefficient");
      n.terms.push_back(term(x[i], d.num, d.frac));
    }
    set_constant(n, off);
    return step(n);
  }
  Value dot(std::span<const Value> x, std::span<const Value> y, const Rational& scale, const Rational& off,
            Format out) const {
    OpNode n = node(out, OpNode::Kind::product);
    const Dyadic k = dyadic(scale, "scale");
    for (size_t i = 0; i < x.size(); ++i) n.terms.push_back(product(x[i], y[i], k.num, k.frac));
    set_constant(n, off);
    return step(n);
  }
  Value mul(const Value& x, const Value& y, Format out) const {
    OpNode n = node(out, OpNode::Kind::product);
    n.terms.push_back(product(x, y, 1, 0));
    return step(n);
  }
  Value mul_add(const Value& x, const Value& y, const Value& c, Format out) const {
    OpNode n = node(out, OpNode::Kind::product);
    n.terms.push_back(product(x, y, 1, 0));
    n.terms.push_back(term(c, 1, 0));
    return step(n);
  }
  Value sum(std::span<const Value> x, Format out) const {
    OpNode n = node(out, OpNode::Kind::linear);
    for (const Value& v : x) n.terms.push_back(term(v, 1, 0));
    return step(n);
  }
  Value convert(const Value& x, Format out) const {
    OpNode n = node(out, OpNode::Kind::linear);
    n.terms.push_back(term(x, 1, 0));
    return step(n);
  }
  // max and rounding are monotone: the output lies in [max_i round(lo_i), max_i round(hi_i)].
  Value max(std::span<const Value> x, Format out) const {
    if (x.empty()) throw std::invalid_argument("max of an empty list");
    BigInt lo, hi;
    for (size_t i = 0; i < x.size(); ++i) {
      const RawInterval& r = interval(x[i]);
      const BigInt l = numerics::convert(Fixed{int64_t(r.lo), r.fmt}, out).raw;
      const BigInt h = numerics::convert(Fixed{int64_t(r.hi), r.fmt}, out).raw;
      lo = i == 0 ? l : std::max(lo, l);
      hi = i == 0 ? h : std::max(hi, h);
    }
    return point_or_range(out, lo, hi, true);
  }
  // A table's image over the operand interval, by enumeration of the entries in it.
  Value unary(numerics::UnaryFn fn, const Value& x, Format out) const {
    const RawInterval& r = interval(x);
    const numerics::Table& t = numerics::Table::get(fn, r.fmt, out);
    int64_t lo = t.lookup(int64_t(r.lo)), hi = lo;
    for (int64_t v = int64_t(r.lo); v <= int64_t(r.hi); ++v) {
      lo = std::min(lo, t.lookup(v));
      hi = std::max(hi, t.lookup(v));
    }
    return point_or_range(out, lo, hi, true);
  }
  double to_double(const Value& x) const {
    const RawInterval& r = interval(x);
    return std::ldexp(double(r.lo + r.hi) / 2, -r.fmt.frac());
  }

  void observe(std::string_view name, std::span<const Value> v) const {
    if (v.size() != b_->pending.size())
      throw std::logic_error(fmt::format("observe('{}'): {} values after {} operations", name, v.size(), b_->pending.size()));
    auto [it, fresh] = b_->index.try_emplace(std::string(name), b_->tensors.size());
    if (fresh) {
      TensorNoWrap t;
      t.name = std::string(name);
      t.fmt = interval(v[0]).fmt;
      t.out_lo = 1e300;
      t.out_hi = -1e300;
      b_->tensors.push_back(t);
    }
    TensorNoWrap& t = b_->tensors[it->second];
    for (const Builder::Pending& p : b_->pending) {
      ++t.nodes;
      t.out_lo = std::min(t.out_lo, std::ldexp(double(p.rep.out_lo), -t.fmt.frac()));
      t.out_hi = std::max(t.out_hi, std::ldexp(double(p.rep.out_hi), -t.fmt.frac()));
      if (!p.step) continue;
      ++t.steps;
      t.proved += p.rep.verdict == Verdict::proved;
      t.refuted += p.rep.verdict == Verdict::refuted;
      t.inconclusive += p.rep.verdict == Verdict::inconclusive;
      t.reused += p.rep.reused;
      t.max_needed_bits = std::max(t.max_needed_bits, p.rep.needed_bits);
      t.saturation_possible += p.rep.saturation_possible;
      t.seconds += p.rep.seconds;
    }
    b_->pending.clear();
  }

 private:
  static std::string name_of(Value v) { return "n" + std::to_string(v.id); }
  const RawInterval& interval(Value v) const { return b_->analysis.interval(name_of(v)); }
  OpNode node(Format out, OpNode::Kind kind) const {
    OpNode n;
    n.name = "n" + std::to_string(b_->next);
    n.kind = kind;
    n.fmt = out;
    n.acc_bits = b_->opt.acc_bits;
    return n;
  }
  static OpTerm term(Value x, BigInt num, int frac) {
    OpTerm t;
    t.a = name_of(x);
    set_coef(t, std::move(num), frac);
    return t;
  }
  static OpTerm product(Value x, Value y, BigInt num, int frac) {
    OpTerm t = term(x, std::move(num), frac);
    t.b = name_of(y);
    return t;
  }
  static void set_constant(OpNode& n, const Rational& k) {
    if (k == 0) return;
    const Dyadic d = dyadic(k, "constant");
    n.k_num = d.num;
    n.k_frac = d.frac;
  }
  Value step(const OpNode& n) const {
    StepReport r = b_->analysis.add(n);
    b_->pending.push_back({std::move(r), true});
    return Value{b_->next++};
  }
  // An input node of the analysis; `counted` for value-producing operations (observe's contract:
  // input and constant are not counted).
  Value point_or_range(Format f, const BigInt& lo, const BigInt& hi, bool counted) const {
    OpNode n = node(f, OpNode::Kind::input);
    n.lo = lo;
    n.hi = hi;
    StepReport r = b_->analysis.add(n);
    if (counted) b_->pending.push_back({std::move(r), false});
    return Value{b_->next++};
  }
  Builder* b_;
};

static_assert(sampler::ArithPolicy<IntervalArith>);

}  // namespace

ModelNoWrapReport check_model_no_wrap(const sampler::Model& m, const ModelNoWrapOptions& opt) {
  const auto t0 = std::chrono::steady_clock::now();
  Builder b("model", opt);
  b.state = m.act("state");
  b.noise_lo = numerics::round_to_format(-m.config().noise_clip, b.state);
  b.noise_hi = numerics::round_to_format(m.config().noise_clip, b.state);
  IntervalArith a(b);
  const std::vector<Fixed> e(size_t(m.config().data_dim), Fixed{0, b.state});
  sampler::sample(a, m, m.config().sampler, e);
  if (!b.pending.empty())
    throw std::logic_error(fmt::format("no-wrap analysis: {} operations were never observed", b.pending.size()));
  ModelNoWrapReport r;
  r.model = m.source();
  r.acc_bits = opt.acc_bits;
  r.tensors = std::move(b.tensors);
  for (const TensorNoWrap& t : r.tensors) {
    r.nodes += t.nodes;
    r.steps += t.steps;
    r.proved += t.proved;
    r.refuted += t.refuted;
    r.inconclusive += t.inconclusive;
    r.reused += t.reused;
    if (t.max_needed_bits > r.max_needed_bits) {
      r.max_needed_bits = t.max_needed_bits;
      r.widest_tensor = t.name;
    }
  }
  r.solver_queries = b.analysis.solver_queries();
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace tc0::proofs
