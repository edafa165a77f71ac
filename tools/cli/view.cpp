// tc0flow view FILE -o DIR: the circuit explorer, a static site that opens from file:// (see
// tools/explorer/site.hpp for what it writes and tools/explorer/README.md for what it shows).
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <memory>

#include "circuits/io/native.hpp"
#include "tools/cli/command.hpp"
#include "tools/cli/flags.hpp"
#include "tools/explorer/site.hpp"

namespace {

namespace fs = std::filesystem;

struct Options {
  std::string file, output, json;
  tc0::explorer::SiteOptions site;
};

// Absolute, links resolved, no trailing separator ("site/" is "site").
fs::path resolved(const std::string& p) {
  std::error_code ec;
  fs::path r = fs::weakly_canonical(fs::absolute(p), ec);
  if (ec) r = fs::absolute(p).lexically_normal();
  return r.has_filename() || !r.has_parent_path() ? r : r.parent_path();
}

bool inside(const fs::path& p, const fs::path& folder) {
  const auto [f, q] = std::mismatch(folder.begin(), folder.end(), p.begin(), p.end());
  return f == folder.end();
}

// Before any work: the report is no input; the site folder may be written (a previous site, an
// empty folder or a new name) and holds no input, since it is replaced as a whole.
void check_outputs(const Options& o) {
  std::vector<tc0::cli::NamedPath> inputs = {{"FILE", o.file}, {"--bounds", o.site.bounds_json}, {"--verify", o.site.verify_json}};
  for (auto& p : tc0::cli::model_paths(o.site.model_dir)) inputs.push_back(p);
  tc0::cli::check_paths(inputs, {{"--json", o.json}});
  tc0::explorer::check_site_output(o.output);
  const fs::path site = resolved(o.output);
  if (!o.json.empty() && o.json != "-" && resolved(o.json) == site)
    throw std::invalid_argument(fmt::format("--json '{}' names the site folder -o '{}'; give the report a file of its own",
                                            o.json, o.output));
  for (const auto& in : inputs)
    if (!in.path.empty() && inside(resolved(in.path), site))
      throw std::invalid_argument(fmt::format("{} '{}' lies in the site folder -o '{}', which is replaced as a whole; "
                                              "move it out of there first",
                                              in.flag, in.path, o.output));
}

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
    check_outputs(*o);
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
