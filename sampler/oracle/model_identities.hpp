#pragma once
// The identities of SPEC 1.2 measured on a trained model's heads, in float64 (SPEC 1.4: u_theta,
// abar_theta and v_theta(z,t) = u_theta(z,t,t)). A learned model satisfies them only approximately;
// the residuals say how far from consistency it is, so there is no pass/fail bound here.
//
// Only the derivative-free identities are measured: the generic forward pass takes the times as
// exact rationals (the fixed-point contract), so a dual-number policy cannot carry d/dt through the
// time embedding yet. The meanflow and acceleration identities (and abar -> a) are reported n/a
// until the network offers JVPs (fields.hpp: members du_dt, dabar_dt, acceleration_jvp).
#include <cstdint>
#include <vector>

#include "sampler/model.hpp"
#include "sampler/oracle/identities.hpp"

namespace tc0::sampler::oracle {

// u, abar and v of a loaded model evaluated with the float64 policy; times are converted to exact
// rationals and to the model's time conditioning (t_h or t_r).
class ModelHeads {
 public:
  explicit ModelHeads(const Model& m) : m_(m) {}
  std::size_t dim() const;
  std::vector<double> u(const std::vector<double>& z, double r, double t) const;
  std::vector<double> abar(const std::vector<double>& z, double r, double t) const;
  std::vector<double> v(const std::vector<double>& z, double t) const { return u(z, t, t); }

 private:
  const Model& m_;
};

struct ModelIdentityOptions {
  std::vector<double> times{0.0, 0.25, 0.5, 0.75, 1.0};
  int points = 3;  // points per time: z_t = e - (1-t) u(e, t, 1), e seeded standard normal noise
  std::uint64_t seed = 1;
};

// Rows in the order of evaluate_identities; max_residual is the max-norm residual over the grid,
// tolerance holds the scale max |v| over the points for reading it relatively.
std::vector<IdentityResult> evaluate_model_identities(const ModelHeads& f, const ModelIdentityOptions& opt);

}  // namespace tc0::sampler::oracle
