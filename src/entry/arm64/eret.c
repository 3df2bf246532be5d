/*
 * ERET (Arm ARM D1.11 "Exception return", pseudocode AArch64.ExceptionReturn
 * and IllegalExceptionReturn). The return is illegal when SPSR_ELx asks for
 * AArch32 (not implemented here), a reserved M[1] value, an EL above the
 * current one or one not implemented, EL0 with SP_ELx, or EL1/EL0 while
 * HCR_EL2.RW makes them AArch32. An illegal return
 * is not a fault: PSTATE.EL and SPSel stay, PSTATE.IL is set, the other
 * PSTATE fields still come from SPSR, and PC from ELR; the next instruction
 * then takes an Illegal Execution state exception (EC 0x0E).
 */
#include "entry/arm64/entry.h"

#include <stdio.h>
#include <string.h>

#include "cpu/arm64/debug.h"
#include "entry/arm64/record.h"

#define SPSR_M_NRW (1ull << 4)      /* 1: the return is to AArch32 */
#define SPSR_M_RESERVED (1ull << 1) /* M[1] is reserved in AArch64 */

static const char *illegal_reason(const a64_cpu *cpu, const a64_el_config *cfg, uint64_t spsr)
{
    unsigned target = (unsigned)((spsr >> A64_SPSR_M_EL_SHIFT) & 3);
    if (spsr & SPSR_M_NRW)
        return "SPSR.M[4] asks for AArch32, which is not implemented";
    if (spsr & SPSR_M_RESERVED)
        return "SPSR.M[1] is reserved";
    if (target > cpu->pstate.el)
        return "SPSR.M names a higher EL";
    if (target == 3 || (target == 2 && !cfg->el2))
        return "SPSR.M names an EL that is not implemented";
    if (target == 0 && (spsr & A64_SPSR_M_SP))
        return "SPSR.M names EL0 with SP_ELx";
    /* Below EL2 the register width is HCR_EL2.RW's: 0 makes EL1 (and EL0) AArch32, which an
     * AArch64 SPSR.M cannot return to (IllegalExceptionReturn). */
    if (target < 2 && cfg->el2 && !(cpu->sys.hcr_el2 & A64_HCR_EL2_RW))
        return "HCR_EL2.RW = 0 makes EL1 AArch32, which is not implemented";
    return NULL;
}

void a64_eret(a64_cpu *cpu, const a64_el_config *cfg, uint64_t cycle_start, uint32_t step_cost, emu_trap *rec)
{
    const unsigned el = cpu->pstate.el;
    const uint64_t spsr = el == 2 ? cpu->sys.spsr_el2 : cpu->sys.spsr_el1;
    const uint64_t elr = el == 2 ? cpu->sys.elr_el2 : cpu->sys.elr_el1;
    a64_record_begin(rec, EMU_TRAP_RETURN, cycle_start, cpu->pc, *a64_sp(cpu), el);
    rec->spsr = spsr;
    a64_record_step(rec, step_cost, el == 2 ? "read SPSR_EL2" : "read SPSR_EL1", 0, spsr);
    a64_record_step(rec, step_cost, el == 2 ? "read ELR_EL2" : "read ELR_EL1", 0, elr);

    const char *illegal = illegal_reason(cpu, cfg, spsr);
    a64_pstate ps = cpu->pstate;
    a64_pstate_from_spsr(&ps, spsr);
    if (illegal) {
        ps.el = cpu->pstate.el;
        ps.sp = cpu->pstate.sp;
        ps.il = 1;
        snprintf(rec->escalation, sizeof rec->escalation, "illegal exception return: %s", illegal);
        a64_record_step(rec, step_cost, "illegal return: keep EL and SPSel, set PSTATE.IL", 0, ps.el);
    } else {
        a64_record_step(rec, step_cost, "restore PSTATE from SPSR", 0, ps.el);
    }
    /* PSTATE.SS comes from SPSR only when software step is disabled here and enabled at the
     * destination (D2.12.5, DebugExceptionReturnSS). */
    ps.ss = a64_debug_return_ss(cpu, spsr, ps.el);
    cpu->pstate = ps;
    a64_clear_exclusive(cpu);
    cpu->pc = elr;
    a64_record_step(rec, step_cost, "branch to ELR", elr, 0);
    rec->to_pc = cpu->pc;
    rec->to_sp = *a64_sp(cpu);
    rec->to_priv = cpu->pstate.el;
    /* A copy, not a formatted print: this runs on every return. */
    static const char stack_names[][sizeof rec->stack] = { "SP_EL0", "SP_ELx" };
    memcpy(rec->stack, stack_names[cpu->pstate.sp && cpu->pstate.el], sizeof rec->stack);
}
