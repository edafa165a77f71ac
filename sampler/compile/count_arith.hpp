#pragma once
// Counting a compiled sampler without building it: the same generic sampler (samplers.hpp) over a
// policy whose operations build their gates in a circuits::GateCounter with the same op_build.hpp
// code WireArith uses, once per distinct operation, and multiply.
//
// Why it is exact: Network keeps structural hashing and fan-in-list sharing inside one operation
// (Network::begin_op), so an operation's gates depend only on its parameters and on its inputs'
// pattern (which bits are constant, which are the same signal, which are complemented) and its
// depth on its inputs' logic levels; and the construction does not depend on node numbering
// (op_build.hpp, circuits/canonical.hpp). Two operations with the same parameters and the same
// input pattern therefore have the same gates up to renaming: the counter keys each operation on
// exactly that (the key is compared in full, never only hashed) and builds it once.
//
// A value is a "bus shape" (per bit: constant, or the k-th output bit of the operation that made it,
// complemented or not, at a logic level relative to the bus) plus the operation instance that made
// it and a base level; reading a shape is O(1) per bus, so the attention's T^2 score operations
// cost O(d_h) each, not O(bits). A bus that mixes bits of several operations (an output bit that is
// an input bit passed through) is held bit by bit instead. Linear layers are counted a layer at a
// time (linear_rows): the input vector is read once for all rows.
//
// Memory is O(values alive in the model + distinct operations), so DiT-S/2-like samplers
// (256 tokens, width 384, 12 blocks) are counted in seconds (tools/bench/README.md).
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "circuits/gate_counter.hpp"
#include "circuits/gadgets/linear_form.hpp"
#include "sampler/model.hpp"

namespace tc0::sampler::compile {

// Size and depth of a compiled sampler, counted. Equal, field for field, to compute_stats() of the
// materialised circuit (tests/sampler/test_count_exact.cpp).
struct SamplerCount {
  circuits::CountTotals totals;
  uint32_t depth = 0;       // longest input-to-output path (circuits::compute_levels)
  uint32_t gate_depth = 0;  // deepest gate, reached or not (circuits::compute_stats's depth)
  uint64_t operations = 0;           // operations of the traced graph
  uint64_t distinct_operations = 0;  // of which built (the rest were replayed)
  std::map<std::string, circuits::ModuleCount> modules;  // by module path, as compute_stats names them
};

SamplerCount count_sampler(const Model& m, const SamplerSpec& spec, const circuits::gadgets::LinearFormParams& ps);

// The size component of a module path (its tensor name decides): attention, linear, nonlinear,
// norm, residual, update. The same classification serves counted and materialised circuits.
std::string component_of(const std::string& module_path);

}  // namespace tc0::sampler::compile
