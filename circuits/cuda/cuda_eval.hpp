#pragma once
// CUDA backend of the bit-parallel simulator. Same value layout as sim::eval_block: a slot-major
// array of 64-sample words (slot s occupies words [s * words, (s + 1) * words)), slot 0 and the input
// slots filled on entry. The GPU evaluates the levelised gates of a FlatNetwork level by level, one
// warp per (gate, run of words), one lane per sample: each lane accumulates its sample's weighted
// sum exactly (int64, or int128 for gates whose sums need it) and the warp's ballot is the gate's
// output word. The results are the same bits as the CPU evaluator's, for every weight the builder
// emits.
//
// Built only when nvcc is present (TC0_HAVE_CUDA); otherwise cuda_available() says why not and the
// evaluator refuses to construct, so callers fall back to the CPU.
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "circuits/sim/flat.hpp"

namespace tc0::circuits::cuda {

// True when this binary has the CUDA backend and a device is present; otherwise false with the
// reason in *why (no device, driver too old, built without nvcc, ...).
bool cuda_available(std::string* why = nullptr);
// Name of device 0 ("NVIDIA H100 80GB HBM3"), or "" when unavailable.
std::string cuda_device_name();

class CudaEvaluator {
 public:
  // Uploads the network; throws std::runtime_error when no device is usable.
  explicit CudaEvaluator(const sim::FlatNetwork& flat);
  ~CudaEvaluator();
  CudaEvaluator(const CudaEvaluator&) = delete;
  CudaEvaluator& operator=(const CudaEvaluator&) = delete;

  // Evaluates one block of `words` 64-sample words per slot (the layout above). Only the slots in
  // `wanted` are copied back into values (plus the inputs, unchanged); pass every gate slot to get
  // all of them. Blocks larger than the device can hold are refused with a clear error: the caller
  // streams the batch in blocks (see max_block_words()).
  void eval(uint64_t* values, uint32_t words, std::span<const uint32_t> wanted);
  // The largest block that fits in device memory next to the network.
  uint32_t max_block_words() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tc0::circuits::cuda
