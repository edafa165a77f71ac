// What verify and demo say about a translation validation (verify_report.hpp).
#include "tools/cli/verify_report.hpp"

#include <fmt/format.h>

namespace tc0::cli {

using namespace tc0::proofs;

int verify_status(const VerifyReport& r, bool structure_only) {
  if (!r.structure.ok || r.refuted) return 2;
  if (structure_only) return 0;
  return r.inconclusive || r.not_attempted ? 3 : 0;
}

std::string structure_line(const VerifyReport& r) {
  if (!r.structure.ok) return "structure: FAIL: " + r.structure.error;
  return fmt::format("structure: ok ({} operations, {} gates, every gate in one operation, {:.1f} s); {} classes of "
                     "identical operations ({:.1f} s)",
                     r.structure.ops, r.structure.gates, r.seconds_structure, r.classes.size(), r.seconds_classes);
}

void print_kind_table(const nlohmann::json& kinds, const std::string& indent) {
  fmt::print("{}{:<18} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>9}  {}\n", indent, "kind", "ops", "classes", "proved",
             "refuted", "inconcl", "skipped", "seconds", "methods");
  for (auto& [k, row] : kinds.items()) {
    std::string methods;
    for (auto& [mname, count] : row["methods"].items()) methods += fmt::format("{} {} ", mname, count.get<int>());
    fmt::print("{}{:<18} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>9.1f}  {}\n", indent, k,
               row["operations"].get<uint64_t>(), row["classes"].get<uint64_t>(), row["proved"].get<uint64_t>(),
               row["refuted"].get<uint64_t>(), row["inconclusive"].get<uint64_t>(),
               row["not_attempted"].get<uint64_t>(), row["seconds"].get<double>(), methods);
  }
}

void print_unproved(const VerifyReport& r, const SamplerGraph& g, int limit, const std::string& indent) {
  int shown = 0;
  for (const OpClass& c : r.classes) {
    if (!c.attempted || c.proof.verdict == Verdict::proved || shown >= limit) continue;
    ++shown;
    fmt::print("{}{} operation {} ({}, {} operations share it): {}\n", indent, to_string(c.proof.verdict), c.rep,
               g.ops[c.rep].module, c.members.size(), c.proof.detail);
  }
}

std::string compile_command(const std::string& model, const std::string& sampler, int steps, int depth_budget,
                            const std::string& file) {
  return fmt::format("tc0flow compile --model {}{}{}{} -o {}", model, sampler.empty() ? "" : " --sampler " + sampler,
                     steps ? " --steps " + std::to_string(steps) : "",
                     depth_budget ? " --depth-budget " + std::to_string(depth_budget) : "", file);
}

}  // namespace tc0::cli
