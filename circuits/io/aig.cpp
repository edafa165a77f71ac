#include "circuits/io/aig.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <sstream>

namespace tc0::circuits::io {

uint32_t Aig::land(uint32_t a, uint32_t b) {
  if (a < b) std::swap(a, b);
  if (b == 0) return 0;         // x & 0
  if (b == 1) return a;         // x & 1
  if (a == b) return a;         // x & x
  if ((a ^ 1) == b) return 0;   // x & !x
  const uint64_t key = uint64_t(a) << 32 | b;
  auto it = hash_.find(key);
  if (it != hash_.end()) return it->second;
  ands_.emplace_back(a, b);
  const uint32_t lit = 2 * max_var();
  hash_.emplace(key, lit);
  return lit;
}

uint32_t lower_threshold(Aig& aig, const GateView& gate, const std::vector<uint32_t>& in) {
  // Column p holds the literals of weight 2^p. Weights may be negative only in non-canonical input;
  // w x with w < 0 is rewritten as |w| !x - |w| (folded into theta).
  Weight theta = gate.theta;
  std::vector<std::vector<uint32_t>> cols(130);
  for (size_t i = 0; i < gate.size(); ++i) {
    Weight w = gate.weight(i);
    uint32_t lit = in[i];
    if (w < 0) {
      w = -w;
      lit ^= 1;
      theta += w;
    }
    auto u = static_cast<unsigned __int128>(w);
    for (int p = 0; u; ++p, u >>= 1)
      if (u & 1) cols[p].push_back(lit);
  }
  if (theta <= 0) return 1;
  std::vector<uint32_t> sum;
  for (size_t p = 0; p < cols.size(); ++p) {
    auto& c = cols[p];
    // Reduce the column in order (deterministic output): full adders while >= 3, then a half adder.
    size_t k = 0;
    while (c.size() - k >= 3) {
      const uint32_t a = c[k], b = c[k + 1], d = c[k + 2];
      k += 3;
      c.push_back(aig.lxor(aig.lxor(a, b), d));
      if (p + 1 < cols.size()) cols[p + 1].push_back(aig.maj(a, b, d));
    }
    if (c.size() - k == 2) {
      const uint32_t a = c[k], b = c[k + 1];
      k += 2;
      c.push_back(aig.lxor(a, b));
      if (p + 1 < cols.size()) cols[p + 1].push_back(aig.land(a, b));
    }
    sum.push_back(c.size() > k ? c[k] : 0);
  }
  while (sum.size() > 1 && sum.back() == 0) sum.pop_back();
  // theta wider than the sum: the gate can never fire.
  const size_t K = sum.size();
  if (K < 127 && theta > (Weight(1) << K) - 1) return 0;
  // S >= theta iff no borrow out of S - theta. Bit t = 1: b' = !s | b; t = 0: b' = !s & b.
  uint32_t borrow = 0;
  for (size_t k = 0; k < K; ++k) {
    const uint32_t ns = sum[k] ^ 1;
    borrow = ((theta >> k) & 1) ? aig.lor(ns, borrow) : aig.land(ns, borrow);
  }
  return borrow ^ 1;
}

LoweredAig lower_to_aig(const Network& ntk) {
  LoweredAig l;
  l.aig = Aig(ntk.num_inputs());
  l.node_literal.assign(ntk.num_nodes(), 0);
  for (uint32_t i = 0; i < ntk.num_inputs(); ++i) {
    l.node_literal[ntk.inputs()[i]] = l.aig.input(i);
    l.input_names.push_back(ntk.input_name(i));
  }
  std::vector<uint32_t> lits;
  for (uint32_t g = 0; g < ntk.num_gates(); ++g) {
    const GateView gv = ntk.gate(g);
    lits.clear();
    for (Signal s : gv.fanins) lits.push_back(l.node_literal[s.index()] ^ uint32_t(s.complemented()));
    l.node_literal[ntk.gate_node(g)] = lower_threshold(l.aig, gv, lits);
  }
  for (const Bus& b : ntk.output_buses())
    for (size_t k = 0; k < b.bits.size(); ++k) {
      l.outputs.push_back(l.node_literal[b.bits[k].index()] ^ uint32_t(b.bits[k].complemented()));
      l.output_names.push_back(fmt::format("{}[{}]", b.name, k));
    }
  return l;
}

namespace {
void put_delta(std::string& out, uint32_t x) {
  while (x & ~0x7fu) {
    out.push_back(char((x & 0x7f) | 0x80));
    x >>= 7;
  }
  out.push_back(char(x));
}
}  // namespace

void write_aiger(std::ostream& os, const LoweredAig& l, bool binary) {
  const Aig& aig = l.aig;
  const uint32_t I = aig.num_inputs(), A = aig.num_ands(), M = aig.max_var();
  std::string out = fmt::format("{} {} {} 0 {} {}\n", binary ? "aig" : "aag", M, I, l.outputs.size(), A);
  if (!binary)
    for (uint32_t i = 0; i < I; ++i) out += fmt::format("{}\n", aig.input(i));
  for (uint32_t o : l.outputs) out += fmt::format("{}\n", o);
  for (uint32_t k = 0; k < A; ++k) {
    const uint32_t lhs = 2 * (I + 1 + k);
    const auto [r0, r1] = aig.ands()[k];  // r0 >= r1, both < lhs (built in topological order)
    if (binary) {
      put_delta(out, lhs - r0);
      put_delta(out, r0 - r1);
    } else {
      out += fmt::format("{} {} {}\n", lhs, r0, r1);
    }
    if (out.size() >= (1u << 20)) {  // stream in pieces of about 1 MiB
      os << out;
      out.clear();
    }
  }
  for (uint32_t i = 0; i < I; ++i) out += fmt::format("i{} {}\n", i, l.input_names[i]);
  for (size_t o = 0; o < l.outputs.size(); ++o) out += fmt::format("o{} {}\n", o, l.output_names[o]);
  out += "c\nwritten by tc0flow: exact AND-inverter lowering of a threshold circuit\n";
  os << out;
}

std::string write_aiger(const LoweredAig& l, bool binary) {
  std::ostringstream out;
  write_aiger(out, l, binary);
  return out.str();
}

}  // namespace tc0::circuits::io
