// ErrorReport: statistics, worst input, histogram bins and JSON against hand-computed values.
#include <gtest/gtest.h>

#include <cmath>

#include "numerics/error_metrics.hpp"

using tc0::numerics::ErrorReport;

TEST(ErrorReport, StatisticsWorstAndHistogram) {
  ErrorReport r(0.25, "demo");
  // errors in LSBs: 0, 0.5, 0.75, 2, 100 (values chosen to be exact in binary)
  r.add(1.0, 1.0, 0, -3.0);
  r.add(1.0, 1.125, 1, -2.0);
  r.add(-1.0, -1.1875, 2, -1.0);
  r.add(0.0, 0.5, 3, 0.0);
  r.add(0.0, -25.0, 4, 7.5);
  EXPECT_EQ(r.count(), 5u);
  EXPECT_DOUBLE_EQ(r.max_abs_error(), 25.0);
  EXPECT_DOUBLE_EQ(r.mean_abs_error(), (0 + 0.125 + 0.1875 + 0.5 + 25.0) / 5);
  EXPECT_DOUBLE_EQ(r.max_lsb_error(), 100.0);
  EXPECT_DOUBLE_EQ(r.mean_lsb_error(), (0 + 0.5 + 0.75 + 2 + 100) / 5);
  EXPECT_EQ(r.worst_index(), 4u);
  EXPECT_DOUBLE_EQ(r.worst_input(), 7.5);
  const auto& h = r.histogram();
  EXPECT_EQ(ErrorReport::bin_label(0), "0");
  EXPECT_EQ(ErrorReport::bin_label(1), "<=0.5");
  EXPECT_EQ(ErrorReport::bin_label(ErrorReport::kBins - 1), ">64");
  EXPECT_EQ(h[0], 1u);  // 0
  EXPECT_EQ(h[1], 1u);  // 0.5
  EXPECT_EQ(h[2], 1u);  // 0.75 -> <=1
  EXPECT_EQ(h[3], 1u);  // 2 -> <=2
  EXPECT_EQ(h[ErrorReport::kBins - 1], 1u);  // 100 -> >64
  auto j = r.to_json();
  EXPECT_EQ(j["count"], 5);
  EXPECT_EQ(j["worst"]["index"], 4);
  EXPECT_EQ(j["histogram_lsb"]["<=0.5"], 1);
  EXPECT_EQ(j["label"], "demo");
  EXPECT_NE(r.table_row().find("demo"), std::string::npos);
  EXPECT_NE(r.histogram_line().find(">64:1"), std::string::npos);
}

TEST(ErrorReport, RejectsBadInput) {
  for (double lsb : {0.0, -1.0, static_cast<double>(INFINITY), static_cast<double>(NAN)})
    EXPECT_THROW(ErrorReport{lsb}, std::invalid_argument) << lsb;
  ErrorReport r(1.0);
  EXPECT_THROW(r.add(INFINITY, 0, 0, 0), std::invalid_argument);
  EXPECT_THROW(r.add(0, NAN, 0, 0), std::invalid_argument);
  EXPECT_EQ(r.count(), 0u);
  EXPECT_EQ(r.mean_abs_error(), 0.0);
}
