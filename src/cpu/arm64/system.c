/*
 * System instructions (Arm ARM C4.1.87, C5.3, C5.4): exception generation
 * (SVC, HVC, SMC, BRK, HLT), hints, barriers, CLREX, MSR (immediate), MRS and
 * MSR (register), ERET and DRPS. SYS (TLBI, IC, DC, AT) is in sys_ops.c.
 */
#include "cpu/arm64/a64_handlers.h"
#include "cpu/arm64/sysreg.h"

enum {
    EXC_OPC_CALL = 0,   /* LL 01 SVC, 10 HVC, 11 SMC */
    EXC_OPC_BRK = 1,
    EXC_OPC_HLT = 2,
    EXC_OPC_DCPS = 5,
};
enum { LL_SVC = 1, LL_HVC = 2, LL_SMC = 3 };


bool a64_valid_exc_gen(uint32_t insn)
{
    unsigned opc = BITS(insn, 23, 21), ll = BITS(insn, 1, 0);
    if (BITS(insn, 4, 2) != 0)
        return false;
    switch (opc) {
    case EXC_OPC_CALL:
    case EXC_OPC_DCPS: return ll != 0;
    case EXC_OPC_BRK:
    case EXC_OPC_HLT: return ll == 0;
    default: return false;
    }
}

a64_status a64_op_exc_gen(a64_cpu *cpu, uint32_t insn)
{
    unsigned opc = BITS(insn, 23, 21), ll = BITS(insn, 1, 0);
    uint32_t imm16 = BITS(insn, 20, 5);
    a64_status st;
    switch (opc) {
    case EXC_OPC_CALL:
        if (ll == LL_SVC) {
            st = a64_raise(cpu, insn, ESR_EC_SVC64, imm16);
        } else if (ll == LL_HVC) {
            /* UNDEFINED at EL0, or when HCR_EL2.HCD disables it (C6.2.104). */
            if (cpu->pstate.el == 0 || (cpu->sys.hcr_el2 & A64_HCR_EL2_HCD))
                return a64_undefined(cpu, insn);
            st = a64_raise(cpu, insn, ESR_EC_HVC64, imm16);
        } else {
            /* UNDEFINED at EL0. No EL3 is modelled: the record lets the
             * platform emulate firmware (PSCI over SMC) or treat it as
             * UNDEFINED (C6.2.243). */
            if (cpu->pstate.el == 0)
                return a64_undefined(cpu, insn);
            st = a64_raise(cpu, insn, ESR_EC_SMC64, imm16);
            /* HCR_EL2.TSC traps it to EL2 before anything else sees it; the preferred return is the
             * SMC itself (D1.10.1, AArch64.CheckForSMCUndefOrTrap). */
            if (a64_hcr_el2_traps(cpu, A64_HCR_EL2_TSC)) {
                cpu->exc.to_el2 = true;
                return st;
            }
        }
        /* The preferred return address of a system call is the next instruction (D1.10.1). */
        cpu->exc.preferred_return = cpu->pc + 4;
        return st;
    case EXC_OPC_BRK:
        return a64_raise(cpu, insn, ESR_EC_BRK64, imm16);
    case EXC_OPC_HLT:
        /* Halting debug is not modelled, so HLT is UNDEFINED (C6.2.105). A
         * semihosting platform recognises HLT #0xF000 in exc.insn. */
        return a64_undefined(cpu, insn);
    default:
        /* DCPS1-3 are UNDEFINED outside Debug state. */
        return a64_undefined(cpu, insn);
    }
}

enum { HINT_NOP = 0, HINT_YIELD = 1, HINT_WFE = 2, HINT_WFI = 3, HINT_SEV = 4, HINT_SEVL = 5 };

static uint32_t wfx_iss(bool wfe)
{
    return ESR_ISS_WFX_CV | (A64_COND_AL << ESR_ISS_WFX_COND_SHIFT) | (wfe ? ESR_ISS_WFX_TI_WFE : 0);
}

static a64_status wfx_trap_to_el2(a64_cpu *cpu, uint32_t insn, bool wfe)
{
    a64_status st = a64_raise(cpu, insn, ESR_EC_WFX, wfx_iss(wfe));
    cpu->exc.to_el2 = true;
    return st;
}

a64_status a64_op_hint(a64_cpu *cpu, uint32_t insn)
{
    switch (BITS(insn, 11, 5)) {
    case HINT_WFI:
        /* EL1's control first, then EL2's (AArch64.CheckForWFxTrap). */
        if (cpu->pstate.el == 0 && !(cpu->sys.sctlr_el1 & A64_SCTLR_NTWI))
            return a64_raise(cpu, insn, ESR_EC_WFX, wfx_iss(false));
        if (a64_hcr_el2_traps(cpu, A64_HCR_EL2_TWI))
            return wfx_trap_to_el2(cpu, insn, false);
        cpu->next_pc = cpu->pc + 4;
        return A64_WFI;
    case HINT_WFE:
        if (cpu->event_register) {
            cpu->event_register = false;
            return A64_OK;
        }
        if (cpu->pstate.el == 0 && !(cpu->sys.sctlr_el1 & A64_SCTLR_NTWE))
            return a64_raise(cpu, insn, ESR_EC_WFX, wfx_iss(true));
        if (a64_hcr_el2_traps(cpu, A64_HCR_EL2_TWE))
            return wfx_trap_to_el2(cpu, insn, true);
        cpu->next_pc = cpu->pc + 4;
        return A64_WFE;
    case HINT_SEV:
    case HINT_SEVL:
        /* One PE: a global event reaches this PE too (D1.6.1). */
        cpu->event_register = true;
        return A64_OK;
    default:
        /* NOP, YIELD, and every hint this PE does not implement (BTI, PACIASP,
         * ESB, CSDB, ...) execute as NOP: Arm ARM C6.2.93 "HINT". */
        return A64_OK;
    }
}

enum { BAR_CLREX = 2, BAR_DSB = 4, BAR_DMB = 5, BAR_ISB = 6 };

bool a64_valid_barrier(uint32_t insn)
{
    unsigned op2 = BITS(insn, 7, 5);
    return op2 == BAR_CLREX || op2 == BAR_DSB || op2 == BAR_DMB || op2 == BAR_ISB;
}

a64_status a64_op_barrier(a64_cpu *cpu, uint32_t insn)
{
    if (BITS(insn, 7, 5) == BAR_CLREX) {
        a64_clear_exclusive(cpu);
        return A64_OK;
    }
    /* DMB, DSB and ISB order and complete accesses and context changes. With
     * one PE that executes one instruction at a time, in order, with every
     * access complete before the next instruction and no speculation or
     * cached decode, every such ordering already holds: nothing to do. */
    return A64_OK;
}

/* MSR (immediate) PSTATE fields, by op1:op2 (C5.2, C6.2.194). */
#define PSTATE_FIELD(op1, op2) (((op1) << 3) | (op2))
enum {
    PF_UAO = PSTATE_FIELD(0, 3),
    PF_PAN = PSTATE_FIELD(0, 4),
    PF_SPSEL = PSTATE_FIELD(0, 5),
    PF_DAIFSET = PSTATE_FIELD(3, 6),
    PF_DAIFCLR = PSTATE_FIELD(3, 7),
};

bool a64_valid_msr_imm(uint32_t insn)
{
    unsigned f = PSTATE_FIELD(BITS(insn, 18, 16), BITS(insn, 7, 5));
    return f == PF_UAO || f == PF_PAN || f == PF_SPSEL || f == PF_DAIFSET || f == PF_DAIFCLR;
}

a64_status a64_op_msr_imm(a64_cpu *cpu, uint32_t insn)
{
    unsigned op1 = BITS(insn, 18, 16), op2 = BITS(insn, 7, 5), crm = BITS(insn, 11, 8);
    switch (PSTATE_FIELD(op1, op2)) {
    case PF_SPSEL:
        if (cpu->pstate.el == 0)
            return a64_undefined(cpu, insn);
        cpu->pstate.sp = crm & 1;
        a64_refresh_shortcuts(cpu);     /* the SP in use */
        return A64_OK;
    case PF_DAIFSET:
    case PF_DAIFCLR:
        if (cpu->pstate.el == 0 && !(cpu->sys.sctlr_el1 & A64_SCTLR_UMA))
            return a64_raise(cpu, insn, ESR_EC_SYSREG, esr_iss_sysreg(0, op1, 4, crm, op2, A64_REG_ZR, false));
        if (PSTATE_FIELD(op1, op2) == PF_DAIFSET)
            cpu->pstate.daif |= (uint8_t)crm;
        else
            cpu->pstate.daif &= (uint8_t)~crm;
        return A64_OK;
    default:
        /* PAN and UAO (Armv8.1/8.2) are not implemented on this PE. */
        return a64_undefined(cpu, insn);
    }
}

a64_status a64_op_msr_mrs(a64_cpu *cpu, uint32_t insn)
{
    return a64_sysreg_insn(cpu, insn);
}

a64_status a64_op_eret(a64_cpu *cpu, uint32_t insn)
{
    if (cpu->pstate.el == 0)
        return a64_undefined(cpu, insn);
    /* The entry code restores PSTATE from SPSR_ELx and PC from ELR_ELx and
     * makes the illegal-return checks (D1.11.4). */
    return A64_ERET;
}

a64_status a64_op_drps(a64_cpu *cpu, uint32_t insn)
{
    /* UNDEFINED outside Debug state, which is not modelled (C6.2.80). */
    return a64_undefined(cpu, insn);
}
