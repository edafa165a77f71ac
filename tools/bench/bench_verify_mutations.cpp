// The mutation campaign of tc0flow verify (issue 14): seeded single-gate mutations of a compiled
// sampler, spread round-robin over its operation kinds and over high- and low-order output bits,
// each proved or refuted by the same per-operation proof as `tc0flow verify`:
//   weight     one fan-in weight +1 (or -1)
//   threshold  the threshold +1 or -1
//   fanin      one fan-in replaced by another free wire of the operation (a swapped fan-in)
//   moved      one fan-in moved to a wire of another operation: the structure check must refuse the
//              whole circuit (copy_with_edit + check_structure)
// A refuted mutant carries a counterexample that the CPU simulator reproduces on the mutated gates
// and that the fixed-point arithmetic (numerics/) disagrees with; a proved mutant is "equivalent" and
// is searched again by seeded random simulation (64 x --search-words assignments; for operations
// proved by exhaustive simulation the proof itself is complete): a counterexample there is an escape.
// Prints the table (per kind, per mutation, per bit order) and writes JSON.
//   bench_verify_mutations [--model DIR] [--sampler K] [--steps N] [--depth-budget D] [--count N]
//                          [--seed S] [--timeout S] [--search-words W] [--json PATH]
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <thread>

#include "fileio/atomic_file.hpp"
#include "proofs/bv.hpp"
#include "proofs/circuit_edit.hpp"
#include "proofs/translation.hpp"
#include "sampler/compile/trace.hpp"
#include "sampler/run.hpp"

using namespace tc0;
using namespace tc0::proofs;
using circuits::Network;
using circuits::Signal;

namespace {

struct Row {
  int mutants = 0, refuted = 0, equivalent = 0, inconclusive = 0, escapes = 0, caught = 0;
  double seconds = 0;
  void add(const Row& r) {
    mutants += r.mutants, refuted += r.refuted, equivalent += r.equivalent, inconclusive += r.inconclusive;
    escapes += r.escapes, caught += r.caught, seconds += r.seconds;
  }
};

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

std::string hostname() {
  char buf[256] = {};
  gethostname(buf, sizeof buf - 1);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  std::string model = "sampler/models/moons_mf2", kind_name, json_path = "bench_verify_mutations.json";
  int steps = 0, depth_budget = 2, count = 100, search_words = 1024;
  uint64_t seed = 1;
  double timeout = 60;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
    if (a == "--model") model = next();
    else if (a == "--sampler") kind_name = next();
    else if (a == "--steps") steps = std::stoi(next());
    else if (a == "--depth-budget") depth_budget = std::stoi(next());
    else if (a == "--count") count = std::stoi(next());
    else if (a == "--seed") seed = std::stoull(next());
    else if (a == "--timeout") timeout = std::stod(next());
    else if (a == "--search-words") search_words = std::stoi(next());
    else if (a == "--json") json_path = next();
    else {
      fmt::print("bench_verify_mutations [--model DIR] [--sampler K] [--steps N] [--depth-budget D] [--count N] "
                 "[--seed S] [--timeout S] [--search-words W] [--json PATH]\n");
      return a == "--help" ? 0 : 1;
    }
  }
  const auto t0 = std::chrono::steady_clock::now();
  const sampler::Model m = sampler::Model::load(model);
  const sampler::SamplerSpec spec = sampler::sampler_spec(m, kind_name, steps);
  sampler::compile::CompileOptions co;
  co.linear.depth_budget = depth_budget;
  const Network ntk = sampler::compile::compile_sampler(m, spec, co);
  const SamplerGraph g = trace_op_graph(m, spec);
  const StructureResult st = check_structure(ntk, g);
  if (!st.ok) {
    fmt::print(stderr, "bench_verify_mutations: the unmutated circuit fails the structure check: {}\n", st.error);
    return 1;
  }
  std::map<std::string, std::vector<uint32_t>> by_kind;  // operations with gates, per kind
  for (uint32_t k = 0; k < g.ops.size(); ++k)
    if (ntk.op(k).end_gate > ntk.op(k).first_gate) by_kind[kind_label(g.ops[k])].push_back(k);
  std::vector<std::string> kinds;
  for (auto& [k, ops] : by_kind) kinds.push_back(k);
  fmt::print("{} ({} {}-step, depth budget {}): {} gates, {} operations, kinds: {}\n", model, sampler::name(spec.kind),
             spec.steps, depth_budget, ntk.num_gates(), g.ops.size(), fmt::join(kinds, ", "));

  OpProofOptions po;
  po.query.timeout_ms = unsigned(timeout * 1000);
  std::mt19937_64 rng(seed);
  std::map<std::string, Row> per_kind, per_mutation, per_order;
  nlohmann::json list = nlohmann::json::array();
  static const char* kMutation[] = {"weight", "threshold", "fanin", "moved"};
  for (int i = 0; i < count; ++i) {
    const std::string& kind = kinds[size_t(i) % kinds.size()];
    const auto& ops = by_kind[kind];
    const uint32_t k = ops[rng() % ops.size()];
    const OpSpec& op = g.ops[k];
    const Network::OpView v = ntk.op(k);
    const bool high = (i / int(kinds.size())) % 2 == 0;
    const size_t width = v.outputs.size();
    const size_t bit = high ? width - 1 - rng() % std::min<size_t>(2, width) : rng() % std::min<size_t>(2, width);
    std::vector<uint32_t> gates = cone(ntk, k, bit);
    if (gates.empty())
      for (uint32_t gi = v.first_gate; gi < v.end_gate; ++gi) gates.push_back(gi);
    const uint32_t gi = gates[rng() % gates.size()];
    const circuits::GateView gv = ntk.gate(gi);
    const OpWiring w = op_wiring(ntk, op);
    const int mk = i % 4;
    GateEdit e;
    e.gate = gi - v.first_gate;
    e.fanins.assign(gv.fanins.begin(), gv.fanins.end());
    for (size_t f = 0; f < gv.size(); ++f) e.weights.push_back(gv.weight(f));
    e.theta = gv.theta;
    const size_t f = rng() % gv.size();
    std::string what;
    Row r;
    r.mutants = 1;
    const auto tm = std::chrono::steady_clock::now();
    nlohmann::json entry = {{"index", i}, {"op", k}, {"module", op.module}, {"kind", kind}, {"mutation", kMutation[mk]},
                            {"bit", bit}, {"order", high ? "high" : "low"}, {"gate_node", ntk.gate_node(gi)}};
    if (mk == 3) {
      // a fan-in moved to an output wire of an earlier operation that this one does not read
      std::set<uint32_t> own(w.free_nodes.begin(), w.free_nodes.end());
      std::optional<Signal> other;
      for (int tries = 0; tries < 64 && !other && k > 0; ++tries) {
        const uint32_t p = uint32_t(rng() % k);
        for (Signal s : ntk.op(p).outputs)
          if (ntk.is_gate(s.index()) && !own.count(s.index())) other = s;
      }
      if (!other) other = ntk.input_buses().at(0).bits.at(0);
      CircuitEdit ce;
      ce.gate = CircuitEdit::Gate{gi, e.fanins, e.weights, e.theta};
      ce.gate->fanins[f] = *other;
      const StructureResult s = check_structure(copy_with_edit(ntk, ce), g);
      r.caught = !s.ok;
      r.escapes = s.ok;  // a moved wire that the structure check accepts is an escape
      what = fmt::format("fan-in {} moved to node {}", f, other->index());
      entry["verdict"] = s.ok ? "escape" : "caught by the structure check";
      entry["detail"] = s.error;
    } else {
      if (mk == 0) {
        e.weights[f] += (e.weights[f] > 1 && rng() % 2) ? -1 : 1;
        what = fmt::format("weight {} {} -> {}", f, proofs::to_decimal(gv.weight(f)), proofs::to_decimal(e.weights[f]));
      } else if (mk == 1) {
        e.theta += rng() % 2 ? 1 : -1;
        what = fmt::format("theta {} -> {}", proofs::to_decimal(gv.theta), proofs::to_decimal(e.theta));
      } else {
        // another free wire of the operation that the gate does not read
        std::set<uint32_t> read;
        for (Signal s : gv.fanins) read.insert(s.index());
        std::vector<uint32_t> cand;
        for (uint32_t n : w.free_nodes)
          if (!read.count(n)) cand.push_back(n);
        if (!cand.empty()) e.fanins[f] = Signal::make(cand[rng() % cand.size()], gv.fanins[f].complemented());
        else e.theta += 1;
        what = cand.empty() ? "theta + 1 (no other wire)" : fmt::format("fan-in {} -> node {}", f, e.fanins[f].index());
      }
      const Network local = extract_op(ntk, k, op, w, &e);
      const OpProof p = prove_op(local, op, w, po, fmt::format("mutant{}", i));
      entry["method"] = p.method;
      entry["detail"] = p.detail;
      if (p.verdict == Verdict::refuted) {
        // reproduced on the CPU simulator; the fixed-point arithmetic gives another value
        const auto again = check_assignment(local, op, w, p.cex->wires);
        const bool ok = again && again->circuit == p.cex->circuit && evaluate(op, p.cex->operands).raw == p.cex->expected;
        r.refuted = ok;
        r.escapes = !ok;
        entry["verdict"] = ok ? "refuted" : "escape (counterexample not reproduced)";
        entry["counterexample"] = p.cex->to_json();
      } else if (p.verdict == Verdict::proved) {
        const auto c = search_counterexample(local, op, w, search_words, seed + uint64_t(i));
        r.equivalent = !c;
        r.escapes = c.has_value();
        entry["verdict"] = c ? "escape (proved, but random simulation differs)" : "equivalent";
      } else {
        r.inconclusive = 1;
        entry["verdict"] = "inconclusive";
      }
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - tm).count();
    entry["change"] = what;
    entry["seconds"] = r.seconds;
    list.push_back(entry);
    per_kind[kind].add(r);
    per_mutation[kMutation[mk]].add(r);
    per_order[high ? "high bits" : "low bits"].add(r);
    fmt::print(stderr, "[{}/{}] {} op {} bit {} {}: {} ({:.1f} s)\n", i + 1, count, kind, k, bit, what,
               entry["verdict"].get<std::string>(), r.seconds);
  }
  auto table = [](const std::string& title, const std::map<std::string, Row>& rows) {
    fmt::print("\n{:<20} {:>7} {:>8} {:>7} {:>11} {:>7} {:>7} {:>9}\n", title, "mutants", "refuted", "caught", "equivalent",
               "inconcl", "escapes", "seconds");
    Row total;
    for (auto& [name, r] : rows) {
      fmt::print("{:<20} {:>7} {:>8} {:>7} {:>11} {:>7} {:>7} {:>9.1f}\n", name, r.mutants, r.refuted, r.caught,
                 r.equivalent, r.inconclusive, r.escapes, r.seconds);
      total.add(r);
    }
    return total;
  };
  const Row total = table("kind", per_kind);
  table("mutation", per_mutation);
  table("bit order", per_order);
  const double caught = total.mutants ? double(total.refuted + total.caught) / total.mutants : 0;
  fmt::print("\n{} mutants: {} refuted, {} caught by the structure check ({:.0f}% in all), {} equivalent, {} "
             "inconclusive, {} escapes; {:.0f} s\n",
             total.mutants, total.refuted, total.caught, 100 * caught, total.equivalent, total.inconclusive, total.escapes,
             std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  nlohmann::json j{{"benchmark", "bench_verify_mutations"},
                   {"machine", {{"host", hostname()}, {"cores", std::thread::hardware_concurrency()}}},
                   {"commit", TC0_GIT_COMMIT},
                   {"model", model},
                   {"sampler", {{"kind", sampler::name(spec.kind)}, {"steps", spec.steps}}},
                   {"depth_budget", depth_budget},
                   {"seed", seed},
                   {"mutants", total.mutants},
                   {"refuted", total.refuted},
                   {"caught_by_structure", total.caught},
                   {"equivalent", total.equivalent},
                   {"inconclusive", total.inconclusive},
                   {"escapes", total.escapes},
                   {"list", list}};
  fileio::write_file(json_path, j.dump(2) + "\n", "JSON report");
  return total.escapes == 0 ? 0 : 2;
}
