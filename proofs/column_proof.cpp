#include "proofs/column_proof.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <map>
#include <optional>
#include <stdexcept>
#include <unordered_map>

#include "circuits/gadgets/linear_form_plan.hpp"
#include "proofs/circuit_encoding.hpp"
#include "proofs/fixed_spec.hpp"

namespace tc0::proofs {

using circuits::Network;
using circuits::Signal;

namespace {

using Vec = std::vector<BigInt>;
constexpr size_t kMaxLinkTerms = 64;  // a link with more free bits than this is left out

int nu2(const BigInt& v) {
  if (v == 0) return INT_MAX;
  BigInt a = v < 0 ? BigInt(-v) : v;
  return int(boost::multiprecision::lsb(a));
}

// The largest e with u == w (mod 2^e) entrywise (INT_MAX when u == w).
int congruence_exponent(const Vec& u, const Vec& w) {
  int e = INT_MAX;
  for (size_t t = 0; t < u.size(); ++t) e = std::min(e, nu2(u[t] - w[t]));
  return e;
}

size_t support(const Vec& a, const Vec& b) {
  size_t n = 0;
  for (size_t t = 0; t < a.size(); ++t) n += a[t] != b[t];
  return n;
}

BigInt abs_sum(const Vec& u) {
  BigInt s = 0;
  for (const BigInt& x : u) s += x < 0 ? BigInt(-x) : x;
  return s;
}

// A depth-1 gate over term wires as [v.x >= theta] on the raw (uncomplemented) term values.
struct RawGate {
  Vec v;
  BigInt theta;
};

struct Word {
  Vec u;
  bool anchor = false;  // S or a recipe level: a link target
  int anchor_level = INT_MIN;
};

class BitProver {
 public:
  BitProver(const Network& ntk, const LinearFormSpec& spec, const std::unordered_map<uint32_t, size_t>& term_of)
      : ntk_(ntk), spec_(spec), term_of_(term_of) {
    for (const SpecTerm& t : spec.terms) w_.push_back(t.weight);
  }

  // match_anchors: cut gates that are an anchor's comparison (up to scale and clamping) use the
  // anchor's word; otherwise every distinct gate vector gets its own linked word, which keeps more
  // terms as free bits (a tighter but larger lemma).
  BitLemma prove(Signal out, int j, bool match_anchors, const QueryOptions& opt, const std::string& name) {
    BitLemma bl;
    bl.bit = j;
    const size_t T = w_.size();
    // ---- what feeds the output bit ----
    std::vector<uint32_t> cut_nodes;  // depth-1 gates, replaced by word comparisons
    std::vector<size_t> direct_terms;
    bool out_is_cut = false;
    uint32_t node = out.index();
    if (ntk_.is_gate(node) && !term_of_.count(node)) {
      if (is_depth1(node)) {
        cut_nodes.push_back(node);
        out_is_cut = true;
      } else {
        circuits::GateView gv = ntk_.gate(ntk_.gate_index(node));
        for (size_t i = 0; i < gv.size(); ++i) {
          uint32_t f = gv.fanins[i].index();
          if (term_of_.count(f)) {
            direct_terms.push_back(term_of_.at(f));
          } else if (ntk_.is_gate(f) && is_depth1(f)) {
            cut_nodes.push_back(f);
          } else {
            bl.detail = fmt::format("bit {}: fan-in node {} is neither a term wire nor a gate over term wires", j, f);
            return bl;
          }
        }
      }
    } else if (!term_of_.count(node) && !ntk_.is_constant(node)) {
      bl.detail = fmt::format("bit {}: output node {} is an input that is not a term wire", j, node);
      return bl;
    }

    // ---- words: S, the recipe levels k-1 and k, one per distinct (scaled) gate vector ----
    int k = j + spec_.frac - spec_.out.frac();
    std::vector<Word> words;
    std::map<Vec, size_t> word_of;
    auto add_word = [&](const Vec& u, bool anchor, int level) {
      auto it = word_of.find(u);
      if (it != word_of.end()) {
        if (anchor) words[it->second].anchor = true, words[it->second].anchor_level = level;
        return it->second;
      }
      words.push_back({u, anchor, level});
      return word_of[u] = words.size() - 1;
    };
    add_word(w_, true, INT_MAX);
    size_t level_word[2] = {SIZE_MAX, SIZE_MAX};
    for (int lv : {k - 1, k}) {
      if (lv < 0) continue;
      Vec r(T);
      for (size_t t = 0; t < T; ++t) {
        BigInt a = w_[t] < 0 ? BigInt(-w_[t]) : w_[t];
        // the anchors are the recipe's own levels (circuits/gadgets/linear_form_plan.hpp): the residue
        // of |w| at level lv, on the term's complemented wire when w < 0
        const BigInt r_abs = circuits::gadgets::balanced_residue(a, lv);
        r[t] = w_[t] < 0 ? BigInt(-r_abs) : r_abs;
      }
      level_word[lv - (k - 1)] = add_word(r, true, lv);
    }
    struct Cut {
      uint32_t node;
      size_t word;
      int lambda;
      BigInt theta;
    };
    std::vector<Cut> cuts;
    const size_t n_anchors = words.size();
    for (uint32_t cn : cut_nodes) {
      // First: the gate IS an anchor's comparison, up to the scale lambda and to clamped weights.
      if (auto m = match_anchors ? match_anchor(cn, words, n_anchors) : std::nullopt) {
        cuts.push_back({cn, m->word, m->lambda, m->theta});
        continue;
      }
      RawGate g = raw_gate(cn);
      int best_lambda = 1, best_e = -1;
      for (int m = 1; m <= 16 && best_e != INT_MAX; ++m)
        for (int lambda : {m, -m}) {
          Vec u(T);
          for (size_t t = 0; t < T; ++t) u[t] = g.v[t] * lambda;
          int e = congruence_exponent(u, w_);
          if (e > best_e) best_e = e, best_lambda = lambda;
        }
      Vec u(T);
      for (size_t t = 0; t < T; ++t) u[t] = g.v[t] * best_lambda;
      cuts.push_back({cn, add_word(u, false, INT_MIN), best_lambda, g.theta * best_lambda});
    }

    // ---- widths ----
    BigInt mag = abs_sum(w_) + (spec_.constant < 0 ? BigInt(-spec_.constant) : spec_.constant);
    for (const Word& wd : words) mag = std::max(mag, 2 * abs_sum(wd.u));
    for (const Cut& c : cuts) mag = std::max(mag, c.theta < 0 ? BigInt(-c.theta) : c.theta);
    const unsigned W = bit_length(mag) + 4;

    // ---- the query ----
    z3::context ctx;
    std::vector<z3::expr> as;
    std::map<size_t, z3::expr> xbits;
    auto xbit = [&](size_t t) {
      auto it = xbits.find(t);
      if (it != xbits.end()) return it->second;
      return xbits.emplace(t, ctx.bool_const(fmt::format("x{}", t).c_str())).first->second;
    };
    auto num = [&](const BigInt& v) { return bv_num(ctx, v, W); };
    auto lin = [&](const Vec& c, const std::vector<size_t>& ts) {
      z3::expr s = num(0);
      for (size_t t : ts)
        if (c[t] != 0) s = s + z3::ite(xbit(t), num(c[t]), num(0));
      return s;
    };
    BigInt smin = spec_.constant, smax = spec_.constant;
    for (const BigInt& x : w_) (x < 0 ? smin : smax) += x;
    z3::expr S = ctx.bv_const("S", W);
    as.push_back(z3::sge(S, num(smin)) && z3::sle(S, num(smax)));
    z3::expr D = S - num(spec_.constant);

    std::vector<z3::expr> y;
    for (size_t i = 0; i < words.size(); ++i) {
      const Word& wd = words[i];
      int e = congruence_exponent(wd.u, w_);
      if (e == INT_MAX) {
        y.push_back(D);
        continue;
      }
      z3::expr yi = ctx.bv_const(fmt::format("Y{}", i).c_str(), W);
      if (e >= 1) {
        unsigned eb = unsigned(std::min<int>(e, int(W)));
        as.push_back((yi - D).extract(eb - 1, 0) == ctx.bv_val(0, eb));
      }
      y.push_back(yi);
    }
    // Links: level k to level k-1 (the column k terms), every gate word to the anchor it differs
    // from in the fewest terms (a clamped weight, a column). Levels are tied to S only by congruence
    // and range: a link between them would free every higher column.
    auto link = [&](size_t i, size_t a) {
      Vec diff(T);
      std::vector<size_t> ts;
      for (size_t t = 0; t < T; ++t) {
        diff[t] = words[i].u[t] - words[a].u[t];
        if (diff[t] != 0) ts.push_back(t);
      }
      if (!ts.empty()) as.push_back(y[i] == y[a] + lin(diff, ts));
    };
    if (level_word[0] != SIZE_MAX && level_word[1] != SIZE_MAX && level_word[0] != level_word[1])
      link(level_word[1], level_word[0]);
    for (size_t i = 0; i < words.size(); ++i) {
      if (words[i].anchor) continue;
      size_t best = SIZE_MAX, best_sup = SIZE_MAX;
      for (size_t a = 0; a < words.size(); ++a) {
        if (!words[a].anchor) continue;
        size_t sup = support(words[i].u, words[a].u);
        if (sup < best_sup) best = a, best_sup = sup;
      }
      if (best != SIZE_MAX && best_sup <= kMaxLinkTerms) link(i, best);
    }

    // The output bit over the cut gates and the direct term bits.
    std::unordered_map<uint32_t, z3::expr> cut_value;
    for (const Cut& c : cuts)
      cut_value.emplace(c.node, c.lambda > 0 ? z3::sge(y[c.word], num(c.theta)) : z3::sle(y[c.word], num(c.theta)));
    auto value_of = [&](Signal s) {
      uint32_t n = s.index();
      z3::expr v = ctx.bool_val(false);
      if (auto it = cut_value.find(n); it != cut_value.end()) v = it->second;
      else if (term_of_.count(n)) v = xbit(term_of_.at(n));
      else if (!ntk_.is_constant(n)) throw std::logic_error("column proof: unexpected fan-in");
      return s.complemented() ? !v : v;
    };
    z3::expr out_value = ctx.bool_val(false);
    if (out_is_cut || !ntk_.is_gate(node) || term_of_.count(node)) {
      out_value = value_of(out);
    } else {
      circuits::GateView gv = ntk_.gate(ntk_.gate_index(node));
      std::vector<z3::expr> fanins;
      for (size_t i = 0; i < gv.size(); ++i) fanins.push_back(value_of(gv.fanins[i]));
      out_value = encode_gate(ctx, gv, fanins);
      if (out.complemented()) out_value = !out_value;
    }

    // (present) S - K == sum of the present terms' weights (mod 2^e), e from the absent terms.
    std::vector<size_t> present;
    for (auto& [t, e] : xbits) present.push_back(t);
    int e_abs = INT_MAX;
    for (size_t t = 0, p = 0; t < T; ++t) {
      if (p < present.size() && present[p] == t) {
        ++p;
        continue;
      }
      e_abs = std::min(e_abs, nu2(w_[t]));
    }
    // (range, lattice) every word minus its present terms lies in the range of its absent terms
    // and is a multiple of their gcd (mul_const's weights are all multiples of 11, for instance).
    for (size_t i = 0; i < words.size(); ++i) {
      BigInt lo = 0, hi = 0, g = 0;
      for (size_t t = 0, p = 0; t < T; ++t) {
        if (p < present.size() && present[p] == t) {
          ++p;
          continue;
        }
        (words[i].u[t] < 0 ? lo : hi) += words[i].u[t];
        g = boost::multiprecision::gcd(g, BigInt(abs(words[i].u[t])));
      }
      z3::expr rest = y[i] - lin(words[i].u, present);
      as.push_back(z3::sge(rest, num(lo)) && z3::sle(rest, num(hi)));
      if (g > 1 && (g & (g - 1)) != 0) {  // powers of two are covered by the congruences below
        z3::expr q = ctx.bv_const(fmt::format("Q{}", i).c_str(), W);
        as.push_back(z3::sext(rest, W) == bv_num(ctx, g, 2 * W) * z3::sext(q, W));  // 2W bits: no wrap
      } else if (g > 1) {
        unsigned eb = unsigned(std::min<int>(nu2(g), int(W)));
        as.push_back(rest.extract(eb - 1, 0) == ctx.bv_val(0, eb));
      }
    }
    if (e_abs >= 1) {
      unsigned eb = unsigned(std::min<int>(e_abs, int(W)));
      as.push_back((D - lin(w_, present)).extract(eb - 1, 0) == ctx.bv_val(0, eb));
    }

    z3::expr spec_bits = round_to_format(ExactBV{S, spec_.frac}, spec_.out);
    z3::expr target = spec_bits.extract(unsigned(j), unsigned(j)) == ctx.bv_val(1, 1);
    as.push_back(out_value != target);

    bl.cut_gates = int(cuts.size());
    bl.anchored = int(std::count_if(cuts.begin(), cuts.end(), [&](const Cut& c) { return c.word < n_anchors; }));
    bl.words = int(words.size());
    bl.free_bits = int(xbits.size());
    SolverOutcome so = check(ctx, as, opt, fmt::format("{}.bit{}", name, j));
    bl.seconds = so.seconds;
    if (so.status == z3::unsat) {
      bl.verdict = Verdict::proved;
    } else if (so.status == z3::sat) {
      bl.detail = fmt::format("bit {}: column lemma fails (S = {}); the lemma's facts may be incomplete", j,
                              model_value(*so.model, S).str());
      if (std::getenv("TC0_COLUMN_DEBUG")) {
        std::string d;
        for (size_t i = 0; i < words.size(); ++i) {
          d += fmt::format("\nword {} level {} e {} value {} u:", i, words[i].anchor_level, congruence_exponent(words[i].u, w_),
                           model_value(*so.model, y[i]).str());
          for (size_t t = 0; t < T; ++t) d += " " + words[i].u[t].str();
        }
        for (const Cut& c : cuts) {
          d += fmt::format("\ncut node {} word {} lambda {} theta {} gate:", c.node, c.word, c.lambda, c.theta.str());
          circuits::GateView gv = ntk_.gate(ntk_.gate_index(c.node));
          for (size_t i = 0; i < gv.size(); ++i)
            d += fmt::format(" {}x{}*{}", gv.fanins[i].complemented() ? "!" : "", term_of_.at(gv.fanins[i].index()),
                             to_big(gv.weight(i)).str());
          d += " >= " + to_big(gv.theta).str();
        }
        for (auto& [t, e] : xbits) d += fmt::format("\nx{} = {}", t, so.model->eval(e, true).to_string());
        d += "\nout " + so.model->eval(out_value, true).to_string() + " target " + so.model->eval(target, true).to_string();
        bl.detail += d;
      }
    } else {
      bl.detail = fmt::format("bit {}: {}", j, so.reason);
    }
    return bl;
  }

 private:
  struct AnchorMatch {
    size_t word;
    int lambda;
    BigInt theta;  // the comparison is Y >= theta (lambda > 0) or Y <= theta (lambda < 0)
  };

  // The network normalises every gate to positive weights a_i on literals l_i (complemented or not)
  // with theta > 0 and clamps any weight above theta down to theta. A weight a_i >= theta can be
  // replaced by any a'_i >= theta without changing the function (with positive weights, l_i = 1
  // alone reaches theta either way; with l_i = 0 it does not count). So the gate equals
  // [(A / lambda) . x >= theta_raw] when, for every term t: the gate's raw coefficient times lambda
  // is A_t, or the gate's weight is clamped (>= theta) and A_t / lambda is an integer of the
  // literal's sign and magnitude >= theta; terms outside the gate need A_t = 0.
  std::optional<AnchorMatch> match_anchor(uint32_t node, const std::vector<Word>& words, size_t n_anchors) const {
    circuits::GateView gv = ntk_.gate(ntk_.gate_index(node));
    BigInt theta = to_big(gv.theta);
    if (theta <= 0) return std::nullopt;
    std::vector<BigInt> a(w_.size(), 0);
    std::vector<int> sign(w_.size(), 0);
    for (size_t i = 0; i < gv.size(); ++i) {
      BigInt wi = to_big(gv.weight(i));
      if (wi <= 0) return std::nullopt;
      size_t t = term_of_.at(gv.fanins[i].index());
      a[t] = wi;
      sign[t] = gv.fanins[i].complemented() ? -1 : 1;
    }
    for (size_t wd = 0; wd < n_anchors; ++wd) {
      const Vec& A = words[wd].u;
      for (int m = 1; m <= 16; ++m)
        for (int lambda : {m, -m}) {
          bool ok = true;
          BigInt theta_raw = theta;
          for (size_t t = 0; t < w_.size() && ok; ++t) {
            if (sign[t] == 0) {
              ok = A[t] == 0;
              continue;
            }
            BigInt raw = sign[t] * a[t];
            BigInt weight = a[t];  // the (possibly unclamped) normalised weight
            if (raw * lambda != A[t]) {
              ok = a[t] >= theta && A[t] % lambda == 0 && (A[t] / lambda) * sign[t] >= theta;
              weight = (A[t] / lambda) * sign[t];
            }
            if (sign[t] < 0) theta_raw -= weight;  // a (1 - x) = a - a x
          }
          if (ok) return AnchorMatch{wd, lambda, theta_raw * lambda};
        }
    }
    return std::nullopt;
  }

  bool is_depth1(uint32_t node) const {
    circuits::GateView gv = ntk_.gate(ntk_.gate_index(node));
    for (size_t i = 0; i < gv.size(); ++i)
      if (!term_of_.count(gv.fanins[i].index())) return false;
    return true;
  }

  RawGate raw_gate(uint32_t node) const {
    circuits::GateView gv = ntk_.gate(ntk_.gate_index(node));
    RawGate g{Vec(w_.size(), 0), to_big(gv.theta)};
    for (size_t i = 0; i < gv.size(); ++i) {
      BigInt a = to_big(gv.weight(i));
      size_t t = term_of_.at(gv.fanins[i].index());
      if (gv.fanins[i].complemented()) {  // a (1 - x) = a - a x
        g.v[t] -= a;
        g.theta -= a;
      } else {
        g.v[t] += a;
      }
    }
    return g;
  }

  const Network& ntk_;
  const LinearFormSpec& spec_;
  const std::unordered_map<uint32_t, size_t>& term_of_;
  Vec w_;
};

}  // namespace

ColumnProof prove_linear_form_columns(const Network& ntk, const circuits::Bus& out_bus, const LinearFormSpec& spec,
                                      const QueryOptions& opt, const std::string& name) {
  if (int(out_bus.bits.size()) != spec.out.width())
    throw std::invalid_argument(fmt::format("column proof: bus {} has {} bits, the spec format {}", out_bus.name,
                                            out_bus.bits.size(), spec.out.str()));
  std::unordered_map<uint32_t, size_t> term_of;
  for (size_t t = 0; t < spec.terms.size(); ++t) {
    uint32_t n = spec.terms[t].node;
    if (n == 0 || n >= ntk.num_nodes() || !term_of.emplace(n, t).second)
      throw std::invalid_argument(fmt::format("column proof: term node {} is a constant, unknown or repeated", n));
  }
  ColumnProof cp;
  BitProver bp(ntk, spec, term_of);
  auto t0 = std::chrono::steady_clock::now();
  cp.verdict = Verdict::proved;
  for (size_t j = 0; j < out_bus.bits.size(); ++j) {
    // Two formulations of the same lemma (both sound): the compact one first; when it is not proved
    // (its free words can take values the real sums cannot), the one with more free bits.
    BitLemma bl = bp.prove(out_bus.bits[j], int(j), true, opt, name);
    if (bl.verdict != Verdict::proved) {
      BitLemma b2 = bp.prove(out_bus.bits[j], int(j), false, opt, name + ".linked");
      b2.seconds += bl.seconds;
      if (b2.verdict != Verdict::proved) b2.detail = bl.detail + "; linked form: " + b2.detail;
      b2.retried = true;
      bl = b2;
    }
    cp.bits.push_back(bl);
    if (bl.verdict != Verdict::proved) {
      cp.verdict = Verdict::inconclusive;
      cp.failed_bit = int(j);
      cp.detail = bl.detail;
      break;
    }
  }
  cp.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return cp;
}

}  // namespace tc0::proofs
