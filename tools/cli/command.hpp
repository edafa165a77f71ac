#pragma once
// Subcommand registry of the tc0flow tool. Each subcommand lives in its own file under tools/cli/
// and registers itself with a static Registrar:
//
//   static tc0::cli::Registrar reg("stats", "Print gates, edges and depth of a circuit file",
//       [](CLI::App& sub) -> tc0::cli::Runner {
//         auto opts = std::make_shared<Options>();
//         sub.add_option("file", opts->file)->required();
//         tc0::cli::add_json_option(sub, opts->json);
//         return [opts] { ...; return 0; };
//       });
//
// The runner returns the process exit code. Errors are thrown as exceptions: main() prints one
// line "tc0flow <cmd>: error: <what>" and exits with status 1.
#include <CLI/CLI.hpp>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

namespace tc0::cli {

using Runner = std::function<int()>;
using Setup = std::function<Runner(CLI::App&)>;

struct Registrar {
  Registrar(std::string name, std::string description, Setup setup);
};

struct Command {
  std::string name;
  std::string description;
  Setup setup;
};
std::vector<Command>& registry();

// Adds "--json PATH" ('-' for standard output) to a subcommand.
void add_json_option(CLI::App& sub, std::string& path);
// Writes j (pretty-printed) to path when path is not empty, through the atomic writer (fileio/);
// '-' is standard output.
void write_json(const std::string& path, const nlohmann::json& j);
// Machine-readable context stored in every JSON report: tool and semantics versions.
nlohmann::json report_header(const std::string& command);

}  // namespace tc0::cli
