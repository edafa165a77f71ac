#pragma once
// Up-front size estimate of a compiled sampler: the same tracing (samplers.hpp) with a policy whose
// values are only formats, each operation adding an upper bound of the gates and edges its gadget
// creates (linear form: at most #terms/2 + 1 carry gates per output level, each reading every term;
// grouping applied as the gadget applies it). Used to refuse, before materialising anything, a
// circuit that would not fit in memory. It is a bound, not an exact count: the materialised
// circuit is smaller (constant folding, structural hashing, zero residues, dead-gate removal).
#include <cstdint>

#include "circuits/gadgets/linear_form.hpp"
#include "sampler/model.hpp"

namespace tc0::sampler::compile {

struct SizeEstimate {
  double gates = 0, edges = 0;
  uint64_t operations = 0;
  // bytes of a materialised Network: per edge a signal and a narrow weight, per gate its record
  double bytes() const { return edges * 12.0 + gates * 48.0; }
};

SizeEstimate estimate_sampler(const Model& m, const SamplerSpec& spec, const circuits::gadgets::LinearFormParams& ps);

// Bytes of memory this process may still use: MemAvailable of /proc/meminfo (0 when unknown).
uint64_t available_memory_bytes();

}  // namespace tc0::sampler::compile
