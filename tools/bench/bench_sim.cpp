// bench_sim: throughput of the bit-parallel CPU simulator in edge-samples per second (edges of the
// circuit x samples per second) on a 16-bit multiplier (full 32-bit product, depth 3) and a 64-term
// constant dot product (Q(16,8) inputs, depth 2), at 1 and 2 threads, side by side with the anchor:
// the scalar reference evaluator (circuits/reference_eval.hpp), one sample at a time.
// Also shows how the gates split over the three accumulation kernels.
// Issue 6 rows: a 32-bit multiplier; the CUDA backend when a GPU is present (kernel throughput on a
// device-resident batch, and end to end through BitSimulator::run with packing on the host); and,
// as external anchors on the multipliers, berkeley-abc's `sim` on our AIGER export and a Verilator
// model of our Verilog export (tools/bench/external_sim.hpp), each checked to have run.
// Two kernel configurations: "avx512" (masked-add int64 lanes, chosen automatically on AVX-512
// CPUs) and "portable" (bit-sliced counters for weights with few set bits, vectorised int64 lanes
// otherwise). Samples per circuit default to about 2e9 edge-samples (1e8 for the scalar anchor).
//   bench_sim [--edge-samples E] [--block-words B] [--no-external] [--json PATH]
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <omp.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <filesystem>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "circuits/gadgets/arith.hpp"
#include "circuits/gadgets/linear_form.hpp"
#include "circuits/reference_eval.hpp"
#include "circuits/cuda/cuda_eval.hpp"
#include "circuits/extract.hpp"
#include "circuits/io/native.hpp"
#include "circuits/sim/bitsim.hpp"
#include "tools/bench/external_sim.hpp"
#include "fileio/atomic_file.hpp"

#ifndef TC0_GIT_COMMIT
#define TC0_GIT_COMMIT "unknown"
#endif

using namespace tc0::circuits;
using Clock = std::chrono::steady_clock;

namespace {

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown";
}

// Best of `reps` runs (seconds), after one warm-up.
double best_of(int reps, const std::function<void()>& f) {
  f();
  double best = 1e300;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = Clock::now();
    f();
    best = std::min(best, std::chrono::duration<double>(Clock::now() - t0).count());
  }
  return best;
}

sim::BusBatch random_batch(const std::vector<Bus>& ports, size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  sim::BusBatch in(ports.size(), std::vector<int64_t>(n));
  for (size_t p = 0; p < ports.size(); ++p)
    for (auto& v : in[p]) v = sim::wrap_to_bus(int64_t(rng()), ports[p].bits.size(), ports[p].is_signed);
  return in;
}

}  // namespace

int main(int argc, char** argv) {
  double edge_samples = 2e9;
  uint32_t block_words = 0;  // 0: the simulator's choice
  std::string json_path = "bench_sim.json";
  bool external = true;
  bool verilator = true;  // --no-verilator: berkeley-abc only (Verilator's C++ builds take minutes per module)
  bool modules_only = false;  // --modules-only: only the --module rows (the circuit files are their source)
  std::vector<std::string> circuit_files;  // e.g. the demo sampler from `tc0flow compile`
  std::vector<std::string> modules;        // sub-modules of the last file, small enough for ABC/Verilator
  // Whole-file rows: this commit's `tc0flow simulate` against another commit's, as child processes.
  std::string tc0flow = (std::filesystem::path(argv[0]).parent_path() / ".." / "tc0flow").string();
  std::string baseline, baseline_name = "baseline";
  uint64_t whole_samples = 4096;
  int verilator_timeout = 600;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw std::runtime_error(a + " needs a value");
      return argv[++i];
    };
    if (a == "--edge-samples") edge_samples = std::stod(next());
    else if (a == "--block-words") block_words = uint32_t(std::stoul(next()));
    else if (a == "--json") json_path = next();
    else if (a == "--no-external") external = false;
    else if (a == "--no-verilator") verilator = false;
    else if (a == "--modules-only") modules_only = true;
    else if (a == "--circuit") circuit_files.push_back(next());
    else if (a == "--module") modules.push_back(next());
    else if (a == "--tc0flow") tc0flow = next();
    else if (a == "--baseline-tc0flow") baseline = next();
    else if (a == "--baseline-name") baseline_name = next();
    else if (a == "--whole-samples") whole_samples = std::stoull(next());
    else if (a == "--verilator-timeout") verilator_timeout = std::stoi(next());
    else {
      fmt::print(stderr, "usage: bench_sim [--edge-samples E] [--block-words B] [--no-external] [--circuit FILE.tc0c]... "
                         "[--module PATH]... [--modules-only] [--no-verilator] [--tc0flow PATH] [--baseline-tc0flow PATH --baseline-name NAME] "
                         "[--whole-samples N] [--verilator-timeout S] [--json PATH]\n");
      return a == "--help" ? 0 : 1;
    }
  }

  // The whole circuit files first, through the command line of this commit and of the baseline
  // commit (child processes, one after the other, before this process holds any circuit): samples/s
  // of the simulation and each process's peak memory, one and two threads.
  nlohmann::json whole = nlohmann::json::array();
  for (const std::string& file : circuit_files) {
    const std::string name = std::filesystem::path(file).filename().string();
    const std::filesystem::path dir = std::filesystem::temp_directory_path() / fmt::format("tc0-bench-{}", getpid());
    std::filesystem::create_directories(dir);
    for (int threads : {1, 2}) {
      double ours = 0;
      for (const auto& [label, binary] : {std::pair{std::string("this commit"), tc0flow}, std::pair{baseline_name, baseline}}) {
        if (binary.empty()) continue;
        const auto r = tc0::bench::tc0flow_simulate(binary, file, whole_samples, threads, dir / "simulate.json");
        if (!r.ran) {
          fmt::print("{}: tc0flow simulate ({}): not measured ({})\n", name, label, r.why);
          continue;
        }
        if (label == "this commit") ours = r.samples_per_s;
        const std::string ratio = ours > 0 && label != "this commit" ? fmt::format("ours {:.2f}x", ours / r.samples_per_s) : "";
        fmt::print("{}: tc0flow simulate ({}), {} thread{}: {} samples, {:.3g} samples/s, peak {:.0f} MiB  {}\n", name, label,
                   threads, threads > 1 ? "s" : "", r.samples, r.samples_per_s, r.peak_rss_mib, ratio);
        std::fflush(stdout);
        whole.push_back({{"circuit", name}, {"evaluator", "tc0flow_simulate"}, {"commit", label}, {"threads", threads},
                         {"samples", r.samples}, {"samples_per_s", r.samples_per_s}, {"peak_rss_mib", r.peak_rss_mib},
                         {"ours_over_it", ours > 0 ? ours / r.samples_per_s : 0.0}});
      }
    }
    std::filesystem::remove_all(dir);
  }

  struct Circuit {
    std::string name;
    Network ntk;
    bool external = false;  // small enough for the berkeley-abc and Verilator anchors
    std::string file;       // a circuit file: also timed through `tc0flow simulate` (this commit and the baseline)
    std::string module;     // a module of the last circuit file, cut out when its row is measured
  };
  std::vector<Circuit> circuits;
  {
    Network ntk;
    const Bus a = ntk.create_input_bus("a", tc0::numerics::Format(16, 0));
    const Bus b = ntk.create_input_bus("b", tc0::numerics::Format(16, 0));
    ntk.add_output_bus(gadgets::multiply_full(ntk, a, b));
    circuits.push_back({"multiply 16x16 -> 32", std::move(ntk), true, "", ""});
  }
  {
    Network ntk;
    const Bus a = ntk.create_input_bus("a", tc0::numerics::Format(32, 0));
    const Bus b = ntk.create_input_bus("b", tc0::numerics::Format(32, 0));
    ntk.add_output_bus(gadgets::multiply_full(ntk, a, b));
    circuits.push_back({"multiply 32x32 -> 64", std::move(ntk), true, "", ""});
  }
  {
    Network ntk;
    std::vector<Bus> xs;
    std::vector<gadgets::Constant> c;
    for (int i = 0; i < 64; ++i) {
      xs.push_back(ntk.create_input_bus(fmt::format("x{}", i), tc0::numerics::Format(16, 8)));
      c.push_back({Weight((i * 37 + 11) % 255 - 127), 7});
    }
    ntk.add_output_bus(gadgets::dot_const(ntk, {3, 2}, c, xs, tc0::numerics::Format(16, 8)));
    circuits.push_back({"dot product, 64 terms Q(16,8)", std::move(ntk), true, "", ""});
  }

  for (const std::string& file : circuit_files) {
    circuits.push_back({std::filesystem::path(file).filename().string(), tc0::circuits::io::load_native(file), false, file, ""});
  }
  if (!modules.empty() && circuit_files.empty()) throw std::runtime_error("--module needs a --circuit to cut it from");
  const size_t source = circuits.size() - 1;
  // Modules are cut out one at a time, when their row is measured (all at once they took over 20 GiB).
  for (const std::string& path : modules) circuits.push_back({path, Network(), true, "", path});

  nlohmann::json j;
  utsname u{};
  uname(&u);
  j["machine"] = {{"host", u.nodename}, {"cpu", cpu_model()}, {"cores", std::thread::hardware_concurrency()},
                  {"kernel", u.release}};
  j["commit"] = TC0_GIT_COMMIT;
  j["edge_samples_target"] = edge_samples;
  j["avx512"] = sim::cpu_has_avx512();
  j["block_words"] = block_words;
  j["results"] = whole;
  std::string no_gpu_why;
  const bool gpu = tc0::circuits::cuda::cuda_available(&no_gpu_why);
  j["gpu"] = gpu ? tc0::circuits::cuda::cuda_device_name() : "none: " + no_gpu_why;

  fmt::print("bench_sim: commit {}, {} ({} cores, AVX-512 {}), block {} words (0: the simulator's choice)\n", TC0_GIT_COMMIT, cpu_model(),
             std::thread::hardware_concurrency(), sim::cpu_has_avx512() ? "yes" : "no", block_words);
  fmt::print("{:30} {:>6} {:>8} {:>9} {:>11}  {:26} {:>11} {:>8} {:>9}\n", "circuit", "gates", "edges", "samples",
             "kernels", "evaluator", "edge-smp/s", "/scalar", "/1 thread");
  for (Circuit& c : circuits) {
    if (modules_only && c.module.empty()) continue;
    if (!c.module.empty()) c.ntk = tc0::circuits::extract_module(circuits[source].ntk, c.module);
    const Network& ntk = c.ntk;
    const double edges = double(ntk.num_edges());
    // Large circuits (a compiled sampler): one block per thread is enough, measured once.
    const bool large = edges > 1e8;
    const int repeats = large ? 1 : 2;
    // The scalar anchor gets at most 1e9 edge-samples (it runs at about 1e8 per second).
    const size_t scalar_samples = std::max<size_t>(8, size_t(std::min(edge_samples / 20, 1e9) / edges));
    const std::vector<Bus> ports = sim::input_ports(ntk);
    // Batches of at most 256 MiB of input values: a sampler module has thousands of 1-bit ports.
    const size_t batch_cap = std::max<size_t>(4096, (size_t(256) << 20) / (8 * std::max<size_t>(1, ports.size())) / 64 * 64);
    const size_t samples =
        std::min(batch_cap, std::max<size_t>(large ? 8192 : 4096, size_t(edge_samples / edges) / 64 * 64));

    // Anchor: the scalar reference evaluator, sample by sample.
    const sim::BusBatch sin = random_batch(ports, scalar_samples, 1);
    std::vector<uint32_t> position(ntk.num_nodes(), 0);
    for (uint32_t i = 0; i < ntk.num_inputs(); ++i) position[ntk.inputs()[i]] = i;
    const double t_scalar = best_of(1, [&] {
      for (size_t s = 0; s < scalar_samples; ++s) {
        std::vector<bool> iv(ntk.num_inputs());
        for (size_t p = 0; p < ports.size(); ++p)
          for (size_t b = 0; b < ports[p].bits.size(); ++b)
            iv[position[ports[p].bits[b].index()]] = (uint64_t(sin[p][s]) >> b) & 1;
        volatile bool sink = evaluate_nodes(ntk, iv).back();
        (void)sink;
      }
    });
    const double scalar_rate = edges * double(scalar_samples) / t_scalar;
    fmt::print("{:30} {:>6} {:>8} {:>9} {:>11}  {:26} {:>11.3g} {:>8} {:>9}\n", c.name, ntk.num_gates(), ntk.num_edges(),
               scalar_samples, "-", "scalar reference", scalar_rate, "1.0", "-");
    j["results"].push_back({{"circuit", c.name}, {"gates", ntk.num_gates()}, {"edges", ntk.num_edges()},
                            {"evaluator", "scalar_reference"}, {"threads", 1}, {"samples", scalar_samples},
                            {"edge_samples_per_s", scalar_rate}});

    const sim::BusBatch in = random_batch(ports, samples, 2);
    sim::BusBatch first;
    struct Config {
      const char* name;
      sim::SimOptions opt;
      bool two_threads = true;
    };
    std::vector<Config> configs;
    if (sim::cpu_has_avx512()) configs.push_back({"avx512", {.block_words = block_words, .avx512 = true}});
    if (!large || configs.empty()) configs.push_back({"portable", {.block_words = block_words, .avx512 = false}});
    // The cost model against each sum kernel forced on every gate (one thread).
    if (!large && sim::cpu_has_avx512()) {
      configs.push_back({"avx512 tree only", {.block_words = block_words, .kernels = sim::KernelPolicy::tree}, false});
      configs.push_back({"avx512 lanes only", {.block_words = block_words, .kernels = sim::KernelPolicy::lanes}, false});
    }
    double ours1 = 0;  // the first configuration (the cost model), one thread: what the anchors are compared with
    for (Config cfg : configs) {
      double rate1 = 0;
      for (int threads : {1, 2}) {
        if (threads == 2 && !cfg.two_threads) continue;
        cfg.opt.threads = threads;
        sim::BitSimulator simulator(ntk, cfg.opt);
        const uint64_t* k = simulator.program().gates_per_kind;
        sim::BusBatch out;
        const double t = best_of(repeats, [&] { out = simulator.run(in); });
        // Same bits for every configuration and thread count (checked, so a bench run cannot hide a bug).
        if (first.empty()) first = out;
        else if (out != first) throw std::runtime_error("bench_sim: results differ between configurations");
        const double rate = edges * double(samples) / t;
        if (threads == 1) rate1 = rate;
        if (threads == 1 && ours1 == 0) ours1 = rate;
        fmt::print("{:30} {:>6} {:>8} {:>9} {:>11}  {:26} {:>11.3g} {:>8.1f} {:>9.2f}\n", "", "", "", samples,
                   fmt::format("{}/{}/{}/{}", k[0], k[1], k[2], k[3]), fmt::format("bit-parallel {}, {} thr", cfg.name, threads),
                   rate, rate / scalar_rate, rate / rate1);
        j["results"].push_back({{"circuit", c.name}, {"gates", ntk.num_gates()}, {"edges", ntk.num_edges()},
                                {"evaluator", std::string("bit_parallel_") + cfg.name}, {"threads", threads},
                                {"samples", samples}, {"edge_samples_per_s", rate}, {"ratio_to_scalar", rate / scalar_rate},
                                {"ratio_to_1_thread", rate / rate1}, {"gates_lut3_and_tree_lanes", {k[0], k[1], k[2], k[3]}}});
      }
    }
    // Bit-sliced inputs and outputs (BitSimulator::run_bits): the packing a module with thousands of
    // 1-bit ports needs, where one int64 per bit and sample is 64 times the data. One thread.
    double ours_bits = 0;
    if (!large) {
      sim::BitSimulator simulator(ntk, {.threads = 1, .block_words = block_words});
      sim::BitBatch bits;
      for (size_t p = 0; p < ports.size(); ++p)
        for (size_t k = 0; k < ports[p].bits.size(); ++k) {
          auto& b = bits.emplace_back((samples + 63) / 64, 0);
          for (size_t s = 0; s < samples; ++s) b[s / 64] |= ((uint64_t(in[p][s]) >> k) & 1) << (s % 64);
        }
      sim::BitBatch out;
      const double t = best_of(repeats, [&] { out = simulator.run_bits(bits, samples); });
      size_t bit = 0;
      for (size_t o = 0; o < first.size(); ++o)
        for (size_t k = 0; k < ntk.output_buses()[o].bits.size(); ++k, ++bit)
          for (size_t s = 0; s < samples; ++s)
            if (((out[bit][s / 64] >> (s % 64)) & 1) != ((uint64_t(first[o][s]) >> k) & 1))
              throw std::runtime_error("bench_sim: bit-sliced results differ from the bus results");
      ours_bits = edges * double(samples) / t;
      fmt::print("{:30} {:>6} {:>8} {:>9} {:>11}  {:26} {:>11.3g} {:>8.1f} {:>9.2f}\n", "", "", "", samples, "-",
                 "bit-parallel avx512, bit I/O, 1 thr", ours_bits, ours_bits / scalar_rate, ours_bits / ours1);
      j["results"].push_back({{"circuit", c.name}, {"gates", ntk.num_gates()}, {"edges", ntk.num_edges()},
                              {"evaluator", "bit_parallel_bit_io"}, {"threads", 1}, {"samples", samples},
                              {"edge_samples_per_s", ours_bits}});
    }
    const double cpu1 = ours1;
    // External rows: the last column is ours (one thread) over theirs, the ratio the targets are set in.
    auto row = [&](const std::string& evaluator, const std::string& label, size_t n, double rate, nlohmann::json extra) {
      fmt::print("{:30} {:>6} {:>8} {:>9} {:>11}  {:26} {:>11.3g} {:>8.1f} {:>9}{}\n", "", "", "", n, "-", label, rate,
                 rate / scalar_rate, fmt::format("ours {:.2f}x", cpu1 / rate),
                 ours_bits > 0 ? fmt::format(", bit I/O {:.2f}x", ours_bits / rate) : "");
      std::fflush(stdout);  // rows survive a run that is stopped part-way
      extra.update({{"circuit", c.name}, {"gates", ntk.num_gates()}, {"edges", ntk.num_edges()}, {"evaluator", evaluator},
                    {"samples", n}, {"edge_samples_per_s", rate}, {"samples_per_s", rate / edges},
                    {"ratio_to_scalar", rate / scalar_rate}, {"ratio_to_cpu_1_thread", rate / cpu1},
                    {"ours_1_thread_over_it", cpu1 / rate}, {"ours_bit_io_over_it", ours_bits / rate}});
      j["results"].push_back(extra);
    };
    if (gpu) {
      // Kernel throughput: a device-sized block of random input words, outputs copied back.
      const sim::FlatNetwork flat = sim::flatten(ntk);
      tc0::circuits::cuda::CudaEvaluator eval(flat);
      // At most 16 GiB of value words on the device (a compiled sampler has 10^7 slots), a multiple of 8.
      const size_t fit = std::max<size_t>(8, ((size_t(1) << 31) / flat.num_slots()) / 8 * 8);
      const uint32_t words = std::min<uint32_t>(eval.max_block_words(), uint32_t(std::min<size_t>(fit, 1024)));
      std::vector<uint64_t> values(size_t(1 + flat.num_inputs) * words, 0);
      std::mt19937_64 rng(3);
      for (size_t i = words; i < values.size(); ++i) values[i] = rng();
      std::vector<uint32_t> outs;
      for (const Bus& b : ntk.output_buses())
        for (Signal sgl : b.bits) outs.push_back(flat.signal_slot(sgl) >> 1);
      std::vector<uint64_t> got(outs.size() * words);
      const double t = best_of(3, [&] { eval.eval(values.data(), words, outs, got.data()); });
      row("cuda_kernel", "cuda (device-resident)", size_t(words) * 64, edges * double(words) * 64 / t, {{"device", j["gpu"]}});
      // End to end through the simulator API, and the same bits as the CPU.
      sim::BitSimulator gsim(ntk, {.device = sim::Device::cuda});
      sim::BusBatch gout;
      const double tg = best_of(2, [&] { gout = gsim.run(in); });
      if (gout != first) throw std::runtime_error("bench_sim: CUDA results differ from the CPU's");
      row("cuda_end_to_end", "cuda (host packing)", samples, edges * double(samples) / tg, {{"device", j["gpu"]}});
    } else {
      fmt::print("{:30} {:>6} {:>8} {:>9} {:>11}  cuda: not measured ({})\n", "", "", "", "-", "-", no_gpu_why);
    }
    if (external && c.external) {
      const std::filesystem::path dir = std::filesystem::temp_directory_path() / fmt::format("tc0-bench-{}", getpid());
      // The external tools get the run's edge-sample budget, clamped to 1e4..2e6 samples: a fixed
      // count would take hours on a sub-module of the sampler. ABC simulates 64 samples per word and
      // runs far faster per sample, so it gets 10x the samples (capped by its memory, abc_sim).
      const double external_samples = std::clamp(edge_samples / edges, 1e4, 2e6);
      const auto abc = tc0::bench::abc_sim(ntk, dir / "abc", uint32_t(std::min(200000.0, external_samples / 64 * 10)));
      if (abc.ran) row("berkeley_abc_sim", "berkeley-abc sim (AIGER)", abc.samples, abc.samples_per_s * edges, {});
      else fmt::print("{:30} berkeley-abc: not measured ({})\n", "", abc.why);
      const auto ver = verilator ? tc0::bench::verilator_sim(ntk, dir / "verilator", uint64_t(external_samples), verilator_timeout)
                                 : tc0::bench::ExternalResult{false, "not run (--no-verilator)"};
      if (ver.ran) row("verilator", "verilator (Verilog)", ver.samples, ver.samples_per_s * edges, {{"build_seconds", ver.build_seconds}});
      else fmt::print("{:30} verilator: not measured ({})\n", "", ver.why);
      if (!ver.ran) j["results"].push_back({{"circuit", c.name}, {"evaluator", "verilator"}, {"not_measured", ver.why}});
      std::filesystem::remove_all(dir);
    }
    if (!c.module.empty()) c.ntk = Network();  // one module in memory at a time
  }
  tc0::fileio::write_file(json_path, j.dump(2) + "\n", "JSON report");
  fmt::print("kernels = gates on the lut3 / and / counter-tree / int64-lane kernels; JSON: {}\n", json_path);
  return 0;
}
