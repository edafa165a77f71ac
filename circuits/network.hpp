#pragma once
// The threshold network: constants, primary inputs and threshold gates [sum_i w_i x_i >= theta]
// with complemented signals and exact integer weights (SPEC.md section 3).
//
// Storage follows mockturtle: a signal is one word {node index, complement bit}; node 0 is the
// constant false (its complement is true); then primary inputs; then gates in topological order
// (every fan-in of a gate has a smaller index). Gates are only created through create_threshold()
// (or create_threshold_family()), which put them in the canonical form of canonical.hpp and hash
// them structurally, so a Network is always in canonical form:
//   - fan-ins sorted by node index, no node twice, no constant fan-in;
//   - every weight > 0 (a negative weight is turned into a complemented fan-in), theta moved to match;
//   - weights and theta divided by their common factor;
//   - no gate that is constant over its input range, no single-input buffer (they return a signal);
//   - no weight above theta (such a weight alone decides; it is clamped to theta);
//   - no more complemented fan-ins than uncomplemented ones (a gate and its complement share one
//     node: the other polarity is returned as a complemented signal).
// Threshold functions have no unique integer representation in general, so two gates computing one
// function with different weights may still both exist; the rules above catch the common cases.
//
// Operations: a traced model (sampler/compile) wraps each of its operations in begin_op()/end_op().
// Structural hashing and fan-in-list sharing stay inside the current operation, so every gate
// belongs to exactly one operation and an operation's gates depend only on its own inputs: its
// size is compositional, which is what lets the counter (gate_counter.hpp) count an operation once
// and multiply, and what the per-operation proofs rely on. Gates made outside any operation (a
// stand-alone gadget) share one scope.
//
// Shared fan-in lists: gates whose canonical fan-ins and weights are identical and differ only in
// theta (the thermometer gates [L >= j 2^k] of a linear form, which hold most of a compiled
// sampler's edges) are stored once: such a gate points at the list of one of the last 8 distinct
// lists stored in its scope. num_edges() counts every gate's fan-ins (the circuit's edges);
// num_stored_edges() counts the lists actually kept; fanin_list(g) identifies the list, so
// simulators can compute the sum once. Weights and thresholds are exact 128-bit integers; a gate
// whose sum of |weights| or |theta| would exceed kMaxMagnitude is refused with CircuitError.
//
// Derived data (levels, fan-outs, stats) lives outside this class: see levels.hpp, stats.hpp.
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "circuits/canonical.hpp"
#include "circuits/network_types.hpp"

namespace tc0::circuits {

class Network {
 public:
  Network();

  // ---- construction ----
  Signal create_input(const std::string& name);  // one primary input bit
  // Adds a bus of fresh primary inputs.
  const Bus& create_input_bus(const std::string& name, numerics::Format fmt, bool is_signed = true);
  void add_output_bus(Bus bus);
  // [sum_i w_i s_i >= theta], canonicalised and hashed; may return an existing signal or a constant.
  Signal create_threshold(std::span<const Signal> fanins, std::span<const Weight> weights, Weight theta);
  // One gate per theta over one fan-in list (a thermometer): out[j] = create_threshold(fanins,
  // weights, thetas[j]), with the list canonicalised once.
  void create_threshold_family(std::span<const Signal> fanins, std::span<const Weight> weights,
                               std::span<const Weight> thetas, std::span<Signal> out);
  Signal create_and(std::span<const Signal> fanins);
  Signal create_or(std::span<const Signal> fanins);
  Signal create_maj(std::span<const Signal> fanins);  // odd fan-in count
  Signal create_and(Signal a, Signal b);
  Signal create_or(Signal a, Signal b);
  Signal create_xor(Signal a, Signal b);  // two threshold gates, depth 2

  // Module tags: gates created while a module is pushed carry its full path ("a/b/c").
  void push_module(const std::string& name);
  void pop_module();
  // Path of the innermost pushed module ("" when none).
  const std::string& current_module() const { return modules_[module_stack_.empty() ? 0 : module_stack_.back()]; }
  // Re-tags gates [first_gate, num_gates()) with the module path rename(old path): for names known
  // only after the gates exist (the tensor an operation computed, see sampler/compile/wire_arith).
  void retag_modules(uint32_t first_gate, const std::function<std::string(const std::string&)>& rename);
  struct ModuleScope {  // RAII push/pop
    Network& ntk;
    ModuleScope(Network& n, const std::string& name) : ntk(n) { ntk.push_module(name); }
    ~ModuleScope() { ntk.pop_module(); }
    ModuleScope(const ModuleScope&) = delete;
    ModuleScope& operator=(const ModuleScope&) = delete;
  };

  // A sub-gadget that depends only on its inputs (a group sum of a linear form): built in a
  // structural-hashing scope of its own (nothing before it is matched, nothing after it matches its
  // gates), so its gates are the same wherever it is built. The counter (GateCounter::reuse) counts
  // such an instance once and reuses the count.
  template <class Build>
  std::vector<Signal> reuse(std::span<const Signal>, std::span<const Weight>, Build&& build) {
    reset_scope();
    std::vector<Signal> out = build();
    reset_scope();
    return out;
  }

  // ---- operations (see the header comment) ----
  // Opens operation num_ops(); operations do not nest.
  uint32_t begin_op();
  // Closes it; `outputs` are the bits the operation hands on (gates of its own, earlier signals or
  // constants), kept as the operation map of the circuit file.
  void end_op(std::span<const Signal> outputs);
  struct OpView {
    uint32_t first_gate = 0, end_gate = 0;  // the operation's gates are [first_gate, end_gate)
    std::span<const Signal> outputs;
  };
  uint32_t num_ops() const { return uint32_t(ops_.size()); }
  OpView op(uint32_t k) const;
  bool in_op() const { return op_open_; }

  // ---- inspection ----
  uint32_t num_nodes() const { return uint32_t(kinds_.size()); }
  uint32_t num_inputs() const { return uint32_t(inputs_.size()); }
  uint32_t num_gates() const { return uint32_t(gates_.size()); }
  uint64_t num_edges() const { return num_edges_; }          // sum of fan-in counts over gates
  uint64_t num_stored_edges() const { return fanins_.size(); }  // after sharing fan-in lists
  // Gates with equal fanin_list() share one fan-in list (same fan-ins and weights).
  uint64_t fanin_list(uint32_t g) const { return gates_[g].fanin_begin; }
  // Bytes held by the gate and edge arrays (the bulk of a large network's memory).
  uint64_t memory_bytes() const;
  bool is_constant(uint32_t node) const { return node == 0; }
  bool is_input(uint32_t node) const { return kinds_[node] == Kind::input; }
  bool is_gate(uint32_t node) const { return kinds_[node] == Kind::gate; }
  // Primary inputs in creation order; input_index(node) is the position of an input node.
  const std::vector<uint32_t>& inputs() const { return inputs_; }
  const std::string& input_name(uint32_t input_position) const { return input_names_[input_position]; }
  uint32_t input_index(uint32_t node) const { return payload_[node]; }
  // Gates in topological order; gate_node(g) is the node index of the g-th gate.
  uint32_t gate_node(uint32_t g) const { return gate_nodes_[g]; }
  uint32_t gate_index(uint32_t node) const { return payload_[node]; }
  GateView gate(uint32_t g) const;
  const std::vector<Bus>& input_buses() const { return input_buses_; }
  const std::vector<Bus>& output_buses() const { return output_buses_; }
  const std::vector<std::string>& modules() const { return modules_; }  // module id -> path; id 0 is ""

  // Removes gates that no output reaches, renumbering nodes; module table and buses are kept.
  // Works in place (no second copy of the network). For networks without operations (a network
  // with an operation map keeps every gate: an operation is one unit, see the header comment).
  void remove_dead_gates();
  // Gates from which no output bit can be reached (kept by operations; reported by stats).
  uint64_t count_unreached_gates() const;
  // Capacity hints for building a network of known size (e.g. from counting mode).
  void reserve(uint64_t gates, uint64_t stored_edges);

 private:
  enum class Kind : uint8_t { constant, input, gate };
  struct GateRecord {
    uint64_t fanin_begin;  // into fanins_ and, for narrow gates, narrow_weights_
    uint64_t wide_begin;   // into wide_weights_, or UINT64_MAX for narrow gates
    uint32_t fanin_count;
    uint32_t module;
    Weight theta;
  };

  std::vector<Kind> kinds_;
  std::vector<uint32_t> payload_;  // input position or gate index, per node
  std::vector<uint32_t> inputs_;
  std::vector<std::string> input_names_;
  std::vector<uint32_t> gate_nodes_;
  std::vector<GateRecord> gates_;
  std::vector<Signal> fanins_;
  std::vector<int64_t> narrow_weights_;  // parallel to fanins_ (0 for wide gates' slots)
  std::vector<Weight> wide_weights_;
  // Stores a canonical gate (sharing a recent identical fan-in list) and indexes it for hashing.
  uint32_t append_gate(std::span<const Signal> ins, std::span<const Weight> ws, Weight theta, uint32_t module,
                       uint64_t list_hash, uint64_t gate_hash);
  uint32_t find_gate(uint64_t gate_hash, std::span<const Signal> ins, std::span<const Weight> ws, Weight theta) const;
  void index_gate(uint32_t g);

  // The last few distinct fan-in lists, the candidates for sharing.
  struct ListRef {
    uint64_t hash = 0;
    uint64_t fanin_begin = 0;
    uint64_t wide_begin = UINT64_MAX;
    uint32_t count = 0;
  };
  static constexpr size_t kRecentLists = 8;
  ListRef recent_[kRecentLists];
  size_t recent_next_ = 0;

  // Stores (or finds) the gate the canonicaliser described; family_hash is the regular list's hash.
  Signal materialize(const Canonicalizer::Result& r, uint64_t& family_hash);
  void reset_scope();

  uint64_t num_edges_ = 0;
  Canonicalizer canon_;
  // Operations: [first_gate, end_gate) and their outputs in op_outputs_.
  struct OpRecord {
    uint32_t first_gate, end_gate;
    uint64_t outputs_begin, outputs_count;
  };
  std::vector<OpRecord> ops_;
  std::vector<Signal> op_outputs_;
  bool op_open_ = false;
  uint32_t hash_scope_begin_ = 0;  // structural hashing finds gates from this index on
  std::vector<Bus> input_buses_;
  std::vector<Bus> output_buses_;
  std::vector<std::string> modules_;
  std::unordered_map<std::string, uint32_t> module_ids_;
  std::vector<uint32_t> module_stack_;
  // Structural hashing, open addressing: slots hold gate index + 1 (0 = empty), keyed by gate_hash_.
  std::vector<uint64_t> gate_hash_;
  std::vector<uint32_t> strash_slots_;
};

}  // namespace tc0::circuits
