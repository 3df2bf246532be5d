/* AArch64 trap records: the header from the CPU, and steps with their costs (see emu_trap). */
#ifndef EMU_ENTRY_ARM64_RECORD_H
#define EMU_ENTRY_ARM64_RECORD_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "emu/emu.h"

/* The header's fields between text field `a` and field `b`. */
#define A64_RECORD_GAP(a, b) (offsetof(emu_trap, b) - offsetof(emu_trap, a) - sizeof((emu_trap *)0)->a)
#define A64_RECORD_AFTER(rec, a) ((char *)(rec) + offsetof(emu_trap, a) + sizeof (rec)->a)
_Static_assert(offsetof(emu_trap, stack) < offsetof(emu_trap, source) &&
                   offsetof(emu_trap, source) < offsetof(emu_trap, escalation) &&
                   offsetof(emu_trap, escalation) < offsetof(emu_trap, steps),
               "a64_record_begin clears the header around its text fields in this order");

/* Every header field zero and every text field empty. The text fields (most of the header's bytes)
 * get only their terminator: this runs on every exception entry and return. */
static inline void a64_record_begin(emu_trap *rec, emu_trap_kind kind, uint64_t cycle_start, uint64_t pc,
                                    uint64_t sp, unsigned el)
{
    memset(rec, 0, offsetof(emu_trap, stack));
    rec->stack[0] = '\0';
    memset(A64_RECORD_AFTER(rec, stack), 0, A64_RECORD_GAP(stack, source));
    rec->source[0] = '\0';
    memset(A64_RECORD_AFTER(rec, source), 0, A64_RECORD_GAP(source, escalation));
    rec->escalation[0] = '\0';
    memset(A64_RECORD_AFTER(rec, escalation), 0, A64_RECORD_GAP(escalation, steps));
    rec->arch = EMU_ARCH_AARCH64;
    rec->kind = kind;
    rec->vector = -1;
    rec->cycle_start = cycle_start;
    rec->from_pc = pc;
    rec->from_sp = sp;
    rec->from_priv = el;
}

static inline void a64_record_step(emu_trap *rec, uint32_t cost, const char *name, uint64_t addr, uint64_t value)
{
    rec->cycles += cost;
    if (rec->n_steps < EMU_TRAP_MAX_STEPS)
        rec->steps[rec->n_steps++] = (emu_trap_step){ name, addr, value, cost };
    else
        rec->steps[EMU_TRAP_MAX_STEPS - 1].cycles += cost;  /* keep the sum exact */
}

#endif
