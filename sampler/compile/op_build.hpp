#pragma once
// The gates of each operation of the traced sampler graph, written once for every builder
// (circuits::Network materialises them, circuits::GateCounter counts them): what WireArith
// (wire_arith.hpp) and the counter (count_arith.hpp) both call. Each builds, bit for bit, what
// FixedArith computes (SPEC.md section 2):
//   linear / lincomb / sum / convert   one linear form with fused round-half-even and saturation
//   dot / mul / mul_add                AND layer of partial products + one linear form (the multiply gadget)
//   unary                              staircase over the correctly rounded table
//   max                                the max gadget, then a conversion to the output format
// Every one reduces to round_pieces: a sum of pieces coef_i * X_i (* Y_i) plus a constant, all exact
// rationals, rounded once. With a common denominator L of the coefficients the value is N / L for an
// integer linear form N over the bits; a power-of-two L goes to the linear-form gadget (depth 2).
// Otherwise (t - r = 1/3 ...) a thermometer does it: one gate g_j = [round(N 2^f / L) >= j] per
// reachable output value j and one output gate per bit (depth 2, like a staircase); the output range
// is limited to 2^16 values, otherwise the operation is refused with a message asking for a dyadic
// time grid.
//
// The construction depends only on the operation's parameters and on which input bits are
// constant, equal or complemented, never on the node numbering of the inputs: terms are kept in
// argument order (duplicates merged at their first occurrence) and canonical gates do not depend
// on node order (circuits/canonical.hpp). The counter relies on it to build an operation once per
// distinct shape.
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "circuits/gadgets/linear_form.hpp"
#include "sampler/arith.hpp"

namespace tc0::sampler::compile {

using circuits::Bus;
using circuits::gadgets::LinearFormParams;

// A rational n 2^-frac with n in 64 bits.
struct Dyadic {
  int64_t num;
  int frac;
};
std::optional<Dyadic> as_dyadic(const Rational& q);

// An exact coefficient. The common ones (weights, 1/D, dt on a power-of-two grid) are dyadic and stay
// in machine integers: a layer's weights never become big-integer fractions.
class Coef {
 public:
  Coef(const Fixed& x) : dyadic_(Dyadic{x.raw, x.fmt.frac()}) {}  // NOLINT: a fixed-point weight is a coefficient
  Coef(const Rational& q) : dyadic_(as_dyadic(q)) {               // NOLINT: so is any exact rational
    if (!dyadic_) q_ = q;
  }
  const std::optional<Dyadic>& dyadic() const { return dyadic_; }
  Rational rational() const;

 private:
  std::optional<Dyadic> dyadic_;
  Rational q_;  // when not dyadic
};

struct Piece {
  const Bus* x = nullptr;
  const Bus* y = nullptr;  // null: the piece is coef * x
  Coef coef;
};

template <class Ntk>
Bus round_pieces(Ntk& ntk, std::span<const Piece> pieces, const Rational& constant, Format out,
                 const LinearFormParams& ps, const std::string& name);

template <class Ntk>
Bus build_linear(Ntk& ntk, std::span<const Const> w, std::span<const Bus> x, std::span<const Const> bias,
                 const Rational& offset, Format out, const LinearFormParams& ps);
template <class Ntk>
Bus build_lincomb(Ntk& ntk, const Rational& offset, std::span<const Rational> c, std::span<const Bus> x, Format out,
                  const LinearFormParams& ps);
template <class Ntk>
Bus build_dot(Ntk& ntk, std::span<const Bus> x, std::span<const Bus> y, const Rational& scale, const Rational& offset,
              Format out, const LinearFormParams& ps);
template <class Ntk>
Bus build_mul(Ntk& ntk, const Bus& a, const Bus& b, Format out, const LinearFormParams& ps);
template <class Ntk>
Bus build_mul_add(Ntk& ntk, const Bus& a, const Bus& b, const Bus& c, Format out, const LinearFormParams& ps);
template <class Ntk>
Bus build_sum(Ntk& ntk, std::span<const Bus> x, Format out, const LinearFormParams& ps);
template <class Ntk>
Bus build_max(Ntk& ntk, std::span<const Bus> x, Format out, const LinearFormParams& ps);
template <class Ntk>
Bus build_unary(Ntk& ntk, UnaryFn fn, const Bus& x, Format out);
template <class Ntk>
Bus build_convert(Ntk& ntk, const Bus& x, Format out, const LinearFormParams& ps);

// A convert that needs no gates (the value fits: a shifted copy with sign extension), or nullopt.
std::optional<Bus> exact_convert(const Bus& x, Format out);

// A bus of constant signals holding x.
Bus constant_bus(const Fixed& x, const std::string& name = "const");
// The rational value of a bus's raw integer times 2^-frac is coef-scaled by this (2^-frac).
Rational pow2_rational(int e);
// Exact rational value of a fixed-point constant.
Rational value_of(const Fixed& x);

}  // namespace tc0::sampler::compile
