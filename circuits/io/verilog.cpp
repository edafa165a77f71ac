#include "circuits/io/verilog.hpp"

#include <fmt/format.h>

#include <set>
#include <sstream>
#include <unordered_map>
#include <vector>

#include "circuits/sim/bitsim.hpp"
#include "circuits/stats.hpp"

namespace tc0::circuits::io {

namespace {

std::string dec(Weight v) {  // v >= 0
  if (v == 0) return "0";
  std::string s;
  auto u = static_cast<unsigned __int128>(v);
  while (u) {
    s.insert(s.begin(), char('0' + int(u % 10)));
    u /= 10;
  }
  return s;
}

int bits_of(Weight v) {
  int n = 0;
  for (auto u = static_cast<unsigned __int128>(v); u; u >>= 1) ++n;
  return n;
}

struct GateType {
  std::vector<Weight> weights;
  std::vector<bool> inverted;
  Weight theta;
  auto key() const {
    std::string k;
    for (size_t i = 0; i < weights.size(); ++i) k += dec(weights[i]) + (inverted[i] ? "n," : ",");
    return k + ">=" + dec(theta);
  }
};

}  // namespace

std::string verilog_identifier(const std::string& name) {
  std::string id;
  for (char c : name) id.push_back(std::isalnum(static_cast<unsigned char>(c)) || c == '_' ? c : '_');
  if (id.empty() || std::isdigit(static_cast<unsigned char>(id[0]))) id = "p_" + id;
  return id;
}

void write_verilog(std::ostream& out, const Network& ntk, const std::string& top) {
  out << "// Written by tc0flow: structural Verilog of a threshold circuit, one module per gate type.\n\n";
  // One module per gate type, written as each type is first met; a gate keeps only its type's index.
  std::unordered_map<std::string, uint32_t> type_of_key;
  std::vector<std::string> type_names;
  std::vector<uint32_t> gate_type(ntk.num_gates());
  int th_count = 0;
  for (uint32_t g = 0; g < ntk.num_gates(); ++g) {
    const GateView gv = ntk.gate(g);
    GateType t{{}, {}, gv.theta};
    for (size_t i = 0; i < gv.size(); ++i) {
      t.weights.push_back(gv.weight(i));
      t.inverted.push_back(gv.fanins[i].complemented());
    }
    const std::string key = t.key();
    auto it = type_of_key.find(key);
    if (it != type_of_key.end()) {
      gate_type[g] = it->second;
      continue;
    }
    std::string name;
    const GateKind kind = classify_gate(gv);
    if (kind == GateKind::threshold) {
      name = fmt::format("tc0_th{}", th_count++);
    } else {
      name = fmt::format("tc0_{}{}", kind == GateKind::and_gate ? "and" : kind == GateKind::or_gate ? "or" : "maj", gv.size());
      std::string inv;
      for (size_t i = 0; i < gv.size(); ++i)
        if (t.inverted[i]) inv += fmt::format("_{}", i);
      if (!inv.empty()) name += "_n" + inv.substr(1);
    }
    gate_type[g] = uint32_t(type_names.size());
    type_of_key.emplace(key, gate_type[g]);
    type_names.push_back(name);
    Weight total = 0;
    for (Weight w : t.weights) total += w;
    const int W = bits_of(total) + 1;
    std::string m = fmt::format("// [sum w_i x_i >= {}], weights {}\nmodule {}(input [{}:0] x, output y);\n", dec(gv.theta),
                                key.substr(0, key.find(">=")), name, gv.size() - 1);
    m += fmt::format("  wire [{}:0] s = {}'d0", W - 1, W);
    for (size_t i = 0; i < gv.size(); ++i)
      m += fmt::format("\n    + (x[{}] ? {}'d{} : {}'d{})", i, W, t.inverted[i] ? "0" : dec(t.weights[i]), W,
                       t.inverted[i] ? dec(t.weights[i]) : "0");
    m += fmt::format(";\n  assign y = s >= {}'d{};\nendmodule\n\n", W, dec(gv.theta));
    out << m;
  }
  type_of_key.clear();

  // Top module. Nets: an input bit is its port (bit), a gate is n<node>.
  const std::vector<Bus> ports = sim::input_ports(ntk);
  std::vector<std::string> input_net(ntk.num_inputs());
  auto net = [&](uint32_t node) { return ntk.is_input(node) ? input_net[ntk.input_index(node)] : fmt::format("n{}", node); };
  std::set<std::string> used;
  auto unique_id = [&used](const std::string& raw) {
    std::string id = verilog_identifier(raw);
    for (int k = 2; used.count(id); ++k) id = verilog_identifier(raw) + fmt::format("_{}", k);
    used.insert(id);
    return id;
  };
  std::string header = fmt::format("module {}(", verilog_identifier(top));
  std::string decls;
  bool first = true;
  for (const Bus& p : ports) {
    const std::string id = unique_id(p.name);
    header += (first ? "" : ", ") + id;
    first = false;
    const bool scalar = p.bits.size() == 1 && p.name == ntk.input_name(ntk.input_index(p.bits[0].index()));
    decls += scalar ? fmt::format("  input {};\n", id) : fmt::format("  input [{}:0] {};\n", p.bits.size() - 1, id);
    for (size_t k = 0; k < p.bits.size(); ++k)
      input_net[ntk.input_index(p.bits[k].index())] = scalar ? id : fmt::format("{}[{}]", id, k);
  }
  std::vector<std::string> out_ids;
  for (const Bus& b : ntk.output_buses()) {
    out_ids.push_back(unique_id(b.name));
    header += (first ? "" : ", ") + out_ids.back();
    first = false;
    decls += fmt::format("  output [{}:0] {};\n", b.bits.size() - 1, out_ids.back());
  }
  out << header << ");\n" << decls;
  for (uint32_t g = 0; g < ntk.num_gates(); ++g) out << fmt::format("  wire n{};\n", ntk.gate_node(g));
  for (uint32_t g = 0; g < ntk.num_gates(); ++g) {
    const uint32_t node = ntk.gate_node(g);
    const GateView gv = ntk.gate(g);
    std::string args;
    for (size_t i = gv.size(); i-- > 0;) args += (i + 1 == gv.size() ? "" : ", ") + net(gv.fanins[i].index());
    out << fmt::format("  {} g{}(.x({{{}}}), .y(n{}));\n", type_names[gate_type[g]], node, args, node);
  }
  for (size_t o = 0; o < ntk.output_buses().size(); ++o) {
    const Bus& b = ntk.output_buses()[o];
    for (size_t k = 0; k < b.bits.size(); ++k) {
      const Signal s = b.bits[k];
      const bool inv = s.complemented();
      out << fmt::format("  assign {}[{}] = {}{};\n", out_ids[o], k, inv ? (s.index() == 0 ? "" : "~") : "",
                         s.index() == 0 ? (inv ? "1'b1" : "1'b0") : net(s.index()));
    }
  }
  out << "endmodule\n";
}

std::string write_verilog(const Network& ntk, const std::string& top) {
  std::ostringstream out;
  write_verilog(out, ntk, top);
  return out.str();
}

}  // namespace tc0::circuits::io
