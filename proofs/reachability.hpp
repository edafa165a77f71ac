#pragma once
// Whether a wrong operation shows from a sampler input (the mutation campaign of tc0flow verify,
// issue 14): a per-operation counterexample is an assignment of the operation's free wires, which
// the rest of the circuit may never produce. This runs the fixed-point sampler itself on seeded
// sampler inputs, recording the value of every operation (sampler/compile/recording_fixed.hpp: the
// same operations as the graph of op_graph.hpp, in the same order), so the operands that operation k
// receives on input i are known exactly. A (mutated) operation evaluated on those operands and
// compared with its fixed-point semantics says whether input i reaches a difference; the whole
// (mutated) circuit simulated on input i then says whether the sampler's outputs show it or the
// error is masked downstream. Not reaching a difference on N inputs is a search result, never a
// proof that no input reaches one.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "circuits/network.hpp"
#include "circuits/reference_eval.hpp"
#include "proofs/op_graph.hpp"
#include "proofs/op_proof.hpp"
#include "proofs/op_structure.hpp"
#include "sampler/model.hpp"

namespace tc0::proofs {

struct SamplerRuns {
  uint64_t seed = 0;
  std::vector<std::vector<Fixed>> inputs;    // [input][entry]: the noise, in the state format
  std::vector<std::vector<Fixed>> values;    // [input][op]: every operation's result
  std::vector<std::vector<int64_t>> outputs; // [input][entry]: the fixed-point sampler's sample, raw
  double seconds = 0;
};

// The fixed-point sampler on `count` seeded inputs (the equivalence check's inputs: quantised noise
// first, then uniformly random bit patterns of the state format), every operation's value recorded.
// Throws std::logic_error when the recording does not have the graph's operations.
SamplerRuns record_sampler_runs(const sampler::Model& m, const sampler::SamplerSpec& spec, const SamplerGraph& g,
                                size_t count, uint64_t seed);

// The operands operation k receives on recorded input i.
std::vector<Fixed> recorded_operands(const SamplerGraph& g, const SamplerRuns& r, size_t i, uint32_t k);

// The free-wire assignment that carries `operands` (the inverse of operand_values); nullopt when a
// constant operand bit disagrees with them.
std::optional<std::vector<uint8_t>> wires_of(const OpWiring& w, std::span<const Fixed> operands);

struct Reached {
  size_t input = 0;           // the first recorded input on which the operation is wrong
  OpCounterexample cex;       // reproduced by check_assignment (the CPU simulator) on its operands
};

// `local` (extract_op's network of operation k, possibly mutated) on the operands every recorded
// input gives operation k, against the fixed-point semantics: the first input where they differ.
std::optional<Reached> first_reaching_input(const circuits::Network& local, const SamplerGraph& g, uint32_t k,
                                            const OpWiring& w, const SamplerRuns& r);

// The whole circuit evaluated on one sampler input by the reference evaluator
// (circuits/reference_eval.hpp, one sample, no copy of the network), with `replace` standing in for
// one gate when given: the output buses' raw values.
std::vector<int64_t> simulate_sample(const circuits::Network& ntk, std::span<const Fixed> input,
                                     const circuits::GateReplacement* replace = nullptr);

}  // namespace tc0::proofs
