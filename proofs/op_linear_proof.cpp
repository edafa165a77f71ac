// Operations that are one rounded linear form of operand bits and of products of two operand bits
// (op_proof.hpp: linear, lincomb, sum, convert, dot, mul, mul_add), proved in layers: partial
// products, group sums, word lemmas of the final rounded form (word_lemma.hpp).
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <random>
#include <numeric>
#include <cstdlib>
#include <bit>
#include <unordered_map>
#include <unordered_set>

#include "proofs/word_lemma.hpp"
#include "proofs/circuit_encoding.hpp"
#include "proofs/exhaustive.hpp"
#include "proofs/final_form_exhaustive.hpp"
#include "proofs/fixed_spec.hpp"
#include "proofs/op_proof_methods.hpp"

namespace tc0::proofs {

using circuits::Network;
using circuits::Signal;
using circuits::Weight;
using numerics::BigInt;

bool is_linear_form_op(OpKind k) {
  switch (k) {
    case OpKind::linear:
    case OpKind::lincomb:
    case OpKind::sum:
    case OpKind::convert:
    case OpKind::dot:
    case OpKind::mul:
    case OpKind::mul_add: return true;
    default: return false;
  }
}

namespace {

// ---- the specification: (K + sum_t c_t p_t) / L over operand bits and products of two bits ----

// A term: one free wire (b < 0), or the AND of two literals (wire, complemented) with a < b.
struct TermKey {
  int32_t a = -1, b = -1;
  bool ca = false, cb = false;
  auto operator<=>(const TermKey&) const = default;
};

struct RationalForm {
  std::map<TermKey, Rational> coef;
  Rational constant{0};
};

Rational pow2(int e) { return e >= 0 ? Rational(BigInt(1) << e) : Rational(BigInt(1), BigInt(1) << -e); }

// Weight of bit i of a two's-complement operand of format f, with its binary point: 2^(i - frac),
// negative for the sign bit.
Rational bit_value(Format f, int i) {
  const Rational v = pow2(i - f.frac());
  return i + 1 == f.width() ? Rational(-v) : v;
}

void add_literal(RationalForm& r, const OperandBit& x, const Rational& c) {
  if (c == 0) return;
  if (x.free < 0) {
    if (x.bit) r.constant += c;
    return;
  }
  if (x.bit) {  // c (1 - w) = c - c w
    r.constant += c;
    r.coef[TermKey{x.free, -1, false, false}] -= c;
  } else {
    r.coef[TermKey{x.free, -1, false, false}] += c;
  }
}

void add_product(RationalForm& r, OperandBit x, OperandBit y, const Rational& c) {
  if (c == 0) return;
  if (x.free < 0) {
    if (x.bit) add_literal(r, y, c);
    return;
  }
  if (y.free < 0) {
    if (y.bit) add_literal(r, x, c);
    return;
  }
  if (x.free == y.free) {  // w w = w; w !w = 0
    if (x.bit == y.bit) add_literal(r, x, c);
    return;
  }
  if (x.free > y.free) std::swap(x, y);
  r.coef[TermKey{x.free, y.free, x.bit, y.bit}] += c;
}

// sum_i coef * X_i (* Y_i), X_i the operand's bits with their two's-complement values.
void add_piece(RationalForm& r, const OpSpec& op, const OpWiring& w, size_t xa, const Rational& coef,
               std::optional<size_t> ya = std::nullopt) {
  const Format fx = op.args[xa].fmt;
  const auto& xb = w.operands[xa];
  if (!ya) {
    for (int i = 0; i < fx.width(); ++i) add_literal(r, xb[size_t(i)], coef * bit_value(fx, i));
    return;
  }
  const Format fy = op.args[*ya].fmt;
  const auto& yb = w.operands[*ya];
  for (int i = 0; i < fx.width(); ++i)
    for (int j = 0; j < fy.width(); ++j)
      add_product(r, xb[size_t(i)], yb[size_t(j)], coef * bit_value(fx, i) * bit_value(fy, j));
}

Rational fixed_value(const Fixed& x) { return Rational(x.raw) * pow2(-x.fmt.frac()); }

// The exact value of the operation before rounding, written from the graph's parameters.
RationalForm exact_form(const OpSpec& op, const OpWiring& w) {
  RationalForm r;
  const size_t n = op.args.size();
  switch (op.kind) {
    case OpKind::linear:
      r.constant = op.offset;
      for (const Fixed& b : op.bias) r.constant += fixed_value(b);
      for (size_t i = 0; i < n; ++i) add_piece(r, op, w, i, fixed_value(op.weights[i]));
      break;
    case OpKind::lincomb:
      r.constant = op.offset;
      for (size_t i = 0; i < n; ++i) add_piece(r, op, w, i, op.coefs[i]);
      break;
    case OpKind::sum:
    case OpKind::convert:
      for (size_t i = 0; i < n; ++i) add_piece(r, op, w, i, Rational(1));
      break;
    case OpKind::dot:
      r.constant = op.offset;
      for (size_t i = 0; i < n / 2; ++i) add_piece(r, op, w, i, op.scale, n / 2 + i);
      break;
    case OpKind::mul: add_piece(r, op, w, 0, Rational(1), 1); break;
    case OpKind::mul_add:
      add_piece(r, op, w, 0, Rational(1), 1);
      add_piece(r, op, w, 2, Rational(1));
      break;
    default: throw std::logic_error("exact_form: not a linear-form operation");
  }
  return r;
}

// ---- the layered proof ----

using Clock = std::chrono::steady_clock;

struct Failure {
  std::string why;
};

// Term wires of one layer: node -> weight w and polarity: the term is w times the node's value, or
// w times its complement (a group hands on a bit as the signal that carries it, and the next layer's
// gates read that literal, so the complement's 1 belongs to the next group's sum, not to K).
struct Lit {
  BigInt w = 0;
  bool comp = false;
};
using Terms = std::map<uint32_t, Lit>;

// Adds w * (comp ? !node : node), merging with a term on the same node (w !n = w - w n).
void add_term(Terms& t, BigInt& K, uint32_t node, bool comp, const BigInt& w) {
  auto [it, fresh] = t.try_emplace(node, Lit{w, comp});
  if (fresh) return;
  if (it->second.comp == comp) {
    it->second.w += w;
  } else {
    K += w;
    it->second.w -= w;
  }
}

// A node that one group handed on as several bits of its sum, all in one polarity (hashing made
// equal bits one gate): the weights of those bits, which groups of the next layer may read apart.
struct Split {
  std::vector<BigInt> bits;
  bool comp = false;
  BigInt total() const {
    BigInt t = 0;
    for (const BigInt& b : bits) t += b;
    return t;
  }
};

class LayeredProof {
 public:
  LayeredProof(const Network& ntk, const OpProofOptions& o, std::string name)
      : ntk_(ntk), o_(o), name_(std::move(name)) {}

  OpProof run(const OpSpec& op, const OpWiring& w) {
    OpProof p;
    p.method = "linear form (partial products, group sums, word lemmas)";
    // Where bits of a group sum coincide, which node hands on which bit is a guess about the
    // gadget (prove_group); each strategy is sound, a wrong one only leaves a later layer unproved.
    std::optional<Failure> first;
    std::vector<std::vector<uint32_t>> suspects;
    bool failed = false;
    for (int strategy : {kPositiveFirst | kReaderFirst, 0, kPositiveFirst, kReaderFirst}) {
      strategy_ = strategy;
      split_.clear();
      suspects_.clear();
      failed_group_ = false;
      OpProof attempt = p;
      try {
        prove(op, w, attempt);
        return attempt;
      } catch (const Failure& f) {
        if (!first) first = f, suspects = suspects_, failed = failed_group_;
      }
    }
    p.verdict = Verdict::inconclusive;
    p.detail = first->why;
    suspects_ = std::move(suspects);
    failed_group_ = failed;
    for (size_t i = 0; i < suspects_.size() && i < 32 && !p.cex; ++i)
      if (auto c = search_group(op, w, suspects_[i], i == 0 ? 8 : 4)) {
        p.verdict = Verdict::refuted;
        p.detail = fmt::format("{} (found by enumerating the {} wires of a first-level group, {}: {})", c->str(),
                               suspects_[i].size(), i == 0 && failed_group_ ? "the one that failed" : "each in turn",
                               first->why);
        p.cex = std::move(c);
      }
    return p;
  }

 private:
  [[noreturn]] static void fail(std::string why) { throw Failure{std::move(why)}; }

  // A group of the first level that is no sum of its wires (a wrong weight, threshold or wire, as a
  // mutation makes), or a layer above that is wrong on what the groups hand on, shows at the output
  // for some values of one group's wires: all of them, under a few backgrounds of the other wires
  // (all 0, all 1, random), simulated and compared with the fixed-point arithmetic; the group that
  // failed first, then the others. Only a reproduced counterexample counts; none found proves nothing.
  std::optional<OpCounterexample> search_group(const OpSpec& op, const OpWiring& w,
                                               const std::vector<uint32_t>& group, int backgrounds) const {
    if (group.empty() || group.size() > 20) return std::nullopt;
    const size_t n = ntk_.inputs().size(), k = group.size();
    const size_t words = std::max<size_t>(1, (size_t(1) << k) / 64);
    std::mt19937_64 rng(o_.seed);
    for (int background = 0; background < backgrounds; ++background) {
      std::vector<std::vector<uint64_t>> in(n, std::vector<uint64_t>(words));
      for (size_t j = 0; j < n; ++j) {
        const uint64_t b = background == 0 ? 0 : background == 1 ? ~uint64_t(0) : (rng() & 1 ? ~uint64_t(0) : 0);
        std::fill(in[j].begin(), in[j].end(), b);
      }
      for (size_t t = 0; t < k; ++t) {  // assignment a = 64 word + lane; wire t takes bit t of a
        auto& col = in[ntk_.input_index(group[t])];
        for (size_t wd = 0; wd < words; ++wd) {
          uint64_t v = 0;
          for (int lane = 0; lane < 64; ++lane)
            if ((((wd << 6) | size_t(lane)) >> t) & 1) v |= uint64_t(1) << lane;
          col[wd] = v;
        }
      }
      if (auto c = first_mismatch(ntk_, op, w, in)) return c;
    }
    return std::nullopt;
  }

  void prove(const OpSpec& op, const OpWiring& w, OpProof& p) {
    RationalForm rf = exact_form(op, w);
    // common denominator L
    BigInt L = boost::multiprecision::denominator(rf.constant);
    for (auto& [k, c] : rf.coef) {
      const BigInt& d = boost::multiprecision::denominator(c);
      L = L / boost::multiprecision::gcd(L, d) * d;
    }
    if (!(L > 0 && boost::multiprecision::lsb(L) == boost::multiprecision::msb(L)))
      fail(fmt::format("the exact value has the non-dyadic denominator {}; only exhaustive simulation covers that",
                       L.str()));
    const int F = int(boost::multiprecision::msb(L));
    auto scaled = [&](const Rational& q) { return BigInt(boost::multiprecision::numerator(q) * (L / boost::multiprecision::denominator(q))); };
    BigInt K = scaled(rf.constant);
    Terms terms;
    index_pairs();
    int ands = 0;
    for (auto& [key, c] : rf.coef) {
      if (c == 0) continue;
      const BigInt wt = scaled(c);
      Signal s;
      if (key.b < 0) {
        s = Signal::make(ntk_.inputs()[size_t(key.a)], false);
      } else {
        s = partial_product(key);
        ++ands;
      }
      if (s.complemented()) {  // wt !g = wt - wt g: the operation's terms are nodes (as round_pieces makes them)
        K += wt;
        add_term(terms, K, s.index(), false, BigInt(-wt));
      } else {
        add_term(terms, K, s.index(), false, wt);
      }
    }
    std::erase_if(terms, [](const auto& t) { return t.second.w == 0; });
    // the gates that remain to be explained: the cone of the outputs above the term wires
    const auto& out = ntk_.output_buses().at(0);
    std::vector<char> is_term(ntk_.num_nodes(), 0);
    for (auto& [n, lit] : terms) is_term[n] = 1;
    remaining_.assign(ntk_.num_nodes(), 0);
    {
      std::vector<uint32_t> stack;
      for (Signal s : out.bits)
        if (ntk_.is_gate(s.index()) && !is_term[s.index()] && !remaining_[s.index()])
          remaining_[s.index()] = 1, stack.push_back(s.index());
      while (!stack.empty()) {
        const uint32_t n = stack.back();
        stack.pop_back();
        for (Signal f : ntk_.gate(ntk_.gate_index(n)).fanins)
          if (ntk_.is_gate(f.index()) && !is_term[f.index()] && !remaining_[f.index()])
            remaining_[f.index()] = 1, stack.push_back(f.index());
      }
    }
    int levels = 0, groups = 0;
    while (true) {
      std::vector<uint32_t> depth = depths(terms);
      uint32_t maxd = 0;
      for (uint32_t n = 0; n < ntk_.num_nodes(); ++n)
        if (remaining_[n]) maxd = std::max(maxd, depth[n]);
      if (maxd <= 2) break;
      first_level_ = levels == 0;
      groups += group_level(terms, K, depth);
      ++levels;
      if (levels > 8) fail("more than 8 levels of group sums");
    }
    LinearFormSpec spec;
    for (auto& [n, lit] : terms) {
      if (lit.comp) K += lit.w;  // w !n = w - w n
      spec.terms.push_back(SpecTerm{n, lit.comp ? BigInt(-lit.w) : lit.w});
    }
    spec.constant = K;
    spec.frac = F;
    spec.out = op.out;
    // A small final form is enumerated (cheaper than the word lemmas and independent of the recipe);
    // a larger one gets the word lemmas first and is enumerated when they are inconclusive.
    const int n = int(terms.size());
    if (n <= kFinalFormFirst) return prove_final_exhaustively(spec, ands, groups, levels, p, "");
    ColumnProof cp = prove_linear_form_words(ntk_, out, spec, o_.query, name_);
    if (cp.verdict != Verdict::proved && n <= o_.final_form_wires)
      return prove_final_exhaustively(spec, ands, groups, levels, p, fmt::format(" (word lemmas: {})", cp.detail));
    p.queries += int(cp.bits.size());
    double worst = 0;
        int words = 0;
    for (const BitLemma& b : cp.bits) worst = std::max(worst, b.seconds), words = std::max(words, b.words);
    if (cp.verdict != Verdict::proved) {
      // Too many wires to enumerate: sample them, to tell weak word facts from a form that is right
      // only on the values the groups below can hand on.
      std::vector<uint32_t> gates;
      for (uint32_t g = 0; g < ntk_.num_gates(); ++g)
        if (remaining_[ntk_.gate_node(g)]) gates.push_back(ntk_.gate_node(g));
      const FinalFormCheck fs = final_form_sampled(ntk_, out, gates, spec, 1024, o_.seed);
      const std::string sampled =
          fs.counterexample.empty()
              ? fmt::format("; {} random term-wire assignments agree with the spec", fs.assignments)
              : "; a random term-wire assignment differs from the spec: the form is right only on what the groups "
                "hand on, whose ranges it would need as premises";
      fail(fmt::format("{} partial products, {} group sums in {} levels; final form over {} term wires: {}{}", ands,
                       groups, levels, terms.size(), cp.detail, sampled));
    }
    p.verdict = Verdict::proved;
    p.detail = fmt::format("{} partial products, {} group sums (exhaustive) in {} levels, final form over {} term "
                           "wires: {} word lemmas (at most {} words, slowest {:.2f} s)",
                           ands, groups, levels, terms.size(), cp.bits.size(), words, worst);
  }

  static constexpr int kFinalFormFirst = 20;

  // The final form by enumeration of its term wires (final_form_exhaustive.hpp).
  void prove_final_exhaustively(const LinearFormSpec& spec, int ands, int groups, int levels, OpProof& p,
                                const std::string& after) {
    std::vector<uint32_t> gates;
    for (uint32_t g = 0; g < ntk_.num_gates(); ++g)
      if (remaining_[ntk_.gate_node(g)]) gates.push_back(ntk_.gate_node(g));
    const FinalFormCheck fc = final_form_exhaustive(ntk_, ntk_.output_buses().at(0), gates, spec);
    if (!fc.proved)
      fail(fmt::format("{} partial products, {} group sums in {} levels; final form over {} term wires, enumerated: {}{}",
                       ands, groups, levels, spec.terms.size(), fc.why, after));
    p.verdict = Verdict::proved;
    p.detail = fmt::format("{} partial products, {} group sums (exhaustive) in {} levels, final form over {} term "
                           "wires: exhaustive ({} assignments){}",
                           ands, groups, levels, spec.terms.size(), fc.assignments, after);
  }

  // Gates with exactly two fan-ins, both primary inputs: candidates for partial products.
  void index_pairs() {
    pairs_.clear();
    for (uint32_t g = 0; g < ntk_.num_gates(); ++g) {
      const circuits::GateView gv = ntk_.gate(g);
      if (gv.size() != 2 || !ntk_.is_input(gv.fanins[0].index()) || !ntk_.is_input(gv.fanins[1].index())) continue;
      uint32_t a = gv.fanins[0].index(), b = gv.fanins[1].index();
      if (a > b) std::swap(a, b);
      pairs_[uint64_t(a) << 32 | b].push_back(g);
    }
  }

  // The signal equal to lit_a AND lit_b, checked on all four cases; throws when there is none.
  Signal partial_product(const TermKey& key) {
    const uint32_t na = ntk_.inputs()[size_t(key.a)], nb = ntk_.inputs()[size_t(key.b)];
    auto it = pairs_.find(uint64_t(std::min(na, nb)) << 32 | std::max(na, nb));
    if (it != pairs_.end())
      for (uint32_t g : it->second) {
        const circuits::GateView gv = ntk_.gate(g);
        int match = 0, anti = 0;
        for (int va = 0; va < 2; ++va)
          for (int vb = 0; vb < 2; ++vb) {
            Weight sum = 0;
            for (size_t i = 0; i < 2; ++i) {
              const bool v = (gv.fanins[i].index() == na ? va : vb) != gv.fanins[i].complemented();
              if (v) sum += gv.weight(i);
            }
            const bool gate = sum >= gv.theta;
            const bool want = (bool(va) != key.ca) && (bool(vb) != key.cb);
            match += gate == want;
            anti += gate != want;
          }
        if (match == 4) return Signal::make(ntk_.gate_node(g), false);
        if (anti == 4) return Signal::make(ntk_.gate_node(g), true);
      }
    fail(fmt::format("no gate computes the partial product {}w{} & {}w{}", key.ca ? "!" : "", key.a, key.cb ? "!" : "",
                     key.b));
  }

  static constexpr uint32_t kInvalid = 1u << 30;

  // Depth of every remaining gate above the term wires; a gate reading anything else is unexplained.
  std::vector<uint32_t> depths(const Terms& terms) const {
    std::vector<uint32_t> d(ntk_.num_nodes(), kInvalid);
    for (auto& [n, wt] : terms) d[n] = 0;
    for (uint32_t g = 0; g < ntk_.num_gates(); ++g) {
      const uint32_t node = ntk_.gate_node(g);
      if (!remaining_[node]) continue;
      uint32_t m = 0;
      for (Signal f : ntk_.gate(g).fanins) {
        const uint32_t df = terms.count(f.index()) ? 0 : remaining_[f.index()] ? d[f.index()] : kInvalid;
        if (df >= kInvalid)
          fail(fmt::format("gate {} reads node {}, which is neither a term wire of its layer nor a gate above them",
                           node, f.index()));
        m = std::max(m, df);
      }
      d[node] = m + 1;
    }
    return d;
  }

  // One level of group sums: finds the groups (wires joined by depth-1 gates), proves each group's
  // gates exhaustively, and replaces its wires by the bits it hands on. Returns the groups proved.
  int group_level(Terms& terms, BigInt& K, const std::vector<uint32_t>& depth) {
    // Nodes that the layer below handed on as several bits (split_): the next layer may read each
    // bit in another group, so they join no group here and lend each group that reads them a part.
    std::map<uint32_t, Split> split;
    for (auto& [n, sp] : split_)
      if (auto it = terms.find(n); it != terms.end() && it->second.comp == sp.comp && it->second.w == sp.total())
        split.emplace(n, sp);
    split_.clear();
    // union-find over the term wires, joined by the depth-1 gates
    std::unordered_map<uint32_t, uint32_t> parent, size;
    for (auto& [n, wt] : terms) parent[n] = n, size[n] = 1;
    std::unordered_set<uint32_t> joined;  // wires read by a depth-1 gate, or attached below
    auto find = [&](uint32_t x) {
      while (parent[x] != x) x = parent[x] = parent[parent[x]];
      return x;
    };
    auto join = [&](uint32_t a, uint32_t b) {
      a = find(a), b = find(b);
      if (a != b) parent[b] = a, size[a] += size[b];
    };
    // A depth-1 gate that would join groups into more wires than a group may have is the layer
    // above reading wires that two groups hand on as they are (a group's bit 0 is often its one
    // odd-weight wire): it joins nothing, and it belongs to no group.
    std::unordered_set<uint32_t> bridges;
    std::vector<uint32_t> roots;
    for (uint32_t g = 0; g < ntk_.num_gates(); ++g) {
      const uint32_t node = ntk_.gate_node(g);
      if (!remaining_[node] || depth[node] != 1) continue;
      const auto all = ntk_.gate(g).fanins;
      std::vector<uint32_t> fanins;
      for (Signal f : all)
        if (!split.count(f.index())) fanins.push_back(f.index());
      roots.clear();
      uint32_t wires = 0;
      for (uint32_t f : fanins)
        if (const uint32_t r = find(f); std::find(roots.begin(), roots.end(), r) == roots.end())
          roots.push_back(r), wires += size[r];
      if (roots.size() > 1 && int(wires) > o_.group_wires) {
        bridges.insert(node);
        continue;
      }
      for (size_t i = 1; i < fanins.size(); ++i) join(fanins[0], fanins[i]);
      for (uint32_t f : fanins) joined.insert(f);
    }
    // A group's output gate of bit k reads the terms whose residue changes at level k directly; a
    // term with no residue below k (the group's largest weight) is read by no depth-1 gate. Such a
    // gate reads depth-1 gates of one group only: its direct terms that no depth-1 gate reads join
    // that group (the others, a wire of another group handed on as its own bit 0 for one, stay).
    for (uint32_t g = 0; g < ntk_.num_gates(); ++g) {
      const uint32_t node = ntk_.gate_node(g);
      if (!remaining_[node] || depth[node] != 2) continue;
      const auto fanins = ntk_.gate(g).fanins;
      uint32_t root = UINT32_MAX;
      bool one = true;
      for (Signal f : fanins)
        if (!terms.count(f.index())) {
          const uint32_t r = bridges.count(f.index()) ? UINT32_MAX - 1 : group_hint(f.index(), split, find);
          if (root != UINT32_MAX && r != root) one = false;
          root = r;
        }
      if (!one || root >= UINT32_MAX - 1) continue;
      for (Signal f : fanins)
        if (terms.count(f.index()) && !split.count(f.index()) && joined.insert(f.index()).second)
          join(root, f.index());
    }
    // A gate at most two above the wires whose fan-ins all lie in one group belongs to it (a group sum
    // has depth 2); every other remaining gate is above the groups.
    constexpr uint32_t kAbove = UINT32_MAX;
    std::unordered_map<uint32_t, uint32_t> group_of;     // remaining gate -> group root, or kAbove
    std::map<uint32_t, std::vector<uint32_t>> gates_of;  // root -> gate nodes (topological)
    for (uint32_t g = 0; g < ntk_.num_gates(); ++g) {
      const uint32_t node = ntk_.gate_node(g);
      if (!remaining_[node]) continue;
      uint32_t grp = UINT32_MAX - 1;
      for (Signal f : ntk_.gate(g).fanins) {
        if (split.count(f.index())) continue;  // lends to whichever group reads it
        const uint32_t gf = terms.count(f.index()) ? find(f.index()) : group_of.at(f.index());
        if (grp == UINT32_MAX - 1) grp = gf;
        else if (grp != gf) grp = kAbove;
      }
      if (depth[node] > 2 || grp == UINT32_MAX - 1) grp = kAbove;
      group_of[node] = grp;
      if (grp != kAbove) gates_of[grp].push_back(node);
    }
    if (gates_of.empty()) fail("a level of group sums without groups");
    // who reads what among the remaining gates (and the operation's outputs)
    std::unordered_map<uint32_t, std::vector<uint32_t>> readers;
    for (uint32_t g = 0; g < ntk_.num_gates(); ++g) {
      const uint32_t node = ntk_.gate_node(g);
      if (remaining_[node])
        for (Signal f : ntk_.gate(g).fanins) readers[f.index()].push_back(node);
    }
    for (Signal s : ntk_.output_buses().at(0).bits)
      if (s.index() != 0) readers[s.index()].push_back(0);  // 0: the operation's output
    Terms next;
    for (auto& [n, lit] : terms)
      if (!split.count(n) && !gates_of.count(find(n))) add_term(next, K, n, lit.comp, lit.w);  // in no group: passes on
    std::map<uint32_t, Terms> own_of;  // each group's wires with their weights (a split node's part chosen below)
    for (auto& [n, lit] : terms)
      if (!split.count(n) && gates_of.count(find(n))) own_of[find(n)].emplace(n, lit);
    if (first_level_)
      for (auto& [root, own] : own_of)
        if (std::all_of(own.begin(), own.end(), [&](const auto& t) { return ntk_.is_input(t.first); })) {
          suspects_.emplace_back();
          for (auto& [n, lit] : own) suspects_.back().push_back(n);
        }
    int proved = 0;
    for (auto& [root, gates] : gates_of) {
      const Terms& own = own_of[root];
      std::vector<uint32_t> lent;  // split nodes this group reads
      for (uint32_t g : gates)
        for (Signal f : ntk_.gate(ntk_.gate_index(g)).fanins)
          if (split.count(f.index()) && std::find(lent.begin(), lent.end(), f.index()) == lent.end())
            lent.push_back(f.index());
      std::vector<uint32_t> kept;
      try {
        kept = prove_group_lending(own, lent, split, gates, readers, next, K);
      } catch (const Failure&) {
        // the failing group is searched first (run())
        for (size_t i = 0; i < suspects_.size(); ++i)
          if (suspects_[i].size() == own.size() && own.count(suspects_[i][0])) {
            std::rotate(suspects_.begin(), suspects_.begin() + std::ptrdiff_t(i), suspects_.begin() + std::ptrdiff_t(i) + 1);
            failed_group_ = true;
          }
        throw;
      }
      for (uint32_t g : kept) remaining_[g] = 0;
      ++proved;
    }
    for (auto& [n, sp] : split)  // the bits no group took pass on
      for (const BigInt& v : sp.bits) add_term(next, K, n, sp.comp, v);
    std::erase_if(next, [](const auto& t) { return t.second.w == 0; });
    terms = std::move(next);
    return proved;
  }

  // The group of the wires that the depth-1 gate `node` reads (its first fan-in that is not split).
  template <class Find>
  uint32_t group_hint(uint32_t node, const std::map<uint32_t, Split>& split, Find& find) const {
    for (Signal f : ntk_.gate(ntk_.gate_index(node)).fanins)
      if (!split.count(f.index())) return find(f.index());
    return UINT32_MAX - 1;
  }

  // prove_group with each split node the group reads lending it a part of its bits: the parts are
  // tried smallest first (one bit, then two, ...; a group's gates read a part that is too small as
  // wrong weights, while a part too large can pass with its surplus handed on as the wire itself,
  // leaving the next group short) until the group proves; the bits taken leave the split node.
  // Sound for any choice: a part is a sum of bits the node carries, and what no group takes passes on.
  std::vector<uint32_t> prove_group_lending(Terms own, const std::vector<uint32_t>& lent,
                                            std::map<uint32_t, Split>& split, const std::vector<uint32_t>& gates,
                                            const std::unordered_map<uint32_t, std::vector<uint32_t>>& readers,
                                            Terms& next, BigInt& K) {
    std::vector<std::pair<uint32_t, size_t>> bits;  // (node, index into its bits)
    for (uint32_t n : lent)
      for (size_t i = 0; i < split.at(n).bits.size(); ++i) bits.push_back({n, i});
    if (bits.size() > 8) fail(fmt::format("a group reads {} bits of nodes that carry several, more than 8", bits.size()));
    std::vector<uint64_t> masks;
    for (uint64_t m = 0; m < (uint64_t(1) << bits.size()); ++m) masks.push_back(m);
    std::stable_sort(masks.begin(), masks.end(),
                     [](uint64_t a, uint64_t b) { return std::popcount(a) < std::popcount(b); });
    std::optional<Failure> first;
    uint64_t first_mask = 0;
    for (uint64_t mask : masks) {
      Terms t = own;
      for (size_t j = 0; j < bits.size(); ++j)
        if (mask >> j & 1) {
          const Split& sp = split.at(bits[j].first);
          auto [it, fresh] = t.try_emplace(bits[j].first, Lit{0, sp.comp});
          it->second.w += sp.bits[bits[j].second];
        }
      std::vector<uint32_t> wires;
      for (auto& [n, lit] : t) wires.push_back(n);
      Terms next_try = next;
      BigInt K_try = K;
      try {
        std::vector<uint32_t> kept = prove_group(wires, t, gates, readers, next_try, K_try, lent);
        next = std::move(next_try), K = K_try;
        for (size_t j = bits.size(); j-- > 0;)  // erase from the back: indices stay valid
          if (mask >> j & 1) {
            auto& v = split.at(bits[j].first).bits;
            v.erase(v.begin() + std::ptrdiff_t(bits[j].second));
          }
        return kept;
      } catch (const Failure& f) {
        if (!first || first_mask == 0) first = f, first_mask = mask;  // the first part's failure says most
      }
    }
    throw *first;
  }

  // Exhaustive proof of one group: its gates over its term wires; every wire it hands on (a gate or
  // term wire read outside the group) is a bit, or the complement of a bit, of the exact sum
  // S = sum a_t x_t scaled down by its common power of two, and every bit of S that varies has one.
  // A handed-on gate that is no bit is not the group's (a gate of the next layer that happens to read
  // this group only): it leaves the group with the gates above it. Adds the bits to `next` with
  // their weights and returns the gates that stayed (proved).
  std::vector<uint32_t> prove_group(const std::vector<uint32_t>& wires, const Terms& terms,
                                    std::vector<uint32_t> gates,
                                    const std::unordered_map<uint32_t, std::vector<uint32_t>>& readers, Terms& next,
                                    BigInt& K,
                                    const std::vector<uint32_t>& lent) {
    if (int(wires.size()) > o_.group_wires)
      fail(fmt::format("a group of {} term wires, more than the {} simulated exhaustively", wires.size(),
                       o_.group_wires));
    // the group as a small network over its wires; the table of every node
    std::unordered_map<uint32_t, Signal> local;
    std::string why;
    const std::optional<Network> sub = copy_gates(ntk_, wires, gates, local, why);
    if (!sub) fail(fmt::format("group over {} wires: {}", wires.size(), why));
    std::vector<uint32_t> nodes(wires);
    nodes.insert(nodes.end(), gates.begin(), gates.end());
    std::vector<Signal> probes;
    for (uint32_t n : nodes) probes.push_back(local.at(n));
    const auto tables = truth_tables(*sub, probes);
    std::unordered_map<uint32_t, const std::vector<uint64_t>*> table_of;
    for (size_t i = 0; i < nodes.size(); ++i) table_of[nodes[i]] = &tables[i];
    // the exact sum, scaled down by the common power of two e
    std::vector<Weight> a;
    int e = INT32_MAX;
    BigInt mag = 0;
    for (uint32_t n : wires) {
      const BigInt& v = terms.at(n).w;
      mag += boost::multiprecision::abs(v);
      e = std::min(e, int(boost::multiprecision::lsb(boost::multiprecision::abs(v))));
    }
    if (mag >= BigInt(1) << 120) fail("a group sum past 2^120");
    for (uint32_t n : wires) a.push_back(numerics::to_int128(terms.at(n).w >> e));
    Weight lo = 0, hi = 0;
    for (Weight x : a) (x < 0 ? lo : hi) += x;
    // S = sum a_t lit_t; assignment 0 has every complemented literal at 1
    Weight S = 0;
    for (size_t t = 0; t < wires.size(); ++t)
      if (terms.at(wires[t]).comp) S += a[t];
    int W = 1;
    while (!(-(Weight(1) << (W - 1)) <= lo && hi < (Weight(1) << (W - 1)))) ++W;
    const uint64_t total = uint64_t(1) << wires.size();
    const uint64_t words = std::max<uint64_t>(1, total / 64);
    std::vector<std::vector<uint64_t>> bit(size_t(W), std::vector<uint64_t>(words, 0));
    for (int b = 0; b < W; ++b)
      if ((S >> b) & 1) bit[size_t(b)][0] |= 1;
    for (uint64_t s = 1; s < total; ++s) {  // Gray-code walk: one wire changes per step
      const uint64_t g = s ^ (s >> 1), gp = (s - 1) ^ ((s - 1) >> 1);
      const int j = std::countr_zero(g ^ gp);
      const bool lit_up = (((g >> j) & 1) != 0) != terms.at(wires[size_t(j)]).comp;
      S += lit_up ? a[size_t(j)] : -a[size_t(j)];
      for (int b = 0; b < W; ++b)
        if ((S >> b) & 1) bit[size_t(b)][g >> 6] |= uint64_t(1) << (g & 63);
    }
    const uint64_t mask_last = total < 64 ? (uint64_t(1) << total) - 1 : ~uint64_t(0);
    auto same = [&](const std::vector<uint64_t>& x, const std::vector<uint64_t>& y, bool flip) {
      for (size_t i = 0; i < x.size(); ++i) {
        const uint64_t m = i + 1 == x.size() ? mask_last : ~uint64_t(0);
        if (((x[i] ^ (flip ? ~uint64_t(0) : 0)) & m) != (y[i] & m)) return false;
      }
      return true;
    };
    // which bit (and polarity) a node carries, or -1
    // every bit (and polarity) a node carries: distinct bits of a sum can be the same function (a
    // weight -391 x + ... has bits 0 and 3 both equal to x), and the gadget may hand on each
    auto bits_of = [&](uint32_t n) {
      std::vector<std::pair<int, bool>> m;
      for (int b = 0; b < W; ++b) {
        if (same(*table_of.at(n), bit[size_t(b)], false)) m.push_back({b, false});
        else if (same(*table_of.at(n), bit[size_t(b)], true)) m.push_back({b, true});
      }
      return m;
    };
    std::unordered_map<uint32_t, char> in_group;
    for (uint32_t n : gates) in_group[n] = 1;
    std::vector<int> wire_of_bit;
    std::vector<char> bit_flipped;
    std::vector<uint32_t> outs;
    std::vector<std::vector<std::pair<int, bool>>> carries;  // per handed-on node: the bits it carries
    while (true) {
      // what the layer above reads from the group
      outs.clear();
      for (uint32_t n : nodes) {
        if (!in_group.count(n) && !terms.count(n)) continue;
        if (in_group.count(n) && !in_group[n]) continue;
        auto it = readers.find(n);
        if (it == readers.end()) continue;
        for (uint32_t r : it->second)
          if (r == 0 || !in_group.count(r) || !in_group[r]) {
            outs.push_back(n);
            break;
          }
      }
      wire_of_bit.assign(size_t(W), -1);
      bit_flipped.assign(size_t(W), 0);
      std::optional<uint32_t> stray;
      carries.assign(outs.size(), {});
      for (size_t o = 0; o < outs.size() && !stray; ++o) {
        carries[o] = bits_of(outs[o]);
        if (!carries[o].empty()) continue;
        // a split node lent to this group is read by the others it lends to: no bit of this sum
        if (std::find(lent.begin(), lent.end(), outs[o]) != lent.end()) continue;
        if (terms.count(outs[o]))
          fail(fmt::format("group over {} wires: its term wire {} is read above it but is no bit of its sum",
                           wires.size(), outs[o]));
        stray = outs[o];
      }
      // Where bits coincide, a wire handed on as it is takes the lowest free bit it carries (the
      // gadget hands on a bit that is one wire as that wire); then gates take theirs in node order,
      // the lowest free bit they carry. With kPositiveFirst a node takes a bit it carries as it is
      // before one it carries complemented (bits 3 and 4 of a sum that are equal may be handed on
      // as a gate g and as !h, h a carry gate equal to !g: g is bit 3). A gate left without a free
      // bit is one of the next layer that happens to equal a bit (a carry detector over this
      // group's low bits): it leaves the group like any other stray. Any choice among equal
      // functions is a true decomposition of the sum; a wrong guess of the gadget's intent only
      // leaves a later layer unproved, and run() tries the other strategies.
      const bool positive_first = strategy_ & kPositiveFirst, reader_first = strategy_ & kReaderFirst;
      std::vector<char> assigned(outs.size(), 0);
      auto take = [&](size_t o, bool flipped_too) {
        for (auto& [b, flip] : carries[o])
          if (wire_of_bit[size_t(b)] < 0 && (flipped_too || !flip)) {
            wire_of_bit[size_t(b)] = int(o), bit_flipped[size_t(b)] = flip, assigned[o] = 1;
            return;
          }
      };
      for (size_t o = 0; o < outs.size() && !stray; ++o)
        if (terms.count(outs[o]) && !carries[o].empty()) {
          take(o, !positive_first);
          if (!assigned[o]) take(o, true);
          if (!assigned[o]) {
            const int b = carries[o].front().first;
            fail(fmt::format("group over {} wires: its term wires {} and {} both carry bit {} of its sum",
                             wires.size(), outs[size_t(wire_of_bit[size_t(b)])], outs[o], b));
          }
        }
      // Gates in node order, except (kReaderFirst) that a gate reading another that carries the same
      // two or more bits goes first: that is the bit gate of a column reading the column's carry gate, which
      // hashing made the gate of a higher bit (bits 3 and 4 equal, bit 3 = g(carry), bit 4 = carry).
      std::vector<size_t> order;
      auto bits_set = [&](size_t o) {
        std::vector<int> b;
        for (auto& c : carries[o]) b.push_back(c.first);
        return b;
      };
      for (size_t o = 0; o < outs.size(); ++o) {
        if (terms.count(outs[o])) continue;
        auto at = order.end();
        if (reader_first && carries[o].size() >= 2)
          for (Signal f : ntk_.gate(ntk_.gate_index(outs[o])).fanins)
            for (auto it = order.begin(); it != order.end(); ++it)
              if (outs[*it] == f.index() && bits_set(*it) == bits_set(o)) at = std::min(at, it);
        order.insert(at, o);
      }
      for (int pass = positive_first ? 0 : 1; pass < 2 && !stray; ++pass)
        for (size_t o : order)
          if (!assigned[o]) take(o, pass == 1);
      for (size_t o = 0; o < outs.size() && !stray; ++o)
        if (!assigned[o] && !terms.count(outs[o])) stray = outs[o];
      if (!stray) break;
      // the stray gate and every group gate above it leave the group
      std::vector<uint32_t> stack{*stray};
      in_group[*stray] = 0;
      while (!stack.empty()) {
        const uint32_t n = stack.back();
        stack.pop_back();
        auto it = readers.find(n);
        if (it == readers.end()) continue;
        for (uint32_t r : it->second)
          if (r != 0 && in_group.count(r) && in_group[r]) in_group[r] = 0, stack.push_back(r);
      }
    }
    // Bits that are one function and were built once (structural hashing merged their gates) are
    // handed on by one node: it takes each of them, its weight the sum of theirs.
    for (int b = 0; b < W; ++b)
      for (size_t o = 0; o < outs.size() && wire_of_bit[size_t(b)] < 0; ++o)
        for (auto& [cb, flip] : carries[o])
          if (cb == b) wire_of_bit[size_t(b)] = int(o), bit_flipped[size_t(b)] = flip;
    const std::vector<uint64_t> zeros(words, 0);
    std::map<uint32_t, std::vector<std::pair<BigInt, bool>>> carried;  // node -> (weight, flipped) per bit
    for (int b = 0; b < W; ++b) {
      const BigInt v = (b + 1 == W ? BigInt(-(BigInt(1) << b)) : BigInt(BigInt(1) << b)) << e;
      if (wire_of_bit[size_t(b)] >= 0) {
        const uint32_t n = outs[size_t(wire_of_bit[size_t(b)])];
        add_term(next, K, n, bit_flipped[size_t(b)], v);  // the literal that carries the bit
        carried[n].push_back({v, bool(bit_flipped[size_t(b)])});
      } else if (same(bit[size_t(b)], zeros, true)) {
        K += v;  // the bit is always 1
      } else if (!same(bit[size_t(b)], zeros, false)) {
        fail(fmt::format("group over {} wires: bit {} of its exact sum varies but no wire hands it on", wires.size(), b));
      }
    }
    std::vector<uint32_t> kept;
    for (uint32_t n : gates)
      if (in_group[n]) kept.push_back(n);
    if (kept.empty()) fail(fmt::format("group over {} wires: none of its gates carries a bit of its sum", wires.size()));
    for (auto& [n, cs] : carried) {
      if (cs.size() < 2 || !std::all_of(cs.begin(), cs.end(), [&](const auto& c) { return c.second == cs[0].second; }))
        continue;
      Split sp{{}, cs[0].second};
      for (auto& [v, flip] : cs) sp.bits.push_back(v);
      split_[n] = std::move(sp);
    }
    return kept;
  }


  const Network& ntk_;
  const OpProofOptions& o_;
  std::string name_;
  std::unordered_map<uint64_t, std::vector<uint32_t>> pairs_;
  std::vector<char> remaining_;
  std::map<uint32_t, Split> split_;  // handed on as several bits by the layer just proved
  bool first_level_ = false;
  static constexpr int kPositiveFirst = 1, kReaderFirst = 2;
  int strategy_ = kPositiveFirst | kReaderFirst;
  // the first-level groups over operand wires, the failing one first (failed_group_): where run()
  // looks for a counterexample when the proof fails
  std::vector<std::vector<uint32_t>> suspects_;
  bool failed_group_ = false;
};

}  // namespace

std::optional<OpCounterexample> linear_form_miter(const Network& local, const OpSpec& op, const OpWiring& w,
                                                  const QueryOptions& q, const std::string& name) {
  const RationalForm rf = exact_form(op, w);
  BigInt L = boost::multiprecision::denominator(rf.constant);
  for (auto& [k, c] : rf.coef) {
    const BigInt& d = boost::multiprecision::denominator(c);
    L = L / boost::multiprecision::gcd(L, d) * d;
  }
  if (!(L > 0 && boost::multiprecision::lsb(L) == boost::multiprecision::msb(L))) return std::nullopt;
  auto scaled = [&](const Rational& r) {
    return BigInt(boost::multiprecision::numerator(r) * (L / boost::multiprecision::denominator(r)));
  };
  BigInt bound = boost::multiprecision::abs(scaled(rf.constant));
  for (auto& [k, c] : rf.coef) bound += boost::multiprecision::abs(scaled(c));
  const unsigned W = bit_length(bound) + 2;
  z3::context ctx;
  const CircuitEncoding enc(ctx, local);
  std::vector<z3::expr> x;
  for (const z3::expr& in : enc.inputs()) x.push_back(in == ctx.bv_val(1, 1));
  z3::expr S = bv_num(ctx, scaled(rf.constant), W);
  for (auto& [key, c] : rf.coef) {
    if (c == 0) continue;
    z3::expr lit = key.ca ? !x[size_t(key.a)] : x[size_t(key.a)];
    if (key.b >= 0) lit = lit && (key.cb ? !x[size_t(key.b)] : x[size_t(key.b)]);
    S = S + z3::ite(lit, bv_num(ctx, scaled(c), W), bv_num(ctx, 0, W));
  }
  const z3::expr spec = round_to_format(ExactBV{S, int(boost::multiprecision::msb(L))}, op.out);
  const SolverOutcome so = check(ctx, {enc.output("y") != spec}, q, name + ".miter");
  if (so.status != z3::sat) return std::nullopt;
  std::vector<uint8_t> wires(x.size());
  for (size_t j = 0; j < x.size(); ++j) wires[j] = so.model->eval(x[j], true).is_true();
  return check_assignment(local, op, w, wires);
}

OpProof prove_linear_form(const Network& local, const OpSpec& op, const OpWiring& w, const OpProofOptions& o,
                          const std::string& name) {
  const auto t0 = Clock::now();
  OpProof p = LayeredProof(local, o, name).run(op, w);
  p.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return p;
}

}  // namespace tc0::proofs
