// tc0flow stats FILE: gates by kind, edges, depth, critical path and per-module breakdown.
#include <fmt/format.h>

#include <memory>

#include "circuits/io/native.hpp"
#include "circuits/stats.hpp"
#include "tools/cli/command.hpp"
#include "tools/cli/flags.hpp"

namespace {

struct Options {
  std::string file, json;
  bool path = false, modules = false;
};

tc0::cli::Registrar reg("stats", "Print gates, edges, depth and the critical path of a circuit file",
                        [](CLI::App& sub) -> tc0::cli::Runner {
  auto o = std::make_shared<Options>();
  sub.add_option("file", o->file, "Circuit file (.tc0c)")->required();
  sub.add_flag("--path", o->path, "List the critical path gate by gate with module tags");
  sub.add_flag("--modules", o->modules, "Per-module breakdown (gates, edges, depth within the module)");
  tc0::cli::add_json_option(sub, o->json);
  sub.footer("The first line is ABC style and greppable:\n"
             "  i/o = 16/17  gates = 33  edges = 120  depth = 2  maxfanin = 16  wbits = 9  tbits = 10");
  return [o] {
    using namespace tc0::circuits;
    tc0::cli::check_paths({{"FILE", o->file}}, {{"--json", o->json}});
    const Network ntk = io::load_native(o->file);
    const CircuitStats st = compute_stats(ntk);
    fmt::print("{}\n", st.line());
    fmt::print("kinds: AND {}  OR {}  MAJ {}  TH {}\n", st.by_kind[0], st.by_kind[1], st.by_kind[2], st.by_kind[3]);
    if (o->path) {
      fmt::print("critical path ({} gates):\n", st.critical_path.size());
      for (const PathStep& s : st.critical_path)
        fmt::print("  level {:3}  n{:<8} {:3} fan-in {:5}  {}\n", s.level, s.node, gate_kind_name(s.kind), s.fanin,
                   s.module.empty() ? "(top)" : s.module);
    }
    if (o->modules) {
      fmt::print("{:40} {:>10} {:>12} {:>6}\n", "module", "gates", "edges", "depth");
      for (const ModuleStats& m : st.modules)
        fmt::print("{:40} {:>10} {:>12} {:>6}\n", m.path.empty() ? "(top)" : m.path, m.gates, m.edges, m.depth);
    }
    auto j = tc0::cli::report_header("stats");
    j["file"] = o->file;
    j["stats"] = st.to_json();
    tc0::cli::write_json(o->json, j);
    return 0;
  };
});

}  // namespace
