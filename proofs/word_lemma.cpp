// Column lemmas over words only (word_lemma.hpp).
#include "proofs/word_lemma.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <map>
#include <optional>
#include <unordered_map>

#include "circuits/gadgets/linear_form_plan.hpp"
#include "proofs/circuit_encoding.hpp"
#include "proofs/fixed_spec.hpp"

namespace tc0::proofs {

using circuits::Network;
using circuits::Signal;

namespace {

using Vec = std::vector<BigInt>;

BigInt babs(const BigInt& v) { return v < 0 ? BigInt(-v) : v; }

int nu2(const BigInt& v) { return v == 0 ? INT_MAX : int(boost::multiprecision::lsb(babs(v))); }

// A gate over term wires as [v.x >= theta] on the raw term values.
struct Raw {
  Vec v;
  BigInt theta;
};

// p/q with v = (p/q) z, or nullopt (z != 0 somewhere, v proportional to z).
std::optional<std::pair<BigInt, BigInt>> ratio(const Vec& v, const Vec& z) {
  size_t pivot = SIZE_MAX;
  for (size_t t = 0; t < z.size(); ++t)
    if (z[t] != 0) {
      pivot = t;
      break;
    }
  if (pivot == SIZE_MAX) return std::nullopt;
  BigInt p = v[pivot], q = z[pivot];
  for (size_t t = 0; t < z.size(); ++t)
    if (v[t] * q != p * z[t]) return std::nullopt;
  if (p == 0) return std::nullopt;
  const BigInt g = boost::multiprecision::gcd(babs(p), babs(q));
  p /= g, q /= g;
  if (q < 0) p = -p, q = -q;
  return std::pair{p, q};
}

class WordProver {
 public:
  WordProver(const Network& ntk, const LinearFormSpec& spec) : ntk_(ntk), spec_(spec) {
    for (size_t t = 0; t < spec.terms.size(); ++t) term_of_[spec.terms[t].node] = t, w_.push_back(spec.terms[t].weight);
  }

  BitLemma prove(Signal out, int j, const QueryOptions& opt, const std::string& name) {
    const auto t0 = std::chrono::steady_clock::now();
    BitLemma bl;
    bl.bit = j;
    z3::context ctx;
    words_.clear();
    words_.push_back(w_);  // word 0: the specification's w
    // ---- the output literal as a comparison over words ----
    struct Atom {
      size_t word;
      BigInt theta;
    };
    std::vector<Atom> cut;           // depth-1 gates, or a term read directly
    std::vector<BigInt> cut_weight;  // their weights in the output gate (complements moved)
    std::optional<size_t> direct;    // the output gate's direct terms as one word
    BigInt theta_out = 0;
    bool out_is_cut = false;
    std::optional<bool> constant;
    const uint32_t node = out.index();
    auto term_atom = [&](uint32_t n) {  // the term read as a word: [x_t >= 1]
      Vec u(w_.size(), 0);
      u[term_of_.at(n)] = 1;
      return Atom{add_word(u), 1};
    };
    if (ntk_.is_constant(node)) {
      constant = out.complemented();
    } else if (term_of_.count(node)) {
      cut.push_back(term_atom(node));
      out_is_cut = true;
    } else if (ntk_.is_gate(node) && depth1(node)) {
      const Raw r = unclamp_either(raw(node));
      cut.push_back({add_word(r.v), r.theta});
      out_is_cut = true;
    } else if (ntk_.is_gate(node)) {
      const circuits::GateView gv = ntk_.gate(ntk_.gate_index(node));
      Vec a(w_.size(), 0);
      theta_out = to_big(gv.theta);
      for (size_t i = 0; i < gv.size(); ++i) {
        const Signal f = gv.fanins[i];
        const BigInt wt = to_big(gv.weight(i));
        BigInt c = wt;
        if (f.complemented()) theta_out -= wt, c = -wt;  // w !g = w - w g
        if (term_of_.count(f.index())) {
          a[term_of_.at(f.index())] += c;
        } else if (ntk_.is_gate(f.index()) && depth1(f.index())) {
          const Raw r = unclamp_either(raw(f.index()));
          cut.push_back({add_word(r.v), r.theta});
          cut_weight.push_back(c);
        } else {
          bl.detail = fmt::format("bit {}: fan-in node {} is neither a term wire nor a gate over term wires", j, f.index());
          return bl;
        }
      }
      bool any = false;
      for (const BigInt& x : a) any = any || x != 0;
      if (any) direct = add_word(a);
    } else {
      bl.detail = fmt::format("bit {}: output node {} is an input that is not a term wire", j, node);
      return bl;
    }
    add_scaled_words();
    bl.words = int(words_.size());
    bl.cut_gates = int(cut.size());
    // ---- widths: every word, every product in a fact, every gate sum fits ----
    BigInt bound = babs(spec_.constant) + babs(theta_out);
    for (const BigInt& c : cut_weight) bound += babs(c);
    for (const Atom& a : cut) bound += babs(a.theta);
    BigInt wmax = 0;
    for (const Vec& u : words_) {
      BigInt m = 0;
      for (const BigInt& x : u) m += babs(x);
      wmax = std::max(wmax, m);
    }
    // ---- facts ----
    BigInt cmax = 1;
    struct Link {
      size_t u, v, z;  // z == SIZE_MAX: q Y_u == p Y_v
      BigInt p, q;
    };
    std::vector<Link> links;
    for (size_t u = 0; u < words_.size(); ++u)
      for (size_t v = u + 1; v < words_.size(); ++v) {
        if (auto r = ratio(words_[u], words_[v])) {
          links.push_back({u, v, SIZE_MAX, r->first, r->second});
          continue;
        }
        Vec d(w_.size());
        for (size_t t = 0; t < d.size(); ++t) d[t] = words_[u][t] - words_[v][t];
        for (size_t z = 0; z < words_.size(); ++z)
          if (z != u && z != v)
            if (auto r = ratio(d, words_[z])) links.push_back({u, v, z, r->first, r->second});
      }
    for (const Link& l : links) cmax = std::max({cmax, babs(l.p), babs(l.q)});
    const unsigned W = bit_length(wmax * cmax * 2 + bound) + 4;
    std::vector<z3::expr> y;
    for (size_t u = 0; u < words_.size(); ++u) y.push_back(ctx.bv_const(fmt::format("Y{}", u).c_str(), W));
    std::vector<z3::expr> facts;
    auto num = [&](const BigInt& v) { return bv_num(ctx, v, W); };
    auto low_zero = [&](const z3::expr& e, int bits) {
      if (bits <= 0) return;
      if (unsigned(bits) >= W) facts.push_back(e == num(0));
      else facts.push_back(e.extract(unsigned(bits) - 1, 0) == ctx.bv_val(0, unsigned(bits)));
    };
    for (size_t u = 0; u < words_.size(); ++u) {
      BigInt lo = 0, hi = 0;
      int e = INT_MAX;
      for (const BigInt& x : words_[u]) (x < 0 ? lo : hi) += x, e = std::min(e, nu2(x));
      facts.push_back(z3::sge(y[u], num(lo)) && z3::sle(y[u], num(hi)));
      // (gap) one term on or off moves the word at least its smallest |u_t| from the range's ends
      BigInt least = -1;
      for (const BigInt& x : words_[u])
        if (x != 0 && (least < 0 || babs(x) < least)) least = babs(x);
      if (least > 1) {
        facts.push_back(y[u] == num(lo) || z3::sge(y[u], num(lo + least)));
        facts.push_back(y[u] == num(hi) || z3::sle(y[u], num(hi - least)));
      }
      if (e != INT_MAX) low_zero(y[u], e);
      for (size_t v = u + 1; v < words_.size(); ++v) {
        int em = INT_MAX, ep = INT_MAX;
        size_t differ = 0;
        for (size_t t = 0; t < w_.size(); ++t) {
          em = std::min(em, nu2(words_[u][t] - words_[v][t]));
          ep = std::min(ep, nu2(words_[u][t] + words_[v][t]));
          differ += words_[u][t] != words_[v][t];
        }
        if (em != INT_MAX) low_zero(y[u] - y[v], em);
        if (ep != INT_MAX) low_zero(y[u] + y[v], ep);
        if (differ <= kMaxLinkBits) {  // Y_u = Y_v + sum of the differing terms
          z3::expr s = y[v];
          for (size_t t = 0; t < w_.size(); ++t)
            if (words_[u][t] != words_[v][t]) s = s + z3::ite(bit(ctx, t), num(words_[u][t] - words_[v][t]), num(0));
          facts.push_back(y[u] == s);
        }
      }
    }
    // (range without a free bit) a term kept as a free bit x_t is a term of every word: Y_u - u_t x_t
    // lies in the range of u's other terms
    for (auto& [t, xt] : bits_)
      for (size_t u = 0; u < words_.size(); ++u) {
        const BigInt& c = words_[u][t];
        if (c == 0) continue;
        BigInt lo = 0, hi = 0;
        for (size_t k = 0; k < w_.size(); ++k)
          if (k != t) (words_[u][k] < 0 ? lo : hi) += words_[u][k];
        const z3::expr rest = y[u] - z3::ite(xt, num(c), num(0));
        facts.push_back(z3::sge(rest, num(lo)) && z3::sle(rest, num(hi)));
      }
    for (const Link& l : links) {
      if (l.z == SIZE_MAX) facts.push_back(num(l.q) * y[l.u] == num(l.p) * y[l.v]);
      else facts.push_back(num(l.q) * (y[l.u] - y[l.v]) == num(l.p) * y[l.z]);
    }
    bl.free_bits = int(bits_.size());
    bits_.clear();
    // ---- the claim ----
    auto atom = [&](const Atom& a) { return z3::sge(y[a.word], num(a.theta)); };
    z3::expr circuit = ctx.bool_val(false);
    if (constant) {
      circuit = ctx.bool_val(*constant);
    } else if (out_is_cut) {
      circuit = atom(cut[0]);
    } else {
      // Gates over one word with one weight in the output gate form a thermometer: their sum is
      // weight * c, c the number of thresholds the word reaches, a small word defined exactly by
      // (c >= i) == (Y >= theta_i) over the sorted thresholds, or by two comparisons when the
      // thresholds are evenly spaced (c == 0 or Y >= theta_1 + (c - 1) d; c == n or Y < theta_1 + c d).
      std::map<std::pair<size_t, BigInt>, std::vector<BigInt>> thermo;
      for (size_t i = 0; i < cut.size(); ++i) thermo[{cut[i].word, cut_weight[i]}].push_back(cut[i].theta);
      z3::expr sum = direct ? y[*direct] : num(0);
      int counters = 0;
      for (auto& [key, thetas] : thermo) {
        const auto& [u, weight] = key;
        std::sort(thetas.begin(), thetas.end());
        const size_t n = thetas.size();
        if (n < 3 || std::adjacent_find(thetas.begin(), thetas.end()) != thetas.end()) {
          for (const BigInt& th : thetas) sum = sum + z3::ite(z3::sge(y[u], num(th)), num(weight), num(0));
          continue;
        }
        const z3::expr c = ctx.bv_const(fmt::format("c{}", counters++).c_str(), W);
        facts.push_back(z3::sge(c, num(0)) && z3::sle(c, num(BigInt(n))));
        const BigInt d = thetas[1] - thetas[0];
        bool even = true;
        for (size_t i = 1; i < n; ++i) even = even && thetas[i] - thetas[i - 1] == d;
        if (even) {
          facts.push_back(c == num(0) || z3::sge(y[u], num(thetas[0]) + (c - num(1)) * num(d)));
          facts.push_back(c == num(BigInt(n)) || z3::slt(y[u], num(thetas[0]) + c * num(d)));
        } else {
          for (size_t i = 0; i < n; ++i) facts.push_back(z3::sge(c, num(BigInt(i + 1))) == z3::sge(y[u], num(thetas[i])));
        }
        sum = sum + c * num(weight);
      }
      circuit = z3::sge(sum, num(theta_out));
    }
    if (out.complemented() && !constant) circuit = !circuit;
    const z3::expr s = num(spec_.constant) + y[0];
    const z3::expr rounded = round_to_format(ExactBV{s, spec_.frac}, spec_.out);
    const z3::expr want = rounded.extract(unsigned(j), unsigned(j)) == ctx.bv_val(1, 1);
    facts.push_back(circuit != want);
    SolverOutcome so = check(ctx, facts, opt, fmt::format("{}.bit{}", name, j));
    bl.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (so.status == z3::unsat) {
      bl.verdict = Verdict::proved;
    } else {
      bl.detail = so.status == z3::sat ? fmt::format("bit {}: the word facts admit a counterexample (perhaps spurious)", j)
                                       : fmt::format("bit {}: {}", j, so.reason.empty() ? "timeout" : so.reason);
    }
    return bl;
  }

 private:
  bool depth1(uint32_t node) const {
    const circuits::GateView gv = ntk_.gate(ntk_.gate_index(node));
    for (Signal f : gv.fanins)
      if (!term_of_.count(f.index())) return false;
    return true;
  }
  Raw raw(uint32_t node) const {
    const circuits::GateView gv = ntk_.gate(ntk_.gate_index(node));
    Raw r{Vec(w_.size(), 0), to_big(gv.theta)};
    for (size_t i = 0; i < gv.size(); ++i) {
      const BigInt wt = to_big(gv.weight(i));
      const size_t t = term_of_.at(gv.fanins[i].index());
      if (gv.fanins[i].complemented()) r.v[t] -= wt, r.theta -= wt;
      else r.v[t] += wt;
    }
    return r;
  }
  // A weight the network clamped to theta ("a weight above theta alone decides", canonical.hpp) is
  // given back: in the positive form (complemented literals for negative entries, theta' = theta +
  // the sum of their magnitudes) a literal whose weight equals theta' fires the gate alone, and so
  // does any larger weight, so the gate equals [lambda v' >= lambda theta'] for every v' that agrees
  // with v except where |v_t| = theta' and |v'_t| >= theta' (same sign), lambda > 0. The targets v'
  // are the recipe's levels (balanced residues of w, linear_form_plan.hpp: they guide, the check
  // here is what makes the replacement sound). Unchanged when no target fits.
  Raw unclamp(const Raw& g) const {
    BigInt tp = g.theta;
    for (const BigInt& x : g.v)
      if (x < 0) tp -= x;
    if (tp <= 0) return g;
    bool clamped = false;
    for (const BigInt& x : g.v) clamped = clamped || babs(x) == tp;
    if (!clamped) return g;
    // A clamped entry whose level value is too small or of the other sign (a term above the level
    // that the gate reads with a weight deciding alone) may take any value that
    // is congruent to the level's modulo 2^(k+1), has the entry's sign and is large enough: the gate
    // then still keeps the level's congruence with w. Levels that fit as they are come first; then
    // the shifted ones, highest level first (the strongest congruence).
    const std::vector<Vec>& lv = levels();
    for (size_t i = 0; i < lv.size(); ++i)
      if (auto r = to_target(g, tp, lv[i], std::nullopt)) return *r;
    for (size_t i = lv.size(); i-- > 0;)
      if (auto r = to_target(g, tp, lv[i], int(i / 2))) return *r;
    return g;
  }

  // g as a comparison over `target` (see unclamp), or nullopt when the target does not fit: its
  // entries are lambda times g's unclamped ones; at a clamped entry it has g's sign and magnitude
  // at least lambda theta', after a shift by a multiple of 2^(k+1) when `shift_level` is k.
  std::optional<Raw> to_target(const Raw& g, const BigInt& tp, const Vec& level, std::optional<int> shift_level) const {
    Vec target = level;
    // lambda = target_t / v_t at an unclamped entry
    std::optional<std::pair<BigInt, BigInt>> lam;  // p / q
    for (size_t t = 0; t < g.v.size(); ++t) {
      if (g.v[t] == 0 || babs(g.v[t]) == tp) continue;
      if (target[t] == 0 || (target[t] < 0) != (g.v[t] < 0)) return std::nullopt;
      lam = std::pair{babs(target[t]), babs(g.v[t])};
      break;
    }
    if (!lam) {  // every weight clamped (an OR of literals): any lambda with lambda theta' <= min |v'_t|
      BigInt m = -1;
      for (size_t t = 0; t < g.v.size(); ++t)
        if (g.v[t] != 0 && target[t] != 0 && (m < 0 || babs(target[t]) < m)) m = babs(target[t]);
      if (m <= 0) return std::nullopt;
      lam = std::pair{m, tp};
    }
    const auto [p, q] = *lam;
    const BigInt need = (tp * p + q - 1) / q;  // the least magnitude of a clamped entry
    for (size_t t = 0; t < g.v.size(); ++t) {
      if (g.v[t] == 0) {
        if (target[t] != 0) return std::nullopt;
      } else if (babs(g.v[t]) != tp) {
        if (target[t] * q != g.v[t] * p) return std::nullopt;
      } else if ((target[t] < 0) != (g.v[t] < 0) || babs(target[t]) < need) {
        if (!shift_level) return std::nullopt;
        const BigInt mod = BigInt(1) << (*shift_level + 1);
        if (g.v[t] > 0) {
          if (target[t] < need) target[t] += (need - target[t] + mod - 1) / mod * mod;
        } else if (target[t] > -need) {
          target[t] -= (target[t] + need + mod - 1) / mod * mod;
        }
      }
    }
    // scaled by p/q the gate is [v'.z >= tp p / q] over the literals z; v'.z is an integer, so the
    // threshold can be rounded up
    Raw r{target, need};
    for (const BigInt& x : target)
      if (x < 0) r.theta += x;
    return r;
  }

  // The network keeps a gate or its complement (canonical.hpp), so the clamping may have been done
  // on the complement [-v.x >= 1 - theta]: that one is given back too.
  Raw unclamp_either(const Raw& g) const {
    Raw r = unclamp(g);
    if (r.v != g.v) return r;
    Raw c{Vec(g.v.size()), 1 - g.theta};
    for (size_t t = 0; t < g.v.size(); ++t) c.v[t] = -g.v[t];
    const Raw rc = unclamp(c);
    if (rc.v == c.v) return g;
    Raw back{Vec(g.v.size()), 1 - rc.theta};
    for (size_t t = 0; t < g.v.size(); ++t) back.v[t] = -rc.v[t];
    return back;
  }

  // The recipe's level vectors in raw orientation and their negations, built once.
  const std::vector<Vec>& levels() const {
    if (levels_.empty()) {
      BigInt m = 0;
      for (const BigInt& x : w_) m = std::max(m, babs(x));
      const int top = int(bit_length(m)) + 1;
      for (int k = 0; k <= top; ++k) {
        Vec r(w_.size());
        for (size_t t = 0; t < w_.size(); ++t) {
          const BigInt res = circuits::gadgets::balanced_residue(babs(w_[t]), k);
          r[t] = w_[t] < 0 ? BigInt(-res) : res;
        }
        Vec neg(r.size());
        for (size_t t = 0; t < r.size(); ++t) neg[t] = -r[t];
        levels_.push_back(std::move(r));
        levels_.push_back(std::move(neg));  // a gate may compare the level from above
      }
    }
    return levels_;
  }

  // The network divides a gate's weights by their common factor lambda, so a gate over the recipe
  // level r reads r / lambda: for every word u, the multiple lambda u that agrees with w modulo the
  // largest power of two (lambda = 2^a times the odd part of w_t / u_t mod 2^64, at the u_t with the
  // fewest trailing zeros) is added as a word too, and the proportional link Y_(lambda u) = lambda Y_u ties it to u. Any lambda is sound (a new word is
  // only a new name for lambda u.x); a wrong one only adds useless facts.
  void add_scaled_words() {
    const size_t n = words_.size();
    const BigInt M = BigInt(1) << 64;
    for (size_t i = 1; i < n; ++i) {
      const Vec& u = words_[i];
      // the entry of u with the fewest trailing zeros; lambda = 2^a * (odd part of w_t / odd part of u_t)
      size_t t = SIZE_MAX;
      for (size_t k = 0; k < u.size(); ++k)
        if (u[k] != 0 && w_[k] != 0 && (t == SIZE_MAX || nu2(u[k]) < nu2(u[t]))) t = k;
      if (t == SIZE_MAX) continue;
      const int a = nu2(w_[t]) - nu2(u[t]);
      if (a < 0) continue;
      const BigInt ou = u[t] / (BigInt(1) << nu2(u[t])), ow = w_[t] / (BigInt(1) << nu2(w_[t]));
      // inverse of the odd ou modulo 2^64 (Newton: each step doubles the correct low bits)
      BigInt ut = ((ou % M) + M) % M, inv = 1;
      for (int it = 0; it < 7; ++it) inv = (inv * (2 - ut * inv % M) % M + M) % M;
      BigInt odd = ((ow % M + M) % M) * inv % M;
      if (odd >= M / 2) odd -= M;
      if (babs(odd) >= (BigInt(1) << 40)) continue;
      const BigInt lambda = odd << a;
      if (lambda == 1) continue;
      Vec s(u.size());
      for (size_t k = 0; k < u.size(); ++k) s[k] = u[k] * lambda;
      add_word(s);
    }
  }

  size_t add_word(const Vec& u) {
    for (size_t i = 0; i < words_.size(); ++i)
      if (words_[i] == u) return i;
    words_.push_back(u);
    return words_.size() - 1;
  }
  z3::expr bit(z3::context& ctx, size_t t) {
    auto it = bits_.find(t);
    if (it == bits_.end()) it = bits_.emplace(t, ctx.bool_const(fmt::format("x{}", t).c_str())).first;
    return it->second;
  }

  const Network& ntk_;
  const LinearFormSpec& spec_;
  std::unordered_map<uint32_t, size_t> term_of_;
  Vec w_;
  std::vector<Vec> words_;
  mutable std::vector<Vec> levels_;
  std::map<size_t, z3::expr> bits_;
};

}  // namespace

ColumnProof prove_linear_form_words(const Network& ntk, const circuits::Bus& out_bus, const LinearFormSpec& spec,
                                    const QueryOptions& opt, const std::string& name) {
  const auto t0 = std::chrono::steady_clock::now();
  ColumnProof cp;
  WordProver wp(ntk, spec);
  cp.verdict = Verdict::proved;
  for (size_t j = 0; j < out_bus.bits.size(); ++j) {
    cp.bits.push_back(wp.prove(out_bus.bits[j], int(j), opt, name));
    if (cp.bits.back().verdict != Verdict::proved) {
      cp.verdict = Verdict::inconclusive;
      cp.failed_bit = int(j);
      cp.detail = cp.bits.back().detail;
      break;
    }
  }
  cp.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return cp;
}

}  // namespace tc0::proofs
