#include "proofs/final_form_exhaustive.hpp"

#include <fmt/format.h>

#include <bit>
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

Int128 to_int128(const BigInt& v) {
  const BigInt m = boost::multiprecision::abs(v);
  const Int128 r = (Int128(static_cast<unsigned long long>(m >> 64)) << 64) |
                   Int128(static_cast<unsigned long long>(m & BigInt(UINT64_MAX)));
  return v < 0 ? -r : r;
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
  BigInt mag = boost::multiprecision::abs(spec.constant);
  for (const SpecTerm& t : spec.terms) mag += boost::multiprecision::abs(t.weight);
  if (mag >= BigInt(1) << 120) {
    r.why = "the form's weights sum past 2^120";
    return r;
  }
  // the gates over the term wires as a network of their own
  circuits::Network sub;
  std::unordered_map<uint32_t, Signal> local{{0u, Signal::make(0, false)}};
  for (const SpecTerm& t : spec.terms) local[t.node] = sub.create_input(fmt::format("x{}", t.node));
  std::vector<Signal> f;
  std::vector<Weight> ws;
  for (uint32_t node : gates) {
    const circuits::GateView gv = ntk.gate(ntk.gate_index(node));
    f.clear();
    ws.clear();
    for (size_t i = 0; i < gv.size(); ++i) {
      auto it = local.find(gv.fanins[i].index());
      if (it == local.end()) {
        r.why = fmt::format("gate {} reads node {}, which is neither a term wire nor a gate of the form", node,
                            gv.fanins[i].index());
        return r;
      }
      f.push_back(gv.fanins[i].complemented() ? !it->second : it->second);
      ws.push_back(gv.weight(i));
    }
    local[node] = sub.create_threshold(f, ws, gv.theta);
  }
  std::vector<Signal> probes;
  for (Signal s : out.bits) {
    auto it = local.find(s.index());
    if (it == local.end()) {
      r.why = fmt::format("output bit node {} is not computed from the term wires", s.index());
      return r;
    }
    probes.push_back(s.complemented() ? !it->second : it->second);
  }
  const WordSimulator sim(sub, probes);

  // Assignment s = h 2^c + s_low: the low c wires vary inside one chunk, the others per chunk.
  const int c = std::min(n, 20);
  const uint64_t chunk = uint64_t(1) << c, words = std::max<uint64_t>(1, chunk / 64);
  const uint64_t live_mask = chunk < 64 ? (uint64_t(1) << chunk) - 1 : ~uint64_t(0);
  std::vector<Int128> w(static_cast<size_t>(n));
  for (int t = 0; t < n; ++t) w[size_t(t)] = to_int128(spec.terms[size_t(t)].weight);
  std::vector<Int128> low_sum(chunk, 0);  // sum of the low wires' weights set in s_low
  for (uint64_t s = 1; s < chunk; ++s) low_sum[s] = low_sum[s & (s - 1)] + w[size_t(std::countr_zero(s))];
  std::vector<std::vector<uint64_t>> inputs(static_cast<size_t>(n), std::vector<uint64_t>(words));
  for (int j = 0; j < c; ++j)
    for (uint64_t wd = 0; wd < words; ++wd)
      inputs[size_t(j)][wd] = j < 6 ? kLowPattern[j] : (((wd >> (j - 6)) & 1) ? ~uint64_t(0) : 0);
  const Int128 K = to_int128(spec.constant);
  const size_t width = out.bits.size();
  std::vector<uint64_t> expect(width);
  for (uint64_t h = 0; h < (uint64_t(1) << (n - c)); ++h) {
    Int128 high = K;
    for (int j = c; j < n; ++j) {
      const bool on = (h >> (j - c)) & 1;
      if (on) high += w[size_t(j)];
      std::fill(inputs[size_t(j)].begin(), inputs[size_t(j)].end(), on ? ~uint64_t(0) : 0);
    }
    const auto got = sim.run(inputs);
    for (uint64_t wd = 0; wd < words; ++wd) {
      std::fill(expect.begin(), expect.end(), 0);
      for (uint64_t b = 0; b < 64 && wd * 64 + b < chunk; ++b) {
        const uint64_t y = uint64_t(numerics::round_to_format(high + low_sum[wd * 64 + b], spec.frac, spec.out));
        for (size_t i = 0; i < width; ++i) expect[i] |= ((y >> i) & 1) << b;
      }
      for (size_t i = 0; i < width; ++i) {
        const uint64_t diff = (got[i][wd] ^ expect[i]) & live_mask;
        if (!diff) continue;
        const uint64_t s = (h << c) | (wd * 64 + uint64_t(std::countr_zero(diff)));
        r.counterexample.resize(size_t(n));
        for (int t = 0; t < n; ++t) r.counterexample[size_t(t)] = (s >> t) & 1;
        r.why = fmt::format("output bit {} differs from the spec at a term-wire assignment", i);
        return r;
      }
    }
  }
  r.proved = true;
  r.assignments = uint64_t(1) << n;
  return r;
}

}  // namespace tc0::proofs
