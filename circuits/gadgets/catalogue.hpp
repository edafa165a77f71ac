#pragma once
// The catalogue of gadget variants behind the gadget table of circuits/README.md
// (tools/gen_gadget_table.cpp) and its tests: each variant builds into any builder, and, where the
// construction has one, carries its closed-form size as a function of the width n, derived from the
// construction (linear_form.hpp, staircase.hpp, select.hpp) and checked against the counts for every
// width in tests/circuits/test_gadget_catalogue.cpp.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "circuits/gadgets/common.hpp"

namespace tc0::circuits::gadgets {

struct ClosedForm {
  std::optional<uint64_t> gates, edges;  // what the construction gives at this width
};

struct CatalogueEntry {
  std::string gadget, variant;
  std::string spec_depth, spec_size;  // SPEC.md section 3 reference (for n = 8 / 16 / 32 where it has one)
  int min_n = 2, max_n = 64;          // widths the variant is defined for
  // Builds the variant for width n into a Network or a GateCounter, filling the gadget's stats.
  std::function<void(Network&, int, GadgetStats&)> build_network;
  std::function<void(GateCounter&, int, GadgetStats&)> build_counter;
  // The closed-form size at width n, when the construction has one, and the formula as printed in
  // the table ("2n + 1"; for tables: in the table's value changes).
  std::function<ClosedForm(int)> closed_form;
  std::string gates_formula, edges_formula;
  int closed_min_n = 2;  // the formula holds from this width on (the smallest widths merge more gates)
};

const std::vector<CatalogueEntry>& gadget_catalogue();

}  // namespace tc0::circuits::gadgets
