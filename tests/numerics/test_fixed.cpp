// Formats (validation, parsing), explicit round-half-to-even ties, range checks and saturation
// counting. The exhaustive and random checks of every operation are in test_fixed_exhaustive.cpp and
// test_fixed_random.cpp.
#include <gtest/gtest.h>

#include "numerics/fixed.hpp"
#include "tests/numerics/exact_reference.hpp"

using namespace tc0::numerics;

TEST(Fixed, RoundHalfToEvenTies) {
  Format q80(8, 0), q81(8, 1);
  // 0.5 -> 0, 1.5 -> 2, 2.5 -> 2, -0.5 -> 0, -1.5 -> -2
  EXPECT_EQ(convert(Fixed::from_raw(1, q81), q80).raw, 0);
  EXPECT_EQ(convert(Fixed::from_raw(3, q81), q80).raw, 2);
  EXPECT_EQ(convert(Fixed::from_raw(5, q81), q80).raw, 2);
  EXPECT_EQ(convert(Fixed::from_raw(-1, q81), q80).raw, 0);
  EXPECT_EQ(convert(Fixed::from_raw(-3, q81), q80).raw, -2);
}

TEST(Format, LegalRangeAndValidation) {
  uint64_t cases = 0;
  for (int w = -2; w <= 70; ++w) {
    for (int f : {-200, -129, -128, -1, 0, 7, 128, 129, 1000}) {
      bool legal = w >= 2 && w <= 64 && f >= -128 && f <= 128;
      if (legal) {
        Format q(w, f);
        EXPECT_EQ(q.width(), w);
        EXPECT_EQ(q.frac(), f);
        // Range against the independent definition -2^(w-1) .. 2^(w-1)-1.
        tc0::test::BigInt lim = 1;
        for (int i = 0; i < w - 1; ++i) lim *= 2;
        EXPECT_EQ(tc0::test::BigInt(q.min_raw()), -lim);
        EXPECT_EQ(tc0::test::BigInt(q.max_raw()), lim - 1);
      } else {
        try {
          Format q(w, f);
          ADD_FAILURE() << "Q(" << w << "," << f << ") accepted";
        } catch (const FormatError& e) {
          std::string m = e.what();
          EXPECT_NE(m.find("Q(" + std::to_string(w) + "," + std::to_string(f) + ")"), std::string::npos) << m;
        }
      }
      ++cases;
    }
  }
  tc0::test::report_cases("format validation (w, f) pairs", cases);
}

TEST(Format, ParseAcceptsBothSpellingsAndRejectsJunk) {
  EXPECT_EQ(Format::parse("Q(8,4)"), Format(8, 4));
  EXPECT_EQ(Format::parse("q(16,-3)"), Format(16, -3));
  EXPECT_EQ(Format::parse("Q12.10"), Format(12, 10));
  EXPECT_EQ(Format::parse(Format(64, 128).str()), Format(64, 128));
  for (const char* bad : {"", "Q", "Q(", "Q()", "Q(8,4", "Q8,4)", "Q(8;4)", "Q(a,4)", "Q8", "Q(8,4)x", "Q( 8,4)",
                          "R(8,4)", "Q(8,)", "Q(,4)", "Q8.", "Q.4", "Q(99999999999,1)"}) {
    EXPECT_THROW(Format::parse(bad), FormatError) << "'" << bad << "'";
  }
  EXPECT_THROW(Format::parse("Q(65,0)"), FormatError);
  EXPECT_THROW(Format::parse("Q(1,0)"), FormatError);
  EXPECT_THROW(Format::parse("Q(8,129)"), FormatError);
  try {
    Format::parse("Q(8;4)");
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("expected Q(w,f)"), std::string::npos);
  }
}

TEST(Fixed, FromRawRejectsOutOfRange) {
  EXPECT_THROW(Fixed::from_raw(128, Format(8, 0)), FormatError);
  EXPECT_THROW(Fixed::from_raw(-129, Format(8, 0)), FormatError);
  EXPECT_EQ(Fixed::from_raw(-128, Format(8, 0)).raw, -128);
  EXPECT_EQ(Fixed::from_raw(INT64_MIN, Format(64, 0)).raw, INT64_MIN);
  EXPECT_THROW(Fixed::from_raw(2, Format(2, 0)), FormatError);
}

TEST(Fixed, SaturationEventsAreCounted) {
  reset_saturation_events();
  Format q(8, 0);
  add(Fixed::from_raw(100, q), Fixed::from_raw(100, q), q);  // 200 -> 127
  EXPECT_EQ(add(Fixed::from_raw(100, q), Fixed::from_raw(100, q), q).raw, 127);
  EXPECT_EQ(sub(Fixed::from_raw(-100, q), Fixed::from_raw(100, q), q).raw, -128);
  EXPECT_EQ(saturation_events(), 3u);
  add(Fixed::from_raw(1, q), Fixed::from_raw(1, q), q);
  EXPECT_EQ(saturation_events(), 3u);
}
