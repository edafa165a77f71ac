#pragma once
// An independent float64 forward pass of the MLP architecture and its MF2/Euler sampler, written
// from sampler/README.md with plain loops (not through the arithmetic policies or network.hpp), that
// records every named activation. Tests of calibration and fidelity compare against it.
#include <cmath>
#include <fmt/format.h>
#include <map>
#include <string>
#include <vector>

#include "sampler/model.hpp"

namespace tc0::test {

using Vec = std::vector<double>;
using Record = std::map<std::string, std::vector<double>>;

inline double silu(double x) { return x / (1 + std::exp(-x)); }
inline double gelu(double x) { return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0))); }

inline Vec dense(const sampler::Model& m, const std::string& p, const Vec& x) {
  const auto& w = m.weight(p + ".weight");
  const auto& b = m.weight(p + ".bias");
  const size_t rows = static_cast<size_t>(w.shape[0]), cols = static_cast<size_t>(w.shape[1]);
  Vec y(rows);
  for (size_t i = 0; i < rows; ++i) {
    double s = b.data[i].value;
    for (size_t j = 0; j < cols; ++j) s += w.data[i * cols + j].value * x[j];
    y[i] = s;
  }
  return y;
}

inline void put(Record& r, const std::string& n, const Vec& v) { r[n].insert(r[n].end(), v.begin(), v.end()); }

// (u, abar) at (z, t, s), s the second time input; appends every activation to rec. Only the heads
// asked for are computed (as the sampler does: each evaluation computes the head its update reads).
inline std::pair<Vec, Vec> mlp_forward(const sampler::Model& m, const Vec& z, double t, double s, Record& rec,
                                       bool want_u = true, bool want_abar = true) {
  const auto& cfg = m.config();
  Vec temb;
  for (double x : {t, s}) {
    for (const auto& f : cfg.freqs) temb.push_back(std::cos(f.convert_to<double>() * x));
    for (const auto& f : cfg.freqs) temb.push_back(std::sin(f.convert_to<double>() * x));
  }
  put(rec, "temb", temb);
  Vec x = z;
  x.insert(x.end(), temb.begin(), temb.end());
  for (int l = 0; l < cfg.mlp.depth; ++l) {
    const std::string p = fmt::format("layers.{}", l);
    Vec pre = dense(m, p, x);
    put(rec, p + ".pre", pre);
    for (double& v : pre) v = cfg.mlp.activation == numerics::UnaryFn::silu ? silu(v) : gelu(v);
    put(rec, p + ".act", pre);
    x = pre;
  }
  Vec u, ab;
  if (want_u) {
    u = dense(m, "head_u", x);
    put(rec, "u", u);
  }
  if (want_abar) {
    ab = dense(m, "head_abar", x);
    put(rec, "abar", ab);
  }
  return {u, ab};
}

// MF2 or Euler on the uniform grid of `steps` steps, t_h conditioning; appends "state" per step.
inline Vec mlp_sample(const sampler::Model& m, sampler::SamplerKind kind, int steps, Vec z, Record& rec) {
  const double c = m.config().sampler.c.convert_to<double>();
  for (int i = 0; i < steps; ++i) {
    const double t = 1.0 - static_cast<double>(i) / steps, r = 1.0 - static_cast<double>(i + 1) / steps, dt = t - r;
    Vec nz(z.size());
    if (kind == sampler::SamplerKind::mf2) {
      auto [v, ab0] = mlp_forward(m, z, t, 0.0, rec, true, false);
      auto [u1, ab] = mlp_forward(m, z, t, dt, rec, false, true);
      for (size_t k = 0; k < z.size(); ++k) nz[k] = z[k] - dt * v[k] + c * dt * dt * ab[k];
    } else {
      auto [v, ab0] = mlp_forward(m, z, t, 0.0, rec, true, false);
      for (size_t k = 0; k < z.size(); ++k) nz[k] = z[k] - dt * v[k];
    }
    put(rec, "state", nz);
    z = nz;
  }
  return z;
}

}  // namespace tc0::test
