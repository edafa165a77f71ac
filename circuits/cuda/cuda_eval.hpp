#pragma once
// CUDA backend of the bit-parallel simulator (a sim::DeviceBackend, see circuits/sim/device.hpp).
// The GPU holds the levelised gates of a FlatNetwork and a slot-major value array of the block,
// and evaluates them level by level, one warp per (gate, run of 32-bit words), one lane per sample:
// each lane accumulates its sample's weighted sum exactly (int64, or int128 for gates whose sums
// need it) and the warp's ballot is the gate's output word. The results are the same bits as the
// CPU evaluator's, for every weight the builder emits. CUDA events around the transfers and each
// level's launch give the profile (DeviceProfile).
//
// Built only when nvcc is present (TC0_HAVE_CUDA); otherwise cuda_available() says why not and the
// evaluator refuses to construct, so callers fall back to the CPU.
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "circuits/sim/device.hpp"
#include "circuits/sim/flat.hpp"

namespace tc0::circuits::cuda {

// True when this binary has the CUDA backend and a device is present; otherwise false with the
// reason in *why (no device, driver too old, built without nvcc, ...).
bool cuda_available(std::string* why = nullptr);
// Name of device 0 ("NVIDIA H200"), or "" when unavailable.
std::string cuda_device_name();

struct CudaDeviceInfo {
  bool usable = false;
  std::string why;                 // when not usable
  std::string name;                // "NVIDIA H200"
  double memory_gib = 0;
  int multiprocessors = 0, cc_major = 0, cc_minor = 0;
  int driver_version = 0, runtime_version = 0;  // CUDA versions as 1000 * major + 10 * minor
  // "NVIDIA H200, 139.8 GiB, 132 SMs, sm_90, CUDA driver 13.0, runtime 13.0", or the reason.
  std::string describe() const;
};
CudaDeviceInfo cuda_device_info();

class CudaEvaluator final : public sim::DeviceBackend {
 public:
  // Uploads the network; throws std::runtime_error when no device is usable or the network does
  // not fit next to a block of one word.
  explicit CudaEvaluator(const sim::FlatNetwork& flat);
  ~CudaEvaluator() override;
  CudaEvaluator(const CudaEvaluator&) = delete;
  CudaEvaluator& operator=(const CudaEvaluator&) = delete;

  void eval(const uint64_t* inputs, uint32_t words, std::span<const uint32_t> wanted, uint64_t* out) override;
  uint32_t max_block_words() const override;
  std::string name() const override;
  std::string kind() const override { return "cuda"; }
  sim::DeviceProfile profile() const override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tc0::circuits::cuda
