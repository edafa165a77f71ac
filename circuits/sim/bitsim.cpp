#include "circuits/sim/bitsim.hpp"

#include "circuits/sim/kernels.hpp"

#include <fmt/format.h>
#include <omp.h>

#include <algorithm>
#include <bit>
#include <stdexcept>

namespace tc0::circuits::sim {

namespace {

constexpr uint32_t kMaxBlockWords = 64;

// Registers are whole 512-bit vectors.
uint32_t register_stride(uint32_t block_words) { return (block_words + 7) / 8 * 8; }

}  // namespace

bool cpu_has_avx512() {
  static const bool yes = __builtin_cpu_supports("avx512f");
  return yes;
}

void eval_block(const FlatNetwork& flat, uint64_t* values, uint32_t block_words, bool avx512) {
  if (block_words == 0 || block_words > kMaxBlockWords)
    throw std::invalid_argument(fmt::format("eval_block: block_words {} outside 1..{}", block_words, kMaxBlockWords));
  std::vector<uint32_t> every_gate(flat.num_gates);
  for (uint32_t g = 0; g < flat.num_gates; ++g) every_gate[g] = flat.gate_slot(g) << 1;
  const Program prog = build_program(flat, every_gate);
  const uint32_t stride = register_stride(block_words);
  std::vector<uint64_t> regs(size_t(prog.num_registers) * stride, 0);
  for (uint32_t i = 0; i < flat.num_inputs; ++i)
    if (const uint32_t r = prog.input_registers[i])
      std::copy_n(values + size_t(1 + i) * block_words, block_words, regs.data() + size_t(r) * stride);
  KernelScratch scratch;
  run_program(prog, regs.data(), stride, scratch, avx512 && cpu_has_avx512());
  for (uint32_t g = 0; g < flat.num_gates; ++g) {
    const uint32_t lit = prog.output_literals[g];
    const uint64_t flip = 0 - uint64_t(lit & 1);
    for (uint32_t w = 0; w < block_words; ++w)
      values[size_t(flat.gate_slot(g)) * block_words + w] = regs[size_t(lit >> 1) * stride + w] ^ flip;
  }
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
    : inputs_(input_ports(ntk)), outputs_(ntk.output_buses()), avx512_(options.avx512 && cpu_has_avx512()),
      options_(options) {
  if (options_.block_words > kMaxBlockWords)
    throw std::invalid_argument(
        fmt::format("simulator block size {} words is outside 1..{}", options_.block_words, kMaxBlockWords));
  if (options_.threads < 0) throw std::invalid_argument("simulator thread count must be >= 0");
  for (const Bus& p : inputs_) {
    if (p.bits.size() > 64)
      throw std::invalid_argument(fmt::format("input bus '{}' has {} bits; the simulator takes at most 64", p.name, p.bits.size()));
    for (Signal s : p.bits)
      if (!ntk.is_input(s.index()) || s.complemented())
        throw std::invalid_argument(fmt::format("input bus '{}' has a bit that is not a primary input", p.name));
  }
  std::vector<uint32_t> out_signals;
  for (const Bus& o : outputs_) {
    if (o.bits.size() > 64)
      throw std::invalid_argument(fmt::format("output bus '{}' has {} bits; the simulator returns at most 64", o.name, o.bits.size()));
    for (Signal s : o.bits) out_signals.push_back(s.data);
  }
  program_ = build_program(ntk, out_signals, options_.kernels);
  for (const Bus& p : inputs_) {
    auto& regs = input_regs_.emplace_back();
    for (Signal s : p.bits) regs.push_back(program_.input_registers[ntk.input_index(s.index())]);
  }
  size_t k = 0;
  for (const Bus& o : outputs_) {
    auto& lits = output_lits_.emplace_back();
    for (size_t b = 0; b < o.bits.size(); ++b) lits.push_back(program_.output_literals[k++]);
  }
  block_words_ = options_.block_words;
  if (block_words_ == 0) {
    constexpr uint64_t kBudget = uint64_t(256) << 20;
    block_words_ = 64;
    while (block_words_ > 8 && uint64_t(program_.num_registers) * block_words_ * 8 > kBudget) block_words_ /= 2;
  }
  open_device_for(ntk, options_.device);
}

uint64_t BitSimulator::register_file_bytes() const {
  return uint64_t(program_.num_registers) * register_stride(block_words_) * 8;
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
    if (w >= 64) continue;
    const std::vector<int64_t>& col = inputs[p];
    // In range iff the bits above w - 1 (signed) or above w (unsigned) are all equal to the sign / zero.
    const int shift = inputs_[p].is_signed ? int(w) - 1 : int(w);
    bool bad = false;
    for (size_t s = 0; s < n; ++s) bad |= uint64_t((col[s] >> shift) + 1) > 1 || (!inputs_[p].is_signed && col[s] < 0);
    if (!bad) continue;
    for (size_t s = 0; s < n; ++s)
      if (wrap_to_bus(col[s], w, inputs_[p].is_signed) != col[s])
        throw std::invalid_argument(fmt::format("simulate: sample {}: value {} does not fit input port '{}' ({} bits, {})",
                                                s, col[s], inputs_[p].name, w,
                                                inputs_[p].is_signed ? "signed" : "unsigned"));
  }
}

void BitSimulator::pack(const BusBatch& inputs, size_t s0, size_t count, uint64_t* regs, uint32_t stride) const {
  for (size_t p = 0; p < inputs.size(); ++p) {
    const auto& bits = input_regs_[p];
    if (avx512_) pack_port_avx512(inputs[p].data() + s0, count, bits.data(), bits.size(), regs, stride);
    else pack_port_portable(inputs[p].data() + s0, count, bits.data(), bits.size(), regs, stride);
  }
}

void BitSimulator::unpack(const uint64_t* regs, uint32_t stride, size_t s0, size_t count, BusBatch& out) const {
  for (size_t o = 0; o < outputs_.size(); ++o) {
    const auto& lits = output_lits_[o];
    if (avx512_) unpack_bus_avx512(regs, stride, lits.data(), lits.size(), outputs_[o].is_signed, count, out[o].data() + s0);
    else unpack_bus_portable(regs, stride, lits.data(), lits.size(), outputs_[o].is_signed, count, out[o].data() + s0);
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
  if (first >= n) return;
  const int threads = options_.threads > 0 ? options_.threads : omp_get_max_threads();
  // Smaller blocks when the batch would leave threads idle or fill only part of a block (the bits
  // do not depend on the block size).
  uint32_t B = block_words_;
  const size_t todo = n - first;
  while (B > 8 && ((todo + size_t(B) * 64 - 1) / (size_t(B) * 64) < size_t(threads) || size_t(B) * 32 >= todo)) B /= 2;
  const uint32_t stride = register_stride(B);
  const size_t block_samples = size_t(B) * 64;
  const size_t num_blocks = (todo + block_samples - 1) / block_samples;

#pragma omp parallel num_threads(threads)
  {
    std::vector<uint64_t> regs(size_t(program_.num_registers) * stride, 0);
    KernelScratch scratch;
#pragma omp for schedule(dynamic, 1)
    for (size_t blk = 0; blk < num_blocks; ++blk) {
      const size_t s0 = first + blk * block_samples;
      const size_t count = std::min(block_samples, n - s0);
      pack(inputs, s0, count, regs.data(), stride);
      run_program(program_, regs.data(), stride, scratch, avx512_);
      unpack(regs.data(), stride, s0, count, out);
    }
  }
}

BitBatch BitSimulator::run_bits(const BitBatch& input_bits, size_t n) const {
  const size_t words = (n + 63) / 64;
  std::vector<uint32_t> in_regs;
  for (const auto& port : input_regs_) in_regs.insert(in_regs.end(), port.begin(), port.end());
  if (input_bits.size() != in_regs.size())
    throw std::invalid_argument(fmt::format("run_bits: got {} input bits, the circuit has {}", input_bits.size(), in_regs.size()));
  for (const auto& b : input_bits)
    if (b.size() != words)
      throw std::invalid_argument(fmt::format("run_bits: an input bit has {} words, {} samples need {}", b.size(), n, words));
  std::vector<uint32_t> out_lits;
  for (const auto& bus : output_lits_) out_lits.insert(out_lits.end(), bus.begin(), bus.end());
  BitBatch out(out_lits.size(), std::vector<uint64_t>(words, 0));
  const int threads = options_.threads > 0 ? options_.threads : omp_get_max_threads();
  uint32_t B = block_words_;
  while (B > 8 && ((words + B - 1) / B < size_t(threads) || size_t(B) / 2 >= words)) B /= 2;
  const uint32_t stride = register_stride(B);
  const size_t num_blocks = (words + B - 1) / B;
#pragma omp parallel num_threads(threads)
  {
    std::vector<uint64_t> regs(size_t(program_.num_registers) * stride, 0);
    KernelScratch scratch;
#pragma omp for schedule(dynamic, 1)
    for (size_t blk = 0; blk < num_blocks; ++blk) {
      const size_t w0 = blk * B, count = std::min<size_t>(B, words - w0);
      for (size_t k = 0; k < in_regs.size(); ++k)
        if (in_regs[k]) std::copy_n(input_bits[k].data() + w0, count, regs.data() + size_t(in_regs[k]) * stride);
      run_program(program_, regs.data(), stride, scratch, avx512_);
      for (size_t k = 0; k < out_lits.size(); ++k) {
        const uint64_t* r = regs.data() + size_t(out_lits[k] >> 1) * stride;
        const uint64_t flip = 0 - uint64_t(out_lits[k] & 1);
        for (size_t w = 0; w < count; ++w) out[k][w0 + w] = r[w] ^ flip;
      }
    }
  }
  // Bits of samples past n are not defined by the inputs: clear them.
  if (n % 64)
    for (auto& o : out) o.back() &= (uint64_t(1) << (n % 64)) - 1;
  return out;
}

void BitSimulator::pack_slots(const BusBatch& inputs, size_t s0, size_t count, uint64_t* values, uint32_t B) const {
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

void BitSimulator::unpack_slots(const uint64_t* values, uint32_t B, size_t s0, size_t count, BusBatch& out,
                                const std::vector<std::vector<uint32_t>>& slot_lits) const {
  for (size_t o = 0; o < outputs_.size(); ++o) {
    const auto& lits = slot_lits[o];
    const bool sgn = outputs_[o].is_signed;
    for (size_t i = 0; i < count; ++i) {
      uint64_t v = 0;
      for (size_t k = 0; k < lits.size(); ++k) {
        const uint64_t word = values[size_t(lits[k] >> 1) * B + (i >> 6)] ^ (uint64_t(0) - uint64_t(lits[k] & 1));
        v |= ((word >> (i & 63)) & 1) << k;
      }
      out[o][s0 + i] = wrap_to_bus(int64_t(v), lits.size(), sgn);
    }
  }
}

}  // namespace tc0::circuits::sim
