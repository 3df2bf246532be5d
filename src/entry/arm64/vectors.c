/*
 * Exception entry in AArch64 (Arm ARM D1.10 "Exception entry" and the
 * pseudocode AArch64.TakeException): choose the target EL and the vector
 * slot, save PSTATE to SPSR_ELx and the preferred return address to ELR_ELx,
 * write the syndrome (ESR_ELx) and fault address (FAR_ELx), then enter the
 * target EL with DAIF masked on SP_ELx at VBAR_ELx + offset.
 */
#include "entry/arm64/entry.h"

#include <stdio.h>
#include <string.h>

#include "entry/arm64/record.h"

uint32_t a64_vector_offset(unsigned from_el, unsigned from_sp, unsigned target_el, a64_exc_type type)
{
    uint32_t group;
    if (target_el > from_el)
        group = A64_VECTOR_LOWER_A64;   /* no AArch32 here: the lower EL is always AArch64 */
    else
        group = from_sp ? A64_VECTOR_CUR_SPX : A64_VECTOR_CUR_SP0;
    return group + (uint32_t)type * A64_VECTOR_SLOT_BYTES;
}

const char *a64_vector_slot_name(uint32_t offset)
{
    static const char *const names[16] = {
        "current EL with SP_EL0, synchronous", "current EL with SP_EL0, IRQ",
        "current EL with SP_EL0, FIQ", "current EL with SP_EL0, SError",
        "current EL with SP_ELx, synchronous", "current EL with SP_ELx, IRQ",
        "current EL with SP_ELx, FIQ", "current EL with SP_ELx, SError",
        "lower EL AArch64, synchronous", "lower EL AArch64, IRQ",
        "lower EL AArch64, FIQ", "lower EL AArch64, SError",
        "lower EL AArch32, synchronous", "lower EL AArch32, IRQ",
        "lower EL AArch32, FIQ", "lower EL AArch32, SError",
    };
    return names[(offset / A64_VECTOR_SLOT_BYTES) & 15];
}

unsigned a64_sync_target_el(const a64_cpu *cpu, const a64_el_config *cfg, const a64_exception *exc)
{
    unsigned el = cpu->pstate.el;
    /* An exception is never taken to a lower EL (D1.10.1); EL2 code keeps its exceptions. */
    if (el >= 2)
        return 2;
    /* HVC targets EL2 when it exists (the interpreter raises it UNDEFINED otherwise). */
    if (exc->ec == ESR_EC_HVC64 && cfg->el2)
        return 2;
    return 1;
}

/* The EL-banked registers an exception to `el` writes. */
typedef struct el_regs {
    uint64_t *spsr, *elr, *esr, *far, *vbar;
    const char *spsr_name, *elr_name, *esr_name, *far_name, *vbar_name;
} el_regs;

static el_regs regs_for(a64_cpu *cpu, unsigned el)
{
    if (el == 2)
        return (el_regs){ &cpu->sys.spsr_el2, &cpu->sys.elr_el2, &cpu->sys.esr_el2, &cpu->sys.far_el2,
                          &cpu->sys.vbar_el2, "write SPSR_EL2", "write ELR_EL2", "write ESR_EL2",
                          "write FAR_EL2", "read VBAR_EL2" };
    return (el_regs){ &cpu->sys.spsr_el1, &cpu->sys.elr_el1, &cpu->sys.esr_el1, &cpu->sys.far_el1,
                      &cpu->sys.vbar_el1, "write SPSR_EL1", "write ELR_EL1", "write ESR_EL1", "write FAR_EL1",
                      "read VBAR_EL1" };
}

/* The class seen from the target EL: an abort from a lower EL is "lower", from the same EL "current". */
static esr_ec class_for_target(esr_ec ec, unsigned from_el, unsigned target_el)
{
    bool lower = target_el > from_el;
    switch (ec) {
    case ESR_EC_IABT_LOWER: case ESR_EC_IABT_CUR:
        return lower ? ESR_EC_IABT_LOWER : ESR_EC_IABT_CUR;
    case ESR_EC_DABT_LOWER: case ESR_EC_DABT_CUR:
        return lower ? ESR_EC_DABT_LOWER : ESR_EC_DABT_CUR;
    case ESR_EC_BREAKPT_LOWER: case ESR_EC_BREAKPT_CUR:
        return lower ? ESR_EC_BREAKPT_LOWER : ESR_EC_BREAKPT_CUR;
    case ESR_EC_SOFTSTP_LOWER: case ESR_EC_SOFTSTP_CUR:
        return lower ? ESR_EC_SOFTSTP_LOWER : ESR_EC_SOFTSTP_CUR;
    case ESR_EC_WATCHPT_LOWER: case ESR_EC_WATCHPT_CUR:
        return lower ? ESR_EC_WATCHPT_LOWER : ESR_EC_WATCHPT_CUR;
    default:
        return ec;
    }
}

static bool writes_far(esr_ec ec)
{
    switch (ec) {
    case ESR_EC_IABT_LOWER: case ESR_EC_IABT_CUR: case ESR_EC_DABT_LOWER: case ESR_EC_DABT_CUR:
    case ESR_EC_PC_ALIGN: case ESR_EC_WATCHPT_LOWER: case ESR_EC_WATCHPT_CUR:
        return true;
    default:
        return false;
    }
}

static emu_trap_kind record_kind(a64_exc_type type, esr_ec ec)
{
    if (type == A64_EXC_IRQ || type == A64_EXC_FIQ)
        return EMU_TRAP_INTERRUPT;
    if (type == A64_EXC_SERROR)
        return EMU_TRAP_ABORT;
    switch (ec) {
    case ESR_EC_SVC64: case ESR_EC_HVC64: case ESR_EC_SMC64:
        return EMU_TRAP_SYSCALL;
    case ESR_EC_BRK64:
        return EMU_TRAP_SOFTWARE;
    case ESR_EC_SOFTSTP_LOWER: case ESR_EC_SOFTSTP_CUR: case ESR_EC_WATCHPT_LOWER: case ESR_EC_WATCHPT_CUR:
        return EMU_TRAP_TRAP;
    default:
        return EMU_TRAP_FAULT;
    }
}

void a64_take_exception(a64_cpu *cpu, const a64_exception *exc, a64_exc_type type, unsigned target_el,
                        uint64_t cycle_start, uint32_t step_cost, emu_trap *rec)
{
    const unsigned from_el = cpu->pstate.el;
    const uint32_t offset = a64_vector_offset(from_el, cpu->pstate.sp, target_el, type);
    const bool sync = type == A64_EXC_SYNC;
    const esr_ec ec = sync ? class_for_target(exc->ec, from_el, target_el) : ESR_EC_UNKNOWN;
    el_regs r = regs_for(cpu, target_el);

    a64_record_begin(rec, record_kind(type, ec), cycle_start, cpu->pc, *a64_sp(cpu), from_el);
    rec->vector = (int)(offset / A64_VECTOR_SLOT_BYTES);
    a64_record_step(rec, step_cost, "select vector slot", offset, (uint64_t)type);

    /* SPSR_ELx: PSTATE as it was (D1.10.3); ELR_ELx: the preferred return address (D1.10.1). */
    uint64_t spsr = a64_pstate_to_spsr(&cpu->pstate);
    *r.spsr = spsr;
    rec->spsr = spsr;
    a64_record_step(rec, step_cost, r.spsr_name, 0, spsr);
    uint64_t elr = sync ? exc->preferred_return : cpu->pc;
    *r.elr = elr;
    a64_record_step(rec, step_cost, r.elr_name, 0, elr);
    rec->from_pc = elr;

    /* ESR_ELx for synchronous exceptions and SError; IRQ and FIQ leave it alone (D17.2.37). */
    if (sync) {
        uint32_t esr = esr_value(ec, exc->il, exc->iss);
        *r.esr = esr;
        rec->esr = esr;
        rec->has_error_code = true;
        rec->error_code = esr;
        a64_record_step(rec, step_cost, r.esr_name, 0, esr);
        if (writes_far(ec)) {
            /* FAR is UNKNOWN when the syndrome says FnV; emu writes 0 then, deterministically. */
            uint64_t far = exc->far_valid ? exc->far : 0;
            *r.far = far;
            rec->far = far;
            rec->far_valid = exc->far_valid;
            a64_record_step(rec, step_cost, r.far_name, 0, far);
        }
    }

    /* PSTATE on entry: all of D, A, I, F masked, SP_ELx, the target EL, IL and SS clear (D1.10.4). */
    cpu->pstate.daif = A64_DAIF_D | A64_DAIF_A | A64_DAIF_I | A64_DAIF_F;
    a64_record_step(rec, step_cost, "mask DAIF", 0, cpu->pstate.daif);
    cpu->pstate.el = (uint8_t)target_el;
    cpu->pstate.sp = 1;
    cpu->pstate.il = 0;
    cpu->pstate.ss = 0;
    a64_record_step(rec, step_cost, target_el == 2 ? "select EL2 and SP_EL2" : "select EL1 and SP_EL1", 0,
                    target_el);
    a64_clear_exclusive(cpu);

    uint64_t vbar = *r.vbar & ~A64_VBAR_RES0_MASK;
    rec->vbar = vbar;
    a64_record_step(rec, step_cost, r.vbar_name, 0, vbar);
    cpu->pc = vbar + offset;
    a64_record_step(rec, step_cost, "branch to vector", cpu->pc, offset);

    rec->to_pc = cpu->pc;
    rec->to_sp = *a64_sp(cpu);
    rec->to_priv = target_el;
    snprintf(rec->stack, sizeof rec->stack, "SP_EL%u", target_el);
}
