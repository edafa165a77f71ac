#include "numerics/format.hpp"

#include <charconv>
#include <cmath>
#include <fmt/format.h>

namespace tc0::numerics {

Format::Format(int w, int f) : w_(w), f_(f) {
  if (w < kMinWidth || w > kMaxWidth)
    throw FormatError(fmt::format("invalid fixed-point format Q({},{}): width must be {}..{} bits "
                                  "(sign included)", w, f, kMinWidth, kMaxWidth));
  if (f < kMinFrac || f > kMaxFrac)
    throw FormatError(fmt::format("invalid fixed-point format Q({},{}): fraction bits must be in "
                                  "{}..{}", w, f, kMinFrac, kMaxFrac));
}

double Format::lsb() const { return std::ldexp(1.0, -f_); }
std::string Format::str() const { return fmt::format("Q({},{})", w_, f_); }

namespace {
bool parse_int(std::string_view s, int& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}
}  // namespace

Format Format::parse(std::string_view text) {
  auto bad = [&]() {
    return FormatError(fmt::format("cannot parse fixed-point format '{}': expected Q(w,f) or Qw.f, "
                                   "e.g. Q(8,4)", text));
  };
  if (text.size() < 2 || (text[0] != 'Q' && text[0] != 'q')) throw bad();
  std::string_view rest = text.substr(1);
  int w = 0, f = 0;
  if (rest.front() == '(') {
    if (rest.back() != ')') throw bad();
    rest = rest.substr(1, rest.size() - 2);
    auto comma = rest.find(',');
    if (comma == std::string_view::npos) throw bad();
    if (!parse_int(rest.substr(0, comma), w) || !parse_int(rest.substr(comma + 1), f)) throw bad();
  } else {
    auto dot = rest.find('.');
    if (dot == std::string_view::npos) throw bad();
    if (!parse_int(rest.substr(0, dot), w) || !parse_int(rest.substr(dot + 1), f)) throw bad();
  }
  return Format(w, f);
}

}  // namespace tc0::numerics
