#pragma once
// The module hierarchy of a circuit as a tree of boxes, for browsing it (tc0flow view): a derived
// view of a Network, like levels.hpp and stats.hpp.
//
// Each gate carries a module path ("step0/blocks.0.attn.q/linear/linear_form"; "" for untagged
// gates). The tree has one node per path prefix; a path component of the form "NAME.INDEX.REST"
// (the model's tensor names, "blocks.0.attn.q") is split into "NAME.INDEX" / "REST", so a sampler
// reads sampler / step / block / op / gadget. A node that has both gates of its own and children
// gets a virtual child "(gates)" holding its own gates, so every gate lies in exactly one leaf.
//
// Per node: gates, edges, the logic levels it spans, its depth (longest chain of gates inside it)
// and its gates and edges per logic level. Per inner node, the edges of its picture: one per pair
// of boxes (its children, plus `inputs` and `outputs` for wires from or to outside it) labelled
// with the number of distinct signals (wires) that cross, and whether the critical path crosses
// there. The critical path is circuits::critical_path (levels.hpp).
#include <cstdint>
#include <string>
#include <vector>

#include "circuits/levels.hpp"
#include "circuits/network.hpp"

namespace tc0::circuits {

struct TreeNode {
  std::string name;    // the last component ("blocks.0", "linear_form", "(gates)"); "" for the root
  std::string path;    // display path, components joined by '/'
  std::string module;  // the module path (prefix) it stands for, as tagged: "step0/blocks.0.attn.q"
  uint32_t parent = UINT32_MAX;
  uint32_t depth = 0;  // the root is 0
  bool own_gates = false;  // the virtual "(gates)" child of a node with gates and children
  std::vector<uint32_t> children;
  uint64_t gates = 0, edges = 0;
  uint32_t first_level = 0, last_level = 0;  // logic levels of its gates (0, 0 when it has none)
  uint32_t depth_inside = 0;                 // longest chain of its own subtree's gates
  std::vector<uint64_t> level_gates, level_edges;  // per level, index = level - first_level
  bool critical = false;                           // the critical path passes through it
};

// A box of a node's picture: a child node id, or one of these.
inline constexpr uint32_t kInputsBox = UINT32_MAX;
inline constexpr uint32_t kOutputsBox = UINT32_MAX - 1;

struct BoxEdge {
  uint32_t from = 0, to = 0;  // child ids or kInputsBox / kOutputsBox
  uint64_t wires = 0;         // distinct signals crossing
  bool critical = false;
};

struct ModuleTree {
  std::vector<TreeNode> nodes;                 // nodes[0] is the root (the whole circuit)
  std::vector<std::vector<BoxEdge>> pictures;  // per node; empty for leaves
  std::vector<uint32_t> leaf_of_node;          // network node -> leaf; UINT32_MAX for inputs and the constant
  std::vector<uint32_t> critical_path;         // network nodes, input (or first gate) .. output
  // The tree path root..n (node ids), chains[n][d] is n's ancestor at depth d.
  std::vector<std::vector<uint32_t>> chains;

  bool is_leaf(uint32_t n) const { return nodes[n].children.empty(); }
};

// Splits a module path into display components (see above).
std::vector<std::string> display_components(const std::string& module_path);

ModuleTree build_module_tree(const Network& ntk, const Levels& lv);

}  // namespace tc0::circuits
