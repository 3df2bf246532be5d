/* Timers on the modelled clock, and the next_event check of the run loop (events.h). */
#include "core/events.h"

#include "core/machine.h"

/* Timer callbacks run per servicing at most: enough for every timer many times over. */
#define MACHINE_MAX_FIRINGS 1024

int machine_timer_register(emu_machine *m, machine_timer *t, const char *name, machine_timer_fn fn, void *ctx)
{
    if (m->n_timers == MACHINE_MAX_TIMERS)
        return -1;
    *t = (machine_timer){ .name = name, .fn = fn, .ctx = ctx };
    m->timers[m->n_timers++] = t;
    return 0;
}

uint64_t machine_next_deadline(const emu_machine *m)
{
    uint64_t next = UINT64_MAX;
    for (unsigned i = 0; i < m->n_timers; i++)
        if (m->timers[i]->armed && m->timers[i]->deadline < next)
            next = m->timers[i]->deadline;
    return next;
}

void machine_timer_arm(emu_machine *m, machine_timer *t, uint64_t deadline)
{
    t->deadline = deadline;
    t->armed = true;
    if (deadline < m->next_event)
        m->next_event = deadline;
}

void machine_timer_disarm(emu_machine *m, machine_timer *t)
{
    (void)m;
    t->armed = false;   /* next_event may stay early: servicing recomputes it */
}

void machine_attention(emu_machine *m)
{
    m->next_event = 0;
}

void machine_run_timers(emu_machine *m)
{
    /* A timer's callback may re-arm timers (periodic modes): run what is due, but a bounded number
     * so a zero period cannot hold the CPU; the rest run at the next boundary. */
    for (unsigned fired = 0;; fired++) {
        if (fired == MACHINE_MAX_FIRINGS) {
            m->next_event = 0;
            return;
        }
        machine_timer *due = NULL;
        for (unsigned i = 0; i < m->n_timers; i++) {
            machine_timer *t = m->timers[i];
            if (t->armed && t->deadline <= m->cycles && (!due || t->deadline < due->deadline))
                due = t;
        }
        if (!due)
            break;
        due->armed = false;
        due->fn(m, due->ctx);
    }
    m->next_event = machine_next_deadline(m);
}
