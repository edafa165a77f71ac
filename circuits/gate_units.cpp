#include "circuits/gate_units.hpp"

#include <algorithm>
#include <unordered_map>

namespace tc0::circuits {

namespace {

// Union-find over gate indices (path halving; the smaller index is the representative).
struct Components {
  std::vector<uint32_t> parent;
  explicit Components(uint32_t n) : parent(n) {
    for (uint32_t i = 0; i < n; ++i) parent[i] = i;
  }
  uint32_t find(uint32_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  }
  void unite(uint32_t a, uint32_t b) {
    a = find(a), b = find(b);
    if (a != b) parent[std::max(a, b)] = std::min(a, b);
  }
};

// The exact description of a unit, as words (see gate_units.hpp); compared word by word.
void describe(const UnitTemplate& t, std::vector<uint64_t>& words) {
  words.clear();
  for (const TemplateGate& g : t.gates) {
    words.push_back(uint64_t(g.theta));
    words.push_back(uint64_t(static_cast<unsigned __int128>(g.theta) >> 64));
    words.push_back(g.shares_previous ? UINT64_MAX : g.refs.size());
    for (size_t i = 0; i < g.refs.size(); ++i) {
      words.push_back(uint64_t(g.refs[i]));
      words.push_back(uint64_t(g.weights[i]));
      words.push_back(uint64_t(static_cast<unsigned __int128>(g.weights[i]) >> 64));
    }
  }
}

uint64_t hash_words(const std::vector<uint64_t>& w) {
  uint64_t h = 1469598103934665603ull;
  for (uint64_t x : w) h = (h ^ x) * 1099511628211ull;
  return h;
}

}  // namespace

GateUnits build_gate_units(const Network& ntk, const Levels& lv, const ModuleTree& tree, uint32_t max_template_gates) {
  GateUnits u;
  const uint32_t n = ntk.num_gates();
  // Instances: join a gate with its fan-ins inside its leaf's parent.
  {
    Components comp(n);
    for (uint32_t g = 0; g < n; ++g) {
      if (g > 0 && ntk.fanin_list(g) == ntk.fanin_list(g - 1) &&
          tree.leaf_of_node[ntk.gate_node(g - 1)] == tree.leaf_of_node[ntk.gate_node(g)]) {
        comp.unite(g - 1, g);  // same fan-ins, same leaf: the same instance
        continue;
      }
      const uint32_t leaf = tree.leaf_of_node[ntk.gate_node(g)];
      const uint32_t scope = leaf == 0 ? 0 : tree.nodes[leaf].parent;
      const uint32_t ds = tree.nodes[scope].depth;
      for (Signal s : ntk.gate(g).fanins) {
        const uint32_t fl = tree.leaf_of_node[s.index()];
        if (fl == UINT32_MAX) continue;
        const auto& cf = tree.chains[fl];
        if (cf.size() > ds && cf[ds] == scope) comp.unite(ntk.gate_index(s.index()), g);
      }
    }
    u.unit_of_gate.assign(n, 0);
    u.local_of_gate.assign(n, 0);
    u.of_leaf.assign(tree.nodes.size(), {});
    std::unordered_map<uint64_t, uint32_t> unit_of_key;
    for (uint32_t g = 0; g < n; ++g) {
      const uint32_t leaf = tree.leaf_of_node[ntk.gate_node(g)];
      auto [it, fresh] = unit_of_key.try_emplace(uint64_t(comp.find(g)) << 32 | leaf, uint32_t(u.units.size()));
      if (fresh) {
        GateUnit unit;
        unit.leaf = leaf;
        unit.index = uint32_t(u.of_leaf[leaf].size());
        unit.first_level = UINT32_MAX;
        u.of_leaf[leaf].push_back(it->second);
        u.units.push_back(std::move(unit));
      }
      GateUnit& unit = u.units[it->second];
      u.unit_of_gate[g] = it->second;
      u.local_of_gate[g] = uint32_t(unit.gates.size());
      unit.gates.push_back(g);
      const GateView v = ntk.gate(g);
      unit.edges += v.size();
      const uint32_t level = lv.level[ntk.gate_node(g)];
      unit.first_level = std::min(unit.first_level, level);
      unit.last_level = std::max(unit.last_level, level);
    }
  }
  // Outputs: gates read by another unit or driving an output bit.
  std::vector<uint8_t> is_output(n, 0);
  for (const Bus& b : ntk.output_buses())
    for (Signal s : b.bits)
      if (ntk.is_gate(s.index())) is_output[ntk.gate_index(s.index())] = 1;
  for (uint32_t g = 0; g < n; ++g) {
    if (g > 0 && ntk.fanin_list(g) == ntk.fanin_list(g - 1) && u.unit_of_gate[g] == u.unit_of_gate[g - 1]) continue;
    for (Signal s : ntk.gate(g).fanins)
      if (ntk.is_gate(s.index())) {
        const uint32_t f = ntk.gate_index(s.index());
        if (u.unit_of_gate[f] != u.unit_of_gate[g]) is_output[f] = 1;
      }
  }
  for (const uint32_t c : tree.critical_path)
    if (ntk.is_gate(c)) u.units[u.unit_of_gate[ntk.gate_index(c)]].critical = true;

  // Templates.
  std::vector<uint32_t> ext_stamp(ntk.num_nodes(), UINT32_MAX), ext_index(ntk.num_nodes(), 0);
  std::unordered_map<uint64_t, std::vector<uint32_t>> by_hash;
  std::vector<std::vector<uint64_t>> kept_words;
  std::vector<uint64_t> words;
  for (uint32_t id = 0; id < u.units.size(); ++id) {
    GateUnit& unit = u.units[id];
    for (uint32_t i = 0; i < unit.gates.size(); ++i)
      if (is_output[unit.gates[i]]) unit.outputs.push_back(i);
    if (unit.gates.size() > max_template_gates) continue;
    UnitTemplate t;
    t.gates.reserve(unit.gates.size());
    for (uint32_t i = 0; i < unit.gates.size(); ++i) {
      const uint32_t g = unit.gates[i];
      const GateView v = ntk.gate(g);
      TemplateGate tg;
      tg.theta = v.theta;
      if (i > 0 && ntk.fanin_list(g) == ntk.fanin_list(unit.gates[i - 1])) {
        tg.shares_previous = true;
        t.gates.push_back(std::move(tg));
        continue;
      }
      tg.refs.reserve(v.size());
      tg.weights.reserve(v.size());
      for (size_t k = 0; k < v.size(); ++k) {
        const Signal s = v.fanins[k];
        const uint32_t f = s.index();
        int64_t ref;
        if (ntk.is_gate(f) && u.unit_of_gate[ntk.gate_index(f)] == id) {
          ref = 2 * int64_t(u.local_of_gate[ntk.gate_index(f)]) + s.complemented();
        } else {
          if (ext_stamp[f] != id) {
            ext_stamp[f] = id;
            ext_index[f] = uint32_t(unit.external.size());
            unit.external.push_back(f);
          }
          ref = -(2 * int64_t(ext_index[f]) + s.complemented()) - 1;
        }
        tg.refs.push_back(ref);
        tg.weights.push_back(v.weight(k));
      }
      t.gates.push_back(std::move(tg));
    }
    t.external_inputs = uint32_t(unit.external.size());
    describe(t, words);
    auto& bucket = by_hash[hash_words(words) ^ t.external_inputs];
    for (uint32_t candidate : bucket)
      if (kept_words[candidate] == words && u.templates[candidate].external_inputs == t.external_inputs) {
        unit.template_id = int32_t(candidate);
        break;
      }
    if (unit.template_id < 0) {
      unit.template_id = int32_t(u.templates.size());
      bucket.push_back(uint32_t(u.templates.size()));
      kept_words.push_back(words);
      u.templates.push_back(std::move(t));
    }
    ++u.templates[unit.template_id].uses;
  }
  return u;
}

}  // namespace tc0::circuits
