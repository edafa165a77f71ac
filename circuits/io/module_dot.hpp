#pragma once
// Module-level picture of a large circuit: one box per module (module paths cut to their first
// `depth` components, e.g. "step0/blocks.1.attn"), labelled with its gates, edges and the logic
// levels it spans; an arrow per pair of modules that one feeds the other, labelled with the number
// of wires. Inputs and outputs are one box each. This is how a 10^7-gate sampler is drawn;
// write_dot (dot.hpp) draws gate-level pictures of a sub-module or an output cone.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "circuits/network.hpp"

namespace tc0::circuits::io {

struct ModuleBox {
  std::string name;
  uint64_t gates = 0, edges = 0;
  uint32_t first_level = 0, last_level = 0;
};

struct ModuleGraph {
  std::vector<ModuleBox> boxes;  // boxes[0] is the inputs, boxes[1] the outputs
  struct Arrow {
    uint32_t from = 0, to = 0;
    uint64_t wires = 0;
  };
  std::vector<Arrow> arrows;
  nlohmann::json to_json() const;
};

ModuleGraph module_graph(const Network& ntk, int depth);
std::string write_module_dot(const ModuleGraph& g, const std::string& title);

}  // namespace tc0::circuits::io
