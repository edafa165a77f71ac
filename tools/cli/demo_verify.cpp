// The verify stage of `tc0flow demo` (demo_stages.hpp): translation validation of the circuit the
// demo compiled, by the library `tc0flow verify` runs (proofs/translation.hpp), on the Network
// already in memory (no second copy), limited to what fits in the demo: the structure check and the
// per-operation proofs of the quick kinds below. Every other operation is reported not attempted,
// with the commands that attempt them all.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "proofs/translation.hpp"
#include "tools/cli/demo_stages.hpp"
#include "tools/cli/verify_report.hpp"

namespace tc0::cli::demo {

namespace {

using Clock = std::chrono::steady_clock;

// The kinds the demo proves. Measured one kind at a time on the demo circuit (digits_mf2, depth
// budget 6) with `tc0flow verify demo.tc0c --model sampler/models/digits_mf2 --kinds K --threads 2
// --timeout 30` on the shared 2-core machine at load 4-8 (proof wall time; README.md's demo
// section): unary 0.1 s (4,448 operations, exhaustive), sum 0.4 s (128), mul 1.6 s (3,584), max
// 19.5 s (128), every operation proved. Left out: dot 128 s (22 of 3,232 inconclusive), lincomb
// 274 s (1,120 of 4,832 inconclusive), mul_add 31 of 304 classes in 300 s (16 inconclusive), linear
// (1,165 classes, about an hour: proofs/README.md).
const std::set<std::string> kQuickKinds = {"unary", "max", "sum", "mul"};
// Per solver query; the slowest quick class took 19.5 s in all, so a loaded machine has room. A
// query past it is inconclusive, never proved.
constexpr double kQueryTimeoutSeconds = 60;

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const std::string& x : v) s += (s.empty() ? "" : ", ") + x;
  return s.empty() ? "none" : s;
}

}  // namespace

void stage_verify(DemoContext& ctx) {
  fmt::print("== verify: translation validation, proved for every input (the structure and the quick kinds: {}) ==\n",
             join({kQuickKinds.begin(), kQuickKinds.end()}));
  if (!ctx.circuit) {
    ctx.check("verify", "structure: the circuit's operation map is the model's operation graph", false,
              "no circuit (the compile stage failed)");
    return;
  }
  const auto t0 = Clock::now();
  const proofs::SamplerGraph g = proofs::trace_op_graph(*ctx.model, *ctx.spec);
  const int threads = int(std::max(1u, std::thread::hardware_concurrency()));
  proofs::VerifyOptions vo;
  vo.threads = threads;
  vo.kinds = kQuickKinds;
  vo.proof.query.timeout_ms = unsigned(kQueryTimeoutSeconds * 1000);
  const proofs::VerifyReport r = proofs::verify_circuit(*ctx.circuit, g, vo);
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();

  // The report without its per-operation and per-class lists (`tc0flow verify --json` writes them).
  nlohmann::json section = r.to_json(g);
  section.erase("ops");
  section.erase("classes");
  section["quick_kinds"] = kQuickKinds;
  section["threads"] = threads;
  section["timeout_s"] = kQueryTimeoutSeconds;
  section["seconds"] = seconds;
  section["peak_rss_gib"] = peak_rss_gib();

  // The commands that attempt every operation: on the demo's circuit file when it was saved.
  const std::string file = ctx.save_circuit ? (ctx.out_dir / "sampler.tc0c").string() : "demo.tc0c";
  std::string full = fmt::format("tc0flow verify {} --model {} --threads {} --json verify.json", file, ctx.model_dir,
                                 threads);
  if (!ctx.save_circuit) full = compile_command(ctx.model_dir, "", 0, ctx.depth_budget, file) + " && " + full;
  section["full_proof_command"] = full;

  if (r.structure.ok) fmt::print("  {}\n", structure_line(r));  // a failure is the check's one line
  ctx.check("verify", "structure: the circuit's operation map is the model's operation graph", r.structure.ok,
            r.structure.ok ? fmt::format("{} operations, {} gates, every gate in exactly one operation, wired as the "
                                         "model's operation graph",
                                         r.structure.ops, r.structure.gates)
                           : r.structure.error);
  if (!r.structure.ok) {
    ctx.report["stages"]["verify"] = section;
    return;
  }
  print_kind_table(section["kinds"], "  ");
  print_unproved(r, g, 5, "  ");
  std::vector<std::string> proved_kinds, open_kinds, skipped_kinds;
  for (auto& [kind, row] : section["kinds"].items()) {
    if (row["not_attempted"].get<uint64_t>() > 0) skipped_kinds.push_back(kind);
    else if (row["proved"].get<uint64_t>() == row["operations"].get<uint64_t>()) proved_kinds.push_back(kind);
    else open_kinds.push_back(kind);
  }
  const std::string quick = join({kQuickKinds.begin(), kQuickKinds.end()});
  ctx.check("verify", fmt::format("operations of the quick kinds ({}): none refuted", quick), r.refuted == 0,
            fmt::format("{} proved for every input, {} refuted, {} inconclusive (not proved); {} classes, {:.1f} s "
                        "of proofs on {} threads",
                        r.proved, r.refuted, r.inconclusive,
                        std::count_if(r.classes.begin(), r.classes.end(), [](const auto& c) { return c.attempted; }),
                        r.seconds_proofs, threads));
  // What the demo proved and what it did not, said again at the end of the demo (closing_lines).
  const uint64_t ops = g.ops.size();
  std::vector<std::string> lines;
  lines.push_back(fmt::format("proved for every input: the structure (every gate in one operation, wired as the "
                              "model's operation graph) and {} of {} operations (kinds {})",
                              r.proved, ops, join(proved_kinds)));
  if (r.inconclusive || r.refuted)
    lines.push_back(fmt::format("NOT proved: {} operations inconclusive, {} refuted (kinds {})", r.inconclusive,
                                r.refuted, join(open_kinds)));
  lines.push_back(fmt::format("not attempted in the demo: {} operations (kinds {}): for these the bit-for-bit "
                              "checks above are simulation, not proof",
                              r.not_attempted, join(skipped_kinds)));
  lines.push_back("full proof of every operation (proofs/README.md says where it stands on this circuit): " + full);
  for (const std::string& l : lines) fmt::print("  {}\n", l);
  fmt::print("  verify stage {:.1f} s, peak memory {:.2f} GiB\n", seconds, peak_rss_gib());
  section["proved_operations"] = r.proved;
  section["refuted_operations"] = r.refuted;
  section["inconclusive_operations"] = r.inconclusive;
  section["not_attempted_operations"] = r.not_attempted;
  section["proved_kinds"] = proved_kinds;
  section["unproved_kinds"] = open_kinds;
  section["not_attempted_kinds"] = skipped_kinds;
  section["lines"] = lines;
  ctx.closing_lines.insert(ctx.closing_lines.end(), lines.begin(), lines.end());
  ctx.report["stages"]["verify"] = section;
}

}  // namespace tc0::cli::demo
