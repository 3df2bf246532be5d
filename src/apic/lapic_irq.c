/*
 * Interrupt acceptance and priority in the local APIC (SDM vol. 3, 11.8
 * "Handling Interrupts"): IRR/ISR/TMR, the processor priority (PPR), INTR
 * while the highest requested class beats it, INTA moving IRR to ISR, EOI,
 * the error status register, and the LINT pins with their LVT entries.
 */
#include <stdio.h>
#include <string.h>

#include "apic/lapic.h"
#include "core/intr.h"
#include "core/machine.h"

#define VECTOR_CLASS(v) ((uint32_t)(v) & 0xf0u)
#define FIRST_LEGAL_VECTOR 16           /* vectors 0-15 are illegal for fixed delivery (11.5.2) */
#define SVR_SPURIOUS_VECTOR_MASK 0xffu

static void bit_set(uint32_t *bits, unsigned v) { bits[v / 32] |= 1u << (v % 32); }
static void bit_clear(uint32_t *bits, unsigned v) { bits[v / 32] &= ~(1u << (v % 32)); }
static bool bit_test(const uint32_t *bits, unsigned v) { return (bits[v / 32] >> (v % 32)) & 1u; }

static int highest(const uint32_t *bits)
{
    for (int w = 7; w >= 0; w--)
        if (bits[w])
            return w * 32 + 31 - __builtin_clz(bits[w]);
    return LAPIC_NO_VECTOR;
}

static bool software_enabled(const lapic *l)
{
    return (l->svr & LAPIC_SVR_ENABLE) != 0;
}

/* 11.8.3.1: PPR = TPR if TPR[7:4] >= ISRV[7:4], else ISRV[7:4] with [3:0] zero. */
uint32_t lapic_ppr(const lapic *l)
{
    int isrv = highest(l->isr);
    uint32_t isr_class = isrv < 0 ? 0 : VECTOR_CLASS(isrv);
    return VECTOR_CLASS(l->tpr) >= isr_class ? l->tpr & 0xffu : isr_class;
}

/* The highest IRR vector is presented only if its class is above the PPR's (11.8.3.1). */
static int presentable(const lapic *l)
{
    /* A software-disabled APIC holds IRR but presents nothing (11.4.7.2; QEMU and KVM agree). */
    if (!software_enabled(l))
        return LAPIC_NO_VECTOR;
    int irrv = highest(l->irr);
    if (irrv < 0 || VECTOR_CLASS(irrv) <= VECTOR_CLASS(lapic_ppr(l)))
        return LAPIC_NO_VECTOR;
    return irrv;
}

static uint32_t lvt_delivery_mode(uint32_t lvt)
{
    return (lvt & LAPIC_DELMODE_MASK) >> LAPIC_DELMODE_SHIFT;
}

/* LINT0 in ExtINT mode, unmasked, with the 8259's INT high: the 8259 supplies the vector (11.5.1). */
static bool extint_pending(const lapic *l)
{
    uint32_t lvt = l->lvt[LAPIC_LVT_LINT0];
    return l->pic.int_asserted && !(lvt & LAPIC_LVT_MASKED) && lvt_delivery_mode(lvt) == LAPIC_DELMODE_EXTINT &&
           l->pic.int_asserted(l->pic.ctx);
}

/* With IA32_APIC_BASE.EN = 0 the APIC is out of the path: the 8259's INT is INTR (11.4.3). */
static bool pic_drives_intr(const lapic *l)
{
    return lapic_current_mode(l) == LAPIC_MODE_DISABLED;
}

void lapic_update_intr(lapic *l)
{
    bool asserted;
    if (pic_drives_intr(l))
        asserted = l->pic.int_asserted && l->pic.int_asserted(l->pic.ctx);
    else
        asserted = extint_pending(l) || presentable(l) >= 0;
    machine_set_intr(l->m, asserted);
}

void lapic_error(lapic *l, uint32_t esr_bit)
{
    l->esr_pending |= esr_bit;
    uint32_t lvt = l->lvt[LAPIC_LVT_ERROR];
    if (lvt & LAPIC_LVT_MASKED)
        return;
    uint8_t vector = (uint8_t)(lvt & LAPIC_VECTOR_MASK);
    if (vector < FIRST_LEGAL_VECTOR)
        l->esr_pending |= LAPIC_ESR_RECV_ILLEGAL_VECTOR;   /* the error interrupt's own error: no loop */
    else
        lapic_accept(l, vector, false, "APIC error");
}

void lapic_accept(lapic *l, uint8_t vector, bool level, const char *source)
{
    if (lapic_current_mode(l) == LAPIC_MODE_DISABLED)
        return;                                 /* a disabled APIC takes no messages (11.4.3) */
    if (vector < FIRST_LEGAL_VECTOR) {
        lapic_error(l, LAPIC_ESR_RECV_ILLEGAL_VECTOR);
        return;
    }
    bit_set(l->irr, vector);
    if (level)
        bit_set(l->tmr, vector);
    else
        bit_clear(l->tmr, vector);
    l->irr_source[vector] = source;
    lapic_update_intr(l);
}

static void vector_text(char *buf, size_t len, int v)
{
    if (v < 0)
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, "0x%02x", v);
}

/* "APIC timer; IRR 0x31->- ISR -->0x31 PPR 0x00->0x30": who asked, and the state that chose it. */
static void describe(emu_trap *rec, const char *source, int irr0, int isr0, uint32_t ppr0, const lapic *l)
{
    char a[12], b[12], c[12], d[12];
    vector_text(a, sizeof a, irr0);
    vector_text(b, sizeof b, highest(l->irr));
    vector_text(c, sizeof c, isr0);
    vector_text(d, sizeof d, highest(l->isr));
    char text[160];
    snprintf(text, sizeof text, "%s; IRR %s->%s ISR %s->%s PPR 0x%02x->0x%02x", source ? source : "?", a, b, c,
             d, ppr0 & 0xffu, lapic_ppr(l) & 0xffu);
    size_t n = strlen(text) < sizeof rec->source - 1 ? strlen(text) : sizeof rec->source - 1;
    memcpy(rec->source, text, n);
    rec->source[n] = '\0';
}

static int acknowledge_pic(lapic *l, emu_trap *rec, const char *via)
{
    char why[48] = "";
    int vector = l->pic.acknowledge(l->pic.ctx, why, sizeof why);
    snprintf(rec->source, sizeof rec->source, "%s%s", via, why);
    lapic_update_intr(l);
    return vector;
}

int lapic_acknowledge(lapic *l, emu_trap *rec)
{
    if (pic_drives_intr(l))
        return l->pic.acknowledge ? acknowledge_pic(l, rec, "") : LAPIC_NO_VECTOR;
    /* ExtINT bypasses IRR/ISR and the priority rules: the 8259 answers INTA (11.5.1, ExtINT). */
    if (extint_pending(l))
        return acknowledge_pic(l, rec, "LINT0 ExtINT ");
    int irr0 = highest(l->irr), isr0 = highest(l->isr);
    uint32_t ppr0 = lapic_ppr(l);
    int vector = presentable(l);
    if (vector < 0) {
        /* The request went away between INTR and INTA (TPR raised): the spurious vector, no ISR bit (11.9). */
        uint8_t spurious = (uint8_t)(l->svr & SVR_SPURIOUS_VECTOR_MASK);
        describe(rec, "spurious", irr0, isr0, ppr0, l);
        lapic_update_intr(l);
        return spurious;
    }
    const char *source = l->irr_source[vector];
    bit_clear(l->irr, (unsigned)vector);
    bit_set(l->isr, (unsigned)vector);
    describe(rec, source, irr0, isr0, ppr0, l);
    lapic_update_intr(l);
    return vector;
}

void lapic_eoi(lapic *l)
{
    int vector = highest(l->isr);
    if (vector < 0)
        return;                                 /* EOI with nothing in service: ignored */
    bit_clear(l->isr, (unsigned)vector);
    /* A level-triggered vector's EOI goes to the I/O APICs to clear remote IRR (11.8.5). */
    if (bit_test(l->tmr, (unsigned)vector) && l->eoi_broadcast)
        l->eoi_broadcast(l->eoi_ctx, (uint8_t)vector);
    lapic_update_intr(l);
}

static void stop_unmodelled_lvt(lapic *l, const char *pin, uint32_t mode)
{
    machine_stop(l->m, EMU_STOP_ERROR, "local APIC %s: delivery mode %u (SMI/INIT) is not modelled", pin, mode);
}

/* A LINT pin's change, as its LVT entry says (11.5.1): edge-triggered entries act on the rising edge. */
void lapic_set_lint(lapic *l, unsigned pin, bool level)
{
    bool *state = pin == 0 ? &l->lint0_level : &l->lint1_level;
    bool rising = level && !*state;
    *state = level;
    uint32_t lvt = l->lvt[pin == 0 ? LAPIC_LVT_LINT0 : LAPIC_LVT_LINT1];
    const char *name = pin == 0 ? "LINT0" : "LINT1";
    if (lapic_current_mode(l) == LAPIC_MODE_DISABLED) {
        lapic_update_intr(l);
        return;
    }
    switch (lvt_delivery_mode(lvt)) {
    case LAPIC_DELMODE_EXTINT:
        lapic_update_intr(l);
        return;
    case LAPIC_DELMODE_NMI:
        if (rising && !(lvt & LAPIC_LVT_MASKED))
            machine_raise_nmi(l->m, pin == 0 ? "LINT0 NMI" : "LINT1 NMI");
        return;
    case LAPIC_DELMODE_FIXED:
        if (rising && !(lvt & LAPIC_LVT_MASKED))
            lapic_accept(l, (uint8_t)(lvt & LAPIC_VECTOR_MASK), (lvt & LAPIC_TRIGGER_LEVEL) != 0, name);
        return;
    default:
        if (rising && !(lvt & LAPIC_LVT_MASKED))
            stop_unmodelled_lvt(l, name, lvt_delivery_mode(lvt));
        return;
    }
}
