#include "tools/cli/flags.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "fileio/atomic_file.hpp"
#include "fileio/input_file.hpp"

namespace tc0::cli {

namespace {

std::string interval_text(double lo, double hi, bool lo_open, bool hi_open) {
  return fmt::format("{}{:g}, {:g}{}", lo_open ? '(' : '[', lo, hi, hi_open ? ')' : ']');
}

}  // namespace

CLI::Validator integer_range(int64_t lo, uint64_t hi, bool is_unsigned) {
  const std::string range =
      is_unsigned ? fmt::format("[{}, {}]", uint64_t(lo), hi) : fmt::format("[{}, {}]", lo, int64_t(hi));
  auto check = [=](std::string& text) -> std::string {
    const std::string expected = fmt::format("expected a whole number in {}", range);
    if (text.empty()) return "no value; " + expected;
    const bool negative = text[0] == '-';
    if (negative && is_unsigned) return fmt::format("{} is negative; {}", text, expected);
    const char* first = text.data() + (negative ? 1 : 0);
    const char* last = text.data() + text.size();
    if (first == last || *first < '0' || *first > '9') return fmt::format("'{}' is not a whole number; {}", text, expected);
    uint64_t magnitude = 0;
    const auto [end, ec] = std::from_chars(first, last, magnitude, 10);
    if (end != last) return fmt::format("'{}' is not a whole number; {}", text, expected);
    if (ec == std::errc::result_out_of_range) return fmt::format("{} is out of range; {}", text, expected);
    bool inside;
    if (is_unsigned) {
      inside = magnitude >= uint64_t(lo) && magnitude <= hi;
    } else {
      if (negative ? magnitude > uint64_t(INT64_MAX) + 1 : magnitude > uint64_t(INT64_MAX)) inside = false;
      else {
        const int64_t v = negative ? int64_t(0 - magnitude) : int64_t(magnitude);
        inside = v >= lo && v <= int64_t(hi);
      }
    }
    if (!inside) return fmt::format("{} is out of range; {}", text, expected);
    // The canonical decimal text, so that CLI11's conversion (strtoull/strtoll with base 0) reads
    // the same number: no leading zeros (octal), no "-0".
    text = negative && magnitude != 0 ? fmt::format("-{}", magnitude) : fmt::format("{}", magnitude);
    return {};
  };
  return CLI::Validator(check, "in " + range, "tc0-range");
}

CLI::Validator real_range(double lo, double hi, bool lo_open, bool hi_open) {
  const std::string range = interval_text(lo, hi, lo_open, hi_open);
  auto check = [=](std::string& text) -> std::string {
    const std::string expected = fmt::format("expected a number in {}", range);
    double v = 0;
    const char* first = text.data();
    const char* last = text.data() + text.size();
    if (first != last && *first == '+') ++first;
    const auto [end, ec] = std::from_chars(first, last, v, std::chars_format::general);
    if (text.empty() || end != last || ec == std::errc::invalid_argument)
      return fmt::format("'{}' is not a number; {}", text, expected);
    if (ec == std::errc::result_out_of_range || !std::isfinite(v)) return fmt::format("{} is not finite; {}", text, expected);
    const bool inside = (lo_open ? v > lo : v >= lo) && (hi_open ? v < hi : v <= hi);
    if (!inside) return fmt::format("{} is out of range; {}", text, expected);
    return {};
  };
  return CLI::Validator(check, "in " + range, "tc0-range");
}

CLI::Option* add_numbers(CLI::App& sub, const std::string& names, std::vector<double>& values, Range<double> range,
                         const std::string& help) {
  return sub.add_option(names, values, help)
      ->delimiter(',')
      ->check(real_range(range.lo, range.hi, range.lo_open, range.hi_open));
}

CLI::Option* add_seed(CLI::App& sub, uint64_t& seed, const std::string& help) {
  return add_number(sub, "--seed", seed, uint64_t(0), UINT64_MAX, help);
}

void add_compiled_circuit(CLI::App& sub, std::string& file, std::string& model, std::string& sampler, int& steps) {
  sub.add_option("file", file, "Circuit file (.tc0c) written by tc0flow compile")->required();
  sub.add_option("--model", model, "Model directory the circuit was compiled from")->required();
  sub.add_option("--sampler", sampler, "mf1 | mf2 | euler: as given to compile")
      ->check(CLI::IsMember({"mf1", "mf2", "euler"}));
  add_number(sub, "--steps", steps, 1, 64, "Number of steps K: as given to compile");
}

int max_threads() { return 4 * int(std::max(1u, std::thread::hardware_concurrency())); }

CLI::Option* add_threads(CLI::App& sub, int& threads, const std::string& help) {
  return add_number(sub, "--threads", threads, 0, max_threads(), help + " (at most 4x the hardware threads)");
}

void refuse_flag(const CLI::Option* flag, bool applies, const std::string& why) {
  if (flag && flag->count() && !applies) throw std::invalid_argument(fmt::format("{} {}", flag->get_name(), why));
}

void refuse_together(const CLI::Option* a, const CLI::Option* b, const std::string& why) {
  if (a && b && a->count() && b->count())
    throw std::invalid_argument(fmt::format("{} cannot be combined with {}: {}", a->get_name(), b->get_name(), why));
}

void check_paths(const std::vector<NamedPath>& inputs, const std::vector<NamedPath>& outputs) {
  namespace fs = std::filesystem;
  auto resolved = [](const std::string& p) {
    std::error_code ec;
    fs::path r = fs::weakly_canonical(fs::absolute(p), ec);
    return ec ? fs::absolute(p).lexically_normal() : r;
  };
  // '-' is standard output; a device or a pipe (/dev/null) has no bytes to lose
  auto skip = [](const NamedPath& p) {
    std::error_code ec;
    const auto st = fs::status(p.path, ec);
    return p.path.empty() || p.path == "-" || (!ec && fs::exists(st) && !fs::is_regular_file(st) && !fs::is_directory(st));
  };
  for (size_t i = 0; i < outputs.size(); ++i) {
    const NamedPath& out = outputs[i];
    if (skip(out)) continue;
    for (const NamedPath& in : inputs) {
      if (skip(in)) continue;
      if (fileio::same_file(out.path, in.path) || resolved(out.path) == resolved(in.path))
        throw std::invalid_argument(fmt::format("{} '{}' names the same file as the input {} '{}'; write the output to another file",
                                                out.flag, out.path, in.flag, in.path));
    }
    for (size_t j = 0; j < i; ++j) {
      const NamedPath& other = outputs[j];
      if (skip(other)) continue;
      if (fileio::same_file(out.path, other.path) || resolved(out.path) == resolved(other.path))
        throw std::invalid_argument(
            fmt::format("{} '{}' and {} '{}' name the same file; give each output its own file", other.flag,
                        other.path, out.flag, out.path));
    }
    fileio::check_writable(out.path, out.flag == "--json" ? "JSON report" : "output");
  }
}

std::vector<NamedPath> model_paths(const std::string& dir, const std::string& flag) {
  if (dir.empty()) return {};
  std::vector<NamedPath> files{{flag, dir}};
  for (const char* f : {"config.json", "weights.safetensors", "heldout.json", "fixed_golden.json"})
    files.push_back({flag, dir + "/" + f});
  return files;
}

}  // namespace tc0::cli
