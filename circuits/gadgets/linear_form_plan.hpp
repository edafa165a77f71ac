#pragma once
// The plan of the linear-form construction (SPEC.md section 3.3): the numbers only, no signals.
// RoundedBits (linear_form.cpp) reads it to make gates in any builder (Network or GateCounter),
// and the column proofs (proofs/column_proof.cpp) read the same levels as their anchors, so the
// recipe is written once.
//
// For S = K + sum_t w_t z_t with every w_t > 0 (a negative weight was turned into a complemented
// wire first: w z = |w| !z + w), rounded by s bits (h = 2^(s-1) for s >= 1, else 0):
//   - level k reduces the form modulo 2^(k+1) with balanced residues r_t (|r_t| <= 2^k, ties kept
//     positive): L_k = sum_t r_t z_t + kr, kr the representative of K + h (mod 2^(k+1)) that needs
//     the fewest carry gates;
//   - the carry C_k = floor((L_k + delta) / 2^(k+1)) is coded by the thermometer gates
//     [sum_t r_t z_t >= j 2^(k+1) - (kr + delta)] for j in (jlo, jhi], so C_k = jlo + sum of them;
//   - output bit j (k = j + s) is the parity C_(k-1) + B_k - 2 C_k with
//     B_k = sum_t ((r_t^(k) - r_t^(k-1)) / 2^k) z_t + (kr^(k) - kr^(k-1)) / 2^k, one gate;
//   - bit 0 of a rounded form reads the thermometer of level s-1 with delta = -1, which clears it
//     on a tie (ties go to even);
//   - saturation: [S >= hi 2^s] and [S <= lo 2^s] (depth 1), the sign bit [S <= -h - 1].
#include <map>
#include <span>
#include <utility>
#include <vector>

#include "circuits/network_types.hpp"

namespace tc0::circuits::gadgets {

// Balanced residue of a >= 0 modulo 2^(k+1): the representative in (-2^k, 2^k] (ties positive);
// 0 for k < 0. Int is Weight or numerics::BigInt.
template <class Int>
Int balanced_residue(const Int& a, int k) {
  if (k < 0) return Int(0);
  if constexpr (sizeof(Int) == sizeof(Weight)) {
    if (k >= 122) return a;  // every weight of a form is below 2^121 <= 2^k
    if (k < 62 && a <= Int(INT64_MAX)) {  // the same in 64 bits (128-bit division is slow)
      const uint64_t d = uint64_t(1) << (k + 1);
      const int64_t r = int64_t(uint64_t(a) & (d - 1));
      return Int(r > int64_t(d / 2) ? r - int64_t(d) : r);
    }
  }
  const Int d = Int(1) << (k + 1);
  Int r = a % d;
  if (r > d / 2) r -= d;
  return r;
}

class RoundedFormPlan {
 public:
  // weights: the positive term weights; k: the constant after the positivisation; s: rounding shift.
  RoundedFormPlan(std::span<const Weight> weights, Weight k, int s);

  struct Level {
    std::vector<Weight> r;  // residue of each weight
    Weight kr = 0;          // representative of K + h
    Weight pos = 0, neg = 0;
  };
  struct Thermo {
    Weight jlo = 0, jhi = 0;  // C = jlo + (number of gates that fire); gates j in (jlo, jhi]
    Weight d = 0;             // 2^(k+1)
    Weight base = 0;          // kr + delta: gate j is [sum r z >= j d - base]
    Weight theta(Weight j) const { return j * d - base; }
    Weight gates() const { return jhi - jlo; }
  };

  const Level& level(int k);
  Thermo thermo(int k, int delta);

  int shift() const { return s_; }
  Weight constant() const { return k_; }
  Weight half() const { return h_; }
  size_t size() const { return w_.size(); }

 private:
  std::vector<Weight> w_;
  Weight k_;
  int s_;
  Weight h_ = 0;
  std::map<int, Level> levels_;
};

}  // namespace tc0::circuits::gadgets
