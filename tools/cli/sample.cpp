// tc0flow sample: draws samples from a model with the MF1, MF2 or Euler sampler in float64, MPFR or
// bit-exact fixed point, from the portable quantised noise of a seed (sampler/run.hpp).
#include <fmt/format.h>

#include <cmath>
#include <memory>
#include <string>

#include "sampler/image_grid.hpp"
#include "sampler/model.hpp"
#include "sampler/run.hpp"
#include "tools/cli/command.hpp"

namespace {

using namespace tc0::sampler;

struct Options {
  std::string model;
  std::string sampler;  // empty: the model's configured sampler
  int steps = 0;        // 0: the model's configured steps
  std::string type = "fixed";
  int precision = 128;
  bool quantised_weights = false;
  uint64_t seed = 0;
  size_t count = 16;
  std::string out;
  std::string png;
  std::string json;
};

int run(const Options& o) {
  Model m = Model::load(o.model);
  SampleRequest req;
  req.spec = sampler_spec(m, o.sampler, o.steps);
  req.type = number_type_from_name(o.type);
  req.precision = o.precision;
  req.quantised_weights = o.quantised_weights;
  req.seed = o.seed;
  req.count = o.count;
  if (req.type == NumberType::mpfr && (o.precision < 16 || o.precision > 65536))
    throw std::invalid_argument(fmt::format("--precision {} is outside [16, 65536] bits", o.precision));
  const auto& cfg = m.config();
  if (!o.png.empty() && cfg.architecture != Architecture::dit)
    throw std::invalid_argument("--png draws image models only; this model's samples are points (see -o)");

  SampleResult r = run_sampler(m, req);

  nlohmann::json grid = nlohmann::json::array();
  for (const auto& t : req.spec.grid) grid.push_back(t.convert_to<double>());
  nlohmann::json j = tc0::cli::report_header("sample");
  j["model"] = o.model;
  j["model_name"] = cfg.name;
  j["sampler"] = {{"kind", name(req.spec.kind)}, {"steps", req.spec.steps}, {"c", req.spec.c.convert_to<double>()},
                  {"time_grid", grid}};
  j["type"] = name(req.type);
  if (req.type == NumberType::mpfr) j["precision_bits"] = o.precision;
  if (req.type != NumberType::fixed) j["quantised_weights"] = o.quantised_weights;
  j["seed"] = o.seed;
  j["count"] = o.count;
  j["dim"] = cfg.data_dim;
  j["state_format"] = m.act("state").str();
  j["noise"] = {{"generator", "xoshiro256** (splitmix64 seeding)"}, {"transform", "box-muller-cos, correctly rounded"},
                {"clip", cfg.noise_clip.convert_to<double>()}};
  j["seconds"] = r.seconds;
  j["samples"] = r.values;
  j["noise_raw"] = r.noise_raw;  // the quantised noise, raw integers of the state format
  if (req.type == NumberType::fixed) {
    j["raw"] = r.raw;
    j["saturation_events"] = r.saturations;
  }
  if (!o.out.empty()) tc0::cli::write_json(o.out, j);
  if (!o.png.empty())
    write_png_grid(o.png, r.values, cfg.dit.image_size, cfg.dit.channels, 4);

  double lo = INFINITY, hi = -INFINITY, s1 = 0;
  size_t n = 0;
  for (const auto& v : r.values)
    for (double x : v) { lo = std::min(lo, x); hi = std::max(hi, x); s1 += x; ++n; }
  fmt::print("sample  model {}  sampler {}-{}  type {}{}  seed {}  count {}  dim {}\n", cfg.name.empty() ? o.model : cfg.name,
             name(req.spec.kind), req.spec.steps, name(req.type),
             req.type == NumberType::mpfr ? fmt::format("({} bits)", o.precision) : "", o.seed, o.count, cfg.data_dim);
  fmt::print("values  min {:.4f}  max {:.4f}  mean {:.4f}{}  time {:.2f} s\n", lo, hi, s1 / static_cast<double>(n),
             req.type == NumberType::fixed ? fmt::format("  saturations {}", r.saturations) : "", r.seconds);
  if (!o.json.empty()) {
    nlohmann::json rep = j;
    rep.erase("samples");
    rep.erase("raw");
    rep.erase("noise_raw");
    rep["summary"] = {{"min", lo}, {"max", hi}, {"mean", s1 / static_cast<double>(n)}};
    tc0::cli::write_json(o.json, rep);
  }
  return 0;
}

tc0::cli::Registrar reg(
    "sample", "Draw samples from a model (MF1, MF2 or Euler; float64, MPFR or bit-exact fixed point)",
    [](CLI::App& sub) -> tc0::cli::Runner {
      auto o = std::make_shared<Options>();
      sub.add_option("--model", o->model, "Model directory (config.json + weights.safetensors)")->required();
      sub.add_option("--sampler", o->sampler, "mf1 | mf2 | euler (default: the model's configured sampler)")
          ->check(CLI::IsMember({"mf1", "mf2", "euler"}));
      sub.add_option("--steps", o->steps, "Number of steps K on the uniform grid (default: the model's grid)")
          ->check(CLI::Range(1, 1024));
      sub.add_option("--type", o->type, "Number type: float64 | mpfr | fixed")
          ->check(CLI::IsMember({"float64", "mpfr", "fixed"}))
          ->capture_default_str();
      sub.add_option("--precision", o->precision, "MPFR precision in bits (with --type mpfr)")->check(CLI::Range(16, 65536))->capture_default_str();
      sub.add_flag("--quantised-weights", o->quantised_weights,
                   "float64/MPFR: compute with the fixed-point weights (isolates activation rounding)");
      sub.add_option("--seed", o->seed, "Noise seed (portable xoshiro256** stream)")->capture_default_str();
      sub.add_option("--count", o->count, "Number of samples")->check(CLI::Range(1, 1000000))->capture_default_str();
      sub.add_option("-o,--output", o->out, "Write the samples (and raw fixed-point bits) as JSON");
      sub.add_option("--png", o->png, "Write a PNG grid of the samples (image models)");
      tc0::cli::add_json_option(sub, o->json);
      sub.footer(
          "Noise: xoshiro256** seeded by splitmix64(seed), Box-Muller g = sqrt(-2 ln u1) cos(2 pi u2), clipped to the\n"
          "model's noise.clip and correctly rounded to the state format; float64 and MPFR start from the same\n"
          "quantised noise. Sample i uses entries [i dim, (i+1) dim) of the stream, whatever --count is.");
      return [o] { return run(*o); };
    });

}  // namespace
