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
 * After an element of a repeated instruction: count it, and say whether the
 * instruction ends here, with *st its outcome. It ends after the last
 * element (the count reaches zero, or `last`: a REPE/REPNE comparison
 * decided) with X86_OK; while elements remain, after an element that met a
 * data or I/O breakpoint with the #DB trap (SDM vol. 3, 18.3.1.2), or when a
 * stop was requested with X86_STOP. In those two cases rIP stays on the
 * instruction, which resumes from the committed state.
 */
static inline bool x86_string_rep_pause(x86_cpu *cpu, const x86_insn *insn, uint64_t count, bool last,
                                        x86_status *st)
{
    x86_string_set_reg(cpu, insn, X86_RCX, count - 1);
    if (count - 1 == 0 || last) {
        *st = X86_OK;
        return true;
    }
    if (X86_UNLIKELY(cpu->dr_hits)) {
        *st = x86_debug_string_trap(cpu);
        return true;
    }
    if (cpu->machine->stop_pending) {
        *st = X86_STOP;
        return true;
    }
    return false;
}

#endif
