/*
 * One step of the A64 interpreter: PC alignment check, fetch through the
 * memory callback, decode, the CPACR_EL1.FPEN check for SIMD&FP encodings,
 * execute, and commit of the next PC. Synchronous exceptions are taken in
 * the Arm ARM's priority order (D1.13.2, "Synchronous exception
 * prioritization") for the ones modelled here: PC alignment, instruction
 * abort, Illegal Execution state, UNDEFINED, the FP access trap, then what
 * the instruction itself raises.
 */
#include "cpu/arm64/a64_handlers.h"
#include "cpu/arm64/debug.h"

static a64_status fetch(a64_cpu *cpu, uint32_t *insn)
{
    if (cpu->pc & 3) {
        a64_raise(cpu, 0, ESR_EC_PC_ALIGN, 0);
        cpu->exc.far_valid = true;
        cpu->exc.far = cpu->pc;
        return A64_EXCEPTION;
    }
    uint8_t b[4] = { 0 };
    a64_access acc = { .va = cpu->pc, .size = 4, .kind = A64_ACC_FETCH, .el = cpu->pstate.el };
    a64_mem_fault fault = { .far_valid = true, .far = cpu->pc };
    if (cpu->ops.access(cpu->ops.ctx, &acc, b, &fault) != A64_MEM_OK) {
        esr_ec ec = cpu->pstate.el == 0 ? ESR_EC_IABT_LOWER : ESR_EC_IABT_CUR;
        a64_raise(cpu, 0, ec, (fault.fsc & ESR_ISS_FSC_MASK) | (fault.s1ptw ? ESR_ISS_DABT_S1PTW : 0));
        cpu->exc.far_valid = true;
        cpu->exc.far = fault.far;
        cpu->exc.ipa = fault.ipa;
        return A64_EXCEPTION;
    }
    *insn = (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
    return A64_OK;
}

a64_status a64_step_insn(a64_cpu *cpu)
{
    uint32_t insn = 0;
    cpu->unsupported[0] = '\0';
    if (!cpu->ops.access)
        return a64_unsupported(cpu, 0, "a64_step without a memory interface (a64_ops.access)");
    a64_status st = fetch(cpu, &insn);
    if (st != A64_OK)
        return st;
    /* PSTATE.IL set by an illegal return: the instruction takes an Illegal
     * Execution state exception instead of executing (D1.11.5). */
    if (cpu->pstate.il)
        return a64_raise(cpu, insn, ESR_EC_ILLEGAL_STATE, 0);
    const a64_row *row = a64_lookup(insn);
    if (!row)
        return a64_undefined(cpu, insn);
    if (row->fp && a64_fp_access_trapped(cpu))
        return a64_raise(cpu, insn, ESR_EC_FP_ACCESS, ESR_ISS_FP_CV | (A64_COND_AL << ESR_ISS_FP_COND_SHIFT));
    if (!row->handler)
        return row->fp ? a64_simd_unsupported(cpu, insn, row->name) : a64_unsupported(cpu, insn, row->name);
    cpu->next_pc = cpu->pc + 4;
    st = row->handler(cpu, insn);
    if (st == A64_OK || st == A64_WFI || st == A64_WFE) {
        cpu->pc = cpu->next_pc;
        cpu->insns_retired++;
    }
    return st;
}

/* Self-hosted debug (debug.c) only while a breakpoint, watchpoint or software step is armed. */
a64_status a64_step(a64_cpu *cpu)
{
    if (cpu->debug_attention)
        return a64_debug_step(cpu);
    return a64_step_insn(cpu);
}
