// One operation against its semantics (op_proof.hpp): dispatch, exhaustive proofs, counterexamples.
#include "proofs/op_proof.hpp"

#include <fmt/format.h>

#include <chrono>
#include <random>

#include "circuits/sim/bitsim.hpp"
#include "proofs/exhaustive.hpp"
#include "proofs/op_proof_methods.hpp"

namespace tc0::proofs {

using circuits::Network;
using circuits::Signal;

std::string OpCounterexample::str() const {
  std::string ops;
  for (size_t i = 0; i < operands.size(); ++i)
    ops += fmt::format("{}{} ({})", i ? ", " : "", operands[i].raw, operands[i].fmt.str());
  return fmt::format("operands [{}]: the gates give raw {}, the fixed-point semantics {}", ops, circuit, expected);
}

nlohmann::json OpCounterexample::to_json() const {
  nlohmann::json o = nlohmann::json::array();
  for (const Fixed& f : operands) o.push_back({{"raw", f.raw}, {"format", f.fmt.str()}, {"value", f.to_double()}});
  std::string wbits;
  for (uint8_t b : wires) wbits.push_back(b ? '1' : '0');
  return {{"operands", o}, {"circuit_raw", circuit}, {"expected_raw", expected}, {"free_wires", wbits}};
}

namespace {

int64_t raw_of_bits(const std::vector<OperandBit>& bits, const std::vector<uint8_t>& wires) {
  uint64_t u = 0;
  for (size_t i = 0; i < bits.size(); ++i) {
    const bool v = bits[i].free < 0 ? bits[i].bit : (wires[size_t(bits[i].free)] != 0) != bits[i].bit;
    if (v) u |= uint64_t(1) << i;
  }
  const size_t n = bits.size();
  if (n < 64 && (u >> (n - 1)) & 1) u |= ~uint64_t(0) << n;  // sign extension
  return int64_t(u);
}

}  // namespace

std::vector<Fixed> operand_values(const OpSpec& op, const OpWiring& w, const std::vector<uint8_t>& wires) {
  std::vector<Fixed> v;
  for (size_t a = 0; a < op.args.size(); ++a) v.push_back(Fixed{raw_of_bits(w.operands[a], wires), op.args[a].fmt});
  return v;
}

std::optional<OpCounterexample> check_assignment(const Network& local, const OpSpec& op, const OpWiring& w,
                                                 const std::vector<uint8_t>& wires) {
  circuits::sim::SimOptions so;
  so.threads = 1;
  circuits::sim::BitSimulator sim(local, so);
  circuits::sim::BusBatch in(wires.size());
  for (size_t j = 0; j < wires.size(); ++j) in[j].push_back(wires[j]);
  const int64_t got = sim.run(in).at(0).at(0);
  OpCounterexample c;
  c.wires = wires;
  c.operands = operand_values(op, w, wires);
  c.circuit = got;
  c.expected = evaluate(op, c.operands).raw;
  if (c.circuit == c.expected) return std::nullopt;
  return c;
}

std::optional<OpCounterexample> search_counterexample(const Network& local, const OpSpec& op, const OpWiring& w,
                                                      int words, uint64_t seed) {
  const size_t n = w.free_nodes.size();
  std::mt19937_64 rng(seed);
  std::vector<std::vector<uint64_t>> in(n, std::vector<uint64_t>(size_t(words)));
  for (int wd = 0; wd < words; ++wd)
    for (size_t j = 0; j < n; ++j) {
      const uint64_t r = rng();
      // uniform, sparse, dense and all-equal words: extreme operand values appear too
      switch (wd % 4) {
        case 0: in[j][wd] = r; break;
        case 1: in[j][wd] = r & rng() & rng(); break;
        case 2: in[j][wd] = r | rng() | rng(); break;
        default: in[j][wd] = (wd / 4) % 2 ? r & rng() : r | rng(); break;
      }
    }
  return first_mismatch(local, op, w, in);
}

std::optional<OpCounterexample> first_mismatch(const Network& local, const OpSpec& op, const OpWiring& w,
                                               const std::vector<std::vector<uint64_t>>& in) {
  const size_t n = w.free_nodes.size();
  const size_t words = in.empty() ? 0 : in[0].size();
  const auto out = WordSimulator(local, local.output_buses().at(0).bits).run(in);
  const OpEvaluator eval(op);
  std::vector<uint8_t> wires(n);
  std::vector<Fixed> args;
  for (size_t wd = 0; wd < words; ++wd)
    for (int lane = 0; lane < 64; ++lane) {
      for (size_t j = 0; j < n; ++j) wires[j] = (in[j][wd] >> lane) & 1;
      args = operand_values(op, w, wires);
      const int64_t want = eval(args).raw;
      uint64_t got = 0;
      for (size_t b = 0; b < out.size(); ++b) got |= ((out[b][wd] >> lane) & 1) << b;
      if (out.size() < 64 && (got >> (out.size() - 1)) & 1) got |= ~uint64_t(0) << out.size();
      if (int64_t(got) != want)
        if (auto c = check_assignment(local, op, w, wires)) return c;
    }
  return std::nullopt;
}

std::optional<OpCounterexample> boundary_search(const Network& local, const OpSpec& op, const OpWiring& w,
                                                uint64_t seed) {
  const size_t n = w.free_nodes.size();
  std::vector<int32_t> input_of(local.num_nodes(), -1);
  for (size_t j = 0; j < n; ++j) input_of[local.inputs()[j]] = int32_t(j);
  std::mt19937_64 rng(seed);
  std::vector<std::vector<uint8_t>> found;
  std::vector<uint8_t> x(n);
  for (uint32_t g = 0; g < local.num_gates(); ++g) {
    const circuits::GateView gv = local.gate(g);
    bool first_layer = true;
    for (Signal f : gv.fanins) first_layer = first_layer && input_of[f.index()] >= 0;
    if (!first_layer) continue;
    for (int delta = 0; delta < 2; ++delta) {
      // greedy: from a random assignment, flip the literal that brings the gate's sum nearest to theta - delta
      for (uint8_t& b : x) b = rng() & 1;
      auto lit = [&](size_t i) { return (x[size_t(input_of[gv.fanins[i].index()])] != 0) != gv.fanins[i].complemented(); };
      circuits::Weight sum = 0;
      for (size_t i = 0; i < gv.size(); ++i)
        if (lit(i)) sum += gv.weight(i);
      const circuits::Weight target = gv.theta - delta;
      for (int step = 0; step < 4 * int(gv.size()) && sum != target; ++step) {
        size_t best = SIZE_MAX;
        circuits::Weight best_gap = sum > target ? sum - target : target - sum;
        for (size_t i = 0; i < gv.size(); ++i) {
          const circuits::Weight s2 = lit(i) ? sum - gv.weight(i) : sum + gv.weight(i);
          const circuits::Weight gap = s2 > target ? s2 - target : target - s2;
          if (gap < best_gap) best_gap = gap, best = i;
        }
        if (best == SIZE_MAX) break;
        sum = lit(best) ? sum - gv.weight(best) : sum + gv.weight(best);
        uint8_t& b = x[size_t(input_of[gv.fanins[best].index()])];
        b = !b;
      }
      if (sum == target) found.push_back(x);
    }
  }
  if (found.empty()) return std::nullopt;
  const size_t words = (found.size() + 63) / 64;
  std::vector<std::vector<uint64_t>> in(n, std::vector<uint64_t>(words, 0));
  for (size_t a = 0; a < found.size(); ++a)
    for (size_t j = 0; j < n; ++j)
      if (found[a][j]) in[j][a / 64] |= uint64_t(1) << (a % 64);
  const auto out = WordSimulator(local, local.output_buses().at(0).bits).run(in);
  const OpEvaluator eval(op);
  for (size_t a = 0; a < found.size(); ++a) {
    uint64_t got = 0;
    for (size_t b = 0; b < out.size(); ++b) got |= ((out[b][a / 64] >> (a % 64)) & 1) << b;
    if (out.size() < 64 && (got >> (out.size() - 1)) & 1) got |= ~uint64_t(0) << out.size();
    if (int64_t(got) != eval(operand_values(op, w, found[a])).raw)
      if (auto c = check_assignment(local, op, w, found[a])) return c;
  }
  return std::nullopt;
}

OpProof prove_exhaustive(const Network& local, const OpSpec& op, const OpWiring& w) {
  const auto t0 = std::chrono::steady_clock::now();
  OpProof p;
  const size_t n = w.free_nodes.size();
  p.method = fmt::format("exhaustive (2^{} assignments)", n);
  const auto& bus = local.output_buses().at(0);
  const auto tables = truth_tables(local, bus.bits);
  const OpEvaluator eval(op);
  const uint64_t total = uint64_t(1) << n;
  std::vector<uint8_t> wires(n);
  std::vector<Fixed> args;
  for (uint64_t s = 0; s < total; ++s) {
    for (size_t j = 0; j < n; ++j) wires[j] = (s >> j) & 1;
    args = operand_values(op, w, wires);
    const int64_t want = eval(args).raw;
    uint64_t got = 0;
    for (size_t b = 0; b < tables.size(); ++b) got |= uint64_t(table_bit(tables[b], s)) << b;
    if (tables.size() < 64 && (got >> (tables.size() - 1)) & 1) got |= ~uint64_t(0) << tables.size();
    if (int64_t(got) != want) {
      p.cex = check_assignment(local, op, w, wires);
      p.verdict = p.cex ? Verdict::refuted : Verdict::inconclusive;
      p.detail = p.cex ? p.cex->str()
                       : fmt::format("assignment {} differs in the truth table but not on the simulator (a simulator "
                                     "bug?)",
                                     s);
      break;
    }
  }
  if (!p.cex && p.detail.empty()) {
    p.verdict = Verdict::proved;
    p.detail = fmt::format("all {} assignments of the {} free wires", total, n);
  }
  p.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return p;
}

OpProof prove_op(const Network& local, const OpSpec& op, const OpWiring& w, const OpProofOptions& o,
                 const std::string& name) {
  const auto t0 = std::chrono::steady_clock::now();
  const int n = int(w.free_nodes.size());
  OpProof p;
  if (n <= o.exhaustive_wires || (op.kind == OpKind::unary && n <= kMaxExhaustiveInputs)) {
    p = prove_exhaustive(local, op, w);
  } else if (is_linear_form_op(op.kind)) {
    p = prove_linear_form(local, op, w, o, name);
  } else if (op.kind == OpKind::max) {
    p = prove_max(local, op, w, o, name);
  } else {
    p.method = "none";
    p.detail = fmt::format("{} free wires, more than exhaustive simulation takes, and no other method for {}", n,
                           to_string(op.kind));
  }
  if (p.verdict == Verdict::inconclusive && !p.cex && n > o.exhaustive_wires && n <= o.exhaustive_fallback_wires &&
      n <= kMaxExhaustiveInputs) {
    OpProof e = prove_exhaustive(local, op, w);
    e.detail += fmt::format(" (after the {}: {})", p.method, p.detail);
    e.queries = p.queries;
    p = std::move(e);
  }
  if (p.verdict == Verdict::inconclusive && !p.cex) {
    if (auto c = search_counterexample(local, op, w, o.search_words, o.seed)) {
      p.verdict = Verdict::refuted;
      p.detail = c->str() + " (found by random simulation after: " + p.detail + ")";
      p.cex = c;
    } else if (auto b = boundary_search(local, op, w, o.seed)) {
      p.verdict = Verdict::refuted;
      p.detail = b->str() + " (found at a gate's threshold after: " + p.detail + ")";
      p.cex = b;
    } else if (is_linear_form_op(op.kind)) {
      if (auto m = linear_form_miter(local, op, w, o.query, name)) {
        p.verdict = Verdict::refuted;
        p.detail = m->str() + " (found by a Z3 miter of the operation after: " + p.detail + ")";
        p.cex = m;
      }
    }
  }
  p.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return p;
}

}  // namespace tc0::proofs
