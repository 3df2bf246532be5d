/*
 * Sending an IPI by writing the ICR (SDM vol. 3, 11.6 "Issuing
 * Interprocessor Interrupts"). The message goes to every APIC the
 * destination (or shorthand) selects; the route is this CPU's own APIC
 * today, and a second CPU adds its APIC to `route`. Delivery is immediate,
 * so the ICR's delivery status always reads idle.
 */
#include "apic/lapic.h"

#include "core/intr.h"
#include "core/machine.h"

#define XAPIC_BROADCAST  0xffu
#define X2APIC_BROADCAST 0xffffffffu
#define XAPIC_DFR_MODEL_SHIFT 28
#define XAPIC_DFR_FLAT 0xfu
#define XAPIC_LOGICAL_SHIFT 24
#define CLUSTER_ID(v)  (((v) >> 4) & 0xfu)
#define CLUSTER_MEMBERS(v) ((v) & 0xfu)

/* Does destination `dest` (physical or logical, 11.6.2) select this APIC? */
static bool selects(const lapic *l, uint32_t dest, bool logical, bool x2)
{
    if (x2) {
        if (!logical)
            return dest == X2APIC_BROADCAST || dest == l->initial_id;
        /* Cluster [31:16] must match, and the member bitmaps [15:0] intersect (11.12.10.2). */
        uint32_t ldr = lapic_x2apic_ldr(l);
        return (dest >> 16) == (ldr >> 16) && ((dest & ldr) & 0xffffu) != 0;
    }
    dest &= XAPIC_BROADCAST;
    if (!logical)
        return dest == XAPIC_BROADCAST || dest == l->id >> 24;
    if (dest == XAPIC_BROADCAST)
        return true;
    uint32_t logical_id = l->ldr >> XAPIC_LOGICAL_SHIFT;
    if ((l->dfr >> XAPIC_DFR_MODEL_SHIFT) == XAPIC_DFR_FLAT)
        return (logical_id & dest) != 0;        /* flat model: bitmap */
    return CLUSTER_ID(logical_id) == CLUSTER_ID(dest) && (CLUSTER_MEMBERS(logical_id) & CLUSTER_MEMBERS(dest));
}

bool lapic_selected_by(const lapic *l, uint32_t dest, bool logical)
{
    return selects(l, dest, logical, lapic_current_mode(l) == LAPIC_MODE_X2APIC);
}

/* Deliver one message to one APIC: this one (the only APIC until a second CPU exists). */
static void deliver(lapic *target, uint32_t icr_lo)
{
    uint8_t vector = (uint8_t)(icr_lo & LAPIC_VECTOR_MASK);
    uint32_t mode = (icr_lo & LAPIC_DELMODE_MASK) >> LAPIC_DELMODE_SHIFT;
    switch (mode) {
    case LAPIC_DELMODE_FIXED:
    case LAPIC_DELMODE_LOWEST:                  /* one candidate: lowest priority is that one */
        lapic_accept(target, vector, (icr_lo & LAPIC_TRIGGER_LEVEL) != 0, "IPI");
        return;
    case LAPIC_DELMODE_NMI:
        machine_raise_nmi(target->m, "IPI NMI");
        return;
    case LAPIC_DELMODE_INIT:
        /* INIT level de-assert only synchronises arbitration IDs; nothing changes state (11.6.1). */
        if ((icr_lo & LAPIC_TRIGGER_LEVEL) && !(icr_lo & LAPIC_ICR_LEVEL_ASSERT))
            return;
        machine_stop(target->m, EMU_STOP_ERROR,
                     "local APIC: INIT IPI to this CPU would reset it to wait-for-SIPI, which is not modelled");
        return;
    case LAPIC_DELMODE_STARTUP:
        /* A CPU that is running (not in wait-for-SIPI) ignores SIPI (9.4.4.1). */
        return;
    default:
        machine_stop(target->m, EMU_STOP_ERROR, "local APIC: IPI with delivery mode %u (SMI or reserved) is not modelled",
                     mode);
        return;
    }
}

void lapic_send_ipi(lapic *l, uint32_t icr_lo, uint32_t dest, bool x2)
{
    uint32_t mode = (icr_lo & LAPIC_DELMODE_MASK) >> LAPIC_DELMODE_SHIFT;
    uint32_t shorthand = (icr_lo & LAPIC_ICR_SHORTHAND_MASK) >> LAPIC_ICR_SHORTHAND_SHIFT;
    bool logical = (icr_lo & LAPIC_DESTMODE_LOGICAL) != 0;
    uint8_t vector = (uint8_t)(icr_lo & LAPIC_VECTOR_MASK);
    bool needs_vector = mode == LAPIC_DELMODE_FIXED || mode == LAPIC_DELMODE_LOWEST;
    if (needs_vector && vector < 16) {
        lapic_error(l, LAPIC_ESR_SEND_ILLEGAL_VECTOR);   /* 11.5.3: the sender's error, nothing sent */
        return;
    }
    lapic *route[] = { l };
    for (unsigned i = 0; i < sizeof route / sizeof route[0]; i++) {
        lapic *t = route[i];
        bool self = t == l;
        bool chosen;
        switch (shorthand) {
        case LAPIC_SHORTHAND_SELF: chosen = self; break;
        case LAPIC_SHORTHAND_ALL: chosen = true; break;
        case LAPIC_SHORTHAND_OTHERS: chosen = !self; break;
        default: chosen = selects(t, dest, logical, x2); break;
        }
        if (chosen)
            deliver(t, icr_lo);
    }
}
