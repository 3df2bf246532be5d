/*
 * String instructions (SDM vol. 2: MOVS, CMPS, STOS, LODS, SCAS, and REP/
 * REPE/REPNE). The source is seg:rSI (DS unless overridden), the
 * destination ES:rDI (never overridden); rSI, rDI and the rCX count are
 * used at the address size and step by the element size, down when DF is
 * set. A repeated instruction commits rSI/rDI/rCX (and the flags) after
 * every iteration, so a fault or a stop part-way leaves a state from which
 * re-executing the instruction finishes the job, as the SDM's REP
 * description requires.
 */
#include "core/machine.h"
#include "cpu/x86/alu.h"
#include "cpu/x86/handlers.h"
#include "cpu/x86/string_iter.h"

/* CMPS/SCAS: does REPE/REPNE end after this comparison? */
static inline bool compare_ends(x86_cpu *cpu, const x86_insn *insn)
{
    bool zf = (x86_rflags(cpu) & X86_FLAG_ZF) != 0;
    return (insn->prefixes & X86_PFX_REP) ? !zf : zf;
}

X86_HANDLER(x86_op_movs)
{
    const bool rep = x86_string_repeated(insn);
    const unsigned size = insn->opsize;
    const uint64_t step = x86_string_step(cpu, size);
    for (;;) {
        uint64_t count = 0;
        if (rep && (count = x86_string_reg(cpu, insn, X86_RCX)) == 0)
            return X86_OK;
        uint64_t si = x86_string_reg(cpu, insn, X86_RSI), di = x86_string_reg(cpu, insn, X86_RDI), val;
        x86_status st = x86_seg_read(cpu, insn->seg, si, size, &val);
        if (st == X86_OK)
            st = x86_seg_write(cpu, X86_ES, di, size, val);
        if (st != X86_OK)
            return st;
        x86_string_set_reg(cpu, insn, X86_RSI, si + step);
        x86_string_set_reg(cpu, insn, X86_RDI, di + step);
        if (!rep)
            return X86_OK;
        if (x86_string_rep_pause(cpu, insn, count, false, &st))
            return st;
    }
}

X86_HANDLER(x86_op_stos)
{
    const bool rep = x86_string_repeated(insn);
    const unsigned size = insn->opsize;
    const uint64_t step = x86_string_step(cpu, size);
    const uint64_t val = x86_reg_read(cpu, insn, X86_RAX, size);
    for (;;) {
        uint64_t count = 0;
        if (rep && (count = x86_string_reg(cpu, insn, X86_RCX)) == 0)
            return X86_OK;
        uint64_t di = x86_string_reg(cpu, insn, X86_RDI);
        x86_status st = x86_seg_write(cpu, X86_ES, di, size, val);
        if (st != X86_OK)
            return st;
        x86_string_set_reg(cpu, insn, X86_RDI, di + step);
        if (!rep)
            return X86_OK;
        if (x86_string_rep_pause(cpu, insn, count, false, &st))
            return st;
    }
}

X86_HANDLER(x86_op_lods)
{
    const bool rep = x86_string_repeated(insn);
    const unsigned size = insn->opsize;
    const uint64_t step = x86_string_step(cpu, size);
    for (;;) {
        uint64_t count = 0;
        if (rep && (count = x86_string_reg(cpu, insn, X86_RCX)) == 0)
            return X86_OK;
        uint64_t si = x86_string_reg(cpu, insn, X86_RSI), val;
        x86_status st = x86_seg_read(cpu, insn->seg, si, size, &val);
        if (st != X86_OK)
            return st;
        x86_reg_write(cpu, insn, X86_RAX, size, val);
        x86_string_set_reg(cpu, insn, X86_RSI, si + step);
        if (!rep)
            return X86_OK;
        if (x86_string_rep_pause(cpu, insn, count, false, &st))
            return st;
    }
}

X86_HANDLER(x86_op_cmps)
{
    const bool rep = x86_string_repeated(insn);
    const unsigned size = insn->opsize;
    const uint64_t step = x86_string_step(cpu, size);
    const uint64_t mask = x86_width_mask(size);
    for (;;) {
        uint64_t count = 0;
        if (rep && (count = x86_string_reg(cpu, insn, X86_RCX)) == 0)
            return X86_OK;
        uint64_t si = x86_string_reg(cpu, insn, X86_RSI), di = x86_string_reg(cpu, insn, X86_RDI), a, b;
        x86_status st = x86_seg_read(cpu, insn->seg, si, size, &a);
        if (st == X86_OK)
            st = x86_seg_read(cpu, X86_ES, di, size, &b);
        if (st != X86_OK)
            return st;
        x86_set_flags(cpu, X86_FLAGS_ARITH, x86_flags_sub(a, b, (a - b) & mask, size));
        x86_string_set_reg(cpu, insn, X86_RSI, si + step);
        x86_string_set_reg(cpu, insn, X86_RDI, di + step);
        if (!rep)
            return X86_OK;
        if (x86_string_rep_pause(cpu, insn, count, compare_ends(cpu, insn), &st))
            return st;
    }
}

X86_HANDLER(x86_op_scas)
{
    const bool rep = x86_string_repeated(insn);
    const unsigned size = insn->opsize;
    const uint64_t step = x86_string_step(cpu, size);
    const uint64_t mask = x86_width_mask(size);
    const uint64_t a = x86_reg_read(cpu, insn, X86_RAX, size);
    for (;;) {
        uint64_t count = 0;
        if (rep && (count = x86_string_reg(cpu, insn, X86_RCX)) == 0)
            return X86_OK;
        uint64_t di = x86_string_reg(cpu, insn, X86_RDI), b;
        x86_status st = x86_seg_read(cpu, X86_ES, di, size, &b);
        if (st != X86_OK)
            return st;
        x86_set_flags(cpu, X86_FLAGS_ARITH, x86_flags_sub(a, b, (a - b) & mask, size));
        x86_string_set_reg(cpu, insn, X86_RDI, di + step);
        if (!rep)
            return X86_OK;
        if (x86_string_rep_pause(cpu, insn, count, compare_ends(cpu, insn), &st))
            return st;
    }
}
