/* Trap records: steps appended as delivery works, each with its modelled cost. */
#include <stdio.h>

#include "core/machine.h"
#include "cpu/x86/vectors.h"
#include "entry/x86/entry.h"

void x86_trap_step(x86_cpu *cpu, emu_trap *rec, const char *name, uint64_t addr, uint64_t value)
{
    uint32_t cost = cpu->machine->cost->delivery_step;
    cpu->machine->cycles += cost;
    rec->cycles += cost;
    if (rec->n_steps < EMU_TRAP_MAX_STEPS)
        rec->steps[rec->n_steps++] = (emu_trap_step){ name, addr, value, cost };
    else
        rec->steps[EMU_TRAP_MAX_STEPS - 1].cycles += cost;  /* keep the sum exact */
}

void x86_event_name(const x86_fault *ev, char *buf, size_t len)
{
    if (ev->vector >= 32)
        snprintf(buf, len, "INT 0x%x", ev->vector);
    else if (ev->has_error_code)
        snprintf(buf, len, "%s(0x%x)", x86_vector_mnemonic(ev->vector), ev->error_code);
    else
        snprintf(buf, len, "%s", x86_vector_mnemonic(ev->vector));
}
