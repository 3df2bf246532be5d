/*
 * An interrupt line from a device to its interrupt controller. Devices hold
 * one of these instead of a pointer to the controller, so a device never
 * includes the GIC (or the I/O APIC): the platform wires the two together.
 * Level is the line's electrical state; the controller decides whether that
 * means edge or level semantics (its ICFGR for the GIC).
 */
#ifndef EMU_APIC_IRQ_LINE_H
#define EMU_APIC_IRQ_LINE_H

#include <stdbool.h>

typedef void (*irq_line_fn)(void *ctx, unsigned intid, bool level);

typedef struct irq_line {
    irq_line_fn set;            /* NULL: the line goes nowhere */
    void *ctx;
    unsigned intid;             /* the controller's input number (GIC INTID) */
} irq_line;

static inline void irq_line_drive(const irq_line *l, bool level)
{
    if (l->set)
        l->set(l->ctx, l->intid, level);
}

#endif
