#pragma once
// Gate-level units of a module tree (module_tree.hpp), and their templates.
//
// A leaf of the tree usually holds many instances of one gadget: a compiled sampler tags every
// scalar operation of a tensor op with the same path, so ".../attn.score/dot/linear_form" holds one
// linear form per score entry. A unit is one such instance: the gates of one leaf that are
// connected through edges inside the leaf's parent (one call of the op: its partial products and
// its linear form are joined, then split again by leaf), where consecutive gates of a leaf that
// share one fan-in list also count as connected. Units are numbered per leaf in gate order.
//
// Units of at most `max_template_gates` gates get a template: the unit's gates in gate order, each
// with theta and its fan-ins as references to an earlier gate of the unit or to the unit's k-th
// external input (numbered by first use), with weights and complement bits; a gate that shares the
// previous gate's fan-in list says so instead of repeating it. Two units share a template exactly
// when these descriptions are equal, i.e. when the units are identical up to a renaming of their
// inputs; equality is checked word by word (the hash only picks the bucket).
#include <cstdint>
#include <vector>

#include "circuits/module_tree.hpp"

namespace tc0::circuits {

struct GateUnit {
  uint32_t leaf = 0;
  uint32_t index = 0;              // its number among the units of its leaf (gate order)
  std::vector<uint32_t> gates;     // gate indices, ascending
  uint64_t edges = 0;
  uint32_t first_level = 0, last_level = 0;
  int32_t template_id = -1;        // -1: larger than the template limit
  std::vector<uint32_t> external;  // network nodes of its external inputs, in template order
  std::vector<uint32_t> outputs;   // local indices of gates read outside the unit or driving an output bit
  bool critical = false;
};

// One template gate: shares_previous or fan-ins/weights; refs >= 0 are local gates (2 i + complement),
// refs < 0 external inputs (-(2 k + complement) - 1).
struct TemplateGate {
  Weight theta = 0;
  bool shares_previous = false;
  std::vector<int64_t> refs;
  std::vector<Weight> weights;
};

struct UnitTemplate {
  std::vector<TemplateGate> gates;
  uint32_t external_inputs = 0;
  uint32_t uses = 0;  // units that share it
};

struct GateUnits {
  std::vector<GateUnit> units;                 // in order of their first gate
  std::vector<std::vector<uint32_t>> of_leaf;  // per tree node: its units
  std::vector<uint32_t> unit_of_gate;          // per gate index
  std::vector<uint32_t> local_of_gate;         // position of the gate in its unit
  std::vector<UnitTemplate> templates;
};

inline constexpr uint32_t kMaxTemplateGates = 5000;

GateUnits build_gate_units(const Network& ntk, const Levels& lv, const ModuleTree& tree,
                           uint32_t max_template_gates = kMaxTemplateGates);

}  // namespace tc0::circuits
