/*
 * Modelled time and the CPU's attention. Devices arm timers in machine
 * cycles; the run loop compares the clock with `next_event` once per
 * instruction and, when it is reached, services whatever is due: timers
 * that fire, an NMI or interrupt waiting to be accepted, a stop request.
 * Setting next_event to 0 is how anything asks for that check at the next
 * instruction boundary.
 */
#ifndef EMU_CORE_EVENTS_H
#define EMU_CORE_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

struct emu_machine;

typedef void (*machine_timer_fn)(struct emu_machine *m, void *ctx);

typedef struct machine_timer {
    const char *name;           /* for stop messages ("APIC timer", "inject nmi@cycle:100") */
    machine_timer_fn fn;
    void *ctx;
    uint64_t deadline;          /* machine cycle at which fn runs */
    bool armed;
} machine_timer;

#define MACHINE_MAX_TIMERS 16

/* Register a timer with the machine (once, at device creation). Returns 0, or -1 if the table is full. */
int machine_timer_register(struct emu_machine *m, machine_timer *t, const char *name, machine_timer_fn fn,
                           void *ctx);
/* Arm (or re-arm) to run fn when the clock reaches deadline; a deadline already past runs at the next boundary. */
void machine_timer_arm(struct emu_machine *m, machine_timer *t, uint64_t deadline);
void machine_timer_disarm(struct emu_machine *m, machine_timer *t);

/* Ask the run loop to service events at the next instruction boundary. */
void machine_attention(struct emu_machine *m);

/* Run every timer whose deadline has passed and recompute next_event. */
void machine_run_timers(struct emu_machine *m);

/* The earliest armed deadline, or UINT64_MAX when no timer is armed. */
uint64_t machine_next_deadline(const struct emu_machine *m);

#endif
