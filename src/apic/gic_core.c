/*
 * The GIC's interrupt state machine, common to GICv2 and GICv3 for one CPU:
 * which interrupt is highest-priority pending, whether it may preempt the
 * running priority, and the acknowledge / priority drop / deactivate cycle
 * (ARM IHI 0048B chapter 3, "Interrupt handling and prioritization"; ARM IHI
 * 0069 chapter 4, "Physical interrupt handling and prioritization").
 */
#include "apic/gic_internal.h"

#include <string.h>

static const unsigned gic_v2_min_bpr0 = 8 - GIC_V2_PRIORITY_BITS;
static const unsigned gic_v3_min_bpr0 = 7 - GIC_V3_PRIORITY_BITS;

void gic_init(gic *g, gic_version version)
{
    memset(g, 0, sizeof *g);
    g->version = version;
    g->num_irqs = version == GIC_V3 ? GIC_V3_NUM_IRQS : GIC_V2_NUM_IRQS;
    for (unsigned i = 0; i < g->num_irqs; i++) {
        /* SGIs are always edge-triggered (IHI 0048B 4.3.13). */
        g->irq[i].edge = i < GIC_NR_SGIS;
    }
    if (version == GIC_V2) {
        /* SGI enable bits are RAO/WI in QEMU's GICv2 (implementation
         * defined, IHI 0048B 4.3.5): GICD_ISENABLER0 reads 0x0000ffff. */
        for (unsigned i = 0; i < GIC_NR_SGIS; i++)
            g->irq[i].enabled = true;
        g->bpr0 = (uint8_t)gic_v2_min_bpr0;
        g->bpr1 = (uint8_t)(gic_v2_min_bpr0 + 1);
    } else {
        /* Affinity routing is always on and there is one security state
         * (IHI 0069 12.9.4: ARE and DS RAO/WI here, as QEMU without EL3). */
        g->dist_ctlr = GICD_CTLR_ARE | GICD_CTLR_DS;
        g->processor_sleep = true;      /* GICR_WAKER resets to sleep (12.11.40) */
        /* System register interface only (ICC_SRE_EL1.SRE/DFB/DIB RAO). */
        g->sre = 0x7;
        g->bpr0 = (uint8_t)gic_v3_min_bpr0;
        g->bpr1 = (uint8_t)(gic_v3_min_bpr0 + 1);
    }
    gic_update(g);
}

uint8_t gic_priority_mask_bits(const gic *g)
{
    unsigned bits = g->version == GIC_V3 ? GIC_V3_PRIORITY_BITS : GIC_V2_PRIORITY_BITS;
    return (uint8_t)(0xffu << (8 - bits));
}

bool gic_irq_is_pending(const gic_irq *irq)
{
    return irq->pending_latch || (!irq->edge && irq->line);
}

static bool gic_dist_group_enabled(const gic *g, bool group1)
{
    return g->dist_ctlr & (group1 ? GICD_CTLR_ENABLE_GRP1 : GICD_CTLR_ENABLE_GRP0);
}

static bool gic_cpu_group_enabled(const gic *g, bool group1)
{
    if (g->version == GIC_V3)
        return group1 ? g->igrpen1 : g->igrpen0;
    return g->cpu_ctlr & (group1 ? GICC_CTLR_ENABLE_GRP1 : GICC_CTLR_ENABLE_GRP0);
}

static bool gic_cbpr(const gic *g)
{
    return g->version == GIC_V3 ? (g->cpu_ctlr & ICC_CTLR_CBPR) : (g->cpu_ctlr & GICC_CTLR_CBPR);
}

/* Group priority: the priority with the subpriority bits the binary point
 * selects cleared. Group 1 uses BPR1 (GICC_ABPR), which splits one bit
 * further left, unless CBPR makes BPR0 serve both (IHI 0048B 3.3.3,
 * IHI 0069 4.8.3 table 4-7). */
uint8_t gic_group_priority(const gic *g, unsigned intid)
{
    bool group1 = g->irq[intid].group1;
    unsigned split;
    if (group1 && !gic_cbpr(g))
        split = g->bpr1;            /* group priority bits [7:BPR1] */
    else
        split = g->bpr0 + 1u;       /* group priority bits [7:BPR0+1] */
    return (uint8_t)(g->irq[intid].priority & (0xffu << split));
}

/* Lowest set bit of one group's active priorities, 0x100 if none. */
static unsigned gic_group_running(const gic *g, unsigned group)
{
    for (unsigned w = 0; w < 4; w++) {
        if (g->apr[group][w])
            return w * 64 + (unsigned)__builtin_ctzll(g->apr[group][w]);
    }
    return 0x100;
}

uint8_t gic_running_priority(const gic *g)
{
    unsigned p0 = gic_group_running(g, 0), p1 = gic_group_running(g, 1);
    unsigned p = p0 < p1 ? p0 : p1;
    return p > GIC_PRIORITY_IDLE ? GIC_PRIORITY_IDLE : (uint8_t)p;
}

/* A GICv3 SPI is forwarded to this PE only if GICD_IROUTER names it
 * (affinity 0.0.0.0) or asks for 1-of-N (IHI 0069 12.9.22). */
#define GICD_IROUTER_IRM (1ull << 31)
#define GICD_IROUTER_AFF_MASK 0xff00ffffffull

static bool gic_routed_here(const gic *g, unsigned intid)
{
    if (g->version != GIC_V3 || intid < GIC_NR_PRIVATE)
        return true;
    uint64_t r = g->irq[intid].route;
    return (r & GICD_IROUTER_IRM) || (r & GICD_IROUTER_AFF_MASK) == 0;
}

unsigned gic_highest_pending(const gic *g)
{
    unsigned best = GIC_INTID_SPURIOUS;
    unsigned best_prio = 0x100;
    for (unsigned i = 0; i < g->num_irqs; i++) {
        const gic_irq *irq = &g->irq[i];
        if (!irq->enabled || irq->active || !gic_irq_is_pending(irq))
            continue;
        if (!gic_dist_group_enabled(g, irq->group1) || !gic_routed_here(g, i))
            continue;
        /* Ties go to the lowest INTID (IHI 0048B 3.3.1). */
        if (irq->priority < best_prio) {
            best_prio = irq->priority;
            best = i;
        }
    }
    return best;
}

bool gic_can_signal(const gic *g, unsigned intid)
{
    if (intid >= g->num_irqs)
        return false;
    const gic_irq *irq = &g->irq[intid];
    if (!gic_cpu_group_enabled(g, irq->group1))
        return false;
    /* Masked unless strictly higher priority than PMR (IHI 0048B 3.3.2). */
    if (irq->priority >= g->pmr)
        return false;
    /* Preempts only with a higher group priority than the running one. */
    return gic_group_priority(g, intid) < gic_running_priority(g);
}

void gic_update(gic *g)
{
    g->irq_out = false;
    g->fiq_out = false;
    unsigned intid = gic_highest_pending(g);
    if (!gic_can_signal(g, intid))
        return;
    /* Group 0 is an FIQ on GICv3 (IHI 0069 4.6.1, one security state) and
     * on GICv2 when GICC_CTLR.FIQEn asks for it; otherwise an IRQ. */
    bool fiq = !g->irq[intid].group1 &&
               (g->version == GIC_V3 || (g->cpu_ctlr & GICC_CTLR_FIQEN));
    if (fiq)
        g->fiq_out = true;
    else
        g->irq_out = true;
}

void gic_set_irq(void *gic_ctx, unsigned intid, bool level)
{
    gic *g = gic_ctx;
    if (intid < GIC_NR_SGIS || intid >= g->num_irqs)
        return;
    gic_irq *irq = &g->irq[intid];
    /* An edge-triggered interrupt latches on the rising edge (1.4.2). */
    if (irq->edge && level && !irq->line)
        irq->pending_latch = true;
    irq->line = level;
    gic_update(g);
}

bool gic_inject(void *gic_ctx, unsigned intid, bool check_only)
{
    gic *g = gic_ctx;
    if (intid < GIC_NR_SGIS || intid >= g->num_irqs)
        return false;
    if (!check_only) {
        g->irq[intid].pending_latch = true;
        gic_update(g);
    }
    return true;
}

void gic_activate(gic *g, unsigned intid)
{
    gic_irq *irq = &g->irq[intid];
    uint8_t prio = gic_group_priority(g, intid);
    irq->active = true;
    irq->pending_latch = false;
    g->apr[irq->group1][prio / 64] |= 1ull << (prio % 64);
    gic_update(g);
}

void gic_deactivate(gic *g, unsigned intid)
{
    if (intid >= g->num_irqs)
        return;     /* spurious and out-of-range INTIDs deactivate nothing */
    g->irq[intid].active = false;
    gic_update(g);
}

void gic_end_of_interrupt(gic *g, unsigned intid, bool eoimode, int group)
{
    if (intid >= g->num_irqs)
        return;
    /* Priority drop: the highest active priority stops running (IHI 0048B
     * 3.2.2; IHI 0069 4.1.1 "priority drop"). EOIs are expected in the
     * reverse order of acknowledges, so that is intid's. On a tie between
     * the groups, group 0's is the higher (as QEMU). */
    unsigned p0 = gic_group_running(g, 0), p1 = gic_group_running(g, 1);
    if (p0 == 0x100 && p1 == 0x100)
        return;
    unsigned running_group = p1 < p0 ? 1 : 0;
    /* A GICv3 EOI for the other group's running interrupt does nothing, as
     * QEMU (the drop would come from the wrong ICC_APnR). */
    if (group != GIC_EOI_ANY_GROUP && (unsigned)group != running_group)
        return;
    uint64_t *apr = g->apr[running_group];
    unsigned p = running_group ? p1 : p0;
    apr[p / 64] &= ~(1ull << (p % 64));
    if (!eoimode)
        g->irq[intid].active = false;
    gic_update(g);
}

void gic_send_sgi(gic *g, unsigned sgi)
{
    g->irq[sgi % GIC_NR_SGIS].pending_latch = true;
    gic_update(g);
}

uint32_t gic_bits_read(const gic *g, gic_bit_reg reg, unsigned first)
{
    uint32_t v = 0;
    for (unsigned b = 0; b < 32; b++) {
        unsigned i = first + b;
        if (i >= g->num_irqs)
            break;
        const gic_irq *irq = &g->irq[i];
        bool bit = false;
        switch (reg) {
        case GIC_BITS_GROUP: bit = irq->group1; break;
        case GIC_BITS_SET_ENABLE:
        case GIC_BITS_CLEAR_ENABLE: bit = irq->enabled; break;
        case GIC_BITS_SET_PENDING:
        case GIC_BITS_CLEAR_PENDING: bit = gic_irq_is_pending(irq); break;
        case GIC_BITS_SET_ACTIVE:
        case GIC_BITS_CLEAR_ACTIVE: bit = irq->active; break;
        }
        v |= (uint32_t)bit << b;
    }
    return v;
}

void gic_bits_write(gic *g, gic_bit_reg reg, unsigned first, uint32_t val)
{
    for (unsigned b = 0; b < 32; b++) {
        unsigned i = first + b;
        if (i >= g->num_irqs)
            break;
        gic_irq *irq = &g->irq[i];
        bool bit = (val >> b) & 1;
        if (reg == GIC_BITS_GROUP) {
            irq->group1 = bit;
            continue;
        }
        if (!bit)
            continue;   /* set/clear registers: zeros have no effect */
        switch (reg) {
        case GIC_BITS_SET_ENABLE: irq->enabled = true; break;
        case GIC_BITS_CLEAR_ENABLE:
            if (!(g->version == GIC_V2 && i < GIC_NR_SGIS))
                irq->enabled = false;
            break;
        case GIC_BITS_SET_PENDING: irq->pending_latch = true; break;
        /* Clearing pending clears the latch; a level-sensitive interrupt
         * whose line is still high stays pending (IHI 0048B 4.3.8). */
        case GIC_BITS_CLEAR_PENDING: irq->pending_latch = false; break;
        case GIC_BITS_SET_ACTIVE: irq->active = true; break;
        case GIC_BITS_CLEAR_ACTIVE: irq->active = false; break;
        case GIC_BITS_GROUP: break;
        }
    }
    gic_update(g);
}

uint32_t gic_cfg_read(const gic *g, unsigned first)
{
    uint32_t v = 0;
    for (unsigned k = 0; k < 16 && first + k < g->num_irqs; k++)
        v |= (uint32_t)g->irq[first + k].edge << (2 * k + 1);
    return v;
}

void gic_cfg_write(gic *g, unsigned first, uint32_t val)
{
    for (unsigned k = 0; k < 16 && first + k < g->num_irqs; k++) {
        unsigned i = first + k;
        if (i < GIC_NR_SGIS)
            continue;   /* SGI configuration is read-only (edge) */
        /* Reconfiguring an enabled interrupt is UNPREDICTABLE (IHI 0048B
         * 4.3.13): the new configuration simply applies from now on. */
        g->irq[i].edge = (val >> (2 * k + 1)) & 1;
    }
    gic_update(g);
}

uint32_t gic_priority_read(const gic *g, unsigned first, unsigned count)
{
    uint32_t v = 0;
    for (unsigned k = 0; k < count && first + k < g->num_irqs; k++)
        v |= (uint32_t)g->irq[first + k].priority << (8 * k);
    return v;
}

void gic_priority_write(gic *g, unsigned first, unsigned count, uint32_t val)
{
    for (unsigned k = 0; k < count && first + k < g->num_irqs; k++)
        g->irq[first + k].priority = (uint8_t)(val >> (8 * k));
    gic_update(g);
}
