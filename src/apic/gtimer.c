/*
 * Generic timer (DDI 0487 D11.2): a timer's condition is met when
 * CompareValue <= Count, for the physical timers Count = CNTPCT and for the
 * virtual timer Count = CNTVCT. ISTATUS reports the condition whenever the
 * timer is enabled; the interrupt is asserted while ENABLE=1, ISTATUS=1 and
 * IMASK=0, and is level-sensitive (D11.2.4). TVAL is the signed 32-bit view
 * CVAL - Count; writing it sets CVAL = Count + SignExtend(TVAL).
 */
#include "apic/gtimer.h"

#include <string.h>

void gtimer_init(gtimer *t, const irq_line irq[GTIMER_COUNT])
{
    memset(t, 0, sizeof *t);
    t->cntfrq = GTIMER_CNTFRQ_HZ;
    for (unsigned i = 0; i < GTIMER_COUNT; i++)
        t->ch[i].irq = irq[i];
}

uint64_t gtimer_cntpct(const gtimer *t, uint64_t cycles)
{
    (void)t;
    return cycles / GTIMER_CYCLES_PER_TICK;
}

uint64_t gtimer_cntvct(const gtimer *t, uint64_t cycles)
{
    return gtimer_cntpct(t, cycles) - t->cntvoff;
}

static uint64_t gtimer_count(const gtimer *t, gtimer_index i, uint64_t cycles)
{
    return i == GTIMER_VIRT ? gtimer_cntvct(t, cycles) : gtimer_cntpct(t, cycles);
}

static bool gtimer_condition(const gtimer *t, gtimer_index i, uint64_t cycles)
{
    return t->ch[i].cval <= gtimer_count(t, i, cycles);
}

uint64_t gtimer_read_ctl(const gtimer *t, gtimer_index i, uint64_t cycles)
{
    uint32_t ctl = t->ch[i].ctl;
    /* ISTATUS is UNKNOWN while disabled; it reads 0, as QEMU. */
    if ((ctl & GTIMER_CTL_ENABLE) && gtimer_condition(t, i, cycles))
        ctl |= GTIMER_CTL_ISTATUS;
    return ctl;
}

static void gtimer_drive(gtimer *t, gtimer_index i, uint64_t cycles)
{
    gtimer_channel *c = &t->ch[i];
    bool level = (gtimer_read_ctl(t, i, cycles) & (GTIMER_CTL_ISTATUS | GTIMER_CTL_IMASK)) == GTIMER_CTL_ISTATUS;
    if (level != c->level) {
        c->level = level;
        irq_line_drive(&c->irq, level);
    }
}

void gtimer_update(gtimer *t, uint64_t cycles)
{
    for (unsigned i = 0; i < GTIMER_COUNT; i++)
        gtimer_drive(t, (gtimer_index)i, cycles);
}

void gtimer_write_ctl(gtimer *t, gtimer_index i, uint64_t cycles, uint64_t val)
{
    t->ch[i].ctl = (uint32_t)val & (GTIMER_CTL_ENABLE | GTIMER_CTL_IMASK);     /* ISTATUS is RO */
    gtimer_drive(t, i, cycles);
}

uint64_t gtimer_read_cval(const gtimer *t, gtimer_index i)
{
    return t->ch[i].cval;
}

void gtimer_write_cval(gtimer *t, gtimer_index i, uint64_t cycles, uint64_t val)
{
    t->ch[i].cval = val;
    gtimer_drive(t, i, cycles);
}

uint64_t gtimer_read_tval(const gtimer *t, gtimer_index i, uint64_t cycles)
{
    return (uint32_t)(t->ch[i].cval - gtimer_count(t, i, cycles));
}

void gtimer_write_tval(gtimer *t, gtimer_index i, uint64_t cycles, uint64_t val)
{
    int64_t tval = (int32_t)(uint32_t)val;
    t->ch[i].cval = gtimer_count(t, i, cycles) + (uint64_t)tval;
    gtimer_drive(t, i, cycles);
}

void gtimer_write_cntvoff(gtimer *t, uint64_t cycles, uint64_t val)
{
    t->cntvoff = val;
    gtimer_drive(t, GTIMER_VIRT, cycles);
}

uint64_t gtimer_next_event(const gtimer *t, uint64_t cycles)
{
    uint64_t next = UINT64_MAX;
    uint64_t now = gtimer_cntpct(t, cycles);
    for (unsigned i = 0; i < GTIMER_COUNT; i++) {
        const gtimer_channel *c = &t->ch[i];
        if (!(c->ctl & GTIMER_CTL_ENABLE))
            continue;
        uint64_t count = gtimer_count(t, (gtimer_index)i, cycles);
        if (c->cval <= count) {
            next = cycles;
            continue;
        }
        /* The physical count at which Count reaches CVAL. */
        uint64_t target = now + (c->cval - count);
        if (target < now || target > UINT64_MAX / GTIMER_CYCLES_PER_TICK)
            continue;   /* beyond the end of the modelled clock */
        uint64_t at = target * GTIMER_CYCLES_PER_TICK;
        if (at < next)
            next = at;
    }
    return next;
}
