/*
 * The Arm generic timer of CPU 0 (Arm ARM DDI 0487, chapter D11 "The Generic
 * Timer in AArch64 state"): the system counter (CNTPCT_EL0, CNTVCT_EL0 =
 * CNTPCT - CNTVOFF_EL2) and four timers, each CTL/CVAL/TVAL: EL1 physical
 * (CNTP_*), virtual (CNTV_*), EL2 physical (CNTHP_*) and secure physical
 * (CNTPS_*). Each timer's output is a level-sensitive PPI to the GIC, wired
 * as QEMU's virt does (INTIDs 30, 27, 26, 29).
 *
 * Time is the machine's modelled cycle count, passed in by the caller on
 * every access: the counter advances one tick every GTIMER_CYCLES_PER_TICK
 * cycles. Host time is never read.
 */
#ifndef EMU_APIC_GTIMER_H
#define EMU_APIC_GTIMER_H

#include <stdbool.h>
#include <stdint.h>

#include "apic/irq_line.h"

/* CNTFRQ_EL0 as QEMU 7.2 sets it for -M virt -cpu cortex-a57: 62.5 MHz
 * (QEMU's GTIMER_SCALE of 16 ns per tick; read back with MRS on QEMU 7.2).
 * Later QEMU versions use 1 GHz for new CPU models; the a57 keeps 62.5. */
#define GTIMER_CNTFRQ_HZ        62500000u
/* The modelled core runs at 1 GHz (one cycle per nanosecond), so one
 * counter tick is 16 modelled cycles. */
#define GTIMER_CYCLES_PER_TICK  16u

/* CNT*_CTL_EL0 bits (D11.2.3 / D19 register descriptions). */
#define GTIMER_CTL_ENABLE       (1u << 0)
#define GTIMER_CTL_IMASK        (1u << 1)
#define GTIMER_CTL_ISTATUS      (1u << 2)

typedef enum gtimer_index {
    GTIMER_PHYS,                /* CNTP_*_EL0: EL1 physical, INTID 30 */
    GTIMER_VIRT,                /* CNTV_*_EL0: virtual, INTID 27 */
    GTIMER_HYP,                 /* CNTHP_*_EL2: EL2 physical, INTID 26 */
    GTIMER_SEC,                 /* CNTPS_*_EL1: secure physical, INTID 29 */
    GTIMER_COUNT
} gtimer_index;

typedef struct gtimer_channel {
    uint32_t ctl;               /* ENABLE and IMASK; ISTATUS is computed */
    uint64_t cval;
    irq_line irq;
    bool level;                 /* output as last driven */
} gtimer_channel;

typedef struct gtimer {
    uint32_t cntfrq;            /* CNTFRQ_EL0: the frequency software is told */
    uint64_t cntvoff;           /* CNTVOFF_EL2 */
    gtimer_channel ch[GTIMER_COUNT];
} gtimer;

/* Reset: CNTFRQ = GTIMER_CNTFRQ_HZ, timers disabled. irq[i] is timer i's
 * output line (gic_set_irq with the INTIDs above on virt). */
void gtimer_init(gtimer *t, const irq_line irq[GTIMER_COUNT]);

uint64_t gtimer_cntpct(const gtimer *t, uint64_t cycles);   /* CNTPCT_EL0 */
uint64_t gtimer_cntvct(const gtimer *t, uint64_t cycles);   /* CNTVCT_EL0 */

uint64_t gtimer_read_ctl(const gtimer *t, gtimer_index i, uint64_t cycles);
void gtimer_write_ctl(gtimer *t, gtimer_index i, uint64_t cycles, uint64_t val);
uint64_t gtimer_read_cval(const gtimer *t, gtimer_index i);
void gtimer_write_cval(gtimer *t, gtimer_index i, uint64_t cycles, uint64_t val);
uint64_t gtimer_read_tval(const gtimer *t, gtimer_index i, uint64_t cycles);
void gtimer_write_tval(gtimer *t, gtimer_index i, uint64_t cycles, uint64_t val);
void gtimer_write_cntvoff(gtimer *t, uint64_t cycles, uint64_t val);

/* Re-evaluate every timer's condition at `cycles` and drive the PPIs. The
 * machine calls this when the clock reaches gtimer_next_event(). */
void gtimer_update(gtimer *t, uint64_t cycles);

/* The first cycle at or after `cycles` at which an enabled timer's
 * condition becomes true, or UINT64_MAX if none will. */
uint64_t gtimer_next_event(const gtimer *t, uint64_t cycles);

#endif
