#include "circuits/extract.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace tc0::circuits {

Network extract_module(const Network& ntk, const std::string& path) {
  std::vector<char> module_match(ntk.modules().size(), 0);
  for (size_t m = 0; m < ntk.modules().size(); ++m) {
    const std::string& p = ntk.modules()[m];
    module_match[m] = p == path || (p.size() > path.size() && p.compare(0, path.size(), path) == 0 && p[path.size()] == '/');
  }
  std::vector<char> member(ntk.num_nodes(), 0);
  uint64_t count = 0;
  for (uint32_t g = 0; g < ntk.num_gates(); ++g)
    if (module_match[ntk.gate(g).module]) member[ntk.gate_node(g)] = 1, ++count;
  if (count == 0) throw CircuitError(fmt::format("extract: no gate in module '{}'", path));

  // Which member gates are read from outside (other gates, output buses)?
  std::vector<char> exported(ntk.num_nodes(), 0);
  for (uint32_t g = 0; g < ntk.num_gates(); ++g) {
    if (member[ntk.gate_node(g)]) continue;
    for (Signal s : ntk.gate(g).fanins)
      if (member[s.index()]) exported[s.index()] = 1;
  }
  for (const Bus& b : ntk.output_buses())
    for (Signal s : b.bits)
      if (member[s.index()]) exported[s.index()] = 1;

  Network out;
  std::vector<Signal> map(ntk.num_nodes(), kFalse);  // old node -> new signal (uncomplemented)
  std::vector<char> mapped(ntk.num_nodes(), 0);
  mapped[0] = 1;
  uint32_t cuts = 0;
  std::vector<Signal> ins;
  std::vector<Weight> ws;
  std::vector<Signal> outputs;
  for (uint32_t g = 0; g < ntk.num_gates(); ++g) {
    const uint32_t node = ntk.gate_node(g);
    if (!member[node]) continue;
    const GateView v = ntk.gate(g);
    ins.clear();
    ws.clear();
    for (size_t i = 0; i < v.size(); ++i) {
      const uint32_t src = v.fanins[i].index();
      if (!mapped[src]) {  // read from outside the module: a fresh primary input
        map[src] = out.create_input(fmt::format("cut[{}]", cuts++));
        mapped[src] = 1;
      }
      ins.push_back(v.fanins[i].complemented() ? !map[src] : map[src]);
      ws.push_back(v.weight(i));
    }
    // Keep the module path (push_module nests, so push the whole path as one name).
    if (v.module != 0) out.push_module(ntk.modules()[v.module]);
    map[node] = out.create_threshold(ins, ws, v.theta);
    if (v.module != 0) out.pop_module();
    mapped[node] = 1;
    if (exported[node]) outputs.push_back(map[node]);
  }
  for (size_t j = 0; j * 64 < outputs.size(); ++j) {
    Bus b{fmt::format("out{}", j), numerics::Format(2, 0), false, {}};
    for (size_t k = j * 64; k < std::min(outputs.size(), (j + 1) * 64); ++k) b.bits.push_back(outputs[k]);
    b.fmt = numerics::Format(int(std::max<size_t>(2, b.bits.size())), 0);
    out.add_output_bus(std::move(b));
  }
  return out;
}

}  // namespace tc0::circuits
