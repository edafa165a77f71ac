#pragma once
// The stages of `tc0flow demo` (demo.cpp runs them in order). Each stage prints its section, adds
// it to the report and records whether its checks passed; later stages read what earlier ones
// left in the context (the model, the compiled circuit).
#include <fmt/format.h>
#include <sys/resource.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "circuits/network.hpp"
#include "sampler/model.hpp"

namespace tc0::cli::demo {

struct DemoContext {
  std::filesystem::path out_dir;
  std::string model_dir = "sampler/models/digits_mf2";
  int depth_budget = 6;        // linear-form strategy of the compiled circuit
  size_t equivalence_inputs = 1000;
  size_t grid_samples = 64;
  bool save_circuit = false;   // the demo circuit file is about 0.85 GB
  std::string device = "auto";  // where the circuit is simulated (tools/cli/device_option.hpp)

  nlohmann::json report;
  bool pass = true;
  std::unique_ptr<sampler::Model> model;
  std::optional<sampler::SamplerSpec> spec;
  std::unique_ptr<circuits::Network> circuit;
  std::vector<std::vector<int64_t>> grid_noise, grid_fixed_raw;  // the sample grid's inputs and fixed bits
  std::string explorer_index;  // the explorer's index.html, once written
  std::vector<std::string> closing_lines;  // repeated after the summary of the checks (what was proved)

  // Records one named check: prints its verdict line and folds it into the overall verdict.
  void check(const std::string& stage, const std::string& what, bool ok, const std::string& detail) {
    fmt::print("  [{}] {}: {}\n", ok ? "PASS" : "FAIL", what, detail);
    report["checks"].push_back({{"stage", stage}, {"check", what}, {"pass", ok}, {"detail", detail}});
    pass = pass && ok;
  }
};

// The peak resident memory of the process so far.
inline double peak_rss_gib() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return double(ru.ru_maxrss) / double(1 << 20);
}

void stage_numerics(DemoContext& ctx);
void stage_sampler(DemoContext& ctx);      // fixed-point samples, goldens, fidelity vs float64 / MPFR
void stage_compile(DemoContext& ctx);      // the one-circuit sampler: stats, depth, module picture
void stage_equivalence(DemoContext& ctx);  // circuit simulation == fixed-point sampler, bit for bit
void stage_verify(DemoContext& ctx);       // translation validation: the structure and the quick proof kinds

}  // namespace tc0::cli::demo
