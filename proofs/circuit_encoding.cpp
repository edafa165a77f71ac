#include "proofs/circuit_encoding.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "circuits/sim/bitsim.hpp"
#include "proofs/bv.hpp"

namespace tc0::proofs {

using circuits::Signal;

namespace {
std::vector<z3::expr> fresh_ports(z3::context& ctx, const circuits::Network& ntk, const std::string& prefix) {
  std::vector<z3::expr> ports;
  for (const circuits::Bus& p : circuits::sim::input_ports(ntk))
    ports.push_back(ctx.bv_const((prefix + p.name).c_str(), unsigned(p.bits.size())));
  return ports;
}
}  // namespace

z3::expr encode_gate(z3::context& ctx, const circuits::GateView& gv, const std::vector<z3::expr>& fanins) {
  if (fanins.size() != gv.size())
    throw std::invalid_argument(fmt::format("encode_gate: {} values for {} fan-ins", fanins.size(), gv.size()));
  // w x = |w| (not x) - |w| for w < 0: move negative weights to complemented literals.
  BigInt theta = to_big(gv.theta), total = 0;
  std::vector<std::pair<z3::expr, BigInt>> lits;
  for (size_t i = 0; i < gv.size(); ++i) {
    BigInt w = to_big(gv.weight(i));
    const z3::expr& x = fanins[i];
    if (w < 0) {
      theta += -w;
      lits.emplace_back(!x, -w);
      total += -w;
    } else if (w > 0) {
      lits.emplace_back(x, w);
      total += w;
    }
  }
  if (theta <= 0) return ctx.bool_val(true);
  if (theta > total) return ctx.bool_val(false);
  unsigned width = bit_length(total);  // the unsigned sum never exceeds total
  z3::expr zero = ctx.bv_val(0, width);
  z3::expr sum = zero;
  bool first = true;
  for (auto& [x, w] : lits) {
    z3::expr term = w == 1 ? z3::zext(z3::ite(x, ctx.bv_val(1, 1), ctx.bv_val(0, 1)), width - 1)
                           : z3::ite(x, bv_num(ctx, w, width), zero);
    sum = first ? term : sum + term;
    first = false;
  }
  return z3::uge(sum, bv_num(ctx, theta, width));
}

CircuitEncoding::CircuitEncoding(z3::context& ctx, const circuits::Network& ntk, const std::string& prefix)
    : CircuitEncoding(ctx, ntk, fresh_ports(ctx, ntk, prefix)) {}

CircuitEncoding::CircuitEncoding(z3::context& ctx, const circuits::Network& ntk, const std::vector<z3::expr>& ports,
                                 const std::unordered_map<uint32_t, z3::expr>& cuts)
    : ctx_(ctx), ntk_(ntk), inputs_(ports) {
  auto port_buses = circuits::sim::input_ports(ntk);
  if (port_buses.size() != ports.size())
    throw std::invalid_argument(fmt::format("CircuitEncoding: {} port values for {} input ports", ports.size(),
                                            port_buses.size()));
  nodes_.assign(ntk.num_nodes(), ctx.bool_val(false));
  for (size_t p = 0; p < ports.size(); ++p) {
    const auto& bits = port_buses[p].bits;
    if (width_of(ports[p]) != bits.size())
      throw std::invalid_argument(fmt::format("CircuitEncoding: port {} has {} bits, value has {}", port_buses[p].name,
                                              bits.size(), width_of(ports[p])));
    for (size_t i = 0; i < bits.size(); ++i) {
      z3::expr b = ports[p].extract(unsigned(i), unsigned(i)) == ctx.bv_val(1, 1);
      nodes_[bits[i].index()] = bits[i].complemented() ? !b : b;
    }
  }
  encode_gates(cuts);
}

void CircuitEncoding::encode_gates(const std::unordered_map<uint32_t, z3::expr>& cuts) {
  for (uint32_t g = 0; g < ntk_.num_gates(); ++g) {
    if (auto it = cuts.find(ntk_.gate_node(g)); it != cuts.end()) {
      nodes_[ntk_.gate_node(g)] = it->second;
      continue;
    }
    circuits::GateView gv = ntk_.gate(g);
    std::vector<z3::expr> fanins;
    for (size_t i = 0; i < gv.size(); ++i) fanins.push_back(signal(gv.fanins[i]));
    z3::expr value = encode_gate(ctx_, gv, fanins);
    nodes_[ntk_.gate_node(g)] = value;
  }
}

z3::expr CircuitEncoding::signal(Signal s) const {
  z3::expr v = nodes_[s.index()];
  return s.complemented() ? !v : v;
}

z3::expr CircuitEncoding::bus_bits(const circuits::Bus& bus) const {
  if (bus.bits.empty()) throw std::invalid_argument("CircuitEncoding: empty bus " + bus.name);
  z3::expr_vector parts(ctx_);
  for (size_t i = bus.bits.size(); i-- > 0;)  // concat takes the most significant bit first
    parts.push_back(z3::ite(signal(bus.bits[i]), ctx_.bv_val(1, 1), ctx_.bv_val(0, 1)));
  return parts.size() == 1 ? parts[0] : z3::concat(parts);
}

std::vector<z3::expr> CircuitEncoding::outputs() const {
  std::vector<z3::expr> out;
  for (const circuits::Bus& b : ntk_.output_buses()) out.push_back(bus_bits(b));
  return out;
}

z3::expr CircuitEncoding::output(const std::string& name) const {
  for (const circuits::Bus& b : ntk_.output_buses())
    if (b.name == name) return bus_bits(b);
  throw std::invalid_argument("CircuitEncoding: no output bus named " + name);
}

}  // namespace tc0::proofs
