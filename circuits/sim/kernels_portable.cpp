// The program kernels on plain 64-bit words, for CPUs without AVX-512 (same bits; see kernels_impl.hpp).
#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <utility>

#include "circuits/sim/kernels.hpp"

namespace tc0::circuits::sim {

namespace {

struct Portable {
  using T = uint64_t;
  static constexpr uint32_t kWords = 1;
  static T load(const uint64_t* p) { return *p; }
  static void store(uint64_t* p, T v) { *p = v; }
  static T splat(uint64_t x) { return x; }
  static T ones() { return ~uint64_t(0); }
  static T bxor(T a, T b) { return a ^ b; }
  // vpternlogq's semantics: the minterms of the immediate (the compiler folds the constant ones).
  template <int kImm>
  static T tern(T a, T b, T c) {
    T r = 0;
    for (int m = 0; m < 8; ++m)
      if ((kImm >> m) & 1) r |= ((m & 4) ? a : ~a) & ((m & 2) ? b : ~b) & ((m & 1) ? c : ~c);
    return r;
  }

  static void lanes_accumulate(const uint32_t* lits, const int64_t* weight, uint32_t n, const uint64_t* regs,
                               uint32_t stride, int64_t* acc) {
    std::fill(acc, acc + size_t(stride) * 64, 0);
    for (uint32_t e = 0; e < n; ++e) {
      const uint32_t lit = lits[e];
      const uint64_t* x = regs + size_t(lit >> 1) * stride;
      const uint64_t cm = 0 - uint64_t(lit & 1);
      const int64_t w = weight[e];
      for (uint32_t b = 0; b < stride; ++b) {
        const uint64_t word = x[b] ^ cm;
        int64_t* a = acc + size_t(b) * 64;
        for (int j = 0; j < 64; ++j) a[j] += w & -int64_t((word >> j) & 1);
      }
    }
  }

  static void lanes_compare(const int64_t* acc, int64_t theta, uint32_t stride, uint64_t* out) {
    for (uint32_t b = 0; b < stride; ++b) {
      const int64_t* a = acc + size_t(b) * 64;
      uint64_t word = 0;
      for (int j = 0; j < 64; ++j) word |= uint64_t(a[j] >= theta) << j;
      out[b] = word;
    }
  }
};

#include "circuits/sim/kernels_impl.hpp"

}  // namespace

void run_program_portable(const Program& p, uint64_t* regs, uint32_t stride, KernelScratch& scratch) {
  Kernels<Portable>::run(p, regs, stride, scratch);
}

void pack_port_portable(const int64_t* values, size_t count, const uint32_t* reg_of_bit, size_t bits, uint64_t* regs,
                        uint32_t stride) {
  for (size_t k = 0; k < bits; ++k) {
    if (!reg_of_bit[k]) continue;
    uint64_t* r = regs + size_t(reg_of_bit[k]) * stride;
    for (size_t w = 0; w * 64 < count; ++w) {
      const size_t n = std::min<size_t>(64, count - w * 64);
      uint64_t word = 0;
      for (size_t j = 0; j < n; ++j) word |= ((uint64_t(values[w * 64 + j]) >> k) & 1) << j;
      r[w] = word;
    }
  }
}

void unpack_bus_portable(const uint64_t* regs, uint32_t stride, const uint32_t* lits, size_t bits, bool is_signed,
                         size_t count, int64_t* values) {
  std::fill(values, values + count, 0);
  for (size_t k = 0; k < bits; ++k) {
    const uint64_t* r = regs + size_t(lits[k] >> 1) * stride;
    const uint64_t flip = 0 - uint64_t(lits[k] & 1);
    for (size_t i = 0; i < count; ++i) values[i] |= int64_t((((r[i / 64] ^ flip) >> (i % 64)) & 1) << k);
  }
  const int shift = int(64 - bits);
  if (is_signed && shift > 0 && shift < 64)
    for (size_t i = 0; i < count; ++i) values[i] = int64_t(uint64_t(values[i]) << shift) >> shift;
}

}  // namespace tc0::circuits::sim
