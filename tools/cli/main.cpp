// tc0flow: the command-line tool. Each subcommand lives in its own file under tools/cli/ and
// registers itself (see command.hpp).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <fmt/format.h>
#include <exception>

#include "tc0/version.hpp"
#include "tools/cli/command.hpp"

int main(int argc, char** argv) {
  CLI::App app{"tc0flow: Second-Order MeanFlow samplers as constant-depth threshold circuits"};
  app.set_version_flag("--version", fmt::format("tc0flow {} (semantics version {})", tc0::kVersion,
                                                 tc0::kSemanticsVersion));
  app.require_subcommand(1);
  auto& commands = tc0::cli::registry();
  std::sort(commands.begin(), commands.end(), [](auto& a, auto& b) { return a.name < b.name; });
  std::vector<std::pair<CLI::App*, tc0::cli::Runner>> runners;
  for (auto& c : commands) {
    CLI::App* sub = app.add_subcommand(c.name, c.description);
    runners.emplace_back(sub, c.setup(*sub));
  }
  CLI11_PARSE(app, argc, argv);
  for (auto& [sub, run] : runners) {
    if (!sub->parsed()) continue;
    try {
      return run();
    } catch (const std::exception& e) {
      fmt::print(stderr, "tc0flow {}: error: {}\n", sub->get_name(), e.what());
      return 1;
    }
  }
  return 1;
}
