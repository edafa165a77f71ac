#pragma once
// The gadgets of `tc0flow gadget NAME`: what each builds (its specification, in its help line),
// which flags it reads, and the builder. Kept apart from the command so that the exhaustive test
// (tests/tools/test_gadget_catalog.cpp) simulates exactly what the command writes.
//
// Inputs are signed buses Q(bits, frac) named a, b (two operands) or x0, x1, ... (terms); outputs
// are y (and idx for max). Every result is the exact value rounded once to the output format (half
// to even) and saturated, as numerics/ computes it; a format that cannot exist (wider than 64 bits,
// fraction outside [-128, 128]) is refused with a line naming the flag to change.
#include <optional>
#include <string>
#include <vector>

#include "circuits/network.hpp"

namespace tc0::cli {

struct GadgetParams {
  int bits = 8, frac = 0;
  std::optional<int> out_bits, out_frac;  // unset: the gadget's default (its exact result where it has one)
  int terms = 8;
  int depth_budget = 2;
  uint32_t group_size = 0;  // 0: the linear forms' default (16)
};

struct GadgetInfo {
  std::string name;
  std::string help;                // the specification
  std::vector<std::string> reads;  // flags besides -o and --json, e.g. "--bits", "--out-frac"
};

const std::vector<GadgetInfo>& gadget_catalog();
// Throws std::invalid_argument listing the known gadgets when there is none of that name.
const GadgetInfo& gadget_info(const std::string& name);

// The output format the gadget rounds to (for gadgets that have one; compare, max and mux keep the
// input format). Throws std::invalid_argument naming the flag when it cannot exist.
numerics::Format gadget_output_format(const std::string& name, const GadgetParams& p);

// Builds the gadget; throws std::invalid_argument (bad name or parameters, naming the flag).
circuits::Network build_gadget(const std::string& name, const GadgetParams& p);

// The constants of `dot`: c_i = ((37 i + 11) mod 255 - 127) / 128 and the offset 3/4.
int64_t dot_coefficient_raw(int i);  // c_i * 128
inline constexpr int kDotCoefficientFrac = 7;

}  // namespace tc0::cli
