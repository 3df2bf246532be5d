/*
 * The GICv3 CPU interface system registers (ARM IHI 0069 chapter 12.2), one
 * function per register for the MRS/MSR table to call at EL1 with one
 * security state (GICD_CTLR.DS=1). Five priority bits are implemented, as
 * QEMU's GICv3 CPU interface: ICC_PMR_EL1 reads back 0xf8 after 0xff.
 */
#include "apic/gic_internal.h"

#define ICC_INTID_MASK       0xffffffu  /* 24-bit INTIDs (ICC_CTLR_EL1.IDbits=1) */
#define ICC_BPR_MASK         0x7u
#define ICC_SRE_SRE          (1u << 0)
#define ICC_SRE_DFB          (1u << 1)
#define ICC_SRE_DIB          (1u << 2)
#define ICC_SRE_RAO          (ICC_SRE_SRE | ICC_SRE_DFB | ICC_SRE_DIB)
#define ICC_IGRPEN_ENABLE    1u
/* ICC_SGI1R_EL1 fields (12.2.22). */
#define ICC_SGI1R_TARGETLIST_MASK 0xffffull
#define ICC_SGI1R_AFF1_SHIFT      16
#define ICC_SGI1R_INTID_SHIFT     24
#define ICC_SGI1R_AFF2_SHIFT      32
#define ICC_SGI1R_IRM             (1ull << 40)
#define ICC_SGI1R_RS_SHIFT        44
#define ICC_SGI1R_AFF3_SHIFT      48

static unsigned icc_min_bpr0(void) { return 7 - GIC_V3_PRIORITY_BITS; }

/* Acknowledge the highest-priority pending interrupt if it belongs to the
 * group this register serves and may be signalled; 1023 otherwise (12.2.13
 * ICC_IAR1_EL1: "the highest priority pending interrupt is not appropriate
 * for this interrupt group" reads as spurious). */
static uint64_t icc_acknowledge(gic *g, bool group1)
{
    unsigned intid = gic_highest_pending(g);
    if (!gic_can_signal(g, intid) || g->irq[intid].group1 != group1)
        return GIC_INTID_SPURIOUS;
    gic_activate(g, intid);
    return intid;
}

uint64_t gicv3_icc_iar1_read(gic *g) { return icc_acknowledge(g, true); }
uint64_t gicv3_icc_iar0_read(gic *g) { return icc_acknowledge(g, false); }

static bool icc_eoimode(const gic *g) { return g->cpu_ctlr & ICC_CTLR_EOIMODE; }

void gicv3_icc_eoir1_write(gic *g, uint64_t val) { gic_end_of_interrupt(g, (unsigned)(val & ICC_INTID_MASK), icc_eoimode(g), 1); }
void gicv3_icc_eoir0_write(gic *g, uint64_t val) { gic_end_of_interrupt(g, (unsigned)(val & ICC_INTID_MASK), icc_eoimode(g), 0); }
void gicv3_icc_dir_write(gic *g, uint64_t val) { gic_deactivate(g, (unsigned)(val & ICC_INTID_MASK)); }

static uint64_t icc_hppir(const gic *g, bool group1)
{
    unsigned intid = gic_highest_pending(g);
    if (intid >= g->num_irqs || g->irq[intid].group1 != group1)
        return GIC_INTID_SPURIOUS;
    return intid;
}

uint64_t gicv3_icc_hppir1_read(const gic *g) { return icc_hppir(g, true); }
uint64_t gicv3_icc_hppir0_read(const gic *g) { return icc_hppir(g, false); }
uint64_t gicv3_icc_rpr_read(const gic *g) { return gic_running_priority(g); }
uint64_t gicv3_icc_pmr_read(const gic *g) { return g->pmr; }

void gicv3_icc_pmr_write(gic *g, uint64_t val)
{
    g->pmr = (uint8_t)(val & gic_priority_mask_bits(g));
    gic_update(g);
}

/* Writes below the minimum binary point set the minimum (12.2.3, 12.2.4):
 * 2 for BPR0 with five priority bits, one more for BPR1. With CBPR set,
 * ICC_BPR1_EL1 reads as BPR0 + 1 and writes are ignored. */
uint64_t gicv3_icc_bpr0_read(const gic *g) { return g->bpr0; }

void gicv3_icc_bpr0_write(gic *g, uint64_t val)
{
    unsigned v = (unsigned)(val & ICC_BPR_MASK);
    g->bpr0 = (uint8_t)(v < icc_min_bpr0() ? icc_min_bpr0() : v);
    gic_update(g);
}

uint64_t gicv3_icc_bpr1_read(const gic *g)
{
    if (g->cpu_ctlr & ICC_CTLR_CBPR) {
        unsigned v = g->bpr0 + 1u;
        return v > ICC_BPR_MASK ? ICC_BPR_MASK : v;
    }
    return g->bpr1;
}

void gicv3_icc_bpr1_write(gic *g, uint64_t val)
{
    if (g->cpu_ctlr & ICC_CTLR_CBPR)
        return;
    unsigned v = (unsigned)(val & ICC_BPR_MASK);
    unsigned min = icc_min_bpr0() + 1;
    g->bpr1 = (uint8_t)(v < min ? min : v);
    gic_update(g);
}

/* ICC_CTLR_EL1 (12.2.6): CBPR and EOImode are writable; PRIbits (4: five
 * bits), IDbits (1: 24-bit INTIDs) and A3V read as QEMU's (0x8c00). */
uint64_t gicv3_icc_ctlr_read(const gic *g)
{
    return (g->cpu_ctlr & (ICC_CTLR_CBPR | ICC_CTLR_EOIMODE)) |
           ((uint64_t)(GIC_V3_PRIORITY_BITS - 1) << ICC_CTLR_PRIBITS_SHIFT) |
           (1ull << ICC_CTLR_IDBITS_SHIFT) | ICC_CTLR_A3V;
}

void gicv3_icc_ctlr_write(gic *g, uint64_t val)
{
    g->cpu_ctlr = (uint32_t)(val & (ICC_CTLR_CBPR | ICC_CTLR_EOIMODE));
    gic_update(g);
}

/* ICC_SRE_EL1: the system register interface is the only one (SRE, DFB and
 * DIB RAO/WI), as QEMU's emulated GICv3 (12.2.21). */
uint64_t gicv3_icc_sre_read(const gic *g) { return g->sre; }
void gicv3_icc_sre_write(gic *g, uint64_t val) { (void)val; g->sre = ICC_SRE_RAO; }

uint64_t gicv3_icc_igrpen1_read(const gic *g) { return g->igrpen1; }
uint64_t gicv3_icc_igrpen0_read(const gic *g) { return g->igrpen0; }

void gicv3_icc_igrpen1_write(gic *g, uint64_t val)
{
    g->igrpen1 = val & ICC_IGRPEN_ENABLE;
    gic_update(g);
}

void gicv3_icc_igrpen0_write(gic *g, uint64_t val)
{
    g->igrpen0 = val & ICC_IGRPEN_ENABLE;
    gic_update(g);
}

/* Generate a Group 1 SGI (12.2.22). IRM=1 means "every PE but self", none
 * here; otherwise this PE (affinity 0.0.0.0) is a target when Aff3.Aff2.Aff1
 * and RS are 0 and TargetList bit 0 is set. An SGI configured as Group 0 is
 * not forwarded for a Group 1 request (as QEMU). */
void gicv3_icc_sgi1r_write(gic *g, uint64_t val)
{
    if (val & ICC_SGI1R_IRM)
        return;
    uint64_t aff = ((val >> ICC_SGI1R_AFF1_SHIFT) & 0xff) | ((val >> ICC_SGI1R_AFF2_SHIFT) & 0xff) |
                   ((val >> ICC_SGI1R_AFF3_SHIFT) & 0xff) | ((val >> ICC_SGI1R_RS_SHIFT) & 0xf);
    if (aff != 0 || !(val & ICC_SGI1R_TARGETLIST_MASK & 1))
        return;
    unsigned sgi = (unsigned)((val >> ICC_SGI1R_INTID_SHIFT) & 0xf);
    if (!g->irq[sgi].group1)
        return;
    gic_send_sgi(g, sgi);
}
