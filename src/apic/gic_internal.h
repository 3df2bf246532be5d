/*
 * Shared by the GIC's files: the interrupt state machine (gic_core.c) that
 * the distributor, redistributor and both CPU interfaces drive.
 */
#ifndef EMU_APIC_GIC_INTERNAL_H
#define EMU_APIC_GIC_INTERNAL_H

#include "apic/gic.h"

/* GICD_CTLR (IHI 0048B 4.3.1; IHI 0069 12.9.4 with DS=1). */
#define GICD_CTLR_ENABLE_GRP0   (1u << 0)
#define GICD_CTLR_ENABLE_GRP1   (1u << 1)
#define GICD_CTLR_ARE           (1u << 4)
#define GICD_CTLR_DS            (1u << 6)

/* GICC_CTLR without the Security Extensions (IHI 0048B 4.4.1, table 4-31). */
#define GICC_CTLR_ENABLE_GRP0   (1u << 0)
#define GICC_CTLR_ENABLE_GRP1   (1u << 1)
#define GICC_CTLR_ACKCTL        (1u << 2)
#define GICC_CTLR_FIQEN         (1u << 3)
#define GICC_CTLR_CBPR          (1u << 4)
#define GICC_CTLR_EOIMODE       (1u << 9)
#define GICC_CTLR_MASK          0x7ffu

/* ICC_CTLR_EL1 (IHI 0069 12.2.6). */
#define ICC_CTLR_CBPR           (1u << 0)
#define ICC_CTLR_EOIMODE        (1u << 1)
#define ICC_CTLR_PRIBITS_SHIFT  8
#define ICC_CTLR_IDBITS_SHIFT   11
#define ICC_CTLR_A3V            (1u << 15)

/* Priority bits each version's CPU interface implements, as QEMU 7.2:
 * GICv2 all 8 (GICC_PMR reads back 0xff), GICv3 5 (ICC_PMR_EL1 reads back
 * 0xf8, ICC_CTLR_EL1.PRIbits = 4). */
#define GIC_V2_PRIORITY_BITS    8
#define GIC_V3_PRIORITY_BITS    5

/* Is the interrupt pending (IHI 0048B 1.4.2: latch, or level input). */
bool gic_irq_is_pending(const gic_irq *irq);

/* Recompute the IRQ/FIQ outputs; every writer of GIC state calls this. */
void gic_update(gic *g);

/* The highest-priority pending interrupt eligible for this CPU, ignoring
 * the CPU interface's mask and running priority (what HPPIR reports), or
 * GIC_INTID_SPURIOUS. */
unsigned gic_highest_pending(const gic *g);

/* May intid be signalled now: group enabled at the CPU interface, priority
 * above PMR and its group priority above the running priority (preemption,
 * IHI 0048B 3.3.3, IHI 0069 4.8.5)? */
bool gic_can_signal(const gic *g, unsigned intid);

/* Acknowledge intid: active, latch cleared, its group priority now running
 * (IHI 0048B 3.2.4, IHI 0069 4.1.1). */
void gic_activate(gic *g, unsigned intid);

/* End of interrupt: drop the running priority; deactivate too unless
 * EOImode is set (then a DIR write deactivates). group is the group the
 * EOI register serves (GICv3 ICC_EOIR0/1: nothing happens unless the
 * running priority belongs to that group), or GIC_EOI_ANY_GROUP (GICv2
 * GICC_EOIR). */
#define GIC_EOI_ANY_GROUP (-1)
void gic_end_of_interrupt(gic *g, unsigned intid, bool eoimode, int group);
void gic_deactivate(gic *g, unsigned intid);

uint8_t gic_running_priority(const gic *g);
uint8_t gic_group_priority(const gic *g, unsigned intid);
uint8_t gic_priority_mask_bits(const gic *g);      /* PMR/priority bits implemented */

/* The 1-bit-per-interrupt registers (IGROUPR, IS/ICENABLER, IS/ICPENDR,
 * IS/ICACTIVER) for the 32 interrupts from `first`. */
typedef enum gic_bit_reg {
    GIC_BITS_GROUP,
    GIC_BITS_SET_ENABLE,
    GIC_BITS_CLEAR_ENABLE,
    GIC_BITS_SET_PENDING,
    GIC_BITS_CLEAR_PENDING,
    GIC_BITS_SET_ACTIVE,
    GIC_BITS_CLEAR_ACTIVE,
} gic_bit_reg;

uint32_t gic_bits_read(const gic *g, gic_bit_reg reg, unsigned first);
void gic_bits_write(gic *g, gic_bit_reg reg, unsigned first, uint32_t val);

/* ICFGR for the 16 interrupts from `first` (2 bits each). */
uint32_t gic_cfg_read(const gic *g, unsigned first);
void gic_cfg_write(gic *g, unsigned first, uint32_t val);

/* IPRIORITYR bytes from `first`, `count` of them (1..4), little-endian. */
uint32_t gic_priority_read(const gic *g, unsigned first, unsigned count);
void gic_priority_write(gic *g, unsigned first, unsigned count, uint32_t val);

/* Make an SGI pending (GICD_SGIR / ICC_SGI1R_EL1 targeting this CPU). */
void gic_send_sgi(gic *g, unsigned sgi);

#endif
