#pragma once
// The value types every threshold-circuit builder shares (network.hpp, gate_counter.hpp): exact
// weights, signals {node, complement} in one word (mockturtle style), buses, gate views.
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "numerics/format.hpp"

namespace tc0::circuits {

using Weight = __int128;
// Every gate keeps sum |w_i| + |theta| below this, so simulators can accumulate in 128 bits.
inline constexpr Weight kMaxMagnitude = Weight(1) << 126;

struct CircuitError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Signal {
  uint32_t data = 0;  // index << 1 | complement

  static Signal make(uint32_t index, bool complemented) { return Signal{index << 1 | uint32_t(complemented)}; }
  uint32_t index() const { return data >> 1; }
  bool complemented() const { return data & 1; }
  Signal operator!() const { return Signal{data ^ 1u}; }
  friend bool operator==(Signal, Signal) = default;
  friend auto operator<=>(Signal, Signal) = default;
};

inline constexpr Signal kFalse = Signal{0};
inline constexpr Signal kTrue = Signal{1};

// A named integer carried on wires, least significant bit first, in two's complement when the
// format is signed (every numerics::Format is). Unsigned buses (e.g. an argmax index) set
// is_signed = false and use fmt only for its width.
struct Bus {
  std::string name;
  numerics::Format fmt{2, 0};
  bool is_signed = true;
  std::vector<Signal> bits;
};

struct GateView {
  std::span<const Signal> fanins;
  std::span<const int64_t> narrow_weights;   // set when every weight fits in int64
  std::span<const Weight> wide_weights;      // set otherwise
  Weight theta;
  uint32_t module;

  size_t size() const { return fanins.size(); }
  Weight weight(size_t i) const { return narrow_weights.empty() ? wide_weights[i] : Weight(narrow_weights[i]); }
};

}  // namespace tc0::circuits
