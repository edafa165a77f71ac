// The model's operation graph, traced over a recording policy (op_graph.hpp).
#include "proofs/op_graph.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "sampler/arith_fixed.hpp"
#include "sampler/certified.hpp"
#include "sampler/samplers.hpp"

namespace tc0::proofs {

using sampler::Const;
using sampler::FixedArith;

const char* to_string(OpKind k) {
  switch (k) {
    case OpKind::linear: return "linear";
    case OpKind::lincomb: return "lincomb";
    case OpKind::dot: return "dot";
    case OpKind::mul: return "mul";
    case OpKind::mul_add: return "mul_add";
    case OpKind::sum: return "sum";
    case OpKind::max: return "max";
    case OpKind::unary: return "unary";
    case OpKind::convert: return "convert";
  }
  return "?";
}

namespace {

std::vector<Const> as_consts(std::span<const Fixed> v) {
  std::vector<Const> c;
  c.reserve(v.size());
  for (const Fixed& f : v) c.push_back(Const{f.to_double(), f});
  return c;
}

}  // namespace

Fixed evaluate(const OpSpec& op, std::span<const Fixed> x) { return OpEvaluator(op)(x); }

OpEvaluator::OpEvaluator(const OpSpec& op) : op_(&op), weights_(as_consts(op.weights)), bias_(as_consts(op.bias)) {}

Fixed OpEvaluator::operator()(std::span<const Fixed> x) const {
  const FixedArith a;
  const OpSpec& op = *op_;
  switch (op.kind) {
    case OpKind::linear: return a.linear(weights_, x, bias_, op.offset, op.out);
    case OpKind::lincomb: return a.lincomb(op.offset, op.coefs, x, op.out);
    case OpKind::dot: {
      const size_t n = x.size() / 2;
      return a.dot(x.subspan(0, n), x.subspan(n), op.scale, op.offset, op.out);
    }
    case OpKind::mul: return a.mul(x[0], x[1], op.out);
    case OpKind::mul_add: return a.mul_add(x[0], x[1], x[2], op.out);
    case OpKind::sum: return a.sum(x, op.out);
    case OpKind::max: return a.max(x, op.out);
    case OpKind::unary: return a.unary(op.fn, x[0], op.out);
    case OpKind::convert: return a.convert(x[0], op.out);
  }
  throw std::logic_error("evaluate: unknown operation kind");
}

namespace {

// The recording policy: a Value is an Operand; every operation appends an OpSpec to the graph.
class SpecArith {
 public:
  using Value = Operand;
  explicit SpecArith(SamplerGraph& g) : g_(&g) {}

  Operand primary_input(Format f) const {
    g_->inputs.push_back(f);
    return Operand{Operand::Source::input, uint32_t(g_->inputs.size() - 1), f, std::nullopt};
  }
  void set_scope(std::string s) const { scope_ = std::move(s); }

  Operand input(const Fixed& x) const { return constant_of(x); }
  Operand constant(const Const& c) const { return constant_of(c.fixed); }
  Operand trig(sampler::Trig fn, const Rational& q, Format out) const {
    return constant_of(Fixed{sampler::trig_rounded(fn, q, out), out});
  }
  Operand linear(std::span<const Const> w, std::span<const Operand> x, std::span<const Const> bias,
                 const Rational& offset, Format out) const {
    OpSpec op = start(OpKind::linear, out, x);
    for (const Const& c : w) op.weights.push_back(c.fixed);
    for (const Const& c : bias) op.bias.push_back(c.fixed);
    op.offset = offset;
    return finish(std::move(op));
  }
  Operand lincomb(const Rational& offset, std::span<const Rational> c, std::span<const Operand> x, Format out) const {
    OpSpec op = start(OpKind::lincomb, out, x);
    op.coefs.assign(c.begin(), c.end());
    op.offset = offset;
    return finish(std::move(op));
  }
  Operand dot(std::span<const Operand> x, std::span<const Operand> y, const Rational& scale, const Rational& offset,
              Format out) const {
    if (x.size() != y.size()) throw std::invalid_argument("dot: operand lengths differ");
    OpSpec op = start(OpKind::dot, out, x);
    op.args.insert(op.args.end(), y.begin(), y.end());
    op.scale = scale;
    op.offset = offset;
    return finish(std::move(op));
  }
  Operand mul(const Operand& x, const Operand& y, Format out) const {
    const Operand a[2] = {x, y};
    return finish(start(OpKind::mul, out, a));
  }
  Operand mul_add(const Operand& x, const Operand& y, const Operand& c, Format out) const {
    const Operand a[3] = {x, y, c};
    return finish(start(OpKind::mul_add, out, a));
  }
  Operand sum(std::span<const Operand> x, Format out) const { return finish(start(OpKind::sum, out, x)); }
  Operand max(std::span<const Operand> x, Format out) const { return finish(start(OpKind::max, out, x)); }
  Operand unary(numerics::UnaryFn fn, const Operand& x, Format out) const {
    OpSpec op = start(OpKind::unary, out, std::span<const Operand>(&x, 1));
    op.fn = fn;
    return finish(std::move(op));
  }
  Operand convert(const Operand& x, Format out) const {
    return finish(start(OpKind::convert, out, std::span<const Operand>(&x, 1)));
  }
  double to_double(const Operand& x) const {
    if (!x.value) throw std::logic_error("op graph: the model asked for the number of a traced value");
    return x.value->to_double();
  }

  // The model names the tensor its last operations produced: they take the name as module path.
  void observe(std::string_view name, std::span<const Operand>) const {
    const std::string base = scope_.empty() ? std::string(name) : scope_ + "/" + std::string(name);
    for (size_t k = named_until_; k < g_->ops.size(); ++k)
      g_->ops[k].module = base + "/" + to_string(g_->ops[k].kind);
    named_until_ = g_->ops.size();
  }

 private:
  static Operand constant_of(const Fixed& x) { return Operand{Operand::Source::constant, 0, x.fmt, x}; }
  OpSpec start(OpKind kind, Format out, std::span<const Operand> x) const {
    OpSpec op;
    op.kind = kind;
    op.out = out;
    op.args.assign(x.begin(), x.end());
    return op;
  }
  Operand finish(OpSpec op) const {
    bool constant = true;
    std::vector<Fixed> values;
    for (const Operand& a : op.args) {
      constant = constant && a.value.has_value();
      if (a.value) values.push_back(*a.value);
    }
    op.module = (scope_.empty() ? std::string() : scope_ + "/") + to_string(op.kind);
    Operand r{Operand::Source::op, uint32_t(g_->ops.size()), op.out, std::nullopt};
    if (constant) {
      op.value = evaluate(op, values);
      r.value = op.value;
    }
    g_->ops.push_back(std::move(op));
    return r;
  }

  SamplerGraph* g_;
  mutable std::string scope_;
  mutable size_t named_until_ = 0;
};

static_assert(sampler::ArithPolicy<SpecArith>);

}  // namespace

SamplerGraph trace_op_graph(const sampler::Model& m, const sampler::SamplerSpec& spec) {
  if (spec.grid.size() < 2) throw std::invalid_argument("op graph: the time grid needs at least two points");
  SamplerGraph g;
  SpecArith a(g);
  const Format fz = m.act("state");
  std::vector<Operand> z;
  for (int i = 0; i < m.config().data_dim; ++i) z.push_back(a.primary_input(fz));
  for (size_t k = 0; k + 1 < spec.grid.size(); ++k) {
    a.set_scope(fmt::format("step{}", k));
    z = sampler::sampler_step(a, m, spec.kind, spec.c, z, spec.grid[k], spec.grid[k + 1]);
  }
  g.outputs = std::move(z);
  return g;
}

}  // namespace tc0::proofs
