#pragma once
// Counting mode: the same tracing (samplers.hpp) with a policy that builds no gates and stores no
// edges. Each operation runs the gadgets' construction arithmetic only (the carry levels, residues
// and thermometer ranges of the linear-form gadget, the value changes of a staircase, the max
// gadget's comparisons, the AND layer of products) and adds the gates and fan-ins it would create;
// every bit carries its logic level, so the depth is exact. Constant folding and single-input
// buffers are replicated; cross-operation structural hashing and gate-polarity normalisation are
// not, so gates and edges may differ slightly from a materialised circuit (tests measure it).
// Gates of operations no output depends on are dropped, as remove_dead_gates() does.
// Memory is O(values alive in the model), so the sweep reaches n = 64 tokens and beyond.
#include <cstdint>
#include <map>
#include <string>

#include "circuits/gadgets/linear_form.hpp"
#include "sampler/model.hpp"

namespace tc0::sampler::compile {

struct CountResult {
  uint64_t gates = 0, edges = 0;
  // Edges a materialised Network stores after sharing fan-in lists (an estimate: the replayed
  // shapes and the recent-list window are modelled, cross-operation hashing is not).
  uint64_t stored_edges = 0;
  uint32_t depth = 0;
  uint64_t operations = 0;
  // gates and edges per component (attention, linear, nonlinear, norm, update), live operations only
  std::map<std::string, std::pair<uint64_t, uint64_t>> by_component;
  std::vector<std::pair<uint64_t, uint64_t>> per_operation;  // gates, edges of every operation (live or not)
  std::vector<uint32_t> per_operation_level;                 // deepest output bit of every operation
};

CountResult count_sampler(const Model& m, const SamplerSpec& spec, const circuits::gadgets::LinearFormParams& ps);

}  // namespace tc0::sampler::compile
