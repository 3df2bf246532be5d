/*
 * Exclusives (single-PE local monitor), load-acquire/store-release and the
 * LSE atomics, with their alignment checks and access attributes.
 */
#include "a64_case.h"
#include "emu_test.h"

#define D T64_DATA

static void run(t64 *t, const uint32_t *code, size_t n)
{
    t64_init(t);
    t64_code(t, code, n);
    t->cpu.x[1] = D;
}

START_TEST(exclusive_pass_and_fail)
{
    static const uint32_t code[] = {
        0xc85f7c20, /* ldxr x0, [x1] */
        0xc8037c22, /* stxr w3, x2, [x1]: passes */
        0xc8037c22, /* stxr w3, x2, [x1]: monitor now clear, fails */
        0xc85f7c20, /* ldxr x0, [x1] */
        0xd5033f5f, /* clrex */
        0xc8037c22, /* stxr w3, x2, [x1]: fails after CLREX */
    };
    t64 t;
    run(&t, code, 6);
    t64_wr64(&t, D, 0x1234);
    t.cpu.x[2] = 0x5678;
    T64_STEP(&t, A64_OK, "ldxr");
    T64_EQ(t.cpu.x[0], 0x1234, "ldxr value");
    ck_assert_msg(t.last.flags & A64_ACC_EXCL, "ldxr: access marked exclusive");
    T64_STEP(&t, A64_OK, "stxr after ldxr");
    T64_EQ(t.cpu.x[3], 0, "stxr after ldxr: status");
    T64_EQ(t64_rd64(&t, D), 0x5678, "stxr after ldxr: memory");
    t.cpu.x[2] = 0x9999;
    T64_STEP(&t, A64_OK, "second stxr");
    T64_EQ(t.cpu.x[3], 1, "second stxr: status");
    T64_EQ(t64_rd64(&t, D), 0x5678, "second stxr: memory unchanged");
    T64_STEP(&t, A64_OK, "ldxr again");
    T64_STEP(&t, A64_OK, "clrex");
    T64_STEP(&t, A64_OK, "stxr after clrex");
    T64_EQ(t.cpu.x[3], 1, "stxr after clrex: status");
    t64_free(&t);
}
END_TEST

START_TEST(exclusive_pair_acquire_release)
{
    static const uint32_t code[] = {
        0xc87f9424, /* ldaxp x4, x5, [x1] */
        0xc8239424, /* stlxp w3, x4, x5, [x1] */
    };
    t64 t;
    run(&t, code, 2);
    t64_wr64(&t, D, 0x11);
    t64_wr64(&t, D + 8, 0x22);
    T64_STEP(&t, A64_OK, "ldaxp");
    T64_EQ(t.cpu.x[4], 0x11, "ldaxp first");
    T64_EQ(t.cpu.x[5], 0x22, "ldaxp second");
    T64_EQ(t.last.size, 16, "ldaxp is one 16-byte access");
    ck_assert_msg(t.last.flags & A64_ACC_ACQUIRE, "ldaxp: acquire");
    t.cpu.x[4] = 0x33;
    T64_STEP(&t, A64_OK, "stlxp");
    T64_EQ(t.cpu.x[3], 0, "stlxp status");
    ck_assert_msg(t.last.flags & A64_ACC_RELEASE, "stlxp: release");
    T64_EQ(t64_rd64(&t, D), 0x33, "stlxp memory");
    t64_free(&t);
}
END_TEST

START_TEST(exclusive_alignment)
{
    static const uint32_t code[] = { 0xc85f7c20 }; /* ldxr x0, [x1] */
    t64 t;
    run(&t, code, 1);
    t.cpu.x[1] = D + 4;
    T64_EXPECT_EXC(&t, ESR_EC_DABT_CUR, "ldxr of a misaligned doubleword");
    T64_EQ(t.cpu.exc.iss & ESR_ISS_FSC_MASK, ESR_FSC_ALIGNMENT, "alignment fault even with SCTLR_EL1.A = 0");
    t64_free(&t);
}
END_TEST

START_TEST(acquire_release)
{
    static const uint32_t code[] = {
        0xc89ffc20, /* stlr x0, [x1] */
        0x88dffc22, /* ldar w2, [x1] */
    };
    t64 t;
    run(&t, code, 2);
    t.cpu.x[0] = 0xabcdef0123ull;
    T64_STEP(&t, A64_OK, "stlr");
    ck_assert_msg(t.last.flags & A64_ACC_RELEASE, "stlr: release");
    T64_STEP(&t, A64_OK, "ldar");
    ck_assert_msg(t.last.flags & A64_ACC_ACQUIRE, "ldar: acquire");
    T64_EQ(t.cpu.x[2], 0xcdef0123, "ldar w2");
    t.cpu.pc = T64_CODE + 4;
    t.cpu.x[1] = 0x10;
    T64_EXPECT_EXC(&t, ESR_EC_DABT_CUR, "ldar from unmapped memory");
    ck_assert_msg(t.cpu.exc.iss & ESR_ISS_DABT_AR, "ldar abort: ISS.AR");
    t64_free(&t);
}
END_TEST

typedef struct lse_case {
    uint32_t insn;
    const char *text;
    uint64_t mem, x2, want_mem, want_x0;
    unsigned want_flags;
} lse_case;

#define ACQ A64_ACC_ACQUIRE
#define REL A64_ACC_RELEASE

static const lse_case lse[] = {
    { 0xf8220020, "ldadd x2, x0, [x1]", 5, 3, 8, 5, 0 },
    { 0xb8e21020, "ldclral w2, w0, [x1]", 0xff, 0x0f, 0xf0, 0xff, ACQ | REL },
    { 0xf8a22020, "ldeora x2, x0, [x1]", 0xf0f0, 0xff00, 0x0ff0, 0xf0f0, ACQ },
    { 0xf8223020, "ldset x2, x0, [x1]", 0x100, 0x1, 0x101, 0x100, 0 },
    { 0xb8224020, "ldsmax w2, w0, [x1]", 0xfffffffe, 1, 1, 0xfffffffe, 0 },
    { 0xf8227020, "ldumin x2, x0, [x1]", 5, 3, 3, 5, 0 },
    { 0xf8e28020, "swpal x2, x0, [x1]", 0xaaaa, 0xbbbb, 0xbbbb, 0xaaaa, ACQ | REL },
    { 0x38220020, "ldaddb w2, w0, [x1]", 0x12ff, 2, 0x1201, 0xff, 0 },
};

START_TEST(lse_table)
{
    const lse_case *c = &lse[_i];
    t64 t;
    run(&t, &c->insn, 1);
    t64_wr64(&t, D, c->mem);
    t.cpu.x[2] = c->x2;
    T64_STEP(&t, A64_OK, c->text);
    T64_EQ(t64_rd64(&t, D), c->want_mem, c->text);
    T64_EQ(t.cpu.x[0], c->want_x0, c->text);
    ck_assert_msg(t.last.flags & A64_ACC_ATOMIC, "%s: access marked atomic", c->text);
    T64_EQ(t.last.flags & (ACQ | REL), c->want_flags, c->text);
    t64_free(&t);
}
END_TEST

START_TEST(stadd_and_atomic_alignment)
{
    static const uint32_t code[] = { 0xf822003f }; /* stadd x2, [x1] */
    t64 t;
    run(&t, code, 1);
    t64_wr64(&t, D, 40);
    t.cpu.x[2] = 2;
    T64_STEP(&t, A64_OK, "stadd");
    T64_EQ(t64_rd64(&t, D), 42, "stadd memory");
    t.cpu.pc = T64_CODE;
    t.cpu.x[1] = D + 2;
    T64_EXPECT_EXC(&t, ESR_EC_DABT_CUR, "stadd misaligned");
    T64_EQ(t.cpu.exc.iss & ESR_ISS_FSC_MASK, ESR_FSC_ALIGNMENT, "stadd misaligned: alignment fault");
    t64_free(&t);
}
END_TEST

START_TEST(compare_and_swap)
{
    static const uint32_t code[] = {
        0xc8a27c20, /* cas x2, x0, [x1]: compare equal, swap */
        0xc8a27c20, /* cas x2, x0, [x1]: x2 now holds the old value 7, memory 9: no swap */
        0x48227c24, /* casp x2, x3, x4, x5, [x1] */
    };
    t64 t;
    run(&t, code, 3);
    t64_wr64(&t, D, 7);
    t.cpu.x[2] = 7;
    t.cpu.x[0] = 9;
    T64_STEP(&t, A64_OK, "cas equal");
    T64_EQ(t64_rd64(&t, D), 9, "cas equal: memory");
    T64_EQ(t.cpu.x[2], 7, "cas equal: old value");
    t.cpu.x[0] = 11;
    T64_STEP(&t, A64_OK, "cas not equal");
    T64_EQ(t64_rd64(&t, D), 9, "cas not equal: memory unchanged");
    T64_EQ(t.cpu.x[2], 9, "cas not equal: old value");
    t64_wr64(&t, D + 8, 10);
    t.cpu.x[3] = 10;
    t.cpu.x[4] = 100;
    t.cpu.x[5] = 101;
    T64_STEP(&t, A64_OK, "casp equal");
    T64_EQ(t64_rd64(&t, D), 100, "casp first");
    T64_EQ(t64_rd64(&t, D + 8), 101, "casp second");
    t64_free(&t);
}
END_TEST

START_TEST(casp_odd_register_is_undefined)
{
    static const uint32_t code[] = { 0x48237c24 }; /* casp with Rs = 3 */
    t64 t;
    run(&t, code, 1);
    T64_EXPECT_EXC(&t, ESR_EC_UNKNOWN, "casp with an odd Rs");
    t64_free(&t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cpu_arm64_atomics");
    TCase *tc = tcase_create("atomics");
    tcase_add_test(tc, exclusive_pass_and_fail);
    tcase_add_test(tc, exclusive_pair_acquire_release);
    tcase_add_test(tc, exclusive_alignment);
    tcase_add_test(tc, acquire_release);
    tcase_add_loop_test(tc, lse_table, 0, (int)(sizeof lse / sizeof lse[0]));
    tcase_add_test(tc, stadd_and_atomic_alignment);
    tcase_add_test(tc, compare_and_swap);
    tcase_add_test(tc, casp_odd_register_is_undefined);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
