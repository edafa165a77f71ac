// Exhaustive checks of the exact round-once operations (SPEC section 2) where the operands total at
// most 24 bits: every pair of 8-bit operands for the binary operations, every 12-bit input for the
// unary ones, each against the exact rational reference of exact_reference.hpp.
#include <gtest/gtest.h>

#include <functional>
#include <vector>

#include "numerics/fixed.hpp"
#include "tests/numerics/exact_reference.hpp"

using namespace tc0::numerics;
using tc0::test::report_cases;
using tc0::test::round_ref;
using tc0::test::value_of;
using Q = tc0::test::Rational;

namespace {

struct BinaryCombo {
  Format a, b, out;
};

// Same formats, saturating and widening outputs, mixed fractions, negative fractions, narrow and
// very fine outputs.
const std::vector<BinaryCombo> kCombos = {
    {Format(8, 4), Format(8, 4), Format(8, 4)},   {Format(8, 4), Format(8, 4), Format(10, 4)},
    {Format(8, 2), Format(8, 6), Format(8, 3)},   {Format(8, 0), Format(8, 7), Format(16, 7)},
    {Format(8, 7), Format(8, 7), Format(8, 7)},   {Format(8, -3), Format(8, 5), Format(12, 1)},
    {Format(8, 4), Format(8, 4), Format(4, 1)},   {Format(8, 6), Format(8, 1), Format(20, 16)},
};

std::vector<Q> all_values(Format f) {
  std::vector<Q> v;
  for (int64_t r = f.min_raw(); r <= f.max_raw(); ++r) v.push_back(value_of(r, f.frac()));
  return v;
}

using LibBinary = std::function<Fixed(const Fixed&, const Fixed&, Format)>;
using RefBinary = std::function<Q(const Q&, const Q&)>;

uint64_t check_binary(const char* what, const LibBinary& lib, const RefBinary& ref) {
  uint64_t cases = 0;
  for (const auto& c : kCombos) {
    std::vector<Q> va = all_values(c.a), vb = all_values(c.b);
    for (int64_t ra = c.a.min_raw(); ra <= c.a.max_raw(); ++ra) {
      const Q& qa = va[static_cast<size_t>(ra - c.a.min_raw())];
      for (int64_t rb = c.b.min_raw(); rb <= c.b.max_raw(); ++rb) {
        const Q& qb = vb[static_cast<size_t>(rb - c.b.min_raw())];
        Fixed got = lib(Fixed::from_raw(ra, c.a), Fixed::from_raw(rb, c.b), c.out);
        int64_t want = round_ref(ref(qa, qb), c.out);
        if (got.raw != want || !(got.fmt == c.out)) {
          ADD_FAILURE() << what << ": a raw " << ra << " " << c.a.str() << ", b raw " << rb << " " << c.b.str()
                        << " -> " << c.out.str() << ": got " << got.raw << ", want " << want;
          return cases;
        }
        ++cases;
      }
    }
  }
  return cases;
}

}  // namespace

TEST(FixedExhaustive, Add) {
  report_cases("add exhaustive 8-bit pairs",
               check_binary("add", [](auto& a, auto& b, Format o) { return add(a, b, o); },
                            [](const Q& a, const Q& b) { return Q(a + b); }));
}

TEST(FixedExhaustive, Sub) {
  report_cases("sub exhaustive 8-bit pairs",
               check_binary("sub", [](auto& a, auto& b, Format o) { return sub(a, b, o); },
                            [](const Q& a, const Q& b) { return Q(a - b); }));
}

TEST(FixedExhaustive, Mul) {
  report_cases("mul exhaustive 8-bit pairs",
               check_binary("mul", [](auto& a, auto& b, Format o) { return mul(a, b, o); },
                            [](const Q& a, const Q& b) { return Q(a * b); }));
}

TEST(FixedExhaustive, MinMax) {
  uint64_t n = check_binary("min", [](auto& a, auto& b, Format o) { return min(a, b, o); },
                            [](const Q& a, const Q& b) { return a < b ? a : b; });
  n += check_binary("max", [](auto& a, auto& b, Format o) { return max(a, b, o); },
                    [](const Q& a, const Q& b) { return a < b ? b : a; });
  report_cases("min/max exhaustive 8-bit pairs", n);
}

TEST(FixedExhaustive, Compare) {
  uint64_t cases = 0;
  for (const auto& c : kCombos) {
    std::vector<Q> va = all_values(c.a), vb = all_values(c.b);
    for (int64_t ra = c.a.min_raw(); ra <= c.a.max_raw(); ++ra) {
      for (int64_t rb = c.b.min_raw(); rb <= c.b.max_raw(); ++rb) {
        const Q& qa = va[static_cast<size_t>(ra - c.a.min_raw())];
        const Q& qb = vb[static_cast<size_t>(rb - c.b.min_raw())];
        auto got = compare(Fixed::from_raw(ra, c.a), Fixed::from_raw(rb, c.b));
        auto want = qa < qb ? std::strong_ordering::less : qa > qb ? std::strong_ordering::greater
                                                                  : std::strong_ordering::equal;
        ASSERT_TRUE(got == want) << "compare raw " << ra << " " << c.a.str() << " vs raw " << rb << " " << c.b.str();
        ASSERT_EQ(Fixed::from_raw(ra, c.a) == Fixed::from_raw(rb, c.b), qa == qb);
        ++cases;
      }
    }
  }
  report_cases("compare exhaustive 8-bit pairs", cases);
}

// Every 12-bit input of several formats through the single-operand operations.
TEST(FixedExhaustive, Unary12Bit) {
  const std::vector<Format> ins = {Format(12, 0), Format(12, 5), Format(12, 11), Format(12, -3)};
  const std::vector<Format> outs = {Format(12, 5), Format(8, 2), Format(16, 12), Format(6, -1), Format(2, 0),
                                    Format(64, 40)};
  const std::vector<int> shifts = {-13, -7, -2, -1, 1, 3, 9};
  const std::vector<Q> consts = {Q(1, 3), Q(-7, 5), Q(3, 1024), Q(1000, 7), Q(0)};
  uint64_t n_convert = 0, n_neg = 0, n_shift = 0, n_const = 0, n_rational = 0;
  for (Format in : ins) {
    for (Format out : outs) {
      for (int64_t r = in.min_raw(); r <= in.max_raw(); ++r) {
        Fixed x = Fixed::from_raw(r, in);
        Q q = value_of(r, in.frac());
        ASSERT_EQ(convert(x, out).raw, round_ref(q, out)) << "convert raw " << r << " " << in.str() << " -> " << out.str();
        ++n_convert;
        ASSERT_EQ(neg(x, out).raw, round_ref(-q, out)) << "neg raw " << r << " " << in.str() << " -> " << out.str();
        ++n_neg;
        for (int k : shifts) {
          ASSERT_EQ(shift(x, k, out).raw, round_ref(q * tc0::test::pow2q(k), out))
              << "shift " << k << " raw " << r << " " << in.str() << " -> " << out.str();
          ++n_shift;
        }
        for (const Q& c : consts) {
          ASSERT_EQ(mul_const(x, c, out).raw, round_ref(q * c, out))
              << "mul_const " << c << " raw " << r << " " << in.str() << " -> " << out.str();
          ++n_const;
        }
        // from_rational of the value divided by 3 (never a dyadic, so never a tie) and of the
        // value itself (often exactly a tie in the narrower outputs).
        ASSERT_EQ(Fixed::from_rational(q / 3, out).raw, round_ref(q / 3, out));
        ASSERT_EQ(Fixed::from_rational(q, out).raw, round_ref(q, out));
        n_rational += 2;
      }
    }
  }
  report_cases("convert exhaustive 12-bit inputs", n_convert);
  report_cases("neg exhaustive 12-bit inputs", n_neg);
  report_cases("shift exhaustive 12-bit inputs", n_shift);
  report_cases("mul_const exhaustive 12-bit inputs", n_const);
  report_cases("from_rational exhaustive 12-bit inputs", n_rational);
}
