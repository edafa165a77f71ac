#include "tools/cli/gadget_catalog.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "circuits/gadgets/arith.hpp"
#include "circuits/gadgets/linear_form.hpp"
#include "circuits/gadgets/select.hpp"
#include "circuits/gadgets/staircase.hpp"
#include "numerics/fixed.hpp"

namespace tc0::cli {

namespace {

using namespace tc0::circuits;
using numerics::Format;

std::vector<Bus> operands(Network& ntk, int count, Format f, bool pair) {
  std::vector<Bus> xs;
  for (int i = 0; i < count; ++i)
    xs.push_back(ntk.create_input_bus(pair ? std::string(1, char('a' + i)) : fmt::format("x{}", i), f, true));
  return xs;
}

Bus named(Bus b, const std::string& name) {
  b.name = name;
  return b;
}

int ceil_log2(int n) {
  int k = 0;
  while ((1 << k) < n) ++k;
  return k;
}

// Q(width, frac) or one line saying which flag to change; `default_what` describes a default width.
Format checked_format(int width, int frac, const GadgetParams& p, const std::string& gadget, const std::string& what) {
  if (width > Format::kMaxWidth) {
    if (p.out_bits)
      throw std::invalid_argument(fmt::format("--out-bits {} is more than {}", width, Format::kMaxWidth));
    throw std::invalid_argument(fmt::format("--bits {}: {} needs {} bits ({}), more than the {} of the widest format; "
                                            "give --out-bits (at most {}) to round and saturate, or smaller --bits",
                                            p.bits, gadget, width, what, Format::kMaxWidth, Format::kMaxWidth));
  }
  if (frac < Format::kMinFrac || frac > Format::kMaxFrac) {
    if (p.out_frac)
      throw std::invalid_argument(fmt::format("--out-frac {} is outside [{}, {}]", frac, Format::kMinFrac, Format::kMaxFrac));
    throw std::invalid_argument(fmt::format("--frac {}: {} has {} fraction bits ({}), outside [{}, {}]; give --out-frac "
                                            "to round, or a --frac nearer 0",
                                            p.frac, gadget, frac, what, Format::kMinFrac, Format::kMaxFrac));
  }
  return Format(width, frac);
}

// The output format from --out-bits/--out-frac, each defaulting to the gadget's exact result.
Format output_format(const GadgetParams& p, const std::string& gadget, int exact_width, int exact_frac,
                     const std::string& what) {
  return checked_format(p.out_bits.value_or(exact_width), p.out_frac.value_or(exact_frac), p, gadget, what);
}

bool rounds(const GadgetParams& p) { return p.out_bits || p.out_frac; }

gadgets::LinearFormParams linear(const GadgetParams& p) { return {p.depth_budget, p.group_size}; }

const std::vector<std::string> kIn = {"--bits", "--frac"};
const std::vector<std::string> kRounded = {"--bits", "--frac", "--out-bits", "--out-frac", "--depth-budget", "--group-size"};
const std::vector<std::string> kTerms = {"--bits",         "--frac",        "--out-bits", "--out-frac",
                                         "--depth-budget", "--group-size", "--terms"};

}  // namespace

int64_t dot_coefficient_raw(int i) { return int64_t((i * 37 + 11) % 255 - 127); }

const std::vector<GadgetInfo>& gadget_catalog() {
  static const std::vector<GadgetInfo> catalog = {
      {"add", "y = round_sat(a + b) to --out-bits/--out-frac (default exact: Q(bits+1, frac))", kRounded},
      {"compare", "y = [a >= b] (depth 1)", kIn},
      {"dot",
       "y = 3/4 + sum c_i x_i with fixed 8-bit constants c_i = ((37 i + 11) mod 255 - 127) / 128, rounded to "
       "--out-bits/--out-frac (default the input format)",
       kTerms},
      {"max", "y = max(x0..x(terms-1)), idx = lowest index of the maximum (depth 3)", {"--bits", "--frac", "--terms"}},
      {"multiply",
       "y = a * b: full Q(2 bits, 2 frac), or round_sat to --out-bits/--out-frac when either is given (each "
       "defaulting to the full product's)",
       kRounded},
      {"mux", "y = sel ? a : b", kIn},
      {"relu",
       "y = round_sat(max(a, 0)) to --out-bits/--out-frac (default the input format; bits <= 16), through the "
       "staircase of a function of a linear form",
       {"--bits", "--frac", "--out-bits", "--out-frac"}},
      {"sub", "y = round_sat(a - b) to --out-bits/--out-frac (default exact: Q(bits+1, frac))", kRounded},
      {"sum", "y = round_sat(x0 + ... + x(terms-1)), exact by default: Q(bits + ceil(log2 terms), frac)", kTerms},
  };
  return catalog;
}

const GadgetInfo& gadget_info(const std::string& name) {
  std::string names;
  for (const GadgetInfo& g : gadget_catalog()) {
    if (g.name == name) return g;
    names += (names.empty() ? "" : ", ") + g.name;
  }
  throw std::invalid_argument(fmt::format("unknown gadget '{}'; known gadgets: {}", name, names));
}

Format gadget_output_format(const std::string& name, const GadgetParams& p) {
  const Format in(p.bits, p.frac);
  if (name == "add" || name == "sub") return output_format(p, name, p.bits + 1, p.frac, "the exact result");
  if (name == "multiply") return output_format(p, name, 2 * p.bits, 2 * p.frac, "the full product");
  if (name == "sum") return output_format(p, name, p.bits + ceil_log2(p.terms), p.frac, "the exact sum");
  if (name == "dot" || name == "relu") return output_format(p, name, p.bits, p.frac, "the input format");
  return in;
}

Network build_gadget(const std::string& name, const GadgetParams& p) {
  gadget_info(name);  // a known name
  if (p.terms < 1 || p.terms > 4096) throw std::invalid_argument(fmt::format("--terms {} is outside [1, 4096]", p.terms));
  const Format in(p.bits, p.frac);
  const Format out = gadget_output_format(name, p);
  Network n;
  if (name == "compare") {
    auto x = operands(n, 2, in, true);
    n.add_output_bus(Bus{"y", Format(2, 0), false, {gadgets::compare_ge(n, x[0], x[1])}});
  } else if (name == "add" || name == "sub") {
    auto x = operands(n, 2, in, true);
    n.add_output_bus(named(name == "add" ? gadgets::add(n, x[0], x[1], out, linear(p))
                                         : gadgets::sub(n, x[0], x[1], out, linear(p)),
                           "y"));
  } else if (name == "multiply") {
    auto x = operands(n, 2, in, true);
    n.add_output_bus(
        named(rounds(p) ? gadgets::multiply(n, x[0], x[1], out, linear(p)) : gadgets::multiply_full(n, x[0], x[1]), "y"));
  } else if (name == "sum") {
    auto x = operands(n, p.terms, in, false);
    n.add_output_bus(named(gadgets::sum_buses(n, x, out, linear(p)), "y"));
  } else if (name == "dot") {
    auto x = operands(n, p.terms, in, false);
    std::vector<gadgets::Constant> c;
    for (int i = 0; i < p.terms; ++i) c.push_back({Weight(dot_coefficient_raw(i)), kDotCoefficientFrac});
    n.add_output_bus(named(gadgets::dot_const(n, {3, 2}, c, x, out, linear(p)), "y"));
  } else if (name == "max") {
    auto x = operands(n, p.terms, in, false);
    auto r = gadgets::max_argmax(n, x);
    n.add_output_bus(named(r.max, "y"));
    n.add_output_bus(named(r.index, "idx"));
  } else if (name == "mux") {
    auto x = operands(n, 2, in, true);
    const Signal sel = n.create_input("sel");
    n.add_output_bus(named(gadgets::mux(n, sel, x[0], x[1]), "y"));
  } else if (name == "relu") {
    if (p.bits > 16)
      throw std::invalid_argument(fmt::format("--bits {}: relu is a table over its input, which serves at most 16 bits",
                                              p.bits));
    auto x = operands(n, 1, in, true);
    // The value max(a, 0), rounded once to the output format and saturated (numerics::max), of
    // each raw input code: a wider or narrower fraction rescales, a narrower width saturates.
    const numerics::Fixed zero = numerics::Fixed::from_raw(0, in);
    auto relu = [in, out, zero](int64_t raw) { return numerics::max(numerics::Fixed::from_raw(raw, in), zero, out).raw; };
    n.add_output_bus(named(gadgets::function_of_bus(n, x[0], relu, out), "y"));
  }
  return n;
}

}  // namespace tc0::cli
