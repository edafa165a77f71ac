#include "circuits/gadgets/arith.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace tc0::circuits::gadgets {

namespace {

// x + sign * y on the common grid.
LinearForm two_operand(const Bus& x, const Bus& y, int sign, int min_frac, const char* what) {
  LinearForm lf;
  lf.frac = std::max({x.fmt.frac(), y.fmt.frac(), min_frac});
  append_bus_terms(lf, x, 1, lf.frac - x.fmt.frac(), what);
  append_bus_terms(lf, y, sign, lf.frac - y.fmt.frac(), what);
  return lf;
}

Weight bit_weight(const Bus& b, size_t i) {
  Weight w = Weight(1) << i;
  return b.is_signed && i + 1 == b.bits.size() ? -w : w;
}

}  // namespace

template <class Ntk>
Signal compare_ge(Ntk& ntk, const Bus& x, const Bus& y, GadgetStats* st) {
  StatsRecorder<Ntk> rec(ntk, st);
  ModuleScopeOf<Ntk> scope(ntk, "compare_ge");
  LinearForm lf = two_operand(x, y, -1, 0, "compare_ge");
  std::vector<Signal> f;
  std::vector<Weight> w;
  for (const Term& t : lf.terms) f.push_back(t.s), w.push_back(t.w);
  Signal out = ntk.create_threshold(f, w, 0);
  rec.finish(std::span<const Signal>(&out, 1));
  return out;
}

template <class Ntk>
Bus add(Ntk& ntk, const Bus& x, const Bus& y, numerics::Format out, const LinearFormParams& ps, GadgetStats* st) {
  ModuleScopeOf<Ntk> scope(ntk, "add");
  return linear_form_bus(ntk, two_operand(x, y, 1, 0, "add"), out, ps, st, "sum");
}

template <class Ntk>
Bus sub(Ntk& ntk, const Bus& x, const Bus& y, numerics::Format out, const LinearFormParams& ps, GadgetStats* st) {
  ModuleScopeOf<Ntk> scope(ntk, "sub");
  return linear_form_bus(ntk, two_operand(x, y, -1, 0, "sub"), out, ps, st, "difference");
}

template <class Ntk>
Bus add_exact(Ntk& ntk, const Bus& x, const Bus& y, GadgetStats* st) {
  int f = std::max(x.fmt.frac(), y.fmt.frac());
  int w = std::max(x.fmt.width() + f - x.fmt.frac(), y.fmt.width() + f - y.fmt.frac()) + 1;
  if (w > numerics::Format::kMaxWidth)
    throw CircuitError(fmt::format("add_exact: the exact sum of {} and {} needs {} bits, more than {}", x.fmt.str(),
                                   y.fmt.str(), w, numerics::Format::kMaxWidth));
  return add(ntk, x, y, numerics::Format(w, f), {}, st);
}

template <class Ntk>
Bus multiply(Ntk& ntk, const Bus& x, const Bus& y, numerics::Format out, const LinearFormParams& ps,
             GadgetStats* st) {
  StatsRecorder<Ntk> rec(ntk, st);
  ModuleScopeOf<Ntk> scope(ntk, "multiply");
  // Partial products x_i y_j (one AND each, depth 1) weigh +-2^(i+j); the sign bits weigh negatively.
  LinearForm lf;
  lf.frac = x.fmt.frac() + y.fmt.frac();
  {
    ModuleScopeOf<Ntk> pp(ntk, "partial_products");
    for (size_t i = 0; i < x.bits.size(); ++i)
      for (size_t j = 0; j < y.bits.size(); ++j)
        lf.terms.push_back({make_and(ntk, x.bits[i], y.bits[j]), mul_w(bit_weight(x, i), bit_weight(y, j), "multiply")});
  }
  Bus bus = linear_form_bus(ntk, lf, out, ps, nullptr, "product");
  rec.finish(bus.bits);
  return bus;
}

template <class Ntk>
Bus multiply_full(Ntk& ntk, const Bus& x, const Bus& y, GadgetStats* st) {
  // A signed result holds a signed product in wx + wy bits; an unsigned operand needs one more.
  int w = x.fmt.width() + y.fmt.width() + (x.is_signed && y.is_signed ? 0 : 1);
  if (w > numerics::Format::kMaxWidth)
    throw CircuitError(fmt::format("multiply_full: the product of {} and {} needs {} bits, more than {}; use "
                                   "multiply() with a rounded output format",
                                   x.fmt.str(), y.fmt.str(), w, numerics::Format::kMaxWidth));
  return multiply(ntk, x, y, numerics::Format(w, x.fmt.frac() + y.fmt.frac()), {}, st);
}

#define TC0_COMPARE(N) Signal compare_ge<N>(N&, const Bus&, const Bus&, GadgetStats*)
#define TC0_ADD(N) Bus add<N>(N&, const Bus&, const Bus&, numerics::Format, const LinearFormParams&, GadgetStats*)
#define TC0_SUB(N) Bus sub<N>(N&, const Bus&, const Bus&, numerics::Format, const LinearFormParams&, GadgetStats*)
#define TC0_ADD_EXACT(N) Bus add_exact<N>(N&, const Bus&, const Bus&, GadgetStats*)
#define TC0_MULTIPLY(N) Bus multiply<N>(N&, const Bus&, const Bus&, numerics::Format, const LinearFormParams&, GadgetStats*)
#define TC0_MULTIPLY_FULL(N) Bus multiply_full<N>(N&, const Bus&, const Bus&, GadgetStats*)
TC0_GADGET_INSTANTIATE(TC0_COMPARE)
TC0_GADGET_INSTANTIATE(TC0_ADD)
TC0_GADGET_INSTANTIATE(TC0_SUB)
TC0_GADGET_INSTANTIATE(TC0_ADD_EXACT)
TC0_GADGET_INSTANTIATE(TC0_MULTIPLY)
TC0_GADGET_INSTANTIATE(TC0_MULTIPLY_FULL)

}  // namespace tc0::circuits::gadgets
