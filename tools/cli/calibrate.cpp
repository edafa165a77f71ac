// tc0flow calibrate: per-tensor fixed-point formats under a bit budget from a float64 calibration
// batch (sampler/calibration/calibrate.hpp), written as a new model directory.
#include <fmt/format.h>

#include <memory>
#include <string>

#include "sampler/calibration/calibrate.hpp"
#include "sampler/model.hpp"
#include "tools/cli/command.hpp"
#include "tools/cli/flags.hpp"

namespace {

using namespace tc0::sampler;
using namespace tc0::sampler::calibration;

struct Options {
  std::string model;
  int weight_bits = 8;
  int act_bits = 12;
  int state_bits = 0;
  double margin = kActivationMargin;
  size_t count = 256;
  uint64_t seed = 4321;
  std::string samplers;
  std::string out;
  bool force = false;
  std::string json;
  CLI::Option* force_flag = nullptr;
};

int run(const Options& o) {
  tc0::cli::refuse_flag(o.force_flag, !o.out.empty(), "applies only with -o (it replaces the files of a calibrated model)");
  tc0::cli::check_paths(tc0::cli::model_paths(o.model), {{"--json", o.json}});
  // check the output directory before the (longer) calibration run; the report is none of its files
  if (!o.out.empty()) {
    check_output_dir(o.model, o.out, o.force);
    tc0::cli::check_paths(tc0::cli::model_paths(o.out, "-o"), {{"--json", o.json}});
  }
  Model m = Model::load(o.model);
  CalibrationRequest req;
  req.weight_bits = o.weight_bits;
  req.act_bits = o.act_bits;
  req.state_bits = o.state_bits;
  req.act_margin = o.margin;
  req.count = o.count;
  req.seed = o.seed;
  req.samplers = parse_sampler_list(m, o.samplers);
  Calibration c = calibrate(m, req);
  if (!o.out.empty()) {
    write_calibrated_model(o.model, o.out, c, o.force);
    (void)Model::load(o.out);  // the written model must load (formats legal, weights intact)
  }

  fmt::print("calibrate  model {}  weights {} bits  activations {} bits  margin {}  batch {} (seed {})\n",
             m.config().name.empty() ? o.model : m.config().name, o.weight_bits, o.act_bits, o.margin, o.count, o.seed);
  fmt::print("{:<26} {:>3} {:>11} {:>10} {:>10} {:>9} {:>9}\n", "tensor", "w/a", "max|x|", "format", "was", "sat_f64", "sat_fixed");
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& t : c.tensors) {
    fmt::print("{:<26} {:>3} {:>11.5g} {:>10} {:>10} {:>9} {:>9}\n", t.name, t.weight ? "w" : "a", t.max_abs, t.format.str(),
               t.previous.str(), t.float_saturations, t.weight ? std::string("-") : std::to_string(t.fixed_saturations));
    nlohmann::json r = {{"name", t.name},         {"kind", t.weight ? "weight" : "activation"},
                        {"max_abs", t.max_abs},   {"values", t.values},
                        {"format", t.format.str()}, {"previous", t.previous.str()},
                        {"float64_saturations", t.float_saturations}};
    if (!t.weight) r["fixed_saturations"] = t.fixed_saturations;
    rows.push_back(r);
  }
  fmt::print("fixed-point saturation events on the batch: {}  time {:.2f} s\n", c.fixed_saturations, c.seconds);
  fmt::print("rule: {}\n", c.rule);
  if (!o.out.empty()) fmt::print("wrote {}/config.json (weights copied)\n", o.out);
  nlohmann::json j = tc0::cli::report_header("calibrate");
  j["model"] = o.model;
  j["output"] = o.out;
  j["rule"] = c.rule;
  j["calibration"] = c.config["calibration"];
  j["fixed_saturations"] = c.fixed_saturations;
  j["seconds"] = c.seconds;
  j["tensors"] = rows;
  tc0::cli::write_json(o.json, j);
  return 0;
}

tc0::cli::Registrar reg(
    "calibrate", "Choose per-tensor fixed-point formats under a bit budget from a float64 calibration batch",
    [](CLI::App& sub) -> tc0::cli::Runner {
      auto o = std::make_shared<Options>();
      using tc0::cli::add_number;
      sub.add_option("--model", o->model, "Model directory (config.json + weights.safetensors)")->required();
      add_number(sub, "--bits-weights", o->weight_bits, 2, 32, "Bit budget w of every weight tensor")->capture_default_str();
      add_number(sub, "--bits-act", o->act_bits, 2, 16, "Bit budget w of every activation (table inputs <= 16 bits)")
          ->capture_default_str();
      add_number(sub, "--bits-state", o->state_bits, 2, 32, "Bit budget of the sampler state (noise, samples); default --bits-act");
      add_number(sub, "--margin", o->margin, 1.0, 16.0, "Headroom factor of the activation ranges")->capture_default_str();
      add_number(sub, "--count", o->count, size_t(1), size_t(100000), "Calibration batch: number of noise samples")
          ->capture_default_str();
      tc0::cli::add_seed(sub, o->seed, "Noise seed of the calibration batch")->capture_default_str();
      sub.add_option("--samplers", o->samplers,
                     "Samplers the formats must serve, KIND:STEPS list (e.g. mf2:1,euler:8); default: the model's sampler");
      sub.add_option("-o,--output", o->out, "Write the calibrated model directory here (never the input directory)");
      o->force_flag = sub.add_flag("--force", o->force, "Replace config and weights in a non-empty output directory (not a shipped model)");
      tc0::cli::add_json_option(sub, o->json);
      sub.footer(
          "Rule (as EZKL's calibrate-settings): Q(w, f) with f = w - 1 - ceil(log2(max|x| * margin)), the widest fraction\n"
          "that does not saturate on the batch; margin 1.25 (activations), 1 (weights: known exactly; state: the noise\n"
          "clip range). sat_f64: float64 values that saturate when rounded to the new format; sat_fixed: saturation\n"
          "events of the calibrated model run in fixed point on the same batch.");
      return [o] { return run(*o); };
    });

}  // namespace
