// The explorer's data (circuits/module_tree, circuits/gate_units, tools/explorer/site): the module
// tree and its pictures against brute-force references on random tagged networks, units against a
// breadth-first reference, every template decoded back into the exact gates of every unit that
// uses it, and the site writer's handling of its output folder and of bad reports. Also writes the
// flat (untagged) site that the browser tests open (TC0_EXPLORER_TEST_DIR/flat).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "circuits/gadgets/arith.hpp"
#include "circuits/gadgets/select.hpp"
#include "circuits/gate_units.hpp"
#include "circuits/levels.hpp"
#include "circuits/module_tree.hpp"
#include "fileio/atomic_file.hpp"
#include "tools/explorer/site.hpp"

namespace tc0::circuits {
namespace {

namespace fs = std::filesystem;
using numerics::Format;

// A random network whose gates carry random module paths (some nested, some with own gates and
// children, some untagged), with output buses over random signals.
Network random_tagged(uint64_t seed, int gates) {
  static const char* kPaths[] = {"step0/blocks.0.attn.q/linear/linear_form", "step0/blocks.0.attn.q/linear/partial_products",
                                 "step0/blocks.0.mlp/silu/staircase", "step0/blocks.1.mlp/silu/staircase", "step0",
                                 "step0/u/linear/linear_form", "", "other"};
  std::mt19937_64 rng(seed);
  Network ntk;
  ntk.create_input_bus("a", Format(6, 0));
  ntk.create_input_bus("b", Format(6, 0));
  std::vector<Signal> pool;
  for (uint32_t n = 1; n < ntk.num_nodes(); ++n) pool.push_back(Signal::make(n, false));
  for (int i = 0; i < gates; ++i) {
    const char* path = kPaths[rng() % std::size(kPaths)];
    if (*path) ntk.push_module(path);
    std::vector<Signal> ins;
    std::vector<Weight> ws;
    const int k = 2 + int(rng() % 3);
    // Mostly recent signals, so modules form chains; sometimes far back.
    for (int j = 0; j < k; ++j) {
      const size_t back = rng() % 4 == 0 ? rng() % pool.size() : pool.size() - 1 - rng() % std::min<size_t>(pool.size(), 6);
      ins.push_back(rng() % 3 == 0 ? !pool[back] : pool[back]);
      ws.push_back(Weight(int(rng() % 5) - 2));
    }
    const Signal s = ntk.create_threshold(ins, ws, Weight(int(rng() % 4) - 1));
    if (*path) ntk.pop_module();
    if (ntk.is_gate(s.index())) pool.push_back(s);
  }
  Bus y;
  y.name = "y";
  for (int i = 0; i < 5; ++i) y.bits.push_back(pool[pool.size() - 1 - rng() % std::min<size_t>(pool.size(), 20)]);
  y.fmt = Format(5, 0);
  ntk.add_output_bus(y);
  return ntk;
}

TEST(ModuleTree, DisplayComponentsSplitIndexedTensorNames) {
  EXPECT_EQ(display_components("step0/blocks.0.attn.q/linear/linear_form"),
            (std::vector<std::string>{"step0", "blocks.0", "attn.q", "linear", "linear_form"}));
  EXPECT_EQ(display_components("step0/final.ln.var/dot"), (std::vector<std::string>{"step0", "final.ln.var", "dot"}));
  EXPECT_EQ(display_components("layers.12.pre"), (std::vector<std::string>{"layers.12", "pre"}));
  EXPECT_EQ(display_components("blocks.0"), (std::vector<std::string>{"blocks.0"}));
  EXPECT_EQ(display_components("blocks.0."), (std::vector<std::string>{"blocks.0."}));
  EXPECT_TRUE(display_components("").empty());
}

// Every picture, count and depth of the tree against a direct computation from its definition.
TEST(ModuleTree, MatchesBruteForceOnRandomTaggedNetworks) {
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    const Network ntk = random_tagged(seed, 300);
    const Levels lv = compute_levels(ntk);
    const ModuleTree t = build_module_tree(ntk, lv);
    auto in_node = [&](uint32_t x, uint32_t v) {
      const uint32_t l = t.leaf_of_node[x];
      if (l == UINT32_MAX) return false;
      for (uint32_t a = l; a != UINT32_MAX; a = t.nodes[a].parent)
        if (a == v) return true;
      return false;
    };
    std::vector<uint32_t> readers_outside_count(ntk.num_nodes());
    for (uint32_t v = 0; v < t.nodes.size(); ++v) {
      const TreeNode& tn = t.nodes[v];
      // A node with own gates never also has children (they moved to a "(gates)" child).
      if (!tn.children.empty()) {
        for (uint32_t g = 0; g < ntk.num_gates(); ++g) ASSERT_NE(t.leaf_of_node[ntk.gate_node(g)], v);
      }
      uint64_t gates = 0, edges = 0;
      uint32_t depth = 0;
      std::vector<uint32_t> d(ntk.num_nodes(), 0);
      auto box = [&](uint32_t x) -> uint32_t {
        if (!in_node(x, v)) return kInputsBox;
        for (uint32_t c : tn.children)
          if (in_node(x, c)) return c;
        return UINT32_MAX - 7;  // a leaf's own gate
      };
      std::set<std::tuple<uint32_t, uint32_t, uint32_t>> wires;  // (from box, to box, signal)
      for (uint32_t g = 0; g < ntk.num_gates(); ++g) {
        const uint32_t node = ntk.gate_node(g);
        const GateView gv = ntk.gate(g);
        if (in_node(node, v)) {
          ++gates;
          edges += gv.size();
          uint32_t m = 0;
          for (Signal s : gv.fanins)
            if (in_node(s.index(), v)) m = std::max(m, d[s.index()]);
          d[node] = m + 1;
          depth = std::max(depth, m + 1);
        }
        for (Signal s : gv.fanins) {
          const bool f_in = in_node(s.index(), v), g_in = in_node(node, v);
          if (g_in && box(s.index()) != box(node)) wires.insert({box(s.index()), box(node), s.index()});
          if (f_in && !g_in) wires.insert({box(s.index()), kOutputsBox, s.index()});
        }
      }
      for (const Bus& b : ntk.output_buses())
        for (Signal s : b.bits)
          if (in_node(s.index(), v) || (v == 0 && ntk.is_input(s.index())))
            wires.insert({box(s.index()), kOutputsBox, s.index()});
      EXPECT_EQ(tn.gates, gates) << "seed " << seed << " node " << tn.path;
      EXPECT_EQ(tn.edges, edges) << "seed " << seed << " node " << tn.path;
      if (v > 0) {
        EXPECT_EQ(tn.depth_inside, depth) << "seed " << seed << " node " << tn.path;
      }
      if (tn.children.empty()) continue;
      std::map<std::pair<uint32_t, uint32_t>, uint64_t> want;
      for (const auto& [from, to, s] : wires) ++want[{from, to}];
      std::map<std::pair<uint32_t, uint32_t>, uint64_t> got;
      for (const BoxEdge& e : t.pictures[v]) got[{e.from, e.to}] += e.wires;
      EXPECT_EQ(got, want) << "seed " << seed << " picture of " << tn.path;
    }
    // The critical path passes every node that holds one of its gates, and only those.
    std::set<uint32_t> on_path;
    for (uint32_t x : t.critical_path)
      for (uint32_t a = t.leaf_of_node[x]; a != UINT32_MAX && t.leaf_of_node[x] != UINT32_MAX; a = t.nodes[a].parent) on_path.insert(a);
    for (uint32_t v = 0; v < t.nodes.size(); ++v) EXPECT_EQ(t.nodes[v].critical, on_path.count(v) == 1) << t.nodes[v].path;
  }
}

TEST(ModuleTree, OwnGatesOfANodeWithChildrenGoToAGatesChild) {
  Network ntk;
  std::vector<Bus> xs;
  for (int i = 0; i < 4; ++i) xs.push_back(ntk.create_input_bus("x" + std::to_string(i), Format(6, 0)));
  const auto r = gadgets::max_argmax(ntk, xs);
  ntk.add_output_bus(r.max);
  const ModuleTree t = build_module_tree(ntk, compute_levels(ntk));
  ASSERT_EQ(t.nodes[0].children.size(), 1u);
  const TreeNode& max = t.nodes[t.nodes[0].children[0]];
  EXPECT_EQ(max.name, "max_argmax");
  std::set<std::string> names;
  for (uint32_t c : max.children) names.insert(t.nodes[c].name);
  EXPECT_EQ(names, (std::set<std::string>{"compare_ge", "(gates)"}));
  EXPECT_EQ(max.gates, ntk.num_gates());
}

TEST(ModuleTree, ModulesWithoutGatesAreLeftOut) {
  Network ntk;
  const Bus a = ntk.create_input_bus("a", Format(4, 0)), b = ntk.create_input_bus("b", Format(4, 0));
  ntk.push_module("empty");
  ntk.pop_module();
  ntk.push_module("op");
  const Signal s = ntk.create_xor(a.bits[0], b.bits[0]);
  ntk.pop_module();
  ntk.add_output_bus(Bus{"y", Format(2, 0), false, {s}});
  const ModuleTree t = build_module_tree(ntk, compute_levels(ntk));
  ASSERT_EQ(t.nodes.size(), 2u);
  EXPECT_EQ(t.nodes[1].name, "op");
}

TEST(ModuleTree, UntaggedCircuitIsOneFlatLeaf) {
  Network ntk;
  const Bus a = ntk.create_input_bus("a", Format(4, 0)), b = ntk.create_input_bus("b", Format(4, 0));
  Bus y;
  y.name = "y";
  for (int i = 0; i < 4; ++i) y.bits.push_back(ntk.create_xor(a.bits[i], b.bits[i]));
  ntk.add_output_bus(y);
  const Levels lv = compute_levels(ntk);
  const ModuleTree t = build_module_tree(ntk, lv);
  ASSERT_EQ(t.nodes.size(), 1u);
  EXPECT_EQ(t.nodes[0].gates, ntk.num_gates());
  const GateUnits u = build_gate_units(ntk, lv, t);
  EXPECT_EQ(u.units.size(), 4u);      // four independent XORs
  EXPECT_EQ(u.templates.size(), 1u);  // identical up to their inputs
  EXPECT_EQ(u.templates[0].uses, 4u);
}

// Decodes every unit's template against the network: the template names exactly the unit's gates.
void expect_templates_describe_units(const Network& ntk, const GateUnits& u) {
  for (const GateUnit& unit : u.units) {
    if (unit.template_id < 0) continue;
    const UnitTemplate& t = u.templates[unit.template_id];
    ASSERT_EQ(t.gates.size(), unit.gates.size());
    ASSERT_EQ(t.external_inputs, unit.external.size());
    const TemplateGate* listed = nullptr;
    for (size_t i = 0; i < unit.gates.size(); ++i) {
      const GateView g = ntk.gate(unit.gates[i]);
      EXPECT_EQ(t.gates[i].theta, g.theta);
      if (!t.gates[i].shares_previous) listed = &t.gates[i];
      ASSERT_NE(listed, nullptr);
      ASSERT_EQ(listed->refs.size(), g.size());
      for (size_t k = 0; k < g.size(); ++k) {
        const int64_t r = listed->refs[k];
        const Signal want = g.fanins[k];
        Signal got = r >= 0 ? Signal::make(ntk.gate_node(unit.gates[size_t(r >> 1)]), r & 1)
                            : Signal::make(unit.external[size_t((-r - 1) >> 1)], (-r - 1) & 1);
        EXPECT_EQ(got, want);
        EXPECT_EQ(listed->weights[k], g.weight(k));
      }
    }
  }
}

TEST(GateUnits, InstancesAreConnectedPiecesOfTheirParentAndSplitByLeaf) {
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    const Network ntk = random_tagged(seed, 300);
    const Levels lv = compute_levels(ntk);
    const ModuleTree t = build_module_tree(ntk, lv);
    const GateUnits u = build_gate_units(ntk, lv, t);
    // Reference: breadth-first components of the edges inside each gate's leaf's parent, then by leaf.
    const uint32_t n = ntk.num_gates();
    std::vector<std::vector<uint32_t>> adj(n);
    auto inside = [&](uint32_t x, uint32_t v) {
      for (uint32_t a = t.leaf_of_node[x]; a != UINT32_MAX; a = t.nodes[a].parent)
        if (a == v) return true;
      return false;
    };
    for (uint32_t g = 0; g < n; ++g) {
      const uint32_t leaf = t.leaf_of_node[ntk.gate_node(g)];
      const uint32_t scope = leaf == 0 ? 0 : t.nodes[leaf].parent;
      for (Signal s : ntk.gate(g).fanins)
        if (ntk.is_gate(s.index()) && inside(s.index(), scope)) {
          adj[g].push_back(ntk.gate_index(s.index()));
          adj[ntk.gate_index(s.index())].push_back(g);
        }
      if (g > 0 && ntk.fanin_list(g) == ntk.fanin_list(g - 1) && t.leaf_of_node[ntk.gate_node(g - 1)] == leaf) {
        adj[g].push_back(g - 1);
        adj[g - 1].push_back(g);
      }
    }
    std::vector<uint32_t> comp(n, UINT32_MAX);
    for (uint32_t g = 0; g < n; ++g) {
      if (comp[g] != UINT32_MAX) continue;
      std::vector<uint32_t> todo{g};
      comp[g] = g;
      while (!todo.empty()) {
        const uint32_t x = todo.back();
        todo.pop_back();
        for (uint32_t y : adj[x])
          if (comp[y] == UINT32_MAX) comp[y] = g, todo.push_back(y);
      }
    }
    for (uint32_t a = 0; a < n; ++a)
      for (uint32_t b = a + 1; b < std::min(n, a + 40); ++b) {
        const bool same_ref = comp[a] == comp[b] && t.leaf_of_node[ntk.gate_node(a)] == t.leaf_of_node[ntk.gate_node(b)];
        EXPECT_EQ(u.unit_of_gate[a] == u.unit_of_gate[b], same_ref) << "seed " << seed << " gates " << a << ", " << b;
      }
    expect_templates_describe_units(ntk, u);
  }
}

// Identical gadgets on different inputs share one template; a gadget of another width does not.
TEST(GateUnits, TemplatesAreSharedExactlyUpToARenamingOfInputs) {
  Network ntk;
  std::vector<Bus> outs;
  for (int i = 0; i < 3; ++i) {
    const Bus a = ntk.create_input_bus("a" + std::to_string(i), Format(6, 0));
    const Bus b = ntk.create_input_bus("b" + std::to_string(i), Format(6, 0));
    Network::ModuleScope op(ntk, "op");
    outs.push_back(gadgets::add(ntk, a, b, Format(7, 0)));
  }
  const Bus c = ntk.create_input_bus("c", Format(5, 0)), d = ntk.create_input_bus("d", Format(5, 0));
  {
    Network::ModuleScope op(ntk, "op");
    outs.push_back(gadgets::add(ntk, c, d, Format(6, 0)));
  }
  for (Bus& o : outs) ntk.add_output_bus(o);
  const Levels lv = compute_levels(ntk);
  const ModuleTree t = build_module_tree(ntk, lv);
  const GateUnits u = build_gate_units(ntk, lv, t);
  ASSERT_EQ(u.units.size(), 4u);
  EXPECT_EQ(u.templates.size(), 2u);
  EXPECT_EQ(u.units[0].template_id, u.units[1].template_id);
  EXPECT_EQ(u.units[1].template_id, u.units[2].template_id);
  EXPECT_NE(u.units[3].template_id, u.units[0].template_id);
  expect_templates_describe_units(ntk, u);
  // Output bits are outputs of their units.
  for (const GateUnit& unit : u.units) EXPECT_FALSE(unit.outputs.empty());
}

// ---- the site writer ----

std::string read_all(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Network small_tagged() {
  Network ntk;
  std::vector<Bus> xs;
  for (int i = 0; i < 4; ++i) xs.push_back(ntk.create_input_bus("x" + std::to_string(i), Format(6, 0)));
  const auto r = gadgets::max_argmax(ntk, xs);
  ntk.add_output_bus(r.max);
  return ntk;
}

// The folder the tests write into (created on first use).
fs::path test_dir() {
  fs::create_directories(TC0_EXPLORER_TEST_DIR);
  return TC0_EXPLORER_TEST_DIR;
}

explorer::SiteOptions site_options() {
  explorer::SiteOptions o;
  o.title = "test";
  o.app_dir = TC0_EXPLORER_APP;
  return o;
}

TEST(Site, WritesChunksAndReplacesOnlyItsOwnFolders) {
  const fs::path dir = test_dir() / "site_writer";
  fs::remove_all(dir);
  const Network ntk = small_tagged();
  const auto res = explorer::write_site(ntk, dir, site_options());
  for (const char* f : {"index.html", "app.js", "app.css", "data/meta.js", "data/n/0.js", "tc0flow-view.json"})
    EXPECT_TRUE(fs::exists(dir / f)) << f;
  const std::string meta = read_all(dir / "data/meta.js");
  EXPECT_EQ(meta.rfind("tc0x.load(\"meta\", ", 0), 0u);
  EXPECT_GT(res.units, 0u);
  EXPECT_EQ(res.template_units, res.units);
  // A previous site is replaced as a whole (a stray file of the old one disappears).
  std::ofstream(dir / "data/stray.js") << "old";
  explorer::write_site(ntk, dir, site_options());
  EXPECT_FALSE(fs::exists(dir / "data/stray.js"));
  // "DIR/" is DIR: replaced in place, nothing left inside it or beside it.
  explorer::write_site(ntk, dir.string() + "/", site_options());
  EXPECT_TRUE(fs::exists(dir / "data/meta.js"));
  for (const auto& e : fs::directory_iterator(dir)) EXPECT_EQ(e.path().filename().string().find(tc0::fileio::kTempMarker), std::string::npos);
  for (const auto& e : fs::directory_iterator(dir.parent_path()))
    EXPECT_EQ(e.path().filename().string().find("site_writer."), std::string::npos) << e.path();
  // A folder that is not a site is refused and left alone.
  const fs::path foreign = test_dir() / "foreign";
  fs::remove_all(foreign);
  fs::create_directories(foreign);
  std::ofstream(foreign / "notes.txt") << "mine";
  EXPECT_THROW(explorer::write_site(ntk, foreign, site_options()), std::runtime_error);
  EXPECT_EQ(read_all(foreign / "notes.txt"), "mine");
  EXPECT_EQ(std::distance(fs::directory_iterator(foreign), fs::directory_iterator{}), 1);
  // So is a file, with one line naming it.
  const fs::path file = test_dir() / "a_file";
  std::ofstream(file) << "keep";
  try {
    explorer::write_site(ntk, file, site_options());
    ADD_FAILURE() << "a file replaced by a site";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), "cannot write explorer site '" + file.string() +
                                         "': it exists and is not a folder; give the name of a folder to write");
  }
  EXPECT_EQ(read_all(file), "keep");
}

TEST(Site, RefusesBadReportsBeforeWritingAnything) {
  const fs::path dir = test_dir() / "bad_reports";
  fs::remove_all(dir);
  const fs::path bad = test_dir() / "bad.json";
  std::ofstream(bad) << "{\"points\": [1, 2";
  auto o = site_options();
  o.bounds_json = bad.string();
  try {
    explorer::write_site(small_tagged(), dir, o);
    FAIL() << "bad bounds JSON accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("is not valid JSON"), std::string::npos) << e.what();
  }
  std::ofstream(bad) << "{\"ops\": {}}";
  o.bounds_json.clear();
  o.verify_json = bad.string();
  EXPECT_THROW(explorer::write_site(small_tagged(), dir, o), std::runtime_error);
  o.verify_json = (test_dir() / "absent.json").string();
  EXPECT_THROW(explorer::write_site(small_tagged(), dir, o), std::runtime_error);
  EXPECT_FALSE(fs::exists(dir));
}

// The site of a circuit without module tags, opened by the browser test explorer_browser_flat.
TEST(Site, FlatCircuitSiteForTheBrowserTest) {
  Network ntk;
  const Bus a = ntk.create_input_bus("a", Format(8, 0)), b = ntk.create_input_bus("b", Format(8, 0));
  Bus y;
  y.name = "y";
  Signal carry = kFalse;
  for (int i = 0; i < 8; ++i) {  // a ripple adder of plain gates, no module tags
    const Signal s = ntk.create_xor(ntk.create_xor(a.bits[i], b.bits[i]), carry);
    const Signal ins[3] = {a.bits[i], b.bits[i], carry};
    carry = i == 0 ? ntk.create_and(a.bits[i], b.bits[i]) : ntk.create_maj(ins);
    y.bits.push_back(s);
  }
  y.bits.push_back(carry);
  ntk.add_output_bus(y);
  ASSERT_EQ(ntk.modules().size(), 1u);  // only the untagged "" module
  const fs::path dir = test_dir() / "flat";
  auto o = site_options();
  o.title = "flat ripple adder";
  const auto res = explorer::write_site(ntk, dir, o);
  EXPECT_EQ(res.tree_nodes, 1u);
  EXPECT_EQ(res.units, 1u);  // one connected piece
}

}  // namespace
}  // namespace tc0::circuits
