#include "sampler/compile/estimate.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <string>

#include "sampler/samplers.hpp"

namespace tc0::sampler::compile {

namespace {

// A value: its format, and whether it is a constant (terms of constants cost nothing).
struct EV {
  Format fmt{2, 0};
  bool constant = false;
};

class EstimateArith {
 public:
  using Value = EV;
  EstimateArith(SizeEstimate& e, circuits::gadgets::LinearFormParams ps) : e_(&e), ps_(ps) {}

  EV input(const Fixed& x) const { return EV{x.fmt, true}; }
  EV constant(const Const& c) const { return EV{c.fixed.fmt, true}; }
  EV trig(Trig, const Rational&, Format out) const { return EV{out, true}; }
  EV linear(std::span<const Const> w, std::span<const EV> x, std::span<const Const>, const Rational&, Format out) const {
    double t = 0;
    for (size_t i = 0; i < x.size(); ++i)
      if (!x[i].constant && w[i].fixed.raw != 0) t += x[i].fmt.width();
    return form(t, out);
  }
  EV lincomb(const Rational&, std::span<const Rational> c, std::span<const EV> x, Format out) const {
    double t = 0;
    for (size_t i = 0; i < x.size(); ++i)
      if (!x[i].constant && c[i] != 0) t += x[i].fmt.width();
    return form(t, out);
  }
  EV dot(std::span<const EV> x, std::span<const EV> y, const Rational&, const Rational&, Format out) const {
    double t = 0;
    for (size_t i = 0; i < x.size(); ++i) t += products(x[i], y[i]);
    return form(t, out);
  }
  EV mul(const EV& a, const EV& b, Format out) const { return form(products(a, b), out); }
  EV mul_add(const EV& a, const EV& b, const EV& c, Format out) const {
    return form(products(a, b) + (c.constant ? 0 : c.fmt.width()), out);
  }
  EV sum(std::span<const EV> x, Format out) const {
    double t = 0;
    for (const EV& v : x) t += v.constant ? 0 : v.fmt.width();
    return form(t, out);
  }
  EV max(std::span<const EV> x, Format out) const {
    double n = double(x.size()), w = x.empty() ? 0 : x[0].fmt.width();
    e_->gates += n * (n - 1) / 2 + n * w + w;
    e_->edges += n * (n - 1) / 2 * 2 * w + n * w * (n + 1) + w * n;
    ++e_->operations;
    return form(w, out);  // the final conversion
  }
  EV unary(UnaryFn, const EV& x, Format out) const {
    double changes = std::ldexp(1.0, x.fmt.width());  // at most one per input value
    e_->gates += changes + out.width();
    e_->edges += changes * x.fmt.width() + out.width() * changes;
    ++e_->operations;
    return EV{out, x.constant};
  }
  EV convert(const EV& x, Format out) const { return form(x.constant ? 0 : x.fmt.width(), out); }
  double to_double(const EV&) const { return 0; }

 private:
  double products(const EV& a, const EV& b) const {
    if (a.constant || b.constant) return (a.constant ? 0 : a.fmt.width()) + (b.constant ? 0 : b.fmt.width());
    double p = double(a.fmt.width()) * b.fmt.width();
    e_->gates += p;
    e_->edges += 2 * p;
    return p;
  }
  // one linear form of t terms with a w-bit output: grouping as linear_form_bus applies it
  EV form(double t, Format out) const {
    ++e_->operations;
    const double g = ps_.group_size ? ps_.group_size : 16;
    for (int budget = ps_.depth_budget; budget >= 4 && t > g; budget -= 2) {
      const double groups = std::ceil(t / g);
      const double gw = std::ceil(std::log2(g)) + 16;  // bits of one group sum (weights up to 2^15)
      add_form(g, gw, groups);
      t = groups * gw;
    }
    add_form(t, out.width(), 1);
    return EV{out, t == 0};
  }
  void add_form(double t, double w, double copies) const {
    if (t == 0) return;
    const double thermo = (w + 1) * (t / 2 + 1);
    e_->gates += copies * (thermo + w + 2);
    e_->edges += copies * (thermo * t + w * (t + t / 2 + 3) + 2 * t);
  }
  SizeEstimate* e_;
  circuits::gadgets::LinearFormParams ps_;
};

static_assert(ArithPolicy<EstimateArith>);

}  // namespace

SizeEstimate estimate_sampler(const Model& m, const SamplerSpec& spec, const circuits::gadgets::LinearFormParams& ps) {
  SizeEstimate e;
  EstimateArith a(e, ps);
  std::vector<Fixed> zero(size_t(m.config().data_dim), Fixed{0, m.act("state")});
  std::vector<EV> z;
  for (const Fixed& f : zero) z.push_back(EV{f.fmt, false});
  for (size_t k = 0; k + 1 < spec.grid.size(); ++k) z = sampler_step(a, m, spec.kind, spec.c, z, spec.grid[k], spec.grid[k + 1]);
  return e;
}

uint64_t available_memory_bytes() {
  std::ifstream f("/proc/meminfo");
  std::string key;
  uint64_t kb = 0;
  std::string unit;
  while (f >> key >> kb >> unit)
    if (key == "MemAvailable:") return kb * 1024;
  return 0;
}

}  // namespace tc0::sampler::compile
