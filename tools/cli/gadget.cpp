// tc0flow gadget NAME --bits N [...] -o FILE: builds one gadget of circuits/gadgets into a circuit
// file (native format). The gadgets, their specifications and the flags each reads are in
// gadget_catalog.hpp; a flag the chosen gadget does not read is refused.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <memory>

#include "circuits/io/native.hpp"
#include "circuits/stats.hpp"
#include "tools/cli/command.hpp"
#include "tools/cli/flags.hpp"
#include "tools/cli/gadget_catalog.hpp"

namespace {

using namespace tc0::circuits;
using tc0::numerics::Format;

struct Options {
  std::string name, output, json;
  tc0::cli::GadgetParams params;
  int out_bits = 0, out_frac = 0;
  std::map<std::string, CLI::Option*> flags;  // the gadget parameters, by name
};

std::string gadget_list() {
  std::string s;
  for (const auto& g : tc0::cli::gadget_catalog()) s += fmt::format("\n  {:9} {}", g.name, g.help);
  return s;
}

tc0::cli::Registrar reg("gadget", "Build a gadget (adder, multiplier, linear form, ...) into a circuit file",
                        [](CLI::App& sub) -> tc0::cli::Runner {
  auto o = std::make_shared<Options>();
  using tc0::cli::add_number;
  tc0::cli::GadgetParams& p = o->params;
  sub.footer("Gadgets:" + gadget_list() +
             "\nInputs are signed buses Q(bits,frac) named a, b or x0, x1, ...; outputs are named y (and idx).\n"
             "A flag that the chosen gadget does not read is refused.\n"
             "Example: tc0flow gadget multiply --bits 16 -o mul16.tc0c");
  sub.add_option("name", o->name, "Gadget name (see the list below)")->required();
  o->flags["--bits"] = add_number(sub, "--bits", p.bits, Format::kMinWidth, Format::kMaxWidth,
                                  "Width of each input operand in bits, sign included");
  o->flags["--frac"] = add_number(sub, "--frac", p.frac, Format::kMinFrac, Format::kMaxFrac, "Fraction bits of the inputs");
  o->flags["--out-bits"] = add_number(sub, "--out-bits", o->out_bits, Format::kMinWidth, Format::kMaxWidth,
                                      "Output width (default: the exact result where the gadget has one)");
  o->flags["--out-frac"] = add_number(sub, "--out-frac", o->out_frac, Format::kMinFrac, Format::kMaxFrac,
                                      "Output fraction bits (default: that of the exact result)");
  o->flags["--terms"] = add_number(sub, "--terms", p.terms, 1, 4096, "Number of operands of sum, dot and max");
  o->flags["--depth-budget"] = add_number(sub, "--depth-budget", p.depth_budget, 2, 12,
                                          "Depth budget of linear forms (2: plain; 4, 6: grouped)");
  o->flags["--group-size"] = add_number(sub, "--group-size", p.group_size, uint32_t(2), uint32_t(4096),
                                        "Terms per group in grouped linear forms (default 16)");
  sub.add_option("-o,--output", o->output, "Circuit file to write (native .tc0c format)")->required();
  tc0::cli::add_json_option(sub, o->json);
  return [o] {
    const tc0::cli::GadgetInfo* info = &tc0::cli::gadget_info(o->name);
    tc0::cli::GadgetParams p = o->params;
    if (o->flags["--out-bits"]->count()) p.out_bits = o->out_bits;
    if (o->flags["--out-frac"]->count()) p.out_frac = o->out_frac;
    for (const auto& [flag, opt] : o->flags) {
      const bool reads = std::find(info->reads.begin(), info->reads.end(), flag) != info->reads.end();
      std::string list;
      for (const auto& r : info->reads) list += (list.empty() ? "" : ", ") + r;
      tc0::cli::refuse_flag(opt, reads, fmt::format("does not apply to gadget '{}' (it reads {})", o->name, list));
    }
    if (o->name == "multiply" && !p.out_bits && !p.out_frac)
      for (const char* flag : {"--depth-budget", "--group-size"})
        tc0::cli::refuse_flag(o->flags[flag], false,
                              "applies to multiply only when it rounds (--out-bits or --out-frac): the full product "
                              "has no rounding linear form");
    tc0::cli::refuse_flag(o->flags["--group-size"], p.depth_budget >= 4,
                          "applies only to grouped linear forms (--depth-budget 4 or more)");
    tc0::cli::check_paths({}, {{"-o", o->output}, {"--json", o->json}});
    const Network ntk = tc0::cli::build_gadget(o->name, p);  // the gadgets tag their own gates with module paths
    io::save_native(ntk, o->output);
    const CircuitStats st = compute_stats(ntk);
    fmt::print("{}: {}\n{}\n", o->name, o->output, st.line());
    auto j = tc0::cli::report_header("gadget");
    j["gadget"] = o->name;
    j["params"] = {{"bits", p.bits}, {"frac", p.frac}, {"terms", p.terms},
                   {"depth_budget", p.depth_budget}, {"group_size", p.group_size}};
    j["output_format"] = ntk.output_buses()[0].fmt.str();
    j["file"] = o->output;
    j["stats"] = st.to_json();
    tc0::cli::write_json(o->json, j);
    return 0;
  };
});

}  // namespace
