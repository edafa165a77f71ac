#include "circuits/gadgets/staircase.hpp"

#include <fmt/format.h>

namespace tc0::circuits::gadgets {

Bus staircase(Network& ntk, const LinearForm& lf, const std::function<int64_t(int64_t)>& f, numerics::Format out,
              GadgetStats* st, const std::string& name) {
  StatsRecorder rec(ntk, st);
  Network::ModuleScope scope(ntk, "staircase");
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
  std::vector<Signal> f_sig;
  std::vector<Weight> f_w;
  for (const Term& t : lf.terms) f_sig.push_back(t.s), f_w.push_back(t.w);
  int width = out.width();
  std::vector<std::vector<Signal>> ins(width);
  std::vector<std::vector<Weight>> ws(width);
  int64_t first = value(int64_t(lo)), prev = first;
  for (int64_t v = int64_t(lo) + 1; v <= int64_t(hi); ++v) {
    int64_t cur = value(v);
    if (cur == prev) continue;
    Signal step = ntk.create_threshold(f_sig, f_w, Weight(v) - lf.constant);  // [S >= v]
    for (int b = 0; b < width; ++b) {
      int d = int((uint64_t(cur) >> b) & 1) - int((uint64_t(prev) >> b) & 1);
      if (d != 0) ins[b].push_back(step), ws[b].push_back(d);
    }
    prev = cur;
  }
  Bus bus;
  bus.name = name;
  bus.fmt = out;
  for (int b = 0; b < width; ++b) {
    int base = int((uint64_t(first) >> b) & 1);
    bus.bits.push_back(ntk.create_threshold(ins[b], ws[b], 1 - base));
  }
  rec.finish(bus.bits);
  return bus;
}

Bus function_of_bus(Network& ntk, const Bus& x, const std::function<int64_t(int64_t)>& f, numerics::Format out,
                    GadgetStats* st, const std::string& name) {
  if (x.bits.size() > 16)
    throw CircuitError(fmt::format("function_of_bus: input '{}' has {} bits; tables serve at most 16 (SPEC section 2)",
                                   x.name, x.bits.size()));
  LinearForm lf;
  append_bus_terms(lf, x, 1, 0, "function_of_bus");
  return staircase(ntk, lf, f, out, st, name);
}

}  // namespace tc0::circuits::gadgets
