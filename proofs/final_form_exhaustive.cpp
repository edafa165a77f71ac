#include "proofs/final_form_exhaustive.hpp"

#include <fmt/format.h>

#include <bit>
#include <optional>
#include <random>
#include <unordered_map>

#include "numerics/rounding.hpp"
#include "proofs/exhaustive.hpp"

namespace tc0::proofs {

using circuits::Signal;
using circuits::Weight;
using numerics::Int128;

namespace {

// Input j of the 64 assignments of one word, for j < 6: bit s of the word is bit j of s.
constexpr uint64_t kLowPattern[6] = {0xAAAAAAAAAAAAAAAAull, 0xCCCCCCCCCCCCCCCCull, 0xF0F0F0F0F0F0F0F0ull,
                                     0xFF00FF00FF00FF00ull, 0xFFFF0000FFFF0000ull, 0xFFFFFFFF00000000ull};


}  // namespace

namespace {

// The gates over the term wires as a network of their own (inputs in spec.terms order) and its
// output probes; an empty optional and r.why when a gate reads something else.
struct Sub {
  circuits::Network ntk;
  std::vector<Signal> probes;
};

std::optional<Sub> cut_out(const circuits::Network& ntk, const circuits::Bus& out, const std::vector<uint32_t>& gates,
                           const LinearFormSpec& spec, FinalFormCheck& r) {
  std::vector<uint32_t> inputs;
  for (const SpecTerm& t : spec.terms) inputs.push_back(t.node);
  std::unordered_map<uint32_t, Signal> local;
  std::optional<circuits::Network> part = copy_gates(ntk, inputs, gates, local, r.why);
  if (!part) return std::nullopt;
  Sub sub{std::move(*part), {}};
  for (Signal s : out.bits) {
    auto it = local.find(s.index());
    if (it == local.end()) {
      r.why = fmt::format("output bit node {} is not computed from the term wires", s.index());
      return std::nullopt;
    }
    sub.probes.push_back(s.complemented() ? !it->second : it->second);
  }
  return sub;
}

bool weights_fit(const LinearFormSpec& spec, FinalFormCheck& r) {
  BigInt mag = boost::multiprecision::abs(spec.constant);
  for (const SpecTerm& t : spec.terms) mag += boost::multiprecision::abs(t.weight);
  if (mag < BigInt(1) << 120) return true;
  r.why = "the form's weights sum past 2^120";
  return false;
}

// Compares one word of 64 assignments (sums[b]: the exact sum of assignment b, live: which b count)
// with the simulated bits; on a difference records the assignment (via `assignment(b)`) and returns false.
template <class AssignmentOf>
bool same_word(const std::vector<std::vector<uint64_t>>& got, uint64_t wd, const Int128* sums, uint64_t live,
               const LinearFormSpec& spec, size_t width, FinalFormCheck& r, const AssignmentOf& assignment) {
  uint64_t expect[64] = {};
  for (uint64_t b = 0; b < 64; ++b) {
    if (!((live >> b) & 1)) continue;
    const uint64_t y = uint64_t(numerics::round_to_format(sums[b], spec.frac, spec.out));
    for (size_t i = 0; i < width; ++i) expect[i] |= ((y >> i) & 1) << b;
  }
  for (size_t i = 0; i < width; ++i) {
    const uint64_t diff = (got[i][wd] ^ expect[i]) & live;
    if (!diff) continue;
    r.counterexample = assignment(uint64_t(std::countr_zero(diff)));
    r.why = fmt::format("output bit {} differs from the spec at a term-wire assignment", i);
    return false;
  }
  return true;
}

}  // namespace

FinalFormCheck final_form_exhaustive(const circuits::Network& ntk, const circuits::Bus& out,
                                     const std::vector<uint32_t>& gates, const LinearFormSpec& spec) {
  FinalFormCheck r;
  const int n = int(spec.terms.size());
  if (n > kMaxFinalFormWires) {
    r.why = fmt::format("{} term wires, more than the {} enumerated", n, kMaxFinalFormWires);
    return r;
  }
  if (!weights_fit(spec, r)) return r;
  const std::optional<Sub> sub = cut_out(ntk, out, gates, spec, r);
  if (!sub) return r;
  const WordSimulator sim(sub->ntk, sub->probes);

  // Assignment s = h 2^c + s_low: the low c wires vary inside one chunk, the others per chunk.
  const int c = std::min(n, 20);
  const uint64_t chunk = uint64_t(1) << c, words = std::max<uint64_t>(1, chunk / 64);
  const uint64_t live = chunk < 64 ? (uint64_t(1) << chunk) - 1 : ~uint64_t(0);
  std::vector<Int128> w(static_cast<size_t>(n));
  for (int t = 0; t < n; ++t) w[size_t(t)] = numerics::to_int128(spec.terms[size_t(t)].weight);
  std::vector<Int128> low_sum(std::max<uint64_t>(chunk, 64), 0);  // sum of the low wires' weights set in s_low
  for (uint64_t s = 1; s < chunk; ++s) low_sum[s] = low_sum[s & (s - 1)] + w[size_t(std::countr_zero(s))];
  std::vector<std::vector<uint64_t>> inputs(static_cast<size_t>(n), std::vector<uint64_t>(words));
  for (int j = 0; j < c; ++j)
    for (uint64_t wd = 0; wd < words; ++wd)
      inputs[size_t(j)][wd] = j < 6 ? kLowPattern[j] : (((wd >> (j - 6)) & 1) ? ~uint64_t(0) : 0);
  const Int128 K = numerics::to_int128(spec.constant);
  Int128 sums[64];
  for (uint64_t h = 0; h < (uint64_t(1) << (n - c)); ++h) {
    Int128 high = K;
    for (int j = c; j < n; ++j) {
      const bool on = (h >> (j - c)) & 1;
      if (on) high += w[size_t(j)];
      std::fill(inputs[size_t(j)].begin(), inputs[size_t(j)].end(), on ? ~uint64_t(0) : 0);
    }
    const auto got = sim.run(inputs);
    for (uint64_t wd = 0; wd < words; ++wd) {
      for (uint64_t b = 0; b < 64; ++b) sums[b] = high + low_sum[(wd * 64 + b) & (low_sum.size() - 1)];
      auto assignment = [&](uint64_t b) {
        const uint64_t s = (h << c) | (wd * 64 + b);
        std::vector<uint8_t> x(static_cast<size_t>(n));
        for (int t = 0; t < n; ++t) x[size_t(t)] = (s >> t) & 1;
        return x;
      };
      if (!same_word(got, wd, sums, live, spec, out.bits.size(), r, assignment)) return r;
    }
  }
  r.proved = true;
  r.assignments = uint64_t(1) << n;
  return r;
}

FinalFormCheck final_form_sampled(const circuits::Network& ntk, const circuits::Bus& out,
                                  const std::vector<uint32_t>& gates, const LinearFormSpec& spec, uint64_t words,
                                  uint64_t seed) {
  FinalFormCheck r;
  if (!weights_fit(spec, r)) return r;
  const std::optional<Sub> sub = cut_out(ntk, out, gates, spec, r);
  if (!sub) return r;
  const WordSimulator sim(sub->ntk, sub->probes);
  const size_t n = spec.terms.size();
  std::mt19937_64 rng(seed);
  std::vector<std::vector<uint64_t>> inputs(n, std::vector<uint64_t>(words));
  for (auto& in : inputs)
    for (uint64_t& x : in) x = rng();
  const auto got = sim.run(inputs);
  std::vector<Int128> w(n);
  for (size_t t = 0; t < n; ++t) w[t] = numerics::to_int128(spec.terms[t].weight);
  const Int128 K = numerics::to_int128(spec.constant);
  Int128 sums[64];
  for (uint64_t wd = 0; wd < words; ++wd) {
    for (uint64_t b = 0; b < 64; ++b) {
      sums[b] = K;
      for (size_t t = 0; t < n; ++t)
        if ((inputs[t][wd] >> b) & 1) sums[b] += w[t];
    }
    auto assignment = [&](uint64_t b) {
      std::vector<uint8_t> x(n);
      for (size_t t = 0; t < n; ++t) x[t] = (inputs[t][wd] >> b) & 1;
      return x;
    };
    if (!same_word(got, wd, sums, ~uint64_t(0), spec, out.bits.size(), r, assignment)) return r;
  }
  r.assignments = words * 64;
  return r;
}

}  // namespace tc0::proofs
