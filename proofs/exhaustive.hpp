#pragma once
// Simulation of a small network on many input assignments at once with the CPU simulator's register
// program (circuits/sim/program.hpp, built once per network: 64 assignments per word): every assignment (truth_tables, a complete proof when
// checked against a reference) or given words of assignments (random search for counterexamples).
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <span>
#include <vector>

#include "circuits/network.hpp"
#include "circuits/sim/program.hpp"

namespace tc0::proofs {

// Some gates of `ntk` as a network of their own: each node of `inputs` becomes a primary input (in
// order, named x<node>) and each of `gates` (topological order) is recreated over them; node 0 is the
// constant. `local` receives every copied node's signal. nullopt, with `why` set, when a gate reads a
// node that is none of these.
std::optional<circuits::Network> copy_gates(const circuits::Network& ntk, std::span<const uint32_t> inputs,
                                            std::span<const uint32_t> gates,
                                            std::unordered_map<uint32_t, circuits::Signal>& local, std::string& why);

// The most primary inputs truth_tables() enumerates (2^26 assignments, 8 MiB per table).
inline constexpr int kMaxExhaustiveInputs = 26;

// Bit s of table i (word s / 64, bit s % 64) is probes[i] under the assignment whose primary input
// j (creation order) is bit j of s, for s < 2^n, n = ntk.num_inputs() <= kMaxExhaustiveInputs.
std::vector<std::vector<uint64_t>> truth_tables(const circuits::Network& ntk, std::span<const circuits::Signal> probes);

inline bool table_bit(const std::vector<uint64_t>& t, uint64_t s) { return (t[s >> 6] >> (s & 63)) & 1; }

// Evaluates a network on 64 * words assignments given as one word array per primary input.
class WordSimulator {
 public:
  WordSimulator(const circuits::Network& ntk, std::span<const circuits::Signal> probes);
  // inputs[j][w]: input j in the 64 assignments of word w (every input has `words` words).
  // Returns probes[i][w].
  std::vector<std::vector<uint64_t>> run(const std::vector<std::vector<uint64_t>>& inputs) const;

 private:
  uint32_t num_inputs_;
  circuits::sim::Program prog_;
  bool avx_;
};

}  // namespace tc0::proofs
