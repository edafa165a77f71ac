#pragma once
// Recording<A>: any arithmetic policy A plus the observation hook (sampler/observe.hpp). It computes
// exactly what A computes and keeps, per named activation in the order the graph first produces it,
// every observed value and the saturation events of the operations that produced them. Calibration
// (max |x| per tensor in float64) and the fidelity report (fixed vs float64 vs MPFR per tensor) are
// built on it, so neither needs its own copy of the model code.
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "numerics/rounding.hpp"
#include "sampler/arith.hpp"
#include "sampler/observe.hpp"

namespace tc0::sampler {

template <class A>
class Recording {
 public:
  using Value = typename A::Value;
  struct Tensor {
    std::string name;
    std::vector<Value> values;  // in observation order, over every evaluation of the run
    uint64_t saturations = 0;   // saturation events of the operations that produced them
  };

  explicit Recording(A a) : a_(std::move(a)), sat_mark_(numerics::saturation_events()) {}

  Value input(const Fixed& x) const { return a_.input(x); }
  Value constant(const Const& c) const { return a_.constant(c); }
  Value trig(Trig fn, const Rational& q, Format out) const { return done(a_.trig(fn, q, out)); }
  Value linear(std::span<const Const> w, std::span<const Value> x, std::span<const Const> b, const Rational& off,
               Format out) const {
    return done(a_.linear(w, x, b, off, out));
  }
  Value lincomb(const Rational& off, std::span<const Rational> c, std::span<const Value> x, Format out) const {
    return done(a_.lincomb(off, c, x, out));
  }
  Value dot(std::span<const Value> x, std::span<const Value> y, const Rational& k, const Rational& off,
            Format out) const {
    return done(a_.dot(x, y, k, off, out));
  }
  Value mul(const Value& x, const Value& y, Format out) const { return done(a_.mul(x, y, out)); }
  Value mul_add(const Value& x, const Value& y, const Value& c, Format out) const {
    return done(a_.mul_add(x, y, c, out));
  }
  Value sum(std::span<const Value> x, Format out) const { return done(a_.sum(x, out)); }
  Value max(std::span<const Value> x, Format out) const { return done(a_.max(x, out)); }
  Value unary(UnaryFn fn, const Value& x, Format out) const { return done(a_.unary(fn, x, out)); }
  Value convert(const Value& x, Format out) const { return done(a_.convert(x, out)); }
  double to_double(const Value& x) const { return a_.to_double(x); }

  // The hook: the model has just made exactly v.size() values with as many operations.
  void observe(std::string_view name, std::span<const Value> v) const {
    if (v.size() != pending_)
      throw std::logic_error(fmt::format("observe('{}'): {} values after {} operations; the model code must observe "
                                         "right after the operations that produce a tensor",
                                         name, v.size(), pending_));
    pending_ = 0;
    auto [it, fresh] = index_.try_emplace(std::string(name), tensors_.size());
    if (fresh) tensors_.push_back(Tensor{std::string(name), {}, 0});
    Tensor& t = tensors_[it->second];
    t.values.insert(t.values.end(), v.begin(), v.end());
    const uint64_t now = numerics::saturation_events();
    t.saturations += now - sat_mark_;
    sat_mark_ = now;
  }

  const std::vector<Tensor>& tensors() const { return tensors_; }
  // Operations since the last observation (0 after a complete sampler run: every value was named).
  size_t unobserved() const { return pending_; }
  const A& policy() const { return a_; }

 private:
  Value done(Value v) const {
    ++pending_;
    return v;
  }
  A a_;
  mutable std::vector<Tensor> tensors_;
  mutable std::unordered_map<std::string, size_t> index_;
  mutable size_t pending_ = 0;
  mutable uint64_t sat_mark_;
};

}  // namespace tc0::sampler
