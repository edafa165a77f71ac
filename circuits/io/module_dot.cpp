#include "circuits/io/module_dot.hpp"

#include <fmt/format.h>

#include <map>
#include <unordered_map>

#include "circuits/levels.hpp"

namespace tc0::circuits::io {

namespace {

std::string cut_path(const std::string& path, int depth) {
  if (path.empty()) return "(top)";
  size_t pos = 0;
  for (int k = 0; k < depth; ++k) {
    pos = path.find('/', pos);
    if (pos == std::string::npos) return path;
    ++pos;
  }
  return path.substr(0, pos - 1);
}

std::string human(uint64_t v) {
  if (v >= 1000000000) return fmt::format("{:.2f} G", double(v) / 1e9);
  if (v >= 1000000) return fmt::format("{:.1f} M", double(v) / 1e6);
  if (v >= 10000) return fmt::format("{:.0f} k", double(v) / 1e3);
  return fmt::format("{}", v);
}

}  // namespace

ModuleGraph module_graph(const Network& ntk, int depth) {
  ModuleGraph g;
  g.boxes.push_back(ModuleBox{"inputs", 0, 0, 0, 0});
  g.boxes.push_back(ModuleBox{"outputs", 0, 0, 0, 0});
  std::unordered_map<std::string, uint32_t> box_of_name;
  std::vector<uint32_t> box_of_module(ntk.modules().size());
  for (size_t m = 0; m < ntk.modules().size(); ++m) {
    const std::string name = cut_path(ntk.modules()[m], depth);
    auto [it, fresh] = box_of_name.try_emplace(name, uint32_t(g.boxes.size()));
    if (fresh) g.boxes.push_back(ModuleBox{name, 0, 0, UINT32_MAX, 0});
    box_of_module[m] = it->second;
  }
  const Levels lv = compute_levels(ntk);
  std::vector<uint32_t> box_of_node(ntk.num_nodes(), 0);  // inputs and the constant: box 0
  std::map<std::pair<uint32_t, uint32_t>, uint64_t> wires;
  for (uint32_t gi = 0; gi < ntk.num_gates(); ++gi) {
    const GateView v = ntk.gate(gi);
    const uint32_t node = ntk.gate_node(gi);
    const uint32_t b = box_of_module[v.module];
    box_of_node[node] = b;
    ModuleBox& box = g.boxes[b];
    ++box.gates;
    box.edges += v.size();
    box.first_level = std::min(box.first_level, lv.level[node]);
    box.last_level = std::max(box.last_level, lv.level[node]);
    for (Signal s : v.fanins) {
      const uint32_t from = box_of_node[s.index()];
      if (from != b) ++wires[{from, b}];
    }
  }
  for (const Bus& bus : ntk.output_buses())
    for (Signal s : bus.bits) {
      ++g.boxes[1].edges;
      ++wires[{box_of_node[s.index()], 1}];
    }
  for (auto [key, n] : wires) g.arrows.push_back({key.first, key.second, n});
  return g;
}

nlohmann::json ModuleGraph::to_json() const {
  nlohmann::json j;
  for (const ModuleBox& b : boxes)
    j["modules"].push_back(
        {{"name", b.name}, {"gates", b.gates}, {"edges", b.edges}, {"first_level", b.first_level}, {"last_level", b.last_level}});
  for (const Arrow& a : arrows) j["arrows"].push_back({{"from", boxes[a.from].name}, {"to", boxes[a.to].name}, {"wires", a.wires}});
  return j;
}

std::string write_module_dot(const ModuleGraph& g, const std::string& title) {
  std::string out = "digraph modules {\n  rankdir=TB;\n  node [shape=box, style=\"rounded,filled\", fillcolor=\"#eef3fb\", "
                    "fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=8, color=\"#556677\"];\n";
  out += fmt::format("  labelloc=t; label=\"{}\";\n", title);
  for (size_t i = 0; i < g.boxes.size(); ++i) {
    const ModuleBox& b = g.boxes[i];
    if (i >= 2 && b.gates == 0) continue;
    if (i < 2)
      out += fmt::format("  m{} [label=\"{}\", shape=ellipse, fillcolor=\"#f5f5f5\"];\n", i, b.name);
    else
      out += fmt::format("  m{} [label=\"{}\\n{} gates, {} edges\\nlevels {}..{} (depth {})\"];\n", i, b.name,
                         human(b.gates), human(b.edges), b.first_level, b.last_level, b.last_level - b.first_level + 1);
  }
  for (const auto& a : g.arrows) out += fmt::format("  m{} -> m{} [label=\"{}\"];\n", a.from, a.to, human(a.wires));
  out += "}\n";
  return out;
}

}  // namespace tc0::circuits::io
