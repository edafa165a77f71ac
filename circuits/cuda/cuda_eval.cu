// CUDA backend of the bit-parallel simulator (see cuda_eval.hpp for the scheme).
#include <cuda_runtime.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "circuits/cuda/cuda_eval.hpp"

namespace tc0::circuits::cuda {

namespace {

void check(cudaError_t e, const char* what) {
  if (e != cudaSuccess) throw std::runtime_error(std::string("CUDA ") + what + ": " + cudaGetErrorString(e));
}

// 32-bit words (32 samples) per warp and launch: each warp evaluates one gate on kWordsPerWarp
// consecutive words, so the fan-in list is read once for 32 x kWordsPerWarp samples.
constexpr int kWordsPerWarp = 8;
constexpr int kThreadsPerBlock = 256;

struct DeviceNet {
  const unsigned long long* fanin_begin;  // per gate (gates may share a list)
  const uint32_t* fanin_count;            // per gate
  const uint32_t* fanin;                  // slot << 1 | complement
  const long long* weight64;              // per edge
  const __int128* weight128;              // lists of wide gates only, or null when no gate needs it
  const unsigned long long* weight128_begin;  // per gate: offset of its list in weight128
  const __int128* theta;                  // per gate
  const uint8_t* wide;                    // per gate: 1 when the gate needs 128-bit sums
  uint32_t first_gate_slot;               // 1 + num_inputs
};

template <typename Acc>
__device__ void eval_gate(const DeviceNet& net, uint32_t g, uint32_t* values, uint32_t w32, uint32_t j0,
                          uint32_t nj, uint32_t lane) {
  Acc acc[kWordsPerWarp];
#pragma unroll
  for (int k = 0; k < kWordsPerWarp; ++k) acc[k] = 0;
  const unsigned long long e0 = net.fanin_begin[g], e1 = e0 + net.fanin_count[g];
  for (unsigned long long base = e0; base < e1; base += 32) {
    // The warp loads 32 edges at once (coalesced), then walks them through shuffles.
    const unsigned long long e = base + lane;
    uint32_t my_lit = 0;
    Acc my_w = 0;
    if (e < e1) {
      my_lit = net.fanin[e];
      if constexpr (sizeof(Acc) == 16) my_w = net.weight128[net.weight128_begin[g] + (e - e0)];
      else my_w = net.weight64[e];
    }
    const uint32_t n = uint32_t(min(32ull, e1 - base));
    for (uint32_t i = 0; i < n; ++i) {
      const uint32_t lit = __shfl_sync(0xffffffffu, my_lit, i);
      Acc w;
      if constexpr (sizeof(Acc) == 16) {
        const long long lo = __shfl_sync(0xffffffffu, (long long)(unsigned long long)my_w, i);
        const long long hi = __shfl_sync(0xffffffffu, (long long)(my_w >> 64), i);
        w = (__int128(hi) << 64) | __int128((unsigned long long)lo);
      } else {
        w = __shfl_sync(0xffffffffu, my_w, i);
      }
      const uint32_t* src = values + size_t(lit >> 1) * w32 + j0;
      const uint32_t flip = (lit & 1u) ? 0xffffffffu : 0u;
#pragma unroll
      for (int k = 0; k < kWordsPerWarp; ++k)
        if (uint32_t(k) < nj) acc[k] += (((src[k] ^ flip) >> lane) & 1u) ? w : Acc(0);
    }
  }
  const Acc theta = Acc(net.theta[g]);
  uint32_t* dst = values + size_t(net.first_gate_slot + g) * w32 + j0;
#pragma unroll
  for (int k = 0; k < kWordsPerWarp; ++k) {
    if (uint32_t(k) < nj) {
      const uint32_t word = __ballot_sync(0xffffffffu, acc[k] >= theta);
      if (lane == 0) dst[k] = word;
    }
  }
}

__global__ void eval_level(DeviceNet net, uint32_t gate_begin, uint32_t gate_count, uint32_t w32, uint32_t* values) {
  const uint32_t chunks = (w32 + kWordsPerWarp - 1) / kWordsPerWarp;
  const unsigned long long warp = (unsigned long long)(blockIdx.x) * (kThreadsPerBlock / 32) + threadIdx.x / 32;
  if (warp >= (unsigned long long)gate_count * chunks) return;  // uniform per warp
  const uint32_t lane = threadIdx.x & 31u;
  const uint32_t g = gate_begin + uint32_t(warp / chunks);
  const uint32_t j0 = uint32_t(warp % chunks) * kWordsPerWarp;
  const uint32_t nj = min(uint32_t(kWordsPerWarp), w32 - j0);
  if (net.wide[g])
    eval_gate<__int128>(net, g, values, w32, j0, nj, lane);
  else
    eval_gate<long long>(net, g, values, w32, j0, nj, lane);
}

// Copies the wanted slots into a compact buffer, so one transfer brings them back.
__global__ void gather_slots(const uint32_t* values, const uint32_t* slots, uint32_t count, uint32_t w32, uint32_t* out) {
  const unsigned long long i = (unsigned long long)blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= (unsigned long long)count * w32) return;
  const uint32_t s = uint32_t(i / w32), j = uint32_t(i % w32);
  out[i] = values[size_t(slots[s]) * w32 + j];
}

template <typename T>
T* upload(const std::vector<T>& v, std::vector<void*>& owned) {
  if (v.empty()) return nullptr;
  void* p = nullptr;
  check(cudaMalloc(&p, v.size() * sizeof(T)), "cudaMalloc (network)");
  owned.push_back(p);
  check(cudaMemcpy(p, v.data(), v.size() * sizeof(T), cudaMemcpyHostToDevice), "upload network");
  return static_cast<T*>(p);
}

}  // namespace

bool cuda_available(std::string* why) {
  int n = 0;
  const cudaError_t e = cudaGetDeviceCount(&n);
  if (e != cudaSuccess || n == 0) {
    if (why) *why = e != cudaSuccess ? std::string("no usable CUDA device: ") + cudaGetErrorString(e)
                                     : std::string("no CUDA device present");
    cudaGetLastError();  // clear the sticky error of a failed probe
    return false;
  }
  return true;
}

std::string cuda_device_name() {
  if (!cuda_available()) return "";
  cudaDeviceProp prop{};
  if (cudaGetDeviceProperties(&prop, 0) != cudaSuccess) return "";
  return prop.name;
}

struct CudaEvaluator::Impl {
  const sim::FlatNetwork* flat = nullptr;
  DeviceNet net{};
  std::vector<void*> owned;
  uint32_t* values = nullptr;
  size_t values_words32 = 0;
  uint32_t* gathered = nullptr;
  size_t gathered_words32 = 0;
  uint32_t* slot_list = nullptr;
  size_t slot_list_size = 0;

  ~Impl() {
    for (void* p : owned) cudaFree(p);
    cudaFree(values);
    cudaFree(gathered);
    cudaFree(slot_list);
  }

  template <typename T>
  void ensure(T*& p, size_t& have, size_t need, const char* what) {
    if (have >= need) return;
    cudaFree(p);
    p = nullptr;
    have = 0;
    check(cudaMalloc(reinterpret_cast<void**>(&p), need * sizeof(T)), what);
    have = need;
  }
};

CudaEvaluator::CudaEvaluator(const sim::FlatNetwork& flat) : impl_(std::make_unique<Impl>()) {
  std::string why;
  if (!cuda_available(&why)) throw std::runtime_error(why);
  auto& m = *impl_;
  m.flat = &flat;
  std::vector<unsigned long long> begin(flat.fanin_begin.begin(), flat.fanin_begin.end());
  std::vector<long long> w64(flat.weight64.begin(), flat.weight64.end());
  std::vector<uint8_t> wide(flat.num_gates);
  for (uint32_t g = 0; g < flat.num_gates; ++g) wide[g] = flat.kernel[g] == sim::GateKernel::lanes128;
  m.net.fanin_begin = upload(begin, m.owned);
  m.net.fanin_count = upload(flat.fanin_count, m.owned);
  m.net.fanin = upload(flat.fanin, m.owned);
  m.net.weight64 = upload(w64, m.owned);
  m.net.weight128 = upload(flat.weight128, m.owned);
  std::vector<unsigned long long> wide_begin(flat.weight128_begin.begin(), flat.weight128_begin.end());
  m.net.weight128_begin = upload(wide_begin, m.owned);
  m.net.theta = upload(flat.theta, m.owned);
  m.net.wide = upload(wide, m.owned);
  m.net.first_gate_slot = 1 + flat.num_inputs;
}

CudaEvaluator::~CudaEvaluator() = default;

uint32_t CudaEvaluator::max_block_words() const {
  size_t free_bytes = 0, total = 0;
  check(cudaMemGetInfo(&free_bytes, &total), "cudaMemGetInfo");
  // Leave a tenth of the free memory (and the gather buffer's share) for the runtime.
  const size_t per_word = size_t(impl_->flat->num_slots()) * 8 * 2;
  return uint32_t(std::min<size_t>(free_bytes / 10 * 9 / per_word, 1u << 30));
}

void CudaEvaluator::eval(uint64_t* values, uint32_t words, std::span<const uint32_t> wanted) {
  auto& m = *impl_;
  const sim::FlatNetwork& f = *m.flat;
  const uint32_t w32 = 2 * words;  // a 64-bit word is two 32-bit words in little-endian order
  const size_t slots = f.num_slots();
  m.ensure(m.values, m.values_words32, slots * w32, "cudaMalloc (values): the block does not fit the device; use fewer words");
  const size_t input_bytes = size_t(1 + f.num_inputs) * words * 8;
  check(cudaMemcpy(m.values, values, input_bytes, cudaMemcpyHostToDevice), "copy inputs");
  for (uint32_t l = 0; l + 1 < f.level_begin.size(); ++l) {
    const uint32_t gb = f.level_begin[l], gc = f.level_begin[l + 1] - gb;
    if (gc == 0) continue;
    const unsigned long long warps = (unsigned long long)gc * ((w32 + kWordsPerWarp - 1) / kWordsPerWarp);
    const unsigned long long blocks = (warps * 32 + kThreadsPerBlock - 1) / kThreadsPerBlock;
    eval_level<<<unsigned(blocks), kThreadsPerBlock>>>(m.net, gb, gc, w32, m.values);
    check(cudaGetLastError(), "launch eval_level");
  }
  if (wanted.empty()) {
    check(cudaDeviceSynchronize(), "evaluate");
    return;
  }
  m.ensure(m.slot_list, m.slot_list_size, wanted.size(), "cudaMalloc (slot list)");
  check(cudaMemcpy(m.slot_list, wanted.data(), wanted.size() * 4, cudaMemcpyHostToDevice), "upload slot list");
  m.ensure(m.gathered, m.gathered_words32, wanted.size() * w32, "cudaMalloc (gather buffer)");
  const unsigned long long n = (unsigned long long)wanted.size() * w32;
  gather_slots<<<unsigned((n + 255) / 256), 256>>>(m.values, m.slot_list, uint32_t(wanted.size()), w32, m.gathered);
  check(cudaGetLastError(), "launch gather_slots");
  std::vector<uint32_t> host(n);
  check(cudaMemcpy(host.data(), m.gathered, n * 4, cudaMemcpyDeviceToHost), "copy results");
  for (size_t s = 0; s < wanted.size(); ++s)
    std::copy_n(reinterpret_cast<const uint64_t*>(host.data() + s * w32), words, values + size_t(wanted[s]) * words);
}

}  // namespace tc0::circuits::cuda
