#pragma once
// Fault injection: one gate of a gadget's network is mutated (a weight changed, the threshold moved
// by one, or a fan-in dropped), seeded, and the prover must refute every mutant that differs from
// the specification, with a counterexample the simulator reproduces. Each mutant is also simulated
// exhaustively against the numerics reference (gadgets with at most 20 input bits), so that an
// "equivalent" verdict is confirmed and a proof of a wrong mutant (an escape) is caught.
#include <cstdint>
#include <string>
#include <vector>

#include "circuits/network.hpp"
#include "proofs/equivalence.hpp"

namespace tc0::proofs {

enum class MutationKind { weight, threshold, drop_fanin };
const char* to_string(MutationKind k);

struct Mutation {
  uint32_t gate;  // gate index in the original network
  MutationKind kind;
  size_t fanin = 0;        // which fan-in (weight, drop_fanin)
  circuits::Weight delta;  // added to the weight or the threshold
  std::string str() const;
};

// A copy of ntk (same input and output buses) with one gate changed; the copy goes through
// create_threshold, so a mutant may fold into a constant or an existing signal.
circuits::Network apply_mutation(const circuits::Network& ntk, const Mutation& m);

// A random mutation of a random gate (deterministic in rng's state).
Mutation random_mutation(const circuits::Network& ntk, uint64_t seed);

// True when ntk agrees with the reference on every input (exhaustive, bit-parallel simulator).
// Throws std::invalid_argument above 20 input bits.
bool exhaustively_equivalent(const GadgetCase& gc, const circuits::Network& ntk);

struct MutationOutcome {
  Mutation mutation;
  std::string gadget;
  Verdict verdict;
  bool exhaustive_equal;
  bool escape;  // proved but the exhaustive simulation disagrees (or refuted but it agrees)
  double seconds;
};

struct MutationSummary {
  int total = 0, refuted = 0, equivalent = 0, inconclusive = 0, escapes = 0;
  std::vector<MutationOutcome> outcomes;
};

// `count` mutants spread round-robin over the gadget cases, seeded.
MutationSummary run_mutation_campaign(const std::vector<GadgetCase>& cases, int count, uint64_t seed,
                                      const QueryOptions& opt);

}  // namespace tc0::proofs
