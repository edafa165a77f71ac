#pragma once
// Miter-based equivalence of a threshold network with its word-level fixed-point specification.
// The circuit (CircuitEncoding) and the specification (an encoder over the same free input
// bit-vectors, written with fixed_spec.hpp) are compared output by output; a satisfying assignment
// of "some output differs" is re-simulated on the CPU simulator and on the numerics reference, and
// reported as a counterexample only when both agree that the outputs differ.
#include <z3++.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "circuits/network.hpp"
#include "proofs/query.hpp"

namespace tc0::proofs {

struct GadgetCase {
  std::string name;
  std::string params;  // formats and widths, for the report
  circuits::Network ntk;
  // Word-level meaning: one bit-vector per output bus (its width) from one per input port
  // (sim::input_ports order).
  std::function<std::vector<z3::expr>(const std::vector<z3::expr>&)> encode;
  // The same meaning on concrete port values, computed with numerics/ (independent of the encoder
  // and of the circuit): one raw integer per output bus.
  std::function<std::vector<int64_t>(const std::vector<int64_t>&)> reference;
};

struct Counterexample {
  std::vector<std::pair<std::string, int64_t>> inputs;
  std::vector<std::pair<std::string, int64_t>> circuit;    // simulator's outputs
  std::vector<std::pair<std::string, int64_t>> expected;   // numerics reference
  std::string str() const;
  nlohmann::json to_json() const;
};

struct EquivalenceResult {
  Verdict verdict = Verdict::inconclusive;
  double seconds = 0;
  std::string detail;
  std::optional<Counterexample> cex;
};

// Proves ntk == spec on every input (of every port's full range).
EquivalenceResult prove_equivalence(const GadgetCase& gc, const QueryOptions& opt);

// Simulates ntk on one input (sim::input_ports order) with the bit-parallel CPU simulator.
std::vector<int64_t> simulate_once(const circuits::Network& ntk, const std::vector<int64_t>& ports);

}  // namespace tc0::proofs
