#include "circuits/levels.hpp"

#include <algorithm>

namespace tc0::circuits {

Levels compute_levels(const Network& ntk) {
  Levels lv;
  lv.level.assign(ntk.num_nodes(), 0);
  // Gates are stored in topological order: every fan-in has a smaller node index.
  for (uint32_t g = 0; g < ntk.num_gates(); ++g) {
    uint32_t l = 0;
    for (Signal s : ntk.gate(g).fanins) l = std::max(l, lv.level[s.index()]);
    lv.level[ntk.gate_node(g)] = l + 1;
  }
  bool any_output = false;
  for (const Bus& b : ntk.output_buses())
    for (Signal s : b.bits) {
      any_output = true;
      lv.depth = std::max(lv.depth, lv.level[s.index()]);
    }
  if (!any_output)
    for (uint32_t l : lv.level) lv.depth = std::max(lv.depth, l);
  return lv;
}

uint32_t depth_of(const Levels& lv, std::span<const Signal> signals) {
  uint32_t d = 0;
  for (Signal s : signals) d = std::max(d, lv.of(s));
  return d;
}

std::vector<uint32_t> critical_path(const Network& ntk, const Levels& lv) {
  uint32_t end = 0;
  bool found = false;
  for (const Bus& b : ntk.output_buses())
    for (Signal s : b.bits)
      if (!found || lv.of(s) > lv.level[end]) {
        end = s.index();
        found = true;
      }
  if (!found)
    for (uint32_t n = 0; n < ntk.num_nodes(); ++n)
      if (lv.level[n] > lv.level[end]) end = n;
  std::vector<uint32_t> path{end};
  while (ntk.is_gate(path.back())) {
    GateView v = ntk.gate(ntk.gate_index(path.back()));
    uint32_t want = lv.level[path.back()] - 1;
    uint32_t next = v.fanins[0].index();
    for (Signal s : v.fanins)
      if (lv.of(s) == want) {
        next = s.index();
        break;
      }
    if (lv.level[next] == 0 && !ntk.is_input(next)) break;
    path.push_back(next);
  }
  std::reverse(path.begin(), path.end());
  return path;
}

}  // namespace tc0::circuits
