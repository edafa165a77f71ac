// tc0flow simulate FILE [--inputs FILE | --random N --seed S] [--threads T] [--device D]: runs the
// bit-parallel simulator (CPU or GPU, tools/cli/device_option.hpp) and prints the output buses as
// integers, one line per sample, bus names as header; then one line naming the device that ran.
// Under mpirun the samples are sharded over the ranks (tools/cluster/README.md); rank 0 prints them
// in order and writes the report.
//
// Input file: a header line naming the input ports (input buses, and loose inputs by name) in any
// order, then one line of integers per sample; '#' starts a comment. Signed buses take signed
// values, unsigned ones values in [0, 2^w).
#include <fmt/format.h>

#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <iostream>
#include <optional>
#include <sstream>

#include "circuits/io/native.hpp"
#include "circuits/sim/bitsim.hpp"
#include "fileio/atomic_file.hpp"
#include "fileio/input_file.hpp"
#include "tools/cli/cluster.hpp"
#include "tools/cli/command.hpp"
#include "tools/cli/device_option.hpp"
#include "tools/cli/flags.hpp"

namespace {

using namespace tc0::circuits;

struct Options {
  std::string file, inputs, output, json, device = "auto";
  uint64_t random = 0, seed = 1;
  int threads = 0;
  uint32_t block_words = 0;
  bool quiet = false, profile = false;
  CLI::Option *seed_flag = nullptr, *quiet_flag = nullptr, *output_flag = nullptr, *random_flag = nullptr;
};

constexpr uint64_t kMaxInputFileBytes = uint64_t(16) << 30;
constexpr uint64_t kMaxRandom = 1000000000000;  // 10^12 patterns: hours of simulation on a large circuit

// Sample s, port p of --random N --seed S: a hash of (S, s, p), so that any shard of the samples
// draws exactly its own values.
uint64_t mix64(uint64_t x) {  // splitmix64's finaliser
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}
int64_t random_value(uint64_t seed, uint64_t s, size_t p, const Bus& port) {
  const uint64_t r = mix64(mix64(seed) + s * 0x9e3779b97f4a7c15ull + uint64_t(p) * 0xd1b54a32d192ed03ull);
  return sim::wrap_to_bus(int64_t(r), port.bits.size(), port.is_signed);
}

std::string format_value(int64_t v, bool is_signed) {
  return is_signed ? fmt::format("{}", v) : fmt::format("{}", uint64_t(v));
}

sim::BusBatch read_inputs(const std::string& path, const std::vector<Bus>& ports) {
  std::istringstream in(tc0::fileio::read_regular_file(path, "input file", kMaxInputFileBytes));
  std::string line;
  size_t lineno = 0;
  std::vector<size_t> column_port;
  sim::BusBatch batch(ports.size());
  auto next_line = [&]() -> bool {
    while (std::getline(in, line)) {
      ++lineno;
      if (auto h = line.find('#'); h != std::string::npos) line.resize(h);
      if (line.find_first_not_of(" \t\r,") != std::string::npos) return true;
    }
    return false;
  };
  std::string expected;
  for (const Bus& p : ports) {
    expected += ' ';
    expected += p.name;
  }
  if (!next_line()) throw std::runtime_error(fmt::format("input file '{}' is empty; its first line must name the ports:{}", path, expected));
  std::map<std::string, size_t> port_of;
  for (size_t p = 0; p < ports.size(); ++p) port_of[ports[p].name] = p;
  {
    std::replace(line.begin(), line.end(), ',', ' ');
    std::istringstream hs(line);
    std::string name;
    std::vector<bool> seen(ports.size(), false);
    while (hs >> name) {
      auto it = port_of.find(name);
      if (it == port_of.end())
        throw std::runtime_error(fmt::format("{}:{}: '{}' is not an input port of the circuit (ports:{})", path, lineno, name, expected));
      if (seen[it->second]) throw std::runtime_error(fmt::format("{}:{}: port '{}' named twice", path, lineno, name));
      seen[it->second] = true;
      column_port.push_back(it->second);
    }
    if (column_port.size() != ports.size())
      throw std::runtime_error(fmt::format("{}:{}: the header names {} of the {} input ports (ports:{})", path, lineno,
                                           column_port.size(), ports.size(), expected));
  }
  while (next_line()) {
    std::replace(line.begin(), line.end(), ',', ' ');
    std::istringstream ls(line);
    for (size_t c = 0; c < column_port.size(); ++c) {
      std::string tok;
      if (!(ls >> tok))
        throw std::runtime_error(fmt::format("{}:{}: expected {} values, found {}", path, lineno, column_port.size(), c));
      const Bus& p = ports[column_port[c]];
      int64_t v;
      try {
        size_t used = 0;
        if (!tok.empty() && tok[0] == '-') v = std::stoll(tok, &used, 0);
        else v = int64_t(std::stoull(tok, &used, 0));
        if (used != tok.size()) throw std::invalid_argument("junk");
      } catch (const std::exception&) {
        throw std::runtime_error(fmt::format("{}:{}: '{}' is not an integer", path, lineno, tok));
      }
      if (sim::wrap_to_bus(v, p.bits.size(), p.is_signed) != v)
        throw std::runtime_error(fmt::format("{}:{}: {} does not fit port '{}' ({} bits, {})", path, lineno, tok, p.name,
                                             p.bits.size(), p.is_signed ? "signed" : "unsigned"));
      batch[column_port[c]].push_back(v);
    }
    std::string extra;
    if (ls >> extra) throw std::runtime_error(fmt::format("{}:{}: more than {} values", path, lineno, column_port.size()));
  }
  return batch;
}

tc0::cli::Registrar reg("simulate", "Simulate a circuit file on given or random inputs (bit-parallel, multi-threaded)",
                        [](CLI::App& sub) -> tc0::cli::Runner {
  auto o = std::make_shared<Options>();
  sub.add_option("file", o->file, "Circuit file (.tc0c)")->required();
  auto* inputs = sub.add_option("--inputs", o->inputs, "Text file: header of port names, one line of integers per sample");
  auto* random = o->random_flag = tc0::cli::add_number(sub, "--random", o->random, uint64_t(1), kMaxRandom,
                                                       "Simulate N uniformly random input patterns instead");
  inputs->excludes(random);
  o->seed_flag = tc0::cli::add_seed(sub, o->seed, "Seed of the random patterns (with --random)");
  tc0::cli::add_threads(sub, o->threads, "Threads (0: all cores)");
  tc0::cli::add_number(sub, "--block-words", o->block_words, uint32_t(0), uint32_t(64),
                       "Words of 64 samples per block (0: the largest that keeps each thread's registers within 256 MiB)");
  o->output_flag = sub.add_option("-o,--output", o->output, "Write the output lines to this file instead of standard output");
  o->quiet_flag = sub.add_flag("--quiet", o->quiet, "Do not print outputs (timing only)");
  tc0::cli::add_device_option(sub, o->device);
  sub.add_flag("--profile", o->profile,
               "Print where the time went: loading, flattening (and uploading), and on a device packing, transfers "
               "and kernels per level");
  tc0::cli::add_json_option(sub, o->json);
  return [o] {
    if (o->inputs.empty() && o->random == 0) throw std::runtime_error("give --inputs FILE or --random N");
    tc0::cli::refuse_flag(o->seed_flag, o->random_flag->count() > 0, "applies to --random only (--inputs gives the patterns)");
    tc0::cli::refuse_together(o->quiet_flag, o->output_flag, "--quiet prints no outputs, so there is nothing to write");
    tc0::cli::check_paths({{"FILE", o->file}, {"--inputs", o->inputs}}, {{"-o", o->output}, {"--json", o->json}});
    // Under mpirun every rank simulates its shard of the samples and rank 0 writes the outputs in
    // sample order and the report (tools/cli/cluster.hpp); alone, the one shard is every sample.
    const tc0::cli::Cluster& cluster = tc0::cli::Cluster::get();
    const bool streaming = cluster.size() == 1;  // alone: lines go straight out, else via rank 0
    // The inputs are read in full before the output is opened; the output goes through the atomic
    // writer, committed once every line is written, so a failure or an interruption leaves the
    // previous file as it was.
    std::optional<tc0::fileio::AtomicFile> file;
    std::ostream* out = &std::cout;
    auto open_output = [&] {
      if (!o->output.empty()) out = &file.emplace(o->output, "simulation output").stream();
    };
    std::vector<Bus> outs;
    uint64_t edges = 0;
    sim::DeviceRun device;  // this rank's; rank 0 reports its own
    double load_s = 0, setup_s = 0;
    auto work = [&]() -> nlohmann::json {
      const auto t_load = std::chrono::steady_clock::now();
      const Network ntk = io::load_native(o->file);
      const auto t_setup = std::chrono::steady_clock::now();
      edges = ntk.num_edges();
      const sim::BitSimulator simulator(ntk, {.threads = o->threads,
                                              .block_words = o->block_words,
                                              .device = sim::parse_device(o->device),
                                              .on_fallback = tc0::cli::report_fallback("simulate")});
      load_s = std::chrono::duration<double>(t_setup - t_load).count();
      setup_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_setup).count();
      const auto& ports = simulator.inputs();
      outs = simulator.outputs();
      sim::BusBatch file_inputs;
      uint64_t total = o->random;
      if (!o->inputs.empty()) {
        file_inputs = read_inputs(o->inputs, ports);
        total = file_inputs.empty() ? 0 : file_inputs[0].size();
      }
      const tc0::cli::Shard shard = cluster.shard(total);
      std::string header;
      for (const Bus& b : outs) header += (header.empty() ? "" : " ") + b.name;
      if (streaming) {
        open_output();
        if (!o->quiet) *out << header << '\n';
      }
      std::string text;  // this shard's lines when they go through rank 0
      nlohmann::json rows = nlohmann::json::array();
      double seconds = 0;
      // Chunks of 2^16 samples keep memory bounded for any N; on a device, chunks of whole device blocks.
      const uint64_t chunk = std::max<uint64_t>(1 << 16, simulator.device_run().block_samples);
      for (uint64_t c0 = shard.begin; c0 < shard.end; c0 += chunk) {
        const size_t n = size_t(std::min(chunk, shard.end - c0));
        sim::BusBatch in(ports.size(), std::vector<int64_t>(n));
        for (size_t p = 0; p < ports.size(); ++p)
          for (size_t s = 0; s < n; ++s)
            in[p][s] = file_inputs.empty() ? random_value(o->seed, c0 + s, p, ports[p]) : file_inputs[p][c0 + s];
        const auto t0 = std::chrono::steady_clock::now();
        const sim::BusBatch res = simulator.run(in);
        seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        for (size_t s = 0; s < n; ++s) {
          if (c0 + s < 1000) {
            nlohmann::json r = nlohmann::json::object();
            for (size_t b = 0; b < outs.size(); ++b) r[outs[b].name] = res[b][s];
            rows.push_back(r);
          }
          if (o->quiet) continue;
          std::string line;
          for (size_t b = 0; b < outs.size(); ++b) {
            if (b) line += ' ';
            line += format_value(res[b][s], outs[b].is_signed);
          }
          line += '\n';
          text += line;
        }
        if (streaming) {  // this chunk's lines go out now
          *out << text;
          text.clear();
        }
      }
      device = simulator.device_run();
      nlohmann::json program;
      if (!simulator.on_device()) {
        const sim::Program& prog = simulator.program();
        for (int k = 0; k < sim::kNumOpKinds; ++k)
          program["gates"][sim::op_kind_name(sim::OpKind(k))] = prog.gates_per_kind[k];
        program["instructions"] = prog.code.size();
        program["registers"] = prog.num_registers;
        program["register_file_mib_per_thread"] = double(simulator.register_file_bytes()) / (1 << 20);
        program["program_mib"] = double(prog.memory_bytes()) / (1 << 20);
      }
      return {{"rank", cluster.rank()}, {"host", cluster.host()}, {"begin", shard.begin}, {"end", shard.end},
              {"samples", shard.end - shard.begin}, {"seconds", seconds}, {"header", header}, {"text", text},
              {"rows", rows}, {"program", program}, {"device", device.to_json()}};
    };
    auto merge = [&](const std::vector<nlohmann::json>& shards) -> int {
      if (!streaming) {
        open_output();
        if (!o->quiet) *out << shards.front().at("header").get<std::string>() << '\n';
        for (const nlohmann::json& sj : shards) *out << sj.at("text").get<std::string>();
      }
      out->flush();
      if (file) file->commit();
      uint64_t samples = 0;
      double seconds = 0;
      nlohmann::json rows = nlohmann::json::array(), ranks = nlohmann::json::array();
      for (const nlohmann::json& sj : shards) {
        samples += sj.at("samples").get<uint64_t>();
        seconds = std::max(seconds, sj.at("seconds").get<double>());  // the ranks run side by side
        for (const auto& r : sj.at("rows")) rows.push_back(r);
        ranks.push_back({{"rank", sj.at("rank")}, {"host", sj.at("host")}, {"begin", sj.at("begin")}, {"end", sj.at("end")},
                         {"samples", sj.at("samples")}, {"seconds", sj.at("seconds")}, {"device", sj.at("device")}});
      }
      const double edge_samples = double(edges) * double(samples);
      fmt::print(stderr, "simulated {} samples in {:.3f} s: {:.3g} edge-samples/s{}\n", samples, seconds,
                 seconds > 0 ? edge_samples / seconds : 0.0,
                 cluster.size() > 1 ? fmt::format(" ({} ranks)", cluster.size()) : "");
      tc0::cli::print_device_line(stderr, device);
      if (o->profile) {
        fmt::print(stderr, "before simulating: loading the circuit {:.1f} s, flattening{} {:.1f} s\n", load_s,
                   device.device != "cpu" ? " and uploading it to the device" : "", setup_s);
        if (device.device != "cpu") fmt::print(stderr, "{}", device.profile.table());
      }
      auto j = tc0::cli::report_header("simulate");
      j["file"] = o->file;
      j["samples"] = samples;
      j["device"] = device.to_json();
      j["seconds"] = seconds;
      j["load_seconds"] = load_s;
      j["setup_seconds"] = setup_s;
      j["edge_samples_per_second"] = seconds > 0 ? edge_samples / seconds : 0.0;
      if (!shards.front().at("program").is_null()) j["program"] = shards.front().at("program");
      if (!rows.empty()) j["outputs_first_1000"] = rows;
      j["ranks"] = ranks;
      tc0::cli::write_json(o->json, j);
      return 0;
    };
    return tc0::cli::run_sharded(work, merge);
  };
});

}  // namespace
