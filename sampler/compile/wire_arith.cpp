#include "sampler/compile/wire_arith.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "sampler/certified.hpp"

namespace tc0::sampler::compile {

template <class Build>
Bus WireArith::op(const char* kind, Build&& build) const {
  ntk_->begin_op();
  Bus b;
  try {
    b = build(*ntk_);
  } catch (...) {
    ntk_->end_op({});
    throw;
  }
  if (opts_.fault_op >= 0 && ops_ == uint64_t(opts_.fault_op)) b.bits[0] = !b.bits[0];
  ntk_->end_op(b.bits);
  ++ops_;
  if (opts_.record) {
    std::string where;
    if (ntk_->num_gates() > 0) where = ntk_->modules()[ntk_->gate(ntk_->num_gates() - 1).module];
    opts_.record->push_back(TracedOp{kind, b, where, ntk_->num_gates(), ntk_->num_edges()});
  }
  return b;
}

std::string tensor_module_path(const std::string& base, std::string_view name, const std::string& path) {
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
}

void WireArith::observe(std::string_view name, std::span<const Bus>) const {
  const uint32_t first = named_until_;
  named_until_ = ntk_->num_gates();
  const std::string base = ntk_->current_module();
  ntk_->retag_modules(first, [&](const std::string& path) { return tensor_module_path(base, name, path); });
}

Bus WireArith::primary_input(Format f, const std::string& name) const { return ntk_->create_input_bus(name, f); }

Bus WireArith::input(const Fixed& x) const { return constant_bus(x, "input"); }

Bus WireArith::constant(const Const& c) const { return constant_bus(c.fixed); }

Bus WireArith::trig(Trig fn, const Rational& q, Format out) const {
  return constant_bus(Fixed{trig_rounded(fn, q, out), out}, fn == Trig::cos ? "cos" : "sin");
}

Bus WireArith::linear(std::span<const Const> w, std::span<const Bus> x, std::span<const Const> bias,
                      const Rational& offset, Format out) const {
  return op("linear", [&](Network& n) { return build_linear(n, w, x, bias, offset, out, opts_.linear); });
}

Bus WireArith::lincomb(const Rational& offset, std::span<const Rational> c, std::span<const Bus> x, Format out) const {
  return op("lincomb", [&](Network& n) { return build_lincomb(n, offset, c, x, out, opts_.linear); });
}

Bus WireArith::dot(std::span<const Bus> x, std::span<const Bus> y, const Rational& scale, const Rational& offset,
                   Format out) const {
  return op("dot", [&](Network& n) { return build_dot(n, x, y, scale, offset, out, opts_.linear); });
}

Bus WireArith::mul(const Bus& a, const Bus& b, Format out) const {
  return op("mul", [&](Network& n) { return build_mul(n, a, b, out, opts_.linear); });
}

Bus WireArith::mul_add(const Bus& a, const Bus& b, const Bus& c, Format out) const {
  return op("mul_add", [&](Network& n) { return build_mul_add(n, a, b, c, out, opts_.linear); });
}

Bus WireArith::sum(std::span<const Bus> x, Format out) const {
  return op("sum", [&](Network& n) { return build_sum(n, x, out, opts_.linear); });
}

Bus WireArith::max(std::span<const Bus> x, Format out) const {
  return op("max", [&](Network& n) { return build_max(n, x, out, opts_.linear); });
}

Bus WireArith::unary(UnaryFn fn, const Bus& x, Format out) const {
  return op("unary", [&](Network& n) { return build_unary(n, fn, x, out); });
}

Bus WireArith::convert(const Bus& x, Format out) const {
  return op("convert", [&](Network& n) { return build_convert(n, x, out, opts_.linear); });
}

double WireArith::to_double(const Bus& x) const {
  throw std::logic_error(fmt::format("WireArith::to_double: bus '{}' is a circuit value; simulate the circuit to get "
                                     "numbers",
                                     x.name));
}

}  // namespace tc0::sampler::compile
