#pragma once
// The CPU simulator's execution plan: a threshold network compiled into a straight-line program of
// word-wide kernels over a small register file (design and measurements in circuits/README.md).
//
// Every gate is evaluated by the cheapest of four kernels (the cost model, build_program):
//   lut3   a gate of at most 3 fan-ins: its truth table is one vpternlogq (any Boolean function of 3)
//   and_n  AND / OR gates of more fan-ins: one ternary op per fan-in (OR = complement of an AND)
//   tree   the exact sum of a fan-in list as a bit-sliced carry-save counter: every non-zero digit of
//          the weight's non-adjacent form (w = sum of +-2^p, on average a third of the bits) adds the
//          fan-in at column p, three entries of a column become a full adder (two ternary ops) — the
//          AND/XOR lowering ABC sees, evaluated 512 samples per instruction; then one borrow chain per
//          gate against its theta. Exact for every weight width (up to the Network's 2^126).
//   lanes  the sum of a fan-in list in int64 lanes, one per sample (AVX-512 masked adds), compared with
//          each gate's theta; kept for lists whose weights have so many non-zero digits that the
//          counter costs more.
// Gates that share a fan-in list (a linear form's thermometer gates) are one tree or lanes instruction
// with one output per gate: the sum is computed once per block.
//
// Registers hold values only while they are live: a gate's register is freed after its last reader
// (registers are reused last-freed-first, so the working set stays in cache), so the register file is
// bounded by the widest cut of the program order (creation order, which is topological), not by the
// circuit. Register 0 is the constant 0.
#include <cstdint>
#include <span>
#include <vector>

#include "circuits/network.hpp"
#include "circuits/sim/flat.hpp"

namespace tc0::circuits::sim {

enum class OpKind : uint8_t { lut3, and_n, tree, lanes };
inline constexpr int kNumOpKinds = 4;
const char* op_kind_name(OpKind k);

// Which kernels build_program may use: `automatic` is the cost model; `tree` and `lanes` force every
// gate onto one sum kernel (lanes only where the sum fits int64; wider gates always take the tree),
// so tests can compare each kernel with the reference on every gate.
enum class KernelPolicy : uint8_t { automatic, tree, lanes };

struct Instr {
  OpKind kind;
  uint8_t imm = 0;          // lut3: truth table, bit (a << 2 | b << 1 | c) = f(a, b, c)
  uint8_t wide = 0;         // tree: weights in Program::wide_weights, else Program::weights
  uint8_t columns = 0;      // tree: bits of the largest digit sum
  uint32_t num_args = 0;     // lut3: 3 registers; and_n: literals; tree / lanes: the fan-in list's literals
  uint32_t num_outs = 0;     // output registers; tree / lanes: one per gate, with its theta
  uint64_t arg_begin = 0;    // into args
  uint64_t weight_begin = 0; // tree / lanes: into weights, or wide_weights when `wide`
  uint64_t out_begin = 0;    // into outs and thetas
};

struct Program {
  uint32_t num_registers = 1;  // per-thread register file, register 0 = constant 0
  std::vector<Instr> code;
  std::vector<uint32_t> args;        // lut3: registers; otherwise register << 1 | complement
  std::vector<int64_t> weights;      // narrow tree and lanes lists, one per argument
  std::vector<Weight> wide_weights;  // wide tree lists (sums that may exceed int64), one per argument
  std::vector<uint32_t> outs;        // output registers
  std::vector<Weight> thetas;        // parallel to outs (tree: theta plus the negative digits' offset)
  // Per primary input (creation order): its register, 0 when nothing reads it.
  std::vector<uint32_t> input_registers;
  // Per requested output literal: register << 1 | complement (register 0 for constants).
  std::vector<uint32_t> output_literals;
  uint64_t gates_per_kind[kNumOpKinds] = {0, 0, 0, 0};
  uint64_t edges_per_kind[kNumOpKinds] = {0, 0, 0, 0};

  uint64_t memory_bytes() const;
};

// Compiles a network; `outputs` are the literals (Signal::data) whose values the caller reads back.
Program build_program(const Network& ntk, std::span<const uint32_t> outputs, KernelPolicy policy = KernelPolicy::automatic);
// The same for the flat form (node = slot); used to cross-check the CUDA backend's slot layout.
Program build_program(const FlatNetwork& flat, std::span<const uint32_t> outputs, KernelPolicy policy = KernelPolicy::automatic);

// Scratch memory of one thread (counter columns, lane accumulators); sized on first use.
struct KernelScratch {
  std::vector<uint64_t> words;
  std::vector<int64_t> lanes;
};

// Runs the program on one block: regs holds num_registers x stride words (register r at words
// [r * stride, (r + 1) * stride)), stride a multiple of 8; register 0 must be zero and the input
// registers filled. avx512 selects the AVX-512 kernels (the caller checks the CPU has them).
void run_program(const Program& p, uint64_t* regs, uint32_t stride, KernelScratch& scratch, bool avx512);

}  // namespace tc0::circuits::sim
