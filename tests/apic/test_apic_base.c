/*
 * IA32_APIC_BASE mode transitions (SDM vol. 3, 11.12.5, figure 11-27):
 * every (from, to) pair among disabled, xAPIC, x2APIC and the invalid
 * EN=0/EXTD=1 state, and what disabling resets (11.4.3).
 */
#include "apic_test.h"

typedef enum { S_OFF, S_XAPIC, S_X2APIC, S_INVALID, S_COUNT } state;

static const char *const state_name[S_COUNT] = { "disabled", "xAPIC", "x2APIC", "invalid (EN=0, EXTD=1)" };
static const uint32_t state_value[S_COUNT] = {
    APIC_BASE_OFF, APIC_BASE_XAPIC, APIC_BASE_X2APIC, XAPIC | BASE_BSP | BASE_EXTD,
};

/* Figure 11-27: the arrows that exist (staying put is always allowed). */
static bool legal(state from, state to)
{
    if (to == S_INVALID)
        return false;
    if (from == to)
        return true;
    if (from == S_X2APIC && to == S_XAPIC)
        return false;
    if (from == S_OFF && to == S_X2APIC)
        return false;
    return true;
}

/* Reach `s` from reset (xAPIC) by legal steps. */
static void enter(emu_machine *m, state s)
{
    if (s == S_OFF)
        a_wrmsr_ok(m, MSR_APIC_BASE, APIC_BASE_OFF, "enter disabled");
    else if (s == S_X2APIC)
        a_wrmsr_ok(m, MSR_APIC_BASE, APIC_BASE_X2APIC, "enter x2APIC");
}

START_TEST(every_transition)
{
    for (state from = S_OFF; from < S_INVALID; from++) {
        for (state to = S_OFF; to < S_COUNT; to++) {
            emu_machine *m = a_bare(NULL);
            enter(m, from);
            int vec = a_wrmsr(m, MSR_APIC_BASE, state_value[to]);
            uint64_t now = a_msr(m, MSR_APIC_BASE, "read back");
            if (legal(from, to)) {
                ck_assert_msg(vec < 0, "%s -> %s is legal, got vector %d", state_name[from], state_name[to], vec);
                ck_assert_msg(now == state_value[to], "%s -> %s: IA32_APIC_BASE 0x%llx", state_name[from],
                              state_name[to], (unsigned long long)now);
            } else {
                ck_assert_msg(vec == V_GP, "%s -> %s is #GP, got vector %d", state_name[from], state_name[to], vec);
                ck_assert_msg(now == state_value[from], "%s -> %s: #GP leaves 0x%llx", state_name[from],
                              state_name[to], (unsigned long long)now);
            }
            emu_close(m);
        }
    }
}
END_TEST

START_TEST(no_x2apic_feature_no_extd)
{
    emu_machine *m = a_bare("Skylake-Client,-x2apic");
    ck_assert_msg(a_wrmsr(m, MSR_APIC_BASE, APIC_BASE_X2APIC) == V_GP, "EXTD without x2apic is reserved: #GP");
    emu_close(m);
}
END_TEST

/* Clearing EN loses the APIC's state (11.4.3); the way back is through xAPIC. */
START_TEST(disable_resets_state)
{
    emu_machine *m = a_bare(NULL);
    a_mmio_write(m, XA(R_SVR), SVR_ENABLE);
    a_mmio_write(m, XA(R_TPR), 0x40);
    a_mmio_write(m, XA(R_LVT_TIMER), 0x30);
    a_mmio_write(m, XA(R_TIMER_INIT), 100000);
    a_mmio_write(m, XA(R_ID), 0x05000000);
    a_wrmsr_ok(m, MSR_APIC_BASE, APIC_BASE_OFF, "disable");
    a_wrmsr_ok(m, MSR_APIC_BASE, APIC_BASE_XAPIC, "enable again");
    ck_assert_msg(a_mmio_read(m, XA(R_SVR)) == 0xff, "SVR back to 0xff");
    ck_assert_msg(a_mmio_read(m, XA(R_TPR)) == 0, "TPR cleared");
    ck_assert_msg(a_mmio_read(m, XA(R_LVT_TIMER)) == LVT_MASKED, "LVT timer masked");
    ck_assert_msg(a_mmio_read(m, XA(R_TIMER_INIT)) == 0, "initial count cleared");
    ck_assert_msg(a_mmio_read(m, XA(R_TIMER_CUR)) == 0, "timer stopped");
    ck_assert_msg(a_mmio_read(m, XA(R_ID)) == 0, "ID back to the hardware's");
    emu_close(m);
}
END_TEST

/* xAPIC -> x2APIC keeps the state except the ID and LDR, which x2APIC derives (11.12.5.1). */
START_TEST(xapic_to_x2apic_keeps_state)
{
    emu_machine *m = a_bare(NULL);
    a_mmio_write(m, XA(R_SVR), SVR_ENABLE);
    a_mmio_write(m, XA(R_TPR), 0x20);
    a_mmio_write(m, XA(R_LDR), 0x80000000);
    a_wrmsr_ok(m, MSR_APIC_BASE, APIC_BASE_X2APIC, "to x2APIC");
    ck_assert_msg(a_msr(m, X2(R_TPR), "TPR") == 0x20, "TPR kept");
    ck_assert_msg(a_msr(m, X2(R_SVR), "SVR") == SVR_ENABLE, "SVR kept");
    ck_assert_msg(a_msr(m, X2(R_LDR), "LDR") == 1, "LDR derived from ID 0");
    /* The xAPIC page is gone in x2APIC mode. */
    static const uint8_t load[] = { 0x8b, 0x07 };
    t_load_code(m, load, sizeof load);
    t_set_reg(m, EMU_X86_RDI, XA(R_VER));
    emu_stop stop = t_run(m, 1);
    ck_assert_msg(stop.kind == EMU_STOP_ERROR, "no xAPIC page in x2APIC mode: %s", stop.message);
    emu_close(m);
}
END_TEST

START_TEST(cpuid_apic_bit_follows_enable)
{
    emu_machine *m = a_bare(NULL);
    static const uint8_t cpuid[] = { 0x0f, 0xa2 };
    a_wrmsr_ok(m, MSR_APIC_BASE, APIC_BASE_OFF, "disable");
    t_load_code(m, cpuid, sizeof cpuid);
    t_set_reg(m, EMU_X86_RAX, 1);
    ck_assert(a_step(m, "cpuid") < 0);
    ck_assert_msg(!(t_reg(m, EMU_X86_RDX) & (1u << 9)), "CPUID.1:EDX.APIC clear while disabled");
    emu_close(m);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("apic_base");
    TCase *tc = tcase_create("transitions");
    tcase_add_test(tc, every_transition);
    tcase_add_test(tc, no_x2apic_feature_no_extd);
    tcase_add_test(tc, disable_resets_state);
    tcase_add_test(tc, xapic_to_x2apic_keeps_state);
    tcase_add_test(tc, cpuid_apic_bit_follows_enable);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
