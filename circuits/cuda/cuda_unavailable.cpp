// The CUDA backend when this build has no nvcc: every entry point reports why, so callers fall
// back to the CPU with one line of explanation.
#include <stdexcept>

#include "circuits/cuda/cuda_eval.hpp"

namespace tc0::circuits::cuda {

namespace {
constexpr const char* kWhy = "this tc0flow was built without CUDA (nvcc was not found at configure time)";
}

bool cuda_available(std::string* why) {
  if (why) *why = kWhy;
  return false;
}
std::string cuda_device_name() { return ""; }
CudaDeviceInfo cuda_device_info() {
  CudaDeviceInfo info;
  info.why = kWhy;
  return info;
}
std::string CudaDeviceInfo::describe() const { return why; }

struct CudaEvaluator::Impl {};
CudaEvaluator::CudaEvaluator(const sim::FlatNetwork&) { throw std::runtime_error(kWhy); }
CudaEvaluator::~CudaEvaluator() = default;
void CudaEvaluator::eval(const uint64_t*, uint32_t, std::span<const uint32_t>, uint64_t*) { throw std::runtime_error(kWhy); }
uint32_t CudaEvaluator::max_block_words() const { return 0; }
std::string CudaEvaluator::name() const { return ""; }
sim::DeviceProfile CudaEvaluator::profile() const { return {}; }

}  // namespace tc0::circuits::cuda
