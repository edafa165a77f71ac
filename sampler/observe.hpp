#pragma once
// The observation hook of the generic forward pass and samplers. Right after the policy operations
// that produce the values of a named activation (the keys of formats.activations), the model code
// calls observe(a, prefix, suffix, values). A policy with a member
//   void observe(std::string_view name, std::span<const Value> values) const
// receives them (name = prefix + suffix); for every other policy (float64, MPFR, Fixed, Wire) the
// call compiles to nothing, so the model code stays one source and the number types untouched.
// Contract the recorders rely on: between two observe calls the model performs exactly
// values.size() value-producing operations (input and constant excluded), all of them producing the
// observed values, so a recorder can attribute per-operation facts (saturation events) to a name.
#include <span>
#include <string>
#include <string_view>

namespace tc0::sampler {

template <class A>
concept ObservingPolicy = requires(const A& a, std::string_view n, std::span<const typename A::Value> v) {
  a.observe(n, v);
};

template <class A>
void observe(const A& a, std::string_view prefix, std::string_view suffix, std::span<const typename A::Value> v) {
  if constexpr (ObservingPolicy<A>) {
    std::string name(prefix);
    name += suffix;
    a.observe(name, v);
  } else {
    (void)a, (void)prefix, (void)suffix, (void)v;
  }
}

template <class A>
void observe(const A& a, std::string_view prefix, std::string_view suffix, const typename A::Value& v) {
  observe(a, prefix, suffix, std::span<const typename A::Value>(&v, 1));
}

}  // namespace tc0::sampler
