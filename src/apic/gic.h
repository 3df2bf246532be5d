/*
 * The Arm Generic Interrupt Controller of the virt machine, for one CPU:
 * GICv2 (ARM IHI 0048B: distributor + memory-mapped CPU interface) or GICv3
 * (ARM IHI 0069: distributor + redistributor + system-register CPU
 * interface), chosen at creation like QEMU's -M virt,gic-version=2|3.
 * Neither version implements the Security Extensions (as QEMU's virt without
 * secure=on): one security state, GICD_CTLR.DS=1 on GICv3.
 *
 * Devices raise and lower INTIDs with gic_set_irq (it is an irq_line_fn).
 * The CPU polls gic_irq_pending()/gic_fiq_pending() between instructions;
 * the answer is recomputed whenever any GIC state changes (gic_update), so a
 * poll is a load. INTIDs: SGIs 0-15, PPIs 16-31, SPIs 32 and up; 1023 is the
 * spurious INTID (IHI 0048B 3.2.5, IHI 0069 2.2.1).
 */
#ifndef EMU_APIC_GIC_H
#define EMU_APIC_GIC_H

#include <stdbool.h>
#include <stdint.h>

typedef enum gic_version {
    GIC_V2 = 2,
    GIC_V3 = 3,
} gic_version;

#define GIC_NR_SGIS          16
#define GIC_NR_PRIVATE       32         /* SGIs and PPIs */
#define GIC_MAX_IRQS         288        /* QEMU virt GICv2: 256 SPIs + 32 */
#define GIC_V2_NUM_IRQS      288        /* GICD_TYPER.ITLinesNumber 8, as QEMU 7.2 */
#define GIC_V3_NUM_IRQS      256        /* GICD_TYPER.ITLinesNumber 7, as QEMU 7.2 */
#define GIC_INTID_SPURIOUS   1023
#define GIC_INTID_GROUP1     1022       /* GICv2 IAR/HPPIR: a Group 1 interrupt with AckCtl=0 */
#define GIC_PRIORITY_IDLE    0xff       /* running priority with nothing active */

/* One interrupt's state (IHI 0048B 1.4.2, IHI 0069 1.2.2). Pending is the
 * latch (edge, or set by ISPENDR) OR, for a level-sensitive interrupt, the
 * input line. */
typedef struct gic_irq {
    uint8_t priority;
    bool group1;
    bool enabled;
    bool pending_latch;
    bool active;
    bool line;                  /* input level from the device */
    bool edge;                  /* ICFGR Int_config[1]: 1 edge, 0 level */
    uint64_t route;             /* GICv3 GICD_IROUTER<n> (SPIs) */
} gic_irq;

typedef struct gic {
    gic_version version;
    unsigned num_irqs;

    /* distributor */
    uint32_t dist_ctlr;         /* GICD_CTLR: EnableGrp0/1 (+ ARE, DS on v3) */
    gic_irq irq[GIC_MAX_IRQS];

    /* GICv3 redistributor */
    bool processor_sleep;       /* GICR_WAKER.ProcessorSleep */

    /* CPU interface (GICC_* on v2, ICC_*_EL1 on v3) */
    uint32_t cpu_ctlr;          /* GICC_CTLR / ICC_CTLR_EL1 writable bits */
    bool igrpen0, igrpen1;      /* v3 ICC_IGRPEN0/1_EL1 (v2: GICC_CTLR bits 0/1) */
    uint8_t pmr;                /* priority mask */
    uint8_t bpr0, bpr1;         /* GICC_BPR/ICC_BPR0, GICC_ABPR/ICC_BPR1 */
    uint64_t sre;               /* ICC_SRE_EL1 */
    /* Active priorities per group (GICC_APRn/NSAPRn, ICC_AP0Rn/AP1Rn): one
     * bit per group priority value with an interrupt acknowledged and not
     * yet priority-dropped. The running priority is the lowest set bit of
     * either group. */
    uint64_t apr[2][4];

    /* outputs, recomputed by gic_update() on every state change */
    bool irq_out, fiq_out;
} gic;

/* Reset to the state QEMU 7.2's -M virt shows after reset. */
void gic_init(gic *g, gic_version version);

/* Input line from a device (PL011, timer); an irq_line_fn. INTIDs outside
 * 16..num_irqs-1 are ignored (a wiring bug, caught by the platform tests). */
void gic_set_irq(void *gic_ctx, unsigned intid, bool level);

/* An injected interrupt (emu --inject): INTID intid made pending as a write of its GICD_ISPENDR /
 * GICR_ISPENDR0 bit would (IHI 0048B 4.3.7, IHI 0069 12.9.22), a PPI or an SPI. false for an INTID
 * outside 16..num_irqs-1 (then nothing changes); with check_only, only answer that. */
bool gic_inject(void *gic_ctx, unsigned intid, bool check_only);

/* The outputs the CPU polls: an interrupt is pending that may preempt (IHI
 * 0048B 3.2.1 / IHI 0069 4.8.4). */
static inline bool gic_irq_pending(const gic *g) { return g->irq_out; }
static inline bool gic_fiq_pending(const gic *g) { return g->fiq_out; }

/*
 * MMIO. offset is from the frame's base (GICD: VIRT_GIC_DIST_BASE; GICC:
 * VIRT_GIC_CPU_BASE, GICv2 only; GICR: VIRT_GIC_REDIST_BASE, GICv3 only,
 * covering RD_base and SGI_base, 128 KiB). size is 1, 2, 4 or 8 bytes.
 * false: no register at that offset/width for this version, the caller
 * stops the machine naming the frame and offset.
 */
bool gic_dist_read(gic *g, uint64_t offset, unsigned size, uint64_t *val);
bool gic_dist_write(gic *g, uint64_t offset, unsigned size, uint64_t val);
bool gicv2_cpu_read(gic *g, uint64_t offset, unsigned size, uint64_t *val);
bool gicv2_cpu_write(gic *g, uint64_t offset, unsigned size, uint64_t val);
bool gicv3_redist_read(gic *g, uint64_t offset, unsigned size, uint64_t *val);
bool gicv3_redist_write(gic *g, uint64_t offset, unsigned size, uint64_t val);

/*
 * GICv3 CPU interface system registers (IHI 0069 12.2), for the MRS/MSR
 * table. Reads that have side effects (IAR) take the GIC non-const.
 * A GICv2 GIC has none of these: the table must not route them there.
 */
uint64_t gicv3_icc_iar1_read(gic *g);               /* ICC_IAR1_EL1 */
uint64_t gicv3_icc_iar0_read(gic *g);               /* ICC_IAR0_EL1 */
void gicv3_icc_eoir1_write(gic *g, uint64_t val);   /* ICC_EOIR1_EL1 */
void gicv3_icc_eoir0_write(gic *g, uint64_t val);   /* ICC_EOIR0_EL1 */
void gicv3_icc_dir_write(gic *g, uint64_t val);     /* ICC_DIR_EL1 */
uint64_t gicv3_icc_hppir1_read(const gic *g);       /* ICC_HPPIR1_EL1 */
uint64_t gicv3_icc_hppir0_read(const gic *g);       /* ICC_HPPIR0_EL1 */
uint64_t gicv3_icc_rpr_read(const gic *g);          /* ICC_RPR_EL1 */
uint64_t gicv3_icc_pmr_read(const gic *g);          /* ICC_PMR_EL1 */
void gicv3_icc_pmr_write(gic *g, uint64_t val);
uint64_t gicv3_icc_bpr1_read(const gic *g);         /* ICC_BPR1_EL1 */
void gicv3_icc_bpr1_write(gic *g, uint64_t val);
uint64_t gicv3_icc_bpr0_read(const gic *g);         /* ICC_BPR0_EL1 */
void gicv3_icc_bpr0_write(gic *g, uint64_t val);
uint64_t gicv3_icc_ctlr_read(const gic *g);         /* ICC_CTLR_EL1 */
void gicv3_icc_ctlr_write(gic *g, uint64_t val);
uint64_t gicv3_icc_sre_read(const gic *g);          /* ICC_SRE_EL1 */
void gicv3_icc_sre_write(gic *g, uint64_t val);
uint64_t gicv3_icc_igrpen1_read(const gic *g);      /* ICC_IGRPEN1_EL1 */
void gicv3_icc_igrpen1_write(gic *g, uint64_t val);
uint64_t gicv3_icc_igrpen0_read(const gic *g);      /* ICC_IGRPEN0_EL1 */
void gicv3_icc_igrpen0_write(gic *g, uint64_t val);
void gicv3_icc_sgi1r_write(gic *g, uint64_t val);   /* ICC_SGI1R_EL1 */

/* Name of the register at a frame offset, for stop messages ("GICD_CTLR"). */
const char *gic_dist_reg_name(const gic *g, uint64_t offset);

#endif
