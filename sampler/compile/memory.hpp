#pragma once
// How much memory a compile may use: the up-front refusal of `tc0flow compile` and the demo compares
// counting mode's size (count.hpp) with this.
#include <cstdint>

namespace tc0::sampler::compile {

// Bytes of memory this process may still use: MemAvailable of /proc/meminfo (0 when unknown).
uint64_t available_memory_bytes();

}  // namespace tc0::sampler::compile
