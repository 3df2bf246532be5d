/*
 * Interrupt requests from devices to the CPU (ARCHITECTURE.md: devices
 * reach the CPU only through core). Two inputs, as on the x86 pins:
 * - NMI: edge-triggered; one request is latched until the CPU accepts it.
 * - INTR: a level the interrupt controller holds while it has an interrupt
 *   to present; when the CPU accepts, it asks the controller for the vector
 *   (the INTA cycle), and the controller's state moves on.
 * Interrupts injected with --inject (emu_inject) come in through the same
 * two inputs, so they are accepted by the same rules.
 */
#ifndef EMU_CORE_INTR_H
#define EMU_CORE_INTR_H

#include <stdbool.h>
#include <stdint.h>

#include "emu/emu.h"

struct emu_machine;

/* The interrupt controller: on x86 the one behind INTR (the local APIC, or the 8259 when there is
 * none); on AArch64 the GIC, which signals the CPU itself and only takes injections here. */
typedef struct machine_intc {
    /* x86 INTA: the vector to deliver now; names the source and the state that chose it in rec->source. */
    int (*acknowledge)(struct emu_machine *m, void *ctx, emu_trap *rec);
    /* AArch64 injection: make interrupt `id` pending as its set-pending register would; false if the
     * controller has no such interrupt (then nothing changes). With check_only, only answer that. */
    bool (*inject)(void *ctx, unsigned id, bool check_only);
    void *ctx;
} machine_intc;

void machine_set_intc(struct emu_machine *m, const machine_intc *intc);

/* NMI request (edge): latched until accepted. source is static text for the record. */
void machine_raise_nmi(struct emu_machine *m, const char *source);

/* The controller's INTR output: true while it has an interrupt to present. */
void machine_set_intr(struct emu_machine *m, bool asserted);

/* Is a maskable interrupt requested (the controller's INTR, or an injected vector)? */
bool machine_intr_requested(const struct emu_machine *m);

/* INTA: the vector of the interrupt being accepted, -1 if the request went away. */
int machine_intr_acknowledge(struct emu_machine *m, emu_trap *rec);

/* Take the latched NMI (the CPU accepted it); returns its source. */
const char *machine_nmi_take(struct emu_machine *m);

/* Injections at a PC: called by the run loop before the instruction at pc; true if one fired. */
bool machine_inject_at_pc(struct emu_machine *m, uint64_t pc);

#endif
