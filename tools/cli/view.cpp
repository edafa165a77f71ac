// tc0flow view FILE -o DIR: the circuit explorer, a static site that opens from file:// (see
// tools/explorer/site.hpp for what it writes and tools/explorer/README.md for what it shows).
#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <memory>

#include "circuits/io/native.hpp"
#include "tools/cli/command.hpp"
#include "tools/explorer/site.hpp"

namespace {

struct Options {
  std::string file, output, json;
  tc0::explorer::SiteOptions site;
};

tc0::cli::Registrar reg("view", "Write an interactive explorer of a circuit file: a static site to open in a browser",
                        [](CLI::App& sub) -> tc0::cli::Runner {
  auto o = std::make_shared<Options>();
  sub.add_option("file", o->file, "Circuit file (.tc0c)")->required();
  sub.add_option("-o,--output", o->output, "Folder to write the site into (created; a previous site there is replaced)")
      ->required();
  sub.add_option("--model", o->site.model_dir, "Model directory the circuit was compiled from (tensor names, config)");
  sub.add_option("--bounds", o->site.bounds_json, "JSON of `tc0flow bounds --json`: size and depth against the swept axis");
  sub.add_option("--verify", o->site.verify_json, "Verification report ({\"ops\": [{\"module\", \"status\"}]}): proof status per op");
  tc0::cli::add_json_option(sub, o->json);
  sub.footer("Open DIR/index.html in a browser (file:// works; no server, no network).");
  return [o] {
    const auto t0 = std::chrono::steady_clock::now();
    const std::clock_t c0 = std::clock();
    const tc0::circuits::Network ntk = tc0::circuits::io::load_native(o->file);
    const double load_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double load_cpu = double(std::clock() - c0) / CLOCKS_PER_SEC;
    if (o->site.title.empty()) o->site.title = std::filesystem::path(o->file).filename().string();
    const auto res = tc0::explorer::write_site(ntk, o->output, o->site);
    const double total_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    fmt::print("{} tree nodes, {} units, {} templates ({} units at gate level); {} files, {:.1f} MB\n", res.tree_nodes,
               res.units, res.templates, res.template_units, res.files, double(res.bytes) / 1e6);
    fmt::print("load {:.1f} s, tree {:.1f} s, units {:.1f} s, write {:.1f} s, total {:.1f} s (CPU: {:.1f}, {:.1f}, {:.1f}, {:.1f} s)\n",
               load_s, res.seconds_tree, res.seconds_units, res.seconds_write, total_s, load_cpu, res.cpu_tree, res.cpu_units,
               res.cpu_write);
    const std::string index = (std::filesystem::path(o->output) / "index.html").string();
    fmt::print("open {}\n", index);
    auto j = tc0::cli::report_header("view");
    j["file"] = o->file;
    j["output"] = o->output;
    j["index"] = index;
    j["site"] = res.to_json();
    j["seconds_load"] = load_s;
    j["cpu_seconds_load"] = load_cpu;
    j["seconds_total"] = total_s;
    tc0::cli::write_json(o->json, j);
    return 0;
  };
});

}  // namespace
