#include "circuits/gadgets/select.hpp"

#include <fmt/format.h>

#include "circuits/gadgets/arith.hpp"

namespace tc0::circuits::gadgets {

template <class Ntk>
Signal and_absorb(Ntk& ntk, Signal s, Signal c) {
  if (!ntk.is_gate(s.index())) return make_and(ntk, s, c);
  GateView v = ntk.gate(ntk.gate_index(s.index()));
  std::vector<Signal> f(v.fanins.begin(), v.fanins.end());
  std::vector<Weight> w;
  Weight theta = v.theta;
  for (size_t i = 0; i < v.size(); ++i) w.push_back(v.weight(i));
  if (s.complemented()) {  // !([sum w f >= theta]) = [sum -w f >= 1 - theta]
    for (Weight& x : w) x = -x;
    theta = 1 - theta;
  }
  // With c = 0 the gate must stay off: big > (largest reachable sum) - theta.
  Weight pos = 0;
  for (Weight x : w)
    if (x > 0) pos = add_w(pos, x, "and_absorb");
  Weight big = std::max<Weight>(pos - theta + 1, 0);
  f.push_back(c);
  w.push_back(big);
  return ntk.create_threshold(f, w, add_w(theta, big, "and_absorb"));
}

template <class Ntk>
Bus mux(Ntk& ntk, Signal sel, const Bus& a, const Bus& b, GadgetStats* st) {
  if (a.bits.size() != b.bits.size())
    throw CircuitError(fmt::format("mux: inputs '{}' ({} bits) and '{}' ({} bits) differ in width", a.name,
                                   a.bits.size(), b.name, b.bits.size()));
  StatsRecorder<Ntk> rec(ntk, st);
  ModuleScopeOf<Ntk> scope(ntk, "mux");
  Bus out{"mux", a.fmt, a.is_signed, {}};
  for (size_t i = 0; i < a.bits.size(); ++i)
    out.bits.push_back(make_or(ntk, and_absorb(ntk, a.bits[i], sel), and_absorb(ntk, b.bits[i], !sel)));
  rec.finish(out.bits);
  return out;
}

template <class Ntk>
MaxResult max_argmax(Ntk& ntk, std::span<const Bus> xs, const MaxParams& ps, GadgetStats* st) {
  if (xs.empty()) throw CircuitError("max_argmax: needs at least one input");
  for (const Bus& x : xs)
    if (x.fmt != xs[0].fmt || x.is_signed != xs[0].is_signed || x.bits.size() != xs[0].bits.size())
      throw CircuitError(fmt::format("max_argmax: input '{}' is {} but '{}' is {}; convert them to one format first",
                                     x.name, x.fmt.str(), xs[0].name, xs[0].fmt.str()));
  StatsRecorder<Ntk> rec(ntk, st);
  ModuleScopeOf<Ntk> scope(ntk, "max_argmax");
  size_t n = xs.size(), width = xs[0].bits.size();
  // beats[i][j]: X_i wins against X_j (>= for j > i, > for j < i: ties go to the lowest index).
  std::vector<std::vector<Signal>> beats(n, std::vector<Signal>(n, kTrue));
  for (size_t i = 0; i < n; ++i)
    for (size_t j = i + 1; j < n; ++j) {
      Signal ge = compare_ge(ntk, xs[i], xs[j]);
      beats[i][j] = ge;
      beats[j][i] = !ge;
    }
  MaxResult r;
  r.max = Bus{"max", xs[0].fmt, xs[0].is_signed, {}};
  for (size_t b = 0; ps.want_max && b < width; ++b) {
    std::vector<Signal> candidates;
    for (size_t i = 0; i < n; ++i) {
      std::vector<Signal> f;
      for (size_t j = 0; j < n; ++j)
        if (j != i) f.push_back(beats[i][j]);
      f.push_back(xs[i].bits[b]);
      candidates.push_back(make_and(ntk, std::span<const Signal>(f)));  // X_i is the maximum and its bit b is set
    }
    r.max.bits.push_back(make_or(ntk, std::span<const Signal>(candidates)));
  }
  int ibits = 1;
  while ((size_t(1) << ibits) < n) ++ibits;
  ibits = std::max(ibits, 2);
  r.index = Bus{"argmax", numerics::Format(ibits, 0), false, {}};
  std::vector<Signal> winner;
  for (size_t i = 0; ps.want_argmax && i < n; ++i) {
    std::vector<Signal> f;
    for (size_t j = 0; j < n; ++j)
      if (j != i) f.push_back(beats[i][j]);
    winner.push_back(make_and(ntk, std::span<const Signal>(f)));
  }
  for (int b = 0; ps.want_argmax && b < ibits; ++b) {
    std::vector<Signal> f;
    for (size_t i = 0; i < n; ++i)
      if (i >> b & 1) f.push_back(winner[i]);
    r.index.bits.push_back(make_or(ntk, std::span<const Signal>(f)));
  }
  std::vector<Signal> outs = r.max.bits;
  outs.insert(outs.end(), r.index.bits.begin(), r.index.bits.end());
  rec.finish(outs);
  return r;
}

#define TC0_AND_ABSORB(N) Signal and_absorb<N>(N&, Signal, Signal)
#define TC0_MUX(N) Bus mux<N>(N&, Signal, const Bus&, const Bus&, GadgetStats*)
#define TC0_MAX_ARGMAX(N) MaxResult max_argmax<N>(N&, std::span<const Bus>, const MaxParams&, GadgetStats*)
TC0_GADGET_INSTANTIATE(TC0_AND_ABSORB)
TC0_GADGET_INSTANTIATE(TC0_MUX)
TC0_GADGET_INSTANTIATE(TC0_MAX_ARGMAX)

}  // namespace tc0::circuits::gadgets
