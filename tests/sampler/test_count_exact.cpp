// Counted == materialised, exactly (issue 13): the counter (sampler/compile/count_arith.hpp), which
// builds each distinct operation once in a GateCounter, against compute_stats() of the circuit that
// compile_sampler materialises, field for field: gates, edges, stored fan-in entries, depth (to the
// outputs and over all gates), max fan-in, weight and theta bits, gates by kind, the majority size,
// and every module's gates, edges, stored entries and depth. On the shipped moons models and on
// seeded random DiTs and MLPs, under MF1, MF2 and Euler-K, at linear-form depth budgets 2, 4 and 6.
// Three builds of this file: random models (default suite, both trees), the moons models (default
// suite, release tree: their circuits are larger) and the demo sampler, digits_mf2 at budget 6 (slow).
#include <gtest/gtest.h>

#include <map>

#include "circuits/stats.hpp"
#include "random_model.hpp"
#include "sampler/compile/architecture.hpp"
#include "sampler/compile/count_arith.hpp"
#include "sampler/compile/trace.hpp"

using namespace tc0::sampler;
using namespace tc0::sampler::compile;

namespace {

struct Case {
  std::string what;
  SamplerKind kind;
  int steps;
};

const std::vector<Case> kSamplers = {{"mf1-1", SamplerKind::mf1, 1},
                                     {"mf2-1", SamplerKind::mf2, 1},
                                     {"mf2-2", SamplerKind::mf2, 2},
                                     {"euler-2", SamplerKind::euler, 2},
                                     {"euler-3", SamplerKind::euler, 3}};  // t - r = 1/3: the thermometer path

void expect_exact(const Model& m, const Case& c, int budget) {
  SCOPED_TRACE(fmt::format("{} {} budget {}", m.config().name, c.what, budget));
  const SamplerSpec spec = make_spec(m, c.kind, c.steps);
  CompileOptions co;
  co.linear.depth_budget = budget;
  const tc0::circuits::Network ntk = compile_sampler(m, spec, co);
  const tc0::circuits::CircuitStats st = tc0::circuits::compute_stats(ntk);
  const SamplerCount n = count_sampler(m, spec, co.linear);
  ASSERT_GT(st.gates, 0u);
  EXPECT_EQ(n.totals.gates, st.gates);
  EXPECT_EQ(n.totals.edges, st.edges);
  EXPECT_EQ(n.totals.stored_edges, st.stored_edges);
  EXPECT_EQ(n.depth, st.output_depth);
  EXPECT_EQ(n.gate_depth, st.depth);
  EXPECT_EQ(n.totals.max_fanin, st.max_fanin);
  EXPECT_EQ(n.totals.weight_bits, st.weight_bits);
  EXPECT_EQ(n.totals.theta_bits, st.theta_bits);
  for (int k = 0; k < 4; ++k) EXPECT_EQ(n.totals.by_kind[k], st.by_kind[k]) << tc0::circuits::gate_kind_name(tc0::circuits::GateKind(k));
  EXPECT_EQ(n.totals.majority, st.majority_size);
  EXPECT_EQ(n.operations, ntk.num_ops());
  std::map<std::string, tc0::circuits::ModuleStats> mat;
  for (const auto& ms : st.modules) mat[ms.path] = ms;
  EXPECT_EQ(n.modules.size(), mat.size());
  for (const auto& [path, mc] : n.modules) {
    auto it = mat.find(path);
    if (it == mat.end()) {
      ADD_FAILURE() << "counted module '" << path << "' is not in the circuit";
      continue;
    }
    EXPECT_EQ(mc.gates, it->second.gates) << path;
    EXPECT_EQ(mc.edges, it->second.edges) << path;
    EXPECT_EQ(mc.stored_edges, it->second.stored_edges) << path;
    EXPECT_EQ(mc.depth, it->second.depth) << path;
  }
  std::printf("%-10s %-8s budget %d: %llu gates %llu edges %llu stored depth %u, %llu operations (%llu distinct)\n",
              m.config().name.c_str(), c.what.c_str(), budget, (unsigned long long)st.gates,
              (unsigned long long)st.edges, (unsigned long long)st.stored_edges, st.depth,
              (unsigned long long)n.operations, (unsigned long long)n.distinct_operations);
}

}  // namespace

#if TC0_COUNT_SET == 1
TEST(CountExact, ShippedMoonsModels) {
  for (const char* dir : {"sampler/models/moons_mf1", "sampler/models/moons_mf2"}) {
    const Model m = Model::load(dir);
    for (const Case& c : {kSamplers[0], kSamplers[1], kSamplers[3]})
      for (int budget : {2, 4, 6}) expect_exact(m, c, budget);
  }
}
#elif TC0_COUNT_SET == 0
TEST(CountExact, RandomDit) {
  const Model m = tc0::sampler::testing::random_model("dit", 41, 8);
  for (const Case& c : kSamplers)
    for (int budget : {2, 4, 6}) expect_exact(m, c, budget);
}

// The architecture field constant_folding reaches the model: eps rounded to the variance's grid gives
// the same construction over smaller weights, still counted exactly (SPEC 2.4, 3.2). This 4-token DiT
// (patch 2) is also the case that showed the counter keying a value held bit by bit (a residual
// that passes some of its input's bits through) without its bits' complements: two LayerNorm
// centerings with different input polarities shared one count (267,350 gates counted, 267,440 built).
TEST(CountExact, ConstantFoldingOutputGrid) {
  ArchitectureSpec a = parse_architecture(
      R"({"architecture": "dit", "image_size": 4, "patch": 2, "width": 8, "heads": 2, "blocks": 1,
          "constant_folding": "output_grid"})",
      "test.json");
  ASSERT_EQ(a.constant_folding, ConstantFolding::output_grid);
  const Model grid = random_model(a);
  a.constant_folding = ConstantFolding::exact;
  const Model exact = random_model(a);
  expect_exact(exact, kSamplers[1], 4);
  expect_exact(grid, kSamplers[1], 4);
  const SamplerSpec spec = make_spec(grid, SamplerKind::mf2, 1);
  const SamplerCount g = count_sampler(grid, spec, {4, 0}), e = count_sampler(exact, spec, {4, 0});
  EXPECT_EQ(g.totals.gates, e.totals.gates);
  EXPECT_LT(g.totals.weight_bits + 20, e.totals.weight_bits) << "eps on its 2^-72 grid sets the exact model's weights";
  try {
    parse_architecture(R"({"constant_folding": "rounded"})", "test.json");
    ADD_FAILURE() << "an unknown constant_folding was accepted";
  } catch (const ModelError& err) {
    EXPECT_NE(std::string(err.what()).find("field 'constant_folding'"), std::string::npos) << err.what();
  }
}

// Architecture files of 4 and 16 tokens (patch 2 and 1) at every depth budget, MF2 one step.
TEST(CountExact, SmallArchitectures) {
  for (int patch : {1, 2}) {
    ArchitectureSpec a = parse_architecture(
        fmt::format(R"({{"architecture": "dit", "image_size": 4, "patch": {}, "width": 8, "heads": 2, "blocks": 1, "seed": 7}})",
                    patch),
        "test.json");
    const Model m = random_model(a);
    for (int budget : {2, 4, 6}) expect_exact(m, kSamplers[1], budget);
  }
}

TEST(CountExact, RandomMlp) {
  const Model m = tc0::sampler::testing::random_model("mlp", 42, 10);
  for (const Case& c : kSamplers)
    for (int budget : {2, 4, 6}) expect_exact(m, c, budget);
}
#else
TEST(CountExact, DemoSampler) {
  const Model m = Model::load("sampler/models/digits_mf2");
  expect_exact(m, Case{"mf2-1", SamplerKind::mf2, 1}, 6);
}
#endif
