#include "circuits/gadgets/catalogue.hpp"

#include <fmt/format.h>

#include "circuits/gadgets/arith.hpp"
#include "circuits/gadgets/linear_form.hpp"
#include "circuits/gadgets/select.hpp"
#include "circuits/gadgets/staircase.hpp"

namespace tc0::circuits::gadgets {

namespace {

using numerics::Format;

template <class Ntk>
std::vector<Bus> inputs(Ntk& ntk, int count, Format f) {
  std::vector<Bus> v;
  for (int i = 0; i < count; ++i) v.push_back(ntk.create_input_bus(fmt::format("x{}", i), f));
  return v;
}

// One catalogue entry from a builder-generic build function.
struct Formula {
  std::function<ClosedForm(int)> size;
  std::string gates, edges;
  int min_n = 2;
};

template <class Build>
CatalogueEntry entry(std::string gadget, std::string variant, std::string spec_depth, std::string spec_size, Build build,
                     Formula closed = {}, int min_n = 2, int max_n = 64) {
  CatalogueEntry e;
  e.gadget = std::move(gadget);
  e.variant = std::move(variant);
  e.spec_depth = std::move(spec_depth);
  e.spec_size = std::move(spec_size);
  e.min_n = min_n;
  e.max_n = max_n;
  e.build_network = [build](Network& k, int n, GadgetStats& st) { build(k, n, st); };
  e.build_counter = [build](GateCounter& k, int n, GadgetStats& st) { build(k, n, st); };
  e.closed_form = closed.size ? closed.size : [](int) { return ClosedForm{}; };
  e.gates_formula = closed.gates;
  e.edges_formula = closed.edges;
  e.closed_min_n = closed.min_n;
  return e;
}

// A staircase over an n-bit input with a q-bit output: one step gate [x >= v] (n fan-ins) at each
// value change v of f, and per output bit one gate adding that bit's flips, which is no gate when
// the bit flips once (a buffer of its step) or never (a constant).
ClosedForm staircase_size(const std::function<int64_t(int64_t)>& f, int64_t lo, int64_t hi, int n, int q) {
  uint64_t changes = 0, gates = 0, edges = 0;
  std::vector<uint64_t> flips(size_t(q), 0);
  for (int64_t v = lo + 1; v <= hi; ++v) {
    const int64_t a = f(v - 1), b = f(v);
    if (a == b) continue;
    ++changes;
    for (int k = 0; k < q; ++k) flips[size_t(k)] += ((uint64_t(a) ^ uint64_t(b)) >> k) & 1;
  }
  gates = changes;
  edges = changes * uint64_t(n);
  for (uint64_t fl : flips)
    if (fl >= 2) ++gates, edges += fl;
  return ClosedForm{gates, edges};
}

}  // namespace

const std::vector<CatalogueEntry>& gadget_catalogue() {
  static const std::vector<CatalogueEntry> cat = [] {
    std::vector<CatalogueEntry> c;
    c.push_back(entry(
        "compare X >= Y", "signed", "1", "1",
        [](auto& k, int n, GadgetStats& st) {
          auto x = inputs(k, 2, Format(n, 0));
          compare_ge(k, x[0], x[1], &st);
        },
        Formula{[](int n) { return ClosedForm{1, 2 * uint64_t(n)}; }, "1", "2n"}));
    c.push_back(entry(
        "add", "exact, n+1 bits out", "2", "16 / 32 / 64",
        [](auto& k, int n, GadgetStats& st) {
          auto x = inputs(k, 2, Format(n, 0));
          add_exact(k, x[0], x[1], &st);
        },
        Formula{[](int n) { return ClosedForm{2 * uint64_t(n) + 1, uint64_t(n) * n + 8 * uint64_t(n) - 1}; }, "2n + 1",
                "n^2 + 8n - 1", 3}));
    c.push_back(entry(
        "add", "round 1 bit + saturate to n bits", "2", "-",
        [](auto& k, int n, GadgetStats& st) {
          auto x = inputs(k, 2, Format(n, n / 2));
          add(k, x[0], x[1], Format(n, n / 2 - 1), {}, &st);
        },
        Formula{[](int n) { return ClosedForm{2 * uint64_t(n) + 1, uint64_t(n) * n + 11 * uint64_t(n) - 6}; }, "2n + 1",
                "n^2 + 11n - 6", 3}));
    c.push_back(entry(
        "sub", "round 1 bit + saturate to n bits", "2", "-",
        [](auto& k, int n, GadgetStats& st) {
          auto x = inputs(k, 2, Format(n, n / 2));
          sub(k, x[0], x[1], Format(n, n / 2 - 1), {}, &st);
        },
        Formula{[](int n) { return ClosedForm{3 * uint64_t(n), 2 * uint64_t(n) * n + 13 * uint64_t(n) - 10}; }, "3n",
                "2n^2 + 13n - 10"}));
    c.push_back(entry(
        "iterated add", "m = 8, exact n+3 bits", "2", "66 / 130 / 258",
        [](auto& k, int n, GadgetStats& st) {
          auto x = inputs(k, 8, Format(n, 0));
          sum_buses(k, std::span<const Bus>(x), Format(n + 3, 0), {}, &st);
        },
        Formula{[](int n) { return ClosedForm{8 * uint64_t(n) - 1, {}}; }, "8n - 1", "", 3}, 2, 61));
    c.push_back(entry(
        "iterated add", "m = 8, round 3 bits + saturate to n bits", "2", "-",
        [](auto& k, int n, GadgetStats& st) {
          auto x = inputs(k, 8, Format(n, n / 2));
          sum_buses(k, std::span<const Bus>(x), Format(n, n / 2 - 3), {}, &st);
        }));
    c.push_back(entry(
        "multiply by constant", "x * 0.7071.. (n-bit constant), round + saturate to n bits", "2", "-",
        [](auto& k, int n, GadgetStats& st) {
          auto x = inputs(k, 1, Format(n, n / 2));
          const Weight cst = Weight(0xB504F333F9DE6484ull >> (64 - n)) >> 1;  // sqrt(1/2) in Q(n, n-1)
          mul_const(k, x[0], Constant{cst, n - 1}, Format(n, n / 2), {}, &st);
        }));
    for (int budget : {2, 4, 6})
      c.push_back(entry(
          "constant dot product", fmt::format("64 terms, depth budget {}", budget),
          budget == 2 ? "2" : fmt::format("2 (+{} by choice)", budget - 2), "-",
          [budget](auto& k, int n, GadgetStats& st) {
            auto x = inputs(k, 64, Format(n, n / 2));
            std::vector<Constant> cs;
            for (int i = 0; i < 64; ++i) cs.push_back(Constant{Weight((i * 37 + 11) % 255 - 127), 7});
            dot_const(k, Constant{3, 2}, cs, std::span<const Bus>(x), Format(n, n / 2), LinearFormParams{budget, 16u},
                      &st);
          }));
    c.push_back(entry(
        "multiply X*Y", "full 2n bits", "3", "135 / 527 / 2079",
        [](auto& k, int n, GadgetStats& st) {
          auto x = inputs(k, 2, Format(n, 0));
          multiply_full(k, x[0], x[1], &st);
        },
        Formula{[](int n) { return ClosedForm{2 * uint64_t(n) * n + uint64_t(n) - 2, {}}; }, "2n^2 + n - 2", "", 3}, 2, 32));
    c.push_back(entry(
        "multiply X*Y", "full 2n bits, grouped partial products (budget 4, groups of 16)", "3 (+2 by choice)", "-",
        [](auto& k, int n, GadgetStats& st) {
          auto x = inputs(k, 2, Format(n, 0));
          multiply(k, x[0], x[1], Format(2 * n, 0), LinearFormParams{4, 16}, &st);
        }, {}, 2, 32));
    c.push_back(entry(
        "multiply X*Y", "fixed point Q(n,n/2), round + saturate", "3", "-",
        [](auto& k, int n, GadgetStats& st) {
          auto x = inputs(k, 2, Format(n, n / 2));
          multiply(k, x[0], x[1], Format(n, n / 2), {}, &st);
        }, {}, 2, 32));
    // Staircases: (value changes) step gates and one output gate per bit; no closed form in n beyond
    // that (the table decides), so the closed form counts the changes of the function itself.
    auto table_form = [](numerics::UnaryFn fn, int in_frac_drop, Format out) {
      return Formula{[fn, in_frac_drop, out](int n) {
                       const Format in(n, n - in_frac_drop);
                       const numerics::Table& t = numerics::Table::get(fn, in, out);
                       return staircase_size([&t](int64_t v) { return t.lookup(v); }, in.min_raw(), in.max_raw(), n,
                                             out.width());
                     },
                     "changes + bits flipping twice or more", "n changes + their flips"};
    };
    c.push_back(entry(
        "function of a linear form", "sigmoid table (MPFR), Q(n,n-4) -> Q(8,7)", "2", "<= changes + q",
        [](auto& k, int n, GadgetStats& st) {
          auto x = inputs(k, 1, Format(n, n - 4));
          unary_table(k, x[0], numerics::UnaryFn::sigmoid, Format(8, 7), &st);
        }, table_form(numerics::UnaryFn::sigmoid, 4, Format(8, 7)), 6, 16));
    c.push_back(entry(
        "function of a linear form", "GELU table (MPFR), Q(n,n-4) -> Q(8,4)", "2", "<= changes + q",
        [](auto& k, int n, GadgetStats& st) {
          auto x = inputs(k, 1, Format(n, n - 4));
          unary_table(k, x[0], numerics::UnaryFn::gelu_tanh, Format(8, 4), &st);
        }, table_form(numerics::UnaryFn::gelu_tanh, 4, Format(8, 4)), 6, 16));
    c.push_back(entry(
        "function of a linear form", "64-term dot product -> round to Q(12,6) -> 8-bit table, fused", "2",
        "<= changes + q",
        [](auto& k, int n, GadgetStats& st) {
          auto x = inputs(k, 64, Format(n, n / 2));
          LinearForm lf;
          lf.frac = n / 2 + 7;
          for (int i = 0; i < 64; ++i) append_bus_terms(lf, x[i], Weight((i * 37 + 11) % 255 - 127), 0, "t");
          function_of_linear_form(k, lf, Format(12, 6), [](int64_t v) {
            const int64_t a = v < 0 ? -v : v;
            return (v * 127) / (a + 64);
          }, Format(8, 7), &st);
        }, {}, 4, 16));
    c.push_back(entry(
        "function of a linear form", "round n -> 8 bits (staircase; identity at n = 8)", "2", "<= changes + q",
        [](auto& k, int n, GadgetStats& st) {
          auto x = inputs(k, 1, Format(n, 0));
          const int sh = n - 8;
          function_of_bus(k, x[0], [sh](int64_t v) {
            if (sh == 0) return v;
            int64_t q = v >> sh, r = v - (q << sh), h = int64_t(1) << (sh - 1);
            if (r > h || (r == h && (q & 1))) ++q;
            return std::min<int64_t>(q, 127);
          }, Format(8, 0), &st);
        },
        Formula{[](int n) {
                  const int sh = n - 8;
                  return staircase_size([sh](int64_t v) {
                    if (sh == 0) return v;
                    int64_t q = v >> sh, r = v - (q << sh), h = int64_t(1) << (sh - 1);
                    if (r > h || (r == h && (q & 1))) ++q;
                    return std::min<int64_t>(q, 127);
                  }, -(int64_t(1) << (n - 1)), (int64_t(1) << (n - 1)) - 1, n, 8);
                },
                "changes + bits flipping twice or more", "n changes + their flips"},
        8, 16));
    c.push_back(entry(
        "max", "N = 8, max only", "3", "100 (n = 8)",
        [](auto& k, int n, GadgetStats& st) {
          auto x = inputs(k, 8, Format(n, 0));
          max_argmax(k, std::span<const Bus>(x), MaxParams{true, false}, &st);
        },
        Formula{[](int n) { return ClosedForm{28 + 9 * uint64_t(n), 128 * uint64_t(n)}; }, "28 + 9n", "128n"}));
    c.push_back(entry(
        "max", "N = 8, max and argmax", "3", "-",
        [](auto& k, int n, GadgetStats& st) {
          auto x = inputs(k, 8, Format(n, 0));
          max_argmax(k, std::span<const Bus>(x), MaxParams{true, true}, &st);
        },
        Formula{[](int n) { return ClosedForm{39 + 9 * uint64_t(n), 128 * uint64_t(n) + 68}; }, "39 + 9n", "128n + 68"}));
    c.push_back(entry(
        "mux", "sel ? a : b, input data", "2", "-",
        [](auto& k, int n, GadgetStats& st) {
          auto x = inputs(k, 2, Format(n, 0));
          const Bus sel = k.create_input_bus("sel", Format(2, 0));
          mux(k, sel.bits[0], x[0], x[1], &st);
        },
        Formula{[](int n) { return ClosedForm{3 * uint64_t(n), 6 * uint64_t(n)}; }, "3n", "6n"}));
    return c;
  }();
  return cat;
}

}  // namespace tc0::circuits::gadgets
