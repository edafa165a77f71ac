#pragma once
// No wrap-around in accumulators (SPEC 5) by sound interval analysis over a fixed-point operation
// graph, with Z3 checking every step. A graph is a list of nodes in topological order:
//   input    a raw value of `fmt` in the declared range [lo, hi] (e.g. the clipped noise range);
//   linear   K + sum_i c_i x_i with exact dyadic constants (SPEC 2: folded into the exact sum);
//   product  K + sum_i c_i a_i b_i (+ linear terms): dot products, a * b, a * b + c;
// each non-input node forms its exact accumulator on the common grid, which the implementation
// holds in `acc_bits` signed bits, and rounds it once to `fmt`. Whole models are beyond a solver;
// steps are not. proofs/model_nowrap.hpp builds the graph of a whole sampler from the model code.
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "numerics/format.hpp"
#include "numerics/rounding.hpp"
#include "proofs/query.hpp"

namespace tc0::proofs {

struct OpTerm {
  std::string a;             // node name
  std::string b;             // second factor: a product term a * b (empty: a linear term)
  numerics::BigInt num = 1;  // coefficient num * 2^-frac of the term
  int frac = 0;
};

// A product node may mix product and linear terms (a * b + c); a linear node has linear terms only.
struct OpNode {
  enum class Kind { input, linear, product };
  std::string name;
  Kind kind = Kind::input;
  numerics::Format fmt{8, 0};
  numerics::BigInt lo = 0, hi = 0;  // input range (raw); defaults to the format's range
  std::vector<OpTerm> terms;
  numerics::BigInt k_num = 0;  // constant k_num * 2^-k_frac
  int k_frac = 0;
  int acc_bits = 0;  // declared accumulator width; 0: the analysis only reports the width needed
};

struct OpGraph {
  std::string name;
  std::vector<OpNode> nodes;
};

// JSON form: {"name": ..., "nodes": [{"name", "kind": "input"|"linear"|"product", "format": "Q(8,5)",
// "range": [lo, hi] (raw, inputs), "terms": [{"x": name, "coef": [num, frac]}] (linear) or
// [{"a": name, "b": name, "coef": [num, frac] (optional)}] (product), "constant": [num, frac],
// "acc_bits": N}]}. Errors name the node.
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
  double seconds = 0;   // solver time of this step (0 when an identical step was solved before)
  bool reused = false;  // an identical step (formats, coefficients, operand intervals) was solved before
  std::string detail;
};

// The raw interval [lo, hi] of a node's output in its format.
struct RawInterval {
  numerics::Format fmt{8, 0};
  numerics::BigInt lo, hi;
};

// Nodes are added one at a time in topological order, each step checked as it arrives, so that a
// recorder can run a model through it and read back the interval of every value it made.
//   Interval propagation: exact integers on the accumulator grid; a product term's interval is the
//   hull of its four corners; rounding and clamping are monotone, so rounded bounds are sound.
//   Solver check of a step, three kinds of query, all unsat for a proved step:
//   - product (QF_BV, one per distinct formats and operand intervals): some a, b in their
//     intervals give a * b outside the corner hull;
//   - accumulator (QF_LIA, exact integers on the grid): with linear operands in their intervals and
//     products free inside their proved hulls, the sum leaves [lo, hi] or the declared width;
//   - rounding (QF_BV, once per accumulator width, grid and format): rounding (SPEC 2: half to
//     even, then clamp) is monotone, a <= b and round(a) > round(b) is unsat; the encoding of SPEC 2.2 is
//     then evaluated at both ends of [lo, hi] to give the output interval.
//   A refuted step is a counterexample to the step: operands somewhere inside their proved
//   intervals make the sum leave the declared width. The intervals over-approximate what the inputs
//   reach (correlations are dropped), so for a whole model it is not necessarily reachable.
//   Splitting products and rounding out of the sums is what lets the solver handle every step of a
//   whole model: bit-blasted sums of 32 bounded terms already take seconds, simplex takes ms.
class IntervalAnalysis {
 public:
  IntervalAnalysis(std::string graph_name, QueryOptions opt);
  // Adds one node; names must be new and operands defined. Input nodes give a trivial report.
  StepReport add(const OpNode& n);
  const RawInterval& interval(const std::string& name) const;
  size_t solver_queries() const { return queries_; }

 private:
  struct Cached {
    Verdict verdict;
    std::string detail;
  };
  Verdict check_product(const RawInterval& a, const RawInterval& b, const numerics::BigInt& lo,
                        const numerics::BigInt& hi, std::string& detail);
  std::string graph_;
  QueryOptions opt_;
  std::map<std::string, RawInterval> nodes_;
  std::map<std::string, Cached> step_cache_, product_cache_, round_cache_;
  size_t queries_ = 0;
  // One context for every query: creating a Z3 context costs more than most of these queries.
  std::unique_ptr<z3::context> ctx_;
};

std::vector<StepReport> check_no_wrap(const OpGraph& g, const QueryOptions& opt);

// Built-in graphs: the MF2 update step and a small dense layer with a product, for parameterised
// formats. Whole models go through proofs/model_nowrap.hpp; other graphs through parse_op_graph.
std::vector<OpGraph> builtin_op_graphs();

}  // namespace tc0::proofs
