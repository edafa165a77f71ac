#pragma once
// Hash -> ids, for interning tables that keep their keys themselves and compare them in full (the
// counter's reusable sub-gadgets, its operation templates and shapes). Open addressing over
// (hash, id) pairs, at most half full: a lookup walks one array, where std::unordered_multimap
// chased a node per entry and was a tenth of counting a DiT (tools/bench/README.md, issue 13).
#include <cstddef>
#include <cstdint>
#include <vector>

namespace tc0::circuits {

// A hash of a word sequence: four independent multiply chains mixed at the end (one dependent chain
// over the 80 words of a group sum's key was a fifth of the counter's lookups).
inline uint64_t hash_words(const uint64_t* w, size_t n) {
  constexpr uint64_t kMul = 0x9E3779B97F4A7C15ull;
  auto mix = [](uint64_t x, uint64_t v) {
    x = (x ^ v) * kMul;
    return x ^ (x >> 32);
  };
  uint64_t h[4] = {0x243F6A8885A308D3ull ^ n, 0x13198A2E03707344ull, 0xA4093822299F31D0ull, 0x082EFA98EC4E6C89ull};
  size_t i = 0;
  for (; i + 4 <= n; i += 4)
    for (int l = 0; l < 4; ++l) h[l] = mix(h[l], w[i + l]);
  for (; i < n; ++i) h[0] = mix(h[0], w[i]);
  return mix(mix(mix(h[0], h[1]), h[2]), h[3]);
}

class HashIndex {
 public:
  // Calls match(id) for ids inserted with hash h until one returns true; returns that id, or
  // UINT64_MAX. (Keys are unique, so at most one matches.)
  template <class Match>
  uint64_t find(uint64_t h, Match&& match) const {
    if (slots_.empty()) return UINT64_MAX;
    for (size_t i = slot(h);; i = (i + 1) & (slots_.size() - 1)) {
      const Slot& s = slots_[i];
      if (s.id == kEmpty) return UINT64_MAX;
      if (s.hash == h && match(s.id)) return s.id;
    }
  }

  void insert(uint64_t h, uint64_t id) {
    if (2 * (size_ + 1) > slots_.size()) grow();
    place(h, id);
    ++size_;
  }

  void clear() {
    slots_.clear();
    size_ = 0;
  }

 private:
  struct Slot {
    uint64_t hash = 0;
    uint64_t id = kEmpty;
  };
  static constexpr uint64_t kEmpty = UINT64_MAX;

  // The high bits of a multiplicative mix: callers' hashes need not be good in their low bits.
  size_t slot(uint64_t h) const { return size_t((h * 0x9E3779B97F4A7C15ull) >> shift_); }

  void place(uint64_t h, uint64_t id) {
    size_t i = slot(h);
    while (slots_[i].id != kEmpty) i = (i + 1) & (slots_.size() - 1);
    slots_[i] = Slot{h, id};
  }

  void grow() {
    std::vector<Slot> old = std::move(slots_);
    const size_t n = old.empty() ? 64 : 2 * old.size();
    slots_.assign(n, Slot{});
    shift_ = 64 - __builtin_ctzll(n);
    for (const Slot& s : old)
      if (s.id != kEmpty) place(s.hash, s.id);
  }

  std::vector<Slot> slots_;
  size_t size_ = 0;
  int shift_ = 64;
};

}  // namespace tc0::circuits
