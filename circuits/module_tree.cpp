#include "circuits/module_tree.hpp"

#include <algorithm>
#include <cctype>
#include <limits>
#include <unordered_map>

namespace tc0::circuits {

namespace {

// "blocks.0.attn.q" -> {"blocks.0", "attn.q"}; anything else stays whole.
void split_indexed(const std::string& c, std::vector<std::string>& out) {
  const size_t dot = c.find('.');
  if (dot != std::string::npos && dot > 0) {
    size_t end = dot + 1;
    while (end < c.size() && std::isdigit(static_cast<unsigned char>(c[end]))) ++end;
    if (end > dot + 1 && end + 1 < c.size() && c[end] == '.') {
      out.push_back(c.substr(0, end));
      out.push_back(c.substr(end + 1));
      return;
    }
  }
  out.push_back(c);
}

}  // namespace

std::vector<std::string> display_components(const std::string& module_path) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < module_path.size()) {
    size_t slash = module_path.find('/', start);
    if (slash == std::string::npos) slash = module_path.size();
    if (slash > start) split_indexed(module_path.substr(start, slash - start), out);
    start = slash + 1;
  }
  return out;
}

ModuleTree build_module_tree(const Network& ntk, const Levels& lv) {
  ModuleTree t;
  t.nodes.push_back(TreeNode{});
  std::unordered_map<std::string, uint32_t> by_path{{"", 0}};
  // Module id -> tree node; the tree grows one node per new display prefix.
  std::vector<uint32_t> node_of_module(std::max<size_t>(ntk.modules().size(), 1), 0);
  // Only modules that hold gates: a path whose gates were all renamed later (the compiler names a
  // tensor after its gates exist) stays in the module table with no gates.
  std::vector<uint8_t> module_used(node_of_module.size(), 0);
  for (uint32_t g = 0; g < ntk.num_gates(); ++g) module_used[ntk.gate(g).module] = 1;
  for (size_t m = 0; m < ntk.modules().size(); ++m) {
    if (!module_used[m]) continue;
    const std::string& module = ntk.modules()[m];
    uint32_t at = 0;
    std::string path;
    for (const std::string& c : display_components(module)) {
      path += (path.empty() ? "" : "/") + c;
      auto [it, fresh] = by_path.try_emplace(path, uint32_t(t.nodes.size()));
      if (fresh) {
        TreeNode n;
        n.name = c;
        n.path = path;
        n.parent = at;
        n.depth = t.nodes[at].depth + 1;
        // The tagged module path this prefix stands for: the same characters of the module path.
        const std::string parent_module = t.nodes[at].module;
        const bool dot = parent_module.size() < module.size() && module[parent_module.size()] == '.';
        n.module = parent_module + (parent_module.empty() ? "" : dot ? "." : "/") + c;
        t.nodes[at].children.push_back(it->second);
        t.nodes.push_back(std::move(n));
      }
      at = it->second;
    }
    node_of_module[m] = at;
  }
  // Nodes with own gates and children get a virtual "(gates)" child.
  std::vector<uint8_t> has_own(t.nodes.size(), 0);
  for (size_t m = 0; m < node_of_module.size(); ++m)
    if (module_used[m]) has_own[node_of_module[m]] = 1;
  std::vector<uint32_t> leaf_of_module(node_of_module.size());
  std::vector<uint32_t> own_child(t.nodes.size(), UINT32_MAX);
  for (size_t m = 0; m < node_of_module.size(); ++m) {
    const uint32_t n = node_of_module[m];
    if (t.nodes[n].children.empty() || !has_own[n]) {
      leaf_of_module[m] = n;
      continue;
    }
    if (own_child[n] == UINT32_MAX) {
      TreeNode v;
      v.name = "(gates)";
      v.path = t.nodes[n].path + (t.nodes[n].path.empty() ? "" : "/") + "(gates)";
      v.module = t.nodes[n].module;
      v.parent = n;
      v.depth = t.nodes[n].depth + 1;
      v.own_gates = true;
      own_child[n] = uint32_t(t.nodes.size());
      t.nodes[n].children.push_back(own_child[n]);
      t.nodes.push_back(std::move(v));
    }
    leaf_of_module[m] = own_child[n];
  }
  const size_t num_tree = t.nodes.size();
  t.chains.resize(num_tree);
  uint32_t max_depth = 0;
  for (uint32_t n = 0; n < num_tree; ++n) {
    for (uint32_t a = n; a != UINT32_MAX; a = t.nodes[a].parent) t.chains[n].push_back(a);
    std::reverse(t.chains[n].begin(), t.chains[n].end());
    max_depth = std::max(max_depth, t.nodes[n].depth);
  }
  t.leaf_of_node.assign(ntk.num_nodes(), UINT32_MAX);
  for (uint32_t g = 0; g < ntk.num_gates(); ++g) t.leaf_of_node[ntk.gate_node(g)] = leaf_of_module[ntk.gate(g).module];

  const uint32_t levels = lv.depth + 1;
  uint32_t top_level = 0;
  for (uint32_t l : lv.level) top_level = std::max(top_level, l);
  std::vector<std::vector<uint64_t>> lg(num_tree, std::vector<uint64_t>(std::max(levels, top_level + 1)));
  std::vector<std::vector<uint64_t>> le = lg;
  for (TreeNode& n : t.nodes) n.first_level = UINT32_MAX;

  // Depth inside each ancestor: md[g * K + d - 1] is the longest chain of gates inside g's
  // ancestor at depth d that ends at g (16 bits: chains are at most the circuit's depth).
  const uint32_t K = std::max<uint32_t>(max_depth, 1);
  const bool track_depth = top_level < std::numeric_limits<uint16_t>::max();
  std::vector<uint16_t> md(track_depth ? size_t(ntk.num_gates()) * K : 0);
  // Wires into a node T from outside it: one key (T, source node) per distinct pair. The stamps
  // (last T per source, per depth) drop repeats from T's gates, which are mostly consecutive.
  std::vector<std::vector<uint32_t>> stamp(K + 1);
  std::vector<uint64_t> in_keys;
  // Shallowest depth at which a node's signal is read (-1: outside the root, i.e. an output).
  std::vector<int16_t> read_from(ntk.num_nodes(), std::numeric_limits<int16_t>::max());

  auto lca_depth = [&](uint32_t a, uint32_t b) -> int {
    const auto& ca = t.chains[a];
    const auto& cb = t.chains[b];
    size_t d = std::min(ca.size(), cb.size());
    while (d > 0 && ca[d - 1] != cb[d - 1]) --d;
    return int(d) - 1;
  };

  for (uint32_t g = 0; g < ntk.num_gates(); ++g) {
    const GateView v = ntk.gate(g);
    const uint32_t node = ntk.gate_node(g);
    const uint32_t leaf = t.leaf_of_node[node];
    const auto& chain = t.chains[leaf];
    const uint32_t dl = t.nodes[leaf].depth;
    const uint32_t level = lv.level[node];
    for (uint32_t a : chain) {
      TreeNode& n = t.nodes[a];
      ++n.gates;
      n.edges += v.size();
      n.first_level = std::min(n.first_level, level);
      n.last_level = std::max(n.last_level, level);
      ++lg[a][level];
      le[a][level] += v.size();
    }
    uint16_t* mine = track_depth ? &md[size_t(g) * K] : nullptr;
    // A gate that shares the previous gate's fan-in list in the same leaf reads the same signals:
    // the same contributions (the thermometer gates of a linear form).
    if (g > 0 && ntk.fanin_list(g) == ntk.fanin_list(g - 1) && t.leaf_of_node[ntk.gate_node(g - 1)] == leaf) {
      if (mine) std::copy(mine - K, mine, mine);
    } else {
      if (mine) std::fill(mine, mine + K, uint16_t(0));
      uint32_t last_leaf = UINT32_MAX;
      int c = -1;
      for (Signal s : v.fanins) {
        const uint32_t f = s.index();
        const uint32_t fl = t.leaf_of_node[f];
        if (fl == UINT32_MAX) {
          c = -1;
        } else {
          if (fl != last_leaf) c = lca_depth(leaf, fl), last_leaf = fl;
          read_from[f] = std::min<int16_t>(read_from[f], int16_t(c));
          if (mine) {
            const uint16_t* theirs = &md[size_t(ntk.gate_index(f)) * K];
            for (int d = 1; d <= std::min<int>(c, int(dl)); ++d) mine[d - 1] = std::max(mine[d - 1], theirs[d - 1]);
          }
        }
        for (uint32_t d = uint32_t(std::max(c + 1, 1)); d <= dl; ++d) {
          auto& st = stamp[d];
          if (st.empty()) st.assign(ntk.num_nodes(), UINT32_MAX);
          if (st[f] != chain[d]) {
            st[f] = chain[d];
            in_keys.push_back(uint64_t(chain[d]) << 32 | f);
          }
        }
      }
      if (mine)
        for (uint32_t d = 1; d <= dl; ++d) ++mine[d - 1];
    }
    if (mine)
      for (uint32_t d = 1; d <= dl; ++d) t.nodes[chain[d]].depth_inside = std::max<uint32_t>(t.nodes[chain[d]].depth_inside, mine[d - 1]);
  }
  std::vector<std::vector<uint32_t>>().swap(stamp);
  std::vector<uint16_t>().swap(md);
  t.nodes[0].depth_inside = lv.depth;
  for (uint32_t n = 0; n < num_tree; ++n) {
    TreeNode& tn = t.nodes[n];
    if (tn.gates == 0) {
      tn.first_level = tn.last_level = 0;
      continue;
    }
    tn.level_gates.assign(lg[n].begin() + tn.first_level, lg[n].begin() + tn.last_level + 1);
    tn.level_edges.assign(le[n].begin() + tn.first_level, le[n].begin() + tn.last_level + 1);
    if (!track_depth) tn.depth_inside = tn.last_level - tn.first_level + 1;
  }

  // The box of network node x in the picture of tree node V at depth dv.
  auto box_in = [&](uint32_t x, uint32_t view) -> uint32_t {
    const uint32_t xl = t.leaf_of_node[x];
    if (xl == UINT32_MAX) return kInputsBox;
    const auto& cx = t.chains[xl];
    const uint32_t dv = t.nodes[view].depth;
    if (cx.size() <= dv + 1 || cx[dv] != view) return kInputsBox;
    return cx[dv + 1];
  };
  std::vector<std::unordered_map<uint64_t, size_t>> edge_index(num_tree);
  t.pictures.assign(num_tree, {});
  auto edge = [&](uint32_t view, uint32_t from, uint32_t to) -> BoxEdge& {
    auto [it, fresh] = edge_index[view].try_emplace(uint64_t(from) << 32 | to, t.pictures[view].size());
    if (fresh) t.pictures[view].push_back(BoxEdge{from, to, 0, false});
    return t.pictures[view][it->second];
  };
  std::sort(in_keys.begin(), in_keys.end());
  in_keys.erase(std::unique(in_keys.begin(), in_keys.end()), in_keys.end());
  for (uint64_t k : in_keys) {
    const uint32_t to = uint32_t(k >> 32), f = uint32_t(k);
    const uint32_t view = t.nodes[to].parent;
    ++edge(view, box_in(f, view), to).wires;
  }
  std::vector<uint64_t>().swap(in_keys);
  // Outputs of the circuit are read from outside the root.
  std::vector<uint32_t> outputs;
  for (const Bus& b : ntk.output_buses())
    for (Signal s : b.bits) outputs.push_back(s.index());
  std::sort(outputs.begin(), outputs.end());
  outputs.erase(std::unique(outputs.begin(), outputs.end()), outputs.end());
  for (uint32_t f : outputs) {
    if (t.leaf_of_node[f] == UINT32_MAX) {
      if (f != 0) ++edge(0, kInputsBox, kOutputsBox).wires;  // an input wired straight to an output
    } else {
      read_from[f] = -1;
    }
  }
  // A gate's signal leaves every ancestor deeper than the shallowest reader's common ancestor.
  for (uint32_t g = 0; g < ntk.num_gates(); ++g) {
    const uint32_t f = ntk.gate_node(g);
    const auto& cf = t.chains[t.leaf_of_node[f]];
    const int df = int(cf.size()) - 1;
    for (int d = read_from[f] + 1; d < df; ++d) ++edge(cf[d], cf[d + 1], kOutputsBox).wires;
  }

  // The critical path, marked in every picture it crosses and on every node it passes.
  t.critical_path = critical_path(ntk, lv);
  for (size_t i = 0; i < t.critical_path.size(); ++i) {
    const uint32_t b = t.critical_path[i];
    const uint32_t bl = t.leaf_of_node[b];
    if (bl == UINT32_MAX) continue;
    const auto& cb = t.chains[bl];
    for (uint32_t a : cb) t.nodes[a].critical = true;
    for (size_t d = 0; d + 1 < cb.size(); ++d) {
      const uint32_t to = cb[d + 1];
      const uint32_t from = i > 0 ? box_in(t.critical_path[i - 1], cb[d]) : kInputsBox;
      if (from != to) {
        auto it = edge_index[cb[d]].find(uint64_t(from) << 32 | to);
        if (it != edge_index[cb[d]].end()) t.pictures[cb[d]][it->second].critical = true;
      }
      if (i + 1 == t.critical_path.size()) {
        auto it = edge_index[cb[d]].find(uint64_t(to) << 32 | kOutputsBox);
        if (it != edge_index[cb[d]].end()) t.pictures[cb[d]][it->second].critical = true;
      }
    }
  }
  return t;
}

}  // namespace tc0::circuits
