// tc0flow draw FILE -o out.svg|png: a Graphviz picture. Gate level (one logic level per rank,
// module clusters) for small circuits, an output cone or a sub-module; module level (one box per
// module with its gates, edges and levels) for a whole compiled sampler with --modules.
#include <fmt/format.h>

#include <memory>

#include "circuits/io/dot.hpp"
#include "circuits/io/module_dot.hpp"
#include "circuits/io/native.hpp"
#include "tools/cli/command.hpp"

namespace {

struct Options {
  std::string file, output, json;
  tc0::circuits::io::DotOptions dot;
  int module_depth = 0;
};

tc0::cli::Registrar reg("draw", "Draw a circuit file as SVG or PNG through Graphviz", [](CLI::App& sub) -> tc0::cli::Runner {
  auto o = std::make_shared<Options>();
  sub.add_option("file", o->file, "Circuit file (.tc0c)")->required();
  sub.add_option("-o,--output", o->output, "Picture to write; the extension picks the format (.svg, .png)")->required();
  sub.add_option("--cone", o->dot.cone, "Draw only the fan-in cone of this output bus ('y') or bit ('y[3]')");
  sub.add_option("--max-depth", o->dot.max_depth, "Draw only gates within N levels of the drawn outputs");
  sub.add_option("--max-gates", o->dot.max_gates, "Refuse to draw more gates than this (default 500)");
  sub.add_option("--module", o->dot.module, "Draw only the gates of this module and its sub-modules (path prefix)");
  sub.add_option("--modules", o->module_depth,
                 "Module-level picture instead: one box per module path cut to N components (2: step/tensor)")
      ->check(CLI::Range(1, 16));
  tc0::cli::add_json_option(sub, o->json);
  return [o] {
    using namespace tc0::circuits;
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
