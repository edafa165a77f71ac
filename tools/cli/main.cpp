// tc0flow: the command-line tool. Each subcommand lives in its own file under tools/cli/ and
// registers itself (see command.hpp).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <fmt/format.h>
#include <exception>

#include "fileio/atomic_file.hpp"
#include "tc0/version.hpp"
#include "tools/cli/command.hpp"

int main(int argc, char** argv) {
  // Before any output is opened: a file-size limit becomes a write error, and an interrupted run
  // leaves no temporary file (fileio/atomic_file.hpp).
  tc0::fileio::install_signal_handlers();
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
  std::string names;
  for (const auto& c : commands) names += (names.empty() ? "" : ", ") + c.name;
  if (argc > 1 && argv[1][0] != '-' &&
      std::none_of(commands.begin(), commands.end(), [&](const auto& c) { return c.name == argv[1]; })) {
    fmt::print(stderr, "tc0flow: error: '{}' is not a tc0flow command; the commands are {} (see tc0flow --help)\n",
               argv[1], names);
    return 1;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    // One line, like every other error: which command, which flag, why.
    const auto subs = app.get_subcommands();
    const std::string who = subs.empty() ? "tc0flow" : "tc0flow " + subs.front()->get_name();
    fmt::print(stderr, "{}: error: {} (see {} --help)\n", who, e.what(), who);
    return 1;
  }
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
