#pragma once
// Bit-parallel, multi-threaded CPU evaluator of a threshold network (design in circuits/README.md).
//
// The network is compiled once into a register program (program.hpp: a kernel per gate class,
// chosen by a cost model, values kept only while live). Samples are packed 64 to a machine word and
// processed in blocks of block_words words (64 x block_words samples); each thread owns one register
// file of num_registers x block words, bounded by the widest cut of the circuit, not by its size
// nor the batch. Every sample is computed independently of the others, so the bits do not depend
// on the thread count, the block size or the kernels.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "circuits/network.hpp"
#include "circuits/sim/device.hpp"
#include "circuits/sim/flat.hpp"
#include "circuits/sim/program.hpp"

namespace tc0::circuits::sim {

struct SimOptions {
  int threads = 0;              // 0: OpenMP's default
  // Words of 64 samples per block, 1..64 (registers are rounded up to 8 words); 0: the largest of
  // 64, 32, 16, 8 whose register file stays within 256 MiB per thread (larger blocks spread the
  // kernels' control over more samples: measured in circuits/README.md).
  uint32_t block_words = 0;
  KernelPolicy kernels = KernelPolicy::automatic;  // the cost model, or one sum kernel for every gate (tests)
  bool avx512 = true;           // use the AVX-512 kernels when the CPU has them
  Device device = Device::cpu;  // see device.hpp: a device streams blocks and falls back to the CPU
  // Called once when a device error moves the rest of a run to the CPU (the message says why).
  std::function<void(const std::string&)> on_fallback = nullptr;
};

// Whether this CPU runs the AVX-512 kernel.
bool cpu_has_avx512();

// Bus values, values[port][sample]. A signed bus is sign-extended to int64, an unsigned one
// zero-extended (an unsigned 64-bit bus wraps into the int64 bit pattern).
using BusBatch = std::vector<std::vector<int64_t>>;
// Bit-sliced samples: one vector of (samples + 63) / 64 words per bit (BitSimulator::run_bits).
using BitBatch = std::vector<std::vector<uint64_t>>;

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

  // The CPU program (also built when a device evaluates: a device error falls back to it).
  const Program& program() const { return program_; }
  // Words of 64 samples per block, and each CPU thread's register file in bytes.
  uint32_t block_words() const { return block_words_; }
  uint64_t register_file_bytes() const;
  const std::vector<Bus>& inputs() const { return inputs_; }
  const std::vector<Bus>& outputs() const { return outputs_; }

  // inputs[p][s] for every input port p (all of one length); returns outputs[bus][s] for the
  // network's output buses. Values outside a port's range are refused (std::invalid_argument).
  BusBatch run(const BusBatch& inputs) const;

  // The same on bit-sliced batches, for circuits with thousands of input bits (a module cut out of
  // a sampler), where one int64 per bit and sample would be 64 times the data: bits[k][w] holds bit
  // k of samples 64 w .. 64 w + 63, for every input bit in port order (port 0 bit 0, port 0 bit 1,
  // ..., port 1 bit 0, ...); the result lists the output buses' bits the same way. CPU only.
  BitBatch run_bits(const BitBatch& input_bits, size_t samples) const;

  // Whether a device (device.hpp) evaluates the gates now, and what ran so far: the device, why it
  // is the CPU under Device::automatic, a fallback after a device error, samples on each side.
  // run() updates this record and may drop the device, so one simulator must not run() from two
  // threads at once when a device is in use.
  bool on_device() const { return device_ != nullptr; }
  const DeviceRun& device_run() const { return device_run_; }

 private:
  void check_inputs(const BusBatch& inputs) const;
  // CPU: packs samples [s0, s0 + count) of the inputs into their registers (stride words each), and
  // reads the output buses back from an evaluated block.
  void pack(const BusBatch& inputs, size_t s0, size_t count, uint64_t* regs, uint32_t stride) const;
  void unpack(const uint64_t* regs, uint32_t stride, size_t s0, size_t count, BusBatch& out) const;
  // Samples [first, n) of the batch on the CPU threads.
  void run_cpu(const BusBatch& inputs, size_t first, BusBatch& out) const;
  // Device (device.cpp): the flat form's slots instead of registers. pack_slots fills the input
  // slots of a block of B words; unpack_slots reads the output buses, lits[bus][bit] being the
  // bit's slot in `values` << 1 | complement.
  void pack_slots(const BusBatch& inputs, size_t s0, size_t count, uint64_t* values, uint32_t B) const;
  void unpack_slots(const uint64_t* values, uint32_t B, size_t s0, size_t count, BusBatch& out,
                    const std::vector<std::vector<uint32_t>>& lits) const;
  void open_device_for(const Network& ntk, Device d);
  void run_device(const BusBatch& inputs, BusBatch& out) const;

  Program program_;
  std::vector<Bus> inputs_;
  std::vector<Bus> outputs_;
  std::vector<std::vector<uint32_t>> input_regs_;   // per port, per bit: register (0: never read)
  std::vector<std::vector<uint32_t>> output_lits_;  // per bus, per bit: register << 1 | complement
  bool avx512_ = false;
  uint32_t block_words_ = 0;
  SimOptions options_;
  // The device side: the flat form, its input slots and output literals (empty on the CPU).
  FlatNetwork flat_;
  std::vector<std::vector<uint32_t>> input_slots_;   // per port, per bit: flat slot
  std::vector<std::vector<uint32_t>> output_slots_;  // per bus, per bit: flat slot << 1 | complement
  mutable std::unique_ptr<DeviceBackend> device_;      // null on the CPU, and after a fallback
  std::vector<uint32_t> device_wanted_;                // distinct output slots the device returns
  std::vector<std::vector<uint32_t>> device_lits_;     // per bus, per bit: index in device_wanted_ << 1 | complement
  mutable DeviceRun device_run_;
};

// Evaluates the gates of `flat` on one block: values holds num_slots x block_words words, slot-major
// (slot s occupies words [s * block_words, (s + 1) * block_words)); slot 0 and the input slots must be
// filled, and every gate slot is written. The CUDA backend's cross-checks use it (it runs the CPU
// program of `flat` with every gate as an output).
void eval_block(const FlatNetwork& flat, uint64_t* values, uint32_t block_words, bool avx512 = true);

}  // namespace tc0::circuits::sim
