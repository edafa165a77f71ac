#pragma once
// The arithmetic policy the generic network and samplers are written against (DESIGN.md: one model
// source, instantiated for double, MPFR, the bit-exact Fixed type and later a circuit Wire type).
//
// Every operation names its output format. The Fixed policy computes the exact result and rounds
// once to that format (SPEC section 2); the double and MPFR policies ignore formats and follow the
// same operation graph without rounding. Constants (weights, biases) are Const: the trained float
// value and its quantisation to the tensor's format; a policy picks the one it computes with.
// Exact rational constants (1/d, the attention scale, eps, t-r, c (t-r)^2) are folded into the
// operation they feed, so they are rounded once with it. The model code never branches on the
// policy type.
#include <concepts>
#include <span>
#include <string_view>

#include "numerics/fixed.hpp"
#include "numerics/functions.hpp"
#include "numerics/rounding.hpp"

namespace tc0::sampler {

using numerics::BigInt;
using numerics::Fixed;
using numerics::Format;
using numerics::Rational;
using numerics::UnaryFn;

// A trained constant: its float value (as stored in the model file) and its value in the tensor's
// fixed-point format (round half to even, saturated).
struct Const {
  double value = 0;
  Fixed fixed;
};

// Trigonometric functions of exact rational arguments (the time embedding: t and h are exact grid
// points, so cos(f t) is a constant of the sampler, correctly rounded in fixed point).
enum class Trig { cos, sin };

// What a policy A provides; every function is const and returns a fresh Value.
template <class A>
concept ArithPolicy = requires(const A& a, const typename A::Value& v, std::span<const typename A::Value> vs,
                               std::span<const Const> cs, std::span<const Rational> qs, const Rational& q,
                               const Fixed& fx, const Const& c, Format f, UnaryFn fn, Trig tr) {
  typename A::Value;
  // an input entry (the quantised noise or state), exact in every policy
  { a.input(fx) } -> std::same_as<typename A::Value>;
  { a.constant(c) } -> std::same_as<typename A::Value>;
  // trig(q) of an exact rational q
  { a.trig(tr, q, f) } -> std::same_as<typename A::Value>;
  // offset + sum(bias) + sum_i w_i x_i with constant weights: one linear form, rounded once
  { a.linear(cs, vs, cs, q, f) } -> std::same_as<typename A::Value>;
  // offset + sum_i q_i x_i with exact rational coefficients, rounded once
  { a.lincomb(q, qs, vs, f) } -> std::same_as<typename A::Value>;
  // offset + scale * sum_i x_i y_i (variable x variable), rounded once
  { a.dot(vs, vs, q, q, f) } -> std::same_as<typename A::Value>;
  { a.mul(v, v, f) } -> std::same_as<typename A::Value>;
  // a * b + c, rounded once
  { a.mul_add(v, v, v, f) } -> std::same_as<typename A::Value>;
  { a.sum(vs, f) } -> std::same_as<typename A::Value>;
  { a.max(vs, f) } -> std::same_as<typename A::Value>;
  // table function: the Fixed policy refuses inputs wider than 16 bits
  { a.unary(fn, v, f) } -> std::same_as<typename A::Value>;
  { a.convert(v, f) } -> std::same_as<typename A::Value>;
  { a.to_double(v) } -> std::same_as<double>;
};

}  // namespace tc0::sampler
