#include <gtest/gtest.h>

#include "numerics/fixed.hpp"

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
