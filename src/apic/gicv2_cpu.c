/*
 * The GICv2 memory-mapped CPU interface (GICC_*, ARM IHI 0048B 4.4, table
 * 4-2), without the Security Extensions. The acknowledge / end-of-interrupt
 * rules are in gic_core.c; this file is the register map. Not modelled (a
 * loud stop): GICC_AIAR/AEOIR/AHPPIR, the APR/NSAPR save areas.
 */
#include "apic/gic_internal.h"

enum {
    GICC_CTLR = 0x00,
    GICC_PMR = 0x04,
    GICC_BPR = 0x08,
    GICC_IAR = 0x0c,
    GICC_EOIR = 0x10,
    GICC_RPR = 0x14,
    GICC_HPPIR = 0x18,
    GICC_ABPR = 0x1c,
    GICC_IIDR = 0xfc,
    GICC_DIR = 0x1000,
};

/* GICC_IIDR: architecture version 2, implementer Arm (4.4.16), as QEMU. */
#define GICC_IIDR_VALUE  0x0002043bu
#define GICC_INTID_MASK  0x3ffu     /* GICC_EOIR/DIR InterruptID, bits [9:0] */
#define GIC_BPR_MAX      7u

/* What IAR and HPPIR report for the highest pending interrupt: a Group 1
 * interrupt reads as 1022 unless AckCtl lets Group 0 software take it
 * (4.4.4, 4.4.8 pseudocode). */
static unsigned gicc_reported(const gic *g, unsigned intid)
{
    if (intid < g->num_irqs && g->irq[intid].group1 && !(g->cpu_ctlr & GICC_CTLR_ACKCTL))
        return GIC_INTID_GROUP1;
    return intid;
}

/* GICC_HPPIR (4.4.8). An interrupt the priority mask hides reads as
 * spurious, as QEMU (whose pending-interrupt cache honours GICC_PMR);
 * unlike IAR, the running priority does not matter. */
static uint32_t gicc_hppir(const gic *g)
{
    unsigned intid = gic_highest_pending(g);
    if (intid >= g->num_irqs || g->irq[intid].priority >= g->pmr)
        return GIC_INTID_SPURIOUS;
    return gicc_reported(g, intid);
}

static uint32_t gicc_iar_read(gic *g)
{
    unsigned intid = gic_highest_pending(g);
    if (!gic_can_signal(g, intid))
        return GIC_INTID_SPURIOUS;
    unsigned reported = gicc_reported(g, intid);
    if (reported != intid)
        return reported;
    gic_activate(g, intid);
    /* SGIs carry the requesting CPU in bits [12:10]: always CPU 0 here. */
    return intid;
}

static uint8_t clamp_bpr(uint32_t v, unsigned min)
{
    v &= GIC_BPR_MAX;
    return (uint8_t)(v < min ? min : v);
}

bool gicv2_cpu_read(gic *g, uint64_t offset, unsigned size, uint64_t *val)
{
    if (g->version != GIC_V2 || size != 4 || offset % 4 != 0)
        return false;
    switch (offset) {
    case GICC_CTLR: *val = g->cpu_ctlr; return true;
    case GICC_PMR: *val = g->pmr; return true;
    case GICC_BPR: *val = g->bpr0; return true;
    case GICC_ABPR: *val = g->bpr1; return true;
    case GICC_IAR: *val = gicc_iar_read(g); return true;
    case GICC_RPR: *val = gic_running_priority(g); return true;
    case GICC_HPPIR: *val = gicc_hppir(g); return true;
    case GICC_IIDR: *val = GICC_IIDR_VALUE; return true;
    default: return false;  /* EOIR and DIR are write-only */
    }
}

bool gicv2_cpu_write(gic *g, uint64_t offset, unsigned size, uint64_t val)
{
    if (g->version != GIC_V2 || size != 4 || offset % 4 != 0)
        return false;
    uint32_t v = (uint32_t)val;
    switch (offset) {
    case GICC_CTLR: g->cpu_ctlr = v & GICC_CTLR_MASK; break;
    case GICC_PMR: g->pmr = (uint8_t)(v & gic_priority_mask_bits(g)); break;
    /* Values below the minimum binary point read back as the minimum
     * (4.4.3): 0 for GICC_BPR with 8 priority bits, 1 for GICC_ABPR. */
    case GICC_BPR: g->bpr0 = clamp_bpr(v, 8 - GIC_V2_PRIORITY_BITS); break;
    case GICC_ABPR: g->bpr1 = clamp_bpr(v, 8 - GIC_V2_PRIORITY_BITS + 1); break;
    case GICC_EOIR:
        gic_end_of_interrupt(g, v & GICC_INTID_MASK, g->cpu_ctlr & GICC_CTLR_EOIMODE, GIC_EOI_ANY_GROUP);
        return true;
    case GICC_DIR:
        gic_deactivate(g, v & GICC_INTID_MASK);
        return true;
    case GICC_IAR:
    case GICC_RPR:
    case GICC_HPPIR:
    case GICC_IIDR:
        return true;    /* read-only: writes ignored */
    default:
        return false;
    }
    gic_update(g);
    return true;
}
