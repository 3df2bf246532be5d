/*
 * AArch64 trap records narrated in plain English: the exception class from
 * ESR_ELx (Arm ARM D17.2.37), the vector slot, then one sentence per step of
 * AArch64.TakeException or ERET (D1.10, D1.11), then where execution goes on.
 * Every sentence is built from the record's fields and its steps.
 */
#include <string.h>

#include "cpu/arm64/esr.h"
#include "trace/explain.h"

static const char *const slot_names[16] = {
    "current EL with SP_EL0, synchronous", "current EL with SP_EL0, IRQ",
    "current EL with SP_EL0, FIQ", "current EL with SP_EL0, SError",
    "current EL with SP_ELx, synchronous", "current EL with SP_ELx, IRQ",
    "current EL with SP_ELx, FIQ", "current EL with SP_ELx, SError",
    "lower EL using AArch64, synchronous", "lower EL using AArch64, IRQ",
    "lower EL using AArch64, FIQ", "lower EL using AArch64, SError",
    "lower EL using AArch32, synchronous", "lower EL using AArch32, IRQ",
    "lower EL using AArch32, FIQ", "lower EL using AArch32, SError",
};

/* What an exception class means, in a phrase. */
static const char *class_phrase(unsigned ec)
{
    switch (ec) {
    case ESR_EC_UNKNOWN: return "an unknown reason: an UNDEFINED or unallocated instruction";
    case ESR_EC_WFX: return "a trapped WFI or WFE";
    case ESR_EC_FP_ACCESS: return "an FP/Advanced SIMD access trapped by CPACR_EL1.FPEN";
    case ESR_EC_ILLEGAL_STATE: return "an illegal execution state (PSTATE.IL set by an illegal return)";
    case ESR_EC_SVC64: return "an SVC, a system call";
    case ESR_EC_HVC64: return "an HVC, a hypervisor call";
    case ESR_EC_SMC64: return "an SMC, a secure monitor call";
    case ESR_EC_SYSREG: return "a trapped MSR, MRS or system instruction";
    case ESR_EC_IABT_LOWER: return "an instruction abort from a lower EL";
    case ESR_EC_IABT_CUR: return "an instruction abort at the same EL";
    case ESR_EC_PC_ALIGN: return "a PC alignment fault";
    case ESR_EC_DABT_LOWER: return "a data abort from a lower EL";
    case ESR_EC_DABT_CUR: return "a data abort at the same EL";
    case ESR_EC_SP_ALIGN: return "an SP alignment fault";
    case ESR_EC_SERROR: return "an SError";
    case ESR_EC_BREAKPT_LOWER: case ESR_EC_BREAKPT_CUR: return "a hardware breakpoint";
    case ESR_EC_SOFTSTP_LOWER: case ESR_EC_SOFTSTP_CUR: return "a software step";
    case ESR_EC_WATCHPT_LOWER: case ESR_EC_WATCHPT_CUR: return "a watchpoint";
    case ESR_EC_BRK64: return "a BRK instruction";
    default: return "an exception class emu does not describe";
    }
}

/* The fault status code of an abort or alignment fault, in words (D17.2.37, DFSC/IFSC). */
static void fsc_phrase(out_buf *o, unsigned fsc)
{
    static const char *const kinds[4] = { "address size fault", "translation fault", "access flag fault",
                                          "permission fault" };
    if (fsc < 0x10)
        out_put(o, "%s at level %u", kinds[fsc >> 2], fsc & 3);
    else if (fsc == ESR_FSC_SYNC_EXTERNAL)
        out_put(o, "synchronous external abort: no memory or device at that address");
    else if (fsc == ESR_FSC_ALIGNMENT)
        out_put(o, "alignment fault");
    else
        out_put(o, "fault status 0x%x", fsc);
}

static void intro(narration *n)
{
    const emu_trap *t = n->t;
    out_put(&n->o, "Trap %llu: ", (unsigned long long)t->seq);
    if (t->kind == EMU_TRAP_RETURN) {
        out_put(&n->o, "ERET at EL%u at pc 0x%llx returns to EL%u.", t->from_priv, (unsigned long long)t->from_pc,
                t->to_priv);
        if (t->escalation[0])
            out_put(&n->o, " It is an %s, so PSTATE.IL is set and the next instruction takes an Illegal "
                    "Execution state exception (D1.11.4).", t->escalation);
        return;
    }
    const char *slot = t->vector >= 0 && t->vector < 16 ? slot_names[t->vector] : "an unknown slot";
    if (t->kind == EMU_TRAP_INTERRUPT) {
        out_put(&n->o, "%s from %s, taken at EL%u at an instruction boundary; ELR gets 0x%llx, the next "
                "instruction to run. Vector slot: %s.", strstr(t->source, "FIQ") ? "FIQ" : "IRQ",
                t->source[0] ? t->source : "an unnamed source", t->from_priv, (unsigned long long)t->from_pc, slot);
        return;
    }
    unsigned ec = t->esr >> ESR_EC_SHIFT;
    if (ec == ESR_EC_SERROR) {
        /* Asynchronous: no instruction raised it, and ELR is where execution was interrupted. */
        out_put(&n->o, "an SError interrupt from %s, taken at EL%u at an instruction boundary; ELR gets 0x%llx, "
                "the next instruction to run, and ESR the syndrome 0x%llx (EC 0x2f, ISS 0x%x). Vector slot: %s.",
                t->source[0] ? t->source : "an unnamed source", t->from_priv, (unsigned long long)t->from_pc,
                (unsigned long long)t->esr, (unsigned)(t->esr & ESR_ISS_MASK), slot);
        return;
    }
    out_put(&n->o, "%s (EC 0x%02x, %s) from EL%u; ELR gets 0x%llx, ", class_phrase(ec), ec, esr_ec_name(ec),
            t->from_priv, (unsigned long long)t->from_pc);
    if (ec == ESR_EC_SVC64 || ec == ESR_EC_HVC64)
        out_put(&n->o, "the instruction after the call, with immediate 0x%x in ESR.ISS.", t->esr & 0xffff);
    else if (ec == ESR_EC_SMC64)
        /* With no EL3 an SMC reaches an exception vector only when HCR_EL2.TSC traps it. */
        out_put(&n->o, "the SMC itself: HCR_EL2.TSC trapped it to EL2 before it executed (D1.10.1), with "
                "immediate 0x%x in ESR.ISS.", t->esr & 0xffff);
    else if (ec == ESR_EC_BRK64)
        out_put(&n->o, "the BRK itself, with comment 0x%x in ESR.ISS.", t->esr & 0xffff);
    else
        out_put(&n->o, "the instruction that raised it, so the handler can fix the cause and retry it.");
    if (ec == ESR_EC_DABT_LOWER || ec == ESR_EC_DABT_CUR || ec == ESR_EC_IABT_LOWER || ec == ESR_EC_IABT_CUR) {
        out_put(&n->o, " Fault: ");
        fsc_phrase(&n->o, t->esr & ESR_ISS_FSC_MASK);
        if ((ec == ESR_EC_DABT_LOWER || ec == ESR_EC_DABT_CUR))
            out_put(&n->o, " on a %s", (t->esr & ESR_ISS_DABT_WNR) ? "write" : "read");
        out_put(&n->o, ".");
    }
    if (t->far_valid)
        out_put(&n->o, " FAR = 0x%llx, the address that faulted.", (unsigned long long)t->far);
    out_put(&n->o, " Vector slot: %s.", slot);
}

/* The EL a step's register name ends with ("write ELR_EL2" -> 2). */
static unsigned step_el(const char *name)
{
    const char *p = strstr(name, "_EL");
    return p ? (unsigned)(p[3] - '0') : 1;
}

static bool starts(const char *name, const char *prefix)
{
    return !strncmp(name, prefix, strlen(prefix));
}

void explain_a64_step(narration *n, const emu_trap_step *s)
{
    const char *name = s->name ? s->name : "";
    unsigned long long addr = s->addr, v = s->value;
    unsigned el = step_el(name);
    if (!strcmp(name, "select vector slot"))
        out_put(&n->o, "the exception's type and where it came from pick slot %llu at offset 0x%llx from VBAR "
                "(D1.10.2).", addr / 0x80, addr);
    else if (starts(name, "write SPSR_EL"))
        out_put(&n->o, "saves PSTATE (NZCV, DAIF, EL and SPSel) as 0x%llx in SPSR_EL%u, for the ERET that "
                "returns.", v, el);
    else if (starts(name, "write ELR_EL"))
        out_put(&n->o, "saves the preferred return address 0x%llx in ELR_EL%u.", v, el);
    else if (starts(name, "write ESR_EL"))
        out_put(&n->o, "writes the syndrome 0x%llx to ESR_EL%u: class 0x%llx, IL %llu, ISS 0x%llx.", v, el,
                v >> ESR_EC_SHIFT, (v >> 25) & 1, v & 0x1ffffff);
    else if (starts(name, "write FAR_EL"))
        out_put(&n->o, "writes the faulting virtual address 0x%llx to FAR_EL%u.", v, el);
    else if (!strcmp(name, "mask DAIF"))
        out_put(&n->o, "masks debug, SError, IRQ and FIQ (PSTATE.DAIF = 0x%llx) so the handler starts "
                "uninterrupted.", v);
    else if (starts(name, "select EL"))
        out_put(&n->o, "moves to EL%llu and selects its own stack pointer, SP_EL%llu (PSTATE.SPSel = 1).", v, v);
    else if (starts(name, "read VBAR_EL"))
        out_put(&n->o, "reads the vector table's base from VBAR_EL%u: 0x%llx.", el, v);
    else if (!strcmp(name, "branch to vector"))
        out_put(&n->o, "jumps to 0x%llx, VBAR + 0x%llx.", addr, v);
    else if (starts(name, "read SPSR_EL"))
        out_put(&n->o, "reads the saved PSTATE 0x%llx from SPSR_EL%u.", v, el);
    else if (starts(name, "read ELR_EL"))
        out_put(&n->o, "reads the return address 0x%llx from ELR_EL%u.", v, el);
    else if (!strcmp(name, "restore PSTATE from SPSR"))
        out_put(&n->o, "the return is legal: PSTATE is restored from SPSR, entering EL%llu.", v);
    else if (!strcmp(name, "illegal return: keep EL and SPSel, set PSTATE.IL"))
        out_put(&n->o, "the SPSR asks for an illegal return (D1.11.4): EL and SPSel stay as they were (EL%llu) "
                "and PSTATE.IL is set.", v);
    else if (!strcmp(name, "branch to ELR"))
        out_put(&n->o, "continues at 0x%llx.", addr);
    else
        out_put(&n->o, "emu's narration does not describe this step (address 0x%llx, value 0x%llx).", addr, v);
}

size_t explain_a64(const emu_trap *t, char *buf, size_t len)
{
    narration n = { .o = out_buf_init(buf, len), .t = t, .attempts = 1 };
    intro(&n);
    unsigned n_steps = t->n_steps < EMU_TRAP_MAX_STEPS ? t->n_steps : EMU_TRAP_MAX_STEPS;
    for (unsigned i = 0; i < n_steps; i++) {
        const emu_trap_step *s = &t->steps[i];
        out_put(&n.o, "\n  %u. %s: ", i + 1, s->name ? s->name : "(unnamed step)");
        explain_a64_step(&n, s);
    }
    out_put(&n.o, "\n");
    if (t->kind == EMU_TRAP_RETURN)
        out_put(&n.o, "  Execution resumes at 0x%llx at EL%u with SP 0x%llx", (unsigned long long)t->to_pc,
                t->to_priv, (unsigned long long)t->to_sp);
    else
        out_put(&n.o, "  The handler's first instruction is at 0x%llx (EL%u), with SP 0x%llx (%s)",
                (unsigned long long)t->to_pc, t->to_priv, (unsigned long long)t->to_sp, t->stack);
    out_put(&n.o, "; %llu modelled cycles from cycle %llu.", (unsigned long long)t->cycles,
            (unsigned long long)t->cycle_start);
    return out_finish(&n.o);
}
