#pragma once
// Two-operand arithmetic gadgets on two's-complement buses (SPEC section 3 depths):
//   compare_ge  X >= Y                                    depth 1, one gate
//   add / sub   exact n+1 bits, or rounded+saturated      depth 2 (saturation is fused, no extra depth)
//   multiply    X*Y: AND layer of partial products, then  depth 3 (full 2n bits, or rounded+saturated)
//               the depth-2 linear form over them
// Operands may have different formats; the exact result is formed on the finer grid and rounded
// once (half to even), then saturated, exactly as numerics::add/sub/mul.
#include "circuits/gadgets/linear_form.hpp"

namespace tc0::circuits::gadgets {

// [value(x) >= value(y)], exact across formats.
template <class Ntk>
Signal compare_ge(Ntk& ntk, const Bus& x, const Bus& y, GadgetStats* st = nullptr);

template <class Ntk>
Bus add(Ntk& ntk, const Bus& x, const Bus& y, numerics::Format out, const LinearFormParams& ps = {},
        GadgetStats* st = nullptr);
template <class Ntk>
Bus sub(Ntk& ntk, const Bus& x, const Bus& y, numerics::Format out, const LinearFormParams& ps = {},
        GadgetStats* st = nullptr);
// Exact sum in the smallest format that holds it: width max(wx, wy) + 1 on the finer grid.
template <class Ntk>
Bus add_exact(Ntk& ntk, const Bus& x, const Bus& y, GadgetStats* st = nullptr);

// ps.depth_budget applies to the linear form over the partial products, so the total depth is
// 1 + ps.depth_budget (3 by default; 5 with one grouping level, which cuts edges for wide operands).
template <class Ntk>
Bus multiply(Ntk& ntk, const Bus& x, const Bus& y, numerics::Format out, const LinearFormParams& ps = {},
             GadgetStats* st = nullptr);
// Exact product: Q(wx + wy, fx + fy) for signed operands (the full 2n bits).
template <class Ntk>
Bus multiply_full(Ntk& ntk, const Bus& x, const Bus& y, GadgetStats* st = nullptr);

}  // namespace tc0::circuits::gadgets
