#pragma once
// The attention of one head of a DiT block as a replaceable policy of the generic forward pass
// (network.hpp). A head policy H maps the head's queries, keys and values (T x d_h each, the
// columns [h d_h, (h+1) d_h) of attn.q / attn.k / attn.v) to its output (T x d_h, the same columns of
// attn.out):
//   out_i = softmax_j(attn_scale * q_i . k_j) V.
// ExactSoftmaxHead is the model's own operation graph (sampler/README.md rows 10-17), the contract of
// the fixed-point sampler and of the circuit; it is the default everywhere. Other policies (the
// polynomial method, approx_attention.hpp) compute the same function another way and are only
// offered to the float references: a fixed-point or circuit sampler must run the graph as written.
#include <array>
#include <concepts>
#include <string>
#include <vector>

#include "sampler/arith.hpp"
#include "sampler/model.hpp"
#include "sampler/observe.hpp"

namespace tc0::sampler {

// One head's operands. The references stay valid for the duration of the attend() call only.
template <class A>
struct HeadInput {
  using Rows = std::vector<std::vector<typename A::Value>>;
  const Model& model;
  const std::string& prefix;  // "blocks.l": the activation names of this block
  size_t head;                // h in [0, heads)
  const Rational& scale;      // attn_scale: the scores are scale * q_i . k_j
  const Rows& q;              // T x d_h
  const Rows& k;              // T x d_h
  const Rows& v;              // T x d_h
};

// H computes a head's output (T rows of d_h values) from its operands with the policy a.
template <class H, class A>
concept AttentionHeadPolicy = requires(const H& h, const A& a, const HeadInput<A>& in) {
  { h.attend(a, in) } -> std::same_as<std::vector<std::vector<typename A::Value>>>;
};

// The softmax of the operation graph, as policy ops with the observation hook after each named
// activation (scores, max-subtract, exp table, exact sum, reciprocal table, e V, one product per
// output). Moving this loop out of forward_dit changed no operation and no operation order, so the
// fixed-point bits, the recordings and the traced circuits are what they were.
struct ExactSoftmaxHead {
  template <class A>
  std::vector<std::vector<typename A::Value>> attend(const A& a, const HeadInput<A>& in) const {
    using Vec = std::vector<typename A::Value>;
    const Model& m = in.model;
    const std::string& p = in.prefix;
    const size_t T = in.q.size(), dh = T ? in.q[0].size() : 0;
    const Format fs = m.act(p + ".attn.score"), fsh = m.act(p + ".attn.shifted"), fe = m.act(p + ".attn.exp");
    const Format fden = m.act(p + ".attn.den"), finv = m.act(p + ".attn.inv"), fnum = m.act(p + ".attn.num");
    const Format fo = m.act(p + ".attn.out");
    const std::array<Rational, 2> pm{Rational(1), Rational(-1)};
    std::vector<Vec> vcol(dh);  // columns of V: the dot products below run over the keys
    for (size_t c = 0; c < dh; ++c) {
      vcol[c].reserve(T);
      for (size_t j = 0; j < T; ++j) vcol[c].push_back(in.v[j][c]);
    }
    std::vector<Vec> out(T);
    for (size_t i = 0; i < T; ++i) {
      Vec sc;
      sc.reserve(T);
      for (size_t j = 0; j < T; ++j) sc.push_back(a.dot(in.q[i], in.k[j], in.scale, Rational(0), fs));
      observe(a, p, ".attn.score", sc);
      auto mx = a.max(sc, fs);
      observe(a, p, ".attn.score", mx);  // the row max is a score (README row 11)
      Vec e;
      e.reserve(T);
      for (size_t j = 0; j < T; ++j) {
        std::array<typename A::Value, 2> pair{sc[j], mx};
        auto shifted = a.lincomb(Rational(0), pm, pair, fsh);
        observe(a, p, ".attn.shifted", shifted);
        e.push_back(a.unary(UnaryFn::exp, shifted, fe));
        observe(a, p, ".attn.exp", e.back());
      }
      auto den = a.sum(e, fden);
      observe(a, p, ".attn.den", den);
      auto inv = a.unary(UnaryFn::reciprocal, den, finv);
      observe(a, p, ".attn.inv", inv);
      out[i].reserve(dh);
      for (size_t c = 0; c < dh; ++c) {
        auto num = a.dot(e, vcol[c], Rational(1), Rational(0), fnum);
        observe(a, p, ".attn.num", num);
        out[i].push_back(a.mul(num, inv, fo));
        observe(a, p, ".attn.out", out[i].back());
      }
    }
    return out;
  }
};

}  // namespace tc0::sampler
