/*
 * NOPs and hints, UD0/UD1/UD2, fences and cache-line flushes (0F AE), the
 * 0F C7 group, and the software interrupts INT n, INT3, INTO and INT1,
 * which raise their vector as a trap: the instruction retires first, so
 * delivery saves the address of the next one (SDM vol. 3, 6.5 and 6.4.2).
 */
#include "cpu/x86/cpu_features.h"
#include "cpu/x86/fpu_sse.h"
#include "cpu/x86/handlers.h"
#include "mmu/x86_paging.h"

/* CPUID bits of the 0F C7 register forms (SDM vol. 2, RDRAND, RDSEED, RDPID). */
#define FEAT_RDRAND X86_FW_1_ECX, 30
#define FEAT_RDSEED X86_FW_7_EBX, 18
#define FEAT_RDPID  X86_FW_7_ECX, 22

X86_HANDLER(x86_op_nop)
{
    return X86_OK;
}

X86_HANDLER(x86_op_ud)
{
    return x86_ud(cpu);
}

X86_HANDLER(x86_op_unsupported)
{
    return x86_unsupported(cpu, insn, insn->mnemonic);
}

/* RDFSBASE/RDGSBASE/WRFSBASE/WRGSBASE (F3 0F AE /0-/3, 64-bit mode). */
static x86_status fsgsbase(x86_cpu *cpu, const x86_insn *insn)
{
    if (!x86_cpu_has(&cpu->config, X86_FEAT_FSGSBASE) || !(cpu->cr4 & X86_CR4_FSGSBASE))
        return x86_ud(cpu);
    unsigned reg = insn->reg & 7;
    x86_segment *s = &cpu->seg[(reg & 1) ? X86_GS : X86_FS];
    unsigned size = insn->opsize == 8 ? 8 : 4;
    if (reg < 2) {
        x86_reg_write(cpu, insn, insn->rm, size, s->base);
        return X86_OK;
    }
    uint64_t base = x86_reg_read(cpu, insn, insn->rm, size);
    if (!x86_canonical(base))
        return x86_gp0(cpu);
    s->base = base;
    return X86_OK;
}

/* CLFLUSH/CLFLUSHOPT/CLWB: no caches are modelled, but the access is checked like a byte read. */
static x86_status flush_line(x86_cpu *cpu, const x86_insn *insn)
{
    if (!x86_cpu_has(&cpu->config, X86_FEAT_CLFLUSH))
        return x86_ud(cpu);
    uint64_t ignored;
    return x86_seg_read(cpu, insn->seg, x86_effective_address(cpu, insn), 1, &ignored);
}

X86_HANDLER(x86_op_grp15)
{
    unsigned reg = insn->reg & 7;
    bool rep = (insn->prefixes & X86_PFX_REP) != 0;
    bool opsize = (insn->prefixes & X86_PFX_OPSIZE) != 0;
    if (insn->mod == 3) {
        if (rep && reg <= 3)
            return fsgsbase(cpu, insn);
        /* LFENCE, MFENCE, SFENCE: one CPU executing in order has nothing to wait for. */
        if (!rep && reg >= 5) {
            if (!x86_cpu_has(&cpu->config, X86_FEAT_SSE2))
                return x86_ud(cpu);
            return X86_OK;
        }
    } else if (reg == 7 || (reg == 6 && opsize)) {
        return flush_line(cpu, insn);
    } else if (!rep) {
        return x86_fp_state_group15(cpu, insn);     /* FXSAVE ... XSAVEOPT */
    }
    return x86_unsupported(cpu, insn, insn->mnemonic);
}

X86_HANDLER(x86_op_grp9)
{
    unsigned reg = insn->reg & 7;
    if (insn->mod != 3) {
        if (reg == 1)
            return x86_op_cmpxchg8b16b(cpu, insn);
        if (reg >= 3 && reg <= 5)
            return x86_fp_state_group9(cpu, insn);  /* XRSTORS, XSAVEC, XSAVES */
        return x86_unsupported(cpu, insn, insn->mnemonic);
    }
    /* No CPU model emu offers reports these; without the CPUID bit they are #UD. */
    bool rep = (insn->prefixes & X86_PFX_REP) != 0;
    bool present = reg == 6 ? x86_cpu_has(&cpu->config, FEAT_RDRAND)
                 : rep ? x86_cpu_has(&cpu->config, FEAT_RDPID)
                 : x86_cpu_has(&cpu->config, FEAT_RDSEED);
    if (!present)
        return x86_ud(cpu);
    return x86_unsupported(cpu, insn, insn->mnemonic);
}

/* A software-raised event: the instruction retires, delivery checks the gate's DPL. */
static x86_status software_trap(x86_cpu *cpu, uint8_t vector)
{
    x86_status st = x86_raise(cpu, vector, X86_EVENT_TRAP);
    cpu->fault.software = true;
    return st;
}

X86_HANDLER(x86_op_int3)
{
    return software_trap(cpu, X86_VEC_BP);
}

X86_HANDLER(x86_op_int_imm)
{
    return software_trap(cpu, (uint8_t)insn->imm);
}

X86_HANDLER(x86_op_into)
{
    if (!(x86_rflags(cpu) & X86_FLAG_OF))
        return X86_OK;
    return software_trap(cpu, X86_VEC_OF);
}

X86_HANDLER(x86_op_int1)
{
    /* INT1 (ICEBP) is a trap-class #DB without the software-interrupt DPL check (SDM vol. 3, 6.4.2). */
    return x86_raise(cpu, X86_VEC_DB, X86_EVENT_TRAP);
}
