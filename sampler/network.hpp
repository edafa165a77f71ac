#pragma once
// The generic forward pass: (z, t, s) -> (u, abar), written once against the arithmetic policy A
// (sampler/arith.hpp) and instantiated for double, MPFR and Fixed (and later a circuit type).
// s is the second time input (h = t - r or r, per the config). Every operation names the format of
// the tensor it produces; sampler/README.md lists the graph op by op. Time inputs are exact
// rationals (grid points), so the time embedding and conditioning are constants of each step.
// After the operations that produce a named activation, observe() hands its values to a recording
// policy (sampler/observe.hpp; a no-op for the plain number types). The attention of each head is a
// policy too (sampler/attention_head.hpp): the graph's softmax by default, the polynomial method for
// the float references on request.
#include <array>
#include <stdexcept>
#include <fmt/format.h>
#include <string>
#include <vector>

#include "sampler/arith.hpp"
#include "sampler/attention_head.hpp"
#include "sampler/model.hpp"
#include "sampler/observe.hpp"

namespace tc0::sampler {

template <class A>
struct Heads {
  std::vector<typename A::Value> u, abar;  // a head that was not asked for is empty
};

// Which heads an evaluation computes: a sampler step uses u of one evaluation and abar of another
// (MF2), or only u (MF1, Euler), so it asks for those and no operation computes an unused value.
enum class HeadSet : uint8_t { u = 1, abar = 2, both = 3 };
inline bool wants(HeadSet s, HeadSet h) { return (uint8_t(s) & uint8_t(h)) != 0; }

namespace detail {

template <class A>
using Vec = std::vector<typename A::Value>;

// out_j = offset + b_j + (extra_j) + W_j . x for every row j in [row0, row0 + n), rounded once each:
// n `linear` operations. A policy may take the rows in one call (the counter reads x once for all
// of them); it must give what the loop below gives.
template <class A>
Vec<A> linear_rows(const A& a, const WeightTensor& w, const WeightTensor& b, const Vec<A>& x, Format out,
                   size_t row0, size_t n, const Rational& offset = Rational(0), const Const* extra = nullptr) {
  if constexpr (requires { a.linear_rows(w, b, std::span<const typename A::Value>(x), out, row0, n, offset, extra); })
    return a.linear_rows(w, b, std::span<const typename A::Value>(x), out, row0, n, offset, extra);
  Vec<A> y;
  y.reserve(n);
  for (size_t j = row0; j < row0 + n; ++j) {
    std::array<Const, 2> bias{b.at(j), extra ? extra[j - row0] : Const{}};
    y.push_back(a.linear(w.row(j), x, std::span<const Const>(bias.data(), extra ? 2 : 1), offset, out));
  }
  return y;
}

template <class A>
Vec<A> linear(const A& a, const Model& m, const std::string& p, const Vec<A>& x, Format out) {
  const WeightTensor& w = m.weight(p + ".weight");
  return linear_rows(a, w, m.weight(p + ".bias"), x, out, 0, static_cast<size_t>(w.shape[0]));
}

template <class A>
Vec<A> unary_all(const A& a, UnaryFn fn, const Vec<A>& x, Format out) {
  Vec<A> y;
  y.reserve(x.size());
  for (const auto& v : x) y.push_back(a.unary(fn, v, out));
  return y;
}

// [cos(f t), sin(f t), cos(f s), sin(f s)] for the configured frequencies, in that order.
template <class A>
Vec<A> time_embedding(const A& a, const Model& m, const Rational& t, const Rational& s) {
  const auto& fr = m.config().freqs;
  Format out = m.act("temb");
  Vec<A> e;
  for (const Rational* x : {&t, &s}) {
    for (const auto& f : fr) e.push_back(a.trig(Trig::cos, f * *x, out));
    for (const auto& f : fr) e.push_back(a.trig(Trig::sin, f * *x, out));
  }
  observe(a, "", "temb", e);
  return e;
}

// LayerNorm without affine parameters as a sequence of policy ops (README: "LayerNorm"):
// mean = round(sum x / D); c_i = round(x_i - mean); var = round(eps + sum c_i^2 / D);
// rstd = rsqrt-table(var); n_i = round(c_i * rstd).
template <class A>
Vec<A> layer_norm(const A& a, const Model& m, const std::string& p, const Vec<A>& x, const Rational& eps) {
  const size_t D = x.size();
  std::vector<Rational> inv(D, Rational(1, static_cast<int64_t>(D)));
  auto mean = a.lincomb(Rational(0), inv, x, m.act(p + ".mean"));
  observe(a, p, ".mean", mean);
  const std::array<Rational, 2> pm{Rational(1), Rational(-1)};
  Vec<A> c;
  c.reserve(D);
  Format fc = m.act(p + ".centered");
  for (const auto& v : x) {
    std::array<typename A::Value, 2> pair{v, mean};
    c.push_back(a.lincomb(Rational(0), pm, pair, fc));
  }
  observe(a, p, ".centered", c);
  const Format fvar = m.act(p + ".var");
  // eps rounded to the variance's grid when the model asks for it (SPEC.md section 2.4)
  const Rational eps_folded = m.config().constant_folding == ConstantFolding::exact
                                  ? eps
                                  : Rational(numerics::round_to_format(eps, fvar)) *
                                        (fvar.frac() >= 0 ? Rational(BigInt(1), BigInt(1) << fvar.frac())
                                                          : Rational(BigInt(1) << -fvar.frac()));
  auto var = a.dot(c, c, Rational(1, static_cast<int64_t>(D)), eps_folded, fvar);
  observe(a, p, ".var", var);
  auto rstd = a.unary(UnaryFn::rsqrt, var, m.act(p + ".rstd"));
  observe(a, p, ".rstd", rstd);
  Vec<A> n;
  n.reserve(D);
  Format fn = m.act(p + ".norm");
  for (const auto& v : c) n.push_back(a.mul(v, rstd, fn));
  observe(a, p, ".norm", n);
  return n;
}

// mod_i = round(n_i * scale_i + shift_i), scale stored as 1 + scale
template <class A>
Vec<A> modulate(const A& a, const Vec<A>& n, const Vec<A>& scale, const Vec<A>& shift, Format out) {
  Vec<A> y;
  y.reserve(n.size());
  for (size_t i = 0; i < n.size(); ++i) y.push_back(a.mul_add(n[i], scale[i], shift[i], out));
  return y;
}

template <class A, class Head>
Heads<A> forward_dit(const A& a, const Model& m, std::span<const typename A::Value> z, const Rational& t,
                     const Rational& s, const Head& head, HeadSet heads) {
  const DitConfig& d = m.config().dit;
  const size_t D = d.width, T = d.tokens(), PD = d.patch_dim(), S = d.image_size, P = d.patch, C = d.channels;
  const size_t G = S / P;
  // conditioning: silu(fc2(silu(fc1(temb))))
  Vec<A> emb = time_embedding(a, m, t, s);
  Vec<A> hid = linear(a, m, "t_embed.fc1", emb, m.act("t_embed.hidden"));
  observe(a, "", "t_embed.hidden", hid);
  Vec<A> h = unary_all(a, UnaryFn::silu, hid, m.act("t_embed.act"));
  observe(a, "", "t_embed.act", h);
  Vec<A> pre = linear(a, m, "t_embed.fc2", h, m.act("cond"));
  observe(a, "", "cond", pre);
  Vec<A> cond = unary_all(a, UnaryFn::silu, pre, m.act("cond_act"));
  observe(a, "", "cond_act", cond);

  // patchify: token p = (py, px), element k = (dy * P + dx) * C + c; embed and add the position
  std::vector<Vec<A>> x(T);
  const WeightTensor& pos = m.weight("pos_embed");
  for (size_t py = 0; py < G; ++py)
    for (size_t px = 0; px < G; ++px) {
      size_t p = py * G + px;
      Vec<A> patch;
      patch.reserve(PD);
      for (size_t dy = 0; dy < P; ++dy)
        for (size_t dx = 0; dx < P; ++dx)
          for (size_t c = 0; c < C; ++c) patch.push_back(z[c * S * S + (py * P + dy) * S + px * P + dx]);
      x[p] = linear_rows(a, m.weight("patch_embed.weight"), m.weight("patch_embed.bias"), patch, m.act("tokens"), 0, D,
                         Rational(0), pos.row(p).data());
      observe(a, "", "tokens", x[p]);
    }

  const UnaryFn act = d.activation;
  const size_t H = d.heads, dh = D / H;
  for (int l = 0; l < d.depth; ++l) {
    const std::string p = fmt::format("blocks.{}", l);
    const WeightTensor& aw = m.weight(p + ".adaLN.weight");
    const WeightTensor& ab = m.weight(p + ".adaLN.bias");
    static const char* kMod[6] = {"shift_msa", "scale_msa", "gate_msa", "shift_mlp", "scale_mlp", "gate_mlp"};
    std::array<Vec<A>, 6> mod;
    for (size_t k = 0; k < 6; ++k) {
      mod[k] = linear_rows(a, aw, ab, cond, m.act(p + "." + kMod[k]), k * D, D,
                           Rational(k == 1 || k == 4 ? 1 : 0));  // scale stored as 1 + scale
      observe(a, p, std::string(".") + kMod[k], mod[k]);
    }

    // attention branch
    std::vector<Vec<A>> q(T), k(T), v(T);
    const WeightTensor& qw = m.weight(p + ".attn.qkv.weight");
    const WeightTensor& qb = m.weight(p + ".attn.qkv.bias");
    for (size_t i = 0; i < T; ++i) {
      Vec<A> y = modulate(a, layer_norm(a, m, p + ".ln1", x[i], d.ln_eps), mod[1], mod[0], m.act(p + ".ln1.mod"));
      observe(a, p, ".ln1.mod", y);
      q[i] = linear_rows(a, qw, qb, y, m.act(p + ".attn.q"), 0, D);
      observe(a, p, ".attn.q", q[i]);
      k[i] = linear_rows(a, qw, qb, y, m.act(p + ".attn.k"), D, D);
      observe(a, p, ".attn.k", k[i]);
      v[i] = linear_rows(a, qw, qb, y, m.act(p + ".attn.v"), 2 * D, D);
      observe(a, p, ".attn.v", v[i]);
    }
    // each head's attention by the head policy (attention_head.hpp); by default the graph's softmax
    std::vector<Vec<A>> o(T, Vec<A>(D, a.input(Fixed{0, Format(2, 0)})));
    for (size_t hd = 0; hd < H; ++hd) {
      std::vector<Vec<A>> qh(T), kh(T), vh(T);
      for (size_t j = 0; j < T; ++j) {
        qh[j] = Vec<A>(q[j].begin() + hd * dh, q[j].begin() + (hd + 1) * dh);
        kh[j] = Vec<A>(k[j].begin() + hd * dh, k[j].begin() + (hd + 1) * dh);
        vh[j] = Vec<A>(v[j].begin() + hd * dh, v[j].begin() + (hd + 1) * dh);
      }
      std::vector<Vec<A>> oh = head.attend(a, HeadInput<A>{m, p, hd, d.attn_scale, qh, kh, vh});
      if (oh.size() != T)
        throw std::logic_error(fmt::format("{} head {}: the head policy returned {} rows, not {}", p, hd, oh.size(), T));
      for (size_t i = 0; i < T; ++i) {
        if (oh[i].size() != dh)
          throw std::logic_error(fmt::format("{} head {}: the head policy returned a row of {} values, not {}", p, hd,
                                             oh[i].size(), dh));
        for (size_t c = 0; c < dh; ++c) o[i][hd * dh + c] = std::move(oh[i][c]);
      }
    }
    const Format fr1 = m.act(p + ".resid1");
    for (size_t i = 0; i < T; ++i) {
      Vec<A> pr = linear(a, m, p + ".attn.proj", o[i], m.act(p + ".attn.proj"));
      observe(a, p, ".attn.proj", pr);
      for (size_t j = 0; j < D; ++j) x[i][j] = a.mul_add(mod[2][j], pr[j], x[i][j], fr1);
      observe(a, p, ".resid1", x[i]);
    }
    // MLP branch
    const Format fr2 = m.act(p + ".resid2");
    for (size_t i = 0; i < T; ++i) {
      Vec<A> y = modulate(a, layer_norm(a, m, p + ".ln2", x[i], d.ln_eps), mod[4], mod[3], m.act(p + ".ln2.mod"));
      observe(a, p, ".ln2.mod", y);
      Vec<A> mh = linear(a, m, p + ".mlp.fc1", y, m.act(p + ".mlp.hidden"));
      observe(a, p, ".mlp.hidden", mh);
      Vec<A> hh = unary_all(a, act, mh, m.act(p + ".mlp.act"));
      observe(a, p, ".mlp.act", hh);
      Vec<A> out = linear(a, m, p + ".mlp.fc2", hh, m.act(p + ".mlp.out"));
      observe(a, p, ".mlp.out", out);
      for (size_t j = 0; j < D; ++j) x[i][j] = a.mul_add(mod[5][j], out[j], x[i][j], fr2);
      observe(a, p, ".resid2", x[i]);
    }
  }
  // final layer: adaLN modulation, two linear heads, unpatchify
  const WeightTensor& fw = m.weight("final.adaLN.weight");
  const WeightTensor& fb = m.weight("final.adaLN.bias");
  Vec<A> shift = linear_rows(a, fw, fb, cond, m.act("final.shift"), 0, D);
  observe(a, "", "final.shift", shift);
  Vec<A> scale = linear_rows(a, fw, fb, cond, m.act("final.scale"), D, D, Rational(1));
  observe(a, "", "final.scale", scale);
  Heads<A> r;
  const bool want_u = wants(heads, HeadSet::u), want_abar = wants(heads, HeadSet::abar);
  if (want_u) r.u.resize(z.size(), a.input(Fixed{0, Format(2, 0)}));
  if (want_abar) r.abar.resize(z.size(), a.input(Fixed{0, Format(2, 0)}));
  for (size_t py = 0; py < G; ++py)
    for (size_t px = 0; px < G; ++px) {
      size_t p = py * G + px;
      Vec<A> y = modulate(a, layer_norm(a, m, "final.ln", x[p], d.ln_eps), scale, shift, m.act("final.ln.mod"));
      observe(a, "", "final.ln.mod", y);
      Vec<A> u, ab;
      if (want_u) {
        u = linear(a, m, "final.u", y, m.act("u"));
        observe(a, "", "u", u);
      }
      if (want_abar) {
        ab = linear(a, m, "final.abar", y, m.act("abar"));
        observe(a, "", "abar", ab);
      }
      for (size_t dy = 0; dy < P; ++dy)
        for (size_t dx = 0; dx < P; ++dx)
          for (size_t c = 0; c < C; ++c) {
            size_t kk = (dy * P + dx) * C + c, pix = c * S * S + (py * P + dy) * S + px * P + dx;
            if (want_u) r.u[pix] = u[kk];
            if (want_abar) r.abar[pix] = ab[kk];
          }
    }
  return r;
}

template <class A>
Heads<A> forward_mlp(const A& a, const Model& m, std::span<const typename A::Value> z, const Rational& t,
                     const Rational& s, HeadSet heads) {
  Vec<A> x(z.begin(), z.end());
  Vec<A> emb = time_embedding(a, m, t, s);
  x.insert(x.end(), emb.begin(), emb.end());
  for (int l = 0; l < m.config().mlp.depth; ++l) {
    std::string p = fmt::format("layers.{}", l);
    Vec<A> pre = linear(a, m, p, x, m.act(p + ".pre"));
    observe(a, p, ".pre", pre);
    x = unary_all(a, m.config().mlp.activation, pre, m.act(p + ".act"));
    observe(a, p, ".act", x);
  }
  Heads<A> r;
  if (wants(heads, HeadSet::u)) {
    r.u = linear(a, m, "head_u", x, m.act("u"));
    observe(a, "", "u", r.u);
  }
  if (wants(heads, HeadSet::abar)) {
    r.abar = linear(a, m, "head_abar", x, m.act("abar"));
    observe(a, "", "abar", r.abar);
  }
  return r;
}

}  // namespace detail

// One network evaluation: (u, abar) at (z, t, s), s the config's second time input, computing the
// heads in `heads` only. `head` computes each attention head of a DiT (attention_head.hpp); the
// default is the operation graph itself.
template <class A, class Head = ExactSoftmaxHead>
  requires ArithPolicy<A> && AttentionHeadPolicy<Head, A>
Heads<A> forward(const A& a, const Model& m, std::span<const typename A::Value> z, const Rational& t, const Rational& s,
                 const Head& head = Head{}, HeadSet heads = HeadSet::both) {
  if (z.size() != static_cast<size_t>(m.config().data_dim))
    throw std::invalid_argument(fmt::format("forward: input has {} values, the model takes {}", z.size(), m.config().data_dim));
  return m.config().architecture == Architecture::dit ? detail::forward_dit(a, m, z, t, s, head, heads)
                                                      : detail::forward_mlp(a, m, z, t, s, heads);
}

}  // namespace tc0::sampler
