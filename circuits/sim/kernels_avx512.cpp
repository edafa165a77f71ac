// The program kernels on 512-bit words (this file is compiled with -mavx512f; run_program calls it
// only on CPUs that have AVX-512).
#include <immintrin.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <utility>

#include "circuits/sim/kernels.hpp"

namespace tc0::circuits::sim {

namespace {

struct Avx512 {
  using T = __m512i;
  static constexpr uint32_t kWords = 8;
  static T load(const uint64_t* p) { return _mm512_loadu_si512(p); }
  static void store(uint64_t* p, T v) { _mm512_storeu_si512(p, v); }
  static T splat(uint64_t x) { return _mm512_set1_epi64(int64_t(x)); }
  static T ones() { return _mm512_set1_epi64(-1); }
  static T bxor(T a, T b) { return _mm512_xor_si512(a, b); }
  template <int kImm>
  static T tern(T a, T b, T c) {
    return _mm512_ternarylogic_epi64(a, b, c, kImm);
  }

  // The 64 samples of a word live in eight zmm accumulators, and each edge is eight masked adds whose
  // masks are the sample bits themselves (no bit-to-lane expansion).
  static void lanes_accumulate(const uint32_t* lits, const int64_t* weight, uint32_t n, const uint64_t* regs,
                               uint32_t stride, int64_t* acc) {
    for (uint32_t b = 0; b < stride; ++b) {
      __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
      for (uint32_t e = 0; e < n; ++e) {
        const uint32_t lit = lits[e];
        const uint64_t word = regs[size_t(lit >> 1) * stride + b] ^ (0 - uint64_t(lit & 1));
        const __m512i w = _mm512_set1_epi64(weight[e]);
        a0 = _mm512_mask_add_epi64(a0, __mmask8(word), a0, w);
        a1 = _mm512_mask_add_epi64(a1, __mmask8(word >> 8), a1, w);
        a2 = _mm512_mask_add_epi64(a2, __mmask8(word >> 16), a2, w);
        a3 = _mm512_mask_add_epi64(a3, __mmask8(word >> 24), a3, w);
        a4 = _mm512_mask_add_epi64(a4, __mmask8(word >> 32), a4, w);
        a5 = _mm512_mask_add_epi64(a5, __mmask8(word >> 40), a5, w);
        a6 = _mm512_mask_add_epi64(a6, __mmask8(word >> 48), a6, w);
        a7 = _mm512_mask_add_epi64(a7, __mmask8(word >> 56), a7, w);
      }
      int64_t* a = acc + size_t(b) * 64;
      _mm512_storeu_si512(a, a0);
      _mm512_storeu_si512(a + 8, a1);
      _mm512_storeu_si512(a + 16, a2);
      _mm512_storeu_si512(a + 24, a3);
      _mm512_storeu_si512(a + 32, a4);
      _mm512_storeu_si512(a + 40, a5);
      _mm512_storeu_si512(a + 48, a6);
      _mm512_storeu_si512(a + 56, a7);
    }
  }

  static void lanes_compare(const int64_t* acc, int64_t theta, uint32_t stride, uint64_t* out) {
    const __m512i t = _mm512_set1_epi64(theta);
    for (uint32_t b = 0; b < stride; ++b) {
      const int64_t* a = acc + size_t(b) * 64;
      uint64_t word = 0;
      for (int j = 0; j < 8; ++j)
        word |= uint64_t(_mm512_cmpge_epi64_mask(_mm512_loadu_si512(a + 8 * j), t)) << (8 * j);
      out[b] = word;
    }
  }
};

#include "circuits/sim/kernels_impl.hpp"

}  // namespace

void run_program_avx512(const Program& p, uint64_t* regs, uint32_t stride, KernelScratch& scratch) {
  Kernels<Avx512>::run(p, regs, stride, scratch);
}

// Eight samples at a time: one load, then one vptestmq per bit gives that bit of the eight samples as
// one byte of the register (byte j of a little-endian word holds samples 8j..8j+7).
void pack_port_avx512(const int64_t* values, size_t count, const uint32_t* reg_of_bit, size_t bits, uint64_t* regs,
                      uint32_t stride) {
  for (size_t i = 0; i < count; i += 8) {
    const __mmask8 live = count - i >= 8 ? __mmask8(0xff) : __mmask8((1u << (count - i)) - 1);
    const __m512i v = _mm512_maskz_loadu_epi64(live, values + i);
    for (size_t k = 0; k < bits; ++k) {
      if (!reg_of_bit[k]) continue;
      auto* bytes = reinterpret_cast<uint8_t*>(regs + size_t(reg_of_bit[k]) * stride);
      bytes[i / 8] = uint8_t(_mm512_test_epi64_mask(v, _mm512_set1_epi64(int64_t(uint64_t(1) << k))));
    }
  }
}

void unpack_bus_avx512(const uint64_t* regs, uint32_t stride, const uint32_t* lits, size_t bits, bool is_signed,
                       size_t count, int64_t* values) {
  const int shift = int(64 - bits);
  for (size_t i = 0; i < count; i += 8) {
    __m512i v = _mm512_setzero_si512();
    for (size_t k = 0; k < bits; ++k) {
      const auto* bytes = reinterpret_cast<const uint8_t*>(regs + size_t(lits[k] >> 1) * stride);
      const __mmask8 m = __mmask8(bytes[i / 8] ^ (lits[k] & 1 ? 0xff : 0));
      v = _mm512_mask_or_epi64(v, m, v, _mm512_set1_epi64(int64_t(uint64_t(1) << k)));
    }
    if (is_signed && shift > 0 && shift < 64) v = _mm512_srai_epi64(_mm512_slli_epi64(v, unsigned(shift)), unsigned(shift));
    const __mmask8 live = count - i >= 8 ? __mmask8(0xff) : __mmask8((1u << (count - i)) - 1);
    _mm512_mask_storeu_epi64(values + i, live, v);
  }
}

}  // namespace tc0::circuits::sim
