/*
 * The local APIC timer (SDM vol. 3, 11.5.4): one-shot and periodic modes
 * counting down the current-count register by one every `divide` ticks of
 * the timer clock, and TSC-deadline mode comparing IA32_TSC_DEADLINE with
 * the TSC (11.5.4.1). The timer clock is the machine's modelled cycle clock,
 * the same clock the TSC reads (docs/apic.md), so no host time is involved.
 */
#include "apic/lapic.h"

#include "core/events.h"
#include "core/machine.h"
#include "cpu/x86/system.h"

#define DIVIDE_BY_ONE 7u         /* divide value 111b: by 1 (figure 11-10) */

/* Divide configuration bits 3, 1:0 -> 2, 4, 8, 16, 32, 64, 128, 1. */
static uint64_t divisor(const lapic *l)
{
    uint32_t v = (l->timer_divide_reg & 3u) | ((l->timer_divide_reg >> 1) & 4u);
    return v == DIVIDE_BY_ONE ? 1 : 2ull << v;
}

static uint32_t timer_mode(const lapic *l)
{
    return (l->lvt[LAPIC_LVT_TIMER] & LAPIC_TIMER_MODE_MASK) >> LAPIC_TIMER_MODE_SHIFT;
}

static uint64_t now(const lapic *l)
{
    return l->m->cycles;
}

void lapic_timer_stop(lapic *l)
{
    l->timer_running = false;
    machine_timer_disarm(l->m, &l->timer);
}

/* Count from `count` starting now; the interrupt comes when it reaches zero. */
static void start_count(lapic *l, uint32_t count)
{
    l->timer_start = now(l);
    l->timer_count_base = count;
    l->timer_running = count != 0;
    if (l->timer_running)
        machine_timer_arm(l->m, &l->timer, l->timer_start + (uint64_t)count * divisor(l));
    else
        machine_timer_disarm(l->m, &l->timer);
}

uint32_t lapic_timer_current(const lapic *l)
{
    if (!l->timer_running || timer_mode(l) == LAPIC_TIMER_TSC_DEADLINE)
        return 0;
    uint64_t ticks = (now(l) - l->timer_start) / divisor(l);
    return ticks >= l->timer_count_base ? 0 : (uint32_t)(l->timer_count_base - ticks);
}

static void raise_timer_interrupt(lapic *l)
{
    uint32_t lvt = l->lvt[LAPIC_LVT_TIMER];
    if (!(lvt & LAPIC_LVT_MASKED))
        lapic_accept(l, (uint8_t)(lvt & LAPIC_VECTOR_MASK), false, "APIC timer");
}

static void expire(emu_machine *m, void *ctx)
{
    (void)m;
    lapic *l = ctx;
    switch (timer_mode(l)) {
    case LAPIC_TIMER_TSC_DEADLINE:
        l->tsc_deadline = 0;                    /* the MSR reads 0 once the timer has fired */
        break;
    case LAPIC_TIMER_PERIODIC:
        start_count(l, l->timer_initial);       /* reload from the initial count (11.5.4) */
        break;
    default:
        l->timer_running = false;
        break;
    }
    raise_timer_interrupt(l);
}

void lapic_timer_init(lapic *l)
{
    machine_timer_register(l->m, &l->timer, "APIC timer", expire, l);
}

void lapic_timer_write_initial(lapic *l, uint32_t count)
{
    if (timer_mode(l) == LAPIC_TIMER_TSC_DEADLINE)
        return;                                 /* ignored in TSC-deadline mode (11.5.4.1) */
    l->timer_initial = count;
    start_count(l, count);                      /* a write restarts the count; 0 stops it */
}

void lapic_timer_write_divide(lapic *l, uint32_t val)
{
    /* A running count keeps its value and goes on at the new rate. */
    uint32_t current = lapic_timer_current(l);
    bool running = l->timer_running && timer_mode(l) != LAPIC_TIMER_TSC_DEADLINE;
    l->timer_divide_reg = val;
    if (running)
        start_count(l, current);
}

void lapic_timer_write_lvt(lapic *l, uint32_t old_lvt)
{
    uint32_t old_mode = (old_lvt & LAPIC_TIMER_MODE_MASK) >> LAPIC_TIMER_MODE_SHIFT;
    /* "A write to the LVT Timer Register that changes the timer mode disarms the local APIC timer" (11.5.4.1). */
    if (old_mode != timer_mode(l)) {
        lapic_timer_stop(l);
        l->tsc_deadline = 0;
        l->timer_initial = 0;
    }
}

/* IA32_TSC_DEADLINE reads 0 outside TSC-deadline mode, and writes there are ignored (11.5.4.1). */
int lapic_tsc_deadline_read(lapic *l, uint64_t *val)
{
    *val = timer_mode(l) == LAPIC_TIMER_TSC_DEADLINE ? l->tsc_deadline : 0;
    return 0;
}

int lapic_tsc_deadline_write(lapic *l, uint64_t val)
{
    if (timer_mode(l) != LAPIC_TIMER_TSC_DEADLINE)
        return 0;
    l->tsc_deadline = val;
    if (val == 0) {
        lapic_timer_stop(l);                    /* writing 0 disarms */
        return 0;
    }
    /* The TSC is cycles + IA32_TSC_ADJUST; a deadline already passed fires at once. */
    uint64_t tsc = x86_tsc(l->cpu);
    uint64_t at = val <= tsc ? now(l) : now(l) + (val - tsc);
    l->timer_running = true;
    machine_timer_arm(l->m, &l->timer, at);
    return 0;
}
