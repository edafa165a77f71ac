#pragma once
// `--device cpu|cuda|auto` for the commands that simulate circuits (simulate, check, demo): one
// option text, one way to report a device error that moves a run to the CPU, and the one line each
// command prints about the device that ran (circuits/sim/device.hpp).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <functional>
#include <string>

#include "circuits/sim/device.hpp"

namespace tc0::cli {

// Adds --device to `sub`, stored in `device` ("auto" unless the caller set another default).
void add_device_option(CLI::App& sub, std::string& device);
// For SimOptions::on_fallback: prints "tc0flow COMMAND: device error, continuing on the CPU: ..."
// on standard error when it happens.
std::function<void(const std::string&)> report_fallback(const std::string& command);
// Prints DeviceRun::line() as one line on `out`.
void print_device_line(std::FILE* out, const circuits::sim::DeviceRun& run);

}  // namespace tc0::cli
