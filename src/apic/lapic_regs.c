/*
 * The local APIC register file, one set of rules for both modes (SDM vol. 3,
 * table 11-1 "Local APIC Register Address Map" and table 11-6 "Local APIC
 * Register Address Map Supported by x2APIC"). Where the modes differ (ID and
 * LDR read-only in x2APIC, no DFR, APR or ICR high half there, SELF IPI only
 * there) the difference is a row here, not a second file.
 */
#include "apic/lapic.h"

#include "core/machine.h"
#include "cpu/x86/cpu_features.h"

/* Version register (figure 11-7): version 0x14 (an integrated APIC), max LVT entry 5, as QEMU's `pc`. */
#define LAPIC_VERSION 0x14u
#define LAPIC_MAX_LVT_SHIFT 16
#define LAPIC_VERSION_VALUE (LAPIC_VERSION | ((LAPIC_LVT_COUNT - 1u) << LAPIC_MAX_LVT_SHIFT))

#define XAPIC_ID_MASK      0xff000000u   /* xAPIC ID [31:24] */
#define XAPIC_LDR_MASK     0xff000000u   /* logical APIC ID [31:24] */
#define XAPIC_DFR_RESERVED 0x0fffffffu   /* DFR [27:0] read as ones */
#define XAPIC_ICR_HI_MASK  0xff000000u   /* destination [63:56] */
#define SVR_VALID          0x3ffu        /* vector [7:0], APIC enable [8], focus check [9] */
#define TPR_VALID          0xffu
#define TIMER_DIVIDE_VALID 0xbu          /* bits 0, 1 and 3 (figure 11-10) */
#define ICR_LO_VALID       0x000ccfffu   /* vector, delivery mode, dest mode, level, trigger, shorthand */
#define X2APIC_CLUSTER_SHIFT 4
#define X2APIC_LDR_CLUSTER_SHIFT 16
#define X2APIC_LDR_MEMBER_MASK 0xfu

/* Writable bits of each LVT entry (figure 11-8); the timer's mode bit 18 needs TSC-deadline. */
static uint32_t lvt_valid(const lapic *l, unsigned lvt)
{
    const uint32_t vec_mask = LAPIC_VECTOR_MASK | LAPIC_LVT_MASKED;
    switch (lvt) {
    case LAPIC_LVT_TIMER:
        return vec_mask | (x86_cpu_has(&l->cpu->config, X86_FEAT_TSC_DEADLINE) ? LAPIC_TIMER_MODE_MASK
                                                                                 : 1u << LAPIC_TIMER_MODE_SHIFT);
    case LAPIC_LVT_LINT0:
        return vec_mask | LAPIC_DELMODE_MASK | (1u << 13) /* polarity */ | LAPIC_TRIGGER_LEVEL;
    case LAPIC_LVT_LINT1:
        /* LINT1 is edge-only: "level-sensitive interrupts are not supported for LINT1" (11.5.1). */
        return vec_mask | LAPIC_DELMODE_MASK | (1u << 13);
    case LAPIC_LVT_ERROR:
        return vec_mask;
    default:
        return vec_mask | LAPIC_DELMODE_MASK;
    }
}

static bool is_lvt(unsigned index)
{
    return index >= LAPIC_REG_LVT_TIMER && index <= LAPIC_REG_LVT_ERROR;
}

/* x2APIC logical ID: cluster ID [31:16] = ID[19:4], member bit [15:0] = 1 << ID[3:0] (11.12.10.2). */
uint32_t lapic_x2apic_ldr(const lapic *l)
{
    uint32_t id = l->initial_id;
    return ((id >> X2APIC_CLUSTER_SHIFT) << X2APIC_LDR_CLUSTER_SHIFT) | (1u << (id & X2APIC_LDR_MEMBER_MASK));
}

int lapic_reg_read(lapic *l, unsigned index, uint64_t *val)
{
    bool x2 = lapic_current_mode(l) == LAPIC_MODE_X2APIC;
    *val = 0;
    if (index >= LAPIC_REG_ISR0 && index < LAPIC_REG_ISR0 + 8) {
        *val = l->isr[index - LAPIC_REG_ISR0];
        return 0;
    }
    if (index >= LAPIC_REG_TMR0 && index < LAPIC_REG_TMR0 + 8) {
        *val = l->tmr[index - LAPIC_REG_TMR0];
        return 0;
    }
    if (index >= LAPIC_REG_IRR0 && index < LAPIC_REG_IRR0 + 8) {
        *val = l->irr[index - LAPIC_REG_IRR0];
        return 0;
    }
    if (is_lvt(index)) {
        *val = l->lvt[index - LAPIC_REG_LVT_TIMER];
        return 0;
    }
    switch (index) {
    case LAPIC_REG_ID:
        *val = x2 ? l->initial_id : l->id;
        return 0;
    case LAPIC_REG_VERSION:
        *val = LAPIC_VERSION_VALUE;
        return 0;
    case LAPIC_REG_TPR:
        *val = l->tpr;
        return 0;
    case LAPIC_REG_PPR:
        *val = lapic_ppr(l);
        return 0;
    case LAPIC_REG_APR:
    case LAPIC_REG_RRD:
        return x2 ? -1 : 0;                     /* not in x2APIC (table 11-6); reads 0 in xAPIC */
    case LAPIC_REG_EOI:
        return x2 ? -1 : 0;                     /* write-only */
    case LAPIC_REG_LDR:
        *val = x2 ? lapic_x2apic_ldr(l) : l->ldr;
        return 0;
    case LAPIC_REG_DFR:
        if (x2)
            return -1;
        *val = l->dfr;
        return 0;
    case LAPIC_REG_SVR:
        *val = l->svr;
        return 0;
    case LAPIC_REG_ESR:
        *val = l->esr;
        return 0;
    case LAPIC_REG_ICR_LO:
        *val = x2 ? (uint64_t)l->icr_hi << 32 | l->icr_lo : l->icr_lo;
        return 0;
    case LAPIC_REG_ICR_HI:
        if (x2)
            return -1;                          /* x2APIC: ICR is the one 64-bit MSR 0x830 */
        *val = l->icr_hi;
        return 0;
    case LAPIC_REG_TIMER_INITIAL:
        *val = l->timer_initial;
        return 0;
    case LAPIC_REG_TIMER_CURRENT:
        *val = lapic_timer_current(l);
        return 0;
    case LAPIC_REG_TIMER_DIVIDE:
        *val = l->timer_divide_reg;
        return 0;
    default:
        return -1;                              /* reserved (CMCI: max LVT entry is 5), SELF IPI write-only */
    }
}

/* SVR: clearing the software enable masks every LVT entry (11.4.7.2). */
static void write_svr(lapic *l, uint32_t val)
{
    l->svr = val & SVR_VALID;
    if (!(l->svr & LAPIC_SVR_ENABLE)) {
        for (unsigned i = 0; i < LAPIC_LVT_COUNT; i++)
            l->lvt[i] |= LAPIC_LVT_MASKED;
    }
    lapic_update_intr(l);
}

static void write_lvt(lapic *l, unsigned lvt, uint32_t val)
{
    uint32_t old = l->lvt[lvt];
    uint32_t v = (val & lvt_valid(l, lvt)) | (old & (LAPIC_DELIVERY_STATUS | LAPIC_LVT_REMOTE_IRR));
    /* While software-disabled the masks "cannot be cleared" (11.4.7.2). */
    if (!(l->svr & LAPIC_SVR_ENABLE))
        v |= LAPIC_LVT_MASKED;
    l->lvt[lvt] = v;
    if (lvt == LAPIC_LVT_TIMER)
        lapic_timer_write_lvt(l, old);
    else if (lvt == LAPIC_LVT_LINT0)
        lapic_update_intr(l);                   /* ExtINT may have been unmasked or masked */
}

int lapic_reg_write(lapic *l, unsigned index, uint64_t val64)
{
    bool x2 = lapic_current_mode(l) == LAPIC_MODE_X2APIC;
    /* x2APIC: bits 63:32 are reserved in every MSR but the ICR (11.12.1.2). */
    if (x2 && index != LAPIC_REG_ICR_LO && (val64 >> 32))
        return -1;
    uint32_t val = (uint32_t)val64;
    if (is_lvt(index)) {
        write_lvt(l, index - LAPIC_REG_LVT_TIMER, val);
        return 0;
    }
    switch (index) {
    case LAPIC_REG_ID:
        if (x2)
            return -1;                          /* read-only in x2APIC */
        l->id = val & XAPIC_ID_MASK;
        return 0;
    case LAPIC_REG_TPR:
        l->tpr = val & TPR_VALID;
        lapic_update_intr(l);
        return 0;
    case LAPIC_REG_EOI:
        /* x2APIC: "WRMSR to the EOI register with a non-zero value causes #GP(0)" (11.12.1.2). */
        if (x2 && val)
            return -1;
        lapic_eoi(l);
        return 0;
    case LAPIC_REG_LDR:
        if (x2)
            return -1;                          /* derived from the ID, read-only (11.12.10.2) */
        l->ldr = val & XAPIC_LDR_MASK;
        return 0;
    case LAPIC_REG_DFR:
        if (x2)
            return -1;
        l->dfr = val | XAPIC_DFR_RESERVED;
        return 0;
    case LAPIC_REG_SVR:
        write_svr(l, val);
        return 0;
    case LAPIC_REG_ESR:
        /* x2APIC: a non-zero write is #GP(0); either way the write latches the errors seen since (11.5.3). */
        if (x2 && val)
            return -1;
        l->esr = l->esr_pending;
        l->esr_pending = 0;
        return 0;
    case LAPIC_REG_ICR_LO:
        if (x2) {
            l->icr_lo = val & ICR_LO_VALID;
            l->icr_hi = (uint32_t)(val64 >> 32);
            lapic_send_ipi(l, l->icr_lo, l->icr_hi, true);
        } else {
            l->icr_lo = val & ICR_LO_VALID;
            lapic_send_ipi(l, l->icr_lo, l->icr_hi >> 24, false);
        }
        return 0;
    case LAPIC_REG_ICR_HI:
        if (x2)
            return -1;
        l->icr_hi = val & XAPIC_ICR_HI_MASK;
        return 0;
    case LAPIC_REG_TIMER_INITIAL:
        lapic_timer_write_initial(l, val);
        return 0;
    case LAPIC_REG_TIMER_DIVIDE:
        lapic_timer_write_divide(l, val & TIMER_DIVIDE_VALID);
        return 0;
    case LAPIC_REG_SELF_IPI:
        if (!x2)
            return -1;                          /* x2APIC only (11.12.11) */
        lapic_accept(l, (uint8_t)(val & LAPIC_VECTOR_MASK), false, "self IPI");
        return 0;
    case LAPIC_REG_VERSION:
    case LAPIC_REG_PPR:
    case LAPIC_REG_TIMER_CURRENT:
    case LAPIC_REG_RRD:
    case LAPIC_REG_APR:
        /* Read-only: #GP in x2APIC; the xAPIC ignores the write. APR and RRD are not in x2APIC at all. */
        return x2 ? -1 : 0;
    default:
        if (index >= LAPIC_REG_ISR0 && index < LAPIC_REG_IRR0 + 8)
            return x2 ? -1 : 0;                 /* ISR, TMR, IRR: read-only */
        return -1;
    }
}
