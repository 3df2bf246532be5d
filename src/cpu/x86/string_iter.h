/*
 * The iteration rules every string instruction shares (SDM vol. 2, REP/
 * REPE/REPNE and the MOVS/INS/OUTS pages): rSI, rDI and the rCX count at the
 * address size, a step of the element size (down when DF is set), and a
 * repeated instruction that commits its registers after every element so a
 * fault or a stop part-way leaves it restartable. Used by string.c and io.c.
 */
#ifndef EMU_CPU_X86_STRING_ITER_H
#define EMU_CPU_X86_STRING_ITER_H

#include "core/machine.h"
#include "cpu/x86/x86.h"

/* F3 and F2 both repeat MOVS/STOS/LODS/INS/OUTS; CMPS/SCAS tell them apart. */
static inline bool x86_string_repeated(const x86_insn *insn)
{
    return (insn->prefixes & (X86_PFX_REP | X86_PFX_REPNE)) != 0;
}

static inline uint64_t x86_string_reg(const x86_cpu *cpu, const x86_insn *insn, unsigned reg)
{
    return x86_reg_read(cpu, insn, reg, insn->addrsize);
}

static inline void x86_string_set_reg(x86_cpu *cpu, const x86_insn *insn, unsigned reg, uint64_t val)
{
    x86_reg_write(cpu, insn, reg, insn->addrsize, val);
}

static inline uint64_t x86_string_step(const x86_cpu *cpu, unsigned size)
{
    return (cpu->rflags & X86_FLAG_DF) ? (uint64_t)-(int64_t)size : size;
}

/*
 * After an element of a repeated instruction: count it, and report whether
 * to stop early (a stop was requested while elements remain; rIP stays on
 * the instruction, which resumes from the committed state).
 */
static inline bool x86_string_rep_pause(x86_cpu *cpu, const x86_insn *insn, uint64_t count)
{
    x86_string_set_reg(cpu, insn, X86_RCX, count - 1);
    return count - 1 != 0 && cpu->machine->stop_pending;
}

#endif
