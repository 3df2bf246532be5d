/*
 * The generic timer against DDI 0487 D11.2: the counter follows modelled
 * cycles (16 per tick at 62.5 MHz, the CNTFRQ QEMU 7.2 reports for
 * cortex-a57), ISTATUS/IMASK/ENABLE, TVAL as a signed view of CVAL, the
 * virtual offset, and level-sensitive PPIs delivered to the GIC.
 */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "emu_test.h"
#include "apic/gic.h"
#include "apic/gtimer.h"
#include "platform/virt/virt_map.h"

typedef struct line_log {
    bool level[64];
    unsigned changes;
} line_log;

static void record(void *ctx, unsigned intid, bool level)
{
    line_log *l = ctx;
    l->level[intid] = level;
    l->changes++;
}

static gtimer t;
static line_log log_;

static void setup(void)
{
    memset(&log_, 0, sizeof log_);
    irq_line lines[GTIMER_COUNT] = {
        [GTIMER_PHYS] = { record, &log_, VIRT_IRQ_TIMER_NS_EL1 },
        [GTIMER_VIRT] = { record, &log_, VIRT_IRQ_TIMER_VIRT },
        [GTIMER_HYP] = { record, &log_, VIRT_IRQ_TIMER_NS_EL2 },
        [GTIMER_SEC] = { record, &log_, VIRT_IRQ_TIMER_S_EL1 },
    };
    gtimer_init(&t, lines);
}

START_TEST(counter_follows_cycles)
{
    setup();
    ck_assert_uint_eq(t.cntfrq, 62500000u);
    ck_assert_uint_eq(gtimer_cntpct(&t, 0), 0);
    ck_assert_uint_eq(gtimer_cntpct(&t, 15), 0);
    ck_assert_uint_eq(gtimer_cntpct(&t, 16), 1);
    ck_assert_uint_eq(gtimer_cntpct(&t, 1000000000ull), 62500000u);  /* one modelled second */
    gtimer_write_cntvoff(&t, 0, 100);
    ck_assert_uint_eq(gtimer_cntvct(&t, 1600 * 16), 1500);
}
END_TEST

START_TEST(enable_istatus_imask_and_the_line)
{
    setup();
    gtimer_write_cval(&t, GTIMER_PHYS, 0, 100);
    ck_assert_uint_eq(gtimer_read_ctl(&t, GTIMER_PHYS, 200 * 16), 0);   /* disabled: ISTATUS reads 0 */
    gtimer_write_ctl(&t, GTIMER_PHYS, 0, GTIMER_CTL_ENABLE);
    ck_assert_uint_eq(gtimer_read_ctl(&t, GTIMER_PHYS, 99 * 16), GTIMER_CTL_ENABLE);
    ck_assert_msg(!log_.level[30], "not yet");
    gtimer_update(&t, 100 * 16);
    ck_assert_msg(log_.level[30], "condition met at CVAL: PPI 30 high");
    ck_assert_uint_eq(gtimer_read_ctl(&t, GTIMER_PHYS, 100 * 16), GTIMER_CTL_ENABLE | GTIMER_CTL_ISTATUS);
    gtimer_write_ctl(&t, GTIMER_PHYS, 100 * 16, GTIMER_CTL_ENABLE | GTIMER_CTL_IMASK | GTIMER_CTL_ISTATUS);
    ck_assert_msg(!log_.level[30], "IMASK lowers the line");
    ck_assert_uint_eq(gtimer_read_ctl(&t, GTIMER_PHYS, 100 * 16),
                      GTIMER_CTL_ENABLE | GTIMER_CTL_IMASK | GTIMER_CTL_ISTATUS);
    gtimer_write_ctl(&t, GTIMER_PHYS, 100 * 16, GTIMER_CTL_ENABLE);
    ck_assert(log_.level[30]);
    gtimer_write_cval(&t, GTIMER_PHYS, 100 * 16, 500);
    ck_assert_msg(!log_.level[30], "a later CVAL clears the condition (level-sensitive)");
    ck_assert_msg(!log_.level[27] && !log_.level[26] && !log_.level[29], "other timers quiet");
}
END_TEST

START_TEST(tval_is_a_signed_view)
{
    setup();
    uint64_t now = 1000 * 16;
    gtimer_write_tval(&t, GTIMER_VIRT, now, 50);
    ck_assert_uint_eq(gtimer_read_cval(&t, GTIMER_VIRT), 1050);
    ck_assert_uint_eq(gtimer_read_tval(&t, GTIMER_VIRT, now), 50);
    ck_assert_uint_eq(gtimer_read_tval(&t, GTIMER_VIRT, now + 60 * 16), (uint32_t)-10);
    gtimer_write_tval(&t, GTIMER_HYP, now, 0xfffffff6u);   /* -10 */
    ck_assert_uint_eq(gtimer_read_cval(&t, GTIMER_HYP), 990);
    gtimer_write_ctl(&t, GTIMER_HYP, now, GTIMER_CTL_ENABLE);
    ck_assert_msg(log_.level[26], "CVAL in the past: EL2 timer fires at once");
}
END_TEST

START_TEST(virtual_timer_uses_the_offset)
{
    setup();
    gtimer_write_cntvoff(&t, 0, 1000);
    gtimer_write_cval(&t, GTIMER_VIRT, 0, 500);
    gtimer_write_ctl(&t, GTIMER_VIRT, 0, GTIMER_CTL_ENABLE);
    gtimer_update(&t, 1499 * 16);
    ck_assert_msg(!log_.level[27], "virtual count 499");
    ck_assert_uint_eq(gtimer_next_event(&t, 1499 * 16), 1500 * 16);
    gtimer_update(&t, 1500 * 16);
    ck_assert(log_.level[27]);
}
END_TEST

START_TEST(next_event)
{
    setup();
    ck_assert_uint_eq(gtimer_next_event(&t, 0), UINT64_MAX);
    gtimer_write_cval(&t, GTIMER_PHYS, 0, 300);
    gtimer_write_cval(&t, GTIMER_SEC, 0, 200);
    gtimer_write_ctl(&t, GTIMER_PHYS, 0, GTIMER_CTL_ENABLE);
    gtimer_write_ctl(&t, GTIMER_SEC, 0, GTIMER_CTL_ENABLE | GTIMER_CTL_IMASK);
    ck_assert_uint_eq(gtimer_next_event(&t, 0), 200 * 16);
    ck_assert_uint_eq(gtimer_next_event(&t, 250 * 16 + 3), 250 * 16 + 3);  /* already met */
    gtimer_write_cval(&t, GTIMER_PHYS, 0, UINT64_MAX);
    gtimer_write_ctl(&t, GTIMER_SEC, 0, 0);
    ck_assert_uint_eq(gtimer_next_event(&t, 0), UINT64_MAX);
}
END_TEST

/* Wired to a real GICv3: the timer's level reaches the CPU's IRQ output. */
START_TEST(timer_to_gic)
{
    gic g;
    gic_init(&g, GIC_V3);
    irq_line lines[GTIMER_COUNT];
    for (unsigned i = 0; i < GTIMER_COUNT; i++)
        lines[i] = (irq_line){ gic_set_irq, &g, 0 };
    lines[GTIMER_PHYS].intid = VIRT_IRQ_TIMER_NS_EL1;
    lines[GTIMER_VIRT].intid = VIRT_IRQ_TIMER_VIRT;
    lines[GTIMER_HYP].intid = VIRT_IRQ_TIMER_NS_EL2;
    lines[GTIMER_SEC].intid = VIRT_IRQ_TIMER_S_EL1;
    gtimer_init(&t, lines);
    ck_assert(gicv3_redist_write(&g, 0x14, 4, 0));
    ck_assert(gic_dist_write(&g, 0, 4, 2));
    ck_assert(gicv3_redist_write(&g, 0x10080, 4, 1u << 27));
    ck_assert(gicv3_redist_write(&g, 0x10100, 4, 1u << 27));
    gicv3_icc_igrpen1_write(&g, 1);
    gicv3_icc_pmr_write(&g, 0xff);
    gtimer_write_tval(&t, GTIMER_VIRT, 0, 10);
    gtimer_write_ctl(&t, GTIMER_VIRT, 0, GTIMER_CTL_ENABLE);
    ck_assert(!gic_irq_pending(&g));
    gtimer_update(&t, gtimer_next_event(&t, 0));
    ck_assert_msg(gic_irq_pending(&g), "virtual timer PPI 27 pending at the CPU");
    ck_assert_uint_eq(gicv3_icc_iar1_read(&g), 27);
}
END_TEST

static Suite *gtimer_suite(void)
{
    Suite *s = suite_create("gtimer");
    TCase *tc = tcase_create("gtimer");
    tcase_add_test(tc, counter_follows_cycles);
    tcase_add_test(tc, enable_istatus_imask_and_the_line);
    tcase_add_test(tc, tval_is_a_signed_view);
    tcase_add_test(tc, virtual_timer_uses_the_offset);
    tcase_add_test(tc, next_event);
    tcase_add_test(tc, timer_to_gic);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return t_run_suite(gtimer_suite());
}
