#pragma once
// Any function of a linear form (SPEC section 3, depth 2): a staircase. For an integer form S with
// values in [lo, hi], one gate [S >= v] per value v where f changes, and one output gate per bit that
// adds up the changes of that bit: bit_b(f(S)) = bit_b(f(lo)) + sum_{v <= S} (bit_b(f(v)) - bit_b(f(v-1))).
// Size <= (#value changes) + q for a q-bit output. Used for rounding, saturation, activations and
// tables (SPEC section 2: tables serve inputs of at most 16 bits, so a form spanning more than
// 2^17 values is refused).
#include <functional>

#include "circuits/gadgets/common.hpp"
#include "numerics/functions.hpp"

namespace tc0::circuits::gadgets {

// f maps the integer value of the form (constant + sum w z; lf.frac is ignored) to a raw output of
// format out; a value outside out's range is refused with CircuitError naming the input.
template <class Ntk>
Bus staircase(Ntk& ntk, const LinearForm& lf, const std::function<int64_t(int64_t)>& f, numerics::Format out,
              GadgetStats* st = nullptr, const std::string& name = "f");

// f applied to a bus's raw value (e.g. a table of numerics::Table): the staircase over its bits.
template <class Ntk>
Bus function_of_bus(Ntk& ntk, const Bus& x, const std::function<int64_t(int64_t)>& f, numerics::Format out,
                    GadgetStats* st = nullptr, const std::string& name = "f");

// A correctly rounded activation (numerics::Table, MPFR) of a bus of at most 16 bits, x in x.fmt.
template <class Ntk>
Bus unary_table(Ntk& ntk, const Bus& x, numerics::UnaryFn fn, numerics::Format out, GadgetStats* st = nullptr);

// f(round(S)): the form's exact value (constant + sum w z) * 2^-lf.frac rounded once to the table
// format `table_in` (half to even, then saturated; at most 16 bits), then f of that raw value
// (e.g. a numerics::Table lookup). The rounding is folded into the staircase's thresholds, so the
// whole thing is depth 2 however wide the form is (a linear layer and its activation in two layers):
// one gate [S >= smallest S whose rounded value reaches t] per table value t where f changes.
template <class Ntk>
Bus function_of_linear_form(Ntk& ntk, const LinearForm& lf, numerics::Format table_in,
                            const std::function<int64_t(int64_t)>& f, numerics::Format out, GadgetStats* st = nullptr,
                            const std::string& name = "f");

}  // namespace tc0::circuits::gadgets
