#include "proofs/exhaustive.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "circuits/sim/bitsim.hpp"

namespace tc0::proofs {

namespace {

constexpr uint32_t kBlockWords = 64;  // words per run of the program (a multiple of 8: the stride)

std::vector<uint32_t> literals(std::span<const circuits::Signal> probes) {
  std::vector<uint32_t> l;
  for (circuits::Signal s : probes) l.push_back(s.data);
  return l;
}

}  // namespace

std::optional<circuits::Network> copy_gates(const circuits::Network& ntk, std::span<const uint32_t> inputs,
                                            std::span<const uint32_t> gates,
                                            std::unordered_map<uint32_t, circuits::Signal>& local, std::string& why) {
  circuits::Network sub;
  local.clear();
  local.emplace(0u, circuits::Signal::make(0, false));
  for (uint32_t n : inputs) local[n] = sub.create_input(fmt::format("x{}", n));
  std::vector<circuits::Signal> f;
  std::vector<circuits::Weight> ws;
  for (uint32_t node : gates) {
    const circuits::GateView gv = ntk.gate(ntk.gate_index(node));
    f.clear();
    ws.clear();
    for (size_t i = 0; i < gv.size(); ++i) {
      auto it = local.find(gv.fanins[i].index());
      if (it == local.end()) {
        why = fmt::format("gate {} reads node {}, which is neither an input nor a gate of the part", node,
                          gv.fanins[i].index());
        return std::nullopt;
      }
      f.push_back(gv.fanins[i].complemented() ? !it->second : it->second);
      ws.push_back(gv.weight(i));
    }
    local[node] = sub.create_threshold(f, ws, gv.theta);
  }
  return sub;
}

WordSimulator::WordSimulator(const circuits::Network& ntk, std::span<const circuits::Signal> probes)
    : num_inputs_(ntk.num_inputs()),
      prog_(circuits::sim::build_program(ntk, literals(probes))),
      avx_(circuits::sim::cpu_has_avx512()) {}

std::vector<std::vector<uint64_t>> WordSimulator::run(const std::vector<std::vector<uint64_t>>& inputs) const {
  if (inputs.size() != num_inputs_) throw std::invalid_argument("WordSimulator: one word array per input");
  const uint64_t words = inputs.empty() ? 1 : inputs[0].size();
  const size_t probes = prog_.output_literals.size();
  std::vector<std::vector<uint64_t>> out(probes, std::vector<uint64_t>(words, 0));
  std::vector<uint64_t> regs(size_t(prog_.num_registers) * kBlockWords, 0);
  circuits::sim::KernelScratch scratch;
  for (uint64_t w0 = 0; w0 < words; w0 += kBlockWords) {
    const uint32_t b = uint32_t(std::min<uint64_t>(kBlockWords, words - w0));
    for (uint32_t j = 0; j < num_inputs_; ++j)
      if (const uint32_t r = prog_.input_registers[j])
        for (uint32_t w = 0; w < kBlockWords; ++w) regs[size_t(r) * kBlockWords + w] = w < b ? inputs[j][w0 + w] : 0;
    circuits::sim::run_program(prog_, regs.data(), kBlockWords, scratch, avx_);
    for (size_t i = 0; i < probes; ++i) {
      const uint32_t lit = prog_.output_literals[i];
      const uint64_t flip = 0 - uint64_t(lit & 1);
      for (uint32_t w = 0; w < b; ++w) out[i][w0 + w] = regs[size_t(lit >> 1) * kBlockWords + w] ^ flip;
    }
  }
  return out;
}

std::vector<std::vector<uint64_t>> truth_tables(const circuits::Network& ntk, std::span<const circuits::Signal> probes) {
  const uint32_t n = ntk.num_inputs();
  if (n > uint32_t(kMaxExhaustiveInputs))
    throw std::invalid_argument(fmt::format("truth_tables: {} inputs, at most {}", n, kMaxExhaustiveInputs));
  const uint64_t total = uint64_t(1) << n;
  const uint64_t words = std::max<uint64_t>(1, total / 64);
  // assignment s = 64 * word + lane: input j < 6 follows the lane, the others the word
  static constexpr uint64_t kLane[6] = {0xAAAAAAAAAAAAAAAAull, 0xCCCCCCCCCCCCCCCCull, 0xF0F0F0F0F0F0F0F0ull,
                                        0xFF00FF00FF00FF00ull, 0xFFFF0000FFFF0000ull, 0xFFFFFFFF00000000ull};
  std::vector<std::vector<uint64_t>> in(n, std::vector<uint64_t>(words));
  for (uint32_t j = 0; j < n; ++j)
    for (uint64_t w = 0; w < words; ++w) in[j][w] = j < 6 ? kLane[j] : ((w >> (j - 6)) & 1) ? ~uint64_t(0) : 0;
  std::vector<std::vector<uint64_t>> out = WordSimulator(ntk, probes).run(in);
  if (total < 64)
    for (auto& t : out) t[0] &= (uint64_t(1) << total) - 1;
  return out;
}

}  // namespace tc0::proofs
