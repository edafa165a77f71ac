#pragma once
// The threshold network: constants, primary inputs and threshold gates [sum_i w_i x_i >= theta]
// with complemented signals and exact integer weights (SPEC section 3).
//
// Storage follows mockturtle: a signal is one word {node index, complement bit}; node 0 is the
// constant false (its complement is true); then primary inputs; then gates in topological order
// (every fan-in of a gate has a smaller index). Gates are only created through create_threshold(),
// which canonicalises and structurally hashes them (see network.cpp), so a Network is always in
// canonical form:
//   - fan-ins sorted by node index, no node twice, no constant fan-in;
//   - every weight > 0 (a negative weight is turned into a complemented fan-in), theta moved to match;
//   - weights and theta divided by their common factor;
//   - no gate that is constant over its input range, no single-input buffer (they return a signal);
//   - no weight above theta (such a weight alone decides; it is clamped to theta);
//   - the first fan-in is not complemented (a gate and its complement share one node: the other
//     polarity is returned as a complemented signal), so both spellings hash alike.
// Threshold functions have no unique integer representation in general, so two gates computing one
// function with different weights may still both exist; the rules above catch the common cases.
//
// Shared fan-in lists: gates whose canonical fan-ins and weights are identical and differ only in
// theta (the thermometer gates [L >= j 2^k] of a linear form, which hold most of a compiled
// sampler's edges) are stored once: such a gate points at the list of a recently created gate.
// num_edges() counts every gate's fan-ins (the circuit's edges); num_stored_edges() counts the
// lists actually kept; fanin_list(g) identifies the list, so simulators can compute the sum once.
// Weights and thresholds are exact 128-bit integers; a gate whose sum of |weights| or |theta|
// would exceed kMaxMagnitude is refused with CircuitError, never wrapped.
//
// Derived data (levels, fan-outs, stats) lives outside this class: see levels.hpp, stats.hpp.
#include <cstdint>
#include <functional>
#include <span>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "numerics/format.hpp"

namespace tc0::circuits {

using Weight = __int128;
// Every gate keeps sum |w_i| + |theta| below this, so simulators can accumulate in 128 bits.
inline constexpr Weight kMaxMagnitude = Weight(1) << 126;

struct CircuitError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Signal {
  uint32_t data = 0;  // index << 1 | complement

  static Signal make(uint32_t index, bool complemented) { return Signal{index << 1 | uint32_t(complemented)}; }
  uint32_t index() const { return data >> 1; }
  bool complemented() const { return data & 1; }
  Signal operator!() const { return Signal{data ^ 1u}; }
  friend bool operator==(Signal, Signal) = default;
  friend auto operator<=>(Signal, Signal) = default;
};

inline constexpr Signal kFalse = Signal{0};
inline constexpr Signal kTrue = Signal{1};

// A named integer carried on wires, least significant bit first, in two's complement when the
// format is signed (every numerics::Format is). Unsigned buses (e.g. an argmax index) set
// is_signed = false and use fmt only for its width.
struct Bus {
  std::string name;
  numerics::Format fmt{2, 0};
  bool is_signed = true;
  std::vector<Signal> bits;
};

struct GateView {
  std::span<const Signal> fanins;
  std::span<const int64_t> narrow_weights;   // set when every weight fits in int64
  std::span<const Weight> wide_weights;      // set otherwise
  Weight theta;
  uint32_t module;

  size_t size() const { return fanins.size(); }
  Weight weight(size_t i) const { return narrow_weights.empty() ? wide_weights[i] : Weight(narrow_weights[i]); }
};

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
  };

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
  // Works in place (no second copy of the network).
  void remove_dead_gates();
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

  uint64_t num_edges_ = 0;
  std::vector<std::pair<uint32_t, Weight>> scratch_merged_;
  std::vector<Signal> scratch_ins_;
  std::vector<Weight> scratch_ws_;
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
