#include "circuits/stats.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "circuits/sim/flat.hpp"

namespace tc0::circuits {

const char* gate_kind_name(GateKind k) {
  switch (k) {
    case GateKind::and_gate: return "AND";
    case GateKind::or_gate: return "OR";
    case GateKind::maj_gate: return "MAJ";
    case GateKind::threshold: return "TH";
  }
  return "?";
}

GateKind classify_gate(const GateView& g) {
  const size_t n = g.size();
  for (size_t i = 0; i < n; ++i)
    if (g.weight(i) != 1) return GateKind::threshold;
  if (g.theta == Weight(n)) return GateKind::and_gate;
  if (g.theta == 1) return GateKind::or_gate;
  if (n % 2 == 1 && g.theta == Weight((n + 1) / 2)) return GateKind::maj_gate;
  return GateKind::threshold;
}

int magnitude_bits(Weight v) {
  auto u = static_cast<unsigned __int128>(v < 0 ? -v : v);
  int n = 0;
  while (u) {
    u >>= 1;
    ++n;
  }
  return n;
}

std::string CircuitStats::line() const {
  return fmt::format("i/o = {}/{}  gates = {}  edges = {}  depth = {}  maxfanin = {}  wbits = {}  tbits = {}", inputs,
                     outputs, gates, edges, depth, max_fanin, weight_bits, theta_bits);
}

nlohmann::json CircuitStats::to_json() const {
  nlohmann::json j;
  j["inputs"] = inputs;
  j["outputs"] = outputs;
  j["gates"] = gates;
  j["edges"] = edges;
  j["stored_edges"] = stored_edges;
  j["depth"] = depth;
  j["output_depth"] = output_depth;
  j["unreached_gates"] = unreached;
  j["majority_size"] = majority_size.str();
  j["max_fanin"] = max_fanin;
  j["weight_bits"] = weight_bits;
  j["theta_bits"] = theta_bits;
  j["gates_by_kind"] = {{"AND", by_kind[0]}, {"OR", by_kind[1]}, {"MAJ", by_kind[2]}, {"TH", by_kind[3]}};
  auto& path = j["critical_path"] = nlohmann::json::array();
  for (const PathStep& s : critical_path)
    path.push_back({{"node", s.node}, {"level", s.level}, {"fanin", s.fanin}, {"module", s.module},
                    {"kind", gate_kind_name(s.kind)}});
  auto& mods = j["modules"] = nlohmann::json::array();
  for (const ModuleStats& m : modules)
    mods.push_back({{"module", m.path}, {"gates", m.gates}, {"edges", m.edges}, {"stored_edges", m.stored_edges},
                    {"depth", m.depth}});
  j["line"] = line();
  return j;
}

CircuitStats compute_stats(const Network& ntk) {
  CircuitStats st;
  st.inputs = ntk.num_inputs();
  for (const Bus& b : ntk.output_buses()) st.outputs += uint32_t(b.bits.size());
  st.gates = ntk.num_gates();
  st.edges = ntk.num_edges();
  st.stored_edges = ntk.num_stored_edges();
  st.unreached = ntk.count_unreached_gates();
  const auto level = sim::node_levels(ntk);
  for (const Bus& b : ntk.output_buses())
    for (Signal s : b.bits) st.output_depth = std::max(st.output_depth, level[s.index()]);
  uint64_t stored_end = 0;             // lists are stored in creation order
  unsigned __int128 majority_part = 0;  // flushed into the BigInt before it could wrap

  const size_t num_modules = std::max<size_t>(ntk.modules().size(), 1);
  std::vector<ModuleStats> mods(num_modules);
  std::vector<uint32_t> module_level(ntk.num_nodes(), 0);  // depth within the gate's own module
  for (uint32_t g = 0; g < ntk.num_gates(); ++g) {
    const GateView gv = ntk.gate(g);
    const uint32_t node = ntk.gate_node(g);
    st.depth = std::max(st.depth, level[node]);
    st.max_fanin = std::max<uint32_t>(st.max_fanin, uint32_t(gv.size()));
    for (size_t i = 0; i < gv.size(); ++i) st.weight_bits = std::max(st.weight_bits, magnitude_bits(gv.weight(i)));
    st.theta_bits = std::max(st.theta_bits, magnitude_bits(gv.theta));
    ++st.by_kind[size_t(classify_gate(gv))];
    unsigned __int128 mag = static_cast<unsigned __int128>(gv.theta < 0 ? -gv.theta : gv.theta);
    for (size_t i = 0; i < gv.size(); ++i) mag += static_cast<unsigned __int128>(gv.weight(i));
    if (majority_part + mag < majority_part) {
      st.majority_size += numerics::to_bigint(static_cast<__int128>(majority_part >> 1)) * 2 +
                          numerics::BigInt(uint64_t(majority_part & 1));
      majority_part = 0;
    }
    majority_part += mag;
    uint64_t stored = 0;
    if (ntk.fanin_list(g) == stored_end) {
      stored = gv.size();
      stored_end += stored;
    }
    const uint32_t m = gv.module < num_modules ? gv.module : 0;
    uint32_t ml = 0;
    for (Signal s : gv.fanins)
      if (ntk.is_gate(s.index()) && ntk.gate(ntk.gate_index(s.index())).module == gv.module)
        ml = std::max(ml, module_level[s.index()]);
    module_level[node] = ml + 1;
    auto& ms = mods[m];
    ++ms.gates;
    ms.edges += gv.size();
    ms.stored_edges += stored;
    ms.depth = std::max(ms.depth, ml + 1);
  }
  st.majority_size += numerics::to_bigint(static_cast<__int128>(majority_part >> 1)) * 2 +
                      numerics::BigInt(uint64_t(majority_part & 1));
  for (size_t m = 0; m < num_modules; ++m) {
    if (mods[m].gates == 0) continue;
    mods[m].path = m < ntk.modules().size() ? ntk.modules()[m] : "";
    st.modules.push_back(mods[m]);
  }

  // Critical path: start at a deepest gate (lowest index among ties) and walk back through the
  // deepest fan-in, so the listing is deterministic.
  if (st.depth > 0) {
    uint32_t node = 0;
    for (uint32_t g = 0; g < ntk.num_gates(); ++g)
      if (level[ntk.gate_node(g)] == st.depth) {
        node = ntk.gate_node(g);
        break;
      }
    while (true) {
      const GateView gv = ntk.gate(ntk.gate_index(node));
      st.critical_path.push_back({node, level[node], uint32_t(gv.size()),
                                  gv.module < ntk.modules().size() ? ntk.modules()[gv.module] : "", classify_gate(gv)});
      uint32_t next = 0;
      for (Signal s : gv.fanins)
        if (ntk.is_gate(s.index()) && level[s.index()] + 1 == level[node]) {
          next = s.index();
          break;
        }
      if (next == 0) break;
      node = next;
    }
    std::reverse(st.critical_path.begin(), st.critical_path.end());
  }
  return st;
}

}  // namespace tc0::circuits
