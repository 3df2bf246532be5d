/*
 * Accepting an NMI or a maskable external interrupt at an instruction
 * boundary (SDM vol. 3, 6.7 "Nonmaskable Interrupt", 6.8 "Enabling and
 * Disabling Interrupts", 6.9 "Priority Among Concurrent Exceptions and
 * Interrupts"). Exceptions and debug traps of the previous instruction have
 * been delivered already (table 6-2 puts them first); then an NMI, then
 * INTR; instruction breakpoints and faults of the next instruction come
 * after, when it runs.
 */
#include "entry/x86/entry.h"

#include <stdio.h>

#include "core/intr.h"
#include "cpu/x86/vectors.h"

/*
 * NMI is held off after an NMI until IRET (6.7.1) and for the instruction
 * after MOV SS / POP SS (6.8.3; the VMX interruptibility state documents
 * that this blocking covers NMIs). Some processors also hold NMIs after STI;
 * the SDM leaves that model-specific, and emu does not.
 */
static bool nmi_allowed(const x86_cpu *cpu)
{
    return !cpu->nmi_blocked && !(cpu->interrupt_shadow & X86_SHADOW_MOV_SS);
}

/* INTR needs IF = 1 and no STI or MOV SS shadow (6.8.1, 6.8.3). */
static bool intr_allowed(const x86_cpu *cpu)
{
    return (cpu->rflags & X86_FLAG_IF) && cpu->interrupt_shadow == 0;
}

bool x86_interrupt_deliverable(const x86_cpu *cpu)
{
    const emu_machine *m = cpu->machine;
    return (m->nmi_latched && nmi_allowed(cpu)) || (intr_allowed(cpu) && machine_intr_requested(m));
}

static x86_status deliver_external(x86_cpu *cpu, emu_trap *rec, const x86_fault *ev)
{
    /* Saved RIP: the instruction that has not run yet, or the one after a HLT (6.5). */
    cpu->halted = false;
    cpu->fault = *ev;
    return x86_deliver(cpu, rec);
}

x86_status x86_accept_interrupt(x86_cpu *cpu, emu_trap *rec, bool *accepted)
{
    emu_machine *m = cpu->machine;
    *accepted = false;
    bool nmi = m->nmi_latched && nmi_allowed(cpu);
    if (!nmi && !(intr_allowed(cpu) && machine_intr_requested(m)))
        return X86_OK;
    if (!(cpu->cr0 & X86_CR0_PE)) {
        machine_stop(m, EMU_STOP_ERROR, "%s at rip 0x%llx: real-mode delivery (the IVT) is not modelled yet",
                     nmi ? "NMI" : "external interrupt", (unsigned long long)cpu->rip);
        return X86_STOP;
    }
    if (nmi) {
        x86_trap_begin(cpu, rec, EMU_TRAP_NMI, X86_VEC_NMI);
        snprintf(rec->source, sizeof rec->source, "%s", machine_nmi_take(m));
        /* Blocking starts with acceptance, so a fault on the way to the handler does not reopen it. */
        cpu->nmi_blocked = true;
        *accepted = true;
        return deliver_external(cpu, rec, &(x86_fault){ .vector = X86_VEC_NMI, .kind = X86_EVENT_NMI });
    }
    x86_trap_begin(cpu, rec, EMU_TRAP_INTERRUPT, -1);
    int vector = machine_intr_acknowledge(m, rec);
    if (vector < 0)
        return X86_OK;      /* the request went away before INTA */
    rec->vector = vector;
    x86_trap_step(cpu, rec, "acknowledge interrupt (INTA)", 0, (uint64_t)vector);
    *accepted = true;
    return deliver_external(cpu, rec,
                            &(x86_fault){ .vector = (uint8_t)vector, .kind = X86_EVENT_INTERRUPT });
}
