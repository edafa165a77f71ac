#pragma once
// The samplers of SPEC 1.4 on a grid 1 = t_0 > ... > t_K = 0, generic in the arithmetic policy.
//   MF1:   z_r = z_t - (t-r) u(z_t, r, t)
//   MF2:   z_r = z_t - (t-r) v(z_t, t) + c (t-r)^2 abar(z_t, r, t),  v(z, t) = u(z, t, t)
//   Euler: z_r = z_t - (t-r) v(z_t, t)
// Each update is one linear form with exact rational coefficients, rounded once to the state
// format, so r = t gives exactly z_t (SPEC section 5, boundary). Each evaluation computes only the
// head its update reads (HeadSet), so every operation of a step feeds the next state.
#include <vector>

#include "sampler/network.hpp"

namespace tc0::sampler {

// `head` computes the attention heads of a DiT (attention_head.hpp; default: the operation graph).
template <class A, class Head = ExactSoftmaxHead>
  requires ArithPolicy<A> && AttentionHeadPolicy<Head, A>
std::vector<typename A::Value> sampler_step(const A& a, const Model& m, SamplerKind kind, const Rational& c,
                                            const std::vector<typename A::Value>& z, const Rational& t,
                                            const Rational& r, const Head& head = Head{}) {
  const ModelConfig& cfg = m.config();
  const Rational dt = t - r;
  const Format fz = m.act("state");
  std::vector<typename A::Value> out;
  out.reserve(z.size());
  if (kind == SamplerKind::mf2) {
    // the two evaluations are independent (a circuit runs them in parallel)
    Heads<A> hv = forward(a, m, std::span<const typename A::Value>(z), t, cfg.second_time(t, t), head, HeadSet::u);
    Heads<A> ha = forward(a, m, std::span<const typename A::Value>(z), t, cfg.second_time(t, r), head, HeadSet::abar);
    const std::array<Rational, 3> k{Rational(1), -dt, c * dt * dt};
    for (size_t i = 0; i < z.size(); ++i) {
      std::array<typename A::Value, 3> x{z[i], hv.u[i], ha.abar[i]};
      out.push_back(a.lincomb(Rational(0), k, x, fz));
    }
    observe(a, "", "state", out);
    return out;
  }
  Heads<A> h = forward(a, m, std::span<const typename A::Value>(z), t,
                       kind == SamplerKind::mf1 ? cfg.second_time(t, r) : cfg.second_time(t, t), head, HeadSet::u);
  const std::array<Rational, 2> k{Rational(1), -dt};
  for (size_t i = 0; i < z.size(); ++i) {
    std::array<typename A::Value, 2> x{z[i], h.u[i]};
    out.push_back(a.lincomb(Rational(0), k, x, fz));
  }
  observe(a, "", "state", out);
  return out;
}

// Runs the sampler from the quantised noise e (already in the state format) over the grid.
template <class A, class Head = ExactSoftmaxHead>
  requires ArithPolicy<A> && AttentionHeadPolicy<Head, A>
std::vector<typename A::Value> sample(const A& a, const Model& m, const SamplerSpec& spec, const std::vector<Fixed>& e,
                                      const Head& head = Head{}) {
  std::vector<typename A::Value> z;
  z.reserve(e.size());
  for (const Fixed& v : e) z.push_back(a.input(v));
  for (size_t i = 0; i + 1 < spec.grid.size(); ++i) z = sampler_step(a, m, spec.kind, spec.c, z, spec.grid[i], spec.grid[i + 1], head);
  return z;
}

}  // namespace tc0::sampler
