#pragma once
// How much memory a compile may use: the up-front refusal of `tc0flow compile` and the demo compares
// the counted size (count_arith.hpp) with this.
#include <cstdint>

#include "sampler/compile/count_arith.hpp"

namespace tc0::sampler::compile {

// Bytes of memory this process may still use: MemAvailable of /proc/meminfo (0 when unknown).
uint64_t available_memory_bytes();

// Peak bytes a materialised compile of a counted circuit needs: 12 per stored fan-in entry (signal
// + narrow weight; fan-in lists shared by thermometer gates are stored once), twice that while a
// vector grows, and about 128 per gate (record, node tables, structural hash, growth).
double compile_bytes_needed(const SamplerCount& c);

}  // namespace tc0::sampler::compile
