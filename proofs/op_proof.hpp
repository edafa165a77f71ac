#pragma once
// The semantic half of translation validation: one operation's gates (extracted over its free
// wires, op_structure.hpp) against its fixed-point semantics (op_graph.hpp), for EVERY assignment of
// those wires, hence for every value its operands can carry (no premise is needed: the gates are
// proved on a superset of the reachable values).
//
// Methods, picked per operation (each complete; a timeout or an unexplained gate is inconclusive,
// never proved):
//   exhaustive     at most `exhaustive_wires` free wires: every assignment simulated (bit-parallel
//                  CPU kernel) and compared with the fixed-point sampler's own arithmetic
//                  (FixedArith, i.e. numerics/), bound 2^n stated;
//   linear form    linear, lincomb, sum, convert, dot, mul, mul_add: the exact value is written from
//                  the graph's parameters as (K + sum_t c_t p_t) / L over term wires p_t (operand bits,
//                  and for products the AND of two bits). Proved in layers (proofs/README.md):
//                  (a) each partial product's gate against the AND of its two bits (all 4 cases);
//                  (b) each group sum of the block-save reduction: its gates over its <= 20 term wires
//                      are simulated exhaustively and every bit they hand on is matched to a bit of
//                      the exact group sum, which turns the group into new term wires with known
//                      weights (the construction is found in the gates, never assumed);
//                  (c) the final rounded form over the last term wires: one column lemma per output
//                      bit (column_proof.hpp) against round_sat((K + sum w p) / 2^F) of fixed_spec.hpp;
//   max            comparator gates lifted to word comparisons (each lifting proved by a small
//                  query), then one Z3 query of the output against the max of the operand words.
// A failed proof looks for a concrete counterexample (seeded random assignments simulated on the CPU
// and compared with FixedArith; assignments that put each first-layer gate's sum exactly at its
// threshold and one below, found greedily; then, for linear forms, one Z3 miter of the operation's gates against
// its exact form, whose model is simulated again); the operation is refuted only with one that the
// simulator reproduces.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "circuits/network.hpp"
#include "proofs/op_graph.hpp"
#include "proofs/op_structure.hpp"
#include "proofs/query.hpp"

namespace tc0::proofs {

struct OpCounterexample {
  std::vector<uint8_t> wires;    // the free-wire assignment
  std::vector<Fixed> operands;   // what the operation receives
  int64_t circuit = 0;           // raw output of its gates (CPU simulator)
  int64_t expected = 0;          // raw output of the fixed-point sampler's arithmetic
  std::string str() const;
  nlohmann::json to_json() const;
};

struct OpProof {
  Verdict verdict = Verdict::inconclusive;
  std::string method;
  double seconds = 0;
  int queries = 0;
  std::string detail;  // bound, lemma counts, or why not proved
  std::optional<OpCounterexample> cex;
};

struct OpProofOptions {
  QueryOptions query;
  // Operations with at most this many free wires are proved by exhaustive simulation.
  int exhaustive_wires = 20;
  // An operation that the method of its kind leaves inconclusive is simulated exhaustively when it
  // has at most this many free wires (2^24 assignments: seconds for a few hundred gates).
  int exhaustive_fallback_wires = 24;
  // Group sums with at most this many term wires are simulated exhaustively.
  int group_wires = 20;
  // Final forms with at most this many term wires are enumerated when the word lemmas are
  // inconclusive (those with at most 20 always are); at most kMaxFinalFormWires.
  int final_form_wires = 28;
  // Seeded random assignments tried when a proof fails.
  int search_words = 256;  // x 64 assignments
  uint64_t seed = 1;
};

// Proves `local` (extract_op's network: loose inputs = free wires, one output bus) equal to the
// semantics of `op` whose operands are wired as `w` says.
OpProof prove_op(const circuits::Network& local, const OpSpec& op, const OpWiring& w, const OpProofOptions& o,
                 const std::string& name);

// The operation's operands under one free-wire assignment.
std::vector<Fixed> operand_values(const OpSpec& op, const OpWiring& w, const std::vector<uint8_t>& wires);

// Simulates `local` on one assignment and compares with the semantics: a counterexample, or nullopt
// when they agree.
std::optional<OpCounterexample> check_assignment(const circuits::Network& local, const OpSpec& op, const OpWiring& w,
                                                 const std::vector<uint8_t>& wires);

// Assignments at the threshold of every gate over free wires (sum = theta and theta - 1, greedy),
// simulated and compared with the semantics.
std::optional<OpCounterexample> boundary_search(const circuits::Network& local, const OpSpec& op, const OpWiring& w,
                                                uint64_t seed);

// Seeded random search (words x 64 assignments, with extreme operand values mixed in).
std::optional<OpCounterexample> search_counterexample(const circuits::Network& local, const OpSpec& op,
                                                      const OpWiring& w, int words, uint64_t seed);
// The first assignment among `in` (in[j][word]: free wire j in the 64 lanes of each word, as
// WordSimulator takes them) on which the gates and the fixed-point arithmetic differ, reproduced by
// check_assignment; nullopt when they agree on all of them.
std::optional<OpCounterexample> first_mismatch(const circuits::Network& local, const OpSpec& op, const OpWiring& w,
                                               const std::vector<std::vector<uint64_t>>& in);

}  // namespace tc0::proofs
