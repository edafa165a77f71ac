// max of operands (op_proof.hpp): every gate over operand bits whose weights are, operand by
// operand, one multiple of the bits' two's-complement values is a comparison of a linear
// combination of operand WORDS ("lifting", e.g. the comparators X_i >= X_j); each lifting is proved
// (one query for all of them), then the whole operation with the lifted gates read as word
// comparisons is proved against the max of the operand words (fixed_spec.hpp), rounded to the
// output format.
#include <fmt/format.h>

#include <chrono>
#include <map>
#include <optional>
#include <unordered_map>

#include "proofs/circuit_encoding.hpp"
#include "proofs/fixed_spec.hpp"
#include "proofs/op_proof_methods.hpp"

namespace tc0::proofs {

using circuits::Network;
using circuits::Signal;
using numerics::BigInt;

namespace {

// A gate lifted to [sum_a lambda_a X_a >= theta] over the operands' raw integers.
struct Lifted {
  std::map<size_t, BigInt> lambda;  // operand -> coefficient
  BigInt theta;
};

std::optional<Lifted> lift(const circuits::GateView& gv, const Network& ntk, const OpWiring& w,
                           const std::unordered_map<uint32_t, std::vector<std::pair<size_t, int>>>& where) {
  // coefficient of every operand bit in the gate's sum, and the constant it moves into theta
  std::map<size_t, std::map<int, BigInt>> beta;
  BigInt theta = to_big(gv.theta);
  for (size_t i = 0; i < gv.size(); ++i) {
    const Signal s = gv.fanins[i];
    if (!ntk.is_input(s.index())) return std::nullopt;
    auto it = where.find(s.index());
    if (it == where.end() || it->second.size() != 1) return std::nullopt;
    const auto [a, b] = it->second[0];
    const bool operand_comp = w.operands[a][size_t(b)].bit;
    const BigInt wt = to_big(gv.weight(i));
    // the literal is the operand bit when the complements agree, else 1 - the operand bit
    if (s.complemented() == operand_comp) {
      beta[a][b] += wt;
    } else {
      beta[a][b] -= wt;
      theta -= wt;
    }
  }
  Lifted l;
  l.theta = theta;
  for (auto& [a, bits] : beta) {
    const auto& ob = w.operands[a];
    const int width = int(ob.size());
    // lambda_a = beta_ab / value(b) for every free bit b; the constant bits of X_a are subtracted
    std::optional<BigInt> lam;
    for (int b = 0; b < width; ++b) {
      if (ob[size_t(b)].free < 0) continue;
      const BigInt val = b + 1 == width ? BigInt(-(BigInt(1) << b)) : BigInt(BigInt(1) << b);
      auto f = bits.find(b);
      const BigInt c = f == bits.end() ? BigInt(0) : f->second;
      if (c % val != 0) return std::nullopt;
      const BigInt q = c / val;
      if (lam && *lam != q) return std::nullopt;
      lam = q;
    }
    if (!lam || *lam == 0) return std::nullopt;
    for (int b = 0; b < width; ++b)
      if (ob[size_t(b)].free < 0 && ob[size_t(b)].bit) {
        const BigInt val = b + 1 == width ? BigInt(-(BigInt(1) << b)) : BigInt(BigInt(1) << b);
        l.theta += *lam * val;  // lambda X_a counts the constant bits too
      }
    l.lambda[a] = *lam;
  }
  return l;
}

}  // namespace

OpProof prove_max(const Network& local, const OpSpec& op, const OpWiring& w, const OpProofOptions& o,
                  const std::string& name) {
  OpProof p;
  p.method = "max (comparators lifted to words, Z3)";
  z3::context ctx;
  const size_t n = w.free_nodes.size();
  std::vector<z3::expr> x;
  for (size_t j = 0; j < n; ++j) x.push_back(ctx.bool_const(fmt::format("w{}", j).c_str()));
  // operand words
  std::vector<z3::expr> words;
  std::unordered_map<uint32_t, std::vector<std::pair<size_t, int>>> where;  // input node -> (operand, bit)
  for (size_t a = 0; a < op.args.size(); ++a) {
    std::optional<z3::expr> word;
    const auto& ob = w.operands[a];
    for (size_t b = 0; b < ob.size(); ++b) {
      z3::expr bit = ob[b].free < 0 ? ctx.bool_val(ob[b].bit) : (ob[b].bit ? !x[size_t(ob[b].free)] : x[size_t(ob[b].free)]);
      z3::expr bv = z3::ite(bit, ctx.bv_val(1, 1), ctx.bv_val(0, 1));
      word = word ? z3::concat(bv, *word) : bv;
      if (ob[b].free >= 0) where[local.inputs()[size_t(ob[b].free)]].push_back({a, int(b)});
    }
    words.push_back(*word);
  }
  // the operands on one grid (the finest), as wide as the widest: X_a >= X_b is one atom ge(a, b)
  int frac = op.args[0].fmt.frac();
  for (const Operand& a : op.args) frac = std::max(frac, a.fmt.frac());
  unsigned width = 0;
  std::vector<z3::expr> aligned;
  for (size_t a = 0; a < op.args.size(); ++a) {
    ExactBV e = align(exact_raw(words[a], op.args[a].fmt), frac);
    aligned.push_back(e.bits);
    width = std::max(width, e.width());
  }
  for (z3::expr& v : aligned) v = sext_to(v, width);
  const size_t N = op.args.size();
  std::vector<std::vector<std::optional<z3::expr>>> ge_atoms(N, std::vector<std::optional<z3::expr>>(N));
  auto ge = [&](size_t a, size_t b) -> z3::expr {
    if (!ge_atoms[a][b]) ge_atoms[a][b] = z3::sge(aligned[a], aligned[b]);
    return *ge_atoms[a][b];
  };
  // the gates, lifted where possible; a comparison of two operands of one format becomes its atom
  std::vector<z3::expr> node(local.num_nodes(), ctx.bool_val(false));
  for (size_t j = 0; j < n; ++j) node[local.inputs()[j]] = x[j];
  std::vector<z3::expr> lift_claims;
  int lifted = 0;
  auto sig = [&](Signal s) { return s.complemented() ? !node[s.index()] : node[s.index()]; };
  for (uint32_t g = 0; g < local.num_gates(); ++g) {
    const circuits::GateView gv = local.gate(g);
    std::vector<z3::expr> f;
    for (Signal s : gv.fanins) f.push_back(sig(s));
    z3::expr bitlevel = encode_gate(ctx, gv, f);
    std::optional<Lifted> l = lift(gv, local, w, where);
    if (!l) {
      node[local.gate_node(g)] = bitlevel;
      continue;
    }
    std::optional<z3::expr> wordlevel;
    if (l->lambda.size() == 2) {
      auto it = l->lambda.begin();
      const auto [a, la] = *it++;
      const auto [b, lb] = *it;
      if (la == -lb && op.args[a].fmt == op.args[b].fmt) {
        // [la (X_a - X_b) >= theta] = [X_a - X_b >= ceil(theta / la)] (la > 0), or mirrored
        const size_t hi = la > 0 ? a : b, lo = la > 0 ? b : a;
        const BigInt lam = boost::multiprecision::abs(la);
        BigInt c = l->theta / lam;  // truncates towards zero: the ceiling for theta <= 0
        if (l->theta > 0 && c * lam != l->theta) ++c;
        if (c == 0) wordlevel = ge(hi, lo);
        else if (c == 1) wordlevel = !ge(lo, hi);
      }
    }
    if (!wordlevel) {
      BigInt mag = boost::multiprecision::abs(l->theta);
      for (auto& [a, lam] : l->lambda) mag += boost::multiprecision::abs(lam) << (words[a].get_sort().bv_size() - 1);
      const unsigned W = bit_length(mag) + 3;
      z3::expr sum = bv_num(ctx, 0, W);
      for (auto& [a, lam] : l->lambda) sum = sum + sext_to(words[a], W) * bv_num(ctx, lam, W);
      wordlevel = z3::sge(sum, bv_num(ctx, l->theta, W));
    }
    lift_claims.push_back(bitlevel != *wordlevel);
    node[local.gate_node(g)] = *wordlevel;
    ++lifted;
  }
  const auto t0 = std::chrono::steady_clock::now();
  auto candidate = [&](const z3::model& m) {
    std::vector<uint8_t> wires(n);
    for (size_t j = 0; j < n; ++j) wires[j] = m.eval(x[j], true).is_true();
    return check_assignment(local, op, w, wires);
  };
  if (!lift_claims.empty()) {
    z3::expr any = ctx.bool_val(false);
    for (const z3::expr& c : lift_claims) any = any || c;
    SolverOutcome so = check(ctx, {any}, o.query, name + ".lifting");
    ++p.queries;
    if (so.status != z3::unsat) {
      p.detail = so.status == z3::sat ? "a lifted gate differs from its word comparison (a lifting bug)"
                                      : "lifting query: " + so.reason;
      return p;
    }
  }
  // the specification: the first largest operand, found as FixedArith does (a later operand replaces
  // the current maximum only when it is larger), rounded to the output format. The winner is kept
  // one-hot over the same comparison atoms; the order facts below (totality and transitivity of >=
  // on words, theorems) let the solver reason about them without their bits.
  std::vector<z3::expr> win{ctx.bool_val(true)};
  for (size_t t = 1; t < N; ++t) {
    z3::expr larger = ctx.bool_val(false);
    for (size_t i = 0; i < t; ++i) larger = larger || (win[i] && !ge(i, t));
    for (size_t i = 0; i < t; ++i) win[i] = win[i] && !larger;
    win.push_back(larger);
  }
  z3::expr m = aligned[0];
  for (size_t a = 1; a < N; ++a) m = z3::ite(win[a], aligned[a], m);
  std::vector<z3::expr> facts;
  for (size_t a = 0; a < N; ++a)
    for (size_t b = 0; b < N; ++b) {
      if (a == b) continue;
      facts.push_back(ge(a, b) || ge(b, a));
      for (size_t c = 0; c < N; ++c)
        if (c != a && c != b) facts.push_back(z3::implies(ge(a, b) && ge(b, c), ge(a, c)));
    }
  z3::expr spec = round_to_format(ExactBV{m, frac}, op.out);
  const auto& out = local.output_buses().at(0);
  z3::expr circ = z3::ite(sig(out.bits[0]), ctx.bv_val(1, 1), ctx.bv_val(0, 1));
  for (size_t b = 1; b < out.bits.size(); ++b) circ = z3::concat(z3::ite(sig(out.bits[b]), ctx.bv_val(1, 1), ctx.bv_val(0, 1)), circ);
  facts.push_back(circ != spec);
  SolverOutcome so = check(ctx, facts, o.query, name + ".max");
  ++p.queries;
  if (so.status == z3::unsat) {
    p.verdict = Verdict::proved;
    p.detail = fmt::format("{} gates lifted to word comparisons (proved), output against the max of {} operands ({:.2f} s)",
                           lifted, op.args.size(), std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  } else if (so.status == z3::sat) {
    p.cex = candidate(*so.model);
    p.verdict = p.cex ? Verdict::refuted : Verdict::inconclusive;
    p.detail = p.cex ? p.cex->str() : "the solver's counterexample is not reproduced by the simulator";
  } else {
    p.detail = "max query: " + so.reason;
  }
  return p;
}

}  // namespace tc0::proofs
