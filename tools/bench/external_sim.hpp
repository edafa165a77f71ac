#pragma once
// Side-by-side anchors for the simulation benchmark: berkeley-abc's random simulator on our AIGER
// export and a Verilator model of our Verilog export, each timed on the same circuit. Header-only
// because benchmarks are single-file programs (tools/bench/CMakeLists.txt).
//
// ABC: `sim -m -F 1 -W words` simulates words x 32 random patterns of a combinational AIG and prints
// its own simulation time ("Time = x sec"), which excludes reading the file; we take that.
// Verilator: a harness drives random inputs through Vtop::eval() n times and times the loop alone;
// a model whose C++ build takes longer than the build timeout is reported as such.
// tc0flow simulate: this commit's or another commit's command line on a circuit file, timed by its
// own report (simulation only, not loading), with the child's peak resident memory.
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include "circuits/io/aig.hpp"
#include "circuits/io/verilog.hpp"
#include "circuits/network.hpp"
#include "fileio/atomic_file.hpp"

namespace tc0::bench {

struct ExternalResult {
  bool ran = false;
  std::string why;           // when !ran: what was missing or failed
  double samples_per_s = 0;  // random input patterns evaluated per second
  double seconds = 0;        // time of the measured part
  uint64_t samples = 0;
  double build_seconds = 0;  // Verilator: the model's build
  double peak_rss_mib = 0;   // tc0flow simulate: the child's peak resident memory
};

// `tc0flow simulate FILE --random N --quiet --threads T` of the given binary; the rate is the
// samples over the simulation seconds of its JSON report.
inline ExternalResult tc0flow_simulate(const std::string& binary, const std::string& file, uint64_t samples, int threads,
                                       const std::filesystem::path& json) {
  ExternalResult r;
  if (!std::filesystem::exists(binary)) {
    r.why = "no tc0flow binary at " + binary;
    return r;
  }
  const std::vector<std::string> args = {binary,  "simulate", file,   "--random", std::to_string(samples), "--quiet",
                                         "--threads", std::to_string(threads), "--json", json.string()};
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  const int err = posix_spawn(&pid, binary.c_str(), &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (err != 0) {
    r.why = "cannot start " + binary;
    return r;
  }
  int status = 0;
  rusage ru{};
  if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    r.why = fmt::format("{} simulate failed (status {})", binary, status);
    return r;
  }
  try {
    std::ifstream in(json);
    const nlohmann::json j = nlohmann::json::parse(in);
    r.samples = j.at("samples").get<uint64_t>();
    r.seconds = j.at("seconds").get<double>();
  } catch (const std::exception& e) {
    r.why = std::string("unreadable simulate report: ") + e.what();
    return r;
  }
  r.ran = r.seconds > 0;
  r.samples_per_s = r.ran ? double(r.samples) / r.seconds : 0;
  r.peak_rss_mib = double(ru.ru_maxrss) / 1024.0;
  return r;
}

inline std::string run_capture(const std::string& cmd, int* status) {
  std::string out;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) {
    *status = -1;
    return out;
  }
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  *status = pclose(p);
  return out;
}

inline bool have_tool(const std::string& name) {
  int st = 0;
  run_capture("command -v " + name, &st);
  return st == 0;
}

inline void write_file(const std::filesystem::path& p, const std::string& text) {
  tc0::fileio::write_file(p.string(), text, "input of an external simulator");
}

// ABC's random simulation of the AIGER export with up to `max_words` 32-bit words of patterns. ABC
// keeps every node's words in memory, so the word count is capped at about 1 GiB of simulation data
// (4 bytes x AND nodes x words); beyond that it crashes.
inline ExternalResult abc_sim(const circuits::Network& ntk, const std::filesystem::path& dir, uint32_t max_words) {
  ExternalResult r;
  if (!have_tool("berkeley-abc")) {
    r.why = "berkeley-abc not installed (apt-get install berkeley-abc)";
    return r;
  }
  std::filesystem::create_directories(dir);
  const auto aig = dir / "circuit.aig";
  const circuits::io::LoweredAig lowered = circuits::io::lower_to_aig(ntk);
  write_file(aig, circuits::io::write_aiger(lowered, true));
  const uint64_t nodes = uint64_t(lowered.aig.num_ands()) + lowered.aig.num_inputs() + 1;
  const uint32_t words = uint32_t(std::clamp<uint64_t>((uint64_t(1) << 28) / nodes, 64, max_words));
  int st = 0;
  const std::string out = run_capture(
      fmt::format("cd '{}' && berkeley-abc -c 'read circuit.aig; strash; sim -m -F 1 -W {} -v'", dir.string(), words), &st);
  std::smatch m;
  static const std::regex time_re(R"(Time\s*=\s*([0-9.]+)\s*sec)");
  if (st != 0 || !std::regex_search(out, m, time_re)) {
    r.why = "berkeley-abc sim failed: " + out.substr(0, 200);
    return r;
  }
  r.ran = true;
  r.samples = uint64_t(words) * 32;
  r.seconds = std::stod(m[1].str());
  // ABC prints two decimals; a measurement under 0.05 s is too coarse to quote.
  if (r.seconds < 0.05) {
    r.ran = false;
    r.why = fmt::format("ABC's timer read {:.2f} s: too short to measure, use more words", r.seconds);
    return r;
  }
  r.samples_per_s = double(r.samples) / r.seconds;
  return r;
}

struct VerilogPort {
  std::string name;
  int width = 1;
  bool input = true;
};

// The top module's ports, read back from the exported text (an independent reading of the file).
inline std::vector<VerilogPort> verilog_ports(const std::string& text, const std::string& top) {
  std::vector<VerilogPort> ports;
  const auto start = text.find("module " + top + "(");
  if (start == std::string::npos) return ports;
  std::istringstream in(text.substr(start));
  static const std::regex port_re(R"(^\s*(input|output)\s*(?:\[(\d+):0\])?\s*([A-Za-z_][A-Za-z0-9_]*)\s*;)");
  std::string line;
  std::smatch m;
  while (std::getline(in, line)) {
    if (line.find("endmodule") != std::string::npos) break;
    if (std::regex_search(line, m, port_re))
      ports.push_back({m[3].str(), m[2].matched ? std::stoi(m[2].str()) + 1 : 1, m[1].str() == "input"});
  }
  return ports;
}

// A Verilator model of the Verilog export, evaluated `samples` times on random inputs; the build is
// stopped after build_timeout_s seconds.
inline ExternalResult verilator_sim(const circuits::Network& ntk, const std::filesystem::path& dir, uint64_t samples,
                                    int build_timeout_s = 600) {
  ExternalResult r;
  if (!have_tool("verilator")) {
    r.why = "verilator not installed (apt-get install verilator)";
    return r;
  }
  std::filesystem::create_directories(dir);
  const std::string top = "tc0";
  const std::string v = circuits::io::write_verilog(ntk, top);
  write_file(dir / "tc0.v", v);
  std::string drive, observe;
  for (const VerilogPort& p : verilog_ports(v, top)) {
    if (p.width > 64) {
      r.why = fmt::format("port {} is {} bits wide; the harness drives at most 64", p.name, p.width);
      return r;
    }
    const std::string mask = p.width == 64 ? "~0ull" : fmt::format("((1ull << {}) - 1)", p.width);
    if (p.input) drive += fmt::format("    s = next(s); top.{} = s & {};\n", p.name, mask);
    else observe += fmt::format("    acc ^= uint64_t(top.{});\n", p.name);
  }
  write_file(dir / "harness.cpp", fmt::format(R"(#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include "Vtc0.h"
static inline uint64_t next(uint64_t x) {{ x ^= x << 13; x ^= x >> 7; x ^= x << 17; return x; }}
int main(int argc, char** argv) {{
  const long n = argc > 1 ? std::atol(argv[1]) : 1000;
  Vtc0 top;
  uint64_t s = 88172645463325252ull, acc = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (long i = 0; i < n; ++i) {{
{}    top.eval();
{}  }}
  const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%.9f %llu\n", sec, (unsigned long long)acc);
  return 0;
}}
)", drive, observe));
  int st = 0;
  const auto t_build = std::chrono::steady_clock::now();
  const std::string build = run_capture(
      fmt::format("cd '{}' && timeout --kill-after=10 {} verilator --cc --exe --build -O3 -Wno-fatal -Wno-lint -Wno-style --top-module tc0 "
                  "-CFLAGS -O2 -Mdir obj tc0.v harness.cpp -j 2",
                  dir.string(), build_timeout_s),
      &st);
  if (st != 0 && WIFEXITED(st) && WEXITSTATUS(st) == 124) {
    r.why = fmt::format("verilator's C++ build did not finish within {} s", build_timeout_s);
    return r;
  }
  r.build_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_build).count();
  if (st != 0) {
    r.why = "verilator build failed: " + build.substr(build.size() > 300 ? build.size() - 300 : 0);
    return r;
  }
  const std::string out = run_capture(fmt::format("'{}' {}", (dir / "obj" / "Vtc0").string(), samples), &st);
  double sec = 0;
  if (st != 0 || std::sscanf(out.c_str(), "%lf", &sec) != 1 || sec <= 0) {
    r.why = "verilator model failed: " + out.substr(0, 200);
    return r;
  }
  r.ran = true;
  r.samples = samples;
  r.seconds = sec;
  r.samples_per_s = double(samples) / sec;
  return r;
}

}  // namespace tc0::bench
