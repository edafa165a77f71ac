// CUDA backend of the bit-parallel simulator (see cuda_eval.hpp for the scheme).
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "circuits/cuda/cuda_eval.hpp"

namespace tc0::circuits::cuda {

namespace {

void check(cudaError_t e, const char* what) {
  if (e != cudaSuccess) throw std::runtime_error(std::string("CUDA ") + what + ": " + cudaGetErrorString(e));
}

// 32-bit words (32 samples) per warp and launch: each warp evaluates one run of gates on
// kWordsPerWarp consecutive words, so the fan-in list is read once for 32 x kWordsPerWarp samples.
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
  const uint32_t* run_begin;              // per run of gates sharing one list (and width): first gate; one extra entry
  uint32_t first_gate_slot;               // 1 + num_inputs
};

// One run [g, h) of gates reading the same fan-in list: the weighted sum once per sample, then one
// comparison per gate (the thermometer gates of a linear form share their list).
template <typename Acc>
__device__ void eval_run(const DeviceNet& net, uint32_t g, uint32_t h, uint32_t* values, uint32_t w32, uint32_t j0,
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
  for (uint32_t q = g; q < h; ++q) {
    const Acc theta = Acc(net.theta[q]);
    uint32_t* dst = values + size_t(net.first_gate_slot + q) * w32 + j0;
#pragma unroll
    for (int k = 0; k < kWordsPerWarp; ++k) {
      if (uint32_t(k) < nj) {
        const uint32_t word = __ballot_sync(0xffffffffu, acc[k] >= theta);
        if (lane == 0) dst[k] = word;
      }
    }
  }
}

// One level: warps over (run, chunk of kWordsPerWarp words).
__global__ void eval_level(DeviceNet net, uint32_t run_first, uint32_t run_count, uint32_t w32, uint32_t* values) {
  const uint32_t chunks = (w32 + kWordsPerWarp - 1) / kWordsPerWarp;
  const unsigned long long warp = (unsigned long long)(blockIdx.x) * (kThreadsPerBlock / 32) + threadIdx.x / 32;
  if (warp >= (unsigned long long)run_count * chunks) return;  // uniform per warp
  const uint32_t lane = threadIdx.x & 31u;
  const uint32_t r = run_first + uint32_t(warp / chunks);
  const uint32_t g = net.run_begin[r], h = net.run_begin[r + 1];
  const uint32_t j0 = uint32_t(warp % chunks) * kWordsPerWarp;
  const uint32_t nj = min(uint32_t(kWordsPerWarp), w32 - j0);
  if (net.wide[g])
    eval_run<__int128>(net, g, h, values, w32, j0, nj, lane);
  else
    eval_run<long long>(net, g, h, values, w32, j0, nj, lane);
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

std::string version(int v) { return std::to_string(v / 1000) + "." + std::to_string(v % 1000 / 10); }

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

std::string cuda_device_name() { return cuda_device_info().name; }

CudaDeviceInfo cuda_device_info() {
  CudaDeviceInfo info;
  if (!cuda_available(&info.why)) return info;
  cudaDeviceProp prop{};
  if (const cudaError_t e = cudaGetDeviceProperties(&prop, 0); e != cudaSuccess) {
    info.why = std::string("cudaGetDeviceProperties: ") + cudaGetErrorString(e);
    return info;
  }
  info.usable = true;
  info.name = prop.name;
  info.memory_gib = double(prop.totalGlobalMem) / double(1ull << 30);
  info.multiprocessors = prop.multiProcessorCount;
  info.cc_major = prop.major;
  info.cc_minor = prop.minor;
  cudaDriverGetVersion(&info.driver_version);
  cudaRuntimeGetVersion(&info.runtime_version);
  return info;
}

std::string CudaDeviceInfo::describe() const {
  if (!usable) return why;
  char mem[32];
  std::snprintf(mem, sizeof mem, "%.1f", memory_gib);
  return name + ", " + mem + " GiB, " + std::to_string(multiprocessors) + " SMs, sm_" + std::to_string(cc_major) +
         std::to_string(cc_minor) + ", CUDA driver " + version(driver_version) + ", runtime " + version(runtime_version);
}

struct CudaEvaluator::Impl {
  uint32_t num_inputs = 0, num_slots = 0;
  std::vector<uint32_t> level_run_begin;  // per level: first run; one extra entry
  DeviceNet net{};
  std::vector<void*> owned;
  uint32_t* values = nullptr;
  size_t values_words32 = 0;
  uint32_t* gathered = nullptr;
  size_t gathered_words32 = 0;
  uint32_t* slot_list = nullptr;
  size_t slot_list_size = 0;
  uint32_t block_cap = 0;
  std::string name;
  // Events: [0] before the upload, [1] after it, [2 + l] after level l's kernel, [2 + depth] after
  // the download.
  std::vector<cudaEvent_t> events;
  sim::DeviceProfile profile;

  ~Impl() {
    for (cudaEvent_t e : events) cudaEventDestroy(e);
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
  const CudaDeviceInfo info = cuda_device_info();
  if (!info.usable) throw std::runtime_error(info.describe());
  auto& m = *impl_;
  m.name = info.describe();
  m.num_inputs = flat.num_inputs;
  m.num_slots = flat.num_slots();
  // Runs of consecutive gates on one level that read one fan-in list with one accumulator width.
  std::vector<uint32_t> run_begin;
  m.level_run_begin.push_back(0);
  for (uint32_t l = 0; l + 1 < flat.level_begin.size(); ++l) {
    for (uint32_t g = flat.level_begin[l]; g < flat.level_begin[l + 1];) {
      const bool wide = flat.kernel[g] == sim::GateKernel::lanes128;
      uint32_t h = g + 1;
      while (h < flat.level_begin[l + 1] && flat.shares_list(g, h) && (flat.kernel[h] == sim::GateKernel::lanes128) == wide) ++h;
      run_begin.push_back(g);
      g = h;
    }
    m.level_run_begin.push_back(uint32_t(run_begin.size()));
  }
  run_begin.push_back(flat.num_gates);
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
  m.net.run_begin = upload(run_begin, m.owned);
  m.net.first_gate_slot = 1 + flat.num_inputs;
  m.events.resize(flat.depth() + 3);
  for (cudaEvent_t& e : m.events) check(cudaEventCreate(&e), "cudaEventCreate");
  m.profile.level_s.assign(flat.depth(), 0.0);
  // Block size from the memory left next to the network: the value array takes num_slots x 8
  // bytes per 64-sample word; keep a tenth of the free memory and 256 MiB for the runtime, the
  // gather buffer and the slot list.
  size_t free_bytes = 0, total = 0;
  check(cudaMemGetInfo(&free_bytes, &total), "cudaMemGetInfo");
  const size_t reserve = free_bytes / 10 + (size_t(256) << 20);
  const size_t per_word = size_t(m.num_slots) * 8;
  const size_t cap = free_bytes > reserve ? (free_bytes - reserve) / per_word : 0;
  if (cap == 0)
    throw std::runtime_error("the circuit does not fit in the GPU's memory (" + std::to_string(m.num_slots) +
                             " value slots, " + std::to_string(free_bytes >> 20) + " MiB free)");
  m.block_cap = uint32_t(std::min<size_t>(cap, size_t(1) << 20));
}

CudaEvaluator::~CudaEvaluator() = default;

uint32_t CudaEvaluator::max_block_words() const { return impl_->block_cap; }
std::string CudaEvaluator::name() const { return impl_->name; }
sim::DeviceProfile CudaEvaluator::profile() const { return impl_->profile; }

void CudaEvaluator::eval(const uint64_t* inputs, uint32_t words, std::span<const uint32_t> wanted, uint64_t* out) {
  auto& m = *impl_;
  if (words == 0 || words > m.block_cap)
    throw std::runtime_error("CUDA evaluator: block of " + std::to_string(words) + " words outside 1.." +
                             std::to_string(m.block_cap));
  const uint32_t w32 = 2 * words;  // a 64-bit word is two 32-bit words in little-endian order
  const uint32_t depth = uint32_t(m.level_run_begin.size()) - 1;
  m.ensure(m.values, m.values_words32, size_t(m.num_slots) * w32, "cudaMalloc (values)");
  m.ensure(m.slot_list, m.slot_list_size, std::max<size_t>(1, wanted.size()), "cudaMalloc (slot list)");
  m.ensure(m.gathered, m.gathered_words32, std::max<size_t>(1, wanted.size() * w32), "cudaMalloc (gather buffer)");
  check(cudaEventRecord(m.events[0]), "cudaEventRecord");
  check(cudaMemcpy(m.values, inputs, size_t(1 + m.num_inputs) * words * 8, cudaMemcpyHostToDevice), "copy inputs");
  if (!wanted.empty())
    check(cudaMemcpy(m.slot_list, wanted.data(), wanted.size() * 4, cudaMemcpyHostToDevice), "upload slot list");
  check(cudaEventRecord(m.events[1]), "cudaEventRecord");
  for (uint32_t l = 0; l < depth; ++l) {
    const uint32_t rb = m.level_run_begin[l], rc = m.level_run_begin[l + 1] - rb;
    if (rc > 0) {
      const unsigned long long warps = (unsigned long long)rc * ((w32 + kWordsPerWarp - 1) / kWordsPerWarp);
      const unsigned long long blocks = (warps * 32 + kThreadsPerBlock - 1) / kThreadsPerBlock;
      eval_level<<<unsigned(blocks), kThreadsPerBlock>>>(m.net, rb, rc, w32, m.values);
      check(cudaGetLastError(), "launch eval_level");
    }
    check(cudaEventRecord(m.events[2 + l]), "cudaEventRecord");
  }
  if (!wanted.empty()) {
    const unsigned long long n = (unsigned long long)wanted.size() * w32;
    gather_slots<<<unsigned((n + 255) / 256), 256>>>(m.values, m.slot_list, uint32_t(wanted.size()), w32, m.gathered);
    check(cudaGetLastError(), "launch gather_slots");
    check(cudaMemcpy(out, m.gathered, n * 4, cudaMemcpyDeviceToHost), "copy results");
  }
  check(cudaEventRecord(m.events[2 + depth]), "cudaEventRecord");
  check(cudaEventSynchronize(m.events[2 + depth]), "evaluate");
  auto elapsed = [&](size_t a, size_t b) {
    float ms = 0;
    check(cudaEventElapsedTime(&ms, m.events[a], m.events[b]), "cudaEventElapsedTime");
    return double(ms) / 1e3;
  };
  m.profile.upload_s += elapsed(0, 1);
  for (uint32_t l = 0; l < depth; ++l) {
    const double s = elapsed(1 + l, 2 + l);
    m.profile.level_s[l] += s;
    m.profile.kernels_s += s;
  }
  m.profile.download_s += elapsed(1 + depth, 2 + depth);
}

}  // namespace tc0::circuits::cuda
