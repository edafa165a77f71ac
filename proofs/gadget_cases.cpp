#include "proofs/gadget_cases.hpp"

#include <fmt/format.h>

#include <random>
#include <stdexcept>

#include "circuits/gadgets/arith.hpp"
#include "circuits/gadgets/linear_form.hpp"
#include "circuits/gadgets/select.hpp"
#include "circuits/gadgets/staircase.hpp"
#include "numerics/fixed.hpp"
#include "proofs/fixed_spec.hpp"

namespace tc0::proofs {

namespace g = circuits::gadgets;
using circuits::Bus;
using circuits::Network;
using numerics::Fixed;
using numerics::Format;
using numerics::Rational;

namespace {

Format fx(int n) { return Format(n, n / 2); }
Format fy(int n) { return Format(n, n / 2 - 1); }
Format fout(int n) { return Format(n, n / 2); }

Fixed fixed(int64_t raw, Format f) { return Fixed::from_raw(raw, f); }

// An exact gadget's output format computed here, independently of the gadget: the operands aligned
// to the finer grid, plus one carry bit.
Format exact_sum_format(Format a, Format b) {
  int f = std::max(a.frac(), b.frac());
  int w = std::max(a.width() + f - a.frac(), b.width() + f - b.frac()) + 1;
  return Format(w, f);
}

z3::expr exact_to(const ExactBV& e, Format f) {
  ExactBV a = align(e, f.frac());
  if (a.width() > unsigned(f.width())) return a.bits.extract(unsigned(f.width()) - 1, 0);  // checked by the claim
  return sext_to(a.bits, unsigned(f.width()));
}

void expect_format(const Bus& b, Format f, const std::string& what) {
  if (b.fmt != f)
    throw std::logic_error(fmt::format("{}: output format {} differs from the exact format {}", what, b.fmt.str(), f.str()));
}

GadgetCase two_operand(const std::string& name, int n, bool subtract, bool round) {
  GadgetCase gc;
  gc.name = fmt::format("{}/{}", name, n);
  Format a = fx(n), b = fy(n);
  Bus x = gc.ntk.create_input_bus("x", a), y = gc.ntk.create_input_bus("y", b);
  Format out = round ? fout(n) : exact_sum_format(a, b);
  Bus z = round ? (subtract ? g::sub(gc.ntk, x, y, out) : g::add(gc.ntk, x, y, out)) : g::add_exact(gc.ntk, x, y);
  if (!round) expect_format(z, out, gc.name);
  gc.ntk.add_output_bus(z);
  gc.params = fmt::format("x {} {} y {} -> {}{}", a.str(), subtract ? "-" : "+", b.str(), out.str(), round ? " rounded" : " exact");
  gc.encode = [=](const std::vector<z3::expr>& in) {
    ExactBV e = subtract ? exact_sub(exact_raw(in[0], a), exact_raw(in[1], b)) : exact_add(exact_raw(in[0], a), exact_raw(in[1], b));
    return std::vector<z3::expr>{round ? round_to_format(e, out) : exact_to(e, out)};
  };
  gc.reference = [=](const std::vector<int64_t>& v) {
    Fixed r = subtract ? numerics::sub(fixed(v[0], a), fixed(v[1], b), out) : numerics::add(fixed(v[0], a), fixed(v[1], b), out);
    return std::vector<int64_t>{r.raw};
  };
  return gc;
}

GadgetCase compare_case(int n) {
  GadgetCase gc;
  gc.name = fmt::format("gadget.compare/{}", n);
  Format a = fx(n), b = fy(n);
  Bus x = gc.ntk.create_input_bus("x", a), y = gc.ntk.create_input_bus("y", b);
  circuits::Signal s = g::compare_ge(gc.ntk, x, y);
  gc.ntk.add_output_bus(Bus{"ge", Format(2, 0), false, {s}});
  gc.params = fmt::format("[x {} >= y {}]", a.str(), b.str());
  gc.encode = [=](const std::vector<z3::expr>& in) {
    z3::context& c = in[0].ctx();
    return std::vector<z3::expr>{z3::ite(exact_le(exact_raw(in[1], b), exact_raw(in[0], a)), c.bv_val(1, 1), c.bv_val(0, 1))};
  };
  gc.reference = [=](const std::vector<int64_t>& v) {
    return std::vector<int64_t>{numerics::compare(fixed(v[0], a), fixed(v[1], b)) >= 0 ? 1 : 0};
  };
  return gc;
}

GadgetCase multiply_case(int n, bool full) {
  GadgetCase gc;
  gc.name = fmt::format("{}/{}", full ? "gadget.multiply_full" : "gadget.multiply", n);
  Format a = fx(n), b = fx(n);
  Bus x = gc.ntk.create_input_bus("x", a), y = gc.ntk.create_input_bus("y", b);
  Format out = full ? Format(2 * n, 2 * (n / 2)) : fout(n);
  Bus z = full ? g::multiply_full(gc.ntk, x, y) : g::multiply(gc.ntk, x, y, out);
  if (full) expect_format(z, out, gc.name);
  gc.ntk.add_output_bus(z);
  gc.params = fmt::format("x {} * y {} -> {}", a.str(), b.str(), out.str());
  gc.encode = [=](const std::vector<z3::expr>& in) {
    ExactBV e = exact_mul(exact_raw(in[0], a), exact_raw(in[1], b));
    return std::vector<z3::expr>{full ? exact_to(e, out) : round_to_format(e, out)};
  };
  gc.reference = [=](const std::vector<int64_t>& v) {
    return std::vector<int64_t>{numerics::mul(fixed(v[0], a), fixed(v[1], b), out).raw};
  };
  return gc;
}

// m buses of Q(n, n/2) summed into Q(n, n/2 - 1): rounding and saturation both occur.
GadgetCase sum_case(int n) {
  const int m = 4;
  GadgetCase gc;
  gc.name = fmt::format("gadget.sum4/{}", n);
  Format a = fx(n), out = fy(n);
  std::vector<Bus> xs;
  for (int i = 0; i < m; ++i) xs.push_back(gc.ntk.create_input_bus(fmt::format("x{}", i), a));
  gc.ntk.add_output_bus(g::sum_buses(gc.ntk, xs, out));
  gc.params = fmt::format("x0+x1+x2+x3, {} -> {}", a.str(), out.str());
  gc.encode = [=](const std::vector<z3::expr>& in) {
    ExactBV s = exact_raw(in[0], a);
    for (int i = 1; i < m; ++i) s = exact_add(s, exact_raw(in[i], a));
    return std::vector<z3::expr>{round_to_format(s, out)};
  };
  gc.reference = [=](const std::vector<int64_t>& v) {
    std::vector<Fixed> t;
    for (int64_t r : v) t.push_back(fixed(r, a));
    return std::vector<int64_t>{numerics::sum(t, out).raw};
  };
  return gc;
}

// K + sum c_i x_i with constants of mixed signs and grids, x_i of two formats.
GadgetCase dot_const_case(int n) {
  GadgetCase gc;
  gc.name = fmt::format("gadget.dot_const/{}", n);
  struct C { int64_t raw; int frac; };
  const C k{1, 3};
  const std::vector<C> cs{{3, 2}, {-5, 3}, {7, 4}};
  const std::vector<Format> fs{fx(n), fy(n), fx(n)};
  Format out = fout(n);
  std::vector<Bus> xs;
  for (size_t i = 0; i < cs.size(); ++i) xs.push_back(gc.ntk.create_input_bus(fmt::format("x{}", i), fs[i]));
  std::vector<g::Constant> gcs;
  for (auto c : cs) gcs.push_back({c.raw, c.frac});
  gc.ntk.add_output_bus(g::dot_const(gc.ntk, {k.raw, k.frac}, gcs, xs, out));
  gc.params = fmt::format("1/8 + 3/4 x0 - 5/8 x1 + 7/16 x2 -> {}", out.str());
  gc.encode = [=](const std::vector<z3::expr>& in) {
    ExactBV s = exact_const(in[0].ctx(), k.raw, k.frac);
    for (size_t i = 0; i < cs.size(); ++i) s = exact_add(s, exact_mul_const(exact_raw(in[i], fs[i]), cs[i].raw, cs[i].frac));
    return std::vector<z3::expr>{round_to_format(s, out)};
  };
  gc.reference = [=](const std::vector<int64_t>& v) {
    std::vector<Rational> rc;
    std::vector<Fixed> xv;
    for (size_t i = 0; i < cs.size(); ++i) {
      rc.push_back(Rational(cs[i].raw, int64_t(1) << cs[i].frac));
      xv.push_back(fixed(v[i], fs[i]));
    }
    return std::vector<int64_t>{numerics::linear_form(Rational(k.raw, int64_t(1) << k.frac), rc, xv, out).raw};
  };
  return gc;
}

GadgetCase mul_const_case(int n) {
  GadgetCase gc;
  gc.name = fmt::format("gadget.mul_const/{}", n);
  Format a = fx(n), out = fout(n);
  Bus x = gc.ntk.create_input_bus("x", a);
  gc.ntk.add_output_bus(g::mul_const(gc.ntk, x, {-11, 4}, out));
  gc.params = fmt::format("x {} * -11/16 -> {}", a.str(), out.str());
  gc.encode = [=](const std::vector<z3::expr>& in) {
    return std::vector<z3::expr>{round_to_format(exact_mul_const(exact_raw(in[0], a), -11, 4), out)};
  };
  gc.reference = [=](const std::vector<int64_t>& v) {
    return std::vector<int64_t>{numerics::mul_const(fixed(v[0], a), Rational(-11, 16), out).raw};
  };
  return gc;
}

// A monotone staircase: round(3 x / 8) saturated to 4 bits (rounding + saturation as a table).
GadgetCase staircase_round_case(int n) {
  GadgetCase gc;
  gc.name = fmt::format("gadget.staircase_round/{}", n);
  Format a(n, 0), out(4, 0);
  Bus x = gc.ntk.create_input_bus("x", a);
  auto f = [=](int64_t raw) { return numerics::mul_const(fixed(raw, a), Rational(3, 8), out).raw; };
  gc.ntk.add_output_bus(g::function_of_bus(gc.ntk, x, f, out));
  gc.params = fmt::format("sat(round(3x/8)), x {} -> {}", a.str(), out.str());
  gc.encode = [=](const std::vector<z3::expr>& in) {
    return std::vector<z3::expr>{round_to_format(exact_mul_const(exact_raw(in[0], a), 3, 3), out)};
  };
  gc.reference = [=](const std::vector<int64_t>& v) { return std::vector<int64_t>{f(v[0])}; };
  return gc;
}

// A random table (seeded by the width): the general staircase, specified as an ite chain.
GadgetCase staircase_table_case(int n) {
  GadgetCase gc;
  gc.name = fmt::format("gadget.staircase_table/{}", n);
  Format a(n, 0), out(std::min(n, 6), 0);
  std::mt19937_64 rng(1000 + n);
  std::vector<int64_t> table(size_t(1) << n);
  for (auto& t : table) t = out.min_raw() + int64_t(rng() % uint64_t(out.max_raw() - out.min_raw() + 1));
  auto f = [=](int64_t raw) { return table[size_t(raw - a.min_raw())]; };
  Bus x = gc.ntk.create_input_bus("x", a);
  gc.ntk.add_output_bus(g::function_of_bus(gc.ntk, x, f, out));
  gc.params = fmt::format("random table (seed {}), x {} -> {}", 1000 + n, a.str(), out.str());
  gc.encode = [=](const std::vector<z3::expr>& in) {
    z3::context& c = in[0].ctx();
    z3::expr r = bv_num(c, BigInt(f(a.max_raw())), unsigned(out.width()));
    for (int64_t v = a.max_raw() - 1; v >= a.min_raw(); --v)
      r = z3::ite(in[0] == bv_num(c, BigInt(v), unsigned(n)), bv_num(c, BigInt(f(v)), unsigned(out.width())), r);
    return std::vector<z3::expr>{r};
  };
  gc.reference = [=](const std::vector<int64_t>& v) { return std::vector<int64_t>{f(v[0])}; };
  return gc;
}

GadgetCase mux_case(int n) {
  GadgetCase gc;
  gc.name = fmt::format("gadget.mux/{}", n);
  Format a = fx(n);
  Bus x = gc.ntk.create_input_bus("a", a), y = gc.ntk.create_input_bus("b", a);
  circuits::Signal sel = gc.ntk.create_input("sel");
  gc.ntk.add_output_bus(g::mux(gc.ntk, sel, x, y));
  gc.params = fmt::format("sel ? a : b, {}", a.str());
  gc.encode = [=](const std::vector<z3::expr>& in) {
    return std::vector<z3::expr>{z3::ite(in[2] == in[2].ctx().bv_val(1, 1), in[0], in[1])};
  };
  gc.reference = [=](const std::vector<int64_t>& v) { return std::vector<int64_t>{v[2] ? v[0] : v[1]}; };
  return gc;
}

GadgetCase max_case(int n, int count) {
  GadgetCase gc;
  gc.name = fmt::format("gadget.max_argmax{}/{}", count, n);
  Format a = fx(n);
  std::vector<Bus> xs;
  for (int i = 0; i < count; ++i) xs.push_back(gc.ntk.create_input_bus(fmt::format("x{}", i), a));
  g::MaxResult mr = g::max_argmax(gc.ntk, xs);
  unsigned iw = unsigned(mr.index.bits.size());
  gc.ntk.add_output_bus(mr.max);
  gc.ntk.add_output_bus(mr.index);
  gc.params = fmt::format("max and lowest argmax of {} x {}", count, a.str());
  gc.encode = [=](const std::vector<z3::expr>& in) {
    z3::context& c = in[0].ctx();
    z3::expr m = in[0];
    for (int i = 1; i < count; ++i) m = z3::ite(z3::sgt(in[i], m), in[i], m);
    z3::expr idx = c.bv_val(count - 1, iw);
    for (int i = count - 2; i >= 0; --i) idx = z3::ite(in[i] == m, c.bv_val(i, iw), idx);
    return std::vector<z3::expr>{m, idx};
  };
  gc.reference = [=](const std::vector<int64_t>& v) {
    int best = 0;
    for (int i = 1; i < count; ++i)
      if (numerics::compare(fixed(v[i], a), fixed(v[best], a)) > 0) best = i;
    return std::vector<int64_t>{v[best], best};
  };
  return gc;
}

}  // namespace

const std::vector<GadgetFamily>& gadget_families() {
  static const std::vector<GadgetFamily> fams = {
      {"gadget.compare", 2, 16, 8, compare_case},
      {"gadget.add", 2, 16, 6, [](int n) { return two_operand("gadget.add", n, false, true); }},
      {"gadget.sub", 2, 16, 6, [](int n) { return two_operand("gadget.sub", n, true, true); }},
      {"gadget.add_exact", 2, 16, 6, [](int n) { return two_operand("gadget.add_exact", n, false, false); }},
      {"gadget.sum4", 2, 6, 3, sum_case},
      {"gadget.dot_const", 2, 5, 3, dot_const_case},
      {"gadget.mul_const", 2, 16, 6, mul_const_case},
      {"gadget.staircase_round", 2, 16, 6, staircase_round_case},
      {"gadget.staircase_table", 2, 8, 4, staircase_table_case},
      {"gadget.mux", 2, 16, 6, mux_case},
      {"gadget.max_argmax4", 2, 8, 3, [](int n) { return max_case(n, 4); }},
      {"gadget.max_argmax8", 8, 8, 0, [](int n) { return max_case(n, 8); }},
      {"gadget.multiply", 2, 6, 4, [](int n) { return multiply_case(n, false); }},
      {"gadget.multiply_full", 2, 6, 4, [](int n) { return multiply_case(n, true); }},
  };
  return fams;
}

const GadgetFamily& gadget_family(const std::string& name) {
  for (const auto& f : gadget_families())
    if (f.name == name) return f;
  throw std::invalid_argument("no gadget family named " + name);
}

}  // namespace tc0::proofs
