/* Trap records: steps appended as delivery works, each with its modelled cost. */
#include <stdio.h>

#include "core/machine.h"
#include "cpu/x86/vectors.h"
#include "entry/x86/entry.h"

void x86_trap_begin(const x86_cpu *cpu, emu_trap *rec, emu_trap_kind kind, int vector)
{
    /* Field by field: the steps array is large and filled as delivery goes, so it is not zeroed. */
    rec->seq = 0;
    rec->arch = EMU_ARCH_X86_64;
    rec->esr = 0;
    rec->far = 0;
    rec->far_valid = false;
    rec->spsr = 0;
    rec->vbar = 0;
    rec->cycle_start = cpu->machine->cycles;
    rec->cycles = 0;
    rec->kind = kind;
    rec->vector = vector;
    rec->has_error_code = false;
    rec->error_code = 0;
    rec->cr2 = 0;
    rec->from_pc = cpu->rip;
    rec->from_sp = cpu->gpr[X86_RSP];
    rec->from_priv = cpu->cpl;
    rec->to_pc = rec->to_sp = 0;
    rec->to_priv = 0;
    rec->stack[0] = '\0';
    rec->gs_base = cpu->seg[X86_GS].base;
    rec->kernel_gs_base = cpu->msr.kernel_gs_base;
    rec->source[0] = '\0';
    rec->escalation[0] = '\0';
    rec->n_steps = 0;
}

void x86_event_name(const x86_fault *ev, char *buf, size_t len)
{
    if (ev->kind == X86_EVENT_INTERRUPT)
        snprintf(buf, len, "interrupt 0x%x", ev->vector);
    else if (ev->vector >= 32)
        snprintf(buf, len, "INT 0x%x", ev->vector);
    else if (ev->has_error_code)
        snprintf(buf, len, "%s(0x%x)", x86_vector_mnemonic(ev->vector), ev->error_code);
    else
        snprintf(buf, len, "%s", x86_vector_mnemonic(ev->vector));
}
