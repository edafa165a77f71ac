#include "sampler/compile/memory.hpp"

#include <fstream>
#include <string>

namespace tc0::sampler::compile {

uint64_t available_memory_bytes() {
  std::ifstream f("/proc/meminfo");
  std::string key, unit;
  uint64_t kb = 0;
  while (f >> key >> kb >> unit)
    if (key == "MemAvailable:") return kb * 1024;
  return 0;
}

double compile_bytes_needed(const SamplerCount& c) {
  return double(c.totals.stored_edges) * 24.0 + double(c.totals.gates) * 128.0;
}

}  // namespace tc0::sampler::compile
