#pragma once
// The rules every tc0flow command applies to its flags, in one place:
// - Every numeric flag is added with add_number, which declares its range (printed in --help as
//   "INT:in [lo, hi]") and parses strictly before CLI11 converts the text: a plain decimal number
//   within the range. CLI11 2.1 itself reads "-5" into an unsigned option as 2^64 - 5 (strtoull
//   wraps), "010" as octal 8, "0x10" as 16 and an unsigned number past 2^64 as 2^64 - 1; all of
//   these are refused or rewritten here ("010" is decimal 10). Reals must be finite.
//   (tests/tools/robustness.py checks that every numeric flag of every command has a range.)
// - A flag that does not apply to what was asked is refused, not ignored (refuse_flag).
// - No output may name an input or another output (check_paths): compared by device and inode
//   when the file exists, else by the resolved path.
#include <CLI/CLI.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

namespace tc0::cli {

// A closed integer range [lo, hi], or a real interval whose ends may be open ("(0, 1]").
template <class T>
struct Range {
  T lo, hi;
  bool lo_open = false, hi_open = false;
};

// The validator of add_number; `what` is "whole number" or "number".
CLI::Validator integer_range(int64_t lo, uint64_t hi, bool is_unsigned);
CLI::Validator real_range(double lo, double hi, bool lo_open, bool hi_open);

template <class T>
CLI::Option* add_number(CLI::App& sub, const std::string& names, T& value, Range<T> range, const std::string& help) {
  static_assert(std::is_arithmetic_v<T> && !std::is_same_v<T, bool>);
  CLI::Option* o = sub.add_option(names, value, help);
  if constexpr (std::is_integral_v<T>)
    o->check(integer_range(int64_t(range.lo), uint64_t(range.hi), std::is_unsigned_v<T>));
  else
    o->check(real_range(double(range.lo), double(range.hi), range.lo_open, range.hi_open));
  return o;
}
template <class T>
CLI::Option* add_number(CLI::App& sub, const std::string& names, T& value, T lo, T hi, const std::string& help) {
  return add_number(sub, names, value, Range<T>{lo, hi}, help);
}
// A comma-separated list of numbers, each in the range.
CLI::Option* add_numbers(CLI::App& sub, const std::string& names, std::vector<double>& values, Range<double> range,
                         const std::string& help);

// Seeds take any 64-bit value.
CLI::Option* add_seed(CLI::App& sub, uint64_t& seed, const std::string& help);

// A compiled circuit and what it was compiled from (check, verify): FILE, --model, --sampler, --steps.
void add_compiled_circuit(CLI::App& sub, std::string& file, std::string& model, std::string& sampler, int& steps);

// --threads: 0 (all cores) up to 4x the hardware threads.
int max_threads();
CLI::Option* add_threads(CLI::App& sub, int& threads, const std::string& help);

// Throws "FLAG WHY" when the flag was given on the command line and does not apply.
void refuse_flag(const CLI::Option* flag, bool applies, const std::string& why);
// Throws when both flags were given: "FLAG_A cannot be combined with FLAG_B: WHY".
void refuse_together(const CLI::Option* a, const CLI::Option* b, const std::string& why);

// A path a command reads or writes, with the flag (or argument) that named it.
struct NamedPath {
  std::string flag;  // "-o", "--json", "FILE", "--model"
  std::string path;
};
// Refuses an output that is one of the inputs or another output, and an output that cannot be
// written (its folder missing, or a directory where a file is wanted), before any work. Empty
// paths and '-' (standard output) are skipped.
void check_paths(const std::vector<NamedPath>& inputs, const std::vector<NamedPath>& outputs);
// The files of a model directory (config, weights, held-out data, goldens) as inputs of `flag`.
std::vector<NamedPath> model_paths(const std::string& dir, const std::string& flag = "--model");

}  // namespace tc0::cli
