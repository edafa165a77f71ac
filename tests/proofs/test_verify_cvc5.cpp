// Second solver for tc0flow verify (issue 14 item 4): on a random DiT whose activations are Q(12,6)
// (MF1, one step: every operation kind the sampler makes that a solver proves has an instance above
// the 20 free wires of exhaustive simulation), the smallest class of every such kind (fewest free
// wires, then fewest edges) is proved with its queries written as SMT-LIB2 (QueryOptions::smt2_dir,
// as `tc0flow verify --op K --smt2 DIR` writes them), and cvc5 must answer unsat to every one.
// Kinds proved by exhaustive simulation have no query: their largest class is proved here and must
// have written none, and the table says so. A negative control: a gate of one operation moved by
// one gives a query Z3 answers sat, and cvc5 must answer sat too, so the check can fail.
#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <unistd.h>

#include "proofs/op_proof_methods.hpp"
#include "second_solver.hpp"
#include "verify_support.hpp"

using namespace tc0::proofs;
using namespace tc0::proofs::testing;
namespace fs = std::filesystem;

namespace {

constexpr int kQueryTimeoutS = 60;  // per cvc5 query; past it the answer is "unknown" and the test fails

const Compiled& model() {
  static const Compiled c = compile("dit", 52, 12, SamplerKind::mf1, 1);
  return c;
}

fs::path fresh_dir(const std::string& what) {
  const fs::path d = fs::temp_directory_path() / fmt::format("tc0_verify_cvc5_{}_{}", what, ::getpid());
  fs::remove_all(d);
  return d;
}

// The query files a proof named `prefix` wrote (op<k>.<kind>.bit<j>, op<k>.max.lifting, ...).
std::vector<fs::path> files_of(const fs::path& dir, const std::string& prefix) {
  std::vector<fs::path> v;
  if (fs::is_directory(dir))
    for (const auto& e : fs::directory_iterator(dir))
      if (e.path().filename().string().rfind(prefix, 0) == 0) v.push_back(e.path());
  std::sort(v.begin(), v.end());
  return v;
}

bool solver_kind(OpKind k) { return is_linear_form_op(k) || k == OpKind::max; }

}  // namespace

TEST(VerifySecondSolver, SmallestSolverClassOfEveryKindIsRecheckedByCvc5) {
  ASSERT_EQ(std::system("cvc5 --version > /dev/null 2>&1"), 0) << "cvc5 is not installed: tools/deps.sh installs it";
  const Compiled& c = model();
  VerifyOptions o = quick();
  o.structure_only = true;
  const VerifyReport shapes = verify_circuit(c.ntk, c.g, o);
  ASSERT_TRUE(shapes.structure.ok) << shapes.structure.error;

  // per kind: the smallest class above exhaustive simulation's bound, or (none such) the largest class
  const int bound = o.proof.exhaustive_wires;
  std::map<std::string, const OpClass*> solver, exhaustive;
  std::set<OpKind> present;
  auto smaller = [](const OpClass* a, const OpClass& b) {
    return !a || std::pair(b.free_wires, b.edges) < std::pair(a->free_wires, a->edges);
  };
  for (const OpClass& cl : shapes.classes) {
    const OpSpec& op = c.g.ops[cl.rep];
    present.insert(op.kind);
    const std::string k = kind_label(op);
    if (int(cl.free_wires) > bound) {
      if (smaller(solver[k], cl)) solver[k] = &cl;
    } else if (!exhaustive[k] || !smaller(exhaustive[k], cl)) {
      exhaustive[k] = &cl;
    }
  }
  std::erase_if(exhaustive, [&](const auto& e) { return solver.count(e.first) > 0; });
  // every kind with a solver method occurs in the model with a class that needs it, except convert,
  // which no sampler policy call makes
  for (OpKind k : {OpKind::linear, OpKind::lincomb, OpKind::dot, OpKind::mul, OpKind::mul_add, OpKind::sum,
                   OpKind::max, OpKind::unary, OpKind::convert}) {
    if (!solver_kind(k)) continue;
    if (k == OpKind::convert) {
      EXPECT_FALSE(present.count(k)) << "the model now has convert operations: re-check them too";
      continue;
    }
    EXPECT_TRUE(solver.count(to_string(k))) << to_string(k) << ": no class above " << bound << " free wires";
  }
  ASSERT_GE(solver.size(), 7u);

  // prove the chosen classes, writing their queries
  const fs::path dir = fresh_dir("queries");
  o.structure_only = false;
  o.proof.query.smt2_dir = dir.string();
  for (auto* m : {&solver, &exhaustive})
    for (const auto& [k, cl] : *m) o.ops.insert(cl->rep);
  const VerifyReport r = verify_circuit(c.ntk, c.g, o);
  ASSERT_TRUE(r.structure.ok);
  auto proof_of = [&](const OpClass* cl) -> const OpClass& { return r.classes[r.class_of[cl->rep]]; };

  std::printf("%-18s %5s %6s %6s  %-28s %7s %7s %8s %8s\n", "kind", "op", "wires", "gates", "method", "queries",
              "z3 s", "cvc5 s", "slowest");
  int queries = 0;
  double cvc5_total = 0, z3_total = 0;
  for (const auto& [k, shape] : solver) {
    const OpClass& cl = proof_of(shape);
    ASSERT_TRUE(cl.attempted) << k;
    ASSERT_EQ(cl.proof.verdict, Verdict::proved) << k << ": " << cl.proof.detail;
    const std::vector<fs::path> files = files_of(dir, fmt::format("op{}.", cl.rep));
    EXPECT_GT(cl.proof.queries, 0) << k << ": proved by " << cl.proof.method << " without a solver query";
    EXPECT_EQ(int(files.size()), cl.proof.queries) << k << ": every query of the proof is written, once";
    double seconds = 0, slowest = 0;
    for (const fs::path& f : files) {
      EXPECT_EQ(recorded_status(f), "unsat") << f.filename();
      const SolverRun a = run_cvc5(f, kQueryTimeoutS);
      EXPECT_EQ(a.answer, "unsat") << a.line;
      seconds += a.seconds;
      slowest = std::max(slowest, a.seconds);
    }
    queries += int(files.size());
    cvc5_total += seconds;
    z3_total += cl.proof.seconds;
    std::printf("%-18s %5u %6u %6llu  %-28s %7zu %7.2f %8.2f %8.2f\n", k.c_str(), cl.rep, cl.free_wires,
                (unsigned long long)cl.gates, cl.proof.method.substr(0, 28).c_str(), files.size(), cl.proof.seconds,
                seconds, slowest);
  }
  for (const auto& [k, shape] : exhaustive) {
    const OpClass& cl = proof_of(shape);
    ASSERT_EQ(cl.proof.verdict, Verdict::proved) << k << ": " << cl.proof.detail;
    EXPECT_EQ(cl.proof.method.rfind("exhaustive", 0), 0u) << k << ": " << cl.proof.method;
    EXPECT_EQ(cl.proof.queries, 0) << k;
    EXPECT_TRUE(files_of(dir, fmt::format("op{}.", cl.rep)).empty()) << k;
    std::printf("%-18s %5u %6u %6llu  %s: no solver query (largest class of the kind)\n", k.c_str(), cl.rep,
                cl.free_wires, (unsigned long long)cl.gates, cl.proof.method.c_str());
  }
  std::printf("%-18s %5s %6s %6s  no operation of this kind in any sampler (no policy call makes one)\n", "convert",
              "-", "-", "-");
  std::printf("%d queries of %zu kinds: Z3 %.1f s (the proofs), cvc5 %.1f s (%s)\n", queries, solver.size(), z3_total,
              cvc5_total, kRecheckScript);
  RecordProperty("queries", queries);
  RecordProperty("cvc5_seconds", fmt::format("{:.1f}", cvc5_total));
  if (!HasFailure()) fs::remove_all(dir);
}

// A gate of the smallest mul operation moved by one (its threshold): the operation is refuted with a
// counterexample, the word lemma of the bit it breaks is sat in Z3, and cvc5 must say sat to that
// file (the lemmas before it are unsat, like the unmutated operation's above).
TEST(VerifySecondSolver, Cvc5FindsTheQueryOfAMutatedGateSat) {
  const Compiled& c = model();
  VerifyOptions o = quick();
  o.structure_only = true;
  const VerifyReport shapes = verify_circuit(c.ntk, c.g, o);
  const OpClass* mul = nullptr;
  for (const OpClass& cl : shapes.classes)
    if (c.g.ops[cl.rep].kind == OpKind::mul && int(cl.free_wires) > o.proof.exhaustive_wires &&
        (!mul || std::pair(cl.free_wires, cl.edges) < std::pair(mul->free_wires, mul->edges)))
      mul = &cl;
  ASSERT_NE(mul, nullptr);
  const uint32_t k = mul->rep;
  const OpSpec& op = c.g.ops[k];
  const OpWiring w = op_wiring(c.ntk, op);
  const tc0::circuits::Network::OpView v = c.ntk.op(k);
  const fs::path dir = fresh_dir("mutant");
  OpProofOptions po = o.proof;
  po.query.smt2_dir = dir.string();
  // the gates that drive the middle output bits, threshold -1 then +1, until a mutant is refuted
  // with a sat word lemma (a mutant may be equivalent, or caught before any query)
  int sat_files = 0;
  std::string mutant;
  for (size_t j = v.outputs.size() / 2; j < v.outputs.size() && !sat_files; ++j) {
    const uint32_t node = v.outputs[j].index();
    if (!c.ntk.is_gate(node)) continue;
    const uint32_t gi = c.ntk.gate_index(node);
    const tc0::circuits::GateView gv = c.ntk.gate(gi);
    for (int delta : {-1, 1}) {
      GateEdit e;
      e.gate = gi - v.first_gate;
      e.fanins.assign(gv.fanins.begin(), gv.fanins.end());
      for (size_t i = 0; i < gv.size(); ++i) e.weights.push_back(gv.weight(i));
      e.theta = gv.theta + delta;
      fs::remove_all(dir);
      mutant = fmt::format("mutant.op{}.bit{}.theta_{}", k, j, delta < 0 ? "down" : "up");
      const OpProof p = prove_op(extract_op(c.ntk, k, op, w, &e), op, w, po, mutant);
      if (p.verdict != Verdict::refuted) continue;
      for (const fs::path& f : files_of(dir, mutant + ".")) sat_files += recorded_status(f) == "sat";
      if (sat_files) break;
    }
  }
  ASSERT_GT(sat_files, 0) << "no mutant of operation " << k << " gave a sat query";
  int sat = 0;
  for (const fs::path& f : files_of(dir, mutant + "."))
    if (recorded_status(f) == "sat") {
      const SolverRun a = run_cvc5(f, kQueryTimeoutS);
      EXPECT_EQ(a.answer, "sat") << a.line;
      sat += a.answer == "sat";
      std::printf("%s\n", a.line.c_str());
    }
  EXPECT_EQ(sat, sat_files);
  if (!HasFailure()) fs::remove_all(dir);
}
