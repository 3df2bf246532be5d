/*
 * The GICv3 redistributor of CPU 0 (ARM IHI 0069 12.10-12.11): the RD_base
 * frame (control, WAKER, TYPER) and the SGI_base frame 64 KiB above it,
 * which holds the SGI and PPI registers the distributor hands over under
 * affinity routing. No LPIs (GICR_TYPER.PLPIS=0; PROPBASER/PENDBASER are not
 * modelled and stop the machine if touched).
 */
#include "apic/gic_internal.h"

enum {
    GICR_CTLR = 0x0000,
    GICR_IIDR = 0x0004,
    GICR_TYPER = 0x0008,            /* 64-bit */
    GICR_STATUSR = 0x0010,
    GICR_WAKER = 0x0014,
    GICR_ID = 0xffd0,
    GICR_SGI_BASE = 0x10000,
    GICR_IGROUPR0 = GICR_SGI_BASE + 0x080,
    GICR_ISENABLER0 = GICR_SGI_BASE + 0x100,
    GICR_ICENABLER0 = GICR_SGI_BASE + 0x180,
    GICR_ISPENDR0 = GICR_SGI_BASE + 0x200,
    GICR_ICPENDR0 = GICR_SGI_BASE + 0x280,
    GICR_ISACTIVER0 = GICR_SGI_BASE + 0x300,
    GICR_ICACTIVER0 = GICR_SGI_BASE + 0x380,
    GICR_IPRIORITYR = GICR_SGI_BASE + 0x400,
    GICR_ICFGR0 = GICR_SGI_BASE + 0xc00,
    GICR_ICFGR1 = GICR_SGI_BASE + 0xc04,
    GICR_IGRPMODR0 = GICR_SGI_BASE + 0xd00,
    GICR_NSACR = GICR_SGI_BASE + 0xe00,
};

#define GICR_IIDR_VALUE      0x0000043bu
/* GICR_TYPER (12.11.36): Last (the only redistributor), processor number
 * 0, affinity 0.0.0.0, no LPIs. */
#define GICR_TYPER_LAST      (1ull << 4)
/* GICR_WAKER (12.11.40). */
#define GICR_WAKER_PROCESSOR_SLEEP (1u << 1)
#define GICR_WAKER_CHILDREN_ASLEEP (1u << 2)
#define GICR_ID_BLOCK        0x30

static const uint8_t gicr_id[12] = { 0x44, 0x00, 0x00, 0x00, 0x93, 0xb4, 0x3b, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

static const gic_bit_reg gicr_bit_regs[7] = {
    GIC_BITS_GROUP, GIC_BITS_SET_ENABLE, GIC_BITS_CLEAR_ENABLE, GIC_BITS_SET_PENDING,
    GIC_BITS_CLEAR_PENDING, GIC_BITS_SET_ACTIVE, GIC_BITS_CLEAR_ACTIVE,
};

/* The redistributor is quiescent as soon as it is asked to sleep:
 * ChildrenAsleep follows ProcessorSleep with no delay. */
static uint32_t gicr_waker(const gic *g)
{
    return g->processor_sleep ? (GICR_WAKER_PROCESSOR_SLEEP | GICR_WAKER_CHILDREN_ASLEEP) : 0;
}

static bool gicr_bits_reg(uint64_t offset, unsigned *index)
{
    if (offset < GICR_IGROUPR0 || offset > GICR_ICACTIVER0 || (offset - GICR_IGROUPR0) % 0x80 != 0)
        return false;
    *index = (unsigned)((offset - GICR_IGROUPR0) / 0x80);
    return true;
}

bool gicv3_redist_read(gic *g, uint64_t offset, unsigned size, uint64_t *val)
{
    if (g->version != GIC_V3)
        return false;
    if (offset >= GICR_IPRIORITYR && offset < GICR_IPRIORITYR + GIC_NR_PRIVATE &&
        (size == 1 || (size == 4 && offset % 4 == 0))) {
        *val = gic_priority_read(g, (unsigned)(offset - GICR_IPRIORITYR), size);
        return true;
    }
    if (offset == GICR_TYPER && size == 8) {
        *val = GICR_TYPER_LAST;
        return true;
    }
    if (size != 4 || offset % 4 != 0)
        return false;
    unsigned index = 0;
    if (gicr_bits_reg(offset, &index)) {
        *val = gic_bits_read(g, gicr_bit_regs[index], 0);
        return true;
    }
    if (offset >= GICR_ID && offset < GICR_ID + GICR_ID_BLOCK) {
        *val = gicr_id[(offset - GICR_ID) / 4];
        return true;
    }
    switch (offset) {
    case GICR_CTLR: *val = 0; return true;      /* EnableLPIs RES0 without LPIs */
    case GICR_IIDR: *val = GICR_IIDR_VALUE; return true;
    case GICR_TYPER: *val = (uint32_t)GICR_TYPER_LAST; return true;
    case GICR_TYPER + 4: *val = 0; return true;  /* affinity 0.0.0.0 */
    case GICR_STATUSR: *val = 0; return true;
    case GICR_WAKER: *val = gicr_waker(g); return true;
    case GICR_ICFGR0: *val = gic_cfg_read(g, 0); return true;
    case GICR_ICFGR1: *val = gic_cfg_read(g, GIC_NR_SGIS); return true;
    case GICR_IGRPMODR0:
    case GICR_NSACR: *val = 0; return true;     /* RAZ/WI with GICD_CTLR.DS=1 */
    default: return false;
    }
}

bool gicv3_redist_write(gic *g, uint64_t offset, unsigned size, uint64_t val)
{
    if (g->version != GIC_V3)
        return false;
    if (offset >= GICR_IPRIORITYR && offset < GICR_IPRIORITYR + GIC_NR_PRIVATE &&
        (size == 1 || (size == 4 && offset % 4 == 0))) {
        gic_priority_write(g, (unsigned)(offset - GICR_IPRIORITYR), size, (uint32_t)val);
        return true;
    }
    if (offset == GICR_TYPER && size == 8)
        return true;
    if (size != 4 || offset % 4 != 0)
        return false;
    uint32_t v = (uint32_t)val;
    unsigned index = 0;
    if (gicr_bits_reg(offset, &index)) {
        gic_bits_write(g, gicr_bit_regs[index], 0, v);
        return true;
    }
    if (offset >= GICR_ID && offset < GICR_ID + GICR_ID_BLOCK)
        return true;
    switch (offset) {
    case GICR_WAKER:
        g->processor_sleep = v & GICR_WAKER_PROCESSOR_SLEEP;
        gic_update(g);
        return true;
    case GICR_ICFGR0: return true;  /* SGIs: always edge */
    case GICR_ICFGR1: gic_cfg_write(g, GIC_NR_SGIS, v); return true;
    case GICR_CTLR:
    case GICR_IIDR:
    case GICR_TYPER:
    case GICR_TYPER + 4:
    case GICR_STATUSR:
    case GICR_IGRPMODR0:
    case GICR_NSACR:
        return true;    /* read-only, or RAZ/WI here */
    default:
        return false;
    }
}
