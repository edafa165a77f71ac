// The verify stage of `tc0flow demo` (tools/cli/demo_verify.cpp) on a small random DiT compiled by
// the tracing compiler: the intact circuit passes, its operations of the quick kinds proved and the
// others reported not attempted, with the commands of the full proof; a threshold gate of a table
// operation stuck at 0 is refuted and fails the demo; two wires swapped between operations fail the
// structure check with one line; no circuit (a failed compile stage) fails the stage. The demo's own
// run on moons_mf2 and on the demo model are CLI tests (tests/tools/CMakeLists.txt).
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>

#include "../sampler/random_model.hpp"
#include "proofs/circuit_edit.hpp"
#include "proofs/translation.hpp"
#include "sampler/compile/trace.hpp"
#include "tools/cli/demo_stages.hpp"

using namespace tc0;
using tc0::cli::demo::DemoContext;

namespace {

DemoContext context(circuits::Network ntk) {
  DemoContext ctx;
  ctx.model_dir = "models/random_dit";
  ctx.model = std::make_unique<sampler::Model>(sampler::testing::random_model("dit", 61, 8));
  ctx.spec = sampler::compile::make_spec(*ctx.model, sampler::SamplerKind::mf2, 1);
  ctx.circuit = std::make_unique<circuits::Network>(std::move(ntk));
  ctx.report = nlohmann::json::object();
  return ctx;
}

circuits::Network compiled() {
  const sampler::Model m = sampler::testing::random_model("dit", 61, 8);
  return sampler::compile::compile_sampler(m, sampler::compile::make_spec(m, sampler::SamplerKind::mf2, 1));
}

// The stage's printed lines.
std::string run_stage(DemoContext& ctx) {
  testing::internal::CaptureStdout();
  tc0::cli::demo::stage_verify(ctx);
  return testing::internal::GetCapturedStdout();
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST(DemoVerify, IntactCircuitProvesTheQuickKindsAndNamesTheRest) {
  DemoContext ctx = context(compiled());
  const std::string out = run_stage(ctx);
  EXPECT_TRUE(ctx.pass) << out;
  const nlohmann::json& v = ctx.report["stages"]["verify"];
  const proofs::SamplerGraph g = proofs::trace_op_graph(*ctx.model, *ctx.spec);
  // the operations of the quick kinds, counted from the graph
  const std::set<std::string> quick = v["quick_kinds"];
  uint64_t quick_ops = 0;
  std::set<std::string> quick_seen, other_seen;
  for (const proofs::OpSpec& op : g.ops) {
    const bool q = quick.count(proofs::to_string(op.kind)) > 0;
    quick_ops += q;
    (q ? quick_seen : other_seen).insert(proofs::kind_label(op));
  }
  ASSERT_GT(quick_ops, 0u);
  ASSERT_FALSE(other_seen.empty());
  EXPECT_TRUE(v["structure"]["ok"].get<bool>());
  EXPECT_EQ(v["proved_operations"].get<uint64_t>(), quick_ops);
  EXPECT_EQ(v["refuted_operations"].get<uint64_t>(), 0u);
  EXPECT_EQ(v["inconclusive_operations"].get<uint64_t>(), 0u);
  EXPECT_EQ(v["not_attempted_operations"].get<uint64_t>(), g.ops.size() - quick_ops);
  EXPECT_EQ(v["proved_kinds"].get<std::set<std::string>>(), quick_seen);
  EXPECT_EQ(v["not_attempted_kinds"].get<std::set<std::string>>(), other_seen);
  EXPECT_EQ(v["full_proof_command"].get<std::string>(),
            "tc0flow compile --model models/random_dit --depth-budget 6 -o demo.tc0c && tc0flow verify demo.tc0c "
            "--model models/random_dit --threads " + std::to_string(v["threads"].get<int>()) + " --json verify.json");
  EXPECT_TRUE(has(out, "[PASS] structure: the circuit's operation map is the model's operation graph")) << out;
  EXPECT_TRUE(has(out, fmt::format("[PASS] operations of the quick kinds (max, mul, sum, unary): none refuted: {} "
                                   "proved for every input, 0 refuted, 0 inconclusive",
                                   quick_ops)))
      << out;
  EXPECT_TRUE(has(out, fmt::format("and {} of {} operations (kinds ", quick_ops, g.ops.size()))) << out;
  EXPECT_TRUE(has(out, fmt::format("not attempted in the demo: {} operations", g.ops.size() - quick_ops))) << out;
  EXPECT_FALSE(has(out, "NOT proved")) << out;
  EXPECT_EQ(ctx.closing_lines.size(), 3u);
  EXPECT_TRUE(has(ctx.closing_lines.back(), v["full_proof_command"].get<std::string>()));
}

TEST(DemoVerify, RefutedTableOperationFailsTheDemo) {
  const circuits::Network ntk = compiled();
  const proofs::SamplerGraph g = [] {
    const sampler::Model m = sampler::testing::random_model("dit", 61, 8);
    return proofs::trace_op_graph(m, sampler::compile::make_spec(m, sampler::SamplerKind::mf2, 1));
  }();
  // the lowest output bit of the first table operation that computes it with its own gate, made
  // constant 0
  uint32_t gate = UINT32_MAX, op = 0;
  for (uint32_t k = 0; k < g.ops.size() && gate == UINT32_MAX; ++k) {
    const circuits::Network::OpView v = ntk.op(k);
    const uint32_t node = v.outputs[0].index();
    if (g.ops[k].kind != proofs::OpKind::unary || !ntk.is_gate(node)) continue;
    const uint32_t gi = ntk.gate_index(node);
    if (gi >= v.first_gate && gi < v.end_gate) gate = gi, op = k;
  }
  ASSERT_NE(gate, UINT32_MAX);
  const circuits::GateView gv = ntk.gate(gate);
  proofs::CircuitEdit e;
  e.gate = proofs::CircuitEdit::Gate{gate, {gv.fanins.begin(), gv.fanins.end()}, {}, 0};
  circuits::Weight total = 1;
  for (size_t i = 0; i < gv.size(); ++i) {
    e.gate->weights.push_back(gv.weight(i));
    total += gv.weight(i) > 0 ? gv.weight(i) : 0;
  }
  e.gate->theta = total;  // above every reachable sum: the bit is 0 for every input
  DemoContext ctx = context(proofs::copy_with_edit(ntk, e));
  const std::string out = run_stage(ctx);
  EXPECT_FALSE(ctx.pass) << out;
  const nlohmann::json& v = ctx.report["stages"]["verify"];
  EXPECT_TRUE(v["structure"]["ok"].get<bool>());
  EXPECT_GE(v["refuted_operations"].get<uint64_t>(), 1u);
  EXPECT_TRUE(has(out, "[FAIL] operations of the quick kinds (max, mul, sum, unary): none refuted")) << out;
  EXPECT_TRUE(has(out, fmt::format("refuted operation {} ({}, ", op, g.ops[op].module))) << out;
  EXPECT_TRUE(has(out, "NOT proved: 0 operations inconclusive, ")) << out;
  std::printf("%s", out.c_str());  // the failure as the demo prints it, for the log
}

TEST(DemoVerify, SwappedWiresFailTheStructureCheck) {
  const circuits::Network ntk = compiled();
  // an output bit of an early operation and one of an operation half-way down the map
  auto gate_output = [&](uint32_t from) {
    for (uint32_t k = from; k < ntk.num_ops(); ++k)
      for (circuits::Signal s : ntk.op(k).outputs)
        if (ntk.is_gate(s.index())) return s.index();
    throw std::logic_error("no operation with a gate output");
  };
  proofs::CircuitEdit e;
  e.swap_reads = proofs::CircuitEdit::SwapReads{gate_output(0), gate_output(ntk.num_ops() / 2)};
  DemoContext ctx = context(proofs::copy_with_edit(ntk, e));
  const std::string out = run_stage(ctx);
  EXPECT_FALSE(ctx.pass) << out;
  EXPECT_FALSE(ctx.report["stages"]["verify"]["structure"]["ok"].get<bool>());
  EXPECT_TRUE(has(out, "[FAIL] structure: the circuit's operation map is the model's operation graph: ")) << out;
  EXPECT_FALSE(has(out, "proved for every input:")) << out;  // nothing claimed after a failed structure
  EXPECT_FALSE(has(out, "structure: FAIL")) << out;          // one line: the check's
  EXPECT_TRUE(ctx.closing_lines.empty());
}

TEST(DemoVerify, NoCircuitFailsTheStage) {
  DemoContext ctx = context(compiled());
  ctx.circuit.reset();
  const std::string out = run_stage(ctx);
  EXPECT_FALSE(ctx.pass);
  EXPECT_TRUE(has(out, "[FAIL] structure: the circuit's operation map is the model's operation graph: no circuit"))
      << out;
}
