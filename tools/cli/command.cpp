#include "tools/cli/command.hpp"

#include <fmt/format.h>

#include <iostream>
#include <stdexcept>

#include "fileio/atomic_file.hpp"
#include "tc0/version.hpp"

namespace tc0::cli {

std::vector<Command>& registry() {
  static std::vector<Command> commands;
  return commands;
}

Registrar::Registrar(std::string name, std::string description, Setup setup) {
  registry().push_back({std::move(name), std::move(description), std::move(setup)});
}

void add_json_option(CLI::App& sub, std::string& path) {
  sub.add_option("--json", path, "Also write the results as JSON to this file ('-' for standard output)");
}

void write_json(const std::string& path, const nlohmann::json& j) {
  if (path.empty()) return;
  if (path == "-") {
    std::cout << j.dump(2) << "\n";
    return;
  }
  fileio::write_file(path, j.dump(2) + "\n", "JSON report");
}

nlohmann::json report_header(const std::string& command) {
  return {{"tool", "tc0flow"}, {"version", kVersion}, {"semantics_version", kSemanticsVersion},
          {"command", command}};
}

}  // namespace tc0::cli
