#pragma once
// The tracing compiler: sampler-model's generic K-step sampler (samplers.hpp) instantiated with
// WireArith, so that noise bits in -> sample bits out becomes one threshold network. Weights, the
// time grid and every format are constants folded into the gates; there is no second copy of the
// model. Input bus i ("e[i]") is noise entry i in the state format; output bus i ("x[i]") is
// sample entry i. Step k's gates are tagged "step<k>/<tensor>/<operation>/<gadget>"; every policy
// operation is one operation of the network (its op map), and every operation feeds the outputs
// (a sampler step evaluates only the heads it uses), so no gate is removed after tracing.
#include <functional>
#include <string>
#include <vector>

#include "circuits/network.hpp"
#include "sampler/compile/wire_arith.hpp"
#include "sampler/model.hpp"

namespace tc0::sampler::compile {

struct CompileOptions {
  circuits::gadgets::LinearFormParams linear{};
  std::vector<TracedOp>* record = nullptr;  // every operation's output, in execution order
  long fault_op = -1;                        // testing only, see WireOptions
  // Capacity hints (counting mode's gates and stored edges), so that the large arrays are
  // allocated once instead of growing by doubling; 0 = none.
  uint64_t reserve_gates = 0, reserve_edges = 0;
  // Called after each phase with its name and seconds.
  std::function<void(const std::string&, double)> on_phase;
};

circuits::Network compile_sampler(const Model& m, const SamplerSpec& spec, const CompileOptions& o = {});

// The sampler spec of a model with its kind and step count overridden (uniform grid).
SamplerSpec make_spec(const Model& m, SamplerKind kind, int steps);

}  // namespace tc0::sampler::compile
