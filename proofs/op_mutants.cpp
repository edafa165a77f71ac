// Single-gate and structural mutants of a compiled sampler, judged (op_mutants.hpp).
#include "proofs/op_mutants.hpp"

#include <fmt/format.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <random>
#include <set>

#include "circuits/reference_eval.hpp"
#include "proofs/bv.hpp"
#include "proofs/translation.hpp"

namespace tc0::proofs {

using circuits::Network;
using circuits::Signal;

const char* to_string(MutantKind k) {
  switch (k) {
    case MutantKind::weight: return "weight";
    case MutantKind::threshold: return "threshold";
    case MutantKind::fanin: return "fanin";
    case MutantKind::moved: return "moved";
  }
  return "?";
}

namespace {

// Gates of operation k in the cone of its output bit b (inside the operation).
std::vector<uint32_t> cone(const Network& ntk, uint32_t k, size_t b) {
  const Network::OpView v = ntk.op(k);
  std::vector<uint32_t> out, stack;
  std::set<uint32_t> seen;
  auto push = [&](uint32_t node) {
    if (!ntk.is_gate(node)) return;
    const uint32_t g = ntk.gate_index(node);
    if (g < v.first_gate || g >= v.end_gate || !seen.insert(g).second) return;
    stack.push_back(g);
  };
  push(v.outputs[b].index());
  while (!stack.empty()) {
    const uint32_t g = stack.back();
    stack.pop_back();
    out.push_back(g);
    for (Signal f : ntk.gate(g).fanins) push(f.index());
  }
  return out;
}

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

struct Recheck {
  int queries = 0, agree = 0;
};

// tools/smt2_recheck.sh on every query of a folder; its last line reads "N queries: A agree, D differ; ...".
Recheck recheck_folder(const std::string& script, const std::string& dir, int timeout_s) {
  Recheck r;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec) || std::filesystem::is_empty(dir, ec)) return r;
  if (dir.find('\'') != std::string::npos || script.find('\'') != std::string::npos)
    throw std::invalid_argument("a path with a quote: " + dir);
  const std::string cmd = fmt::format("'{}' --timeout {} '{}' 2>&1", script, timeout_s, dir);
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) throw std::runtime_error("popen failed: " + cmd);
  std::array<char, 1024> buf{};
  std::string last;
  while (fgets(buf.data(), int(buf.size()), p)) last = buf.data();
  pclose(p);
  if (std::sscanf(last.c_str(), "%d queries: %d agree", &r.queries, &r.agree) != 2)
    throw std::runtime_error(fmt::format("cvc5 re-check: unexpected output '{}' of {}", last, cmd));
  return r;
}

// The second method for an operation proved by exhaustive simulation: every assignment of its free
// wires again, through the reference evaluator (circuits/reference_eval.hpp: scalar, exact sums,
// no kernels) instead of the bit-parallel simulator, against FixedArith. The first assignment where
// they differ, or nullopt.
std::optional<std::vector<uint8_t>> reference_exhaustive(const Network& local, const OpSpec& op, const OpWiring& w) {
  const size_t n = w.free_nodes.size();
  if (n > 22) throw std::invalid_argument("reference_exhaustive: more than 22 free wires");
  const OpEvaluator eval(op);
  std::vector<uint8_t> wires(n);
  std::vector<bool> in(n);
  for (uint64_t x = 0; x < (uint64_t(1) << n); ++x) {
    for (size_t j = 0; j < n; ++j) wires[j] = uint8_t((x >> j) & 1), in[j] = wires[j] != 0;
    const int64_t got = circuits::bus_value(circuits::evaluate_nodes(local, in), local.output_buses().at(0));
    if (got != eval(operand_values(op, w, wires)).raw) return wires;
  }
  return std::nullopt;
}

}  // namespace

std::vector<OpMutant> draw_op_mutants(const Network& ntk, const SamplerGraph& g, int count, uint64_t seed,
                                      std::vector<std::string>* kinds_out) {
  std::map<std::string, std::vector<uint32_t>> by_kind;  // operations with gates, per kind
  for (uint32_t k = 0; k < g.ops.size(); ++k)
    if (ntk.op(k).end_gate > ntk.op(k).first_gate) by_kind[kind_label(g.ops[k])].push_back(k);
  std::vector<std::string> kinds;
  for (auto& [k, ops] : by_kind) kinds.push_back(k);
  if (kinds_out) *kinds_out = kinds;
  std::vector<OpMutant> out;
  if (kinds.empty()) return out;
  std::mt19937_64 rng(seed);
  for (int i = 0; i < count; ++i) {
    OpMutant mu;
    mu.index = i;
    mu.kind = kinds[size_t(i) % kinds.size()];
    const auto& ops = by_kind[mu.kind];
    const uint32_t k = ops[rng() % ops.size()];
    mu.op = k;
    const Network::OpView v = ntk.op(k);
    mu.high = (i / int(kinds.size())) % 2 == 0;
    const size_t width = v.outputs.size();
    mu.bit = mu.high ? width - 1 - rng() % std::min<size_t>(2, width) : rng() % std::min<size_t>(2, width);
    std::vector<uint32_t> gates = cone(ntk, k, mu.bit);
    if (gates.empty())
      for (uint32_t gi = v.first_gate; gi < v.end_gate; ++gi) gates.push_back(gi);
    const uint32_t gi = gates[rng() % gates.size()];
    mu.gate_node = ntk.gate_node(gi);
    const circuits::GateView gv = ntk.gate(gi);
    const OpWiring w = op_wiring(ntk, g.ops[k]);
    mu.mutation = MutantKind(i % 4);
    GateEdit& e = mu.edit;
    e.gate = gi - v.first_gate;
    e.fanins.assign(gv.fanins.begin(), gv.fanins.end());
    for (size_t f = 0; f < gv.size(); ++f) e.weights.push_back(gv.weight(f));
    e.theta = gv.theta;
    const size_t f = rng() % gv.size();
    switch (mu.mutation) {
      case MutantKind::weight:
        e.weights[f] += (e.weights[f] > 1 && rng() % 2) ? -1 : 1;
        mu.change = fmt::format("weight {} {} -> {}", f, to_decimal(gv.weight(f)), to_decimal(e.weights[f]));
        break;
      case MutantKind::threshold:
        e.theta += rng() % 2 ? 1 : -1;
        mu.change = fmt::format("theta {} -> {}", to_decimal(gv.theta), to_decimal(e.theta));
        break;
      case MutantKind::fanin: {
        // another free wire of the operation that the gate does not read
        std::set<uint32_t> read;
        for (Signal s : gv.fanins) read.insert(s.index());
        std::vector<uint32_t> cand;
        for (uint32_t n : w.free_nodes)
          if (!read.count(n)) cand.push_back(n);
        if (!cand.empty()) e.fanins[f] = Signal::make(cand[rng() % cand.size()], gv.fanins[f].complemented());
        else e.theta += 1;
        mu.change = cand.empty() ? "theta + 1 (no other wire)" : fmt::format("fan-in {} -> node {}", f, e.fanins[f].index());
        break;
      }
      case MutantKind::moved: {
        // a fan-in moved to an output wire of an earlier operation that this one does not read
        std::set<uint32_t> own(w.free_nodes.begin(), w.free_nodes.end());
        std::optional<Signal> other;
        for (int tries = 0; tries < 64 && !other && k > 0; ++tries) {
          const uint32_t p = uint32_t(rng() % k);
          for (Signal s : ntk.op(p).outputs)
            if (ntk.is_gate(s.index()) && !own.count(s.index())) other = s;
        }
        if (!other) other = ntk.input_buses().at(0).bits.at(0);
        e.fanins[f] = *other;
        mu.change = fmt::format("fan-in {} moved to node {}", f, other->index());
        break;
      }
    }
    out.push_back(std::move(mu));
  }
  return out;
}

MutantOutcome judge_op_mutant(const Network& ntk, const SamplerGraph& g, const OpMutant& mu, const JudgeOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  MutantOutcome r;
  const OpSpec& op = g.ops[mu.op];
  if (mu.mutation == MutantKind::moved) {
    const auto bad = check_op_reads(ntk, g, mu.op, &mu.edit);
    r.verdict = bad ? "caught by the structure check" : "escape (the structure check accepts a moved fan-in)";
    r.detail = bad.value_or("");
    r.seconds = since(t0);
    return r;
  }
  const OpWiring w = op_wiring(ntk, op);
  const Network local = extract_op(ntk, mu.op, op, w, &mu.edit);
  OpProofOptions po = o.proof;
  std::string dir;
  if (!o.recheck_script.empty()) {
    dir = (std::filesystem::path(o.work_dir.empty() ? std::filesystem::temp_directory_path().string() : o.work_dir) /
           fmt::format("mutant{}", mu.index))
              .string();
    std::filesystem::remove_all(dir);
    prepare_smt2_folder(dir);
    po.query.smt2_dir = dir;
  }
  const std::string name = fmt::format("mutant{}", mu.index);
  const OpProof p = prove_op(local, op, w, po, name);
  r.method = p.method;
  r.detail = p.detail;
  std::optional<Reached> reach;
  if (o.runs) {
    r.reach_inputs = o.runs->inputs.size();
    reach = first_reaching_input(local, g, mu.op, w, *o.runs);
    if (reach) r.reached_input = reach->input, r.reached = reach->cex;
  }
  if (p.verdict == Verdict::refuted) {
    // reproduced on the CPU simulator; the fixed-point arithmetic gives another value
    const auto again = check_assignment(local, op, w, p.cex->wires);
    const bool ok = again && again->circuit == p.cex->circuit && evaluate(op, p.cex->operands).raw == p.cex->expected;
    r.verdict = ok ? "refuted" : "escape (counterexample not reproduced)";
    r.refuted_by = "proof";
    r.cex = p.cex;
  } else if (p.verdict == Verdict::proved) {
    const auto c = search_counterexample(local, op, w, o.search_words, o.proof.seed + uint64_t(mu.index));
    if (c || reach) {
      r.verdict = c ? "escape (proved, but random simulation differs)" : "escape (proved, but a sampler input differs)";
      r.cex = c ? c : reach->cex;
    } else if (p.method.rfind("exhaustive", 0) == 0) {
      const auto bad = reference_exhaustive(local, op, w);
      if (bad) {
        r.verdict = "escape (proved, but the reference evaluator differs)";
        r.cex = check_assignment(local, op, w, *bad);
      } else {
        r.verdict = "equivalent";
        r.confirmation = fmt::format("every one of the 2^{} assignments again through the reference evaluator "
                                     "(circuits/reference_eval) against FixedArith",
                                     w.free_nodes.size());
      }
    } else if (!dir.empty()) {
      const Recheck rc = recheck_folder(o.recheck_script, dir, o.cvc5_timeout_s);
      r.cvc5_queries = rc.queries, r.cvc5_agree = rc.agree;
      const bool all = rc.queries > 0 && rc.agree == rc.queries;
      r.verdict = all ? "equivalent" : "equivalent (unconfirmed)";
      r.confirmation = rc.queries == 0 ? "the proof wrote no solver query (no second method)"
                                       : fmt::format("cvc5 agrees on {} of {} Z3 queries of the proof (its other steps "
                                                     "are exhaustive simulations)",
                                                     rc.agree, rc.queries);
    } else {
      r.verdict = "equivalent (unconfirmed)";
      r.confirmation = "no second method run (no cvc5 re-check)";
    }
  } else if (reach) {
    r.verdict = "refuted";
    r.refuted_by = "sampler input";
    r.cex = reach->cex;
  } else {
    r.verdict = "inconclusive";
  }
  if (!dir.empty()) std::filesystem::remove_all(dir);
  if (reach && o.downstream && !r.is_escape()) {
    const auto t1 = std::chrono::steady_clock::now();
    const circuits::GateReplacement rep{ntk.op(mu.op).first_gate + mu.edit.gate, mu.edit.fanins, mu.edit.weights,
                                        mu.edit.theta};
    const std::vector<int64_t> got = simulate_sample(ntk, o.runs->inputs[reach->input], &rep);
    const std::vector<int64_t>& want = o.runs->outputs[reach->input];
    r.visible = false;
    for (size_t d = 0; d < got.size() && d < want.size(); ++d)
      if (got[d] != want[d]) {
        r.visible = true, r.visible_entry = d, r.sample_circuit = got[d], r.sample_fixed = want[d];
        break;
      }
    r.seconds_downstream = since(t1);
  }
  r.seconds = since(t0);
  return r;
}

nlohmann::json MutantOutcome::to_json() const {
  nlohmann::json j{{"verdict", verdict}, {"method", method}, {"detail", detail}, {"seconds", seconds}};
  if (!refuted_by.empty()) j["refuted_by"] = refuted_by;
  if (cex) j["counterexample"] = cex->to_json();
  if (reach_inputs) {
    nlohmann::json re{{"inputs_searched", reach_inputs}};
    if (reached_input) {
      re["input"] = *reached_input;
      re["operands_circuit"] = reached->circuit;
      re["operands_expected"] = reached->expected;
      if (visible) {
        re["sample"] = *visible ? "differs from the fixed-point sampler's" : "equal (masked downstream)";
        if (*visible) re["entry"] = visible_entry, re["circuit"] = sample_circuit, re["fixed"] = sample_fixed;
        re["seconds_whole_circuit"] = seconds_downstream;
      }
    }
    j["reachability"] = re;
  }
  if (!confirmation.empty()) j["confirmation"] = confirmation;
  if (cvc5_queries) j["cvc5"] = {{"queries", cvc5_queries}, {"agree", cvc5_agree}};
  return j;
}

std::vector<StructuralMutant> draw_structural_mutants(const Network& ntk, const SamplerGraph& g, int count,
                                                      uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<StructuralMutant> out;
  for (int i = 0; i < count; ++i) {
    StructuralMutant mu;
    mu.index = i;
    if (i % 2 == 0) {
      // A consumer c, a wire a that one of its gates reads from the output of an operation q, and an
      // output wire b of another earlier operation p. copy_with_edit renames a and b in every read
      // (operation outputs included) from the point where both exist, so the first of q and p to end
      // after that outputs the other wire: the swap is a wrong wire between operations only when b is
      // none of q's operand wires and a none of p's (otherwise q, say, merely outputs one of its own
      // operand wires: a change inside q that its proof must refute, not the structure check).
      auto operand_wires = [&](uint32_t k) {
        std::set<uint32_t> w;
        for (const Operand& x : g.ops[k].args)
          for (Signal s : operand_signals(ntk, x)) w.insert(s.index());
        return w;
      };
      for (int tries = 0; tries < 1000 && !mu.edit.swap_reads; ++tries) {
        const uint32_t c = uint32_t(rng() % g.ops.size());
        const Network::OpView v = ntk.op(c);
        if (c == 0 || v.end_gate == v.first_gate) continue;
        std::map<uint32_t, uint32_t> producer;  // c's operand wires that an operation outputs
        for (const Operand& x : g.ops[c].args)
          if (x.source == Operand::Source::op)
            for (Signal s : ntk.op(x.index).outputs)
              if (ntk.is_gate(s.index())) producer.emplace(s.index(), x.index);
        const circuits::GateView gv = ntk.gate(v.first_gate + uint32_t(rng() % (v.end_gate - v.first_gate)));
        std::vector<uint32_t> reads;
        for (Signal s : gv.fanins)
          if (producer.count(s.index())) reads.push_back(s.index());
        if (reads.empty()) continue;
        const uint32_t a = reads[rng() % reads.size()], q = producer.at(a);
        const uint32_t p = uint32_t(rng() % c);
        const auto outs = ntk.op(p).outputs;
        if (p == q || outs.empty()) continue;
        const uint32_t b = outs[rng() % outs.size()].index();
        if (b == a || !ntk.is_gate(b) || operand_wires(c).count(b) || operand_wires(q).count(b) ||
            operand_wires(p).count(a))
          continue;
        mu.edit.swap_reads = CircuitEdit::SwapReads{a, b};
        mu.change = fmt::format("wires {} (output of operation {}, read by operation {}, {}) and {} (output of "
                                "operation {}) swapped",
                                a, q, c, g.ops[c].module, b, p);
      }
      if (!mu.edit.swap_reads) throw std::runtime_error("draw_structural_mutants: no pair of wires to swap");
    } else {
      const auto& buses = ntk.output_buses();
      for (int tries = 0; tries < 1000 && !mu.edit.swap_output_bits; ++tries) {
        const uint32_t b = uint32_t(rng() % buses.size());
        const auto& bits = buses[b].bits;
        const uint32_t x = uint32_t(rng() % bits.size()), y = uint32_t(rng() % bits.size());
        if (bits[x] == bits[y]) continue;
        mu.edit.swap_output_bits = CircuitEdit::SwapOutputBits{b, x, y};
        mu.change = fmt::format("output bus {} ('{}'): bits {} and {} exchanged", b, buses[b].name, x, y);
      }
      if (!mu.edit.swap_output_bits) throw std::runtime_error("draw_structural_mutants: no output bits to exchange");
    }
    out.push_back(std::move(mu));
  }
  return out;
}

MutantOutcome judge_structural_mutant(const Network& ntk, const SamplerGraph& g, const StructuralMutant& mu) {
  const auto t0 = std::chrono::steady_clock::now();
  MutantOutcome r;
  const StructureResult s = check_structure(copy_with_edit(ntk, mu.edit), g);
  r.verdict = s.ok ? "escape (the structure check accepts it)" : "caught by the structure check";
  r.detail = s.error;
  r.method = "check_structure on the whole edited copy";
  r.seconds = since(t0);
  return r;
}

}  // namespace tc0::proofs
