#pragma once
// The circuit arithmetic policy (DESIGN.md: the generic sampler traced with Scalar = Wire). A Value
// is a bus of signals in a threshold network together with its fixed-point format; every policy
// operation is one operation of the network (Network::begin_op/end_op) whose gates come from
// op_build.hpp, bit for bit what FixedArith computes (SPEC.md section 2).
//
// input(x) of a value known while tracing (the model's placeholder zeros) is a constant bus; the
// sampler's free inputs (the noise) are made by primary_input(), which trace.hpp calls.
// Every gate is tagged with a module: the optional scope the caller pushed, then the operation kind.
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "circuits/network.hpp"
#include "sampler/arith.hpp"
#include "sampler/compile/op_build.hpp"

namespace tc0::sampler::compile {

using circuits::Network;

// One recorded operation: its sequence number, kind and output bus (for locating the first
// diverging operation when a circuit disagrees with the Fixed model).
struct TracedOp {
  std::string kind;
  Bus bus;
  std::string module;  // module path of the last gate built when the operation finished
  uint64_t gates_after = 0, edges_after = 0;  // network size when the operation finished
};

struct WireOptions {
  // Construction strategy of every linear form (fixed for a whole compile, SPEC.md section 3).
  LinearFormParams linear{};
  // When set, every operation's output is appended here in execution order.
  std::vector<TracedOp>* record = nullptr;
  // Testing only: complement bit 0 of the output of operation number fault_op (fault injection for
  // the tests of the equivalence check and its diagnosis). -1: none.
  long fault_op = -1;
};

class WireArith {
 public:
  using Value = Bus;

  explicit WireArith(Network& ntk, WireOptions opts = {}) : ntk_(&ntk), opts_(opts) {}

  Network& network() const { return *ntk_; }
  // A fresh primary input bus of format f.
  Bus primary_input(Format f, const std::string& name) const;

  Bus input(const Fixed& x) const;
  Bus constant(const Const& c) const;
  Bus trig(Trig fn, const Rational& q, Format out) const;
  Bus linear(std::span<const Const> w, std::span<const Bus> x, std::span<const Const> bias, const Rational& offset,
             Format out) const;
  Bus lincomb(const Rational& offset, std::span<const Rational> c, std::span<const Bus> x, Format out) const;
  Bus dot(std::span<const Bus> x, std::span<const Bus> y, const Rational& scale, const Rational& offset,
          Format out) const;
  Bus mul(const Bus& a, const Bus& b, Format out) const;
  Bus mul_add(const Bus& a, const Bus& b, const Bus& c, Format out) const;
  Bus sum(std::span<const Bus> x, Format out) const;
  Bus max(std::span<const Bus> x, Format out) const;
  Bus unary(UnaryFn fn, const Bus& x, Format out) const;
  Bus convert(const Bus& x, Format out) const;
  // A circuit value has no number until it is simulated.
  double to_double(const Bus& x) const;

  uint64_t operations() const { return ops_; }
  // The model names each activation right after computing it (sampler/observe.hpp): the gates made
  // since the previous name move into a module named after the tensor, so module paths read
  // "step0/blocks.1.attn.q/dot/linear_form" and the module picture shows the model's blocks.
  void observe(std::string_view name, std::span<const Bus> values) const;

 private:
  // Runs one operation of the network: build(ntk) makes its gates between begin_op and end_op.
  template <class Build>
  Bus op(const char* kind, Build&& build) const;
  Network* ntk_;
  WireOptions opts_;
  mutable uint64_t ops_ = 0;
  mutable uint32_t named_until_ = 0;  // gates below this index already carry their tensor's name
};

static_assert(ArithPolicy<WireArith>);

// Where observe() moves a gate made since the previous observation: a module path under `base`
// (the module pushed when the tensor is named, e.g. "step0") becomes base/name/rest; any other
// path is kept. Shared with the counter, so counted modules are named as materialised ones.
std::string tensor_module_path(const std::string& base, std::string_view name, const std::string& path);

}  // namespace tc0::sampler::compile
