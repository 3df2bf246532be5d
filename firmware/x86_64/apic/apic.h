/*
 * The local APIC as the lesson uses it: one set of accessors over both
 * modes (the xAPIC page at 0xfee00000, or the x2APIC MSRs 0x800 + reg),
 * as the SDM's register index makes possible (vol. 3, 11.12.1.2).
 */
#ifndef FW_APIC_APIC_H
#define FW_APIC_APIC_H

#include <stdbool.h>
#include <stdint.h>

#define MSR_APIC_BASE    0x1b
#define MSR_TSC_DEADLINE 0x6e0
#define APIC_BASE_EN     (1u << 11)
#define APIC_BASE_EXTD   (1u << 10)
#define XAPIC_BASE       0xfee00000ul
#define X2APIC_MSR(reg)  (0x800u + (reg))

/* Register indices: xAPIC offset / 16 (table 11-1). */
enum {
    APIC_ID = 0x02, APIC_VERSION = 0x03, APIC_TPR = 0x08, APIC_PPR = 0x0a, APIC_EOI = 0x0b, APIC_LDR = 0x0d,
    APIC_SVR = 0x0f, APIC_IRR = 0x20, APIC_ESR = 0x28, APIC_ICR = 0x30, APIC_ICR_HI = 0x31,
    APIC_LVT_TIMER = 0x32, APIC_LVT_LINT0 = 0x35, APIC_LVT_LINT1 = 0x36, APIC_LVT_ERROR = 0x37,
    APIC_TIMER_INITIAL = 0x38, APIC_TIMER_CURRENT = 0x39, APIC_TIMER_DIVIDE = 0x3e, APIC_SELF_IPI = 0x3f,
};

#define APIC_SVR_ENABLE      (1u << 8)
#define APIC_LVT_MASKED      (1u << 16)
#define APIC_TIMER_PERIODIC  (1u << 17)
#define APIC_TIMER_DEADLINE  (2u << 17)
#define APIC_DELMODE_NMI     (4u << 8)
#define APIC_DELMODE_EXTINT  (7u << 8)
#define APIC_SHORTHAND_SELF  (1u << 18)
#define APIC_DIVIDE_16       0x3u

extern bool apic_x2;            /* the mode the accessors use */

uint64_t rdmsr(uint32_t msr);
void wrmsr(uint32_t msr, uint64_t value);

uint32_t apic_read(unsigned reg);
void apic_write(unsigned reg, uint32_t value);
void apic_eoi(void);

/* A fixed self-IPI: ICR with the self shorthand (xAPIC), the SELF IPI MSR (x2APIC). */
void apic_self_ipi(uint8_t vector);

/* Is vector requested (its IRR bit)? */
bool apic_irr_has(uint8_t vector);

/* Map the 4th GiB (I/O APIC, local APIC, pc-testdev window), which the boot map leaves out. */
void map_high_io(void);

#endif
