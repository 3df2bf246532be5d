/*
 * The narration of a trap record (explain.c) and the sentence for each of
 * its steps (explain_steps.c): what both know while they walk the steps.
 */
#ifndef EMU_TRACE_EXPLAIN_H
#define EMU_TRACE_EXPLAIN_H

#include <stdbool.h>
#include <stdint.h>

#include "emu/emu.h"
#include "trace/out_buf.h"

/* What the narration knows while it walks the steps. */
typedef struct narration {
    out_buf o;
    const emu_trap *t;
    bool ia32e;             /* 16-byte gates, RSP alignment (from the step names) */
    unsigned attempts;      /* delivery attempts in the record: 1 + faults on the way */
    unsigned attempt;       /* the one being narrated, from 0 */
    bool have_gate;         /* the attempt read its gate: gate_lo holds it */
    uint64_t gate_lo;
    bool stack_read;        /* the attempt read a new stack pointer from the TSS */
} narration;

/* Append the sentence for step s (a generic one for a name without its own). */
void explain_step(narration *n, const emu_trap_step *s);

/* Whether step s is named name (a step without a name is none). */
bool explain_is_step(const emu_trap_step *s, const char *name);

/* The event the current attempt delivers ("vector 13 (#GP)", "INT 0x81"), for "the IDT gate for ...". */
void explain_attempt_event(const narration *n, char *buf, size_t len);

/* Whether the current attempt delivers INT n, INT3 or INTO, the events checked against a gate's DPL. */
bool explain_attempt_is_software(const narration *n);

#endif
