#pragma once
// Where a BitSimulator evaluates its gates (CPU, or a device such as a CUDA GPU), the interface a
// device backend implements, and the record of what actually ran.
//
// A device evaluates whole blocks: it holds the flattened network in its own memory, takes the
// input words of a block and returns only the words of the slots the caller wants (the output
// bits), so host memory per block is bounded by the inputs and outputs, and device memory by the
// circuit times the block size (max_block_words()). BitSimulator streams a batch through the device
// block by block. When a device call fails part-way through a batch (a CUDA error, a lost device,
// memory), the simulator drops the device, computes that block and every later one on the CPU and
// records why: the bits are always the CPU's bits, never a half-written block.
//
// Test hook (no GPU needed to exercise the device path and its failures): the environment
// variable TC0_TEST_DEVICE, a comma-separated list of
//   emulate        use a host emulation of a device (same interface, CPU evaluator underneath)
//                  instead of CUDA, whether or not a GPU is present;
//   fail-after=N   the device (CUDA or emulated) throws on its batch N+1, after scribbling over the
//                  output buffer, as a failing GPU would;
//   block-words=W  at most W words of 64 samples per device block (forces streaming).
// Anything else in it is refused with an error naming the variable.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "circuits/sim/flat.hpp"

namespace tc0::circuits::sim {

// Where the gates are evaluated. `automatic` uses a device when one is usable, else the CPU (and
// says why); `cuda` refuses to start without a usable device.
enum class Device { cpu, cuda, automatic };
// "cpu", "cuda" or "auto"; throws std::invalid_argument for anything else.
Device parse_device(const std::string& name);
const char* device_name(Device d);

// Time spent per stage of the device path, summed over the blocks evaluated on the device.
struct DeviceProfile {
  uint64_t blocks = 0, samples = 0;
  uint32_t block_words = 0;   // largest block, in 64-sample words
  double pack_s = 0;          // host: bus values -> input words
  double upload_s = 0;        // inputs host -> device
  double kernels_s = 0;       // all levels' kernels
  double download_s = 0;      // gathering the wanted slots and copying them back
  double unpack_s = 0;        // host: output words -> bus values
  std::vector<double> level_s;  // per logic level (level 1 first), kernel time

  nlohmann::json to_json() const;
  // A few lines: the stages, and the slowest levels.
  std::string table() const;
};

class DeviceBackend {
 public:
  virtual ~DeviceBackend() = default;
  // inputs: (1 + num_inputs) x words 64-bit words, slot-major (slot 0, the constant false, all zero);
  // out: wanted.size() x words, the words of slot wanted[k] at [k * words, (k + 1) * words).
  // Throws std::runtime_error on any device error; `out` is then undefined.
  virtual void eval(const uint64_t* inputs, uint32_t words, std::span<const uint32_t> wanted, uint64_t* out) = 0;
  // The largest block (64-sample words) that fits in device memory next to the network; >= 1.
  virtual uint32_t max_block_words() const = 0;
  // What the device is, in one phrase ("NVIDIA H200, 139.8 GiB, sm_90, CUDA 13.0").
  virtual std::string name() const = 0;
  // Kind for reports: "cuda" or "emulated".
  virtual std::string kind() const = 0;
  // upload_s, kernels_s, download_s and level_s of the blocks evaluated so far.
  virtual DeviceProfile profile() const = 0;
};

// Whether `d` will find a device here (a CUDA GPU, or the TC0_TEST_DEVICE emulation), before any
// network is uploaded: callers plan CPU work around the device with it. The device can still be
// refused later (the network does not fit), which open_device() reports.
bool device_present(Device d, std::string* why = nullptr);
// The device backend for `d` on this machine, or null with the reason in *why (cpu requested, no
// usable GPU, built without CUDA, the network does not fit). Honors TC0_TEST_DEVICE (see above);
// a malformed TC0_TEST_DEVICE throws std::invalid_argument.
std::unique_ptr<DeviceBackend> open_device(const FlatNetwork& flat, Device d, std::string* why);

// What a simulator ran on, for the one line every command prints and for its JSON.
struct DeviceRun {
  Device requested = Device::cpu;
  std::string device = "cpu";  // "cpu", "cuda" or "emulated": where the run started
  std::string name;            // the device's name, empty for the CPU
  std::string note;            // why the CPU under --device auto ("no usable CUDA device: ...")
  std::string fallback;        // the device error that moved the rest of the run to the CPU
  int cpu_threads = 0;
  uint64_t block_samples = 0;  // the device's largest block (0 on the CPU): batches of whole blocks stream best
  uint64_t device_samples = 0;  // samples the device computed
  uint64_t cpu_samples = 0;     // samples the CPU computed after a fallback (not counted on a CPU-only run)
  DeviceProfile profile;       // device path only

  bool fell_back() const { return !fallback.empty(); }
  // "device: cuda (NVIDIA H200, ...): 100000 samples in 3 blocks of up to 40960" and the like.
  std::string line() const;
  nlohmann::json to_json() const;
};

}  // namespace tc0::circuits::sim
