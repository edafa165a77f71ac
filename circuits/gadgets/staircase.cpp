#include "circuits/gadgets/staircase.hpp"

#include <fmt/format.h>

namespace tc0::circuits::gadgets {

namespace {

// The staircase's gates: one step gate [terms >= theta] per value change (one family over the
// form's fan-in list), then one output gate per bit adding up that bit's changes.
struct Step {
  Weight theta;
  int64_t before, after;  // output values just below and at the step
};

template <class Ntk>
Bus staircase_bits(Ntk& ntk, const LinearForm& lf, const std::vector<Step>& steps, int64_t first,
                   numerics::Format out, const std::string& name) {
  std::vector<Signal> f_sig;
  std::vector<Weight> f_w;
  for (const Term& t : lf.terms) f_sig.push_back(t.s), f_w.push_back(t.w);
  std::vector<Weight> thetas;
  for (const Step& s : steps) thetas.push_back(s.theta);
  std::vector<Signal> step_gates(steps.size());
  ntk.create_threshold_family(f_sig, f_w, thetas, step_gates);
  const int width = out.width();
  Bus bus;
  bus.name = name;
  bus.fmt = out;
  std::vector<Signal> ins;
  std::vector<Weight> ws;
  for (int b = 0; b < width; ++b) {
    ins.clear();
    ws.clear();
    for (size_t i = 0; i < steps.size(); ++i) {
      const int d = int((uint64_t(steps[i].after) >> b) & 1) - int((uint64_t(steps[i].before) >> b) & 1);
      if (d != 0) ins.push_back(step_gates[i]), ws.push_back(d);
    }
    bus.bits.push_back(ntk.create_threshold(ins, ws, 1 - int((uint64_t(first) >> b) & 1)));
  }
  return bus;
}

}  // namespace

template <class Ntk>
Bus staircase(Ntk& ntk, const LinearForm& lf, const std::function<int64_t(int64_t)>& f, numerics::Format out,
              GadgetStats* st, const std::string& name) {
  StatsRecorder<Ntk> rec(ntk, st);
  ModuleScopeOf<Ntk> scope(ntk, "staircase");
  Weight lo = lf.min_value(), hi = lf.max_value();
  if (hi - lo > (Weight(1) << 17))
    throw CircuitError(fmt::format("staircase: the form spans {} values, more than 2^17; tables serve inputs of at "
                                   "most 16 bits, so round the form to a table format first",
                                   int64_t(hi - lo + 1)));
  if (lo < INT64_MIN / 2 || hi > INT64_MAX / 2)
    throw CircuitError("staircase: the form's values do not fit in 62 bits");
  auto value = [&](int64_t v) {
    int64_t r = f(v);
    if (!out.contains_raw(r))
      throw CircuitError(fmt::format("staircase: f({}) = {} does not fit the output format {}", v, r, out.str()));
    return r;
  };
  std::vector<Step> steps;
  const int64_t first = value(int64_t(lo));
  int64_t prev = first;
  for (int64_t v = int64_t(lo) + 1; v <= int64_t(hi); ++v) {
    const int64_t cur = value(v);
    if (cur == prev) continue;
    steps.push_back(Step{Weight(v) - lf.constant, prev, cur});  // [S >= v]
    prev = cur;
  }
  Bus bus = staircase_bits(ntk, lf, steps, first, out, name);
  rec.finish(bus.bits);
  return bus;
}

template <class Ntk>
Bus function_of_bus(Ntk& ntk, const Bus& x, const std::function<int64_t(int64_t)>& f, numerics::Format out,
                    GadgetStats* st, const std::string& name) {
  if (x.bits.size() > 16)
    throw CircuitError(fmt::format("function_of_bus: input '{}' has {} bits; tables serve at most 16 (SPEC section 2)",
                                   x.name, x.bits.size()));
  LinearForm lf;
  append_bus_terms(lf, x, 1, 0, "function_of_bus");
  return staircase(ntk, lf, f, out, st, name);
}

template <class Ntk>
Bus unary_table(Ntk& ntk, const Bus& x, numerics::UnaryFn fn, numerics::Format out, GadgetStats* st) {
  if (!x.is_signed || x.bits.size() != size_t(x.fmt.width()) || x.bits.size() > 16)
    throw CircuitError(fmt::format("unary_table: input '{}' must be a signed bus of at most 16 bits matching its "
                                   "format (got {} bits, {})",
                                   x.name, x.bits.size(), x.fmt.str()));
  const numerics::Table& table = numerics::Table::get(fn, x.fmt, out);
  return function_of_bus(ntk, x, [&table](int64_t v) { return table.lookup(v); }, out, st,
                         std::string(numerics::name(fn)));
}

namespace {

// Smallest integer S with round_to_format(S * 2^-frac, table) >= t, for t above the format's minimum.
Weight first_reaching(int64_t t, int frac, numerics::Format table) {
  int s = frac - table.frac();  // right shift of the rounding
  if (s >= 1) {
    // S / 2^s rounds to >= t when S / 2^s > t - 1/2, or on the tie t - 1/2 when t is even (ties to even).
    Weight base = mul_w(Weight(t), pow2_w(s, "function_of_linear_form"), "function_of_linear_form");
    return base - pow2_w(s - 1, "function_of_linear_form") + ((t & 1) ? 1 : 0);
  }
  Weight m = pow2_w(-s, "function_of_linear_form");  // exact left shift: S * m >= t
  Weight q = Weight(t) / m;
  if (Weight(t) % m != 0 && t > 0) ++q;
  return q;
}

}  // namespace

template <class Ntk>
Bus function_of_linear_form(Ntk& ntk, const LinearForm& lf, numerics::Format table_in,
                            const std::function<int64_t(int64_t)>& f, numerics::Format out, GadgetStats* st,
                            const std::string& name) {
  if (table_in.width() > 16)
    throw CircuitError(fmt::format("function_of_linear_form: table format {} is wider than 16 bits (SPEC section 2)",
                                   table_in.str()));
  StatsRecorder<Ntk> rec(ntk, st);
  ModuleScopeOf<Ntk> scope(ntk, "function_of_form");
  auto value = [&](int64_t t) {
    int64_t r = f(t);
    if (!out.contains_raw(r))
      throw CircuitError(fmt::format("function_of_linear_form: f({}) = {} does not fit the output format {}", t, r,
                                     out.str()));
    return r;
  };
  lf.min_value();  // refuses forms beyond the supported magnitude
  lf.max_value();
  std::vector<Step> steps;
  const int64_t first = value(table_in.min_raw());
  int64_t prev = first;
  for (int64_t t = table_in.min_raw() + 1; t <= table_in.max_raw(); ++t) {
    const int64_t cur = value(t);
    if (cur == prev) continue;
    const Weight v = first_reaching(t, lf.frac, table_in);
    steps.push_back(Step{add_w(v, -lf.constant, "function_of_linear_form"), prev, cur});
    prev = cur;
  }
  Bus bus = staircase_bits(ntk, lf, steps, first, out, name);
  rec.finish(bus.bits);
  return bus;
}

#define TC0_STAIRCASE(N)                                                                                          \
  Bus staircase<N>(N&, const LinearForm&, const std::function<int64_t(int64_t)>&, numerics::Format, GadgetStats*, \
                   const std::string&)
#define TC0_FUNCTION_OF_BUS(N)                                                                                   \
  Bus function_of_bus<N>(N&, const Bus&, const std::function<int64_t(int64_t)>&, numerics::Format, GadgetStats*, \
                         const std::string&)
#define TC0_UNARY_TABLE(N) Bus unary_table<N>(N&, const Bus&, numerics::UnaryFn, numerics::Format, GadgetStats*)
#define TC0_FUNCTION_OF_FORM(N)                                                                                   \
  Bus function_of_linear_form<N>(N&, const LinearForm&, numerics::Format, const std::function<int64_t(int64_t)>&, \
                                 numerics::Format, GadgetStats*, const std::string&)
TC0_GADGET_INSTANTIATE(TC0_STAIRCASE)
TC0_GADGET_INSTANTIATE(TC0_FUNCTION_OF_BUS)
TC0_GADGET_INSTANTIATE(TC0_UNARY_TABLE)
TC0_GADGET_INSTANTIATE(TC0_FUNCTION_OF_FORM)

}  // namespace tc0::circuits::gadgets
