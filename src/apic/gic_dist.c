/*
 * The GIC distributor (GICD_*), GICv2 and GICv3 (ARM IHI 0048B 4.3, register
 * map table 4-1; ARM IHI 0069 12.9, table 12-25). With GICv3 affinity
 * routing (always on here) the registers for INTIDs 0-31 are RAZ/WI in the
 * distributor: they live in the redistributor's SGI_base frame. Register
 * values after reset and the ID registers are QEMU 7.2's, read back from
 * -M virt,gic-version=2|3.
 */
#include "apic/gic_internal.h"

#include <stddef.h>

enum {
    GICD_CTLR = 0x000,
    GICD_TYPER = 0x004,
    GICD_IIDR = 0x008,
    GICD_STATUSR = 0x010,           /* v3 */
    GICD_IGROUPR = 0x080,
    GICD_ISENABLER = 0x100,
    GICD_ICENABLER = 0x180,
    GICD_ISPENDR = 0x200,
    GICD_ICPENDR = 0x280,
    GICD_ISACTIVER = 0x300,
    GICD_ICACTIVER = 0x380,
    GICD_IPRIORITYR = 0x400,
    GICD_ITARGETSR = 0x800,         /* v2; RES0 on v3 with ARE */
    GICD_ICFGR = 0xc00,
    GICD_IGRPMODR = 0xd00,          /* v3: RAZ/WI with DS=1 */
    GICD_NSACR = 0xe00,             /* v3: RAZ/WI with DS=1 */
    GICD_SGIR = 0xf00,              /* v2 */
    GICD_CPENDSGIR = 0xf10,         /* v2 */
    GICD_SPENDSGIR = 0xf20,         /* v2 */
    GICD_IROUTER = 0x6000,          /* v3, n >= 32 at 0x6000 + 8n */
    GICD_V2_ID = 0xfd0,
    GICD_V3_ID = 0xffd0,
};

#define GICD_BITS_BLOCK     0x80    /* each 1-bit register block spans 1024 INTIDs */
#define GICD_PRIORITY_BLOCK 0x400
#define GICD_CFG_BLOCK      0x100
#define GICD_ID_BLOCK       0x30

/* GICD_IIDR: implementer Arm (0x43b), as QEMU (4.3.3, 12.9.14). */
#define GIC_IIDR_ARM        0x0000043bu
/* GICD_TYPER.ITLinesNumber (4.3.2): 32 * (N + 1) INTIDs. */
#define GICD_TYPER_ITLINES(num_irqs) ((num_irqs) / 32 - 1)
/* GICv3 GICD_TYPER (12.9.38): IDbits 15 (16-bit INTIDs), A3V, No1N; no LPIs
 * (QEMU also sets LPIS for its ITS, which emu does not model). */
#define GICD_TYPER_V3_IDBITS  (15u << 19)
#define GICD_TYPER_V3_A3V     (1u << 24)
#define GICD_TYPER_V3_NO1N    (1u << 25)
/* GICD_SGIR fields (4.3.15). */
#define GICD_SGIR_FILTER_SHIFT   24
#define GICD_SGIR_TARGETS_SHIFT  16
#define GICD_SGIR_INTID_MASK     0xfu
enum { SGIR_FILTER_LIST = 0, SGIR_FILTER_OTHERS = 1, SGIR_FILTER_SELF = 2 };
#define GIC_CPU0_MASK 0x1u

/* PIDR4-7, PIDR0-3, CIDR0-3 bytes (0xfd0 upward), QEMU's values. */
static const uint8_t gicd_v2_id[12] = { 0x04, 0x00, 0x00, 0x00, 0x90, 0xb4, 0x2b, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };
static const uint8_t gicd_v3_id[12] = { 0x44, 0x00, 0x00, 0x00, 0x92, 0xb4, 0x3b, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

static const gic_bit_reg gicd_bit_regs[7] = {
    GIC_BITS_GROUP, GIC_BITS_SET_ENABLE, GIC_BITS_CLEAR_ENABLE, GIC_BITS_SET_PENDING,
    GIC_BITS_CLEAR_PENDING, GIC_BITS_SET_ACTIVE, GIC_BITS_CLEAR_ACTIVE,
};

static bool v3_private(const gic *g, unsigned intid)
{
    return g->version == GIC_V3 && intid < GIC_NR_PRIVATE;
}

static uint32_t gicd_typer(const gic *g)
{
    uint32_t t = GICD_TYPER_ITLINES(g->num_irqs);  /* CPUNumber 0: one CPU */
    if (g->version == GIC_V3)
        t |= GICD_TYPER_V3_IDBITS | GICD_TYPER_V3_A3V | GICD_TYPER_V3_NO1N;
    return t;
}

static void gicd_sgir_write(gic *g, uint32_t v)
{
    unsigned filter = (v >> GICD_SGIR_FILTER_SHIFT) & 3;
    unsigned targets = (v >> GICD_SGIR_TARGETS_SHIFT) & 0xff;
    bool to_us = (filter == SGIR_FILTER_LIST && (targets & GIC_CPU0_MASK)) || filter == SGIR_FILTER_SELF;
    if (to_us)
        gic_send_sgi(g, v & GICD_SGIR_INTID_MASK);
}

bool gic_dist_read(gic *g, uint64_t offset, unsigned size, uint64_t *val)
{
    bool v3 = g->version == GIC_V3;
    /* Byte-accessible: IPRIORITYR and ITARGETSR (4.1.4); IROUTER 64-bit. */
    if (offset >= GICD_IPRIORITYR && offset < GICD_IPRIORITYR + GICD_PRIORITY_BLOCK &&
        (size == 1 || (size == 4 && offset % 4 == 0))) {
        unsigned first = (unsigned)(offset - GICD_IPRIORITYR);
        *val = v3_private(g, first) ? 0 : gic_priority_read(g, first, size);
        return true;
    }
    if (offset >= GICD_ITARGETSR && offset < GICD_ITARGETSR + GICD_PRIORITY_BLOCK &&
        (size == 1 || (size == 4 && offset % 4 == 0))) {
        /* Uniprocessor GICv2: RAZ/WI (4.3.12); GICv3 with affinity
         * routing: RES0 (IHI 0069 12.9.31), QEMU reads 0. */
        *val = 0;
        return true;
    }
    if (v3 && offset >= GICD_IROUTER + 8 * GIC_NR_PRIVATE && offset < GICD_IROUTER + 8 * 1020ull &&
        (size == 8 || size == 4) && offset % size == 0) {
        unsigned n = (unsigned)((offset - GICD_IROUTER) / 8);
        uint64_t r = n < g->num_irqs ? g->irq[n].route : 0;
        *val = size == 8 ? r : (uint32_t)(r >> (8 * (offset % 8)));
        return true;
    }
    if (size != 4 || offset % 4 != 0)
        return false;
    if (offset >= GICD_IGROUPR && offset < GICD_IGROUPR + 7 * GICD_BITS_BLOCK) {
        unsigned block = (unsigned)((offset - GICD_IGROUPR) / GICD_BITS_BLOCK);
        unsigned first = (unsigned)((offset - GICD_IGROUPR) % GICD_BITS_BLOCK) * 8;
        *val = v3_private(g, first) ? 0 : gic_bits_read(g, gicd_bit_regs[block], first);
        return true;
    }
    if (offset >= GICD_ICFGR && offset < GICD_ICFGR + GICD_CFG_BLOCK) {
        unsigned first = (unsigned)(offset - GICD_ICFGR) * 4;
        *val = v3_private(g, first) ? 0 : gic_cfg_read(g, first);
        return true;
    }
    uint64_t id_base = v3 ? GICD_V3_ID : GICD_V2_ID;
    if (offset >= id_base && offset < id_base + GICD_ID_BLOCK) {
        *val = (v3 ? gicd_v3_id : gicd_v2_id)[(offset - id_base) / 4];
        return true;
    }
    switch (offset) {
    case GICD_CTLR: *val = g->dist_ctlr; return true;
    case GICD_TYPER: *val = gicd_typer(g); return true;
    case GICD_IIDR: *val = GIC_IIDR_ARM; return true;
    }
    if (v3 && (offset == GICD_STATUSR ||
               (offset >= GICD_IGRPMODR && offset < GICD_IGRPMODR + GICD_BITS_BLOCK) ||
               (offset >= GICD_NSACR && offset < GICD_NSACR + GICD_CFG_BLOCK))) {
        *val = 0;
        return true;
    }
    if (!v3 && offset >= GICD_CPENDSGIR && offset < GICD_SPENDSGIR + 0x10) {
        /* One byte per SGI, one bit per source CPU: only CPU 0 exists. */
        unsigned first = (unsigned)(offset & 0xf);
        uint32_t v = 0;
        for (unsigned k = 0; k < 4; k++)
            v |= (uint32_t)g->irq[first + k].pending_latch << (8 * k);
        *val = v;
        return true;
    }
    return false;   /* GICD_SGIR is write-only; the rest is reserved */
}

bool gic_dist_write(gic *g, uint64_t offset, unsigned size, uint64_t val)
{
    bool v3 = g->version == GIC_V3;
    if (offset >= GICD_IPRIORITYR && offset < GICD_IPRIORITYR + GICD_PRIORITY_BLOCK &&
        (size == 1 || (size == 4 && offset % 4 == 0))) {
        unsigned first = (unsigned)(offset - GICD_IPRIORITYR);
        if (!v3_private(g, first))
            gic_priority_write(g, first, size, (uint32_t)val);
        return true;
    }
    if (offset >= GICD_ITARGETSR && offset < GICD_ITARGETSR + GICD_PRIORITY_BLOCK &&
        (size == 1 || (size == 4 && offset % 4 == 0)))
        return true;
    if (v3 && offset >= GICD_IROUTER + 8 * GIC_NR_PRIVATE && offset < GICD_IROUTER + 8 * 1020ull &&
        (size == 8 || size == 4) && offset % size == 0) {
        unsigned n = (unsigned)((offset - GICD_IROUTER) / 8);
        if (n < g->num_irqs) {
            if (size == 8) {
                g->irq[n].route = val;
            } else {
                unsigned shift = 8 * (unsigned)(offset % 8);
                g->irq[n].route = (g->irq[n].route & ~(0xffffffffull << shift)) | ((val & 0xffffffffull) << shift);
            }
            gic_update(g);
        }
        return true;
    }
    if (size != 4 || offset % 4 != 0)
        return false;
    uint32_t v = (uint32_t)val;
    if (offset >= GICD_IGROUPR && offset < GICD_IGROUPR + 7 * GICD_BITS_BLOCK) {
        unsigned block = (unsigned)((offset - GICD_IGROUPR) / GICD_BITS_BLOCK);
        unsigned first = (unsigned)((offset - GICD_IGROUPR) % GICD_BITS_BLOCK) * 8;
        if (!v3_private(g, first))
            gic_bits_write(g, gicd_bit_regs[block], first, v);
        return true;
    }
    if (offset >= GICD_ICFGR && offset < GICD_ICFGR + GICD_CFG_BLOCK) {
        unsigned first = (unsigned)(offset - GICD_ICFGR) * 4;
        if (!v3_private(g, first))
            gic_cfg_write(g, first, v);
        return true;
    }
    switch (offset) {
    case GICD_CTLR:
        if (v3)
            g->dist_ctlr = GICD_CTLR_ARE | GICD_CTLR_DS | (v & (GICD_CTLR_ENABLE_GRP0 | GICD_CTLR_ENABLE_GRP1));
        else
            g->dist_ctlr = v & (GICD_CTLR_ENABLE_GRP0 | GICD_CTLR_ENABLE_GRP1);
        gic_update(g);
        return true;
    case GICD_TYPER:
    case GICD_IIDR:
        return true;    /* read-only */
    }
    if (!v3 && offset == GICD_SGIR) {
        gicd_sgir_write(g, v);
        return true;
    }
    if (!v3 && offset >= GICD_CPENDSGIR && offset < GICD_SPENDSGIR + 0x10) {
        bool set = offset >= GICD_SPENDSGIR;
        unsigned first = (unsigned)(offset & 0xf);
        for (unsigned k = 0; k < 4; k++) {
            if (v & (GIC_CPU0_MASK << (8 * k)))
                g->irq[first + k].pending_latch = set;
        }
        gic_update(g);
        return true;
    }
    if (v3 && (offset == GICD_STATUSR ||
               (offset >= GICD_IGRPMODR && offset < GICD_IGRPMODR + GICD_BITS_BLOCK) ||
               (offset >= GICD_NSACR && offset < GICD_NSACR + GICD_CFG_BLOCK)))
        return true;
    uint64_t id_base = v3 ? GICD_V3_ID : GICD_V2_ID;
    if (offset >= id_base && offset < id_base + GICD_ID_BLOCK)
        return true;
    return false;
}

const char *gic_dist_reg_name(const gic *g, uint64_t offset)
{
    static const char *const bit_names[7] = {
        "GICD_IGROUPR", "GICD_ISENABLER", "GICD_ICENABLER", "GICD_ISPENDR",
        "GICD_ICPENDR", "GICD_ISACTIVER", "GICD_ICACTIVER",
    };
    if (offset >= GICD_IGROUPR && offset < GICD_IGROUPR + 7 * GICD_BITS_BLOCK)
        return bit_names[(offset - GICD_IGROUPR) / GICD_BITS_BLOCK];
    if (offset >= GICD_IPRIORITYR && offset < GICD_IPRIORITYR + GICD_PRIORITY_BLOCK)
        return "GICD_IPRIORITYR";
    if (offset >= GICD_ITARGETSR && offset < GICD_ITARGETSR + GICD_PRIORITY_BLOCK)
        return "GICD_ITARGETSR";
    if (offset >= GICD_ICFGR && offset < GICD_ICFGR + GICD_CFG_BLOCK)
        return "GICD_ICFGR";
    if (g->version == GIC_V3 && offset >= GICD_IROUTER && offset < GICD_IROUTER + 8 * 1020ull)
        return "GICD_IROUTER";
    switch (offset) {
    case GICD_CTLR: return "GICD_CTLR";
    case GICD_TYPER: return "GICD_TYPER";
    case GICD_IIDR: return "GICD_IIDR";
    case GICD_SGIR: return g->version == GIC_V2 ? "GICD_SGIR" : NULL;
    default: return NULL;
    }
}
