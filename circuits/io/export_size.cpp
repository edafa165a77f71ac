#include "circuits/io/export_size.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <unordered_set>
#include <vector>

#include "circuits/io/verilog.hpp"
#include "circuits/sim/bitsim.hpp"

namespace tc0::circuits::io {

namespace {

uint64_t digits(unsigned __int128 v) {
  uint64_t n = 1;
  while (v >= 10) v /= 10, ++n;
  return n;
}
uint64_t digits_signed(Weight v) { return v < 0 ? 1 + digits(static_cast<unsigned __int128>(-v)) : digits(v); }

int bits_of(Weight v) {
  int n = 0;
  for (auto u = static_cast<unsigned __int128>(v); u; u >>= 1) ++n;
  return n;
}

// Text length of each input bit's net name, as the writers name them ("a[3]", a loose input by name).
std::vector<uint64_t> input_net_lengths(const Network& ntk, bool verilog) {
  std::vector<uint64_t> len(ntk.num_inputs(), 0);
  for (const Bus& p : sim::input_ports(ntk)) {
    const uint64_t base = verilog ? verilog_identifier(p.name).size() : p.name.size();
    for (size_t k = 0; k < p.bits.size(); ++k)
      len[ntk.input_index(p.bits[k].index())] = p.bits.size() == 1 ? base : base + 2 + digits(k);
  }
  if (!verilog)  // BLIF nets are the input names themselves
    for (uint32_t i = 0; i < ntk.num_inputs(); ++i) len[i] = ntk.input_name(i).size();
  return len;
}

uint64_t net_length(const Network& ntk, const std::vector<uint64_t>& input_len, uint32_t node) {
  return ntk.is_input(node) ? input_len[ntk.input_index(node)] : 1 + digits(node);
}

uint64_t mix(uint64_t h, uint64_t v) {  // a 64-bit hash combiner (splitmix64 finaliser)
  h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 27;
  return h;
}

// Patterns of the gate's fan-in nets on which it fires (the on-set rows of its BLIF table).
uint64_t on_set_rows(const GateView& g) {
  const size_t n = g.size();
  std::vector<Weight> sums(size_t(1) << n);
  Weight base = 0;  // a complemented fan-in contributes when its net is 0
  for (size_t i = 0; i < n; ++i)
    if (g.fanins[i].complemented()) base += g.weight(i);
  uint64_t rows = 0;
  sums[0] = base;
  for (size_t p = 0; p < sums.size(); ++p) {
    if (p) {
      const int i = __builtin_ctzll(p);
      sums[p] = sums[p & (p - 1)] + (g.fanins[i].complemented() ? -g.weight(i) : g.weight(i));
    }
    rows += sums[p] >= g.theta;
  }
  return rows;
}

}  // namespace

uint64_t aig_and_bound(const GateView& gate, bool with_adders) {
  Weight theta = gate.theta;
  std::array<uint32_t, 131> height{};
  for (size_t i = 0; i < gate.size(); ++i) {
    Weight w = gate.weight(i);
    if (w < 0) w = -w, theta += w;
    auto u = static_cast<unsigned __int128>(w);
    for (int p = 0; u; ++p, u >>= 1) height[p] += uint32_t(u & 1);
  }
  if (theta <= 0) return 0;
  uint64_t ands = 0;
  size_t K = 0;
  for (size_t p = 0; p < 130; ++p) {
    uint32_t h = height[p];
    // as lower_threshold: a full adder (10 ANDs: two XORs of 3, a majority of 4) turns 3 bits into
    // a sum in this column and a carry in the next; a half adder (4 ANDs) turns 2 into 1 and a carry
    while (h >= 3) h -= 2, ands += 10, height[p + 1] += p + 1 < 130;
    if (h == 2) h = 1, ands += 4, height[p + 1] += p + 1 < 130;
    if (h) K = p + 1;
  }
  if (!with_adders) ands = 0;
  if (K < 127 && theta > (Weight(1) << K) - 1) return ands;  // never fires: no comparator
  return ands + K;  // one AND per bit of the borrow chain
}

ExportSize estimate_export_size(const Network& ntk, const std::string& format, const BlifOptions& blif) {
  ExportSize e;
  uint64_t out_bits = 0, out_names = 0;
  for (const Bus& b : ntk.output_buses()) {
    out_bits += b.bits.size();
    for (size_t k = 0; k < b.bits.size(); ++k) out_names += b.name.size() + 2 + digits(k);
  }
  uint64_t in_names = 0;
  for (uint32_t i = 0; i < ntk.num_inputs(); ++i) in_names += ntk.input_name(i).size();

  if (format == "aiger" || format == "aag") {
    uint64_t ands = 0;
    std::unordered_set<uint64_t> lists_seen;
    for (uint32_t g = 0; g < ntk.num_gates(); ++g)
      ands += aig_and_bound(ntk.gate(g), lists_seen.insert(ntk.fanin_list(g)).second);
    e.and_nodes = ands;
    const uint64_t max_var = ntk.num_inputs() + ands;
    // binary: two deltas per AND, one or two bytes each mostly; ASCII: three literals per line
    const uint64_t per_and = format == "aiger" ? 4 : 3 * (digits(2 * max_var) + 1);
    e.bytes = 64 + per_and * ands + (digits(2 * max_var) + 1) * (out_bits + (format == "aag" ? ntk.num_inputs() : 0)) +
              in_names + out_names + 8 * (ntk.num_inputs() + out_bits);
    // the AIG: 8 bytes per AND, about 48 per entry of its structural hash, 4 per network node
    e.memory_bytes = 56 * ands + 4 * uint64_t(ntk.num_nodes());
    e.basis = fmt::format("at most {} AND nodes", ands);
  } else if (format == "verilog") {
    const auto in_len = input_net_lengths(ntk, true);
    std::unordered_set<uint64_t> types;
    uint64_t bytes = 200 + 2 * (in_names + out_names), type_bytes = 0;
    for (uint32_t g = 0; g < ntk.num_gates(); ++g) {
      const GateView gv = ntk.gate(g);
      const uint32_t node = ntk.gate_node(g);
      const uint64_t n = gv.size();
      uint64_t h = mix(0, uint64_t(gv.theta)), args = 0, key = 2 + digits_signed(gv.theta);
      Weight total = 0;
      for (size_t i = 0; i < n; ++i) {
        h = mix(mix(h, uint64_t(gv.weight(i))), gv.fanins[i].complemented());
        args += net_length(ntk, in_len, gv.fanins[i].index()) + 2;
        key += digits_signed(gv.weight(i)) + 1 + gv.fanins[i].complemented();
        total += gv.weight(i);
      }
      const uint64_t name = 12 + (types.size() > 0 ? digits(types.size()) : 1);
      bytes += 10 + digits(node) + 21 + name + 2 * digits(node) + args;  // wire line and instance
      if (types.insert(mix(h, n)).second) {
        const uint64_t W = digits(uint64_t(bits_of(total) + 1));
        uint64_t m = 110 + digits(gv.theta) + key + name + digits(n) + 2 * W;
        for (size_t i = 0; i < n; ++i) m += 23 + digits(i) + 2 * W + digits_signed(gv.weight(i));
        bytes += m;
        type_bytes += key + 96;
      }
    }
    e.bytes = bytes + out_bits * 40;
    e.memory_bytes = 4 * uint64_t(ntk.num_gates()) + type_bytes;
    e.basis = fmt::format("{} gates of {} types", ntk.num_gates(), types.size());
  } else if (format == "blif") {
    const auto in_len = input_net_lengths(ntk, false);
    uint64_t bytes = 40 + in_names + ntk.num_inputs() + out_names + out_bits, ands = 0, widest = 0;
    for (uint32_t g = 0; g < ntk.num_gates(); ++g) {
      const GateView gv = ntk.gate(g);
      const uint32_t node = ntk.gate_node(g);
      uint64_t nets = 0;
      for (Signal s : gv.fanins) nets += 1 + net_length(ntk, in_len, s.index());
      if (gv.size() <= blif.max_table_fanin) {
        bytes += 9 + nets + digits(node) + on_set_rows(gv) * (gv.size() + 3);
      } else {
        const uint64_t a = aig_and_bound(gv, true);  // a private AIG per gate: no sharing
        ands += a;
        widest = std::max(widest, a);
        bytes += a * (30 + 2 * (digits(node) + 4) + nets / gv.size()) + 40;
      }
    }
    e.bytes = bytes + out_bits * (30 + 16);
    e.and_nodes = ands;
    e.memory_bytes = 56 * widest;
    e.basis = fmt::format("{} gates, at most {} AND nodes for gates of more than {} fan-ins", ntk.num_gates(), ands,
                          blif.max_table_fanin);
  } else {
    throw CircuitError(fmt::format("no size estimate for export format '{}'", format));
  }
  return e;
}

}  // namespace tc0::circuits::io
