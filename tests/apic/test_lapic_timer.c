/*
 * The local APIC timer on the modelled clock (SDM vol. 3, 11.5.4): the
 * current count against the cycles that passed for every divide value,
 * one-shot and periodic expiry waking HLT, masking, and TSC-deadline mode
 * arming, firing, disarming and its mode rules (11.5.4.1).
 */
#include "apic_test.h"

#define TIMER_VECTOR 0x30

/* Divide configuration values and the divisor each selects (figure 11-10). */
static const struct { uint32_t reg; uint64_t div; } divides[] = {
    { 0x0, 2 }, { 0x1, 4 }, { 0x2, 8 }, { 0x3, 16 }, { 0x8, 32 }, { 0x9, 64 }, { 0xa, 128 }, { 0xb, 1 },
};

START_TEST(current_count_follows_the_clock)
{
    for (unsigned i = 0; i < sizeof divides / sizeof divides[0]; i++) {
        emu_machine *m = a_bare(NULL);
        a_wrmsr_ok(m, MSR_APIC_BASE, APIC_BASE_X2APIC, "x2APIC");
        a_wrmsr_ok(m, X2(R_SVR), SVR_ENABLE, "enable");
        a_wrmsr_ok(m, X2(R_TIMER_DIV), divides[i].reg, "divide");
        uint64_t before_start = emu_cycle_count(m);
        a_wrmsr_ok(m, X2(R_TIMER_INIT), 0xffffffffu, "initial count");
        uint64_t after_start = emu_cycle_count(m);
        static const uint8_t nops[64] = { [0 ... 63] = 0x90 };
        t_load_code(m, nops, sizeof nops);
        t_step_n(m, 40, "nops");
        uint64_t before_read = emu_cycle_count(m);
        uint64_t cur = a_msr(m, X2(R_TIMER_CUR), "current count");
        uint64_t after_read = emu_cycle_count(m);
        uint64_t ticks = 0xffffffffull - cur;
        uint64_t lo = (before_read - after_start) / divides[i].div, hi = (after_read - before_start) / divides[i].div;
        ck_assert_msg(ticks >= lo && ticks <= hi, "divide by %llu: %llu ticks, want %llu..%llu",
                      (unsigned long long)divides[i].div, (unsigned long long)ticks, (unsigned long long)lo,
                      (unsigned long long)hi);
        ck_assert_msg(a_msr(m, X2(R_TIMER_INIT), "initial") == 0xffffffffu, "initial count reads back");
        emu_close(m);
    }
}
END_TEST

/* One-shot: one interrupt after count * divisor cycles; HLT sleeps until it. */
START_TEST(one_shot_wakes_hlt)
{
    t_trap_log log;
    emu_machine *m = a_machine(NULL, &log, true);
    code c = { .n = 0 };
    a_enable(&c, true);
    e_wrmsr(&c, X2(R_LVT_TIMER), TIMER_VECTOR);
    e_wrmsr(&c, X2(R_TIMER_DIV), 0x3);                 /* by 16 */
    e_wrmsr(&c, X2(R_TIMER_INIT), 1000);
    E(&c, I_STI, I_HLT, I_HLT);
    emu_stop stop = a_run(m, &c, 1000);
    ck_assert_msg(stop.kind == EMU_STOP_HALT, "the second HLT has nothing to wake it: %s", stop.message);
    A_EXPECT_INTERRUPT(&log, 0, TIMER_VECTOR, "APIC timer; IRR 0x30->- ISR -->0x30 PPR 0x00->0x30");
    ck_assert_msg(a_interrupt(&log, 0)->cycle_start >= 16000, "fired at cycle %llu, not before 16000",
                  (unsigned long long)a_interrupt(&log, 0)->cycle_start);
    ck_assert_msg(a_interrupt(&log, 1) == NULL, "one-shot fires once");
    emu_close(m);
}
END_TEST

START_TEST(periodic_reloads)
{
    t_trap_log log;
    emu_machine *m = a_machine(NULL, &log, true);
    code c = { .n = 0 };
    a_enable(&c, true);
    e_wrmsr(&c, X2(R_LVT_TIMER), TIMER_PERIODIC | TIMER_VECTOR);
    e_wrmsr(&c, X2(R_TIMER_DIV), 0xb);                 /* by 1 */
    e_wrmsr(&c, X2(R_TIMER_INIT), 5000);
    E(&c, I_STI, I_HLT, I_HLT, I_HLT, I_CLI, I_HLT);
    emu_stop stop = a_run(m, &c, 1000);
    ck_assert_msg(stop.kind == EMU_STOP_HALT, "ends at the CLI; HLT: %s", stop.message);
    for (unsigned i = 0; i < 3; i++)
        A_EXPECT_INTERRUPT(&log, i, TIMER_VECTOR, "APIC timer; IRR 0x30->- ISR -->0x30 PPR 0x00->0x30");
    uint64_t p1 = a_interrupt(&log, 1)->cycle_start - a_interrupt(&log, 0)->cycle_start;
    uint64_t p2 = a_interrupt(&log, 2)->cycle_start - a_interrupt(&log, 1)->cycle_start;
    ck_assert_msg(p1 == 5000 && p2 == 5000, "period 5000 cycles: got %llu and %llu", (unsigned long long)p1,
                  (unsigned long long)p2);
    emu_close(m);
}
END_TEST

/* A masked timer counts on but raises nothing: HLT has nothing to wake it. */
START_TEST(masked_timer_is_silent)
{
    t_trap_log log;
    emu_machine *m = a_machine(NULL, &log, true);
    code c = { .n = 0 };
    a_enable(&c, true);
    e_wrmsr(&c, X2(R_LVT_TIMER), LVT_MASKED | TIMER_VECTOR);
    e_wrmsr(&c, X2(R_TIMER_INIT), 100);
    E(&c, I_STI, I_HLT);
    emu_stop stop = a_run(m, &c, 1000);
    ck_assert_msg(stop.kind == EMU_STOP_HALT, "HLT stops: %s", stop.message);
    ck_assert_msg(a_interrupt(&log, 0) == NULL, "no interrupt from a masked timer");
    emu_close(m);
}
END_TEST

START_TEST(tsc_deadline_fires_and_clears)
{
    t_trap_log log;
    emu_machine *m = a_machine(NULL, &log, true);
    code c = { .n = 0 };
    a_enable(&c, true);
    e_wrmsr(&c, X2(R_LVT_TIMER), TIMER_DEADLINE | TIMER_VECTOR);
    e_wrmsr(&c, MSR_TSC_DEADLINE, 50000);
    E(&c, I_STI, I_HLT, I_CLI);
    emit_imm32(&c, OP_MOV_ECX, MSR_TSC_DEADLINE);
    E(&c, 0x0f, 0x32, I_HLT);                           /* rdmsr; hlt */
    emu_stop stop = a_run(m, &c, 1000);
    ck_assert_msg(stop.kind == EMU_STOP_HALT, "ends at the last HLT: %s", stop.message);
    A_EXPECT_INTERRUPT(&log, 0, TIMER_VECTOR, "APIC timer; IRR 0x30->- ISR -->0x30 PPR 0x00->0x30");
    ck_assert_msg(a_interrupt(&log, 0)->cycle_start == 50000, "fired when the TSC reached 50000: cycle %llu",
                  (unsigned long long)a_interrupt(&log, 0)->cycle_start);
    T_EXPECT_REG(m, EMU_X86_RAX, 0, "IA32_TSC_DEADLINE reads 0 after firing");
    emu_close(m);
}
END_TEST

START_TEST(tsc_deadline_disarm_and_mode_rules)
{
    emu_machine *m = a_bare(NULL);
    a_wrmsr_ok(m, MSR_APIC_BASE, APIC_BASE_X2APIC, "x2APIC");
    a_wrmsr_ok(m, X2(R_SVR), SVR_ENABLE, "enable");
    /* One-shot mode: the MSR reads 0 and ignores writes. */
    a_wrmsr_ok(m, MSR_TSC_DEADLINE, 12345, "deadline in one-shot mode");
    ck_assert_msg(a_msr(m, MSR_TSC_DEADLINE, "deadline") == 0, "ignored outside TSC-deadline mode");
    a_wrmsr_ok(m, X2(R_LVT_TIMER), TIMER_DEADLINE | TIMER_VECTOR, "deadline mode");
    a_wrmsr_ok(m, MSR_TSC_DEADLINE, 1000000, "arm");
    ck_assert_msg(a_msr(m, MSR_TSC_DEADLINE, "deadline") == 1000000, "armed value reads back");
    a_wrmsr_ok(m, X2(R_TIMER_INIT), 77, "initial count in deadline mode");
    ck_assert_msg(a_msr(m, X2(R_TIMER_INIT), "initial") == 0, "initial count writes ignored in deadline mode");
    ck_assert_msg(a_msr(m, X2(R_TIMER_CUR), "current") == 0, "current count reads 0 in deadline mode");
    a_wrmsr_ok(m, MSR_TSC_DEADLINE, 0, "disarm");
    ck_assert_msg(a_msr(m, MSR_TSC_DEADLINE, "deadline") == 0, "disarmed");
    a_wrmsr_ok(m, MSR_TSC_DEADLINE, 2000000, "arm again");
    a_wrmsr_ok(m, X2(R_LVT_TIMER), TIMER_VECTOR, "back to one-shot");
    a_wrmsr_ok(m, X2(R_LVT_TIMER), TIMER_DEADLINE | TIMER_VECTOR, "deadline mode again");
    ck_assert_msg(a_msr(m, MSR_TSC_DEADLINE, "deadline") == 0, "a mode change disarmed and cleared it");
    /* Sleep with IF=1: nothing armed, so HLT cannot wake. */
    static const uint8_t sti_hlt[] = { I_STI, I_HLT };
    t_load_code(m, sti_hlt, sizeof sti_hlt);
    emu_stop stop = t_run(m, 10);
    ck_assert_msg(stop.kind == EMU_STOP_HALT && strstr(stop.message, "no timer armed"), "disarmed timer: %s",
                  stop.message);
    emu_close(m);
}
END_TEST

START_TEST(no_tsc_deadline_feature)
{
    emu_machine *m = a_bare("Skylake-Client,-tsc-deadline");
    uint64_t v;
    ck_assert_msg(a_rdmsr(m, MSR_TSC_DEADLINE, &v) == V_GP, "IA32_TSC_DEADLINE is #GP without the feature");
    a_mmio_write(m, XA(R_SVR), SVR_ENABLE);
    a_mmio_write(m, XA(R_LVT_TIMER), TIMER_DEADLINE | TIMER_VECTOR);
    ck_assert_msg(a_mmio_read(m, XA(R_LVT_TIMER)) == TIMER_VECTOR, "timer mode bit 18 reserved without it");
    emu_close(m);
}
END_TEST

/* The xAPIC half: timer interrupts acknowledged by an MMIO EOI. */
START_TEST(xapic_timer_with_mmio_eoi)
{
    t_trap_log log;
    emu_machine *m = a_machine(NULL, &log, false);
    code c = { .n = 0 };
    a_enable(&c, false);
    e_mmio_write(&c, XA(R_LVT_TIMER), TIMER_PERIODIC | TIMER_VECTOR);
    e_mmio_write(&c, XA(R_TIMER_DIV), 0xb);
    e_mmio_write(&c, XA(R_TIMER_INIT), 3000);
    E(&c, I_STI, I_HLT, I_HLT, I_CLI, I_HLT);
    emu_stop stop = a_run(m, &c, 1000);
    ck_assert_msg(stop.kind == EMU_STOP_HALT, "ends at CLI; HLT: %s", stop.message);
    A_EXPECT_INTERRUPT(&log, 0, TIMER_VECTOR, "APIC timer; IRR 0x30->- ISR -->0x30 PPR 0x00->0x30");
    A_EXPECT_INTERRUPT(&log, 1, TIMER_VECTOR, "APIC timer; IRR 0x30->- ISR -->0x30 PPR 0x00->0x30");
    emu_close(m);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("lapic_timer");
    TCase *tc = tcase_create("timer");
    tcase_add_test(tc, current_count_follows_the_clock);
    tcase_add_test(tc, one_shot_wakes_hlt);
    tcase_add_test(tc, periodic_reloads);
    tcase_add_test(tc, masked_timer_is_silent);
    tcase_add_test(tc, tsc_deadline_fires_and_clears);
    tcase_add_test(tc, tsc_deadline_disarm_and_mode_rules);
    tcase_add_test(tc, no_tsc_deadline_feature);
    tcase_add_test(tc, xapic_timer_with_mmio_eoi);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
