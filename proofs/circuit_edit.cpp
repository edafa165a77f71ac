// Damaged copies of a compiled circuit (circuit_edit.hpp).
#include "proofs/circuit_edit.hpp"

#include <stdexcept>
#include <utility>

namespace tc0::proofs {

using circuits::Network;
using circuits::Signal;
using circuits::Weight;

Network copy_with_edit(const Network& ntk, const CircuitEdit& e) {
  Network out;
  std::vector<Signal> map(ntk.num_nodes(), circuits::kFalse);
  std::vector<char> in_bus(ntk.num_nodes(), 0), done(ntk.num_nodes(), 0);
  done[0] = 1;
  for (const circuits::Bus& b : ntk.input_buses()) {
    const circuits::Bus& nb = out.create_input_bus(b.name, b.fmt, b.is_signed);
    for (size_t i = 0; i < b.bits.size(); ++i) map[b.bits[i].index()] = nb.bits[i], in_bus[b.bits[i].index()] = 1;
  }
  for (uint32_t i = 0; i < ntk.num_inputs(); ++i) {
    const uint32_t n = ntk.inputs()[i];
    if (!in_bus[n]) map[n] = out.create_input(ntk.input_name(i));
    done[n] = 1;
  }
  auto mapped = [&](Signal s) {
    uint32_t n = s.index();
    if (e.swap_reads && done[e.swap_reads->a] && done[e.swap_reads->b]) {
      if (n == e.swap_reads->a) n = e.swap_reads->b;
      else if (n == e.swap_reads->b) n = e.swap_reads->a;
    }
    const Signal m = map[n];
    return s.complemented() ? !m : m;
  };
  std::vector<Signal> f, outs;
  std::vector<Weight> w;
  auto copy_gate = [&](uint32_t g) {
    f.clear();
    w.clear();
    Weight theta;
    if (e.gate && e.gate->gate == g) {
      for (Signal s : e.gate->fanins) f.push_back(mapped(s));
      w = e.gate->weights;
      theta = e.gate->theta;
    } else {
      const circuits::GateView gv = ntk.gate(g);
      for (size_t i = 0; i < gv.size(); ++i) f.push_back(mapped(gv.fanins[i])), w.push_back(gv.weight(i));
      theta = gv.theta;
    }
    map[ntk.gate_node(g)] = out.create_threshold(f, w, theta);
    done[ntk.gate_node(g)] = 1;
  };
  uint32_t g = 0;
  for (uint32_t k = 0; k < ntk.num_ops(); ++k) {
    const Network::OpView v = ntk.op(k);
    for (; g < v.first_gate; ++g) copy_gate(g);
    out.begin_op();
    for (; g < v.end_gate; ++g) copy_gate(g);
    outs.clear();
    for (Signal s : v.outputs) outs.push_back(mapped(s));
    out.end_op(outs);
  }
  for (; g < ntk.num_gates(); ++g) copy_gate(g);
  for (size_t b = 0; b < ntk.output_buses().size(); ++b) {
    circuits::Bus bus = ntk.output_buses()[b];
    for (Signal& s : bus.bits) s = s.complemented() ? !map[s.index()] : map[s.index()];
    if (e.swap_output_bits && e.swap_output_bits->bus == b) {
      if (e.swap_output_bits->i >= bus.bits.size() || e.swap_output_bits->j >= bus.bits.size())
        throw std::invalid_argument("copy_with_edit: output bit past the bus");
      std::swap(bus.bits[e.swap_output_bits->i], bus.bits[e.swap_output_bits->j]);
    }
    out.add_output_bus(std::move(bus));
  }
  return out;
}

}  // namespace tc0::proofs
