#include "tools/cli/device_option.hpp"

#include <fmt/format.h>

namespace tc0::cli {

void add_device_option(CLI::App& sub, std::string& device) {
  sub.add_option("--device", device,
                 "Where to simulate the circuit: cpu, cuda, or auto (a CUDA GPU when one is usable, else the CPU). "
                 "Batches stream through the GPU in blocks that fit its memory; a GPU error part-way moves the "
                 "rest of the run to the CPU, with a message")
      ->check(CLI::IsMember({"cpu", "cuda", "auto"}))
      ->capture_default_str();
}

std::function<void(const std::string&)> report_fallback(const std::string& command) {
  return [command](const std::string& message) {
    std::fflush(stdout);
    fmt::print(stderr, "\ntc0flow {}: {}\n", command, message);
  };
}

void print_device_line(std::FILE* out, const circuits::sim::DeviceRun& run) {
  fmt::print(out, "{}\n", run.line());
  std::fflush(out);
}

}  // namespace tc0::cli
