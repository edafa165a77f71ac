// libFuzzer harness of the model loader (config JSON + safetensors): every parser
// is fuzzed. Input layout: a 4-byte little-endian length L, then L bytes of config.json, then the
// safetensors file. A ModelError is the expected outcome for bad input; any other exception, a
// crash or a sanitizer report is a bug.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "sampler/model.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) return 0;
  uint32_t len = uint32_t(data[0]) | uint32_t(data[1]) << 8 | uint32_t(data[2]) << 16 | uint32_t(data[3]) << 24;
  size_t n = len < size - 4 ? len : size - 4;
  std::string config(reinterpret_cast<const char*>(data + 4), n);
  std::span<const uint8_t> st(data + 4 + n, size - 4 - n);
  try {
    tc0::sampler::Model::from_memory(config, st, "fuzz");
  } catch (const tc0::sampler::ModelError&) {
  }
  // the two parsers alone as well, so that a config error does not hide the safetensors parser
  try {
    tc0::sampler::parse_safetensors(st, "fuzz");
  } catch (const tc0::sampler::ModelError&) {
  }
  return 0;
}
