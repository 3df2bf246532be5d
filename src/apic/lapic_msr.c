/*
 * The CPU's side of the local APIC: IA32_APIC_BASE and its mode
 * transitions (SDM vol. 3, 11.4.4 and 11.12.5, figure 11-27), the x2APIC
 * MSRs 0x800-0x8ff over the shared register file (11.12.1), and TPR
 * through CR8 (11.8.6.1).
 */
#include "apic/lapic.h"

#include "core/machine.h"
#include "core/memory.h"
#include "cpu/x86/system.h"

#define XAPIC_ID_SHIFT 24
#define CR8_TPR_SHIFT 4
#define CR8_TPR_MASK 0xfu

static lapic_mode mode_of(uint64_t base)
{
    if (!(base & X86_APIC_BASE_ENABLE))
        return LAPIC_MODE_DISABLED;
    return (base & X86_APIC_BASE_EXTD) ? LAPIC_MODE_X2APIC : LAPIC_MODE_XAPIC;
}

/*
 * Figure 11-27: disabled -> xAPIC -> x2APIC, and back to disabled from
 * either. x2APIC -> xAPIC and disabled -> x2APIC are #GP(0), and so is
 * EN = 0 with EXTD = 1 (the invalid state).
 */
static bool transition_legal(uint64_t old_base, uint64_t new_base)
{
    lapic_mode from = mode_of(old_base), to = mode_of(new_base);
    if (!(new_base & X86_APIC_BASE_ENABLE) && (new_base & X86_APIC_BASE_EXTD))
        return false;
    if (from == LAPIC_MODE_X2APIC && to == LAPIC_MODE_XAPIC)
        return false;
    if (from == LAPIC_MODE_DISABLED && to == LAPIC_MODE_X2APIC)
        return false;
    return true;
}

int lapic_write_apic_base(lapic *l, uint64_t val)
{
    uint64_t old = l->cpu->msr.apic_base;
    if (!transition_legal(old, val))
        return -1;
    lapic_mode from = mode_of(old), to = mode_of(val);
    l->cpu->msr.apic_base = val;
    if (to == LAPIC_MODE_DISABLED && from != LAPIC_MODE_DISABLED) {
        /* Clearing EN returns the APIC to its power-up state (11.4.3); the ID is the hardware's again. */
        l->id = l->initial_id << XAPIC_ID_SHIFT;
        lapic_reset_registers(l);
    }
    lapic_mmio_update(l);
    lapic_update_intr(l);
    return 0;
}

int lapic_msr_read(lapic *l, uint32_t msr, uint64_t *val)
{
    if (!x86_is_x2apic_msr(msr) || lapic_current_mode(l) != LAPIC_MODE_X2APIC)
        return -1;                              /* the x2APIC MSRs exist only in x2APIC mode (11.12.1.2) */
    l->m->cycles += l->m->cost->x2apic_msr;
    return lapic_reg_read(l, msr - X86_MSR_X2APIC_FIRST, val);
}

int lapic_msr_write(lapic *l, uint32_t msr, uint64_t val)
{
    if (!x86_is_x2apic_msr(msr) || lapic_current_mode(l) != LAPIC_MODE_X2APIC)
        return -1;
    l->m->cycles += l->m->cost->x2apic_msr;
    return lapic_reg_write(l, msr - X86_MSR_X2APIC_FIRST, val);
}

/* MOV CR8 reads and writes TPR[7:4]; a write clears TPR[3:0] (11.8.6.1). */
uint64_t lapic_cr8_read(const lapic *l)
{
    return (l->tpr >> CR8_TPR_SHIFT) & CR8_TPR_MASK;
}

void lapic_cr8_write(lapic *l, uint64_t val)
{
    l->tpr = (uint32_t)(val & CR8_TPR_MASK) << CR8_TPR_SHIFT;
    lapic_update_intr(l);
}
