#pragma once
// The payloads of the explorer's data files (site.hpp lists the files): JSON text written by hand
// where a file is large (unit instances, templates), through nlohmann::json where it is small.
// The page decodes them in tools/explorer/web/src (gates.js: units and templates).
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "circuits/gate_units.hpp"
#include "circuits/levels.hpp"
#include "circuits/module_tree.hpp"
#include "circuits/stats.hpp"

namespace tc0::explorer {

// Units of a leaf per instance-data file.
inline constexpr uint32_t kUnitsPerChunk = 64;
// The site format: bump when the data layout changes (the app checks it).
inline constexpr int kSiteFormat = 1;

// What the encoders read: the circuit and everything derived from it.
struct SiteModel {
  const circuits::Network& ntk;
  const circuits::Levels& lv;
  const circuits::ModuleTree& tree;
  const circuits::GateUnits& units;
};

// Names of the circuit's bits: input buses (loose inputs as 1-bit buses) with the first unit that
// reads each, output buses with the unit that drives each, and the output bit names of each gate.
struct BusNames {
  BusNames(const SiteModel& m);
  std::vector<std::pair<uint32_t, uint32_t>> input_bit;  // per network node: (input bus, bit); UINT32_MAX: not an input
  nlohmann::json inputs, outputs;                        // the buses, as meta.js lists them
  std::map<uint32_t, std::vector<std::string>> output_names;  // gate node -> "x[0][3]", "~y[1]"
};

// meta.js: stats, tree with pictures, critical path, buses, size by op kind.
nlohmann::json meta_json(const SiteModel& m, const BusNames& names, const circuits::CircuitStats& st);
// n/<node>.js: the node's depth profile and, for a leaf, its units.
std::string node_json(const SiteModel& m, uint32_t node);
// u/<leaf>_<k>.js: inputs and outputs of units [first, first + count) of a leaf.
std::string unit_chunk_json(const SiteModel& m, const BusNames& names, uint32_t leaf, uint32_t first, uint32_t count);
// t/<id>.js: one template.
std::string template_json(const circuits::UnitTemplate& t);

}  // namespace tc0::explorer
