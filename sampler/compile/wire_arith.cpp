#include "sampler/compile/wire_arith.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "circuits/gadgets/select.hpp"
#include "circuits/gadgets/staircase.hpp"
#include "numerics/functions.hpp"
#include "sampler/certified.hpp"
#include "sampler/compile/rational_form.hpp"

namespace tc0::sampler::compile {

namespace {

using circuits::Signal;

void check(size_t a, size_t b, const char* op) {
  if (a != b) throw std::invalid_argument(fmt::format("WireArith::{}: operand lengths differ ({} vs {})", op, a, b));
}

// Every bus this policy hands out carries its format in fmt and one signal per bit.
void check_bus(const Bus& b, const char* op) {
  if (b.bits.size() != size_t(b.fmt.width()) || !b.is_signed)
    throw std::invalid_argument(fmt::format("WireArith::{}: operand bus '{}' has {} bits but format {}", op, b.name,
                                            b.bits.size(), b.fmt.str()));
}

// Rational value of a Fixed constant.
Rational value_of(const Fixed& x) { return Rational(x.raw) * pow2_rational(-x.fmt.frac()); }

}  // namespace

Bus constant_bus(const Fixed& x, const std::string& name) {
  Bus b;
  b.name = name;
  b.fmt = x.fmt;
  for (int i = 0; i < x.fmt.width(); ++i) {
    bool bit = i >= 63 ? x.raw < 0 : ((x.raw >> i) & 1) != 0;
    b.bits.push_back(bit ? circuits::kTrue : circuits::kFalse);
  }
  return b;
}

Bus WireArith::finish(const char* kind, Bus b) const {
  if (opts_.fault_op >= 0 && ops_ == uint64_t(opts_.fault_op)) b.bits[0] = !b.bits[0];
  ++ops_;
  if (opts_.record) {
    std::string where;
    if (ntk_->num_gates() > 0) where = ntk_->modules()[ntk_->gate(ntk_->num_gates() - 1).module];
    opts_.record->push_back(TracedOp{kind, b, where, ntk_->num_gates(), ntk_->num_edges()});
  }
  return b;
}

void WireArith::observe(std::string_view name, std::span<const Bus>) const {
  const uint32_t first = named_until_;
  named_until_ = ntk_->num_gates();
  const std::string base = ntk_->current_module();
  ntk_->retag_modules(first, [&](const std::string& path) {
    // Only gates made under the current module (the step) are renamed: base/rest -> base/name/rest.
    std::string rest;
    if (base.empty()) {
      rest = path;
    } else if (path == base) {
      rest = "";
    } else if (path.size() > base.size() && path.compare(0, base.size(), base) == 0 && path[base.size()] == '/') {
      rest = path.substr(base.size() + 1);
    } else {
      return path;
    }
    std::string out = base.empty() ? std::string(name) : base + "/" + std::string(name);
    return rest.empty() ? out : out + "/" + rest;
  });
}

Bus WireArith::primary_input(Format f, const std::string& name) const { return ntk_->create_input_bus(name, f); }

Bus WireArith::input(const Fixed& x) const { return constant_bus(x, "input"); }

Bus WireArith::constant(const Const& c) const { return constant_bus(c.fixed); }

Bus WireArith::trig(Trig fn, const Rational& q, Format out) const {
  return constant_bus(Fixed{trig_rounded(fn, q, out), out}, fn == Trig::cos ? "cos" : "sin");
}

Bus WireArith::linear(std::span<const Const> w, std::span<const Bus> x, std::span<const Const> bias,
                      const Rational& offset, Format out) const {
  check(w.size(), x.size(), "linear");
  Network::ModuleScope scope(*ntk_, "linear");
  std::vector<Piece> pieces;
  pieces.reserve(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    check_bus(x[i], "linear");
    if (w[i].fixed.raw != 0) pieces.push_back(Piece{&x[i], nullptr, value_of(w[i].fixed)});
  }
  Rational k = offset;
  for (const Const& b : bias) k += value_of(b.fixed);
  return finish("linear", round_pieces(*ntk_, pieces, k, out, opts_.linear, "linear"));
}

Bus WireArith::lincomb(const Rational& offset, std::span<const Rational> c, std::span<const Bus> x, Format out) const {
  check(c.size(), x.size(), "lincomb");
  Network::ModuleScope scope(*ntk_, "lincomb");
  std::vector<Piece> pieces;
  for (size_t i = 0; i < x.size(); ++i) {
    check_bus(x[i], "lincomb");
    pieces.push_back(Piece{&x[i], nullptr, c[i]});
  }
  return finish("lincomb", round_pieces(*ntk_, pieces, offset, out, opts_.linear, "lincomb"));
}

Bus WireArith::dot(std::span<const Bus> x, std::span<const Bus> y, const Rational& scale, const Rational& offset,
                   Format out) const {
  check(x.size(), y.size(), "dot");
  Network::ModuleScope scope(*ntk_, "dot");
  std::vector<Piece> pieces;
  for (size_t i = 0; i < x.size(); ++i) {
    check_bus(x[i], "dot");
    check_bus(y[i], "dot");
    pieces.push_back(Piece{&x[i], &y[i], scale});
  }
  return finish("dot", round_pieces(*ntk_, pieces, offset, out, opts_.linear, "dot"));
}

Bus WireArith::mul(const Bus& a, const Bus& b, Format out) const {
  check_bus(a, "mul");
  check_bus(b, "mul");
  Network::ModuleScope scope(*ntk_, "mul");
  // the multiply gadget's construction (AND layer + one rounded linear form), with repeated wires merged
  const Piece p{&a, &b, Rational(1)};
  return finish("mul", round_pieces(*ntk_, std::span<const Piece>(&p, 1), Rational(0), out, opts_.linear, "product"));
}

Bus WireArith::mul_add(const Bus& a, const Bus& b, const Bus& c, Format out) const {
  check_bus(a, "mul_add");
  check_bus(b, "mul_add");
  check_bus(c, "mul_add");
  Network::ModuleScope scope(*ntk_, "mul_add");
  const Piece pieces[2] = {Piece{&a, &b, Rational(1)}, Piece{&c, nullptr, Rational(1)}};
  return finish("mul_add", round_pieces(*ntk_, pieces, Rational(0), out, opts_.linear, "mul_add"));
}

Bus WireArith::sum(std::span<const Bus> x, Format out) const {
  Network::ModuleScope scope(*ntk_, "sum");
  std::vector<Piece> pieces;
  for (const Bus& b : x) {
    check_bus(b, "sum");
    pieces.push_back(Piece{&b, nullptr, Rational(1)});
  }
  return finish("sum", round_pieces(*ntk_, pieces, Rational(0), out, opts_.linear, "sum"));
}

Bus WireArith::max(std::span<const Bus> x, Format out) const {
  if (x.empty()) throw std::invalid_argument("max of an empty list");
  for (const Bus& b : x) check_bus(b, "max");
  Network::ModuleScope scope(*ntk_, "max");
  // the max gadget needs one format: widen every operand exactly to the finest grid and widest range
  int f = x[0].fmt.frac(), ib = x[0].fmt.width() - x[0].fmt.frac();
  for (const Bus& b : x) f = std::max(f, b.fmt.frac()), ib = std::max(ib, b.fmt.width() - b.fmt.frac());
  Format common(ib + f, f);
  std::vector<Bus> xs;
  xs.reserve(x.size());
  for (const Bus& b : x) xs.push_back(b.fmt == common ? b : convert_bus(b, common));
  if (xs.size() == 1) return finish("max", xs[0].fmt == out ? xs[0] : convert_bus(xs[0], out));
  circuits::gadgets::MaxParams mp;
  mp.want_argmax = false;
  Bus m = circuits::gadgets::max_argmax(*ntk_, xs, mp).max;
  m.fmt = common;
  m.is_signed = true;
  return finish("max", common == out ? m : convert_bus(m, out));
}

Bus WireArith::unary(UnaryFn fn, const Bus& x, Format out) const {
  check_bus(x, "unary");
  if (x.fmt.width() > numerics::kMaxTableInputWidth)
    throw std::invalid_argument(fmt::format("WireArith::unary: {} of a {}-bit input ({}); tables take at most {} bits, "
                                            "round the input to a table format first",
                                            numerics::name(fn), x.fmt.width(), x.fmt.str(),
                                            numerics::kMaxTableInputWidth));
  Network::ModuleScope scope(*ntk_, std::string(numerics::name(fn)));
  const numerics::Table& t = numerics::Table::get(fn, x.fmt, out);
  Bus b = circuits::gadgets::function_of_bus(*ntk_, x, [&t](int64_t raw) { return t.lookup(raw); }, out, nullptr,
                                             std::string(numerics::name(fn)));
  return finish("unary", b);
}

Bus WireArith::convert(const Bus& x, Format out) const {
  check_bus(x, "convert");
  return finish("convert", convert_bus(x, out));
}

Bus WireArith::convert_bus(const Bus& x, Format out) const {
  const int shift = out.frac() - x.fmt.frac();
  if (shift >= 0 && x.fmt.width() + shift <= out.width()) {
    // exact: the value fits, so the bits are a shifted copy with sign extension (no gates)
    Bus b;
    b.name = "convert";
    b.fmt = out;
    b.bits.assign(size_t(shift), circuits::kFalse);
    b.bits.insert(b.bits.end(), x.bits.begin(), x.bits.end());
    while (b.bits.size() < size_t(out.width())) b.bits.push_back(x.bits.back());
    return b;
  }
  Network::ModuleScope scope(*ntk_, "convert");
  const Piece p{&x, nullptr, Rational(1)};
  return round_pieces(*ntk_, std::span<const Piece>(&p, 1), Rational(0), out, opts_.linear, "convert");
}

double WireArith::to_double(const Bus& x) const {
  throw std::logic_error(fmt::format("WireArith::to_double: bus '{}' is a circuit value; simulate the circuit to get "
                                     "numbers",
                                     x.name));
}

}  // namespace tc0::sampler::compile
