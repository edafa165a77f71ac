#include "circuits/io/dot.hpp"

#include <fmt/format.h>
#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include <algorithm>
#include <map>
#include <vector>

#include "circuits/sim/flat.hpp"
#include "fileio/atomic_file.hpp"
#include "circuits/stats.hpp"

namespace tc0::circuits::io {

namespace {

std::string dec(Weight v) {
  const bool neg = v < 0;
  auto u = static_cast<unsigned __int128>(neg ? -v : v);
  std::string s;
  do {
    s.insert(s.begin(), char('0' + int(u % 10)));
    u /= 10;
  } while (u);
  return neg ? "-" + s : s;
}

std::string quote(const std::string& s) {
  std::string q = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') q.push_back('\\');
    q.push_back(c);
  }
  return q + "\"";
}

}  // namespace

std::string write_dot(const Network& ntk, const DotOptions& o) {
  // Roots: the output bits to draw.
  struct Root {
    std::string name;
    Signal s;
  };
  std::vector<Root> roots;
  for (const Bus& b : ntk.output_buses())
    for (size_t k = 0; k < b.bits.size(); ++k) {
      const std::string bit = fmt::format("{}[{}]", b.name, k);
      if (o.cone.empty() || o.cone == b.name || o.cone == bit) roots.push_back({bit, b.bits[k]});
    }
  if (!o.cone.empty() && roots.empty()) {
    std::string names;
    for (const Bus& b : ntk.output_buses()) names += (names.empty() ? "" : ", ") + b.name;
    throw CircuitError(fmt::format("draw: no output bus or bit named '{}' (outputs: {})", o.cone, names));
  }
  // Module subtree: its gates are the roots unless a cone is asked for too.
  std::vector<char> in_module;
  if (!o.module.empty()) {
    in_module.assign(ntk.num_nodes(), 0);
    std::vector<char> module_match(ntk.modules().size(), 0);
    for (size_t m = 0; m < ntk.modules().size(); ++m) {
      const std::string& p = ntk.modules()[m];
      module_match[m] = p == o.module || (p.size() > o.module.size() && p.compare(0, o.module.size(), o.module) == 0 &&
                                          p[o.module.size()] == '/');
    }
    uint64_t found = 0;
    for (uint32_t g = 0; g < ntk.num_gates(); ++g)
      if (module_match[ntk.gate(g).module]) in_module[ntk.gate_node(g)] = 1, ++found;
    if (found == 0)
      throw CircuitError(fmt::format("draw: no gate in module '{}' (see `tc0flow stats --json` for module paths)", o.module));
    if (o.cone.empty()) roots.clear();
  }
  // Backward distance from the roots (1 for a root gate); gates beyond max_depth are cut.
  std::vector<int> dist(ntk.num_nodes(), 0);
  for (const Root& r : roots)
    if (ntk.is_gate(r.s.index())) dist[r.s.index()] = 1;
  if (!in_module.empty() && o.cone.empty())
    for (uint32_t n = 0; n < ntk.num_nodes(); ++n)
      if (in_module[n]) dist[n] = 1;
  for (uint32_t g = ntk.num_gates(); g-- > 0;) {
    const uint32_t node = ntk.gate_node(g);
    if (dist[node] == 0) continue;
    if (o.max_depth >= 0 && dist[node] > o.max_depth) continue;  // drawn as a cut stub
    for (Signal s : ntk.gate(g).fanins) {
      int& d = dist[s.index()];
      if (d == 0 || d > dist[node] + 1) d = dist[node] + 1;
    }
  }
  auto drawn = [&](uint32_t node) {
    return ntk.is_gate(node) && dist[node] > 0 && (o.max_depth < 0 || dist[node] <= o.max_depth) &&
           (in_module.empty() || in_module[node]);
  };
  uint64_t count = 0;
  for (uint32_t g = 0; g < ntk.num_gates(); ++g) count += drawn(ntk.gate_node(g));
  if (count > o.max_gates)
    throw CircuitError(fmt::format("draw: {} gates to draw, more than the limit of {}; pick one output with --cone, "
                                   "limit --max-depth, pick a sub-module with --module, or raise --max-gates",
                                   count, o.max_gates));
  uint64_t bytes = 0;  // about 100 bytes per gate (node, rank) and 50 per edge
  for (uint32_t g = 0; g < ntk.num_gates(); ++g)
    if (drawn(ntk.gate_node(g))) bytes += 100 + 50 * ntk.gate(g).size();
  if (bytes > o.max_bytes)
    throw CircuitError(fmt::format("draw: the DOT text of {} gates is estimated at {:.1f} MiB, more than the budget of "
                                   "{:.1f} MiB; cut the drawing down (--cone, --max-depth, --module) or raise the budget",
                                   count, double(bytes) / double(1 << 20), double(o.max_bytes) / double(1 << 20)));

  const auto level = sim::node_levels(ntk);
  std::string out = "digraph tc0 {\n  rankdir=BT;\n  node [fontname=\"Helvetica\", fontsize=10];\n  edge [fontsize=8];\n";
  std::map<uint32_t, std::vector<uint32_t>> by_level;
  std::map<uint32_t, std::vector<uint32_t>> by_module;
  std::vector<bool> input_used(ntk.num_nodes(), false), stub(ntk.num_nodes(), false);
  std::string edges;
  for (uint32_t g = 0; g < ntk.num_gates(); ++g) {
    const uint32_t node = ntk.gate_node(g);
    if (!drawn(node)) continue;
    const GateView gv = ntk.gate(g);
    by_level[level[node]].push_back(node);
    by_module[gv.module].push_back(node);
    for (size_t i = 0; i < gv.size(); ++i) {
      const Signal s = gv.fanins[i];
      const uint32_t src = s.index();
      if (ntk.is_input(src)) input_used[src] = true;
      else if (!drawn(src)) stub[src] = true;
      const std::string src_name = ntk.is_input(src) ? fmt::format("i{}", src) : drawn(src) ? fmt::format("g{}", src) : fmt::format("cut{}", src);
      edges += fmt::format("  {} -> g{} [label={}{}];\n", src_name, node, quote(dec(gv.weight(i))),
                           s.complemented() ? ", style=dashed, arrowtail=odot, dir=both" : "");
    }
  }
  for (const Root& r : roots) {
    const uint32_t src = r.s.index();
    if (ntk.is_input(src)) input_used[src] = true;
  }
  // Inputs on one rank at the bottom.
  out += "  { rank=min;";
  for (uint32_t i = 0; i < ntk.num_inputs(); ++i) {
    const uint32_t node = ntk.inputs()[i];
    if (input_used[node]) out += fmt::format(" i{} [shape=box, label={}];", node, quote(ntk.input_name(i)));
  }
  out += " }\n";
  for (uint32_t node = 0; node < ntk.num_nodes(); ++node)
    if (stub[node]) out += fmt::format("  cut{} [shape=plaintext, label=\"... n{}\"];\n", node, node);
  // Gates, clustered by module.
  for (const auto& [module, nodes] : by_module) {
    const bool cluster = o.clusters && module != 0;
    if (cluster)
      out += fmt::format("  subgraph cluster_m{} {{\n    label={}; style=rounded; color=gray;\n", module,
                         quote(ntk.modules()[module]));
    for (uint32_t node : nodes) {
      const GateView gv = ntk.gate(ntk.gate_index(node));
      const GateKind k = classify_gate(gv);
      out += fmt::format("    g{} [shape=ellipse, label={}];\n", node,
                         quote(fmt::format("n{}\n{} >= {}", node, gate_kind_name(k), dec(gv.theta))));
    }
    if (cluster) out += "  }\n";
  }
  // One rank per logic level.
  for (const auto& [l, nodes] : by_level) {
    out += "  { rank=same;";
    for (uint32_t node : nodes) out += fmt::format(" g{};", node);
    out += " }\n";
  }
  out += edges;
  // Outputs on one rank at the top.
  out += "  { rank=max;";
  for (size_t k = 0; k < roots.size(); ++k) out += fmt::format(" o{} [shape=box, style=bold, label={}];", k, quote(roots[k].name));
  out += " }\n";
  for (size_t k = 0; k < roots.size(); ++k) {
    const Signal s = roots[k].s;
    const uint32_t src = s.index();
    std::string src_name;
    if (src == 0) {
      src_name = fmt::format("c{}", k);
      out += fmt::format("  c{} [shape=plaintext, label=\"0\"];\n", k);
    } else {
      src_name = ntk.is_input(src) ? fmt::format("i{}", src) : drawn(src) ? fmt::format("g{}", src) : fmt::format("cut{}", src);
    }
    out += fmt::format("  {} -> o{}{};\n", src_name, k, s.complemented() ? " [style=dashed, arrowtail=odot, dir=both]" : "");
  }
  out += "}\n";
  return out;
}

namespace {
// One Graphviz context for the process, never freed: Graphviz 2.42's pango plugin keeps a pointer to
// the last font name it laid out, which lives in the context's font table, so a second picture
// after gvFreeContext read freed memory (ASan, the demo's module picture then its cone picture).
GVC_t* graphviz_context() {
  static GVC_t* const gvc = gvContext();
  return gvc;
}
}  // namespace

void render_dot(const std::string& dot, const std::string& path, std::string format) {
  if (format.empty()) {
    const auto slash = path.rfind('/');
    const auto dotpos = path.rfind('.');
    if (dotpos == std::string::npos || (slash != std::string::npos && dotpos < slash))
      throw CircuitError(fmt::format("draw: cannot tell the picture format of '{}'; end it in .svg or .png", path));
    format = path.substr(dotpos + 1);
  }
  if (format != "svg" && format != "png" && format != "pdf" && format != "dot")
    throw CircuitError(fmt::format("draw: unsupported picture format '{}'; use svg or png", format));
  // Graphviz lays out and renders into memory; the picture then goes through the atomic writer, so
  // a missing or unwritable folder is an error here (gvRenderFilename only printed one and went on).
  GVC_t* gvc = graphviz_context();
  Agraph_t* g = agmemread(dot.c_str());
  if (!g) {
    throw CircuitError("draw: Graphviz could not parse the generated DOT (a bug: please report it)");
  }
  char* data = nullptr;
  unsigned int length = 0;
  int rc = gvLayout(gvc, g, "dot");
  if (rc == 0) rc = gvRenderData(gvc, g, format.c_str(), &data, &length);
  std::string picture = rc == 0 && data ? std::string(data, length) : std::string();
  if (data) gvFreeRenderData(data);
  gvFreeLayout(gvc, g);
  agclose(g);
  if (rc != 0 || picture.empty())
    throw CircuitError(fmt::format("draw: Graphviz failed to lay out or render '{}' as {} (is the {} plugin installed?)",
                                   path, format, format));
  fileio::write_file(path, picture, "picture");
}

}  // namespace tc0::circuits::io
