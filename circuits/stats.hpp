#pragma once
// Size and depth statistics of a threshold network (issue 3 point 4): gates by kind, edges, depth,
// the critical path gate by gate with module tags, max fan-in, bits of the largest |weight| and
// |theta|, and a per-module breakdown. One greppable line (ABC style) and JSON.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "circuits/network.hpp"
#include "numerics/rounding.hpp"

namespace tc0::circuits {

enum class GateKind : uint8_t { and_gate, or_gate, maj_gate, threshold };
const char* gate_kind_name(GateKind k);  // "AND", "OR", "MAJ", "TH"
// Classifies a canonical gate from its weights and theta (all weights 1: theta = n is AND, 1 is
// OR, (n+1)/2 with n odd is MAJ; anything else is a general threshold gate).
GateKind classify_gate(const GateView& g);

// Bits of |v| (0 for 0).
int magnitude_bits(Weight v);

struct PathStep {
  uint32_t node;        // gate node
  uint32_t level;
  uint32_t fanin;
  std::string module;   // module path ("" for the top)
  GateKind kind;
};

struct ModuleStats {
  std::string path;
  uint64_t gates = 0;
  uint64_t edges = 0;
  uint64_t stored_edges = 0;  // fan-in entries of the lists this module's gates stored (shared lists once)
  uint32_t depth = 0;         // longest chain of gates of this module (gates of other modules count 0)
};

struct CircuitStats {
  uint32_t inputs = 0;   // primary input bits
  uint32_t outputs = 0;  // output bits over all output buses
  uint64_t gates = 0;
  uint64_t edges = 0;
  uint64_t stored_edges = 0;  // fan-in entries kept after sharing lists
  uint32_t depth = 0;         // deepest gate
  uint32_t output_depth = 0;  // longest input-to-output path (equal to depth unless some gate reaches no output)
  uint64_t unreached = 0;     // gates from which no output can be reached
  uint32_t max_fanin = 0;
  int weight_bits = 0;  // bits of the largest |weight|
  int theta_bits = 0;   // bits of the largest |theta|
  uint64_t by_kind[4] = {0, 0, 0, 0};
  // sum over gates of (sum |w_i| + |theta|): the size of the circuit with every weight-w edge
  // replaced by w unit edges (majority gates only), the strict-TC0 measure of SPEC.md section 3
  numerics::BigInt majority_size = 0;
  std::vector<PathStep> critical_path;  // from the first-level gate to the output gate
  std::vector<ModuleStats> modules;     // modules with at least one gate, by module id

  // `i/o = 16/17  gates = 33  edges = 120  depth = 2  maxfanin = 16  wbits = 9  tbits = 10`
  std::string line() const;
  nlohmann::json to_json() const;
};

CircuitStats compute_stats(const Network& ntk);

}  // namespace tc0::circuits
