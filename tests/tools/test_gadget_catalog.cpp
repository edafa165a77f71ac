// Every gadget of `tc0flow gadget` (tools/cli/gadget_catalog.hpp) against its specification, for
// every input/output format pair: the circuit the command writes is simulated on ALL inputs with
// the bit-parallel simulator and compared with numerics/ (the independent reference: exact value,
// rounded once half to even, saturated), bit for bit. The output format of the default (no
// --out-bits/--out-frac) is checked against the help's statement too.
//
// Formats: input Q(w, f) for w in [2, W] and f in [-2, w + 2]; output Q(ow, of) for ow in [2, W]
// and of in [-2, ow + 2], plus the default. Operand counts of sum/dot/max: 1, 2, 3 terms while the
// inputs total at most B bits. The default suite runs W = 5, B = 10 (about a second; W = 4, B = 8 in
// the sanitizer tree); the slow label (TC0_SLOW=1) runs the W = 8, B = 16.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fmt/format.h>
#include <functional>
#include <map>

#include "circuits/sim/bitsim.hpp"
#include "numerics/fixed.hpp"
#include "tools/cli/gadget_catalog.hpp"

namespace {

using namespace tc0;
using numerics::Fixed;
using numerics::Format;
using numerics::Rational;

bool slow() { return std::getenv("TC0_SLOW") != nullptr; }
#ifdef __SANITIZE_ADDRESS__
constexpr bool kSanitized = true;  // the sanitizer tree looks for memory errors, not more cases
#else
constexpr bool kSanitized = false;
#endif
int max_width() { return slow() ? 8 : kSanitized ? 4 : 5; }
int max_input_bits() { return slow() ? 16 : kSanitized ? 8 : 10; }

std::vector<Format> formats(int max_w) {
  std::vector<Format> out;
  for (int w = 2; w <= max_w; ++w)
    for (int f = -2; f <= w + 2; ++f) out.emplace_back(w, f);
  return out;
}

// The reference: output raws per output bus for one input assignment (values[port] raw codes, in
// the order the test enumerates ports).
using Reference = std::function<std::vector<int64_t>(const std::vector<Fixed>& x, int64_t sel)>;

struct Case {
  std::string gadget;
  cli::GadgetParams params;
  std::vector<Format> expected_out;  // per output bus
  Reference reference;
};

// Simulates the gadget on every input and compares; returns the number of inputs checked.
uint64_t check_exhaustively(const Case& c) {
  const circuits::Network ntk = cli::build_gadget(c.gadget, c.params);
  const std::string what = fmt::format("{} in Q({},{}) out {} terms {}", c.gadget, c.params.bits, c.params.frac,
                                       c.params.out_bits || c.params.out_frac ? c.expected_out[0].str() : "default",
                                       c.params.terms);
  for (size_t b = 0; b < c.expected_out.size(); ++b) {
    EXPECT_EQ(ntk.output_buses().at(b).fmt.str(), c.expected_out[b].str()) << what;
    if (ntk.output_buses()[b].fmt.str() != c.expected_out[b].str()) return 0;
  }
  const circuits::sim::BitSimulator sim(ntk, {.threads = 1});
  const Format in(c.params.bits, c.params.frac);
  // ports: the operands in order (a, b or x0, x1, ...), then sel for mux
  std::vector<size_t> data_ports;
  int sel_port = -1;
  for (size_t p = 0; p < sim.inputs().size(); ++p) {
    if (sim.inputs()[p].name == "sel") sel_port = int(p);
    else data_ports.push_back(p);
  }
  std::sort(data_ports.begin(), data_ports.end(),
            [&](size_t a, size_t b) { return sim.inputs()[a].name < sim.inputs()[b].name; });
  const int w = c.params.bits;
  const int total_bits = w * int(data_ports.size()) + (sel_port >= 0);
  const uint64_t count = uint64_t(1) << total_bits;
  circuits::sim::BusBatch batch(sim.inputs().size(), std::vector<int64_t>(count));
  for (uint64_t s = 0; s < count; ++s) {
    for (size_t k = 0; k < data_ports.size(); ++k)
      batch[data_ports[k]][s] = circuits::sim::wrap_to_bus(int64_t(s >> (k * w)), size_t(w), true);
    if (sel_port >= 0) batch[size_t(sel_port)][s] = int64_t(s >> (w * data_ports.size())) & 1;
  }
  const circuits::sim::BusBatch got = sim.run(batch);
  std::vector<Fixed> x(data_ports.size());
  for (uint64_t s = 0; s < count; ++s) {
    for (size_t k = 0; k < data_ports.size(); ++k) x[k] = Fixed::from_raw(batch[data_ports[k]][s], in);
    const std::vector<int64_t> want = c.reference(x, sel_port >= 0 ? batch[size_t(sel_port)][s] : 0);
    for (size_t b = 0; b < want.size(); ++b)
      if (got[b][s] != want[b]) {
        std::string args;
        for (const Fixed& v : x) args += v.str() + "  ";
        ADD_FAILURE() << what << ": output " << ntk.output_buses()[b].name << " for " << args
                      << (sel_port >= 0 ? fmt::format("sel {}", batch[size_t(sel_port)][s]) : "") << " is raw " << got[b][s]
                      << ", numerics gives raw " << want[b];
        return 0;
      }
  }
  return count;
}

// Every output format (and the default) for one gadget with an output format.
uint64_t sweep_rounded(const std::string& gadget, int terms, const std::function<Format(Format)>& default_out,
                       const std::function<Fixed(const std::vector<Fixed>&, Format)>& exact_then_round) {
  uint64_t checked = 0, cases = 0;
  for (Format in : formats(max_width())) {
    if (in.width() * terms > max_input_bits()) continue;
    std::vector<std::optional<Format>> outs{std::nullopt};
    for (Format o : formats(max_width())) outs.push_back(o);
    for (const auto& out : outs) {
      Case c;
      c.gadget = gadget;
      c.params.bits = in.width();
      c.params.frac = in.frac();
      c.params.terms = terms;
      const Format of = out ? *out : default_out(in);
      if (out) c.params.out_bits = out->width(), c.params.out_frac = out->frac();
      c.expected_out = {of};
      c.reference = [=](const std::vector<Fixed>& x, int64_t) { return std::vector<int64_t>{exact_then_round(x, of).raw}; };
      checked += check_exhaustively(c);
      ++cases;
      if (::testing::Test::HasFailure()) return checked;
    }
  }
  fmt::print("{} (terms {}): {} format pairs, {} inputs, all equal to numerics\n", gadget, terms, cases, checked);
  EXPECT_GT(cases, 0u);
  return checked;
}

int ceil_log2(int n) {
  int k = 0;
  while ((1 << k) < n) ++k;
  return k;
}

TEST(GadgetCatalog, EveryGadgetIsTested) {
  // a gadget added to the catalog must get a reference here
  std::vector<std::string> names;
  for (const auto& g : cli::gadget_catalog()) names.push_back(g.name);
  EXPECT_EQ(names, (std::vector<std::string>{"add", "compare", "dot", "max", "multiply", "mux", "relu", "sub", "sum"}));
}

TEST(GadgetCatalog, Add) {
  sweep_rounded("add", 2, [](Format in) { return Format(in.width() + 1, in.frac()); },
                [](const std::vector<Fixed>& x, Format o) { return numerics::add(x[0], x[1], o); });
}

TEST(GadgetCatalog, Sub) {
  sweep_rounded("sub", 2, [](Format in) { return Format(in.width() + 1, in.frac()); },
                [](const std::vector<Fixed>& x, Format o) { return numerics::sub(x[0], x[1], o); });
}

TEST(GadgetCatalog, Multiply) {
  sweep_rounded("multiply", 2, [](Format in) { return Format(2 * in.width(), 2 * in.frac()); },
                [](const std::vector<Fixed>& x, Format o) { return numerics::mul(x[0], x[1], o); });
}

TEST(GadgetCatalog, Relu) {
  // max(a, 0) written as a selection, then one conversion (the builder uses numerics::max)
  sweep_rounded("relu", 1, [](Format in) { return in; }, [](const std::vector<Fixed>& x, Format o) {
    return numerics::convert(x[0].raw > 0 ? x[0] : Fixed::from_raw(0, x[0].fmt), o);
  });
}

TEST(GadgetCatalog, Sum) {
  for (int terms : {1, 2, 3})
    sweep_rounded("sum", terms, [terms](Format in) { return Format(in.width() + ceil_log2(terms), in.frac()); },
                  [](const std::vector<Fixed>& x, Format o) { return numerics::sum(x, o); });
}

TEST(GadgetCatalog, Dot) {
  for (int terms : {1, 2, 3})
    sweep_rounded("dot", terms, [](Format in) { return in; }, [](const std::vector<Fixed>& x, Format o) {
      std::vector<Rational> c;
      for (int i = 0; i < int(x.size()); ++i) c.push_back(Rational(((37 * i + 11) % 255) - 127, 128));
      return numerics::linear_form(Rational(3, 4), c, x, o);
    });
}

TEST(GadgetCatalog, Compare) {
  uint64_t checked = 0;
  for (Format in : formats(max_width())) {
    if (2 * in.width() > max_input_bits()) continue;
    Case c{"compare", {}, {Format(2, 0)}, [](const std::vector<Fixed>& x, int64_t) {
             return std::vector<int64_t>{numerics::compare(x[0], x[1]) >= 0 ? 1 : 0};
           }};
    c.params.bits = in.width(), c.params.frac = in.frac();
    checked += check_exhaustively(c);
  }
  EXPECT_GT(checked, 0u);
}

TEST(GadgetCatalog, Mux) {
  uint64_t checked = 0;
  for (Format in : formats(max_width())) {
    if (2 * in.width() + 1 > max_input_bits() + 1) continue;
    Case c{"mux", {}, {in}, [](const std::vector<Fixed>& x, int64_t sel) {
             return std::vector<int64_t>{sel ? x[0].raw : x[1].raw};
           }};
    c.params.bits = in.width(), c.params.frac = in.frac();
    checked += check_exhaustively(c);
  }
  EXPECT_GT(checked, 0u);
}

TEST(GadgetCatalog, Max) {
  uint64_t checked = 0;
  for (int terms : {1, 2, 3})
    for (Format in : formats(max_width())) {
      if (terms * in.width() > max_input_bits()) continue;
      const Format idx(std::max(2, ceil_log2(terms)), 0);
      Case c{"max", {}, {in, idx}, [](const std::vector<Fixed>& x, int64_t) {
               size_t best = 0;
               for (size_t i = 1; i < x.size(); ++i)
                 if (numerics::compare(x[i], x[best]) > 0) best = i;
               return std::vector<int64_t>{x[best].raw, int64_t(best)};
             }};
      c.params.bits = in.width(), c.params.frac = in.frac(), c.params.terms = terms;
      checked += check_exhaustively(c);
    }
  EXPECT_GT(checked, 0u);
}

// The negative control: the relu of issue 15 (max(., 0) of the raw code, relabelled to the output
// format) differs from the reference, so a gadget that ignored the formats would be caught.
TEST(GadgetCatalog, ReferenceCatchesARelabelledRelu) {
  const Format in(8, 3), out(8, 1);
  const Fixed one = Fixed::from_raw(8, in);  // 1.0
  const Fixed reference = numerics::convert(one, out);
  EXPECT_EQ(reference.raw, 2);  // 1.0 in Q(8,1)
  EXPECT_NE(reference.raw, one.raw);  // what the relabelled relu produced (raw 8 = 4.0)
  cli::GadgetParams p;
  p.bits = 8, p.frac = 3, p.out_frac = 1;
  const circuits::Network ntk = cli::build_gadget("relu", p);
  const circuits::sim::BitSimulator sim(ntk, {.threads = 1});
  EXPECT_EQ(sim.run({{8}})[0][0], 2);
}

}  // namespace
