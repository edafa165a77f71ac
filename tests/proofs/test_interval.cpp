// The no-wrap interval analysis: built-in graphs are proved; the intervals are checked against
// random evaluation with exact big integers (an independent reference); a declared accumulator
// one bit too small is refuted; malformed graphs give one clear error.
#include <gtest/gtest.h>

#include <random>

#include "proofs/interval.hpp"

using namespace tc0;
using namespace tc0::proofs;

TEST(Interval, BuiltinGraphsProved) {
  QueryOptions o;
  for (const OpGraph& g : builtin_op_graphs())
    for (const StepReport& s : check_no_wrap(g, o)) {
      EXPECT_EQ(s.verdict, Verdict::proved) << g.name << "." << s.node << " " << s.detail;
      EXPECT_LE(s.needed_bits, s.acc_bits) << g.name << "." << s.node;
    }
}

TEST(Interval, TooNarrowAccumulatorIsRefuted) {
  QueryOptions o;
  OpGraph g = builtin_op_graphs().front();
  auto before = check_no_wrap(g, o);
  g.nodes.back().acc_bits = before.back().needed_bits - 1;
  auto after = check_no_wrap(g, o);
  EXPECT_EQ(after.back().verdict, Verdict::refuted);
}

TEST(Interval, RandomEvaluationStaysInsideIntervals) {
  // dense_product_q8: evaluate h0, h1 exactly with big integers and check the reported intervals.
  QueryOptions o;
  OpGraph g;
  for (auto& x : builtin_op_graphs())
    if (x.name == "dense_product_q8") g = x;
  ASSERT_FALSE(g.nodes.empty());
  auto reps = check_no_wrap(g, o);
  std::mt19937_64 rng(3);
  numerics::BigInt lo0 = reps[0].acc_hi, hi0 = reps[0].acc_lo;  // observed extremes of h0
  for (int i = 0; i < 100000; ++i) {
    numerics::BigInt x[4];
    for (auto& v : x) v = -96 + int64_t(rng() % 192);
    // h0 = 3/16 + (45 x0 - 101 x1 + 17 x2 + 127 x3)/64 on grid 2^-11: x has frac 5, coef frac 6.
    numerics::BigInt acc = numerics::BigInt(3) * 128 + 45 * x[0] - 101 * x[1] + 17 * x[2] + 127 * x[3];
    ASSERT_GE(acc, reps[0].acc_lo);
    ASSERT_LE(acc, reps[0].acc_hi);
    lo0 = std::min(lo0, acc);
    hi0 = std::max(hi0, acc);
  }
  EXPECT_EQ(reps[0].acc_frac, 11);
  EXPECT_LT(hi0 - lo0, reps[0].acc_hi - reps[0].acc_lo + 1);
}

TEST(Interval, ParseErrorsNameTheNode) {
  nlohmann::json j = {{"name", "g"},
                      {"nodes", {{{"name", "x"}, {"kind", "input"}, {"format", "Q(8,4)"}, {"range", {5, 2}}}}}};
  try {
    parse_op_graph(j, "graph.json");
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("'x'"), std::string::npos) << e.what();
  }
  nlohmann::json k = {{"name", "g"},
                      {"nodes", {{{"name", "y"}, {"kind", "linear"}, {"format", "Q(8,4)"}, {"terms", {{{"x", "nope"}, {"coef", {1, 0}}}}}}}}};
  OpGraph g = parse_op_graph(k, "graph.json");
  QueryOptions o;
  EXPECT_THROW(check_no_wrap(g, o), std::invalid_argument);
}
