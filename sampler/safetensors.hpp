#pragma once
// Reader of the safetensors format (what PyTorch users export): an 8-byte little-endian header
// length n, n bytes of JSON header {name: {"dtype", "shape", "data_offsets": [begin, end]}, optional
// "__metadata__": {string: string}}, then the raw little-endian tensor bytes. Everything is
// validated: header bounds and JSON, dtype (F32 or F64), shapes, offsets inside the data and not
// overlapping, byte counts matching the shapes, finite values. A bad file raises ModelError.
#include <cstdint>
#include <map>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace tc0::sampler {

// Every problem with a model file: the message says which file, what is wrong and how to fix it.
struct ModelError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct TensorData {
  std::string dtype;            // "F32" or "F64" as stored
  std::vector<int64_t> shape;
  std::vector<double> values;   // converted exactly to double
};

// Parses a whole safetensors file held in memory; `where` names it in error messages.
std::map<std::string, TensorData> parse_safetensors(std::span<const uint8_t> bytes, const std::string& where);
std::map<std::string, TensorData> read_safetensors(const std::string& path);
// Writes tensors as F64 (used by tests and tools that produce models).
void write_safetensors(const std::string& path, const std::map<std::string, TensorData>& tensors);
// A regular file of at most max_bytes, read whole (fileio/input_file.hpp); errors as ModelError.
std::vector<uint8_t> read_file_bytes(const std::string& path, const std::string& what, uint64_t max_bytes);
// Limits of the model files (far above any model of the config's ranges).
inline constexpr uint64_t kMaxConfigFileBytes = uint64_t(64) << 20;
inline constexpr uint64_t kMaxWeightsFileBytes = uint64_t(16) << 30;

}  // namespace tc0::sampler
