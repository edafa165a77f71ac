// Generates the gadget table of circuits/README.md (issue 3, point 9): every gadget and variant at
// widths 8, 16 and 32 (where it exists), with gates, edges, depth and weight bits as built, next to
// the reference sizes and depths of SPEC section 3.
//   gen_gadget_table [--markdown] [--json PATH]
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "circuits/gadgets/arith.hpp"
#include "circuits/gadgets/linear_form.hpp"
#include "circuits/gadgets/select.hpp"
#include "circuits/gadgets/staircase.hpp"

using namespace tc0::circuits;
using namespace tc0::circuits::gadgets;
using tc0::numerics::Format;

namespace {

struct Row {
  std::string gadget, variant;
  int n;
  GadgetStats st;
  int spec_depth;
  std::string spec_size;
};

std::string ref_size(const char* s8, const char* s16, const char* s32, int n) {
  return n == 8 ? s8 : n == 16 ? s16 : s32;
}

std::vector<Bus> input_buses(Network& ntk, int count, Format f, const char* name) {
  std::vector<Bus> v;
  for (int i = 0; i < count; ++i) v.push_back(ntk.create_input_bus(fmt::format("{}{}", name, i), f));
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  bool markdown = false;
  std::string json_path;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--markdown")) markdown = true;
    else if (!std::strcmp(argv[i], "--json") && i + 1 < argc) json_path = argv[++i];
    else {
      std::fprintf(stderr, "usage: gen_gadget_table [--markdown] [--json PATH]\n");
      return 1;
    }
  }
  std::vector<Row> rows;
  auto run = [&](const std::string& g, const std::string& var, int n, int spec_depth, const std::string& spec,
                 const std::function<void(Network&, GadgetStats&)>& build) {
    Network ntk;
    GadgetStats st;
    build(ntk, st);
    rows.push_back({g, var, n, st, spec_depth, spec});
  };
  for (int n : {8, 16, 32}) {
    Format q(n, 0), qh(n, n / 2);
    run("compare X >= Y", "signed", n, 1, "1", [&](Network& k, GadgetStats& st) {
      auto x = input_buses(k, 2, q, "x");
      compare_ge(k, x[0], x[1], &st);
    });
    run("add", "exact, n+1 bits out", n, 2, ref_size("16", "32", "64", n), [&](Network& k, GadgetStats& st) {
      auto x = input_buses(k, 2, q, "x");
      add_exact(k, x[0], x[1], &st);
    });
    run("add", "round 1 bit + saturate to n bits", n, 2, "-", [&](Network& k, GadgetStats& st) {
      auto x = input_buses(k, 2, qh, "x");
      add(k, x[0], x[1], Format(n, n / 2 - 1), {}, &st);
    });
    run("sub", "round 1 bit + saturate to n bits", n, 2, "-", [&](Network& k, GadgetStats& st) {
      auto x = input_buses(k, 2, qh, "x");
      sub(k, x[0], x[1], Format(n, n / 2 - 1), {}, &st);
    });
    run("iterated add", "m = 8, exact n+3 bits", n, 2, ref_size("66", "130", "258", n), [&](Network& k, GadgetStats& st) {
      auto x = input_buses(k, 8, q, "x");
      sum_buses(k, x, Format(n + 3, 0), {}, &st);
    });
    run("iterated add", "m = 8, round 3 bits + saturate to n bits", n, 2, "-", [&](Network& k, GadgetStats& st) {
      auto x = input_buses(k, 8, qh, "x");
      sum_buses(k, x, Format(n, n / 2 - 3), {}, &st);
    });
    run("multiply by constant", "x * 0.7071.. (n-bit constant), round + saturate to n bits", n, 2, "-",
        [&](Network& k, GadgetStats& st) {
          auto x = input_buses(k, 1, qh, "x");
          Weight c = Weight(0xB504F333F9DE6484ull >> (64 - n)) >> 1;  // sqrt(1/2) in Q(n, n-1)
          mul_const(k, x[0], Constant{c, n - 1}, qh, {}, &st);
        });
    for (int budget : {2, 4}) {
      run("constant dot product", fmt::format("64 terms, depth budget {}", budget), n, 2, "-",
          [&](Network& k, GadgetStats& st) {
            auto x = input_buses(k, 64, qh, "x");
            std::vector<Constant> c;
            for (int i = 0; i < 64; ++i) c.push_back(Constant{Weight((i * 37 + 11) % 255 - 127), 7});
            dot_const(k, Constant{3, 2}, c, x, qh, LinearFormParams{budget, 16}, &st);
          });
    }
    run("multiply X*Y", "full 2n bits", n, 3, ref_size("135", "527", "2079", n), [&](Network& k, GadgetStats& st) {
      auto x = input_buses(k, 2, q, "x");
      multiply_full(k, x[0], x[1], &st);
    });
    run("multiply X*Y", "fixed point Q(n,n/2), round + saturate", n, 3, "-", [&](Network& k, GadgetStats& st) {
      auto x = input_buses(k, 2, qh, "x");
      multiply(k, x[0], x[1], qh, {}, &st);
    });
    if (n <= 16) {
      run("function of a linear form", "monotone: tanh-like table, 8-bit out", n, 2, "<= changes + q; <= 263",
          [&](Network& k, GadgetStats& st) {
            auto x = input_buses(k, 1, q, "x");
            int64_t scale = int64_t(1) << (n - 3);
            // A monotone saturating curve in integer arithmetic (x / (|x| + scale) in Q(8,7)).
            function_of_bus(k, x[0], [scale](int64_t v) {
              int64_t a = v < 0 ? -v : v;
              return (v * 127) / (a + scale);
            }, Format(8, 7), &st);
          });
      run("function of a linear form", "round n -> 8 bits (staircase)", n, 2, "<= changes + q", [&](Network& k, GadgetStats& st) {
        auto x = input_buses(k, 1, q, "x");
        int sh = n - 8;
        function_of_bus(k, x[0], [sh](int64_t v) {
          if (sh == 0) return v;
          int64_t q = v >> sh, r = v - (q << sh), h = int64_t(1) << (sh - 1);
          if (r > h || (r == h && (q & 1))) ++q;
          return std::min<int64_t>(q, 127);
        }, Format(8, 0), &st);
      });
    }
    run("max", "N = 8 (with argmax)", n, 3, n == 8 ? "100" : "-", [&](Network& k, GadgetStats& st) {
      auto x = input_buses(k, 8, q, "x");
      max_argmax(k, x, &st);
    });
    run("mux", "sel ? a : b, input data", n, 2, "-", [&](Network& k, GadgetStats& st) {
      auto x = input_buses(k, 2, q, "x");
      Signal s = k.create_input("sel");
      mux(k, s, x[0], x[1], &st);
    });
  }
  nlohmann::json js = nlohmann::json::array();
  if (markdown) {
    std::printf("| gadget | variant | n | gates | edges | depth | max weight bits | max theta bits | SPEC depth | SPEC size |\n");
    std::printf("|---|---|---|---|---|---|---|---|---|---|\n");
  } else {
    std::printf("%-26s %-56s %3s %8s %10s %5s %5s %5s %5s %s\n", "gadget", "variant", "n", "gates", "edges", "depth", "wbits",
                "tbits", "spec", "spec-size");
  }
  for (const Row& r : rows) {
    if (markdown)
      std::printf("| %s | %s | %d | %llu | %llu | %u | %d | %d | %d | %s |\n", r.gadget.c_str(), r.variant.c_str(), r.n,
                  (unsigned long long)r.st.gates, (unsigned long long)r.st.edges, r.st.depth, r.st.max_weight_bits,
                  r.st.max_theta_bits, r.spec_depth, r.spec_size.c_str());
    else
      std::printf("%-26s %-56s %3d %8llu %10llu %5u %5d %5d %5d %s\n", r.gadget.c_str(), r.variant.c_str(), r.n,
                  (unsigned long long)r.st.gates, (unsigned long long)r.st.edges, r.st.depth, r.st.max_weight_bits,
                  r.st.max_theta_bits, r.spec_depth, r.spec_size.c_str());
    js.push_back({{"gadget", r.gadget}, {"variant", r.variant}, {"n", r.n}, {"gates", r.st.gates},
                  {"edges", r.st.edges}, {"depth", r.st.depth}, {"max_weight_bits", r.st.max_weight_bits},
                  {"max_theta_bits", r.st.max_theta_bits}, {"spec_depth", r.spec_depth}, {"spec_size", r.spec_size}});
  }
  if (!json_path.empty()) std::ofstream(json_path) << js.dump(1) << "\n";
  return 0;
}
