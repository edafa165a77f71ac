#pragma once
// No wrap-around in accumulators (SPEC 5) by sound interval analysis over a fixed-point operation
// graph, with Z3 checking every step. A graph is a list of nodes in topological order:
//   input    a raw value of `fmt` in the declared range [lo, hi] (e.g. the clipped noise range);
//   linear   K + sum_i c_i x_i with exact dyadic constants (SPEC 2: folded into the exact sum);
//   product  sum_i a_i * b_i (a dot product of node values; one pair is a plain product);
// each non-input node forms its exact accumulator on the common grid, which the implementation
// holds in `acc_bits` signed bits, and rounds it once to `fmt`. The analysis propagates intervals
// (corners of products, sums of term ranges; rounding and clamping are monotone, so the rounded
// bounds are sound) and, per node, asks Z3 whether any operand values within their proved intervals
// give an accumulator outside its interval, one that does not fit acc_bits, or an output outside
// its interval: unsat proves the step. Whole models are beyond a solver; steps are not.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "numerics/format.hpp"
#include "numerics/rounding.hpp"
#include "proofs/query.hpp"

namespace tc0::proofs {

struct OpTerm {
  std::string a;           // node name
  std::string b;           // second factor (product nodes only)
  numerics::BigInt num = 1;  // coefficient num * 2^-frac (linear nodes only)
  int frac = 0;
};

struct OpNode {
  enum class Kind { input, linear, product };
  std::string name;
  Kind kind = Kind::input;
  numerics::Format fmt{8, 0};
  numerics::BigInt lo = 0, hi = 0;  // input range (raw); defaults to the format's range
  std::vector<OpTerm> terms;
  numerics::BigInt k_num = 0;  // linear constant k_num * 2^-k_frac
  int k_frac = 0;
  int acc_bits = 0;  // declared accumulator width; 0: the analysis only reports the width needed
};

struct OpGraph {
  std::string name;
  std::vector<OpNode> nodes;
};

// JSON form: {"name": ..., "nodes": [{"name", "kind": "input"|"linear"|"product", "format": "Q(8,5)",
// "range": [lo, hi] (raw, inputs), "terms": [{"x": name, "coef": [num, frac]}] (linear) or
// [{"a": name, "b": name}] (product), "constant": [num, frac], "acc_bits": N}]}. Errors name the node.
OpGraph parse_op_graph(const nlohmann::json& j, const std::string& where);

struct StepReport {
  std::string node;
  int acc_frac = 0;
  numerics::BigInt acc_lo, acc_hi;  // exact accumulator interval (integers on the acc grid)
  int needed_bits = 0;
  int acc_bits = 0;
  numerics::BigInt out_lo, out_hi;  // raw output interval
  bool saturation_possible = false;
  Verdict verdict = Verdict::inconclusive;
  double seconds = 0;
  std::string detail;
};

std::vector<StepReport> check_no_wrap(const OpGraph& g, const QueryOptions& opt);

// Built-in graphs: the MF2 update step and a small dense layer with a product, for parameterised
// formats (the demo model's graph plugs in through parse_op_graph once sampler/README.md has it).
std::vector<OpGraph> builtin_op_graphs();

}  // namespace tc0::proofs
