#pragma once
// Body of evaluate_identities (identities.hpp). Kept apart so the header reads as the interface.
#include <fmt/format.h>

#include <stdexcept>

namespace tc0::sampler::oracle {

namespace detail {

// Running maximum of one identity's residual, with where it happened.
struct MaxTracker {
  double value = 0;
  std::string where;
  void add(double r, const std::string& at) {
    if (!(r <= value)) {  // NaN also lands here, so a NaN residual is never hidden
      value = r;
      where = at;
    }
  }
};

inline IdentityResult exact_result(std::string name, std::string statement, const MaxTracker& m,
                                   double tol) {
  IdentityResult r;
  r.name = std::move(name);
  r.statement = std::move(statement);
  r.kind = IdentityKind::exact;
  r.max_residual = m.value;
  r.worst = m.where;
  r.tolerance = tol;
  r.pass = m.value <= tol;
  return r;
}

inline IdentityResult order_result(std::string name, std::string statement, IdentityKind kind,
                                   std::vector<std::pair<double, double>> steps, double expected,
                                   double slack, std::string worst) {
  IdentityResult r;
  r.name = std::move(name);
  r.statement = std::move(statement);
  r.kind = kind;
  r.steps = std::move(steps);
  r.expected_order = expected;
  r.order = fitted_order(r.steps);
  r.max_residual = r.steps.empty() ? 0 : r.steps.back().second;
  r.worst = std::move(worst);
  if (kind == IdentityKind::limit)
    r.pass = std::abs(r.order - expected) <= slack;
  else
    r.pass = r.order >= expected - slack;
  return r;
}

inline IdentityResult not_applicable(std::string name, std::string statement, IdentityKind kind,
                                     std::string note) {
  IdentityResult r;
  r.name = std::move(name);
  r.statement = std::move(statement);
  r.kind = kind;
  r.applicable = false;
  r.note = std::move(note);
  r.pass = true;
  return r;
}

}  // namespace detail

template <class S, class F>
  requires MeanFlowFields<F, S>
std::vector<IdentityResult> evaluate_identities(const F& f, std::size_t dim, const IdentityOptions& opt) {
  using detail::axpy;
  using detail::max_abs;
  using detail::max_abs_diff;
  using detail::MaxTracker;
  if (dim == 0) throw std::invalid_argument("identities: the data dimension must be at least 1");
  if (opt.points < 1) throw std::invalid_argument("identities: need at least one point per time");
  if (opt.steps.size() < 2)
    throw std::invalid_argument("identities: need at least two steps t-r to fit an order");

  double scale = 1;
  auto point = [&](double t, int k) {
    auto noise_d = normal_noise(opt.seed, static_cast<std::uint64_t>(k), dim);
    std::vector<S> noise(noise_d.begin(), noise_d.end());
    std::vector<S> z;
    if constexpr (HasSamplePoint<F, S>)
      z = f.template sample_point<S>(noise, S(t));
    else
      z = noise;
    scale = std::max({scale, max_abs(z), max_abs(f.template v<S>(z, S(t)))});
    return z;
  };
  GaussLegendre<S> gl(opt.quadrature_nodes);

  MaxTracker meanflow, accel, accel_closed, displacement, kinematic, add_u, add_abar;
  const auto& T = opt.times;
  const double gap = opt.min_gap * (1 - 1e-9);  // 0.999 and 1 are 1e-3 apart up to rounding
  int index = 0;
  for (std::size_t it = 0; it < T.size(); ++it) {
    for (int p = 0; p < opt.points; ++p, ++index) {
      const S t = S(T[it]);
      auto zt = point(T[it], index);
      auto vt = f.template v<S>(zt, t);
      auto at = acceleration_jvp(f, zt, t);
      if constexpr (HasAcceleration<F, S>)
        accel_closed.add(max_abs_diff(f.template a<S>(zt, t), at), fmt::format("t={} point {}", T[it], p));
      for (std::size_t ir = 0; ir < T.size(); ++ir) {
        if (!(T[it] - T[ir] >= gap)) continue;
        const S r = S(T[ir]);
        const S h = t - r;
        const auto at_rt = fmt::format("r={} t={} point {}", T[ir], T[it], p);
        auto u = f.template u<S>(zt, r, t);
        auto ab = f.template abar<S>(zt, r, t);
        meanflow.add(max_abs_diff(u, axpy(vt, S(-h), du_dt(f, zt, r, t))), at_rt);
        accel.add(max_abs_diff(ab, axpy(at, S(-h), dabar_dt(f, zt, r, t))), at_rt);
        auto zr = trajectory_point(f, zt, t, r);
        if constexpr (HasTrajectory<F, S>) displacement.add(max_abs_diff(zr, axpy(zt, S(-h), u)), at_rt);
        auto rem = kinematic_remainder(f, zt, r, t, gl);
        auto rhs = axpy(zt, S(-h), vt);
        for (std::size_t i = 0; i < dim; ++i) rhs[i] += rem[i];
        kinematic.add(max_abs_diff(zr, rhs), at_rt);
        for (std::size_t is = 0; is < T.size(); ++is) {
          if (!(T[is] - T[ir] >= gap && T[it] - T[is] >= gap)) continue;
          const S s = S(T[is]);
          auto zs = trajectory_point(f, zt, t, s);
          const auto at_rst = fmt::format("r={} s={} t={} point {}", T[ir], T[is], T[it], p);
          auto u_rs = f.template u<S>(zs, r, s), u_st = f.template u<S>(zt, s, t);
          auto a_rs = f.template abar<S>(zs, r, s), a_st = f.template abar<S>(zt, s, t);
          std::vector<S> lu(dim), ru(dim), la(dim), ra(dim);
          for (std::size_t i = 0; i < dim; ++i) {
            lu[i] = h * u[i];
            ru[i] = (s - r) * u_rs[i] + (t - s) * u_st[i];
            la[i] = h * ab[i];
            ra[i] = (s - r) * a_rs[i] + (t - s) * a_st[i];
          }
          add_u.add(max_abs_diff(lu, ru), at_rst);
          add_abar.add(max_abs_diff(la, ra), at_rst);
        }
      }
    }
  }

  // Limits and approximations: r = t - h for decreasing h; the max over times and points per h.
  // The same points serve every h, so the residual sequence shows the order and not the sampling.
  const int base = index;
  std::vector<std::pair<double, double>> b_u, b_a, so_u, mf2;
  std::string w_bu, w_ba, w_so, w_mf2;
  for (double hd : opt.steps) {
    MaxTracker mbu, mba, mso, mmf2;
    for (std::size_t it = 0; it < opt.limit_times.size(); ++it) {
      const double td = opt.limit_times[it];
      for (int p = 0; p < opt.points; ++p) {
        const S t = S(td), h = S(hd), r = t - h;
        auto zt = point(td, base + static_cast<int>(it) * opt.points + p);
        auto vt = f.template v<S>(zt, t);
        auto at = acceleration_jvp(f, zt, t);
        auto u = f.template u<S>(zt, r, t);
        auto ab = f.template abar<S>(zt, r, t);
        const auto where = fmt::format("t={} t-r={} point {}", td, hd, p);
        mbu.add(max_abs_diff(u, vt), where);
        mba.add(max_abs_diff(ab, at), where);
        mso.add(max_abs_diff(u, axpy(vt, S(-h / S(2)), ab)), where);
        auto zr = trajectory_point(f, zt, t, r);
        auto z2 = axpy(axpy(zt, S(-h), vt), S(h * h / S(2)), ab);
        mmf2.add(max_abs_diff(zr, z2), where);
      }
    }
    b_u.emplace_back(hd, mbu.value);
    b_a.emplace_back(hd, mba.value);
    so_u.emplace_back(hd, mso.value);
    mf2.emplace_back(hd, mmf2.value);
    w_bu = mbu.where, w_ba = mba.where, w_so = mso.where, w_mf2 = mmf2.where;
  }

  const double tol = opt.tolerance * scale;
  std::vector<IdentityResult> out;
  out.push_back(detail::order_result("boundary_u", "u(z,r,t) -> v(z,t) as r -> t, error O(t-r)",
                             IdentityKind::limit, b_u, 1.0, opt.order_slack, w_bu));
  out.push_back(detail::order_result("boundary_abar", "abar(z,r,t) -> a(z,t) as r -> t, error O(t-r)",
                             IdentityKind::limit, b_a, 1.0, opt.order_slack, w_ba));
  out.push_back(detail::exact_result("additivity_u", "(t-r) u(z_t,r,t) = (s-r) u(z_s,r,s) + (t-s) u(z_t,s,t)",
                                     add_u, tol));
  out.push_back(detail::exact_result(
      "additivity_abar", "(t-r) abar(z_t,r,t) = (s-r) abar(z_s,r,s) + (t-s) abar(z_t,s,t)", add_abar, tol));
  out.push_back(detail::exact_result("meanflow", "u = v - (t-r) du/dt, du/dt along (v, 0, 1)", meanflow, tol));
  out.push_back(detail::exact_result("acceleration", "abar = a - (t-r) dabar/dt, a = JVP(v; (v, 1))", accel, tol));
  if constexpr (HasAcceleration<F, S>)
    out.push_back(detail::exact_result("acceleration_jvp", "a(z,t) closed form = JVP(v; (v, 1))", accel_closed, tol));
  else
    out.push_back(detail::not_applicable("acceleration_jvp", "a(z,t) closed form = JVP(v; (v, 1))",
                                         IdentityKind::exact, "the fields have no closed-form a"));
  if constexpr (HasTrajectory<F, S>)
    out.push_back(detail::exact_result("displacement", "z_r = z_t - (t-r) u(z_t,r,t)", displacement, tol));
  else
    out.push_back(detail::not_applicable("displacement", "z_r = z_t - (t-r) u(z_t,r,t)", IdentityKind::exact,
                                         "no exact trajectory: z_r is defined by this displacement"));
  out.push_back(detail::exact_result(
      "kinematic", "z_r = z_t - (t-r) v + integral_r^t (q-r) a(z_q,q) dq", kinematic, tol));
  out.push_back(detail::order_result("second_order_u", "u ~= v - 1/2 (t-r) abar (approximation)",
                             IdentityKind::approximation, so_u, 2.0, opt.order_slack, w_so));
  out.push_back(detail::order_result("mf2_displacement", "z_r ~= z_t - (t-r) v + 1/2 (t-r)^2 abar (approximation)",
                             IdentityKind::approximation, mf2, 3.0, opt.order_slack, w_mf2));
  return out;
}

}  // namespace tc0::sampler::oracle
