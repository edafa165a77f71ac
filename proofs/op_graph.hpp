#pragma once
// The specification side of translation validation (tc0flow verify): the model's fixed-point
// sampler traced over a recording policy, so every operation of the graph is written down with its
// kind, its parameters (formats, constant weights, exact rationals, the table function), the values
// it reads (an earlier operation's output, a primary input bus, or a constant) and its output
// format. Nothing here looks at a circuit: the circuit file's operation map is checked against this
// graph (op_structure.hpp), never the other way round.
//
// The graph is the one WireArith builds (sampler/compile/wire_arith.hpp): the same generic sampler
// (sampler/samplers.hpp) over the same primary inputs (bus i = noise entry i in the state format),
// and every policy call except input / constant / trig is one operation, in call order. An
// operation whose operands are all constants is still an operation (the circuit has an empty one);
// its value is computed here with FixedArith and becomes a constant for its consumers.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "sampler/arith.hpp"
#include "sampler/model.hpp"

namespace tc0::proofs {

using numerics::Fixed;
using numerics::Format;
using numerics::Rational;

enum class OpKind : uint8_t { linear, lincomb, dot, mul, mul_add, sum, max, unary, convert };
const char* to_string(OpKind k);

// A value an operation reads.
struct Operand {
  enum class Source : uint8_t { constant, input, op };
  Source source = Source::constant;
  uint32_t index = 0;  // input: primary input bus; op: the producing operation
  Format fmt{2, 0};
  // Known while tracing: a constant, or the output of an operation whose operands are all known.
  std::optional<Fixed> value;
};

struct OpSpec {
  OpKind kind = OpKind::linear;
  Format out{2, 0};
  // Operands in argument order: linear, lincomb, sum, max: x...; dot: x... then y...; mul: a, b;
  // mul_add: a, b, c; unary, convert: x.
  std::vector<Operand> args;
  std::vector<Fixed> weights;   // linear: one per x
  std::vector<Fixed> bias;      // linear
  std::vector<Rational> coefs;  // lincomb: one per x
  Rational offset{0};           // linear, lincomb, dot
  Rational scale{1};            // dot
  numerics::UnaryFn fn = numerics::UnaryFn::exp;  // unary
  std::string module;           // "step<k>/<tensor>/<kind>": where it sits in the model, for reports
  std::optional<Fixed> value;   // set when every operand is a constant
};

// (Not interval.hpp's OpGraph: that one is the no-wrap analysis's node list.)
struct SamplerGraph {
  std::vector<OpSpec> ops;
  std::vector<Format> inputs;           // primary input buses (noise entries), in order
  std::vector<Operand> outputs;         // the sample entries
};

// Traces the sampler of m on spec (kind, grid) into its operation graph.
SamplerGraph trace_op_graph(const sampler::Model& m, const sampler::SamplerSpec& spec);

// The operation's result on concrete operand values, computed by the fixed-point sampler's own
// arithmetic (sampler/arith_fixed.hpp, which is the specification: SPEC.md section 2).
Fixed evaluate(const OpSpec& op, std::span<const Fixed> args);
// The same, with the operation's constants prepared once (for many evaluations).
class OpEvaluator {
 public:
  explicit OpEvaluator(const OpSpec& op);
  Fixed operator()(std::span<const Fixed> args) const;

 private:
  const OpSpec* op_;
  std::vector<sampler::Const> weights_, bias_;
};

// The number of x operands of a dot (args holds x then y).
inline size_t dot_length(const OpSpec& op) { return op.args.size() / 2; }

}  // namespace tc0::proofs
