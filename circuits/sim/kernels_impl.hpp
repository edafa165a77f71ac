// The kernels of run_program (program.hpp), written once over a vector type V and compiled twice:
// kernels_avx512.cpp (V = 512-bit words, built with -mavx512f) and kernels_portable.cpp (V = one
// uint64_t; the compiler vectorises where it can). Included inside an anonymous namespace of each
// file, so the two instantiations never meet at link time; the includes it needs come first there.
//
// V provides: T, kWords (uint64 words per T), load, store, splat, ones, bxor, tern<imm>(a, b, c)
// (bit i of the result = imm bit (a_i << 2 | b_i << 1 | c_i), as vpternlogq), lanes (the int64 lane
// accumulation and comparison of one fan-in list).

using U128 = unsigned __int128;

template <class V>
struct Kernels {
  using T = typename V::T;
  static constexpr uint32_t kW = V::kWords;

  // ---- lut3: any function of three registers, the immediate dispatched once per instruction ----
  template <int kImm>
  static void lut3_fixed(const uint64_t* a, const uint64_t* b, const uint64_t* c, uint64_t* o, uint32_t stride) {
    for (uint32_t i = 0; i < stride; i += kW) V::store(o + i, V::template tern<kImm>(V::load(a + i), V::load(b + i), V::load(c + i)));
  }
  using Lut3Fn = void (*)(const uint64_t*, const uint64_t*, const uint64_t*, uint64_t*, uint32_t);
  template <size_t... I>
  static constexpr std::array<Lut3Fn, 256> lut3_table(std::index_sequence<I...>) {
    return {&lut3_fixed<int(I)>...};
  }
  static inline constexpr std::array<Lut3Fn, 256> kLut3 = lut3_table(std::make_index_sequence<256>{});

  // ---- AND of literals: acc & (x ^ complement) is one ternary op per fan-in ----
  static void and_n(const uint32_t* lits, uint32_t n, const uint64_t* regs, uint32_t stride, uint64_t* o) {
    for (uint32_t i = 0; i < stride; i += kW) {
      T acc = V::ones();
      for (uint32_t k = 0; k < n; ++k)
        acc = V::template tern<0x60>(acc, V::load(regs + size_t(lits[k] >> 1) * stride + i), V::splat(0 - uint64_t(lits[k] & 1)));
      V::store(o + i, acc);
    }
  }

  // ---- tree: bit-sliced carry-save counter over NAF digits ----
  // A column entry is a pointer to stride words and a complement flag; `slot` says which of its
  // column's three scratch slots it occupies (3: an input register, not scratch).
  struct Entry {
    const uint64_t* p;
    uint32_t flag;
    uint32_t slot;
  };
  static constexpr int kMaxColumns = 130;

  class Counter {
   public:
    Counter(uint64_t* scratch, uint32_t stride, int columns, const uint64_t* zero)
        : scratch_(scratch), stride_(stride), columns_(columns), zero_(zero) {
      std::fill(count_, count_ + columns + 1, 0);
    }

    // Adds the bit x (pointer into a register, or a carry in column p's scratch) at column p.
    void add(int p, Entry x) {
      while (p < columns_) {
        uint8_t& n = count_[p];
        if (n < 2) {
          e_[p][n++] = x;
          return;
        }
        // Full adder of the two entries and x: the sum stays in column p, the carry moves on.
        const Entry a = e_[p][0], b = e_[p][1];
        const uint32_t s_slot = x.slot < 3 ? x.slot : free_slot(p, a.slot, b.slot, 3);
        uint64_t* s = slot(p, s_slot);
        Entry carry{nullptr, 0, 3};
        if (p + 1 < columns_) {
          carry.slot = free_slot(p + 1);
          carry.p = slot(p + 1, carry.slot);
        }
        const uint32_t sum_flag = full_add(a, b, x, s, const_cast<uint64_t*>(carry.p), &carry.flag);
        e_[p][0] = Entry{s, sum_flag, s_slot};
        n = 1;
        if (!carry.p) return;  // the sum is below 2^columns, so a carry out of the top is 0
        x = carry;
        ++p;
      }
    }

    // Reduces every column to one bit in true polarity; bits()[k] points at bit k of the sum.
    void resolve() {
      Entry carry{nullptr, 0, 3};
      for (int k = 0; k < columns_; ++k) {
        Entry in[3];
        int n = 0;
        for (int j = 0; j < count_[k]; ++j) in[n++] = e_[k][j];
        if (carry.p) in[n++] = carry;
        carry = Entry{nullptr, 0, 3};
        uint64_t* r = result(k);
        if (n == 0) {
          bits_[k] = zero_;
          continue;
        }
        if (n == 1) {
          // Copied even when uncomplemented: the entry may be an input register that one of this
          // instruction's outputs reuses, and the later outputs' comparisons still read the bits.
          const T flip = V::splat(0 - uint64_t(in[0].flag));
          for (uint32_t i = 0; i < stride_; i += kW) V::store(r + i, V::bxor(V::load(in[0].p + i), flip));
          bits_[k] = r;
          continue;
        }
        uint64_t* c = nullptr;
        if (k + 1 < columns_) {
          carry.slot = free_slot(k + 1);
          carry.p = c = slot(k + 1, carry.slot);
        }
        if (n == 2) {
          const T par = V::splat(0 - uint64_t(in[0].flag ^ in[1].flag));
          const T fa = V::splat(0 - uint64_t(in[0].flag)), fb = V::splat(0 - uint64_t(in[1].flag));
          for (uint32_t i = 0; i < stride_; i += kW) {
            const T a = V::load(in[0].p + i), b = V::load(in[1].p + i);
            V::store(r + i, V::template tern<0x96>(a, b, par));
            if (c) V::store(c + i, V::template tern<0x60>(V::bxor(a, fa), b, fb));  // (a^fa) & (b^fb)
          }
        } else {
          uint64_t* s = r;
          uint32_t cflag = 0;
          const uint32_t sflag = full_add(in[0], in[1], in[2], s, c, &cflag);
          if (sflag)
            for (uint32_t i = 0; i < stride_; i += kW) V::store(s + i, V::bxor(V::load(s + i), V::ones()));
          carry.flag = cflag;
        }
        bits_[k] = r;
      }
    }

    // [sum >= theta] into o: sum - theta borrows iff sum < theta; bits below theta's lowest set bit
    // cannot borrow.
    void compare(Weight theta, uint64_t* o) const {
      if (theta <= 0 || (columns_ < 127 && theta >= (Weight(1) << columns_))) {
        const T v = theta <= 0 ? V::ones() : V::splat(0);
        for (uint32_t i = 0; i < stride_; i += kW) V::store(o + i, v);
        return;
      }
      const U128 t = U128(theta);
      const int k0 = uint64_t(t) ? std::countr_zero(uint64_t(t)) : 64 + std::countr_zero(uint64_t(t >> 64));
      for (uint32_t i = 0; i < stride_; i += kW) {
        T borrow = V::splat(0);
        for (int k = k0; k < columns_; ++k) {
          const T tk = V::splat(0 - uint64_t((t >> k) & 1));
          borrow = V::template tern<0x8E>(V::load(bits_[k] + i), borrow, tk);  // t ? !s | b : !s & b
        }
        V::store(o + i, V::bxor(borrow, V::ones()));
      }
    }

   private:
    uint64_t* slot(int p, uint32_t j) { return scratch_ + (size_t(p) * 3 + j) * stride_; }
    uint64_t* result(int k) { return scratch_ + (size_t(kMaxColumns + 1) * 3 + size_t(k)) * stride_; }
    // A scratch slot of column p that no entry of p (and neither of the excluded slots) uses.
    uint32_t free_slot(int p, uint32_t x0 = 3, uint32_t x1 = 3, uint32_t x2 = 3) const {
      uint32_t used = (1u << x0 | 1u << x1 | 1u << x2) & 7u;
      for (int j = 0; j < count_[p]; ++j) used |= (1u << e_[p][j].slot) & 7u;
      return uint32_t(std::countr_one(used));
    }
    // Writes a ^ b ^ x (without complements; returns their parity as the sum's flag) to s and, when
    // c is set, maj of the complemented inputs to c (its own flag in *cflag).
    uint32_t full_add(Entry a, Entry b, Entry x, uint64_t* s, uint64_t* c, uint32_t* cflag) const {
      const uint32_t parity = a.flag ^ b.flag ^ x.flag;
      // maj(!a, !b, !c) = !maj(a, b, c): with two or three complements, flip all and the result;
      // then at most one input is complemented: make it the third.
      const uint32_t flips = a.flag + b.flag + x.flag;
      const uint32_t all = flips >= 2 ? 1u : 0u;
      a.flag ^= all, b.flag ^= all, x.flag ^= all;
      if (a.flag) std::swap(a, x);
      else if (b.flag) std::swap(b, x);
      *cflag = all;
      const T fx = V::splat(0 - uint64_t(x.flag));
      for (uint32_t i = 0; i < stride_; i += kW) {
        const T va = V::load(a.p + i), vb = V::load(b.p + i), vx = V::load(x.p + i);
        const T vs = V::template tern<0x96>(va, vb, vx);
        if (c) V::store(c + i, V::template tern<0xE8>(va, vb, V::bxor(vx, fx)));
        V::store(s + i, vs);
      }
      return parity;
    }

    uint64_t* scratch_;
    uint32_t stride_;
    int columns_;
    const uint64_t* zero_;
    uint8_t count_[kMaxColumns + 1];
    Entry e_[kMaxColumns + 1][2];
    const uint64_t* bits_[kMaxColumns + 1];
  };

  static size_t tree_scratch_words(uint32_t stride) { return (size_t(kMaxColumns + 1) * 3 + kMaxColumns + 1) * stride; }

  template <class W>
  static void tree(const Program& p, const Instr& ins, const W* weights, uint64_t* regs, uint32_t stride,
                   uint64_t* scratch) {
    Counter counter(scratch, stride, ins.columns, regs);
    const uint32_t* lits = p.args.data() + ins.arg_begin;
    for (uint32_t e = 0; e < ins.num_args; ++e) {
      const uint32_t lit = lits[e];
      const uint64_t* x = regs + size_t(lit >> 1) * stride;
      const U128 w = U128(weights[e]);
      const U128 half = w >> 1, three_half = w + half, c = half ^ three_half;
      U128 pos = three_half & c, neg = half & c;
      // x w = sum of +-2^k x; -2^k x = 2^k !x - 2^k (the theta offset took the -2^k).
      while (pos) {
        const int k = uint64_t(pos) ? std::countr_zero(uint64_t(pos)) : 64 + std::countr_zero(uint64_t(pos >> 64));
        pos &= pos - 1;
        counter.add(k, Entry{x, lit & 1, 3});
      }
      while (neg) {
        const int k = uint64_t(neg) ? std::countr_zero(uint64_t(neg)) : 64 + std::countr_zero(uint64_t(neg >> 64));
        neg &= neg - 1;
        counter.add(k, Entry{x, (lit & 1) ^ 1u, 3});
      }
    }
    counter.resolve();
    for (uint32_t q = 0; q < ins.num_outs; ++q)
      counter.compare(p.thetas[ins.out_begin + q], regs + size_t(p.outs[ins.out_begin + q]) * stride);
  }

  static void run(const Program& p, uint64_t* regs, uint32_t stride, KernelScratch& s) {
    const size_t need = tree_scratch_words(stride);
    if (s.words.size() < need) s.words.assign(need, 0);
    if (s.lanes.size() < size_t(stride) * 64) s.lanes.assign(size_t(stride) * 64, 0);
    for (const Instr& ins : p.code) {
      switch (ins.kind) {
        case OpKind::lut3: {
          const uint32_t* a = p.args.data() + ins.arg_begin;
          kLut3[ins.imm](regs + size_t(a[0]) * stride, regs + size_t(a[1]) * stride, regs + size_t(a[2]) * stride,
                         regs + size_t(p.outs[ins.out_begin]) * stride, stride);
          break;
        }
        case OpKind::and_n:
          and_n(p.args.data() + ins.arg_begin, ins.num_args, regs, stride, regs + size_t(p.outs[ins.out_begin]) * stride);
          break;
        case OpKind::tree:
          if (ins.wide) tree(p, ins, p.wide_weights.data() + ins.weight_begin, regs, stride, s.words.data());
          else tree(p, ins, p.weights.data() + ins.weight_begin, regs, stride, s.words.data());
          break;
        case OpKind::lanes: {
          int64_t* acc = s.lanes.data();
          V::lanes_accumulate(p.args.data() + ins.arg_begin, p.weights.data() + ins.weight_begin, ins.num_args, regs,
                              stride, acc);
          for (uint32_t q = 0; q < ins.num_outs; ++q)
            V::lanes_compare(acc, int64_t(p.thetas[ins.out_begin + q]), stride,
                             regs + size_t(p.outs[ins.out_begin + q]) * stride);
          break;
        }
      }
    }
  }
};
