// tc0flow draw FILE -o out.svg|png: a Graphviz picture. Gate level (one logic level per rank,
// module clusters) for small circuits, an output cone or a sub-module; module level (one box per
// module with its gates, edges and levels) for a whole compiled sampler with --modules.
#include <fmt/format.h>

#include <memory>

#include "circuits/io/dot.hpp"
#include "circuits/io/module_dot.hpp"
#include "circuits/io/native.hpp"
#include "tools/cli/command.hpp"
#include "tools/cli/flags.hpp"

namespace {

struct Options {
  std::string file, output, json;
  tc0::circuits::io::DotOptions dot;
  int module_depth = 0;
  std::vector<CLI::Option*> gate_level;  // the flags of gate-level pictures
  CLI::Option* modules = nullptr;
};

tc0::cli::Registrar reg("draw", "Draw a circuit file as SVG or PNG through Graphviz", [](CLI::App& sub) -> tc0::cli::Runner {
  auto o = std::make_shared<Options>();
  using tc0::cli::add_number;
  sub.add_option("file", o->file, "Circuit file (.tc0c)")->required();
  sub.add_option("-o,--output", o->output, "Picture to write; the extension picks the format (.svg, .png)")->required();
  o->gate_level = {
      sub.add_option("--cone", o->dot.cone, "Draw only the fan-in cone of this output bus ('y') or bit ('y[3]')"),
      add_number(sub, "--max-depth", o->dot.max_depth, 1, 1 << 20, "Draw only gates within N levels of the drawn outputs"),
      add_number(sub, "--max-gates", o->dot.max_gates, uint64_t(1), uint64_t(100000),
                 "Refuse to draw more gates than this (default 500)"),
      sub.add_option("--module", o->dot.module, "Draw only the gates of this module and its sub-modules (path prefix)")};
  o->modules = add_number(sub, "--modules", o->module_depth, 1, 16,
                          "Module-level picture instead: one box per module path cut to N components (2: step/tensor)");
  tc0::cli::add_json_option(sub, o->json);
  return [o] {
    using namespace tc0::circuits;
    for (CLI::Option* g : o->gate_level)
      tc0::cli::refuse_together(o->modules, g, "--modules draws every module as one box; the other flags cut a gate-level picture");
    tc0::cli::check_paths({{"FILE", o->file}}, {{"-o", o->output}, {"--json", o->json}});
    const Network ntk = io::load_native(o->file);
    const std::string dot = o->module_depth > 0
                                ? io::write_module_dot(io::module_graph(ntk, o->module_depth), o->file)
                                : io::write_dot(ntk, o->dot);
    io::render_dot(dot, o->output);
    fmt::print("wrote {}\n", o->output);
    auto j = tc0::cli::report_header("draw");
    j["file"] = o->file;
    j["output"] = o->output;
    tc0::cli::write_json(o->json, j);
    return 0;
  };
});

}  // namespace
