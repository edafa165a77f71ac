#pragma once
// The canonical form of a threshold gate [sum_i w_i x_i >= theta] (the contract of network.hpp),
// computed once for every builder: Network stores the result, GateCounter (gate_counter.hpp)
// only counts it. Keeping one implementation is what makes a counted circuit equal to the
// materialised one, gate for gate.
//
// The rules, in order:
//   1. constants and complements fold into theta (w !x = w - w x), duplicate fan-ins merge, zero
//      weights vanish, a negative weight becomes a complemented fan-in (w x = w + |w| !x);
//   2. a gate that is constant over its input range (theta <= 0, or theta > sum w) is a constant;
//   3. shrink: a weight above theta alone decides, so it is clamped to theta; the common factor
//      of the weights is divided out (theta rounds up); repeated until nothing changes;
//   4. a gate with one fan-in left is that fan-in (a buffer);
//   5. polarity: a gate and its complement [sum w !x >= sum w - theta + 1] are one node; the stored
//      form has no more complemented fan-ins than uncomplemented ones (a tie keeps the form as
//      built). The rule depends only on the set of fan-ins and weights, never on node order, so a
//      construction gives gates of the same sizes and weights whatever the numbering of its inputs
//      (the counter relies on this to count an operation once and replay it; see gate_counter.hpp).
// Fan-ins are stored sorted by node index.
//
// Families: the gates of a thermometer [L >= theta_j] share one fan-in list and differ only in
// theta. Rule 1 does not depend on theta, so it runs once per family; for every theta >= the
// largest weight (all but at most two gates of a thermometer) rule 3 only divides by the weights'
// common factor, so those gates share one canonical list, computed once ("regular" gates). The
// others go through the full rules. Single gates are families of one: there is one code path.
#include <cstdint>
#include <span>
#include <vector>

#include "circuits/network_types.hpp"

namespace tc0::circuits {

class Canonicalizer {
 public:
  enum class Kind : uint8_t { constant, buffer, gate };
  struct Result {
    Kind kind = Kind::constant;
    Signal signal;        // constant or buffer: the signal the caller gets (complement included)
    bool flip = false;    // gate: the caller gets the complement of the stored gate
    bool regular = false; // gate: its list is regular_fanins()/regular_weights()
    Weight theta = 0;     // gate: stored theta
  };

  // Rule 1 for a list, once per family. Fan-in nodes must be < node_limit; weights and theta
  // magnitudes are checked against kMaxMagnitude (CircuitError otherwise).
  void prepare(std::span<const Signal> fanins, std::span<const Weight> weights, uint32_t node_limit);
  // Rules 2-5 for one theta of the prepared list.
  Result gate(Weight theta);

  // The shared list of the regular gates (valid after prepare()).
  std::span<const Signal> regular_fanins() const { return reg_fanins_; }
  std::span<const Weight> regular_weights() const { return reg_weights_; }
  // The list of the last non-regular gate (valid until the next gate()).
  std::span<const Signal> last_fanins() const { return own_fanins_; }
  std::span<const Weight> last_weights() const { return own_weights_; }
  // Sum of the regular list's weights (for bulk accounting of regular gates).
  Weight regular_sum() const { return reg_sum_; }
  // Whether regular gates are stored complemented (rule 5 decided once per family).
  bool regular_flip() const { return flip_; }
  size_t size() const { return fanins_.size(); }

 private:
  // The merged, positive list of rule 1 and the theta offset it implies.
  std::vector<Signal> fanins_;
  std::vector<Weight> weights_;
  Weight offset_ = 0;   // the gate is [list >= theta + offset_]
  Weight total_ = 0;    // sum of weights_
  Weight max_w_ = 0;
  Weight gcd_ = 0;
  bool flip_ = false;   // rule 5 for this list (it depends only on the fan-ins' complement bits)
  // Regular gates: weights_ / gcd_, polarity applied.
  std::vector<Signal> reg_fanins_;
  std::vector<Weight> reg_weights_;
  Weight reg_sum_ = 0, reg_max_ = 0;
  // Scratch for non-regular gates.
  std::vector<Signal> own_fanins_;
  std::vector<Weight> own_weights_;
  std::vector<std::pair<uint32_t, Weight>> merged_;
};

// Magnitude-checked addition of gate numbers (CircuitError past kMaxMagnitude).
Weight checked_weight_add(Weight a, Weight b);

}  // namespace tc0::circuits
