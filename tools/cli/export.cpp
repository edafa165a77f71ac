// tc0flow export FILE --format blif|aiger|aag|verilog|dot -o OUT: circuit files for other tools.
#include <fmt/format.h>

#include <fstream>
#include <memory>

#include "circuits/io/aig.hpp"
#include "circuits/io/blif.hpp"
#include "circuits/io/dot.hpp"
#include "circuits/io/native.hpp"
#include "circuits/io/verilog.hpp"
#include "tools/cli/command.hpp"

namespace {

struct Options {
  std::string file, format, output, json, top = "tc0";
  unsigned table_fanin = 10;
  tc0::circuits::io::DotOptions dot;
};

tc0::cli::Registrar reg("export", "Export a circuit file as BLIF, AIGER, Verilog or DOT", [](CLI::App& sub) -> tc0::cli::Runner {
  auto o = std::make_shared<Options>();
  sub.add_option("file", o->file, "Circuit file (.tc0c)")->required();
  sub.add_option("--format", o->format, "blif | aiger (binary .aig) | aag (ASCII AIGER) | verilog | dot")
      ->required()
      ->check(CLI::IsMember({"blif", "aiger", "aag", "verilog", "dot"}));
  sub.add_option("-o,--output", o->output, "File to write")->required();
  sub.add_option("--top", o->top, "Model / top module name (blif, verilog)");
  sub.add_option("--table-fanin", o->table_fanin, "BLIF: gates with at most this many fan-ins become one table (<= 16)");
  sub.add_option("--cone", o->dot.cone, "DOT: only the cone of this output bus or bit");
  sub.add_option("--max-depth", o->dot.max_depth, "DOT: only gates within N levels of the outputs");
  sub.add_option("--max-gates", o->dot.max_gates, "DOT: refuse more gates than this");
  tc0::cli::add_json_option(sub, o->json);
  sub.footer("Check an export with ABC: berkeley-abc -c 'cec out.blif out.aig'");
  return [o] {
    using namespace tc0::circuits;
    const Network ntk = io::load_native(o->file);
    std::string text;
    if (o->format == "blif") text = io::write_blif(ntk, {o->top, o->table_fanin});
    else if (o->format == "aiger") text = io::write_aiger(io::lower_to_aig(ntk), true);
    else if (o->format == "aag") text = io::write_aiger(io::lower_to_aig(ntk), false);
    else if (o->format == "verilog") text = io::write_verilog(ntk, o->top);
    else text = io::write_dot(ntk, o->dot);
    std::ofstream out(o->output, std::ios::binary);
    if (!out) throw std::runtime_error(fmt::format("cannot write '{}'", o->output));
    out << text;
    if (!out) throw std::runtime_error(fmt::format("error while writing '{}'", o->output));
    fmt::print("wrote {} ({} bytes, {})\n", o->output, text.size(), o->format);
    auto j = tc0::cli::report_header("export");
    j["file"] = o->file;
    j["format"] = o->format;
    j["output"] = o->output;
    j["bytes"] = text.size();
    tc0::cli::write_json(o->json, j);
    return 0;
  };
});

}  // namespace
