// tc0flow export FILE --format blif|aiger|aag|verilog|dot -o OUT: circuit files for other tools.
// The size of the file (and of the AIGER lowering in memory) is estimated before any of it is made
// and refused past --max-output-gib; the text streams to disk through the atomic writer.
#include <fmt/format.h>

#include <cmath>
#include <memory>

#include "circuits/io/aig.hpp"
#include "circuits/io/blif.hpp"
#include "circuits/io/dot.hpp"
#include "circuits/io/export_size.hpp"
#include "circuits/io/native.hpp"
#include "circuits/io/verilog.hpp"
#include "fileio/atomic_file.hpp"
#include "fileio/input_file.hpp"
#include "tools/cli/command.hpp"
#include "tools/cli/flags.hpp"

namespace {

struct Options {
  std::string file, format, output, json, top = "tc0";
  unsigned table_fanin = 10;
  double max_gib = 2;
  tc0::circuits::io::DotOptions dot;
  CLI::Option *top_flag = nullptr, *table_flag = nullptr, *cone = nullptr, *depth = nullptr, *gates = nullptr;
};

double gib(uint64_t bytes) { return double(bytes) / double(uint64_t(1) << 30); }

tc0::cli::Registrar reg("export", "Export a circuit file as BLIF, AIGER, Verilog or DOT", [](CLI::App& sub) -> tc0::cli::Runner {
  auto o = std::make_shared<Options>();
  using tc0::cli::add_number;
  sub.add_option("file", o->file, "Circuit file (.tc0c)")->required();
  sub.add_option("--format", o->format, "blif | aiger (binary .aig) | aag (ASCII AIGER) | verilog | dot")
      ->required()
      ->check(CLI::IsMember({"blif", "aiger", "aag", "verilog", "dot"}));
  sub.add_option("-o,--output", o->output, "File to write")->required();
  o->top_flag = sub.add_option("--top", o->top, "Model / top module name (blif, verilog)");
  o->table_flag = add_number(sub, "--table-fanin", o->table_fanin, 0u, 16u,
                             "BLIF: gates with at most this many fan-ins become one table");
  o->cone = sub.add_option("--cone", o->dot.cone, "DOT: only the cone of this output bus or bit");
  o->depth = add_number(sub, "--max-depth", o->dot.max_depth, 1, 1 << 20, "DOT: only gates within N levels of the outputs");
  o->gates = add_number(sub, "--max-gates", o->dot.max_gates, uint64_t(1), uint64_t(1) << 32, "DOT: refuse more gates than this");
  add_number(sub, "--max-output-gib", o->max_gib, tc0::cli::Range<double>{0, 1024, true, false},
             "Refuse an export whose file, or whose lowering in memory, is estimated larger than this (default 2 GiB)");
  tc0::cli::add_json_option(sub, o->json);
  sub.footer("Check an export with ABC: berkeley-abc -c 'cec out.blif out.aig'");
  return [o] {
    using namespace tc0::circuits;
    const std::string& f = o->format;
    tc0::cli::refuse_flag(o->top_flag, f == "blif" || f == "verilog", "names the model of blif and verilog exports only");
    tc0::cli::refuse_flag(o->table_flag, f == "blif", "applies to --format blif only");
    for (CLI::Option* dot_only : {o->cone, o->depth, o->gates})
      tc0::cli::refuse_flag(dot_only, f == "dot", "applies to --format dot only (the other formats export the whole circuit)");
    tc0::cli::check_paths({{"FILE", o->file}}, {{"-o", o->output}, {"--json", o->json}});
    const Network ntk = io::load_native(o->file);
    const uint64_t budget = uint64_t(o->max_gib * double(uint64_t(1) << 30));
    nlohmann::json estimate;
    if (f == "dot") {
      o->dot.max_bytes = budget;  // write_dot refuses past it, from the gates it would draw
    } else {
      const std::string kind = f == "aag" ? "aag" : f;
      const io::ExportSize e = io::estimate_export_size(ntk, kind, {o->top, o->table_fanin});
      estimate = {{"bytes", e.bytes}, {"memory_bytes", e.memory_bytes}, {"basis", e.basis}};
      if (e.bytes > budget || e.memory_bytes > budget)
        throw std::runtime_error(fmt::format(
            "the {} export of '{}' is estimated at {} of file and {} of memory ({}), more than the "
            "--max-output-gib budget of {:g} GiB; export a smaller circuit or pass --max-output-gib {:.0f}",
            f, o->file, tc0::fileio::size_text(e.bytes), tc0::fileio::size_text(e.memory_bytes), e.basis, o->max_gib,
            std::ceil(std::max(gib(e.bytes), gib(e.memory_bytes)) * 1.25 + 1)));
    }
    tc0::fileio::AtomicFile out(o->output, f + " export");
    if (f == "blif") io::write_blif(out.stream(), ntk, {o->top, o->table_fanin});
    else if (f == "aiger" || f == "aag") io::write_aiger(out.stream(), io::lower_to_aig(ntk), f == "aiger");
    else if (f == "verilog") io::write_verilog(out.stream(), ntk, o->top);
    else out.write(io::write_dot(ntk, o->dot));
    const uint64_t bytes = out.bytes_written();
    out.commit();
    fmt::print("wrote {} ({} bytes, {})\n", o->output, bytes, f);
    auto j = tc0::cli::report_header("export");
    j["file"] = o->file;
    j["format"] = f;
    j["output"] = o->output;
    j["bytes"] = bytes;
    if (!estimate.is_null()) j["estimate"] = estimate;
    tc0::cli::write_json(o->json, j);
    return 0;
  };
});

}  // namespace
