// Translation validation (proofs/translation.hpp, tc0flow verify) on small random models compiled
// by the tracing compiler: the structure is accepted, every operation is proved; structural damage
// (two wires between operations swapped, an output bus reordered) is caught by the structure check
// and names the operation; a single-gate mutation is refuted with a counterexample that the CPU
// simulator reproduces. Whole random models are proved in test_verify_models.cpp (release tree).
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "proofs/circuit_edit.hpp"
#include "verify_support.hpp"

using namespace tc0;
using namespace tc0::proofs;
using namespace tc0::proofs::testing;

TEST(Verify, StructureOfCompiledCircuitsIsAccepted) {
  for (auto kind : {SamplerKind::mf1, SamplerKind::mf2, SamplerKind::euler}) {
    const Compiled c = compile("dit", 31, 8, kind, kind == SamplerKind::euler ? 2 : 1);
    const StructureResult s = check_structure(c.ntk, c.g);
    EXPECT_TRUE(s.ok) << s.error;
    EXPECT_EQ(s.ops, c.g.ops.size());
    EXPECT_EQ(s.gates, c.ntk.num_gates());
  }
}

// Two operation outputs swapped between their consumers: some consumer now reads a wire outside its
// operands, and the first such operation is named.
TEST(Verify, SwappedWiresBetweenOperationsAreCaught) {
  const Compiled c = compile("dit", 32, 8, SamplerKind::mf2, 1);
  // an output bit of an early operation and of a later one that the first one's consumers do not read
  auto gate_output = [&](uint32_t from) {
    for (uint32_t k = from; k < c.ntk.num_ops(); ++k)
      for (circuits::Signal s : c.ntk.op(k).outputs)
        if (c.ntk.is_gate(s.index())) return std::pair{k, s};
    throw std::logic_error("no operation with a gate output");
  };
  const auto [p, a] = gate_output(0);
  const auto [q, b] = gate_output(uint32_t(c.g.ops.size() / 2));
  ASSERT_LT(p, q);
  CircuitEdit e;
  e.swap_reads = CircuitEdit::SwapReads{a.index(), b.index()};
  const circuits::Network bad = copy_with_edit(c.ntk, e);
  const StructureResult s = check_structure(bad, c.g);
  ASSERT_FALSE(s.ok);
  EXPECT_GE(s.first_bad_op, int64_t(q)) << s.error;
  EXPECT_NE(s.error.find("neither its own gate nor one of its operand wires"), std::string::npos) << s.error;
  EXPECT_NE(s.error.find(c.g.ops[size_t(s.first_bad_op)].module), std::string::npos) << s.error;
  // the unedited copy is accepted: the copy itself damages nothing
  EXPECT_TRUE(check_structure(copy_with_edit(c.ntk, {}), c.g).ok);
}

TEST(Verify, ReorderedOutputBusIsCaught) {
  const Compiled c = compile("dit", 33, 8, SamplerKind::mf1, 1);
  CircuitEdit e;
  e.swap_output_bits = CircuitEdit::SwapOutputBits{2, 0, 3};
  const StructureResult s = check_structure(copy_with_edit(c.ntk, e), c.g);
  ASSERT_FALSE(s.ok);
  EXPECT_NE(s.error.find("output bus 2"), std::string::npos) << s.error;
}

// A circuit of another model (same architecture and formats) has the same operations in the same
// order but other constants: the structure is the same; the first operation whose constants differ
// is refuted by its proof.
TEST(Verify, MapOfAnotherSamplerNamesTheFirstDifferingOperation) {
  const Compiled mf1 = compile("dit", 34, 8, SamplerKind::mf1, 1);
  const Compiled euler = compile("dit", 34, 8, SamplerKind::euler, 2);
  const StructureResult s = check_structure(euler.ntk, mf1.g);
  ASSERT_FALSE(s.ok);
  EXPECT_NE(s.error.find("operation"), std::string::npos) << s.error;
}

namespace {

// The classes of one kind, their proofs (verify_circuit restricted to the kind).
VerifyReport prove_kinds(const Compiled& c, std::set<std::string> kinds) {
  VerifyOptions o = quick();
  o.kinds = std::move(kinds);
  return verify_circuit(c.ntk, c.g, o);
}

}  // namespace

// Table operations (one 8-bit operand: exhaustive simulation against numerics/ is a complete proof)
// of a random DiT under MF1, MF2 and Euler-2: all proved; the other kinds are reported not attempted,
// so the whole is not proved.
TEST(Verify, TableOperationsOfRandomDitsAreProved) {
  for (auto kind : {SamplerKind::mf1, SamplerKind::mf2, SamplerKind::euler}) {
    const Compiled c = compile("dit", 41, 8, kind, kind == SamplerKind::euler ? 2 : 1);
    const VerifyReport r = prove_kinds(c, {"unary", "convert"});
    ASSERT_TRUE(r.structure.ok) << r.structure.error;
    uint64_t tables = 0;
    for (const OpSpec& op : c.g.ops) tables += op.kind == OpKind::unary || op.kind == OpKind::convert;
    ASSERT_GT(tables, 0u);
    EXPECT_EQ(r.proved, tables);
    EXPECT_EQ(r.refuted + r.inconclusive, 0u);
    EXPECT_EQ(r.not_attempted, c.g.ops.size() - tables);
    EXPECT_FALSE(r.all_proved());
    for (const OpClass& cl : r.classes)
      if (cl.attempted) {
        EXPECT_EQ(cl.proof.method.rfind("exhaustive", 0), 0u) << cl.proof.method;
      }
  }
}

// Single-gate mutations of table operations: each mutant that changes the operation's function is
// refuted with a counterexample that the CPU simulator reproduces on the mutated gates and that the
// fixed-point arithmetic disagrees with; a mutant is never proved unless exhaustive simulation of the
// operation agrees (the same method: equivalent mutants are counted, not escapes).
TEST(Verify, SingleGateMutationsAreRefutedWithReproducedCounterexamples) {
  const Compiled c = compile("dit", 42, 8, SamplerKind::mf2, 1);
  std::mt19937_64 rng(7);
  int refuted = 0, equivalent = 0, tried = 0;
  for (uint32_t k = 0; k < c.g.ops.size() && tried < 12; ++k) {
    const OpSpec& op = c.g.ops[k];
    if (op.kind != OpKind::unary) continue;
    const circuits::Network::OpView v = c.ntk.op(k);
    if (v.end_gate == v.first_gate) continue;
    const OpWiring w = op_wiring(c.ntk, op);
    const uint32_t gi = v.first_gate + uint32_t(rng() % (v.end_gate - v.first_gate));
    const circuits::GateView gv = c.ntk.gate(gi);
    GateEdit e;
    e.gate = gi - v.first_gate;
    e.fanins.assign(gv.fanins.begin(), gv.fanins.end());
    for (size_t i = 0; i < gv.size(); ++i) e.weights.push_back(gv.weight(i));
    e.theta = gv.theta + ((tried % 2) ? 1 : -1);  // the threshold moved by one
    ++tried;
    const circuits::Network local = extract_op(c.ntk, k, op, w, &e);
    const OpProof p = prove_op(local, op, w, OpProofOptions{}, "mutant");
    if (p.verdict == Verdict::proved) {
      ++equivalent;
      continue;
    }
    ASSERT_EQ(p.verdict, Verdict::refuted) << p.detail;
    ASSERT_TRUE(p.cex.has_value());
    // reproduced: the simulator on the mutated gates gives the reported value, the arithmetic another
    const auto again = check_assignment(local, op, w, p.cex->wires);
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(again->circuit, p.cex->circuit);
    EXPECT_EQ(again->expected, p.cex->expected);
    EXPECT_NE(p.cex->circuit, p.cex->expected);
    EXPECT_EQ(evaluate(op, p.cex->operands).raw, p.cex->expected);
    // the unmutated operation agrees on that input
    EXPECT_FALSE(check_assignment(extract_op(c.ntk, k, op, w), op, w, p.cex->wires).has_value());
    ++refuted;
  }
  EXPECT_EQ(tried, 12);
  EXPECT_GE(refuted, 9) << equivalent << " equivalent";
}

// The word lemmas compare with an exact form written from the graph's parameters and rounded by
// fixed_spec.hpp; exhaustive simulation compares with the fixed-point sampler's arithmetic itself.
// On the small linear-form operations both methods run and both must prove: the exact forms agree
// with FixedArith on every input of those operations.
TEST(Verify, WordLemmasAndExhaustiveSimulationAgreeOnSmallLinearForms) {
  const Compiled c = compile("dit", 43, 6, SamplerKind::mf1, 1);
  int both = 0;
  std::set<std::string> kinds;
  for (uint32_t k = 0; k < c.g.ops.size() && both < 24; ++k) {
    const OpSpec& op = c.g.ops[k];
    const OpWiring w = op_wiring(c.ntk, op);
    if (w.free_nodes.size() < 4 || w.free_nodes.size() > 16) continue;
    if (!(op.kind == OpKind::linear || op.kind == OpKind::lincomb || op.kind == OpKind::mul ||
          op.kind == OpKind::mul_add || op.kind == OpKind::dot || op.kind == OpKind::sum))
      continue;
    const circuits::Network local = extract_op(c.ntk, k, op, w);
    OpProofOptions lemma;
    lemma.exhaustive_wires = 0;
    const OpProof a = prove_op(local, op, w, lemma, "lemma");
    const OpProof b = prove_op(local, op, w, OpProofOptions{}, "exhaustive");
    EXPECT_EQ(a.verdict, Verdict::proved) << op.module << " " << a.method << ": " << a.detail;
    EXPECT_EQ(b.verdict, Verdict::proved) << op.module << ": " << b.detail;
    EXPECT_EQ(b.method.rfind("exhaustive", 0), 0u);
    EXPECT_EQ(a.method.rfind("linear form", 0), 0u);
    kinds.insert(kind_label(op));
    ++both;
  }
  EXPECT_GE(both, 8);
  EXPECT_GE(kinds.size(), 2u);
}
