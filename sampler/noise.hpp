#pragma once
// Portable noise (SPEC section 2): xoshiro256** seeded through splitmix64, and a fixed Box-Muller
// transform g = sqrt(-2 ln u1) cos(2 pi u2) with u1 = (a + 1) 2^-53 in (0, 1] and u2 = b 2^-53 in
// [0, 1) from the top 53 bits a, b of two consecutive outputs. g is clipped to [-clip, clip] and
// rounded to the state format correctly (MPFR with a certified enclosure), so the bits do not
// depend on the C library. Sample i of a batch takes entries [i dim, (i+1) dim) of one stream, so
// it does not depend on the batch size.
#include <cstdint>
#include <vector>

#include "sampler/arith.hpp"

namespace tc0::sampler {

class Xoshiro256ss {
 public:
  explicit Xoshiro256ss(uint64_t seed);
  uint64_t next();

 private:
  uint64_t s_[4];
};

// Two 53-bit uniforms -> one standard normal, clipped and correctly rounded to fmt.
Fixed box_muller_rounded(uint64_t a53, uint64_t b53, const Rational& clip, Format fmt);

// count standard normals (clipped, rounded to fmt) from the stream of `seed`.
std::vector<Fixed> gaussian_noise(uint64_t seed, size_t count, Format fmt, const Rational& clip);

}  // namespace tc0::sampler
