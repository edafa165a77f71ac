#pragma once
// The two builds of the kernels in kernels_impl.hpp (internal to circuits/sim; see program.hpp).
#include <cstdint>

#include "circuits/sim/program.hpp"

namespace tc0::circuits::sim {

void run_program_avx512(const Program& p, uint64_t* regs, uint32_t stride, KernelScratch& scratch);
void run_program_portable(const Program& p, uint64_t* regs, uint32_t stride, KernelScratch& scratch);

// Input packing: bit k of values[i] (i < count <= 64 stride) becomes bit i of register reg_of_bit[k]
// (registers of `stride` words; 0 = not read, skipped).
void pack_port_avx512(const int64_t* values, size_t count, const uint32_t* reg_of_bit, size_t bits, uint64_t* regs,
                      uint32_t stride);
void pack_port_portable(const int64_t* values, size_t count, const uint32_t* reg_of_bit, size_t bits, uint64_t* regs,
                        uint32_t stride);
// Output unpacking: values[i] gets bit k from bit i of literal lits[k] (register << 1 | complement),
// sign-extended from bit `bits - 1` when is_signed.
void unpack_bus_avx512(const uint64_t* regs, uint32_t stride, const uint32_t* lits, size_t bits, bool is_signed,
                       size_t count, int64_t* values);
void unpack_bus_portable(const uint64_t* regs, uint32_t stride, const uint32_t* lits, size_t bits, bool is_signed,
                         size_t count, int64_t* values);

}  // namespace tc0::circuits::sim
