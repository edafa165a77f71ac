// tc0flow gadget NAME --bits N [...] -o FILE: builds one gadget of circuits/gadgets into a circuit
// file (native format). The registry of gadget names lives here: each entry says what it builds and
// which options it reads.
#include <fmt/format.h>

#include <functional>
#include <map>
#include <memory>

#include "circuits/gadgets/arith.hpp"
#include "circuits/gadgets/linear_form.hpp"
#include "circuits/gadgets/select.hpp"
#include "circuits/gadgets/staircase.hpp"
#include "circuits/io/native.hpp"
#include "circuits/stats.hpp"
#include "tools/cli/command.hpp"

namespace {

using namespace tc0::circuits;
using tc0::numerics::Format;

struct Options {
  std::string name, output, json;
  int bits = 8, frac = 0, out_bits = 0, out_frac = 0, terms = 8, depth_budget = 2;
  uint32_t group_size = 0;
  bool out_frac_set = false;
};

std::vector<Bus> inputs(Network& ntk, int count, Format f, const char* prefix) {
  std::vector<Bus> xs;
  for (int i = 0; i < count; ++i)
    xs.push_back(ntk.create_input_bus(count == 2 && prefix[0] == 'a' ? std::string(1, char('a' + i)) : fmt::format("{}{}", prefix, i), f, true));
  return xs;
}

Bus named(Bus b, const std::string& name) {
  b.name = name;
  return b;
}

struct Entry {
  std::string help;
  std::function<void(Network&, const Options&)> build;
};

const std::map<std::string, Entry>& gadgets() {
  static const std::map<std::string, Entry> g = [] {
    std::map<std::string, Entry> m;
    auto in_fmt = [](const Options& o) { return Format(o.bits, o.frac); };
    auto out_fmt = [](const Options& o, int default_bits, int default_frac) {
      return Format(o.out_bits ? o.out_bits : default_bits, o.out_frac_set ? o.out_frac : default_frac);
    };
    auto lp = [](const Options& o) { return gadgets::LinearFormParams{o.depth_budget, o.group_size}; };
    m["compare"] = {"y = [a >= b] (depth 1)", [=](Network& n, const Options& o) {
      auto x = inputs(n, 2, in_fmt(o), "a");
      n.add_output_bus(Bus{"y", Format(2, 0), false, {gadgets::compare_ge(n, x[0], x[1])}});
    }};
    m["add"] = {"y = round_sat(a + b) to --out-bits/--out-frac (default exact: bits+1)", [=](Network& n, const Options& o) {
      auto x = inputs(n, 2, in_fmt(o), "a");
      n.add_output_bus(named(gadgets::add(n, x[0], x[1], out_fmt(o, o.bits + 1, o.frac), lp(o)), "y"));
    }};
    m["sub"] = {"y = round_sat(a - b) to --out-bits/--out-frac (default exact: bits+1)", [=](Network& n, const Options& o) {
      auto x = inputs(n, 2, in_fmt(o), "a");
      n.add_output_bus(named(gadgets::sub(n, x[0], x[1], out_fmt(o, o.bits + 1, o.frac), lp(o)), "y"));
    }};
    m["multiply"] = {"y = a * b: full 2n bits, or round_sat to --out-bits/--out-frac when given", [=](Network& n, const Options& o) {
      auto x = inputs(n, 2, in_fmt(o), "a");
      n.add_output_bus(named(o.out_bits ? gadgets::multiply(n, x[0], x[1], out_fmt(o, 0, 2 * o.frac), lp(o))
                                        : gadgets::multiply_full(n, x[0], x[1]), "y"));
    }};
    m["sum"] = {"y = x0 + ... + x(terms-1), exact by default (iterated addition)", [=](Network& n, const Options& o) {
      auto x = inputs(n, o.terms, in_fmt(o), "x");
      int extra = 0;
      while ((1 << extra) < o.terms) ++extra;
      n.add_output_bus(named(gadgets::sum_buses(n, x, out_fmt(o, o.bits + extra, o.frac), lp(o)), "y"));
    }};
    m["dot"] = {"y = 3/4 + sum c_i x_i with fixed 8-bit constants c_i = ((37 i + 11) mod 255 - 127) / 128, "
                "rounded to --out-bits/--out-frac (default the input format)",
                [=](Network& n, const Options& o) {
      auto x = inputs(n, o.terms, in_fmt(o), "x");
      std::vector<gadgets::Constant> c;
      for (int i = 0; i < o.terms; ++i) c.push_back({Weight((i * 37 + 11) % 255 - 127), 7});
      n.add_output_bus(named(gadgets::dot_const(n, {3, 2}, c, x, out_fmt(o, o.bits, o.frac), lp(o)), "y"));
    }};
    m["max"] = {"y = max(x0..x(terms-1)), idx = lowest index of the maximum (depth 3)", [=](Network& n, const Options& o) {
      auto x = inputs(n, o.terms, in_fmt(o), "x");
      auto r = gadgets::max_argmax(n, x);
      n.add_output_bus(named(r.max, "y"));
      n.add_output_bus(named(r.index, "idx"));
    }};
    m["mux"] = {"y = sel ? a : b", [=](Network& n, const Options& o) {
      auto x = inputs(n, 2, in_fmt(o), "a");
      const Signal sel = n.create_input("sel");
      n.add_output_bus(named(gadgets::mux(n, sel, x[0], x[1]), "y"));
    }};
    m["relu"] = {"y = max(a, 0) through the staircase of a function of a linear form (bits <= 16)",
                 [=](Network& n, const Options& o) {
      auto x = inputs(n, 1, in_fmt(o), "a");
      n.add_output_bus(named(gadgets::function_of_bus(n, x[0], [](int64_t v) { return v > 0 ? v : 0; },
                                                       out_fmt(o, o.bits, o.frac)), "y"));
    }};
    return m;
  }();
  return g;
}

std::string gadget_list() {
  std::string s;
  for (const auto& [name, e] : gadgets()) s += fmt::format("\n  {:9} {}", name, e.help);
  return s;
}

tc0::cli::Registrar reg("gadget", "Build a gadget (adder, multiplier, linear form, ...) into a circuit file",
                        [](CLI::App& sub) -> tc0::cli::Runner {
  auto o = std::make_shared<Options>();
  sub.footer("Gadgets:" + gadget_list() +
             "\nInputs are signed buses Q(bits,frac) named a, b or x0, x1, ...; outputs are named y (and idx).\n"
             "Example: tc0flow gadget multiply --bits 16 -o mul16.tc0c");
  sub.add_option("name", o->name, "Gadget name (see the list below)")->required();
  sub.add_option("--bits", o->bits, "Width of each input operand in bits, sign included (2..64)");
  sub.add_option("--frac", o->frac, "Fraction bits of the inputs");
  sub.add_option("--out-bits", o->out_bits, "Output width (default: exact result where the gadget has one)");
  sub.add_option_function<int>("--out-frac", [o](int v) { o->out_frac = v; o->out_frac_set = true; },
                               "Output fraction bits (default: that of the exact result)");
  sub.add_option("--terms", o->terms, "Number of operands of sum, dot and max");
  sub.add_option("--depth-budget", o->depth_budget, "Depth budget of linear forms (2: plain; 4, 6: grouped)");
  sub.add_option("--group-size", o->group_size, "Terms per group in grouped linear forms (0: default)");
  sub.add_option("-o,--output", o->output, "Circuit file to write (native .tc0c format)")->required();
  tc0::cli::add_json_option(sub, o->json);
  return [o] {
    const auto& g = gadgets();
    auto it = g.find(o->name);
    if (it == g.end()) throw std::runtime_error(fmt::format("unknown gadget '{}'; known gadgets:{}", o->name, gadget_list()));
    if (o->terms < 1 || o->terms > 4096) throw std::runtime_error(fmt::format("--terms {} is outside 1..4096", o->terms));
    Network ntk;
    it->second.build(ntk, *o);  // the gadgets tag their own gates with module paths
    io::save_native(ntk, o->output);
    const CircuitStats st = compute_stats(ntk);
    fmt::print("{}: {}\n{}\n", o->name, o->output, st.line());
    auto j = tc0::cli::report_header("gadget");
    j["gadget"] = o->name;
    j["params"] = {{"bits", o->bits}, {"frac", o->frac}, {"out_bits", o->out_bits}, {"terms", o->terms},
                   {"depth_budget", o->depth_budget}, {"group_size", o->group_size}};
    j["file"] = o->output;
    j["stats"] = st.to_json();
    tc0::cli::write_json(o->json, j);
    return 0;
  };
});

}  // namespace
