/*
 * PSCI 1.0 for one CPU (DEN0022D chapter 5): version, features, CPU_ON for
 * ourselves and for CPUs that do not exist, AFFINITY_INFO, MIGRATE_INFO_TYPE,
 * the stop requests of SYSTEM_OFF, SYSTEM_RESET and CPU_OFF, and
 * NOT_SUPPORTED for everything else.
 */
#include <check.h>
#include <string.h>

#include "emu_test.h"
#include "platform/virt/psci.h"

typedef struct stops {
    unsigned count;
    psci_stop last;
} stops;

static void on_stop(void *ctx, psci_stop why)
{
    stops *s = ctx;
    s->count++;
    s->last = why;
}

static psci p;
static stops st;

static void setup(void)
{
    memset(&st, 0, sizeof st);
    psci_init(&p, 0x80000000ull, on_stop, &st);   /* MPIDR_EL1 as QEMU's a57: U=0, bit 31 RES1 */
}

START_TEST(version_and_features)
{
    setup();
    ck_assert_int_eq(psci_call(&p, PSCI_VERSION, 0, 0, 0), 0x10000);
    ck_assert_int_eq(psci_call(&p, PSCI_FEATURES, PSCI_SYSTEM_OFF, 0, 0), PSCI_RET_SUCCESS);
    ck_assert_int_eq(psci_call(&p, PSCI_FEATURES, PSCI_CPU_ON_64, 0, 0), PSCI_RET_SUCCESS);
    ck_assert_int_eq(psci_call(&p, PSCI_FEATURES, PSCI_FEATURES, 0, 0), PSCI_RET_SUCCESS);
    ck_assert_int_eq(psci_call(&p, PSCI_FEATURES, PSCI_CPU_SUSPEND_64, 0, 0), PSCI_RET_NOT_SUPPORTED);
    ck_assert_int_eq(psci_call(&p, PSCI_FEATURES, 0x12345678, 0, 0), PSCI_RET_NOT_SUPPORTED);
    ck_assert_int_eq(psci_call(&p, PSCI_MIGRATE_INFO_TYPE, 0, 0, 0), 2);
    ck_assert_uint_eq(st.count, 0);
}
END_TEST

START_TEST(cpu_on_and_affinity_info)
{
    setup();
    ck_assert_int_eq(psci_call(&p, PSCI_CPU_ON_64, 0, 0x40080000, 0), PSCI_RET_ALREADY_ON);
    ck_assert_int_eq(psci_call(&p, PSCI_CPU_ON, 0, 0x40080000, 0), PSCI_RET_ALREADY_ON);
    ck_assert_int_eq(psci_call(&p, PSCI_CPU_ON_64, 1, 0x40080000, 0), PSCI_RET_INVALID_PARAMETERS);
    ck_assert_int_eq(psci_call(&p, PSCI_CPU_ON_64, 0x100, 0x40080000, 0), PSCI_RET_INVALID_PARAMETERS);
    /* SMC32: the upper half of X1 is ignored. */
    ck_assert_int_eq(psci_call(&p, PSCI_CPU_ON, 0xffffffff00000000ull, 0, 0), PSCI_RET_ALREADY_ON);
    ck_assert_int_eq(psci_call(&p, PSCI_AFFINITY_INFO_64, 0, 0, 0), 0);
    ck_assert_int_eq(psci_call(&p, PSCI_AFFINITY_INFO_64, 2, 0, 0), PSCI_RET_INVALID_PARAMETERS);
    ck_assert_int_eq(psci_call(&p, PSCI_AFFINITY_INFO_64, 0, 1, 0), PSCI_RET_INVALID_PARAMETERS);
}
END_TEST

START_TEST(system_off_reset_and_cpu_off_stop)
{
    setup();
    psci_call(&p, PSCI_SYSTEM_OFF, 0, 0, 0);
    ck_assert_msg(st.count == 1 && st.last == PSCI_STOP_SYSTEM_OFF, "SYSTEM_OFF stops");
    psci_call(&p, PSCI_SYSTEM_RESET, 0, 0, 0);
    ck_assert_msg(st.count == 2 && st.last == PSCI_STOP_SYSTEM_RESET, "SYSTEM_RESET stops");
    psci_call(&p, PSCI_CPU_OFF, 0, 0, 0);
    ck_assert_msg(st.count == 3 && st.last == PSCI_STOP_CPU_OFF, "CPU_OFF of the only CPU stops");
    ck_assert_str_eq(psci_stop_name(PSCI_STOP_SYSTEM_OFF), "PSCI SYSTEM_OFF");
}
END_TEST

START_TEST(unknown_and_unimplemented_are_not_supported)
{
    setup();
    static const uint32_t fids[] = { PSCI_CPU_SUSPEND, PSCI_CPU_SUSPEND_64, PSCI_MIGRATE, PSCI_MIGRATE_64,
                                     PSCI_MIGRATE_INFO_UP_CPU, 0x8400000e, 0xc400000e, 0, 0xffffffff, 0x82000000 };
    for (size_t i = 0; i < sizeof fids / sizeof fids[0]; i++)
        ck_assert_msg(psci_call(&p, fids[i], 0, 0, 0) == PSCI_RET_NOT_SUPPORTED, "fid 0x%x", fids[i]);
    ck_assert_uint_eq(st.count, 0);
}
END_TEST

static Suite *psci_suite(void)
{
    Suite *s = suite_create("psci");
    TCase *tc = tcase_create("psci");
    tcase_add_test(tc, version_and_features);
    tcase_add_test(tc, cpu_on_and_affinity_info);
    tcase_add_test(tc, system_off_reset_and_cpu_off_stop);
    tcase_add_test(tc, unknown_and_unimplemented_are_not_supported);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return t_run_suite(psci_suite());
}
