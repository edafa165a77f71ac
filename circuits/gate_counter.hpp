#pragma once
// GateCounter: the counting builder. It models the builder concept (builder.hpp) and puts every
// gate in the canonical form of canonical.hpp, exactly like Network, but it keeps only what
// counting needs and forgets everything at reset(): one operation at a time (sampler/compile's
// counter builds each distinct operation once in a GateCounter and multiplies; gen_gadget_table
// counts a gadget). Per gate it keeps a small record (its list, theta, module, logic level), never
// a copy of a shared fan-in list: the gates of a thermometer family cost O(1) each, and a gadget
// with a few thousand gates and millions of edges is counted in microseconds.
//
// What it counts is what Network would store for the same calls in one structural-hashing scope
// (Network::begin_op): gates, edges, stored fan-in entries (the same window of 8 recent lists),
// logic levels from the input levels given to create_input(), max fan-in, weight and theta bits,
// gates by kind, the majority size sum (|w| + |theta|), and per module (paths relative to the
// scope) gates, edges, stored entries and the module-local depth (chains of the module's own gates;
// inputs count as other modules). tests/circuits/test_gate_counter.cpp checks it against Network.
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "circuits/builder.hpp"
#include "circuits/canonical.hpp"
#include "circuits/hash_index.hpp"
#include "circuits/network_types.hpp"
#include "numerics/rounding.hpp"

namespace tc0::circuits {

struct CountTotals {
  uint64_t gates = 0, edges = 0, stored_edges = 0;
  uint64_t by_kind[4] = {0, 0, 0, 0};  // GateKind order: AND, OR, MAJ, TH
  uint32_t max_fanin = 0;
  int weight_bits = 0, theta_bits = 0;
  numerics::BigInt majority = 0;  // sum over gates of (sum |w| + |theta|)

  // Adds `times` copies of o (maxima are maxima).
  void add(const CountTotals& o, uint64_t times = 1);
};

struct ModuleCount {
  uint64_t gates = 0, edges = 0, stored_edges = 0;
  uint32_t depth = 0;  // longest chain of this module's gates
};

class GateCounter {
 public:
  GateCounter();
  // Forgets every node, list and count (a new scope).
  void reset();

  // ---- the builder concept ----
  // An input of the counted scope at logic level `level` (its module counts as none).
  Signal create_input(uint32_t level = 0);
  // A bus of fresh inputs at level 0 (for counting a stand-alone gadget).
  Bus create_input_bus(const std::string& name, numerics::Format fmt, bool is_signed = true);
  Signal create_threshold(std::span<const Signal> fanins, std::span<const Weight> weights, Weight theta);
  void create_threshold_family(std::span<const Signal> fanins, std::span<const Weight> weights,
                               std::span<const Weight> thetas, std::span<Signal> out);
  void push_module(const std::string& name);
  void pop_module();

  uint32_t num_nodes() const { return uint32_t(level_.size()); }
  uint32_t num_gates() const { return uint32_t(gates_.size()); }
  uint64_t num_edges() const { return totals_.edges; }
  bool is_gate(uint32_t node) const { return node < node_gate_.size() && node_gate_[node] != kNotAGate; }
  uint32_t gate_index(uint32_t node) const { return node_gate_[node]; }
  uint32_t gate_node(uint32_t g) const { return gates_[g].node; }
  // The gate's list and theta (gates counted by a reused sub-gadget have none: CircuitError).
  GateView gate(uint32_t g) const;

  // A sub-gadget that depends only on its inputs (signals with a number each: the terms of a group
  // sum and their weights), built in a structural-hashing and list-sharing scope of its own as in
  // Network::reuse. With reuse enabled, a second instance with the same input pattern (numbers,
  // complement bits, levels, module levels; as a multiset, since the canonical form does not depend
  // on order) is not built again: its counts are added and its outputs made as opaque gate nodes of
  // the right level. Without it, the instance is just built (in its own scope, like Network).
  template <class Build>
  std::vector<Signal> reuse(std::span<const Signal> inputs, std::span<const Weight> numbers, Build&& build) {
    scope_break();
    std::vector<Signal> out;
    const size_t hit = reuse_enabled_ ? find_reusable(inputs, numbers) : SIZE_MAX;
    if (hit != SIZE_MAX) {
      out = replay_reusable(hit, inputs);
    } else {
      const ReuseMark mark = reuse_mark();
      out = build();
      if (reuse_enabled_) record_reusable(mark, inputs, out);
    }
    scope_break();
    return out;
  }
  // Off by default (a reused instance's gates cannot be viewed one by one with gate()).
  void enable_reuse(bool on) { reuse_enabled_ = on; }

  // ---- what was counted ----
  uint32_t level(Signal s) const { return level_[s.index()]; }
  // The deepest gate made (0 when none).
  uint32_t max_gate_level() const { return max_gate_level_; }
  CountTotals totals() const;
  // Module paths made in this scope (relative to it; id 0 is "") and their counts.
  const std::vector<std::string>& modules() const { return module_paths_; }
  const std::vector<ModuleCount>& module_counts() const { return module_counts_; }

 private:
  static constexpr uint32_t kNotAGate = UINT32_MAX;
  static constexpr uint32_t kOpaqueGate = UINT32_MAX - 1;  // an output gate of a reused sub-gadget
  // What reuse() needs to record an instance: the counts before it was built.
  struct ReuseMark {
    uint64_t gates, edges, stored, nodes;
    uint64_t lists_stored;  // window insertions so far
    std::vector<ModuleCount> modules;
  };
  struct Reusable {
    std::vector<uint64_t> key;
    CountTotals totals;           // majority included (as a BigInt, small)
    uint64_t window_pushes = 0;   // lists the instance stored (each one entry of the sharing window)
    uint32_t max_level = 0;       // deepest gate, relative to the inputs' base level
    std::vector<std::pair<uint32_t, ModuleCount>> modules;  // relative path id (rel_paths_) -> counts
    struct Out {
      uint8_t kind;     // 0 constant, 1 input (sorted position), 2 own gate
      bool comp;
      uint32_t index;   // input position or own gate index
      uint32_t level;   // own gate: relative to the inputs' base level
      uint32_t module_level;
      uint32_t module;     // own gate: relative path id (rel_paths_)
    };
    std::vector<Out> outs;
  };
  size_t find_reusable(std::span<const Signal> inputs, std::span<const Weight> numbers);
  ReuseMark reuse_mark() const;
  void record_reusable(const ReuseMark& m, std::span<const Signal> inputs, std::span<const Signal> outs);
  std::vector<Signal> replay_reusable(size_t index, std::span<const Signal> inputs);
  uint32_t module_id(const std::string& relative_to_current);
  // module_id of an interned relative path, through a cache (a replayed sub-gadget resolves its
  // modules without building a path string)
  uint32_t module_id(uint32_t rel);
  uint32_t rel_id(const std::string& rel);
  const std::string& current_module_path() const { return module_paths_[module_stack_.empty() ? 0 : module_stack_.back()]; }
  // Ends a structural-hashing and list-sharing scope (the lists made so far can no longer be found).
  void scope_break();
  bool reuse_enabled_ = false;
  std::vector<Reusable> reusables_;  // kept across reset(): they describe sub-gadgets, not a scope
  HashIndex reusable_index_;
  std::vector<uint64_t> reuse_key_;
  std::vector<std::array<uint64_t, 5>> reuse_desc_;  // scratch of find_reusable
  std::vector<uint32_t> reuse_nodes_;
  std::vector<uint32_t> reuse_perm_;  // sorted position -> input index (of the last find_reusable)
  uint32_t reuse_base_ = 0;           // base level of the last find_reusable's inputs
  uint64_t lists_stored_ = 0;
  struct ListRec {
    uint64_t begin = 0;  // into fanins_ / weights_
    uint32_t count = 0;
    uint64_t hash = 0;
    Weight sum = 0;
    int weight_bits = 0;
    bool all_ones = false;
    uint32_t level = 0;  // 1 + the deepest fan-in
    // Structural hashing within the list: (theta, gate) pairs, sorted by theta when `sorted`.
    std::vector<std::pair<Weight, uint32_t>> gates;
    bool sorted = true;
    // Module-local level of the list's gates in the module that first used it (a family shares it).
    uint32_t ml_module = UINT32_MAX, ml_level = 0;
  };
  struct GateRec {
    uint32_t list;
    uint32_t module;
    uint32_t node;
    Weight theta;
  };

  uint32_t intern_list(std::span<const Signal> fanins, std::span<const Weight> weights);
  // The gate (list, theta) of the current module: found or made. `fresh_list` lets a family skip
  // the search when its list had no gates before it.
  Signal gate_on(uint32_t list, Weight theta, bool flip);
  Signal add_gate(uint32_t list, Weight theta, bool flip);
  uint32_t module_level_of(uint32_t list, uint32_t module);

  Canonicalizer canon_;
  std::vector<uint32_t> level_;         // per node
  std::vector<uint32_t> module_level_;  // per node: chain length within its module (0 for inputs)
  std::vector<uint32_t> node_module_;   // per node: module id (UINT32_MAX for inputs)
  std::vector<uint32_t> node_gate_;     // per node: gate index or kNotAGate
  std::vector<GateRec> gates_;
  std::vector<ListRec> lists_;  // [0, num_lists_) in use; the rest kept for their capacity
  uint32_t num_lists_ = 0;
  std::vector<Signal> fanins_;
  std::vector<Weight> weights_;
  // list hash -> list id, open addressing; a slot is empty unless its stamp is the current one, so
  // reset() forgets every list in O(1).
  struct Slot {
    uint64_t hash;
    uint32_t list;
    uint32_t stamp;
  };
  std::vector<Slot> slots_;
  uint32_t stamp_ = 1;
  uint32_t slots_used_ = 0;
  uint32_t recent_[8];
  size_t recent_next_ = 0;
  CountTotals totals_;
  unsigned __int128 majority_pending_ = 0;  // added to totals_.majority when it would overflow
  uint32_t max_gate_level_ = 0;

  std::vector<std::string> module_paths_;
  std::unordered_map<std::string, uint32_t> module_ids_;
  // Relative module paths of reusable sub-gadgets (kept across reset(), like the reusables), and
  // (current module << 32 | relative path id) -> module id (cleared at reset()).
  std::vector<std::string> rel_paths_;
  std::unordered_map<std::string, uint32_t> rel_ids_;
  std::unordered_map<uint64_t, uint32_t> rel_module_cache_;
  std::vector<uint32_t> module_stack_;
  std::vector<ModuleCount> module_counts_;
};

static_assert(ThresholdBuilder<GateCounter>);

}  // namespace tc0::circuits
