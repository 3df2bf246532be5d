/*
 * Creating the local APIC and its power-on / disable state (SDM vol. 3,
 * 11.4.7.1 "Local APIC State After Power-Up or Reset").
 */
#include "apic/lapic.h"

#include <stdlib.h>
#include <string.h>

#include "core/intr.h"
#include "core/machine.h"
#include "cpu/x86/system.h"

#define LAPIC_DFR_FLAT 0xffffffffu
#define LAPIC_SVR_RESET 0xffu
#define LAPIC_XAPIC_ID_SHIFT 24

static int acknowledge(emu_machine *m, void *ctx, emu_trap *rec);

lapic *lapic_create(emu_machine *m, x86_cpu *cpu, uint32_t apic_id)
{
    lapic *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->m = m;
    l->cpu = cpu;
    l->initial_id = apic_id;
    l->id = apic_id << LAPIC_XAPIC_ID_SHIFT;
    lapic_reset_registers(l);
    lapic_timer_init(l);
    if (lapic_mmio_init(l) != 0) {
        free(l);
        return NULL;
    }
    machine_set_intc(m, &(machine_intc){ .acknowledge = acknowledge, .ctx = l });
    return l;
}

void lapic_destroy(lapic *l)
{
    free(l);
}

void lapic_reset_registers(lapic *l)
{
    l->tpr = l->ldr = 0;
    l->dfr = LAPIC_DFR_FLAT;
    l->svr = LAPIC_SVR_RESET;
    l->esr = l->esr_pending = 0;
    memset(l->irr, 0, sizeof l->irr);
    memset(l->isr, 0, sizeof l->isr);
    memset(l->tmr, 0, sizeof l->tmr);
    memset(l->irr_source, 0, sizeof l->irr_source);
    for (unsigned i = 0; i < LAPIC_LVT_COUNT; i++)
        l->lvt[i] = LAPIC_LVT_MASKED;
    l->icr_lo = l->icr_hi = 0;
    l->timer_initial = 0;
    l->timer_divide_reg = 0;
    l->tsc_deadline = 0;
    if (l->timer.fn)
        lapic_timer_stop(l);
}

lapic_mode lapic_current_mode(const lapic *l)
{
    uint64_t base = l->cpu->msr.apic_base;
    if (!(base & X86_APIC_BASE_ENABLE))
        return LAPIC_MODE_DISABLED;
    return (base & X86_APIC_BASE_EXTD) ? LAPIC_MODE_X2APIC : LAPIC_MODE_XAPIC;
}

static int acknowledge(emu_machine *m, void *ctx, emu_trap *rec)
{
    (void)m;
    return lapic_acknowledge(ctx, rec);
}
