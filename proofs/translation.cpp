// Translation validation of a compiled sampler (translation.hpp).
#include "proofs/translation.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace tc0::proofs {

using circuits::Network;
using Clock = std::chrono::steady_clock;

namespace {
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

uint64_t hash_words(const std::vector<uint64_t>& w) {
  uint64_t h = 0xcbf29ce484222325ull ^ w.size();
  for (uint64_t x : w) {
    h ^= x + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    h *= 0x100000001b3ull;
  }
  return h ^ (h >> 29);
}
}  // namespace

std::string kind_label(const OpSpec& op) {
  std::string k = to_string(op.kind);
  if (op.kind == OpKind::unary) k += "/" + std::string(numerics::name(op.fn));
  return k;
}

std::vector<std::string> verify_assumptions() {
  return {
      "the fixed-point sampler (sampler/arith_fixed.hpp over numerics/) is the specification (SPEC.md section 2); "
      "Z3 queries compare with proofs/fixed_spec.hpp, an encoding of the same rules written independently",
      "the circuit's meaning is its gates: each gate is [sum w x >= theta] over its fan-ins (circuits/network.hpp), "
      "as the simulators and the file reader define it",
      "every operation is proved for every assignment of its free wires, a superset of the values its producers "
      "can hand it: no range premise is used",
      "Z3 4.8 answers unsat correctly (the smallest instance of every proof kind is re-checked by cvc5 in the "
      "default test suite)",
  };
}

VerifyReport verify_circuit(const Network& ntk, const SamplerGraph& g, const VerifyOptions& o) {
  VerifyReport r;
  auto t0 = Clock::now();
  r.structure = check_structure(ntk, g);
  r.seconds_structure = since(t0);
  if (!r.structure.ok) return r;

  // classes of operations identical up to a renaming of their free wires (compared in full)
  t0 = Clock::now();
  r.class_of.assign(g.ops.size(), 0);
  std::unordered_multimap<uint64_t, uint32_t> index;  // shape hash -> class
  for (uint32_t k = 0; k < g.ops.size(); ++k) {
    const OpWiring w = op_wiring(ntk, g.ops[k]);
    const std::vector<uint64_t> shape = op_shape(ntk, k, g.ops[k], w);
    const uint64_t h = hash_words(shape);
    bool found = false;
    auto [b, e] = index.equal_range(h);
    for (auto it = b; it != e && !found; ++it) {
      OpClass& c = r.classes[it->second];
      if (op_shape(ntk, c.rep, g.ops[c.rep], op_wiring(ntk, g.ops[c.rep])) == shape) {
        c.members.push_back(k);
        r.class_of[k] = it->second;
        found = true;
      }
    }
    if (found) continue;
    OpClass c;
    c.rep = k;
    c.members.push_back(k);
    c.free_wires = uint32_t(w.free_nodes.size());
    const Network::OpView v = ntk.op(k);
    c.gates = v.end_gate - v.first_gate;
    for (uint32_t gi = v.first_gate; gi < v.end_gate; ++gi) c.edges += ntk.gate(gi).size();
    index.emplace(h, uint32_t(r.classes.size()));
    r.class_of[k] = uint32_t(r.classes.size());
    r.classes.push_back(std::move(c));
  }
  r.seconds_classes = since(t0);
  if (o.structure_only) return r;

  // one proof per class, the largest first (the workers finish together)
  t0 = Clock::now();
  std::vector<uint32_t> order;
  for (uint32_t c = 0; c < r.classes.size(); ++c) {
    const OpSpec& op = g.ops[r.classes[c].rep];
    bool wanted = o.kinds.empty() || o.kinds.count(kind_label(op)) || o.kinds.count(to_string(op.kind));
    if (!o.ops.empty())
      wanted = wanted && std::any_of(r.classes[c].members.begin(), r.classes[c].members.end(),
                                     [&](uint32_t k) { return o.ops.count(k) > 0; });
    if (wanted) order.push_back(c);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](uint32_t a, uint32_t b) { return r.classes[a].edges > r.classes[b].edges; });
  std::atomic<size_t> next{0}, done{0};
  std::mutex progress_mutex;
  std::exception_ptr error;
  auto worker = [&] {
    try {
      for (size_t i = next++; i < order.size(); i = next++) {
        OpClass& c = r.classes[order[i]];
        const OpSpec& op = g.ops[c.rep];
        const OpWiring w = op_wiring(ntk, op);
        const Network local = extract_op(ntk, c.rep, op, w);
        c.proof = prove_op(local, op, w, o.proof, fmt::format("op{}.{}", c.rep, kind_label(op)));
        c.attempted = true;
        const size_t d = ++done;
        if (o.progress) {
          std::lock_guard<std::mutex> lock(progress_mutex);
          o.progress(d, order.size(), c);
        }
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(progress_mutex);
      if (!error) error = std::current_exception();
      next = order.size();
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < std::max(1, o.threads); ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
  r.seconds_proofs = since(t0);
  for (const OpClass& c : r.classes) {
    r.proof_seconds_sum += c.proof.seconds;
    const uint64_t n = c.members.size();
    if (!c.attempted) r.not_attempted += n;
    else if (c.proof.verdict == Verdict::proved) r.proved += n;
    else if (c.proof.verdict == Verdict::refuted) r.refuted += n;
    else r.inconclusive += n;
  }
  return r;
}

nlohmann::json VerifyReport::to_json(const SamplerGraph& g) const {
  using nlohmann::json;
  json j;
  j["structure"] = {{"ok", structure.ok}, {"operations", structure.ops}, {"gates", structure.gates},
                    {"seconds", seconds_structure}};
  if (!structure.ok) {
    j["structure"]["error"] = structure.error;
    if (structure.first_bad_op >= 0) {
      j["structure"]["first_differing_op"] = structure.first_bad_op;
      if (size_t(structure.first_bad_op) < g.ops.size())
        j["structure"]["first_differing_module"] = g.ops[size_t(structure.first_bad_op)].module;
    }
    return j;
  }
  auto status = [](const OpClass& c) -> std::string {
    if (!c.attempted) return "not-attempted";
    return to_string(c.proof.verdict);
  };
  j["summary"] = {{"operations", g.ops.size()},   {"classes", classes.size()},
                  {"proved", proved},             {"refuted", refuted},
                  {"inconclusive", inconclusive}, {"not_attempted", not_attempted},
                  {"seconds_classes", seconds_classes}, {"seconds_proofs", seconds_proofs},
                  {"proof_seconds_sum", proof_seconds_sum}};
  // per kind
  struct KindRow {
    uint64_t ops = 0, classes = 0, proved = 0, refuted = 0, inconclusive = 0, not_attempted = 0;
    double seconds = 0, slowest = 0;
    std::map<std::string, uint64_t> methods;
  };
  std::map<std::string, KindRow> kinds;
  for (const OpClass& c : classes) {
    KindRow& k = kinds[kind_label(g.ops[c.rep])];
    k.ops += c.members.size();
    ++k.classes;
    k.seconds += c.proof.seconds;
    k.slowest = std::max(k.slowest, c.proof.seconds);
    const std::string s = status(c);
    (s == "proved" ? k.proved : s == "refuted" ? k.refuted : s == "inconclusive" ? k.inconclusive : k.not_attempted) +=
        c.members.size();
    if (c.attempted) ++k.methods[c.proof.method.substr(0, c.proof.method.find(' '))];
  }
  json jk = json::object();
  for (auto& [name, k] : kinds)
    jk[name] = {{"operations", k.ops}, {"classes", k.classes}, {"proved", k.proved}, {"refuted", k.refuted},
                {"inconclusive", k.inconclusive}, {"not_attempted", k.not_attempted}, {"seconds", k.seconds},
                {"slowest_class_seconds", k.slowest}, {"methods", k.methods}};
  j["kinds"] = jk;
  json jc = json::array();
  for (size_t i = 0; i < classes.size(); ++i) {
    const OpClass& c = classes[i];
    json e = {{"class", i}, {"rep", c.rep}, {"members", c.members.size()}, {"kind", kind_label(g.ops[c.rep])},
              {"free_wires", c.free_wires}, {"gates", c.gates}, {"edges", c.edges}, {"status", status(c)}};
    if (c.attempted) {
      e["method"] = c.proof.method;
      e["seconds"] = c.proof.seconds;
      e["queries"] = c.proof.queries;
      e["detail"] = c.proof.detail;
      if (c.proof.cex) e["counterexample"] = c.proof.cex->to_json();
    }
    jc.push_back(std::move(e));
  }
  j["classes"] = jc;
  json jo = json::array();
  for (size_t k = 0; k < g.ops.size(); ++k) {
    const OpClass& c = classes[class_of[k]];
    json e = {{"index", k},
              {"module", g.ops[k].module},
              {"kind", kind_label(g.ops[k])},
              {"status", status(c)},
              {"class", class_of[k]},
              {"shared_proof", c.rep != k}};
    if (c.attempted) e["method"] = c.proof.method, e["seconds"] = c.rep == k ? c.proof.seconds : 0.0;
    jo.push_back(std::move(e));
  }
  j["ops"] = jo;
  j["assumptions"] = verify_assumptions();
  return j;
}

}  // namespace tc0::proofs
