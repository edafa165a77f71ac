// tc0flow simulate FILE [--inputs FILE | --random N --seed S] [--threads T]: runs the bit-parallel
// simulator and prints the output buses as integers, one line per sample, bus names as header.
//
// Input file: a header line naming the input ports (input buses, and loose inputs by name) in any
// order, then one line of integers per sample; '#' starts a comment. Signed buses take signed
// values, unsigned ones values in [0, 2^w).
#include <fmt/format.h>

#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <sstream>

#include "circuits/io/native.hpp"
#include "circuits/sim/bitsim.hpp"
#include "fileio/atomic_file.hpp"
#include "fileio/input_file.hpp"
#include "tools/cli/command.hpp"
#include "tools/cli/flags.hpp"

namespace {

using namespace tc0::circuits;

struct Options {
  std::string file, inputs, output, json, device = "cpu";
  uint64_t random = 0, seed = 1;
  int threads = 0;
  uint32_t block_words = 4;
  bool quiet = false;
  CLI::Option *seed_flag = nullptr, *quiet_flag = nullptr, *output_flag = nullptr, *random_flag = nullptr;
};

constexpr uint64_t kMaxInputFileBytes = uint64_t(16) << 30;
constexpr uint64_t kMaxRandom = 1000000000000;  // 10^12 patterns: hours of simulation on a large circuit

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
  tc0::cli::add_number(sub, "--block-words", o->block_words, uint32_t(1), uint32_t(64), "Words of 64 samples per block");
  o->output_flag = sub.add_option("-o,--output", o->output, "Write the output lines to this file instead of standard output");
  o->quiet_flag = sub.add_flag("--quiet", o->quiet, "Do not print outputs (timing only)");
  sub.add_option("--device", o->device, "Where to evaluate: cpu, cuda, or auto (a GPU when present, else the CPU)")
      ->check(CLI::IsMember({"cpu", "cuda", "auto"}));
  tc0::cli::add_json_option(sub, o->json);
  return [o] {
    if (o->inputs.empty() && o->random == 0) throw std::runtime_error("give --inputs FILE or --random N");
    tc0::cli::refuse_flag(o->seed_flag, o->random_flag->count() > 0, "applies to --random only (--inputs gives the patterns)");
    tc0::cli::refuse_together(o->quiet_flag, o->output_flag, "--quiet prints no outputs, so there is nothing to write");
    tc0::cli::check_paths({{"FILE", o->file}, {"--inputs", o->inputs}}, {{"-o", o->output}, {"--json", o->json}});
    const Network ntk = io::load_native(o->file);
    const sim::BitSimulator simulator(
        ntk, {.threads = o->threads, .block_words = o->block_words, .device = sim::parse_device(o->device)});
    if (!simulator.device_note().empty()) fmt::print(stderr, "tc0flow simulate: {}\n", simulator.device_note());
    const auto& ports = simulator.inputs();
    const auto& outs = simulator.outputs();
    // The inputs are read in full before the output is opened; the output goes through the atomic
    // writer, so a failure or an interruption leaves the previous file as it was.
    const sim::BusBatch given = o->inputs.empty() ? sim::BusBatch{} : read_inputs(o->inputs, ports);
    std::optional<tc0::fileio::AtomicFile> file;
    if (!o->output.empty()) file.emplace(o->output, "simulation output");
    std::ostream& out = file ? file->stream() : std::cout;
    if (!o->quiet) {
      std::string header;
      for (const Bus& b : outs) {
        if (!header.empty()) header += ' ';
        header += b.name;
      }
      out << header << '\n';
    }
    double seconds = 0;
    uint64_t samples = 0;
    nlohmann::json rows = nlohmann::json::array();
    auto run_chunk = [&](const sim::BusBatch& in) {
      const auto t0 = std::chrono::steady_clock::now();
      const sim::BusBatch res = simulator.run(in);
      seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      const size_t n = res.empty() ? (in.empty() ? 0 : in[0].size()) : res[0].size();
      std::string lines;
      for (size_t s = 0; s < n && !o->quiet; ++s) {
        for (size_t b = 0; b < outs.size(); ++b) {
          if (b) lines += ' ';
          lines += format_value(res[b][s], outs[b].is_signed);
        }
        lines += '\n';
        if (samples + s < 1000) {
          nlohmann::json r = nlohmann::json::object();
          for (size_t b = 0; b < outs.size(); ++b) r[outs[b].name] = res[b][s];
          rows.push_back(r);
        }
      }
      out << lines;
      samples += n;
    };
    if (!o->inputs.empty()) {
      run_chunk(given);
    } else {
      // Stream random patterns in chunks so memory stays bounded for any N.
      std::mt19937_64 rng(o->seed);
      const uint64_t chunk = 1 << 16;
      for (uint64_t done = 0; done < o->random; done += chunk) {
        const size_t n = size_t(std::min(chunk, o->random - done));
        sim::BusBatch in(ports.size(), std::vector<int64_t>(n));
        for (size_t s = 0; s < n; ++s)
          for (size_t p = 0; p < ports.size(); ++p)
            in[p][s] = sim::wrap_to_bus(int64_t(rng()), ports[p].bits.size(), ports[p].is_signed);
        run_chunk(in);
      }
    }
    out.flush();
    if (file) file->commit();
    const double edge_samples = double(ntk.num_edges()) * double(samples);
    fmt::print(stderr, "simulated {} samples in {:.3f} s: {:.3g} edge-samples/s\n", samples, seconds,
               seconds > 0 ? edge_samples / seconds : 0.0);
    auto j = tc0::cli::report_header("simulate");
    j["file"] = o->file;
    j["samples"] = samples;
    j["device"] = simulator.on_gpu() ? "cuda" : "cpu";
    j["seconds"] = seconds;
    j["edge_samples_per_second"] = seconds > 0 ? edge_samples / seconds : 0.0;
    if (!rows.empty()) j["outputs_first_1000"] = rows;
    tc0::cli::write_json(o->json, j);
    return 0;
  };
});

}  // namespace
