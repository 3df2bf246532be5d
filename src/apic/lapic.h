/*
 * The local APIC (SDM vol. 3, chapter 11 "Advanced Programmable Interrupt
 * Controller"): one register file behind both the xAPIC page (MMIO at
 * IA32_APIC_BASE) and the x2APIC MSRs 0x800-0x8ff, indexed the same way
 * (the xAPIC offset / 16 = the MSR number - 0x800, 11.12.1.2). The APIC is
 * the machine's INTR controller (core/intr.h): it holds INTR while its
 * highest requested vector's priority class beats the PPR, and the CPU's
 * INTA moves that vector from IRR to ISR.
 *
 * One APIC per CPU, reached from the CPU (cpu->apic); IPIs are routed by
 * destination, so a second CPU only adds APICs to the route.
 */
#ifndef EMU_APIC_LAPIC_H
#define EMU_APIC_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

#include "core/events.h"
#include "core/mmio.h"
#include "emu/emu.h"

struct emu_machine;
struct x86_cpu;

/* Register indices: xAPIC offset >> 4, x2APIC MSR - 0x800 (SDM vol. 3, table 11-1 and 11-6). */
enum lapic_reg {
    LAPIC_REG_ID = 0x02,
    LAPIC_REG_VERSION = 0x03,
    LAPIC_REG_TPR = 0x08,
    LAPIC_REG_APR = 0x09,
    LAPIC_REG_PPR = 0x0a,
    LAPIC_REG_EOI = 0x0b,
    LAPIC_REG_RRD = 0x0c,
    LAPIC_REG_LDR = 0x0d,
    LAPIC_REG_DFR = 0x0e,
    LAPIC_REG_SVR = 0x0f,
    LAPIC_REG_ISR0 = 0x10,      /* ISR 0x10-0x17, TMR 0x18-0x1f, IRR 0x20-0x27 */
    LAPIC_REG_TMR0 = 0x18,
    LAPIC_REG_IRR0 = 0x20,
    LAPIC_REG_ESR = 0x28,
    LAPIC_REG_LVT_CMCI = 0x2f,
    LAPIC_REG_ICR_LO = 0x30,
    LAPIC_REG_ICR_HI = 0x31,
    LAPIC_REG_LVT_TIMER = 0x32,
    LAPIC_REG_LVT_THERMAL = 0x33,
    LAPIC_REG_LVT_PERF = 0x34,
    LAPIC_REG_LVT_LINT0 = 0x35,
    LAPIC_REG_LVT_LINT1 = 0x36,
    LAPIC_REG_LVT_ERROR = 0x37,
    LAPIC_REG_TIMER_INITIAL = 0x38,
    LAPIC_REG_TIMER_CURRENT = 0x39,
    LAPIC_REG_TIMER_DIVIDE = 0x3e,
    LAPIC_REG_SELF_IPI = 0x3f,  /* x2APIC only */
    LAPIC_REG_COUNT = 0x40,
};

/* The LVT entries in register order (timer ... error). */
enum lapic_lvt {
    LAPIC_LVT_TIMER, LAPIC_LVT_THERMAL, LAPIC_LVT_PERF, LAPIC_LVT_LINT0, LAPIC_LVT_LINT1,
    LAPIC_LVT_ERROR, LAPIC_LVT_COUNT,
};

/* LVT and ICR fields (SDM vol. 3, figures 11-8 and 11-12). */
#define LAPIC_VECTOR_MASK        0xffu
#define LAPIC_DELMODE_SHIFT      8
#define LAPIC_DELMODE_MASK       (7u << LAPIC_DELMODE_SHIFT)
#define LAPIC_DELMODE_FIXED      0u
#define LAPIC_DELMODE_LOWEST     1u
#define LAPIC_DELMODE_SMI        2u
#define LAPIC_DELMODE_NMI        4u
#define LAPIC_DELMODE_INIT       5u
#define LAPIC_DELMODE_STARTUP    6u
#define LAPIC_DELMODE_EXTINT     7u
#define LAPIC_DESTMODE_LOGICAL   (1u << 11)
#define LAPIC_DELIVERY_STATUS    (1u << 12)
#define LAPIC_LVT_REMOTE_IRR     (1u << 14)
#define LAPIC_ICR_LEVEL_ASSERT   (1u << 14)
#define LAPIC_TRIGGER_LEVEL      (1u << 15)
#define LAPIC_LVT_MASKED         (1u << 16)
#define LAPIC_TIMER_MODE_SHIFT   17
#define LAPIC_TIMER_MODE_MASK    (3u << LAPIC_TIMER_MODE_SHIFT)
#define LAPIC_TIMER_ONESHOT      0u
#define LAPIC_TIMER_PERIODIC     1u
#define LAPIC_TIMER_TSC_DEADLINE 2u
#define LAPIC_ICR_SHORTHAND_SHIFT 18
#define LAPIC_ICR_SHORTHAND_MASK (3u << LAPIC_ICR_SHORTHAND_SHIFT)
#define LAPIC_SHORTHAND_NONE     0u
#define LAPIC_SHORTHAND_SELF     1u
#define LAPIC_SHORTHAND_ALL      2u
#define LAPIC_SHORTHAND_OTHERS   3u

/* SVR (figure 11-23): spurious vector [7:0], APIC software enable [8], focus check [9], EOI-broadcast suppression [12]. */
#define LAPIC_SVR_ENABLE         (1u << 8)

/* ESR (figure 11-9). */
#define LAPIC_ESR_SEND_ILLEGAL_VECTOR (1u << 5)
#define LAPIC_ESR_RECV_ILLEGAL_VECTOR (1u << 6)
#define LAPIC_ESR_ILLEGAL_REGISTER    (1u << 7)

#define LAPIC_MMIO_SIZE 0x1000u
#define LAPIC_NO_VECTOR (-1)

/* The 8259 behind LINT0 (ExtINT) and, with the APIC globally disabled, behind INTR itself. */
typedef struct lapic_legacy_pic {
    bool (*int_asserted)(void *ctx);    /* the 8259's INT output */
    int (*acknowledge)(void *ctx, char *why, unsigned why_len); /* its INTA: vector, and what chose it */
    void *ctx;
} lapic_legacy_pic;

/* Level-triggered EOIs go back to the I/O APIC (11.8.5). */
typedef void (*lapic_eoi_broadcast_fn)(void *ctx, uint8_t vector);

typedef enum lapic_mode {
    LAPIC_MODE_DISABLED,        /* IA32_APIC_BASE.EN = 0 */
    LAPIC_MODE_XAPIC,
    LAPIC_MODE_X2APIC,
} lapic_mode;

typedef struct lapic {
    struct emu_machine *m;
    struct x86_cpu *cpu;
    uint32_t initial_id;        /* the APIC ID hardware assigns (CPUID.1:EBX[31:24], CPUID.0BH:EDX) */

    uint32_t id;                /* the xAPIC ID register (ID in bits 31:24) */
    uint32_t tpr, ldr, dfr, svr;
    uint32_t esr, esr_pending;  /* ESR reads what the last ESR write latched from esr_pending */
    uint32_t irr[8], isr[8], tmr[8];
    const char *irr_source[256];/* who requested each vector in IRR, for the trap record */
    uint32_t lvt[LAPIC_LVT_COUNT];
    uint32_t icr_lo, icr_hi;

    /* Timer (11.5.4): counts down by one every `divide` machine cycles from `timer_start`. */
    uint32_t timer_initial, timer_divide_reg;
    uint64_t timer_start;       /* cycle at which the count held timer_count_base */
    uint32_t timer_count_base;
    bool timer_running;         /* one-shot or periodic count in progress */
    uint64_t tsc_deadline;      /* IA32_TSC_DEADLINE; 0: disarmed */
    machine_timer timer;

    bool lint0_level;           /* the LINT0 pin (the 8259's INT) */
    bool lint1_level;
    lapic_legacy_pic pic;
    lapic_eoi_broadcast_fn eoi_broadcast;
    void *eoi_ctx;

    machine_mmio mmio;          /* the xAPIC page, mapped while in xAPIC mode */
} lapic;

/* Create the CPU's APIC in its power-on state (xAPIC, enabled, software-disabled) and make it the INTR controller. */
lapic *lapic_create(struct emu_machine *m, struct x86_cpu *cpu, uint32_t apic_id);
void lapic_destroy(lapic *l);

/* The power-on / disable state of the register file (11.4.7.1); keeps the ID. */
void lapic_reset_registers(lapic *l);

lapic_mode lapic_current_mode(const lapic *l);

/* Register access by index, shared by both modes. Return 0, or -1 for an access the mode forbids
 * (x2APIC: the caller raises #GP(0); xAPIC: ESR records an illegal register and reads are 0). */
int lapic_reg_read(lapic *l, unsigned index, uint64_t *val);
int lapic_reg_write(lapic *l, unsigned index, uint64_t val);

/* IA32_APIC_BASE: 0, or -1 for an illegal value or mode transition (#GP(0)). 11.4.4, 11.12.5. */
int lapic_write_apic_base(lapic *l, uint64_t val);

/* x2APIC MSRs 0x800-0x8ff and IA32_TSC_DEADLINE: 0, or -1 for #GP(0). */
int lapic_msr_read(lapic *l, uint32_t msr, uint64_t *val);
int lapic_msr_write(lapic *l, uint32_t msr, uint64_t val);
int lapic_tsc_deadline_read(lapic *l, uint64_t *val);
int lapic_tsc_deadline_write(lapic *l, uint64_t val);

/* TPR through CR8: TPR[7:4] (SDM vol. 3, 11.8.6.1 and 2.5). */
uint64_t lapic_cr8_read(const lapic *l);
void lapic_cr8_write(lapic *l, uint64_t val);

/* An interrupt message for this APIC (fixed delivery): sets IRR, or the illegal-vector error. */
void lapic_accept(lapic *l, uint8_t vector, bool level, const char *source);

/* The LINT pins (LVT LINT0/LINT1 decide what an edge or level means). */
void lapic_set_lint(lapic *l, unsigned pin, bool level);

/* INTA (the machine_intc hook): the vector to deliver, with its source and the IRR/ISR/PPR change in rec->source. */
int lapic_acknowledge(lapic *l, emu_trap *rec);

/* EOI (11.8.5): retire the highest ISR vector. */
void lapic_eoi(lapic *l);

/* Record an error in ESR and raise the error LVT (11.5.3). */
void lapic_error(lapic *l, uint32_t esr_bit);

/* Re-evaluate the INTR output after any change of IRR, ISR, TPR or LINT0 (11.8.3.1). */
void lapic_update_intr(lapic *l);

/* The x2APIC logical ID, derived from the ID (11.12.10.2). */
uint32_t lapic_x2apic_ldr(const lapic *l);

/* PPR (11.8.3.1). */
uint32_t lapic_ppr(const lapic *l);

/* Does an interrupt message's destination (physical APIC ID or logical) select this APIC? (11.6.2) */
bool lapic_selected_by(const lapic *l, uint32_t dest, bool logical);

/* ICR write: send the IPI it describes (11.6.1). */
void lapic_send_ipi(lapic *l, uint32_t icr_lo, uint32_t dest, bool x2apic_dest);

/* Timer (lapic_timer.c). */
void lapic_timer_init(lapic *l);
uint32_t lapic_timer_current(const lapic *l);
void lapic_timer_write_initial(lapic *l, uint32_t count);
void lapic_timer_write_lvt(lapic *l, uint32_t old_lvt);
void lapic_timer_write_divide(lapic *l, uint32_t val);
void lapic_timer_stop(lapic *l);

/* The xAPIC page follows IA32_APIC_BASE and the mode (lapic_mmio.c). */
int lapic_mmio_init(lapic *l);
void lapic_mmio_update(lapic *l);

#endif
