// The circuit's operation map against the model's graph (op_structure.hpp).
#include "proofs/op_structure.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <stdexcept>
#include <optional>
#include <span>
#include <unordered_map>
#include <unordered_set>

namespace tc0::proofs {

using circuits::Network;
using circuits::Signal;
using circuits::Weight;

std::vector<Signal> operand_signals(const Network& ntk, const Operand& a) {
  switch (a.source) {
    case Operand::Source::constant: {
      std::vector<Signal> s;
      const int64_t raw = a.value->raw;
      for (int i = 0; i < a.fmt.width(); ++i) {
        const bool bit = i >= 63 ? raw < 0 : ((raw >> i) & 1) != 0;
        s.push_back(bit ? circuits::kTrue : circuits::kFalse);
      }
      return s;
    }
    case Operand::Source::input: return ntk.input_buses().at(a.index).bits;
    case Operand::Source::op: {
      const auto out = ntk.op(a.index).outputs;
      return std::vector<Signal>(out.begin(), out.end());
    }
  }
  throw std::logic_error("operand_signals: unknown source");
}

OpWiring op_wiring(const Network& ntk, const OpSpec& op) {
  OpWiring w;
  std::unordered_map<uint32_t, int32_t> index;
  for (const Operand& a : op.args) {
    std::vector<OperandBit>& bits = w.operands.emplace_back();
    for (Signal s : operand_signals(ntk, a)) {
      if (s.index() == 0) {
        bits.push_back({-1, s.complemented()});
        continue;
      }
      auto [it, fresh] = index.try_emplace(s.index(), int32_t(w.free_nodes.size()));
      if (fresh) w.free_nodes.push_back(s.index());
      bits.push_back({it->second, s.complemented()});
    }
  }
  return w;
}

namespace {

std::string where(const SamplerGraph& g, uint32_t k) {
  return fmt::format("operation {} ({}, {})", k, g.ops[k].module, to_string(g.ops[k].kind));
}

// What a node is, for messages: a primary input, or a gate of which operation.
std::string describe_node(const Network& ntk, uint32_t node) {
  if (node == 0) return "the constant";
  if (node >= ntk.num_nodes()) return fmt::format("node {} (past the last node)", node);
  if (ntk.is_input(node)) return fmt::format("primary input {}", ntk.input_name(ntk.input_index(node)));
  const uint32_t g = ntk.gate_index(node);
  uint32_t lo = 0, hi = ntk.num_ops();
  while (lo < hi) {  // the first operation whose range ends after g
    const uint32_t mid = (lo + hi) / 2;
    if (ntk.op(mid).end_gate <= g) lo = mid + 1;
    else hi = mid;
  }
  if (lo < ntk.num_ops() && ntk.op(lo).first_gate <= g) return fmt::format("gate {} of operation {}", node, lo);
  return fmt::format("gate {} of no operation", node);
}

// The rule for one operation's reads: every fan-in of its gates is one of its own earlier gates or
// one of its operand wires (is_operand), and so is every output bit (or a constant). `edit`, when
// given, stands in for one of its gates. The first violation, or nullopt.
template <class IsOperand>
std::optional<std::string> first_bad_read(const Network& ntk, const SamplerGraph& g, uint32_t k, IsOperand is_operand,
                                          const GateEdit* edit) {
  const Network::OpView v = ntk.op(k);
  auto own_or_operand = [&](uint32_t node, uint32_t before_gate) {
    if (node != 0 && node < ntk.num_nodes() && is_operand(node)) return true;
    if (node >= ntk.num_nodes() || !ntk.is_gate(node)) return false;
    const uint32_t gi = ntk.gate_index(node);
    return gi >= v.first_gate && gi < before_gate;
  };
  for (uint32_t gi = v.first_gate; gi < v.end_gate; ++gi) {
    const bool edited = edit && edit->gate == gi - v.first_gate;
    const std::span<const Signal> fanins = edited ? std::span<const Signal>(edit->fanins) : ntk.gate(gi).fanins;
    for (Signal s : fanins)
      if (!own_or_operand(s.index(), gi))
        return fmt::format("{}: gate {} reads {}, which is neither its own gate nor one of its operand wires", where(g, k),
                           ntk.gate_node(gi), describe_node(ntk, s.index()));
  }
  for (size_t i = 0; i < v.outputs.size(); ++i) {
    const uint32_t node = v.outputs[i].index();
    if (node != 0 && !own_or_operand(node, v.end_gate))
      return fmt::format("{}: output bit {} is {}, which is neither its own gate nor one of its operand wires",
                         where(g, k), i, describe_node(ntk, node));
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> check_op_reads(const Network& ntk, const SamplerGraph& g, uint32_t k, const GateEdit* edit) {
  if (k >= ntk.num_ops() || k >= g.ops.size()) throw std::invalid_argument("check_op_reads: no such operation");
  std::unordered_set<uint32_t> operand;
  for (const Operand& a : g.ops[k].args)
    for (Signal s : operand_signals(ntk, a)) operand.insert(s.index());
  return first_bad_read(ntk, g, k, [&](uint32_t node) { return operand.count(node) > 0; }, edit);
}

StructureResult check_structure(const Network& ntk, const SamplerGraph& g) {
  StructureResult r;
  auto fail = [&](int64_t op, std::string msg) {
    r.ok = false;
    r.first_bad_op = op;
    r.error = std::move(msg);
    return r;
  };
  // Primary inputs: the graph's, in order, and nothing else.
  const auto& ins = ntk.input_buses();
  if (ins.size() != g.inputs.size())
    return fail(-1, fmt::format("the circuit has {} input buses, the model's sampler {}", ins.size(), g.inputs.size()));
  size_t in_bits = 0;
  for (size_t i = 0; i < ins.size(); ++i) {
    if (ins[i].fmt != g.inputs[i] || !ins[i].is_signed || ins[i].bits.size() != size_t(g.inputs[i].width()))
      return fail(-1, fmt::format("input bus {} ('{}') has format {}, the model's input {} has {}", i, ins[i].name,
                                  ins[i].fmt.str(), i, g.inputs[i].str()));
    in_bits += ins[i].bits.size();
  }
  if (in_bits != ntk.num_inputs())
    return fail(-1, fmt::format("the circuit has {} primary inputs outside its input buses", ntk.num_inputs() - in_bits));

  const uint32_t n_ops = std::min<uint32_t>(ntk.num_ops(), uint32_t(g.ops.size()));
  // mark[node] == k + 1: the node is a free wire of operation k
  std::vector<uint32_t> mark(ntk.num_nodes(), 0);
  uint32_t prev_end = 0;
  for (uint32_t k = 0; k < n_ops; ++k) {
    const OpSpec& op = g.ops[k];
    const Network::OpView v = ntk.op(k);
    if (v.outputs.size() != size_t(op.out.width()))
      return fail(k, fmt::format("{}: the map gives {} output bits, the graph's format {} has {}", where(g, k),
                                 v.outputs.size(), op.out.str(), op.out.width()));
    if (v.first_gate != prev_end)
      return fail(k, fmt::format("gates {}..{} before {} belong to no operation", ntk.gate_node(prev_end),
                                 ntk.gate_node(v.first_gate - 1), where(g, k)));
    prev_end = v.end_gate;
    for (size_t a = 0; a < op.args.size(); ++a) {
      const Operand& x = op.args[a];
      if (x.source == Operand::Source::op && x.index >= k)
        throw std::logic_error("op graph: an operation reads a later one");
      const size_t width = x.source == Operand::Source::op ? ntk.op(x.index).outputs.size() : size_t(x.fmt.width());
      if (width != size_t(x.fmt.width()))
        return fail(k, fmt::format("{}: operand {} has {} bits in the circuit, format {} in the graph", where(g, k), a,
                                   width, x.fmt.str()));
      for (Signal s : operand_signals(ntk, x)) mark[s.index()] = k + 1;
    }
    mark[0] = 0;
    if (auto bad = first_bad_read(ntk, g, k, [&](uint32_t node) { return mark[node] == k + 1; }, nullptr))
      return fail(k, std::move(*bad));
    r.gates += v.end_gate - v.first_gate;
    ++r.ops;
  }
  if (ntk.num_ops() != g.ops.size())
    return fail(n_ops, fmt::format("the circuit's map has {} operations, the model's graph {}: the first one without a "
                                   "counterpart is operation {}{}; was the circuit compiled with this model, sampler "
                                   "and step count?",
                                   ntk.num_ops(), g.ops.size(), n_ops,
                                   n_ops < g.ops.size() ? " (" + g.ops[n_ops].module + ")" : std::string()));
  if (prev_end != ntk.num_gates())
    return fail(-1, fmt::format("gates {}..{} after the last operation belong to no operation", ntk.gate_node(prev_end),
                                ntk.gate_node(ntk.num_gates() - 1)));
  // Primary outputs: the sampler's outputs, bit for bit.
  const auto& outs = ntk.output_buses();
  if (outs.size() != g.outputs.size())
    return fail(-1, fmt::format("the circuit has {} output buses, the sampler {} outputs", outs.size(), g.outputs.size()));
  for (size_t i = 0; i < outs.size(); ++i) {
    const std::vector<Signal> want = operand_signals(ntk, g.outputs[i]);
    if (outs[i].fmt != g.outputs[i].fmt || !outs[i].is_signed || outs[i].bits != want)
      return fail(-1, fmt::format("output bus {} ('{}') is not the sampler's output {} ({}{})", i, outs[i].name, i,
                                  g.outputs[i].source == Operand::Source::op
                                      ? "the output bits of operation " + std::to_string(g.outputs[i].index)
                                      : std::string("an operand"),
                                  outs[i].fmt != g.outputs[i].fmt ? ", format " + g.outputs[i].fmt.str() : ""));
  }
  return r;
}

Network extract_op(const Network& ntk, uint32_t k, const OpSpec& op, const OpWiring& w, const GateEdit* edit) {
  Network out;
  std::unordered_map<uint32_t, Signal> local;  // original node -> local signal
  for (size_t j = 0; j < w.free_nodes.size(); ++j) local.emplace(w.free_nodes[j], out.create_input(fmt::format("w{}", j)));
  const Network::OpView v = ntk.op(k);
  auto map = [&](Signal s) {
    if (s.index() == 0) return s;
    auto it = local.find(s.index());
    if (it == local.end())
      throw std::invalid_argument(fmt::format("extract_op: operation {} reads node {} outside its operands", k, s.index()));
    return s.complemented() ? !it->second : it->second;
  };
  std::vector<Signal> f;
  std::vector<Weight> ws;
  for (uint32_t gi = v.first_gate; gi < v.end_gate; ++gi) {
    f.clear();
    ws.clear();
    Weight theta;
    if (edit && edit->gate == gi - v.first_gate) {
      for (Signal s : edit->fanins) f.push_back(map(s));
      ws = edit->weights;
      theta = edit->theta;
    } else {
      const circuits::GateView gv = ntk.gate(gi);
      for (size_t i = 0; i < gv.size(); ++i) f.push_back(map(gv.fanins[i])), ws.push_back(gv.weight(i));
      theta = gv.theta;
    }
    local[ntk.gate_node(gi)] = out.create_threshold(f, ws, theta);
  }
  circuits::Bus y;
  y.name = "y";
  y.fmt = op.out;
  for (Signal s : v.outputs) y.bits.push_back(map(s));
  out.add_output_bus(std::move(y));
  return out;
}

namespace {

void put_int(std::vector<uint64_t>& key, const numerics::BigInt& v) {
  std::vector<uint64_t> limbs;
  const numerics::BigInt mag = boost::multiprecision::abs(v);
  boost::multiprecision::export_bits(mag, std::back_inserter(limbs), 64);
  key.push_back(uint64_t(v < 0) << 32 | limbs.size());
  key.insert(key.end(), limbs.begin(), limbs.end());
}
void put_rational(std::vector<uint64_t>& key, const Rational& q) {
  put_int(key, boost::multiprecision::numerator(q));
  put_int(key, boost::multiprecision::denominator(q));
}
void put_format(std::vector<uint64_t>& key, Format f) {
  key.push_back(uint64_t(uint32_t(f.width())) << 32 | uint32_t(f.frac() + 4096));
}
void put_fixed(std::vector<uint64_t>& key, const Fixed& x) {
  put_format(key, x.fmt);
  key.push_back(uint64_t(x.raw));
}
void put_weight(std::vector<uint64_t>& key, Weight w) {
  key.push_back(uint64_t(w));
  key.push_back(uint64_t(w >> 64));
}

}  // namespace

std::vector<uint64_t> op_shape(const Network& ntk, uint32_t k, const OpSpec& op, const OpWiring& w) {
  std::vector<uint64_t> key;
  // the graph's parameters
  key.push_back(uint64_t(op.kind));
  put_format(key, op.out);
  key.push_back(op.args.size());
  for (const Operand& a : op.args) put_format(key, a.fmt);
  key.push_back(op.weights.size());
  for (const Fixed& x : op.weights) put_fixed(key, x);
  key.push_back(op.bias.size());
  for (const Fixed& x : op.bias) put_fixed(key, x);
  key.push_back(op.coefs.size());
  for (const Rational& q : op.coefs) put_rational(key, q);
  put_rational(key, op.offset);
  put_rational(key, op.scale);
  key.push_back(uint64_t(op.fn));
  // the operand pattern
  key.push_back(w.free_nodes.size());
  for (const auto& bits : w.operands)
    for (const OperandBit& b : bits) key.push_back(b.free < 0 ? uint64_t(b.bit) : (uint64_t(b.free) + 1) << 1 | b.bit);
  // the gates over local wire numbers: free wire j is j, own gate i is n + i
  const Network::OpView v = ntk.op(k);
  std::unordered_map<uint32_t, uint64_t> local;
  for (size_t j = 0; j < w.free_nodes.size(); ++j) local.emplace(w.free_nodes[j], j);
  const uint64_t n = w.free_nodes.size();
  auto ref = [&](Signal s) -> uint64_t {
    if (s.index() == 0) return s.complemented();
    uint64_t r;
    if (ntk.is_gate(s.index()) && ntk.gate_index(s.index()) >= v.first_gate && ntk.gate_index(s.index()) < v.end_gate)
      r = n + (ntk.gate_index(s.index()) - v.first_gate);
    else
      r = local.at(s.index());
    return (r + 1) << 1 | uint64_t(s.complemented());
  };
  key.push_back(v.end_gate - v.first_gate);
  struct Entry {
    uint64_t ref;
    Weight w;
  };
  std::vector<Entry> fan;
  for (uint32_t gi = v.first_gate; gi < v.end_gate; ++gi) {
    const circuits::GateView gv = ntk.gate(gi);
    fan.clear();
    for (size_t i = 0; i < gv.size(); ++i) fan.push_back({ref(gv.fanins[i]), gv.weight(i)});
    std::sort(fan.begin(), fan.end(), [](const Entry& a, const Entry& b) { return a.ref < b.ref; });
    key.push_back(fan.size());
    put_weight(key, gv.theta);
    for (const Entry& e : fan) {
      key.push_back(e.ref);
      put_weight(key, e.w);
    }
  }
  for (Signal s : v.outputs) key.push_back(ref(s));
  return key;
}

}  // namespace tc0::proofs
