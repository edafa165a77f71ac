#pragma once
// Bit-parallel, multi-threaded CPU evaluator of a threshold network (design in circuits/README.md).
//
// Samples are packed 64 to a machine word and processed in blocks of block_words words (64 x
// block_words samples); each thread owns one scratch array of num_slots x block_words words and
// walks the levelised gates of FlatNetwork, so memory is bounded by the circuit, not the batch.
// Every sample is computed independently of the others, so the bits do not depend on the thread
// count or the block size.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "circuits/network.hpp"
#include "circuits/sim/device.hpp"
#include "circuits/sim/flat.hpp"

namespace tc0::circuits::sim {

struct SimOptions {
  int threads = 0;              // 0: OpenMP's default
  uint32_t block_words = 4;     // words of 64 samples per block, 1..64
  // Kernel choice (measured, see README): with AVX-512 the masked-add lane kernel beats bit-slicing
  // on every gadget we measured, without it bit-slicing wins for weights with few set bits.
  // -1: automatic (0 with AVX-512, else 4); otherwise passed to flatten().
  int bitslice_pops = -1;
  bool avx512 = true;           // use the AVX-512 kernel when the CPU has it
  Device device = Device::cpu;  // see device.hpp: a device streams blocks and falls back to the CPU
  // Called once when a device error moves the rest of a run to the CPU (the message says why).
  std::function<void(const std::string&)> on_fallback = nullptr;
};

// Whether this CPU runs the AVX-512 kernel.
bool cpu_has_avx512();

// Bus values, values[port][sample]. A signed bus is sign-extended to int64, an unsigned one
// zero-extended (an unsigned 64-bit bus wraps into the int64 bit pattern).
using BusBatch = std::vector<std::vector<int64_t>>;

// The input ports of a network in simulation order: its input buses, then every primary input that
// belongs to no bus as a 1-bit unsigned port named after the input. Width = bits.size().
std::vector<Bus> input_ports(const Network& ntk);

// Truncates v to `width` bits and sign- or zero-extends it back (the value a bus of that width carries).
int64_t wrap_to_bus(int64_t v, size_t width, bool is_signed);

class BitSimulator {
 public:
  explicit BitSimulator(const Network& ntk, SimOptions options = {});
  ~BitSimulator();
  BitSimulator(BitSimulator&&) noexcept;

  const FlatNetwork& flat() const { return flat_; }
  const std::vector<Bus>& inputs() const { return inputs_; }
  const std::vector<Bus>& outputs() const { return outputs_; }

  // inputs[p][s] for every input port p (all of one length); returns outputs[bus][s] for the
  // network's output buses. Values outside a port's range are refused (std::invalid_argument).
  BusBatch run(const BusBatch& inputs) const;

  // Whether a device (device.hpp) evaluates the gates now, and what ran so far: the device, why it
  // is the CPU under Device::automatic, a fallback after a device error, samples on each side.
  // run() updates this record and may drop the device, so one simulator must not run() from two
  // threads at once when a device is in use.
  bool on_device() const { return device_ != nullptr; }
  const DeviceRun& device_run() const { return device_run_; }

 private:
  void check_inputs(const BusBatch& inputs) const;
  // Packs samples [s0, s0 + count) of the inputs into the input slots of a block of B words.
  void pack(const BusBatch& inputs, size_t s0, size_t count, uint64_t* values, uint32_t B) const;
  // Reads the output buses of samples [s0, s0 + count) back from an evaluated block; lits[bus][bit]
  // is the bit's slot in `values` << 1 | complement (output_slots_ for a whole block).
  void unpack(const uint64_t* values, uint32_t B, size_t s0, size_t count, BusBatch& out,
              const std::vector<std::vector<uint32_t>>& lits) const;
  // Samples [first, n) of the batch on the CPU threads.
  void run_cpu(const BusBatch& inputs, size_t first, BusBatch& out) const;
  // The device part (device.cpp): choose the device, stream a batch through it.
  void open_device_for(Device d);
  void run_device(const BusBatch& inputs, BusBatch& out) const;

  FlatNetwork flat_;
  std::vector<Bus> inputs_;
  std::vector<Bus> outputs_;
  std::vector<std::vector<uint32_t>> input_slots_;   // per port, per bit: value slot
  std::vector<std::vector<uint32_t>> output_slots_;  // per bus, per bit: slot << 1 | complement
  SimOptions options_;
  mutable std::unique_ptr<DeviceBackend> device_;      // null on the CPU, and after a fallback
  std::vector<uint32_t> device_wanted_;                // distinct output slots the device returns
  std::vector<std::vector<uint32_t>> device_lits_;     // per bus, per bit: index in device_wanted_ << 1 | complement
  mutable DeviceRun device_run_;
};

// Evaluates the gates of `flat` on one block: values holds num_slots x block_words words, slot-major
// (slot s occupies words [s * block_words, (s + 1) * block_words)); slot 0 and the input slots must be
// filled. Exposed for the benchmark and the CUDA backend's cross-checks.
void eval_block(const FlatNetwork& flat, uint64_t* values, uint32_t block_words, bool avx512 = true);

}  // namespace tc0::circuits::sim
