#include "tools/explorer/site_data.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <sstream>

namespace tc0::explorer {

using namespace circuits;

namespace {

// A weight or theta as a JSON value: a number when a double holds it exactly, else a string.
void put_weight(std::string& out, Weight w) {
  if (w >= -(Weight(1) << 53) && w <= (Weight(1) << 53)) {
    fmt::format_to(std::back_inserter(out), "{}", int64_t(w));
    return;
  }
  const bool neg = w < 0;
  auto u = static_cast<unsigned __int128>(neg ? -w : w);
  std::string digits;
  while (u) {
    digits.push_back(char('0' + int(u % 10)));
    u /= 10;
  }
  out += '"';
  if (neg) out += '-';
  out.append(digits.rbegin(), digits.rend());
  out += '"';
}

// Op kind and tensor of a tagged module path: "step0/blocks.0.attn.q/linear/linear_form" is op
// "linear" of tensor "blocks.0.attn.q".
std::pair<std::string, std::string> op_and_tensor(const std::string& module) {
  std::vector<std::string> c;
  std::stringstream ss(module);
  for (std::string part; std::getline(ss, part, '/');) c.push_back(part);
  if (c.size() >= 3) return {c[2], c[1]};
  if (c.size() == 2) return {c[1], c[0]};
  if (c.size() == 1) return {c[0], ""};
  return {"(untagged)", ""};
}

std::string json_array(const std::vector<uint64_t>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) fmt::format_to(std::back_inserter(s), "{}{}", i ? "," : "", v[i]);
  return s + "]";
}

}  // namespace

BusNames::BusNames(const SiteModel& m) {
  const Network& ntk = m.ntk;
  const GateUnits& units = m.units;
  input_bit.assign(ntk.num_nodes(), {UINT32_MAX, 0});
  inputs = nlohmann::json::array();
  outputs = nlohmann::json::array();
  for (const Bus& b : ntk.input_buses()) {
    for (uint32_t i = 0; i < b.bits.size(); ++i) input_bit[b.bits[i].index()] = {uint32_t(inputs.size()), i};
    inputs.push_back({{"name", b.name}, {"width", b.bits.size()}});
  }
  for (uint32_t pos = 0; pos < ntk.num_inputs(); ++pos) {
    const uint32_t node = ntk.inputs()[pos];
    if (input_bit[node].first != UINT32_MAX) continue;
    input_bit[node] = {uint32_t(inputs.size()), 0};
    inputs.push_back({{"name", ntk.input_name(pos)}, {"width", 1}});
  }
  // First unit reading each input bus (from the units' external inputs), producer of each output bus.
  std::vector<int64_t> first_reader(inputs.size(), -1);
  for (uint32_t id = 0; id < units.units.size(); ++id)
    for (uint32_t x : units.units[id].external)
      if (input_bit[x].first != UINT32_MAX && first_reader[input_bit[x].first] < 0) first_reader[input_bit[x].first] = id;
  for (const Bus& b : ntk.output_buses()) {
    int64_t producer = -1;
    for (uint32_t i = 0; i < b.bits.size(); ++i) {
      const uint32_t node = b.bits[i].index();
      if (!ntk.is_gate(node)) continue;
      output_names[node].push_back(fmt::format("{}{}[{}]", b.bits[i].complemented() ? "~" : "", b.name, i));
      if (producer < 0) producer = units.unit_of_gate[ntk.gate_index(node)];
    }
    nlohmann::json jb = {{"name", b.name}, {"width", b.bits.size()}};
    if (producer >= 0) jb["unit"] = {{"leaf", units.units[producer].leaf}, {"index", units.units[producer].index}};
    outputs.push_back(jb);
  }
  for (size_t i = 0; i < inputs.size(); ++i)
    if (first_reader[i] >= 0)
      inputs[i]["unit"] = {{"leaf", units.units[first_reader[i]].leaf}, {"index", units.units[first_reader[i]].index}};
}

nlohmann::json meta_json(const SiteModel& m, const BusNames& names, const CircuitStats& st) {
  const Network& ntk = m.ntk;
  const ModuleTree& tree = m.tree;
  const GateUnits& units = m.units;
  nlohmann::json meta;
  meta["format"] = kSiteFormat;
  meta["stats"] = st.to_json();
  meta["stats"].erase("critical_path");
  meta["stats"].erase("modules");
  meta["limits"] = {{"template_gates", kMaxTemplateGates}, {"units_per_chunk", kUnitsPerChunk}};
  meta["units"] = units.units.size();
  meta["templates"] = units.templates.size();
  auto& nodes = meta["nodes"] = nlohmann::json::array();
  for (uint32_t n = 0; n < tree.nodes.size(); ++n) {
    const TreeNode& tn = tree.nodes[n];
    nlohmann::json j = {{"name", tn.name},           {"path", tn.path},
                        {"module", tn.module},       {"parent", tn.parent == UINT32_MAX ? -1 : int64_t(tn.parent)},
                        {"depth", tn.depth},         {"children", tn.children},
                        {"gates", tn.gates},         {"edges", tn.edges},
                        {"first_level", tn.first_level}, {"last_level", tn.last_level},
                        {"depth_inside", tn.depth_inside}, {"critical", tn.critical},
                        {"units", units.of_leaf[n].size()}};
    if (tn.own_gates) j["own_gates"] = true;
    nlohmann::json pic = nlohmann::json::array();
    for (const BoxEdge& e : tree.pictures[n])
      pic.push_back({e.from == kInputsBox ? -1 : e.from == kOutputsBox ? -2 : int64_t(e.from),
                     e.to == kInputsBox ? -1 : e.to == kOutputsBox ? -2 : int64_t(e.to), e.wires, e.critical ? 1 : 0});
    j["picture"] = std::move(pic);
    nodes.push_back(std::move(j));
  }
  auto& path = meta["critical_path"] = nlohmann::json::array();
  for (uint32_t node : tree.critical_path) {
    if (ntk.is_gate(node)) {
      const uint32_t g = ntk.gate_index(node);
      const GateUnit& u = units.units[units.unit_of_gate[g]];
      path.push_back({{"leaf", u.leaf}, {"unit", u.index}, {"uid", units.unit_of_gate[g]},
                      {"local", units.local_of_gate[g]}, {"level", m.lv.level[node]}});
    } else if (names.input_bit[node].first != UINT32_MAX) {
      const auto [bus, bit] = names.input_bit[node];
      path.push_back({{"input", fmt::format("{}[{}]", names.inputs[bus]["name"].get<std::string>(), bit)}, {"level", 0}});
    }
  }
  meta["buses"] = {{"inputs", names.inputs}, {"outputs", names.outputs}};
  // Size by op kind, with the tensors (the model's names) each op kind computes.
  std::vector<uint64_t> mg(ntk.modules().size() + 1), me(ntk.modules().size() + 1);
  for (uint32_t g = 0; g < ntk.num_gates(); ++g) {
    const GateView v = ntk.gate(g);
    ++mg[v.module];
    me[v.module] += v.size();
  }
  std::map<std::string, std::map<std::string, std::pair<uint64_t, uint64_t>>> ops;
  for (size_t m = 0; m < mg.size(); ++m) {
    if (mg[m] == 0) continue;
    const auto [op, tensor] = op_and_tensor(m < ntk.modules().size() ? ntk.modules()[m] : "");
    auto& cell = ops[op][tensor];
    cell.first += mg[m];
    cell.second += me[m];
  }
  auto& jops = meta["ops"] = nlohmann::json::array();
  for (const auto& [op, tensors] : ops) {
    nlohmann::json jo = {{"op", op}, {"gates", 0}, {"edges", 0}, {"tensors", nlohmann::json::array()}};
    uint64_t g = 0, e = 0;
    for (const auto& [tensor, ge] : tensors) {
      jo["tensors"].push_back({{"tensor", tensor}, {"gates", ge.first}, {"edges", ge.second}});
      g += ge.first, e += ge.second;
    }
    jo["gates"] = g;
    jo["edges"] = e;
    jops.push_back(std::move(jo));
  }
  return meta;
}

std::string node_json(const SiteModel& m, uint32_t n) {
  const GateUnits& units = m.units;
  const TreeNode& tn = m.tree.nodes[n];
  std::string s = fmt::format("{{\"profile\":{{\"first\":{},\"gates\":{},\"edges\":{}}},\"units\":[", tn.first_level,
                              json_array(tn.level_gates), json_array(tn.level_edges));
  bool first = true;
  for (uint32_t id : units.of_leaf[n]) {
    const GateUnit& u = units.units[id];
    fmt::format_to(std::back_inserter(s), "{}[{},{},{},{},{},{},{},{}]", first ? "" : ",", id, u.index, u.gates.size(),
                   u.edges, u.first_level, u.last_level, u.template_id, u.critical ? 1 : 0);
    first = false;
  }
  s += "]}";
  return s;
}

std::string unit_chunk_json(const SiteModel& m, const BusNames& names, uint32_t leaf, uint32_t c0, uint32_t count) {
  const Network& ntk = m.ntk;
  const GateUnits& units = m.units;
  const auto& list = units.of_leaf[leaf];
  std::string s = "{\"units\":{";
  std::map<uint32_t, bool> named;  // units referenced, for their names
  for (uint32_t k = c0; k < std::min<uint32_t>(c0 + count, uint32_t(list.size())); ++k) {
    const uint32_t id = list[k];
    const GateUnit& u = units.units[id];
    fmt::format_to(std::back_inserter(s), "{}\"{}\":{{\"t\":{},\"ext\":[", k == c0 ? "" : ",", id, u.template_id);
    // Groups of inputs from one source: src, count, then each index as the difference from the
    // previous one in the group (the first from 0). src >= 0 a unit id, src < 0 input bus -src-1.
    std::vector<std::pair<int64_t, int64_t>> refs;
    refs.reserve(u.external.size());
    for (uint32_t x : u.external) {
      if (ntk.is_gate(x)) {
        const uint32_t g = ntk.gate_index(x);
        refs.emplace_back(units.unit_of_gate[g], units.local_of_gate[g]);
        named[units.unit_of_gate[g]] = true;
      } else {
        refs.emplace_back(-int64_t(names.input_bit[x].first) - 1, names.input_bit[x].second);
      }
    }
    for (size_t i = 0; i < refs.size();) {
      size_t j = i;
      while (j < refs.size() && refs[j].first == refs[i].first) ++j;
      fmt::format_to(std::back_inserter(s), "{}{},{}", i ? "," : "", refs[i].first, j - i);
      int64_t prev = 0;
      for (size_t k = i; k < j; ++k) fmt::format_to(std::back_inserter(s), ",{}", refs[k].second - prev), prev = refs[k].second;
      i = j;
    }
    // Outputs: local indices as differences, and the output bit names of those that drive one.
    s += "],\"out\":[";
    std::string named_out;
    uint32_t prev = 0;
    for (size_t i = 0; i < u.outputs.size(); ++i) {
      const uint32_t local = u.outputs[i];
      fmt::format_to(std::back_inserter(s), "{}{}", i ? "," : "", local - prev);
      prev = local;
      auto it = names.output_names.find(ntk.gate_node(u.gates[local]));
      if (it != names.output_names.end())
        fmt::format_to(std::back_inserter(named_out), "{}\"{}\":{}", named_out.empty() ? "" : ",", local,
                       nlohmann::json(it->second).dump());
    }
    s += "],\"outnames\":{" + named_out + "}}";
  }
  s += "},\"names\":{";
  bool first = true;
  for (const auto& [id, _] : named) {
    const GateUnit& u = units.units[id];
    fmt::format_to(std::back_inserter(s), "{}\"{}\":[{},{}]", first ? "" : ",", id, u.leaf, u.index);
    first = false;
  }
  s += "}}";
  return s;
}

std::string template_json(const UnitTemplate& ut) {
  std::string s = fmt::format("{{\"ext\":{},\"uses\":{},\"gates\":[", ut.external_inputs, ut.uses);
  // A gate: [theta] shares the previous gate's fan-in list; else [theta, refs, weights] where
  // refs is 0 for the previous listed gate's refs, and weights 1 for all ones, 0 for the
  // previous listed gate's weights.
  const TemplateGate* last = nullptr;
  for (size_t i = 0; i < ut.gates.size(); ++i) {
    const TemplateGate& g = ut.gates[i];
    s += i ? ",[" : "[";
    put_weight(s, g.theta);
    if (!g.shares_previous) {
      if (last && last->refs == g.refs) {
        s += ",0";
      } else {
        s += ",[";
        for (size_t k = 0; k < g.refs.size(); ++k) fmt::format_to(std::back_inserter(s), "{}{}", k ? "," : "", g.refs[k]);
        s += "]";
      }
      if (std::all_of(g.weights.begin(), g.weights.end(), [](Weight x) { return x == 1; })) {
        s += ",1";
      } else if (last && last->weights == g.weights) {
        s += ",0";
      } else {
        s += ",[";
        for (size_t k = 0; k < g.weights.size(); ++k) {
          if (k) s += ',';
          put_weight(s, g.weights[k]);
        }
        s += "]";
      }
      last = &g;
    }
    s += "]";
  }
  s += "]}";
  return s;
}

}  // namespace tc0::explorer
