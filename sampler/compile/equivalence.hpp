#pragma once
// Equivalence of a compiled sampler circuit with the Fixed sampler (SPEC section 2: the fixed-point
// model is the specification): both run on the same inputs, half quantised noise from the
// sampler's portable generator, half uniformly random bit patterns of the state format, and every
// output bit must agree. On a mismatch the sampler is traced again with every operation recorded,
// the failing input is simulated with all intermediate buses exposed and compared with the Fixed
// model's values op by op, and the first diverging operation (index, kind, module) is reported.
// The circuit is simulated on the device of `simulator` (circuits/sim/device.hpp); when that is a
// GPU, the fixed-point reference of each batch runs on the CPU cores at the same time.
//
// Input i of a check depends only on (seed, count, i), so the inputs split into shards (one per MPI
// rank, tools/cli/cluster.hpp) whose results combine into exactly the single-process result.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "circuits/network.hpp"
#include "circuits/sim/bitsim.hpp"
#include "sampler/compile/trace.hpp"
#include "sampler/model.hpp"

namespace tc0::sampler::compile {

struct EquivalenceOptions {
  size_t count = 1000;
  uint64_t seed = 1;
  double noise_fraction = 0.5;  // the rest are uniformly random bit patterns
  size_t batch = 4096;          // inputs simulated per batch
  CompileOptions compile{};     // how `ntk` was compiled (for the diagnosis retrace)
  circuits::sim::SimOptions simulator{};  // threads, device (the diagnosis retrace runs on the CPU)
  std::function<void(size_t done, size_t total)> progress;
};

struct Mismatch {
  size_t input = 0;           // index of the input (noise inputs first)
  std::string input_kind;     // "noise" or "random bits"
  std::vector<int64_t> raw;   // the input's raw values
  size_t output = 0;          // first differing output entry
  int64_t circuit = 0, fixed = 0;
  // first diverging operation (when found)
  long op_index = -1;
  std::string op_kind, op_module;
  int64_t op_circuit = 0, op_fixed = 0;
  std::string describe() const;
};

struct EquivalenceResult {
  size_t compared = 0, mismatches = 0, noise_inputs = 0, random_inputs = 0;
  std::optional<Mismatch> first;
  double seconds_fixed = 0, seconds_circuit = 0;  // overlapped when the circuit ran on a device
  circuits::sim::DeviceRun device;                // where the circuit was simulated
  bool ok() const { return mismatches == 0; }
};

// How many of the o.count inputs are quantised noise (they come first).
size_t noise_count(const EquivalenceOptions& o);
// Inputs [begin, end) of the check: vectors of data_dim raw values in the state format.
std::vector<std::vector<Fixed>> equivalence_inputs(const Model& m, const EquivalenceOptions& o, size_t begin, size_t end);

EquivalenceResult check_equivalence(const Model& m, const SamplerSpec& spec, const circuits::Network& ntk,
                                    const EquivalenceOptions& o);

// Fills in the first diverging operation of a mismatch (recompiles the sampler with every operation
// recorded, so it is done once, for the first mismatch of the whole run).
void locate_mismatch(const Model& m, const SamplerSpec& spec, const CompileOptions& co, Mismatch& mm);

// One shard [begin, end) of the inputs: the circuit against the fixed-point sampler on every input
// and, when `fidelity`, the fixed-point sampler against float64 on the shard's noise inputs.
struct ShardResult {
  size_t begin = 0, end = 0;
  size_t compared = 0, mismatches = 0, noise_inputs = 0, random_inputs = 0;
  std::optional<Mismatch> first;  // the shard's first mismatch, not yet located
  double seconds_fixed = 0, seconds_circuit = 0, seconds_float = 0;
  size_t fidelity_inputs = 0, error_count = 0;
  double max_error = 0;   // largest |fixed - float64| over the shard's noise inputs' entries
  size_t worst_input = 0; // the first input where it occurs
  // Per unit of 64 inputs of the shard (begin is a multiple of 64): the sum of |fixed - float64|
  // over its noise inputs' entries, input by input; summed unit by unit the mean does not depend on
  // the sharding.
  std::vector<double> unit_error_sums;
  circuits::sim::DeviceRun device;  // where the shard's circuit was simulated (not serialised)
};
ShardResult check_shard(const Model& m, const SamplerSpec& spec, const circuits::Network& ntk,
                        const EquivalenceOptions& o, size_t begin, size_t end, bool fidelity);
nlohmann::json to_json(const ShardResult& r);
ShardResult shard_from_json(const nlohmann::json& j);

// Fixed sampler outputs for the given inputs (raw values).
std::vector<std::vector<int64_t>> run_fixed(const Model& m, const SamplerSpec& spec,
                                            const std::vector<std::vector<Fixed>>& inputs);

}  // namespace tc0::sampler::compile
