// bench_global_hashing: what keeping structural hashing inside one operation costs (SPEC 3.7).
// Reads a compiled circuit and merges, in node order, every gate whose fan-ins (after the earlier
// merges), weights and threshold equal an earlier gate's, whichever operation either belongs to:
// the gates a circuit-wide structural hash would have shared. Gates are stored canonical
// (circuits/canonical.hpp), so a gate and its complement have one stored form and are found too. A
// merge that makes two fan-ins of a later gate equal is not re-canonicalised (that gate is kept), so
// the saving printed is a lower bound. JSON to --json.
//   bench_global_hashing FILE.tc0c [--json PATH]
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "circuits/hash_index.hpp"
#include "circuits/io/native.hpp"
#include "fileio/atomic_file.hpp"

using namespace tc0::circuits;

namespace {

// A gate's fan-ins renamed to their representatives, sorted, with weights and theta, as words.
void key_of(const Network& ntk, uint32_t g, const std::vector<uint32_t>& rep, std::vector<uint64_t>& key) {
  const GateView v = ntk.gate(g);
  std::vector<std::pair<uint32_t, Weight>> f(v.size());
  for (size_t i = 0; i < v.size(); ++i)
    f[i] = {Signal::make(rep[v.fanins[i].index()], v.fanins[i].complemented()).data, v.weight(i)};
  std::sort(f.begin(), f.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  key.clear();
  for (const auto& [s, w] : f) key.insert(key.end(), {s, uint64_t(w >> 64), uint64_t(w)});
  key.insert(key.end(), {uint64_t(v.theta >> 64), uint64_t(v.theta)});
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    fmt::print(stderr, "usage: bench_global_hashing FILE.tc0c [--json PATH]\n");
    return 2;
  }
  std::string json_path;
  for (int i = 2; i + 1 < argc; i += 2)
    if (!std::strcmp(argv[i], "--json")) json_path = argv[i + 1];
  const auto t0 = std::chrono::steady_clock::now();
  const Network ntk = io::load_native(argv[1]);
  std::vector<uint32_t> rep(ntk.num_nodes());
  for (uint32_t n = 0; n < rep.size(); ++n) rep[n] = n;
  HashIndex index;
  std::vector<uint64_t> key, other;
  uint64_t merged = 0, merged_edges = 0, merged_across = 0;
  for (uint32_t g = 0; g < ntk.num_gates(); ++g) {
    key_of(ntk, g, rep, key);
    const uint64_t h = hash_words(key.data(), key.size());
    const uint64_t found = index.find(h, [&](uint64_t c) {
      key_of(ntk, uint32_t(c), rep, other);
      return other == key;
    });
    if (found == UINT64_MAX) {
      index.insert(h, g);
      continue;
    }
    rep[ntk.gate_node(g)] = ntk.gate_node(uint32_t(found));
    ++merged;
    merged_edges += ntk.gate(g).size();
    merged_across += ntk.gate(g).module != ntk.gate(uint32_t(found)).module;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  fmt::print("{}: {} gates, {} edges; a circuit-wide structural hash would merge {} gates ({:.2f}%) and {} edges "
             "({:.2f}%), {} of the gates with a twin in another module ({:.1f} s)\n",
             argv[1], ntk.num_gates(), ntk.num_edges(), merged, 100.0 * double(merged) / double(ntk.num_gates()),
             merged_edges, 100.0 * double(merged_edges) / double(ntk.num_edges()), merged_across, seconds);
  if (!json_path.empty()) {
    const nlohmann::json j = {{"file", argv[1]},          {"gates", ntk.num_gates()},
                              {"edges", ntk.num_edges()}, {"merged_gates", merged},
                              {"merged_edges", merged_edges}, {"merged_other_module", merged_across},
                              {"seconds", seconds},        {"commit", TC0_GIT_COMMIT}};
    tc0::fileio::write_file(json_path, j.dump(2) + "\n");
  }
  return 0;
}
