#pragma once
// The interface the identity evaluator measures: any object with member templates
//
//   template <class T> std::vector<T> u(const std::vector<T>& z, const T& r, const T& t) const;
//   template <class T> std::vector<T> abar(const std::vector<T>& z, const T& r, const T& t) const;
//   template <class T> std::vector<T> v(const std::vector<T>& z, const T& t) const;
//
// instantiable for T = S and, for forward-mode derivatives of the heads, T = Dual<S>. A field
// object that cannot run on Dual<S> (e.g. a network whose time embedding takes exact rational
// times) may instead provide its own JVPs, with the tangents of SPEC 1.2 / 1.4:
//   du_dt(z,r,t)     = JVP(u;    (v(z,t), 0, 1))      dabar_dt(z,r,t) = JVP(abar; (v(z,t), 0, 1))
//   acceleration_jvp(z,t) = JVP(v; (v(z,t), 1))
// (member templates over S returning std::vector<S>). A trained
// model plugs in by wrapping its generic forward pass in such an object (its two heads u_theta,
// abar_theta and v_theta(z,t) = u_theta(z,t,t), SPEC 1.4); the Gaussian oracle is one too.
// Optional members the evaluator uses when present (the oracle has them; a model does not):
//   trajectory(z,t,q)            exact ODE trajectory; otherwise z_q = z - (t-q) u(z,q,t)
//   kinematic_remainder(z,r,t)   exact remainder; otherwise Gauss-Legendre along the trajectory
//   a(z,t)                       closed-form acceleration, compared with the JVP of v
//   sample_point(noise,t)        a point distributed as z_t; otherwise z = noise
#include <concepts>
#include <vector>

#include "sampler/oracle/dual.hpp"

namespace tc0::sampler::oracle {

template <class F, class T>
concept FieldsOver = requires(const F& f, const std::vector<T>& z, const T& r, const T& t) {
  { f.template u<T>(z, r, t) } -> std::same_as<std::vector<T>>;
  { f.template abar<T>(z, r, t) } -> std::same_as<std::vector<T>>;
  { f.template v<T>(z, t) } -> std::same_as<std::vector<T>>;
};

template <class F, class S>
concept HasOwnJvps = requires(const F& f, const std::vector<S>& z, const S& t) {
  { f.template du_dt<S>(z, t, t) } -> std::same_as<std::vector<S>>;
  { f.template dabar_dt<S>(z, t, t) } -> std::same_as<std::vector<S>>;
  { f.template acceleration_jvp<S>(z, t) } -> std::same_as<std::vector<S>>;
};

// Fields usable by the evaluator in scalar S: plain, with derivatives by Dual<S> or their own JVPs.
template <class F, class S>
concept MeanFlowFields = FieldsOver<F, S> && (FieldsOver<F, Dual<S>> || HasOwnJvps<F, S>);

template <class F, class S>
concept HasTrajectory = requires(const F& f, const std::vector<S>& z, const S& t) {
  { f.template trajectory<S>(z, t, t) } -> std::same_as<std::vector<S>>;
};
template <class F, class S>
concept HasKinematicRemainder = requires(const F& f, const std::vector<S>& z, const S& t) {
  { f.template kinematic_remainder<S>(z, t, t) } -> std::same_as<std::vector<S>>;
};
template <class F, class S>
concept HasAcceleration = requires(const F& f, const std::vector<S>& z, const S& t) {
  { f.template a<S>(z, t) } -> std::same_as<std::vector<S>>;
};
template <class F, class S>
concept HasSamplePoint = requires(const F& f, const std::vector<S>& z, const S& t) {
  { f.template sample_point<S>(z, t) } -> std::same_as<std::vector<S>>;
};

}  // namespace tc0::sampler::oracle
