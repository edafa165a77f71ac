#include "sampler/compile/trace.hpp"

#include <chrono>

#include <fmt/format.h>

#include "sampler/samplers.hpp"

namespace tc0::sampler::compile {

SamplerSpec make_spec(const Model& m, SamplerKind kind, int steps) {
  if (steps < 1 || steps > 64)
    throw std::invalid_argument(fmt::format("sampler steps must be in [1, 64], got {}", steps));
  SamplerSpec s = m.config().sampler;
  s.kind = kind;
  s.steps = steps;
  s.grid = uniform_grid(steps);
  return s;
}

circuits::Network compile_sampler(const Model& m, const SamplerSpec& spec, const CompileOptions& o) {
  if (spec.grid.size() < 2) throw std::invalid_argument("compile_sampler: the time grid needs at least two points");
  const auto t0 = std::chrono::steady_clock::now();
  auto phase = [&o, t = t0](const std::string& what) mutable {
    const auto now = std::chrono::steady_clock::now();
    if (o.on_phase) o.on_phase(what, std::chrono::duration<double>(now - t).count());
    t = now;
  };
  circuits::Network ntk;
  ntk.reserve(o.reserve_gates, o.reserve_edges);
  WireOptions wo;
  wo.linear = o.linear;
  wo.record = o.record;
  wo.fault_op = o.fault_op;
  WireArith a(ntk, wo);
  const Format fz = m.act("state");
  std::vector<Bus> z;
  for (int i = 0; i < m.config().data_dim; ++i) z.push_back(a.primary_input(fz, fmt::format("e[{}]", i)));
  for (size_t k = 0; k + 1 < spec.grid.size(); ++k) {
    circuits::Network::ModuleScope scope(ntk, fmt::format("step{}", k));
    z = sampler_step(a, m, spec.kind, spec.c, z, spec.grid[k], spec.grid[k + 1]);
  }
  for (size_t i = 0; i < z.size(); ++i) {
    z[i].name = fmt::format("x[{}]", i);
    ntk.add_output_bus(z[i]);
  }
  phase("trace");
  return ntk;
}

}  // namespace tc0::sampler::compile
