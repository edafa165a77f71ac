#pragma once
// No wrap-around in any accumulator of a whole sampler (SPEC 5), for its declared input range: the
// model code itself (sampler/network.hpp, sampler/samplers.hpp) runs once over IntervalArith, an
// arithmetic policy whose values are nodes of the interval analysis (proofs/interval.hpp), so the
// operation graph is the one the fixed-point sampler and the circuit follow, never a copy of it.
//   input     the state entries: the clipped noise range rounded to the state format;
//   linear, lincomb, dot, mul, mul_add, sum, convert: accumulator nodes, each step checked by Z3
//             (interval, declared accumulator width, rounded output interval);
//   unary     a table: its image over the operand interval, by enumerating the table entries;
//   max       the hull [max lo_i, max hi_i] rounded to the output format (max and rounding are
//             monotone), no accumulator;
//   constant, trig: the exact quantised constant.
// Only dyadic exact constants are supported (every shipped model's: t, h, 1/d, eps, the scale).
#include <string>
#include <vector>

#include "numerics/format.hpp"
#include "proofs/interval.hpp"
#include "proofs/query.hpp"
#include "proofs/result.hpp"
#include "sampler/model.hpp"

namespace tc0::proofs {

struct ModelNoWrapOptions {
  // Declared accumulator width of every linear form. 128: the Fixed type's fast accumulator (a signed
  // __int128; it falls back to arbitrary precision on overflow, so a proof here says the fast path
  // always suffices). A port to int64 arithmetic would declare 64.
  int acc_bits = 128;
  QueryOptions query;
};

// Per named activation (the keys of formats.activations), over every node that produced it.
struct TensorNoWrap {
  std::string name;
  numerics::Format fmt{8, 0};
  size_t nodes = 0;          // operations that produced the tensor's values
  size_t steps = 0;          // accumulator steps among them (the rest: tables, max)
  size_t proved = 0, refuted = 0, inconclusive = 0;
  size_t reused = 0;         // steps identical to one solved before
  int max_needed_bits = 0;   // widest accumulator needed
  size_t saturation_possible = 0;  // steps whose interval reaches past the format (clamped, not wrapped)
  double out_lo = 0, out_hi = 0;   // proved output interval (real values)
  double seconds = 0;
};

struct ModelNoWrapReport {
  std::string model;
  std::vector<TensorNoWrap> tensors;  // in the order the sampler first produces them
  size_t nodes = 0, steps = 0, proved = 0, refuted = 0, inconclusive = 0, reused = 0;
  size_t solver_queries = 0;
  int max_needed_bits = 0;
  std::string widest_tensor;
  int acc_bits = 0;
  double seconds = 0;
  Verdict verdict() const {
    return refuted ? Verdict::refuted : inconclusive ? Verdict::inconclusive : Verdict::proved;
  }
};

// Runs the model's sampler (kind, steps and grid of its config) once over IntervalArith.
ModelNoWrapReport check_model_no_wrap(const sampler::Model& m, const ModelNoWrapOptions& opt);

}  // namespace tc0::proofs
