/*
 * Stack-pointer arithmetic shared by the stack and near-branch handlers:
 * the stack is SS:rSP at the stack width (SS.B, or 64 bits in 64-bit mode;
 * SDM vol. 1, 6.2.3), and a handler reads and writes it at explicit
 * offsets so it can commit rSP only once everything has succeeded.
 */
#ifndef EMU_CPU_X86_STACK_H
#define EMU_CPU_X86_STACK_H

#include "cpu/x86/x86.h"

static inline uint64_t x86_stack_mask(const x86_cpu *cpu)
{
    return ~0ull >> (64 - 8 * cpu->stack_size);
}

/* Write rSP at the stack width: SP merges into RSP, ESP/RSP replace it. */
static inline void x86_set_sp(x86_cpu *cpu, uint64_t sp)
{
    uint64_t mask = x86_stack_mask(cpu);
    if (cpu->stack_size == 2)
        cpu->gpr[X86_RSP] = (cpu->gpr[X86_RSP] & ~mask) | (sp & mask);
    else
        cpu->gpr[X86_RSP] = sp & mask;
}

/* Stack access at SS:(sp truncated to the stack width). */
static inline X86_MUST_CHECK x86_status x86_stack_read(x86_cpu *cpu, uint64_t sp, unsigned size, uint64_t *val)
{
    return x86_seg_read(cpu, X86_SS, sp & x86_stack_mask(cpu), size, val);
}

static inline X86_MUST_CHECK x86_status x86_stack_write(x86_cpu *cpu, uint64_t sp, unsigned size, uint64_t val)
{
    return x86_seg_write(cpu, X86_SS, sp & x86_stack_mask(cpu), size, val);
}

#endif
