/*
 * The interpreter's shortcuts (a64.h, a64_refresh_shortcuts): the data page
 * shortcut (the hint that last served a load or store of its kind) and the
 * SP in use kept by index. Each stands for what the full rules would find,
 * so each case changes one of their inputs -- PSTATE.EL between steps, the
 * hint list, a Device page's alignment rule, PSTATE.SPSel inside a batch --
 * and checks that the access goes where the full rules send it. And XZR,
 * read as an x[31] that writes to register 31 leave 0.
 */
#include "a64_case.h"
#include "emu_test.h"

static const uint32_t LDR_X2_X1 = 0xf9400022;   /* ldr x2, [x1] */
static const uint32_t LDP_X2_X3_X1 = 0xa9400c22; /* ldp x2, x3, [x1] */

static void setup(t64 *t, const uint32_t *code, size_t n)
{
    t64_init(t);
    t64_code(t, code, n);
    for (unsigned i = 0; i < 0x3000; i++)
        t->mem[T64_DATA - T64_MEM_BASE + i] = (uint8_t)i;
}

/* Step the one instruction at T64_CODE again; was it served without the callback? */
static bool served_by_hint(t64 *t, const char *what)
{
    t->cpu.pc = T64_CODE;
    t->last.kind = A64_ACC_FETCH;
    T64_STEP(t, A64_OK, what);
    return t->last.kind == A64_ACC_FETCH;
}

START_TEST(shortcut_serves_its_el_only)
{
    t64 t;
    setup(&t, &LDR_X2_X1, 1);
    t64_hint_page(&t, A64_ACC_READ, 1, T64_DATA, false);
    t.cpu.x[1] = T64_DATA + 8;
    ck_assert_msg(served_by_hint(&t, "ldr at EL1"), "ldr at EL1: the EL1 hint serves it");
    t.cpu.pstate.el = 0;    /* as a test or debugger may set it between steps */
    ck_assert_msg(!served_by_hint(&t, "ldr at EL0"), "ldr at EL0: the EL1 hint (and its shortcut) must not serve it");
    T64_EQ(t.last.el, 0, "ldr at EL0: the callback saw an EL0 access");
    T64_EQ(t.cpu.x[2], 0x0f0e0d0c0b0a0908ull, "ldr at EL0: the value");
    t64_free(&t);
}
END_TEST

START_TEST(shortcut_dropped_with_its_hint)
{
    t64 t;
    setup(&t, &LDR_X2_X1, 1);
    t64_hint_page(&t, A64_ACC_READ, 1, T64_DATA, false);
    t.cpu.x[1] = T64_DATA;
    ck_assert_msg(served_by_hint(&t, "ldr, hinted"), "ldr: the hint serves it");
    /* Two newer hints push the data page's out of the list: its shortcut must go with it. */
    t64_hint_page(&t, A64_ACC_READ, 1, T64_DATA + 0x1000, false);
    t64_hint_page(&t, A64_ACC_READ, 1, T64_DATA + 0x2000, false);
    ck_assert_msg(!served_by_hint(&t, "ldr, hint pushed out"), "ldr after its hint was pushed out: the callback");
    T64_EQ(t.cpu.x[2], 0x0706050403020100ull, "ldr: the value");
    /* A hint of the other kind leaves a shortcut alone. */
    t.cpu.x[1] = T64_DATA + 0x1000;
    ck_assert_msg(served_by_hint(&t, "ldr, older hint"), "ldr through the older of two hints");
    t64_hint_page(&t, A64_ACC_WRITE, 1, T64_DATA, false);
    ck_assert_msg(served_by_hint(&t, "ldr after a write hint"), "ldr after a write hint was added");
    a64_clear_page_hints(&t.cpu);
    ck_assert_msg(!served_by_hint(&t, "ldr, hints cleared"), "ldr after the hints were cleared: the callback");
    t64_free(&t);
}
END_TEST

START_TEST(shortcut_keeps_device_alignment)
{
    t64 t;
    setup(&t, &LDP_X2_X3_X1, 1);
    t64_hint_page(&t, A64_ACC_READ, 1, T64_DATA, true);
    t.cpu.x[1] = T64_DATA + 16;
    ck_assert_msg(served_by_hint(&t, "ldp, 16-byte aligned, Device"), "aligned ldp from a Device page: the hint");
    t.cpu.x[1] = T64_DATA + 4;
    ck_assert_msg(!served_by_hint(&t, "ldp, unaligned, Device"),
                  "ldp of unaligned doublewords from a Device page: the callback (which raises the alignment fault)");
    T64_EQ(t.cpu.x[2], 0x0b0a090807060504ull, "ldp: first");
    t64_free(&t);
}
END_TEST

START_TEST(pair_shortcut_stays_in_its_page)
{
    t64 t;
    setup(&t, &LDP_X2_X3_X1, 1);
    t64_hint_page(&t, A64_ACC_READ, 1, T64_DATA, false);
    t.cpu.x[1] = T64_DATA + 16;
    ck_assert_msg(served_by_hint(&t, "ldp at a 16-byte boundary"), "ldp at a 16-byte boundary: the hint");
    t.cpu.x[1] = T64_DATA + 8;
    ck_assert_msg(served_by_hint(&t, "ldp at 8 past a 16-byte boundary"), "ldp at 8 past a 16-byte boundary: the hint");
    T64_EQ(t.cpu.x[3], 0x1716151413121110ull, "ldp at 8 past a 16-byte boundary: second");
    /* The page after the hinted one faults: a pair reaching into it must fault on its second half. */
    t.hole_lo = T64_DATA + 0x1000;
    t.hole_hi = T64_DATA + 0x2000;
    t.cpu.x[1] = T64_DATA + 0x1000 - 8;
    t.cpu.pc = T64_CODE;
    T64_EXPECT_EXC(&t, ESR_EC_DABT_CUR, "ldp across the end of the shortcut's page");
    T64_EQ(t.cpu.exc.far, T64_DATA + 0x1000, "ldp across the end of the shortcut's page: FAR");
    t64_free(&t);
}
END_TEST

START_TEST(shortcut_off_while_debug_wants_every_access)
{
    t64 t;
    setup(&t, &LDR_X2_X1, 1);
    t64_hint_page(&t, A64_ACC_READ, 1, T64_DATA, false);
    t.cpu.x[1] = T64_DATA;
    ck_assert_msg(served_by_hint(&t, "ldr, hinted"), "ldr: the hint serves it");
    t.cpu.debug_attention = true;   /* as if a watchpoint were armed (none is) */
    ck_assert_msg(!served_by_hint(&t, "ldr, debug"), "ldr while self-hosted debug is active: the callback");
    t64_free(&t);
}
END_TEST

/* MSR SPSel inside a batch: the stores after it use the SP it selects. */
static void spsel_in_batch(uint32_t msr_spsel_0, const char *what)
{
    const uint32_t code[] = {
        msr_spsel_0,
        0xa9bf07e0, /* stp x0, x1, [sp, #-16]! */
        0xd50041bf, /* msr spsel, #1 */
        0xa9bf07e0, /* stp x0, x1, [sp, #-16]! */
    };
    t64 t;
    setup(&t, code, 4);
    t64_hint_page(&t, A64_ACC_WRITE, 1, T64_STACK - 1, false);
    t64_hint_page(&t, A64_ACC_WRITE, 1, T64_STACK - 0x1001, false);
    t.cpu.x[0] = 0x1111;
    t.cpu.x[1] = 0x2222;
    uint64_t clock = 0, deadline = UINT64_MAX;
    a64_batch b = { .max = 4, .clock = &clock, .deadline = &deadline, .cost = 1 };
    a64_status st = a64_run_batch(&t.cpu, &b);
    ck_assert_msg(st == A64_OK && b.done == 4, "%s: batch of four: %s, %llu done", what, a64_status_name(st),
                  (unsigned long long)b.done);
    T64_EQ(t.cpu.sp_el[0], T64_STACK - 0x1000 - 16, what);
    T64_EQ(t64_rd64(&t, T64_STACK - 0x1000 - 16), 0x1111, what);
    T64_EQ(t.cpu.sp_el[1], T64_STACK - 16, what);
    T64_EQ(t64_rd64(&t, T64_STACK - 8), 0x2222, what);
    t64_free(&t);
}

START_TEST(sp_follows_spsel_in_a_batch)
{
    spsel_in_batch(0xd50040bf, "msr spsel, #0");
    spsel_in_batch(0xd518421f, "msr spsel, xzr");
}
END_TEST

/* XZR reads as x[31], which every write to register 31 as XZR leaves 0. */
START_TEST(xzr_reads_zero_after_writes_to_it)
{
    static const uint32_t code[] = {
        0xd28000bf, /* mov xzr, #5 (MOVZ) */
        0xa9007c3f, /* stp xzr, xzr, [x1] */
        0xf940003f, /* ldr xzr, [x1, #0] */
        0x8b1f03e2, /* add x2, xzr, xzr */
        0xaa00001f, /* orr xzr, x0, x0 */
        0xaa1f03e3, /* mov x3, xzr */
    };
    t64 t;
    setup(&t, code, 6);
    t.cpu.x[0] = 0x1234;
    t.cpu.x[1] = T64_DATA;
    t.cpu.x[2] = t.cpu.x[3] = 0x77;
    T64_STEP(&t, A64_OK, "movz xzr");
    T64_STEP(&t, A64_OK, "stp xzr, xzr");
    T64_EQ(t64_rd64(&t, T64_DATA), 0, "stp xzr, xzr after movz xzr: first");
    T64_EQ(t64_rd64(&t, T64_DATA + 8), 0, "stp xzr, xzr after movz xzr: second");
    t64_wr64(&t, T64_DATA, 0x99);
    T64_STEP(&t, A64_OK, "ldr xzr");
    T64_STEP(&t, A64_OK, "add x2, xzr, xzr");
    T64_EQ(t.cpu.x[2], 0, "add x2, xzr, xzr after ldr xzr");
    T64_STEP(&t, A64_OK, "orr xzr, x0, x0");
    T64_STEP(&t, A64_OK, "mov x3, xzr");
    T64_EQ(t.cpu.x[3], 0, "mov x3, xzr after orr xzr, x0, x0");
    t64_free(&t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cpu_arm64_shortcuts");
    TCase *tc = tcase_create("shortcuts");
    tcase_add_test(tc, shortcut_serves_its_el_only);
    tcase_add_test(tc, shortcut_dropped_with_its_hint);
    tcase_add_test(tc, shortcut_keeps_device_alignment);
    tcase_add_test(tc, pair_shortcut_stays_in_its_page);
    tcase_add_test(tc, shortcut_off_while_debug_wants_every_access);
    tcase_add_test(tc, sp_follows_spsel_in_a_batch);
    tcase_add_test(tc, xzr_reads_zero_after_writes_to_it);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
