#include "sampler/noise.hpp"

#include "sampler/certified.hpp"

namespace tc0::sampler {

namespace {
uint64_t splitmix64(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
}  // namespace

Xoshiro256ss::Xoshiro256ss(uint64_t seed) {
  uint64_t x = seed;
  for (auto& s : s_) s = splitmix64(x);
}

uint64_t Xoshiro256ss::next() {
  const uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

Fixed box_muller_rounded(uint64_t a53, uint64_t b53, const Rational& clip, Format fmt) {
  // |g| <= sqrt(2 * 53 ln 2) < 8.6; six MPFR operations with relative error 2^-p each, plus the
  // amplification of the error of ln u1 through sqrt, stay well below 2^(8 - p) absolute.
  int64_t raw = round_certified(
      [&](mpfr_prec_t p) {
        MpfrValue u1(p), u2(p), r(p), c(p), pi(p);
        mpfr_set_ui_2exp(u1.get(), a53 + 1, -53, MPFR_RNDN);  // exact at p >= 54
        mpfr_set_ui_2exp(u2.get(), b53, -53, MPFR_RNDN);
        mpfr_log(r.get(), u1.get(), MPFR_RNDN);
        mpfr_mul_si(r.get(), r.get(), -2, MPFR_RNDN);
        mpfr_sqrt(r.get(), r.get(), MPFR_RNDN);
        mpfr_const_pi(pi.get(), MPFR_RNDN);
        mpfr_mul(c.get(), pi.get(), u2.get(), MPFR_RNDN);
        mpfr_mul_2ui(c.get(), c.get(), 1, MPFR_RNDN);
        mpfr_cos(c.get(), c.get(), MPFR_RNDN);
        mpfr_mul(r.get(), r.get(), c.get(), MPFR_RNDN);
        return r;
      },
      10, fmt, &clip);
  return Fixed{raw, fmt};
}

std::vector<Fixed> gaussian_noise(uint64_t seed, size_t count, Format fmt, const Rational& clip) {
  Xoshiro256ss g(seed);
  std::vector<Fixed> out;
  out.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    uint64_t a = g.next() >> 11, b = g.next() >> 11;
    out.push_back(box_muller_rounded(a, b, clip, fmt));
  }
  return out;
}

}  // namespace tc0::sampler
