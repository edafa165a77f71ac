#include "sampler/compile/count.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <unordered_map>

#include "numerics/functions.hpp"
#include "numerics/rounding.hpp"
#include "sampler/certified.hpp"
#include "sampler/samplers.hpp"

namespace tc0::sampler::compile {

namespace {

using circuits::Weight;
using numerics::BigInt;

// A bit: id 0 / 1 are the constants false / true; others name one signal (copies share the id).
struct CBit {
  uint64_t id = 0;
  uint32_t level = 0;
  bool neg = false;  // the complement of node id (never set on constants)
  bool constant() const { return id < 2; }
  CBit operator!() const { return constant() ? CBit{1 - id, 0, false} : CBit{id, level, !neg}; }
};

struct CV {
  Format fmt{2, 0};
  std::vector<CBit> bits;
  uint32_t op = 0;  // producing operation + 1 (0: input or constant)
};

struct TermC {
  uint64_t id;
  Weight w;
  uint32_t level;
  bool neg = false;  // the term's wire is the complement of node id (group sums' bits)
  CBit bit() const { return CBit{id, level, neg}; }
};

Weight floor_div(Weight a, Weight b) {
  Weight q = a / b;
  if (a % b != 0 && a < 0) --q;
  return q;
}
Weight ceil_div(Weight a, Weight b) {
  Weight q = a / b;
  if (a % b != 0 && a > 0) ++q;
  return q;
}
constexpr int kFullLevel = 122;
Weight level_modulus(int k) { return Weight(1) << std::min(k + 1, kFullLevel + 1); }
Weight residue(Weight w, int k) {
  if (k >= kFullLevel) return w;
  Weight d = level_modulus(k);
  Weight r = ((w % d) + d) % d;
  if (r > d / 2) r -= d;
  return r;
}
int trailing_zeros(Weight w) {
  int e = 0;
  while (w != 0 && (w & 1) == 0) w >>= 1, ++e;
  return e;
}
int64_t bit_of(int64_t v, int b) { return b >= 63 ? (v < 0 ? 1 : 0) : (v >> b) & 1; }

struct OpRec {
  uint64_t gates = 0, edges = 0, stored_edges = 0;
  std::vector<uint32_t> deps;
  std::string component;
  uint32_t level = 0;
};

class Counter {
 public:
  std::vector<OpRec> ops;
  uint64_t next_id = 2;
  OpRec* cur = nullptr;

  std::unordered_map<uint64_t, CBit> strash;  // structural hashing within one operation
  // Operations of one shape (formats, coefficients, which bits are constant or repeated, relative
  // bit levels) build the same gates: counted once, replayed (the attention's T^2 products).
  struct Shape {
    uint64_t gates = 0, edges = 0, stored_edges = 0;
    std::vector<CBit> out;  // id: 0/1 constant, 2 + k: k-th fresh gate; level relative to the base
    uint32_t fresh = 0;
  };
  std::unordered_map<std::string, Shape> shapes;

  // create_threshold of circuits/network.cpp, counted: constants and complements folded, duplicates
  // merged, weights made positive, constant and buffer gates folded, weights shrunk, polarity
  // normalised, then hashed (within the operation).
  CBit gate(const std::vector<std::pair<CBit, Weight>>& fin, Weight theta) {
    std::vector<std::pair<uint64_t, Weight>> merged;
    std::unordered_map<uint64_t, uint32_t> level_of;
    for (auto [b, w] : fin) {
      if (w == 0) continue;
      if (b.neg) theta -= w, w = -w;
      if (b.constant()) {
        if (b.id == 1) theta -= w;
        continue;
      }
      merged.emplace_back(b.id, w);
      level_of[b.id] = b.level;
    }
    std::sort(merged.begin(), merged.end());
    std::vector<uint64_t> ids;
    std::vector<bool> comp;
    std::vector<Weight> ws;
    uint32_t lv = 0;
    for (size_t i = 0; i < merged.size();) {
      Weight acc = 0;
      size_t j = i;
      for (; j < merged.size() && merged[j].first == merged[i].first; ++j) acc += merged[j].second;
      if (acc != 0) {
        ids.push_back(merged[i].first);
        comp.push_back(acc < 0);
        if (acc < 0) theta -= acc, acc = -acc;
        ws.push_back(acc);
        lv = std::max(lv, level_of[merged[i].first]);
      }
      i = j;
    }
    Weight total = 0;
    for (Weight w : ws) total += w;
    if (theta <= 0) return CBit{1, 0, false};
    if (theta > total) return CBit{0, 0, false};
    auto shrink = [&] {
      for (bool changed = true; changed;) {
        changed = false;
        Weight g = 0;
        for (Weight& w : ws) {
          if (w > theta) w = theta, changed = true;
          Weight a = g, b = w;
          while (b != 0) { Weight t = a % b; a = b; b = t; }
          g = a;
        }
        if (g > 1) {
          for (Weight& w : ws) w /= g;
          theta = ceil_div(theta, g);
          changed = true;
        }
      }
    };
    shrink();
    if (ids.size() == 1) return CBit{ids[0], level_of[ids[0]], bool(comp[0])};
    bool flip = comp[0];
    if (flip) {
      total = 0;
      for (Weight w : ws) total += w;
      for (size_t i = 0; i < comp.size(); ++i) comp[i] = !comp[i];
      theta = total - theta + 1;
      shrink();
    }
    uint64_t h = 1469598103934665603ull;
    auto mix = [&h](uint64_t v) { h = (h ^ v) * 1099511628211ull; h ^= h >> 29; };
    for (size_t i = 0; i < ids.size(); ++i) {
      mix(ids[i] * 2 + comp[i]);
      mix(uint64_t(ws[i]));
      mix(uint64_t(ws[i] >> 64));
    }
    const uint64_t list_hash = h;
    mix(uint64_t(theta));
    mix(uint64_t(theta >> 64));
    auto it = strash.find(h);
    if (it != strash.end()) return CBit{it->second.id, it->second.level, flip};
    cur->gates += 1;
    cur->edges += ids.size();
    // Network::append_gate shares a fan-in list with one of the last few distinct lists.
    if (std::find(recent_lists.begin(), recent_lists.end(), list_hash) == recent_lists.end()) {
      cur->stored_edges += ids.size();
      recent_lists[recent_next] = list_hash;
      recent_next = (recent_next + 1) % recent_lists.size();
    }
    CBit g{next_id++, lv + 1, false};
    strash.emplace(h, g);
    return CBit{g.id, g.level, flip};
  }
  std::array<uint64_t, 8> recent_lists{};
  size_t recent_next = 0;
  CBit fresh_gate(uint64_t fanins, uint32_t level) {
    cur->gates += 1;
    cur->edges += fanins;
    cur->stored_edges += fanins;
    return CBit{next_id++, level};
  }
};

// RoundedBits of circuits/gadgets/linear_form.cpp, counted (same levels, residues and ranges).
class RoundedCount {
 public:
  RoundedCount(Counter& c, const std::vector<TermC>& terms, Weight k, int s) : c_(c), k_(k), s_(s) {
    // as the gadget: every weight made positive first (w z = |w| !z + w)
    for (const TermC& t : terms) {
      if (t.w < 0) {
        terms_.push_back(TermC{t.id, -t.w, t.level, !t.neg});
        k_ += t.w;
      } else {
        terms_.push_back(t);
      }
    }
    h_ = s >= 1 ? Weight(1) << (s - 1) : 0;
  }

  std::vector<CBit> build(int width, Weight lo, Weight hi) {
    std::vector<CBit> out(size_t(width), CBit{0, 0});
    if (s_ >= 122) return out;
    Weight thr_hi, thr_lo;
    if (s_ >= 0) {
      thr_hi = hi * (Weight(1) << s_);
      thr_lo = lo * (Weight(1) << s_);
    } else {
      Weight m = Weight(1) << std::min(-s_, 100);
      thr_hi = ceil_div(hi, m);
      thr_lo = floor_div(lo, m);
    }
    CBit sat_hi = all_terms(1, thr_hi - k_);
    CBit sat_lo = all_terms(-1, k_ - thr_lo);
    for (int j = 0; j + 1 < width; ++j) {
      int k = j + s_;
      if (k < 0) {
        out[size_t(j)] = sat_hi;
        continue;
      }
      bool tie_bit = s_ >= 1 && j == 0;
      const Thermo& prev = thermo(k - 1, tie_bit ? -1 : 0);
      const Thermo& cur = thermo(k, 0);
      const Level& lp = level(k - 1);
      const Level& lc = level(k);
      std::vector<std::pair<CBit, Weight>> f;
      for (const CBit& g : prev.gates) f.push_back({g, 1});
      for (size_t t = 0; t < terms_.size(); ++t) {
        Weight b = (lc.r[t] - lp.r[t]) >> std::min(k, 126);
        if (b != 0) f.push_back({terms_[t].bit(), b});
      }
      for (const CBit& g : cur.gates) f.push_back({g, -2});
      f.push_back({sat_hi, 2});
      f.push_back({sat_lo, -2});
      Weight b_k = (lc.kr - lp.kr) >> std::min(k, 126);
      out[size_t(j)] = c_.gate(f, 1 - prev.jlo - b_k + 2 * cur.jlo);
    }
    out[size_t(width - 1)] = all_terms(-1, k_ + h_ + 1);
    return out;
  }

 private:
  struct Level {
    std::vector<Weight> r;
    Weight kr = 0, pos = 0, neg = 0;
  };
  struct Thermo {
    Weight jlo = 0;
    std::vector<CBit> gates;
  };

  CBit all_terms(int sign, Weight theta) {
    std::vector<std::pair<CBit, Weight>> f;
    for (const TermC& t : terms_) f.push_back({t.bit(), sign * t.w});
    return c_.gate(f, theta);
  }

  const Level& level(int k) {
    auto it = levels_.find(k);
    if (it != levels_.end()) return it->second;
    Level lv;
    lv.r.resize(terms_.size(), 0);
    if (k >= 0) {
      for (size_t t = 0; t < terms_.size(); ++t) {
        lv.r[t] = residue(terms_[t].w, k);
        (lv.r[t] > 0 ? lv.pos : lv.neg) += lv.r[t];
      }
      Weight kp = k_ + h_;
      if (k >= kFullLevel) {
        lv.kr = kp;
      } else {
        Weight d = level_modulus(k);
        Weight c0 = ((kp % d) + d) % d, c1 = c0 - d;
        auto count = [&](Weight c) { return floor_div(c + lv.pos, d) - floor_div(c + lv.neg, d); };
        lv.kr = count(c1) < count(c0) ? c1 : c0;
      }
    }
    return levels_.emplace(k, std::move(lv)).first->second;
  }

  const Thermo& thermo(int k, int delta) {
    auto key = std::make_pair(k, delta);
    auto it = thermos_.find(key);
    if (it != thermos_.end()) return it->second;
    Thermo th;
    if (k >= 0 || delta != 0) {
      const Level& lv = level(k);
      Weight d = level_modulus(k);
      Weight base = lv.kr + delta;
      th.jlo = floor_div(base + lv.neg, d);
      Weight jhi = floor_div(base + lv.pos, d);
      std::vector<std::pair<CBit, Weight>> f;
      for (size_t t = 0; t < terms_.size(); ++t)
        if (lv.r[t] != 0) f.push_back({terms_[t].bit(), lv.r[t]});
      for (Weight j = th.jlo + 1; j <= jhi; ++j) th.gates.push_back(c_.gate(f, j * d - base));
    }
    return thermos_.emplace(key, std::move(th)).first->second;
  }

  Counter& c_;
  std::vector<TermC> terms_;
  Weight k_;
  int s_;
  Weight h_ = 0;
  std::map<int, Level> levels_;
  std::map<std::pair<int, int>, Thermo> thermos_;
};

// group_reduce + linear_form_bus of circuits/gadgets/linear_form.cpp, counted.
std::vector<CBit> count_linear_form(Counter& c, std::vector<TermC> terms, Weight k, int frac, Format out,
                                    const circuits::gadgets::LinearFormParams& ps) {
  size_t group = ps.group_size ? ps.group_size : 16;
  for (int budget = ps.depth_budget; budget >= 4 && terms.size() > group; budget -= 2) {
    std::stable_sort(terms.begin(), terms.end(), [](const TermC& a, const TermC& b) {
      Weight ma = a.w < 0 ? -a.w : a.w, mb = b.w < 0 ? -b.w : b.w;
      return ma < mb;
    });
    std::vector<TermC> next;
    for (size_t begin = 0; begin < terms.size(); begin += group) {
      std::vector<TermC> chunk(terms.begin() + long(begin), terms.begin() + long(std::min(terms.size(), begin + group)));
      if (chunk.size() == 1) {
        next.push_back(chunk[0]);
        continue;
      }
      int e = 126;
      for (const TermC& t : chunk) e = std::min(e, trailing_zeros(t.w));
      for (TermC& t : chunk) t.w >>= e;
      Weight pos = 0, neg = 0;
      for (const TermC& t : chunk) (t.w > 0 ? pos : neg) += t.w;
      int width = 2;
      while (width < 124 && ((Weight(1) << (width - 1)) <= pos || -(Weight(1) << (width - 1)) > neg)) ++width;
      RoundedCount rc(c, chunk, 0, 0);
      auto bits = rc.build(width, -(Weight(1) << (width - 1)), (Weight(1) << (width - 1)) - 1);
      for (size_t i = 0; i < bits.size(); ++i) {
        Weight w = Weight(1) << (i + size_t(e));
        next.push_back(TermC{bits[i].id, i + 1 == bits.size() ? -w : w, bits[i].level, bits[i].neg});
      }
    }
    terms = std::move(next);
  }
  RoundedCount rc(c, terms, k, frac - out.frac());
  return rc.build(out.width(), out.min_raw(), out.max_raw());
}

struct PieceC {
  const CV* x;
  const CV* y;
  Rational coef;
};

Weight to_weight(const BigInt& v) {
  BigInt m = boost::multiprecision::abs(v);
  if (m >= (BigInt(1) << 123)) throw circuits::CircuitError("count: a weight needs more than 123 bits");
  Weight r = (Weight(static_cast<unsigned long long>(m >> 64)) << 64) |
             Weight(static_cast<unsigned long long>(m & BigInt(UINT64_MAX)));
  return v < 0 ? -r : r;
}

Weight bit_weight(const CV& b, size_t i) {
  Weight w = Weight(1) << i;
  return i + 1 == b.bits.size() ? -w : w;
}

class CountArith {
 public:
  using Value = CV;
  CountArith(Counter& c, circuits::gadgets::LinearFormParams ps) : c_(&c), ps_(ps) {}

  CV input(const Fixed& x) const { return constant_cv(x); }
  CV constant(const Const& k) const { return constant_cv(k.fixed); }
  CV trig(Trig fn, const Rational& q, Format out) const { return constant_cv(Fixed{trig_rounded(fn, q, out), out}); }
  CV linear(std::span<const Const> w, std::span<const CV> x, std::span<const Const> bias, const Rational& off,
            Format out) const {
    std::vector<PieceC> p;
    for (size_t i = 0; i < x.size(); ++i)
      if (w[i].fixed.raw != 0) p.push_back({&x[i], nullptr, value_of(w[i].fixed)});
    Rational k = off;
    for (const Const& b : bias) k += value_of(b.fixed);
    return finish("linear", pieces(p, k, out), x);
  }
  CV lincomb(const Rational& off, std::span<const Rational> cf, std::span<const CV> x, Format out) const {
    std::vector<PieceC> p;
    for (size_t i = 0; i < x.size(); ++i) p.push_back({&x[i], nullptr, cf[i]});
    return finish("lincomb", pieces(p, off, out), x);
  }
  CV dot(std::span<const CV> x, std::span<const CV> y, const Rational& scale, const Rational& off, Format out) const {
    std::vector<PieceC> p;
    std::vector<CV> deps(x.begin(), x.end());
    deps.insert(deps.end(), y.begin(), y.end());
    for (size_t i = 0; i < x.size(); ++i) p.push_back({&x[i], &y[i], scale});
    return finish("dot", pieces(p, off, out), deps);
  }
  CV mul(const CV& a, const CV& b, Format out) const {
    const PieceC p[1] = {{&a, &b, Rational(1)}};
    return finish("mul", pieces(p, Rational(0), out), std::vector<CV>{a, b});
  }
  CV mul_add(const CV& a, const CV& b, const CV& cc, Format out) const {
    const PieceC p[2] = {{&a, &b, Rational(1)}, {&cc, nullptr, Rational(1)}};
    return finish("mul_add", pieces(p, Rational(0), out), std::vector<CV>{a, b, cc});
  }
  CV sum(std::span<const CV> x, Format out) const {
    std::vector<PieceC> p;
    for (const CV& v : x) p.push_back({&v, nullptr, Rational(1)});
    return finish("sum", pieces(p, Rational(0), out), x);
  }
  CV max(std::span<const CV> x, Format out) const {
    begin_op();
    int f = x[0].fmt.frac(), ib = x[0].fmt.width() - x[0].fmt.frac();
    for (const CV& b : x) f = std::max(f, b.fmt.frac()), ib = std::max(ib, b.fmt.width() - b.fmt.frac());
    Format common(ib + f, f);
    std::vector<CV> xs;
    for (const CV& b : x) xs.push_back(b.fmt == common ? b : convert_cv(b, common));
    CV m;
    if (xs.size() == 1) {
      m = xs[0];
    } else {
      const size_t n = xs.size(), w = size_t(common.width());
      std::vector<std::vector<CBit>> beats(n, std::vector<CBit>(n, CBit{1, 0}));
      std::vector<std::vector<bool>> inv(n, std::vector<bool>(n, false));
      for (size_t i = 0; i < n; ++i)
        for (size_t j = i + 1; j < n; ++j) {
          std::vector<std::pair<CBit, Weight>> fin;
          for (size_t b = 0; b < w; ++b) fin.push_back({xs[i].bits[b], bit_weight(xs[i], b)});
          for (size_t b = 0; b < w; ++b) fin.push_back({xs[j].bits[b], -bit_weight(xs[j], b)});
          CBit ge = c_->gate(fin, 0);
          beats[i][j] = ge;
          beats[j][i] = !ge;
        }
      m.fmt = common;
      for (size_t b = 0; b < w; ++b) {
        std::vector<std::pair<CBit, Weight>> cand;
        for (size_t i = 0; i < n; ++i) {
          std::vector<std::pair<CBit, Weight>> f;
          for (size_t j = 0; j < n; ++j)
            if (j != i) f.push_back({beats[i][j], 1});
          f.push_back({xs[i].bits[b], 1});
          cand.push_back({and_of(f), 1});
        }
        m.bits.push_back(c_->gate(cand, 1));  // OR
      }
    }
    CV r = common == out ? m : convert_cv(m, out);
    return finish("max", r, x);
  }
  CV unary(UnaryFn fn, const CV& x, Format out) const {
    begin_op();
    const numerics::Table& t = numerics::Table::get(fn, x.fmt, out);
    // staircase over the bus: one step gate per value change, one output gate per bit
    std::vector<std::pair<CBit, Weight>> fin;
    for (size_t b = 0; b < x.bits.size(); ++b) fin.push_back({x.bits[b], bit_weight(x, b)});
    const int width = out.width();
    std::vector<std::vector<std::pair<CBit, Weight>>> ins(static_cast<size_t>(width));
    int64_t first = t.lookup(x.fmt.min_raw()), prev = first;
    for (int64_t v = x.fmt.min_raw() + 1; v <= x.fmt.max_raw(); ++v) {
      int64_t cur = t.lookup(v);
      if (cur == prev) continue;
      CBit step = c_->gate(fin, Weight(v));
      for (int b = 0; b < width; ++b) {
        int d = int((uint64_t(cur) >> b) & 1) - int((uint64_t(prev) >> b) & 1);
        if (d != 0) ins[size_t(b)].push_back({step, d});
      }
      prev = cur;
    }
    CV r{out, {}, 0};
    for (int b = 0; b < width; ++b) r.bits.push_back(c_->gate(ins[size_t(b)], 1 - int((uint64_t(first) >> b) & 1)));
    std::string comp = fn == UnaryFn::exp || fn == UnaryFn::reciprocal ? "attention" : fn == UnaryFn::rsqrt ? "norm" : "nonlinear";
    return finish_comp(comp, r, std::vector<CV>{x});
  }
  CV convert(const CV& x, Format out) const {
    begin_op();
    return finish("convert", convert_cv(x, out), std::vector<CV>{x});
  }
  double to_double(const CV&) const { return 0; }

 private:
  static Rational value_of(const Fixed& x) {
    return Rational(x.raw) * (x.fmt.frac() >= 0 ? Rational(BigInt(1), BigInt(1) << x.fmt.frac())
                                                 : Rational(BigInt(1) << -x.fmt.frac()));
  }
  CV constant_cv(const Fixed& x) const {
    CV v{x.fmt, {}, 0};
    for (int i = 0; i < x.fmt.width(); ++i) v.bits.push_back(CBit{uint64_t(bit_of(x.raw, i)), 0});
    return v;
  }
  void begin_op() const {
    c_->ops.emplace_back();
    c_->cur = &c_->ops.back();
    c_->strash.clear();
  }
  // create_and: all weights 1, theta = fan-in count (constants fold in gate())
  CBit and_of(const std::vector<std::pair<CBit, Weight>>& f) const { return c_->gate(f, Weight(f.size())); }
  CV convert_cv(const CV& x, Format out) const {
    const int shift = out.frac() - x.fmt.frac();
    if (shift >= 0 && x.fmt.width() + shift <= out.width()) {
      CV b{out, std::vector<CBit>(size_t(shift), CBit{0, 0}), 0};
      b.bits.insert(b.bits.end(), x.bits.begin(), x.bits.end());
      while (b.bits.size() < size_t(out.width())) b.bits.push_back(x.bits.back());
      return b;
    }
    const PieceC p[1] = {{&x, nullptr, Rational(1)}};
    return pieces_in_op(p, Rational(0), out);
  }
  CV pieces(std::span<const PieceC> p, const Rational& k, Format out) const {
    begin_op();
    // shape key: everything the construction depends on, with bit levels relative to the lowest
    std::string key = fmt::format("{}|{}|{}|", out.width(), out.frac(), k.str());
    uint32_t base = UINT32_MAX;
    for (const PieceC& pc : p) {
      for (const CBit& b : pc.x->bits) if (!b.constant()) base = std::min(base, b.level);
      if (pc.y) for (const CBit& b : pc.y->bits) if (!b.constant()) base = std::min(base, b.level);
    }
    if (base == UINT32_MAX) base = 0;
    std::unordered_map<uint64_t, size_t> first;
    auto add_bits = [&](const CV& v) {
      key += fmt::format("{},{}:", v.fmt.width(), v.fmt.frac());
      for (const CBit& b : v.bits) {
        if (b.constant()) { key += b.id ? 'T' : 'F'; continue; }
        auto [it, fresh] = first.emplace(b.id, first.size());
        key += fmt::format("{}{}{}.", b.neg ? '!' : ' ', it->second, fresh ? "" : "d");
        key += std::to_string(b.level - base);
        key += ';';
      }
    };
    for (const PieceC& pc : p) {
      key += pc.coef.str();
      key += '[';
      add_bits(*pc.x);
      if (pc.y) add_bits(*pc.y);
      key += ']';
    }
    auto it = c_->shapes.find(key);
    if (it != c_->shapes.end()) {
      const Counter::Shape& sh = it->second;
      c_->cur->gates += sh.gates;
      c_->cur->edges += sh.edges;
      c_->cur->stored_edges += sh.stored_edges;
      const uint64_t id0 = c_->next_id;
      c_->next_id += sh.fresh;
      CV r{out, {}, 0};
      for (const CBit& b : sh.out)
        r.bits.push_back(b.constant() ? b : CBit{id0 + (b.id - 2), b.level + base, b.neg});
      return r;
    }
    const uint64_t id0 = c_->next_id, g0 = c_->cur->gates, e0 = c_->cur->edges, s0 = c_->cur->stored_edges;
    CV r = pieces_in_op(p, k, out);
    Counter::Shape sh;
    sh.gates = c_->cur->gates - g0;
    sh.edges = c_->cur->edges - e0;
    sh.stored_edges = c_->cur->stored_edges - s0;
    sh.fresh = uint32_t(c_->next_id - id0);
    bool replayable = true;
    for (const CBit& b : r.bits) {
      if (b.constant()) sh.out.push_back(b);
      else if (b.id >= id0) sh.out.push_back(CBit{2 + (b.id - id0), b.level - base, b.neg});
      else replayable = false;  // an operand bit passed through: keep its identity, do not cache
    }
    if (replayable && c_->shapes.size() < 200000) c_->shapes.emplace(std::move(key), std::move(sh));
    return r;
  }
  // round_pieces of rational_form.cpp, counted
  CV pieces_in_op(std::span<const PieceC> ps, const Rational& constant, Format out) const {
    using boost::multiprecision::denominator;
    using boost::multiprecision::numerator;
    std::vector<Rational> q;
    BigInt L = denominator(constant);
    for (const PieceC& p : ps) {
      int f = p.x->fmt.frac() + (p.y ? p.y->fmt.frac() : 0);
      q.push_back(p.coef * (f >= 0 ? Rational(BigInt(1), BigInt(1) << f) : Rational(BigInt(1) << -f)));
      const BigInt& d = denominator(q.back());
      L = L / boost::multiprecision::gcd(L, d) * d;
    }
    auto scaled = [&](const Rational& r) { return to_weight(numerator(r) * (L / denominator(r))); };
    Weight k = scaled(constant);
    std::vector<TermC> raw;
    for (size_t i = 0; i < ps.size(); ++i) {
      if (q[i] == 0) continue;
      const Weight W = scaled(q[i]);
      const CV& x = *ps[i].x;
      if (!ps[i].y) {
        for (size_t a = 0; a < x.bits.size(); ++a) push_term(raw, k, x.bits[a], W * bit_weight(x, a));
        continue;
      }
      const CV& y = *ps[i].y;
      for (size_t a = 0; a < x.bits.size(); ++a)
        for (size_t b = 0; b < y.bits.size(); ++b) {
          Weight wt = W * bit_weight(x, a) * bit_weight(y, b);
          CBit sa = x.bits[a], sb = y.bits[b], s;
          if (sa.id == 0 || sb.id == 0) s = CBit{0, 0};
          else if (sa.id == 1) s = sb;
          else if (sb.id == 1) s = sa;
          else s = c_->gate({{sa, 1}, {sb, 1}}, 2);  // create_and (hashed within the operation)
          push_term(raw, k, s, wt);
        }
    }
    std::vector<TermC> terms;
    for (const TermC& t : raw)
      if (t.id == 1) k += t.w;
    // raw terms of complemented wires were turned around when pushed (w * !s = w - w * s)
    std::sort(raw.begin(), raw.end(), [](const TermC& a, const TermC& b) { return a.id < b.id; });
    for (const TermC& t : raw) {
      if (t.id < 2) continue;
      if (!terms.empty() && terms.back().id == t.id) terms.back().w += t.w;
      else terms.push_back(t);
    }
    std::erase_if(terms, [](const TermC& t) { return t.w == 0; });
    CV r{out, {}, 0};
    if (terms.empty()) return constant_cv(Fixed{numerics::round_to_format(Rational(numerics::to_bigint(k), L), out), out});
    const bool pow2 = boost::multiprecision::lsb(L) == boost::multiprecision::msb(L);
    if (pow2) {
      r.bits = count_linear_form(*c_, terms, k, int(boost::multiprecision::msb(L)), out, ps_);
      return r;
    }
    // thermometer (rational_form.cpp): one gate per reachable output value, one per bit
    BigInt nmin = numerics::to_bigint(k), nmax = nmin;
    uint32_t lv = 0;
    for (const TermC& t : terms) (t.w < 0 ? nmin : nmax) += numerics::to_bigint(t.w), lv = std::max(lv, t.level);
    int64_t rmin = numerics::round_to_format(Rational(nmin, L), out), rmax = numerics::round_to_format(Rational(nmax, L), out);
    std::vector<CBit> g;
    for (int64_t j = rmin + 1; j <= rmax; ++j) g.push_back(c_->fresh_gate(terms.size(), lv + 1));
    for (int b = 0; b < out.width(); ++b) {
      std::vector<std::pair<CBit, Weight>> f;
      for (int64_t j = rmin + 1; j <= rmax; ++j) {
        int64_t d = bit_of(j, b) - bit_of(j - 1, b);
        if (d != 0) f.push_back({g[size_t(j - rmin - 1)], d});
      }
      r.bits.push_back(c_->gate(f, 1 - bit_of(rmin, b)));
    }
    return r;
  }
  // w * s for a wire s (a complemented wire: w - w * node)
  static void push_term(std::vector<TermC>& raw, Weight& k, const CBit& s, Weight w) {
    if (s.constant()) {
      if (s.id == 1) k += w;
      return;
    }
    if (s.neg) {
      k += w;
      w = -w;
    }
    raw.push_back({s.id, w, s.level, false});
  }
  CV finish(const char* kind, CV r, std::span<const CV> deps) const {
    std::string comp = std::string(kind) == "linear" ? "linear"
                       : std::string(kind) == "dot" || std::string(kind) == "max" || std::string(kind) == "sum"
                           ? "attention"
                           : "other";
    return finish_comp(comp, std::move(r), deps);
  }
  CV finish_comp(const std::string& comp, CV r, std::span<const CV> deps) const {
    OpRec& op = c_->ops.back();
    op.component = comp;
    for (const CV& d : deps)
      if (d.op) op.deps.push_back(d.op);
    r.op = uint32_t(c_->ops.size());
    for (const CBit& b : r.bits) op.level = std::max(op.level, b.level);
    return r;
  }
  Counter* c_;
  circuits::gadgets::LinearFormParams ps_;
};

static_assert(ArithPolicy<CountArith>);

}  // namespace

CountResult count_sampler(const Model& m, const SamplerSpec& spec, const circuits::gadgets::LinearFormParams& ps) {
  Counter c;
  CountArith a(c, ps);
  std::vector<CV> z;
  for (int i = 0; i < m.config().data_dim; ++i) {
    CV v{m.act("state"), {}, 0};
    for (int b = 0; b < v.fmt.width(); ++b) v.bits.push_back(CBit{c.next_id++, 0});
    z.push_back(v);
  }
  for (size_t k = 0; k + 1 < spec.grid.size(); ++k) z = sampler_step(a, m, spec.kind, spec.c, z, spec.grid[k], spec.grid[k + 1]);
  // live operations: those the outputs depend on (remove_dead_gates at operation granularity)
  std::vector<char> live(c.ops.size() + 1, 0);
  CountResult r;
  for (const CV& v : z) {
    if (v.op) live[v.op] = 1;
    for (const CBit& b : v.bits) r.depth = std::max(r.depth, b.level);
  }
  for (size_t i = c.ops.size(); i >= 1; --i)
    if (live[i])
      for (uint32_t d : c.ops[i - 1].deps) live[d] = 1;
  for (const OpRec& op : c.ops) r.per_operation.push_back({op.gates, op.edges}), r.per_operation_level.push_back(op.level);
  for (size_t i = 1; i <= c.ops.size(); ++i) {
    if (!live[i]) continue;
    const OpRec& op = c.ops[i - 1];
    r.gates += op.gates;
    r.edges += op.edges;
    r.stored_edges += op.stored_edges;
    auto& comp = r.by_component[op.component];
    comp.first += op.gates;
    comp.second += op.edges;
    ++r.operations;
  }
  return r;
}

}  // namespace tc0::sampler::compile
