// bench_proofs: runs the whole proof suite (or the quick subset), prints the time of every
// obligation and the total, with the prototype's measurements (NOTES.md, Z3 4.8.12 on this kind of
// machine) as the anchor where one exists, and writes JSON with the machine, the commit and the figures.
//   bench_proofs [--quick] [--timeout S] [--json PATH] [NAME...]
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "proofs/registry.hpp"
#include "fileio/atomic_file.hpp"

using namespace tc0::proofs;

namespace {

// NOTES.md prototype figures: seconds for the same obligation (monolithic encodings).
const std::map<std::string, double> kAnchors = {
    {"gadget.add/16", 0.04},             // "the depth-2 adder proves at 16 bits in 0.04 s"
    {"compositional.multiply_full/8", 27.0},  // whole-circuit multiplier vs bvmul, 8 bits (monolithic)
    {"gadget.multiply/6", 3.0},               // fixed-point multiply with rounding and saturation, 6 bits
    {"compositional.multiply/8", 85.0},       // ... 8 bits (monolithic)
};

std::string hostname() {
  char buf[256] = {0};
  gethostname(buf, sizeof buf - 1);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  double timeout = 120;
  std::string json_path = "bench_proofs.json";
  std::vector<std::string> names;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--quick") quick = true;
    else if (a == "--timeout" && i + 1 < argc) timeout = std::stod(argv[++i]);
    else if (a == "--json" && i + 1 < argc) json_path = argv[++i];
    else if (a == "--help" || a == "-h") {
      fmt::print("bench_proofs [--quick] [--timeout S (default 120)] [--json PATH] [NAME...]\n");
      return 0;
    } else if (!a.empty() && a[0] == '-') {
      fmt::print(stderr, "bench_proofs: error: unknown option {}; see --help\n", a);
      return 1;
    } else names.push_back(a);
  }
  std::vector<const Obligation*> sel;
  try {
    sel = select_obligations(names, {}, quick);
  } catch (const std::exception& e) {
    fmt::print(stderr, "bench_proofs: error: {}\n", e.what());
    return 1;
  }
  QueryOptions opt;
  opt.timeout_ms = unsigned(timeout * 1000);
  nlohmann::json j{{"benchmark", "bench_proofs"}, {"machine", {{"host", hostname()}, {"cores", std::thread::hardware_concurrency()}}},
                   {"commit", TC0_GIT_COMMIT}, {"timeout_s", timeout}, {"quick", quick}};
  j["results"] = nlohmann::json::array();
  fmt::print("{:<40} {:<13} {:>6} {:>9} {:>9} {:>8}\n", "obligation", "result", "k", "time s", "anchor s", "ratio");
  auto t0 = std::chrono::steady_clock::now();
  int counts[3] = {0, 0, 0};
  for (const Obligation* ob : sel) {
    auto s0 = std::chrono::steady_clock::now();
    ObligationResult r = run_obligation(*ob, opt);
    double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - s0).count();
    ++counts[int(r.verdict)];
    auto an = kAnchors.find(ob->name);
    std::string anchor = an == kAnchors.end() ? "-" : fmt::format("{:.2f}", an->second);
    std::string ratio = an == kAnchors.end() ? "-" : fmt::format("{:.2f}x", wall / an->second);
    fmt::print("{:<40} {:<13} {:>6} {:>9.3f} {:>9} {:>8}\n", ob->name, to_string(r.verdict), r.k.value_or("-"), wall, anchor, ratio);
    std::fflush(stdout);
    nlohmann::json e{{"name", ob->name}, {"result", to_string(r.verdict)}, {"seconds", wall}, {"solver_seconds", r.seconds},
                     {"queries", r.queries}, {"detail", r.detail}};
    if (r.k) e["k"] = *r.k;
    if (!r.evidence.is_null()) e["evidence"] = r.evidence;
    if (an != kAnchors.end()) e["anchor_seconds"] = an->second;
    j["results"].push_back(e);
  }
  double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  fmt::print("total {:.1f} s for {} obligations: {} proved, {} refuted, {} inconclusive (target: <= 600 s)\n", total, sel.size(),
             counts[0], counts[1], counts[2]);
  j["total_seconds"] = total;
  j["summary"] = {{"proved", counts[0]}, {"refuted", counts[1]}, {"inconclusive", counts[2]}};
  tc0::fileio::write_file(json_path, j.dump(2) + "\n", "JSON report");
  return 0;
}
