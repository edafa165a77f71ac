#include "circuits/io/blif.hpp"

#include <fmt/format.h>

#include <sstream>

#include "circuits/io/aig.hpp"

namespace tc0::circuits::io {

namespace {

std::string net_name(const Network& ntk, uint32_t node) {
  if (ntk.is_input(node)) return ntk.input_name(ntk.input_index(node));
  return fmt::format("n{}", node);
}

}  // namespace

void write_blif(std::ostream& os, const Network& ntk, const BlifOptions& options) {
  if (options.max_table_fanin > 16)
    throw CircuitError(fmt::format("BLIF: a table of {} inputs is too large (at most 16)", options.max_table_fanin));
  std::string out = fmt::format(".model {}\n.inputs", options.model);
  for (uint32_t i = 0; i < ntk.num_inputs(); ++i) {
    out += ' ';
    out += ntk.input_name(i);
  }
  out += "\n.outputs";
  for (const Bus& b : ntk.output_buses())
    for (size_t k = 0; k < b.bits.size(); ++k) out += fmt::format(" {}[{}]", b.name, k);
  out += "\n";
  bool have_const = false;
  for (uint32_t g = 0; g < ntk.num_gates(); ++g) {
    if (out.size() >= (1u << 20)) {  // stream in pieces of about 1 MiB
      os << out;
      out.clear();
    }
    const GateView gv = ntk.gate(g);
    const uint32_t node = ntk.gate_node(g);
    const size_t n = gv.size();
    if (n <= options.max_table_fanin) {
      out += ".names";
      for (Signal s : gv.fanins) { out += ' '; out += net_name(ntk, s.index()); }
      out += fmt::format(" n{}\n", node);
      for (uint32_t pattern = 0; pattern < (uint32_t(1) << n); ++pattern) {
        Weight sum = 0;
        for (size_t i = 0; i < n; ++i) {
          const bool net = (pattern >> i) & 1;
          if (net != gv.fanins[i].complemented()) sum += gv.weight(i);
        }
        if (sum < gv.theta) continue;
        for (size_t i = 0; i < n; ++i) out.push_back(((pattern >> i) & 1) ? '1' : '0');
        out += " 1\n";
      }
      continue;
    }
    // Too wide for a table: the exact adder-comparator lowering on a private AIG whose inputs are
    // the gate's fan-in nets.
    Aig aig{uint32_t(n)};
    std::vector<uint32_t> lits;
    for (size_t i = 0; i < n; ++i) lits.push_back(aig.input(uint32_t(i)) ^ uint32_t(gv.fanins[i].complemented()));
    const uint32_t root = lower_threshold(aig, gv, lits);
    auto lit_net = [&](uint32_t lit) {  // name of the variable's net (polarity handled by the table)
      const uint32_t var = lit >> 1;
      if (var == 0) return std::string("tc0_const0");
      if (var <= n) return net_name(ntk, gv.fanins[var - 1].index());
      return fmt::format("n{}_a{}", node, var - n - 1);
    };
    for (uint32_t k = 0; k < aig.num_ands(); ++k) {
      const auto [a, b] = aig.ands()[k];
      if ((a >> 1) == 0 || (b >> 1) == 0) have_const = true;
      out += fmt::format(".names {} {} n{}_a{}\n{}{} 1\n", lit_net(a), lit_net(b), node, k, (a & 1) ? '0' : '1',
                         (b & 1) ? '0' : '1');
    }
    if ((root >> 1) == 0) {
      out += fmt::format(".names n{}\n{}", node, (root & 1) ? "1\n" : "");
    } else {
      out += fmt::format(".names {} n{}\n{} 1\n", lit_net(root), node, (root & 1) ? '0' : '1');
    }
  }
  if (have_const) out += ".names tc0_const0\n";
  for (const Bus& b : ntk.output_buses())
    for (size_t k = 0; k < b.bits.size(); ++k) {
      const Signal s = b.bits[k];
      if (s.index() == 0) {
        out += fmt::format(".names {}[{}]\n{}", b.name, k, s.complemented() ? "1\n" : "");
      } else {
        out += fmt::format(".names {} {}[{}]\n{} 1\n", net_name(ntk, s.index()), b.name, k, s.complemented() ? '0' : '1');
      }
    }
  out += ".end\n";
  os << out;
}

std::string write_blif(const Network& ntk, const BlifOptions& options) {
  std::ostringstream out;
  write_blif(out, ntk, options);
  return out.str();
}

}  // namespace tc0::circuits::io
