#include "circuits/sim/bitsim.hpp"

#include <fmt/format.h>
#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <bit>
#include <stdexcept>

namespace tc0::circuits::sim {

namespace {

constexpr uint32_t kMaxBlockWords = 64;

inline uint64_t complement_mask(uint32_t lit) { return uint64_t(0) - uint64_t(lit & 1); }

// Each kernel is split into accumulate (the weighted sum of one fan-in list, once) and compare
// (one per gate reading that list: the thermometer gates of a linear form share their list).

// ---- bit-sliced counter: c[k * B + b] holds bit k of the running sum of 64 samples ----
void accumulate_bitsliced(const FlatNetwork& f, uint32_t g, const uint64_t* values, uint32_t B, uint64_t* c) {
  const int K = f.sum_bits[g];
  std::fill(c, c + size_t(K + 1) * B, 0);
  const uint64_t e0 = f.fanin_begin[g], e1 = e0 + f.fanin_count[g];
  for (uint64_t e = e0; e < e1; ++e) {
    const uint32_t lit = f.fanin[e];
    const uint64_t* x = values + size_t(lit >> 1) * B;
    const uint64_t cm = complement_mask(lit);
    uint64_t w = uint64_t(f.weight64[e]);
    while (w) {
      const int p = std::countr_zero(w);
      w &= w - 1;
      for (uint32_t b = 0; b < B; ++b) {
        uint64_t carry = x[b] ^ cm;
        // The sum never exceeds 2^K - 1, so the carry dies before bit K.
        for (int k = p; carry && k < K; ++k) {
          uint64_t& ck = c[size_t(k) * B + b];
          const uint64_t t = ck & carry;
          ck ^= carry;
          carry = t;
        }
      }
    }
  }
}

void compare_bitsliced(const uint64_t* c, int K, Weight theta, uint32_t B, uint64_t* out) {
  if (theta <= 0) {
    std::fill(out, out + B, ~uint64_t(0));
    return;
  }
  if (K < 127 && theta > (Weight(1) << K) - 1) {
    std::fill(out, out + B, 0);
    return;
  }
  // sum >= theta iff sum - theta does not borrow; theta is a constant, so each bit is one op.
  for (uint32_t b = 0; b < B; ++b) {
    uint64_t borrow = 0;
    for (int k = 0; k < K; ++k) {
      const uint64_t s = c[size_t(k) * B + b];
      borrow = ((theta >> k) & 1) ? (~s | borrow) : (~s & borrow);
    }
    out[b] = ~borrow;
  }
}

// ---- one int64 accumulator per sample: acc[b * 64 + j] is sample j of word b ----
// Portable version: the compiler vectorises the lane loop (AVX2 / AVX-512 clones picked at run time).
__attribute__((target_clones("avx2", "default"))) void accumulate_lanes64_generic(
    const uint32_t* fanin, const int64_t* weight, uint64_t n, const uint64_t* values, uint32_t B, int64_t* acc) {
  std::fill(acc, acc + size_t(B) * 64, 0);
  for (uint64_t e = 0; e < n; ++e) {
    const uint32_t lit = fanin[e];
    const uint64_t* x = values + size_t(lit >> 1) * B;
    const uint64_t cm = complement_mask(lit);
    const int64_t w = weight[e];
    for (uint32_t b = 0; b < B; ++b) {
      const uint64_t word = x[b] ^ cm;
      int64_t* a = acc + size_t(b) * 64;
      for (int j = 0; j < 64; ++j) a[j] += w & -int64_t((word >> j) & 1);
    }
  }
}

// AVX-512: the 64 lanes of one word live in eight zmm registers and each edge is eight masked adds,
// the mask being the sample bits themselves (no bit-to-lane expansion at all).
__attribute__((target("avx512f"))) void accumulate_lanes64_avx512(const uint32_t* fanin, const int64_t* weight,
                                                                  uint64_t n, const uint64_t* values, uint32_t B,
                                                                  int64_t* acc) {
  for (uint32_t b = 0; b < B; ++b) {
    __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    for (uint64_t e = 0; e < n; ++e) {
      const uint32_t lit = fanin[e];
      const uint64_t word = values[size_t(lit >> 1) * B + b] ^ complement_mask(lit);
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

__attribute__((target_clones("avx2", "default"))) void compare_lanes64(const int64_t* acc, int64_t theta, uint32_t B,
                                                                       uint64_t* out) {
  for (uint32_t b = 0; b < B; ++b) {
    const int64_t* a = acc + size_t(b) * 64;
    uint64_t word = 0;
    for (int j = 0; j < 64; ++j) word |= uint64_t(a[j] >= theta) << j;
    out[b] = word;
  }
}

void accumulate_lanes128(const FlatNetwork& f, uint32_t g, const uint64_t* values, uint32_t B, Weight* acc) {
  std::fill(acc, acc + size_t(B) * 64, Weight(0));
  const uint64_t e0 = f.fanin_begin[g], e1 = e0 + f.fanin_count[g];
  const uint64_t w0 = f.weight128_begin[g];
  for (uint64_t e = e0; e < e1; ++e) {
    const uint32_t lit = f.fanin[e];
    const uint64_t* x = values + size_t(lit >> 1) * B;
    const uint64_t cm = complement_mask(lit);
    const Weight w = f.weight128[w0 + (e - e0)];
    for (uint32_t b = 0; b < B; ++b) {
      const uint64_t word = x[b] ^ cm;
      Weight* a = acc + size_t(b) * 64;
      for (int j = 0; j < 64; ++j)
        if ((word >> j) & 1) a[j] += w;
    }
  }
}

void compare_lanes128(const Weight* acc, Weight theta, uint32_t B, uint64_t* out) {
  for (uint32_t b = 0; b < B; ++b) {
    const Weight* a = acc + size_t(b) * 64;
    uint64_t word = 0;
    for (int j = 0; j < 64; ++j) word |= uint64_t(a[j] >= theta) << j;
    out[b] = word;
  }
}

struct Scratch {
  std::vector<uint64_t> counter;
  std::vector<int64_t> acc64;
  std::vector<Weight> acc128;
};

void eval_block_with(const FlatNetwork& f, uint64_t* values, uint32_t B, Scratch& s, bool avx512) {
  if (s.acc64.size() < size_t(B) * 64) {
    s.counter.assign(size_t(128) * B, 0);
    s.acc64.assign(size_t(B) * 64, 0);
    s.acc128.assign(size_t(B) * 64, 0);
  }
  for (uint32_t g = 0; g < f.num_gates;) {
    // [g, h): consecutive gates reading one fan-in list with one kernel: one sum, h - g compares.
    uint32_t h = g + 1;
    while (h < f.num_gates && f.kernel[h] == f.kernel[g] && f.shares_list(g, h)) ++h;
    auto out = [&](uint32_t q) { return values + size_t(f.gate_slot(q)) * B; };
    switch (f.kernel[g]) {
      case GateKernel::bitsliced:
        accumulate_bitsliced(f, g, values, B, s.counter.data());
        for (uint32_t q = g; q < h; ++q) compare_bitsliced(s.counter.data(), f.sum_bits[g], f.theta[q], B, out(q));
        break;
      case GateKernel::lanes64: {
        const uint32_t* fanin = f.fanin.data() + f.fanin_begin[g];
        const int64_t* weight = f.weight64.data() + f.fanin_begin[g];
        if (avx512) accumulate_lanes64_avx512(fanin, weight, f.fanin_count[g], values, B, s.acc64.data());
        else accumulate_lanes64_generic(fanin, weight, f.fanin_count[g], values, B, s.acc64.data());
        for (uint32_t q = g; q < h; ++q) compare_lanes64(s.acc64.data(), int64_t(f.theta[q]), B, out(q));
        break;
      }
      case GateKernel::lanes128:
        accumulate_lanes128(f, g, values, B, s.acc128.data());
        for (uint32_t q = g; q < h; ++q) compare_lanes128(s.acc128.data(), f.theta[q], B, out(q));
        break;
    }
    g = h;
  }
}

}  // namespace

bool cpu_has_avx512() {
  static const bool yes = __builtin_cpu_supports("avx512f");
  return yes;
}

void eval_block(const FlatNetwork& flat, uint64_t* values, uint32_t block_words, bool avx512) {
  if (block_words == 0 || block_words > kMaxBlockWords)
    throw std::invalid_argument(fmt::format("eval_block: block_words {} outside 1..{}", block_words, kMaxBlockWords));
  Scratch s;
  eval_block_with(flat, values, block_words, s, avx512 && cpu_has_avx512());
}

std::vector<Bus> input_ports(const Network& ntk) {
  std::vector<Bus> ports = ntk.input_buses();
  std::vector<bool> in_bus(ntk.num_nodes(), false);
  for (const Bus& b : ports)
    for (Signal s : b.bits) in_bus[s.index()] = true;
  for (uint32_t i = 0; i < ntk.num_inputs(); ++i) {
    const uint32_t node = ntk.inputs()[i];
    if (in_bus[node]) continue;
    ports.push_back(Bus{ntk.input_name(i), numerics::Format(2, 0), false, {Signal::make(node, false)}});
  }
  return ports;
}

int64_t wrap_to_bus(int64_t v, size_t width, bool is_signed) {
  if (width >= 64 || width == 0) return width == 0 ? 0 : v;
  const uint64_t mask = (uint64_t(1) << width) - 1;
  uint64_t u = uint64_t(v) & mask;
  if (is_signed && ((u >> (width - 1)) & 1)) u |= ~mask;
  return int64_t(u);
}

BitSimulator::BitSimulator(const Network& ntk, SimOptions options)
    : flat_(flatten(ntk, options.bitslice_pops >= 0 ? options.bitslice_pops : options.avx512 && cpu_has_avx512() ? 0 : 4)),
      inputs_(input_ports(ntk)), outputs_(ntk.output_buses()), options_(options) {
  if (options_.block_words == 0 || options_.block_words > kMaxBlockWords)
    throw std::invalid_argument(
        fmt::format("simulator block size {} words is outside 1..{}", options_.block_words, kMaxBlockWords));
  if (options_.threads < 0) throw std::invalid_argument("simulator thread count must be >= 0");
  for (const Bus& p : inputs_) {
    if (p.bits.size() > 64)
      throw std::invalid_argument(fmt::format("input bus '{}' has {} bits; the simulator takes at most 64", p.name, p.bits.size()));
    auto& slots = input_slots_.emplace_back();
    for (Signal s : p.bits) {
      if (!ntk.is_input(s.index()) || s.complemented())
        throw std::invalid_argument(fmt::format("input bus '{}' has a bit that is not a primary input", p.name));
      slots.push_back(flat_.slot_of_node[s.index()]);
    }
  }
  for (const Bus& o : outputs_) {
    if (o.bits.size() > 64)
      throw std::invalid_argument(fmt::format("output bus '{}' has {} bits; the simulator returns at most 64", o.name, o.bits.size()));
    auto& slots = output_slots_.emplace_back();
    for (Signal s : o.bits) slots.push_back(flat_.signal_slot(s));
  }
  open_device_for(options_.device);
}

BitSimulator::~BitSimulator() = default;
BitSimulator::BitSimulator(BitSimulator&&) noexcept = default;

void BitSimulator::check_inputs(const BusBatch& inputs) const {
  if (inputs.size() != inputs_.size())
    throw std::invalid_argument(
        fmt::format("simulate: got {} input columns, the circuit has {} input ports", inputs.size(), inputs_.size()));
  const size_t n = inputs.empty() ? 0 : inputs[0].size();
  for (size_t p = 0; p < inputs.size(); ++p) {
    if (inputs[p].size() != n)
      throw std::invalid_argument(fmt::format("simulate: input port '{}' has {} samples, expected {}", inputs_[p].name,
                                              inputs[p].size(), n));
  }
  // Range check up front, so that a bad value is one clear error, not a silently truncated bit pattern.
  for (size_t p = 0; p < inputs.size(); ++p) {
    const size_t w = inputs_[p].bits.size();
    for (size_t s = 0; s < n; ++s) {
      if (wrap_to_bus(inputs[p][s], w, inputs_[p].is_signed) != inputs[p][s])
        throw std::invalid_argument(fmt::format("simulate: sample {}: value {} does not fit input port '{}' ({} bits, {})",
                                                s, inputs[p][s], inputs_[p].name, w,
                                                inputs_[p].is_signed ? "signed" : "unsigned"));
    }
  }
}

void BitSimulator::pack(const BusBatch& inputs, size_t s0, size_t count, uint64_t* values, uint32_t B) const {
  // Bit k of port p for sample s0 + i goes to word i / 64, bit i % 64 of the port's slot.
  for (size_t p = 0; p < inputs.size(); ++p) {
    const auto& slot_of_bit = input_slots_[p];
    for (size_t k = 0; k < slot_of_bit.size(); ++k) {
      uint64_t* w = values + size_t(slot_of_bit[k]) * B;
      std::fill(w, w + B, 0);
      for (size_t i = 0; i < count; ++i) w[i >> 6] |= ((uint64_t(inputs[p][s0 + i]) >> k) & 1) << (i & 63);
    }
  }
}

void BitSimulator::unpack(const uint64_t* values, uint32_t B, size_t s0, size_t count, BusBatch& out,
                          const std::vector<std::vector<uint32_t>>& slot_lits) const {
  for (size_t o = 0; o < outputs_.size(); ++o) {
    const auto& lits = slot_lits[o];
    const bool sgn = outputs_[o].is_signed;
    for (size_t i = 0; i < count; ++i) {
      uint64_t v = 0;
      for (size_t k = 0; k < lits.size(); ++k) {
        const uint64_t word = values[size_t(lits[k] >> 1) * B + (i >> 6)] ^ complement_mask(lits[k]);
        v |= ((word >> (i & 63)) & 1) << k;
      }
      out[o][s0 + i] = wrap_to_bus(int64_t(v), lits.size(), sgn);
    }
  }
}

BusBatch BitSimulator::run(const BusBatch& inputs) const {
  check_inputs(inputs);
  const size_t n = inputs.empty() ? 0 : inputs[0].size();
  BusBatch out(outputs_.size(), std::vector<int64_t>(n, 0));
  if (device_) run_device(inputs, out);  // falls back to run_cpu() from a failed block on
  else run_cpu(inputs, 0, out);
  return out;
}

void BitSimulator::run_cpu(const BusBatch& inputs, size_t first, BusBatch& out) const {
  const size_t n = inputs.empty() ? 0 : inputs[0].size();
  const uint32_t B = options_.block_words;
  const size_t block_samples = size_t(B) * 64;
  const size_t num_blocks = (n - first + block_samples - 1) / block_samples;
  const uint32_t slots = flat_.num_slots();
  const int threads = options_.threads > 0 ? options_.threads : omp_get_max_threads();
  const bool avx512 = options_.avx512 && cpu_has_avx512();

#pragma omp parallel num_threads(threads)
  {
    std::vector<uint64_t> values(size_t(slots) * B, 0);
    Scratch scratch;
#pragma omp for schedule(dynamic, 1)
    for (size_t blk = 0; blk < num_blocks; ++blk) {
      const size_t s0 = first + blk * block_samples;
      const size_t count = std::min(block_samples, n - s0);
      pack(inputs, s0, count, values.data(), B);
      eval_block_with(flat_, values.data(), B, scratch, avx512);
      unpack(values.data(), B, s0, count, out, output_slots_);
    }
  }
}

}  // namespace tc0::circuits::sim
