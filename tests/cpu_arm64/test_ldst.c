/*
 * Loads and stores of general registers: every addressing mode, pairs,
 * literals, unprivileged accesses, prefetch, and the aborts they raise
 * (data abort syndrome and FAR, SP alignment, SCTLR_EL1.A alignment).
 * The data window holds byte i at T64_DATA + i (mod 256).
 */
#include "a64_case.h"
#include "emu_test.h"

static void setup(t64 *t, uint32_t insn)
{
    t64_init(t);
    t64_code(t, &insn, 1);
    for (unsigned i = 0; i < 0x1000; i++)
        t->mem[T64_DATA - T64_MEM_BASE + i] = (uint8_t)i;
}

typedef struct ld_case {
    uint32_t insn;
    const char *text;
    uint64_t x1, x2;
    uint64_t want_x0, want_x1;
} ld_case;

static const ld_case loads[] = {
    { 0xf9400420, "ldr x0, [x1, #8]", T64_DATA, 0, 0x0f0e0d0c0b0a0908ull, T64_DATA },
    { 0x39400420, "ldrb w0, [x1, #1]", T64_DATA, 0, 0x01, T64_DATA },
    { 0x79800420, "ldrsh x0, [x1, #2]", T64_DATA + 0x80, 0, 0xffffffffffff8382ull, T64_DATA + 0x80 },
    { 0xb9800420, "ldrsw x0, [x1, #4]", T64_DATA + 0x80, 0, 0xffffffff87868584ull, T64_DATA + 0x80 },
    { 0xf85f8020, "ldur x0, [x1, #-8]", T64_DATA + 16, 0, 0x0f0e0d0c0b0a0908ull, T64_DATA + 16 },
    { 0xf8410c20, "ldr x0, [x1, #16]!", T64_DATA, 0, 0x1716151413121110ull, T64_DATA + 16 },
    { 0xf8410420, "ldr x0, [x1], #16", T64_DATA, 0, 0x0706050403020100ull, T64_DATA + 16 },
    { 0xb862d820, "ldr w0, [x1, w2, sxtw #2]", T64_DATA + 16, 0xffffffff, 0x0f0e0d0c, T64_DATA + 16 },
    { 0xf8400820, "ldtr x0, [x1]", T64_DATA, 0, 0x0706050403020100ull, T64_DATA },
};

START_TEST(load_table)
{
    const ld_case *c = &loads[_i];
    t64 t;
    setup(&t, c->insn);
    t.cpu.x[0] = 0x5a5a;
    t.cpu.x[1] = c->x1;
    t.cpu.x[2] = c->x2;
    T64_STEP(&t, A64_OK, c->text);
    T64_EQ(t.cpu.x[0], c->want_x0, c->text);
    T64_EQ(t.cpu.x[1], c->want_x1, c->text);
    t64_free(&t);
}
END_TEST

START_TEST(ldtr_is_unprivileged_at_el1_only)
{
    t64 t;
    setup(&t, 0xf8400820); /* ldtr x0, [x1] */
    t.cpu.x[1] = T64_DATA;
    T64_STEP(&t, A64_OK, "ldtr at EL1");
    ck_assert_msg(t.last.flags & A64_ACC_UNPRIV, "ldtr at EL1: access not marked unprivileged");
    T64_EQ(t.last.el, 1, "ldtr at EL1: access EL");
    t.cpu.pc = T64_CODE;
    t.cpu.pstate.el = 0;
    T64_STEP(&t, A64_OK, "ldtr at EL0");
    ck_assert_msg(!(t.last.flags & A64_ACC_UNPRIV), "ldtr at EL0 is an ordinary access");
    t64_free(&t);
}
END_TEST

START_TEST(store_register_offset)
{
    t64 t;
    setup(&t, 0xf8227820); /* str x0, [x1, x2, lsl #3] */
    t.cpu.x[0] = 0x1122334455667788ull;
    t.cpu.x[1] = T64_DATA;
    t.cpu.x[2] = 3;
    T64_STEP(&t, A64_OK, "str x0, [x1, x2, lsl #3]");
    T64_EQ(t64_rd64(&t, T64_DATA + 24), 0x1122334455667788ull, "str x0, [x1, x2, lsl #3]");
    T64_EQ(t.last.kind, A64_ACC_WRITE, "str: access kind");
    T64_EQ(t.last.size, 8, "str: access size");
    t64_free(&t);
}
END_TEST

START_TEST(literal_loads)
{
    static const uint32_t code[] = { 0x58000040, 0x98000020, 0x89abcdef, 0x01234567 }; /* ldr x0, #8; ldrsw x0, #4 */
    t64 t;
    t64_init(&t);
    t64_code(&t, code, 4);
    T64_STEP(&t, A64_OK, "ldr x0, #8");
    T64_EQ(t.cpu.x[0], 0x0123456789abcdefull, "ldr x0, #8");
    T64_STEP(&t, A64_OK, "ldrsw x0, #4");
    T64_EQ(t.cpu.x[0], 0xffffffff89abcdefull, "ldrsw x0, #4");
    t64_free(&t);
}
END_TEST

START_TEST(pairs)
{
    static const uint32_t code[] = {
        0xa9bf0be0, /* stp x0, x2, [sp, #-16]! */
        0xa8c10be3, /* ldp x3, x2, [sp], #16 */
        0x69410824, /* ldpsw x4, x2, [x1, #8] */
        0x28000820, /* stnp w0, w2, [x1] */
    };
    t64 t;
    setup(&t, 0);
    t64_code(&t, code, 4);
    t.cpu.x[0] = 0x1111;
    t.cpu.x[2] = 0x2222;
    t.cpu.x[1] = T64_DATA + 0x80;
    T64_STEP(&t, A64_OK, "stp pre-index");
    T64_EQ(t.cpu.sp_el[1], T64_STACK - 16, "stp pre-index: SP");
    T64_EQ(t64_rd64(&t, T64_STACK - 16), 0x1111, "stp: first");
    T64_EQ(t64_rd64(&t, T64_STACK - 8), 0x2222, "stp: second");
    t.cpu.x[2] = 0;
    T64_STEP(&t, A64_OK, "ldp post-index");
    T64_EQ(t.cpu.x[3], 0x1111, "ldp: first");
    T64_EQ(t.cpu.x[2], 0x2222, "ldp: second");
    T64_EQ(t.cpu.sp_el[1], T64_STACK, "ldp post-index: SP");
    T64_STEP(&t, A64_OK, "ldpsw");
    T64_EQ(t.cpu.x[4], 0xffffffff8b8a8988ull, "ldpsw: first");
    T64_EQ(t.cpu.x[2], 0xffffffff8f8e8d8cull, "ldpsw: second");
    t.cpu.x[2] = 0x2222;
    T64_STEP(&t, A64_OK, "stnp w");
    T64_EQ(t64_rd64(&t, T64_DATA + 0x80), 0x0000222200001111ull, "stnp w0, w2");
    t64_free(&t);
}
END_TEST

START_TEST(prefetch_never_faults)
{
    t64 t;
    setup(&t, 0xf9800020); /* prfm pldl1keep, [x1] */
    t.cpu.x[1] = 0x10;
    t.last.kind = A64_ACC_FETCH;
    T64_STEP(&t, A64_OK, "prfm of an unmapped address");
    T64_EQ(t.last.kind, A64_ACC_FETCH, "prfm makes no data access");
    t64_free(&t);
}
END_TEST

START_TEST(data_abort_syndrome)
{
    t64 t;
    setup(&t, 0xf8410420); /* ldr x0, [x1], #16 */
    t.cpu.x[0] = 0x77;
    t.cpu.x[1] = 0x10;
    T64_EXPECT_EXC(&t, ESR_EC_DABT_CUR, "ldr post-index from unmapped memory");
    T64_EQ(t.cpu.exc.far, 0x10, "FAR");
    ck_assert_msg(t.cpu.exc.far_valid, "FAR valid");
    T64_EQ(t.cpu.exc.iss & ESR_ISS_FSC_MASK, T64_FSC_TRANSLATION_L3, "DFSC");
    ck_assert_msg(!(t.cpu.exc.iss & ESR_ISS_DABT_ISV), "writeback form: ISV = 0");
    ck_assert_msg(!(t.cpu.exc.iss & ESR_ISS_DABT_WNR), "a read: WnR = 0");
    T64_EQ(t.cpu.x[0], 0x77, "destination untouched");
    T64_EQ(t.cpu.x[1], 0x10, "no writeback");
    T64_EQ(t.cpu.pc, T64_CODE, "PC stays at the faulting instruction");
    t64_free(&t);

    setup(&t, 0xb9000420); /* str w0, [x1, #4] at EL0 */
    t.cpu.pstate.el = 0;
    t.cpu.x[1] = 0x10;
    T64_EXPECT_EXC(&t, ESR_EC_DABT_LOWER, "str from EL0 to unmapped memory");
    uint32_t want_iss = ESR_ISS_DABT_ISV | (2u << ESR_ISS_DABT_SAS_SHIFT) | ESR_ISS_DABT_WNR | T64_FSC_TRANSLATION_L3;
    T64_EQ(t.cpu.exc.iss, want_iss, "ISS: ISV, SAS=word, SRT=0, WnR, DFSC");
    T64_EQ(t.cpu.exc.far, 0x14, "FAR");
    t64_free(&t);

    setup(&t, 0x79800420); /* ldrsh x0, [x1, #2] */
    t.cpu.x[1] = 0x10;
    T64_EXPECT_EXC(&t, ESR_EC_DABT_CUR, "ldrsh from unmapped memory");
    want_iss = ESR_ISS_DABT_ISV | (1u << ESR_ISS_DABT_SAS_SHIFT) | ESR_ISS_DABT_SSE | ESR_ISS_DABT_SF |
               T64_FSC_TRANSLATION_L3;
    T64_EQ(t.cpu.exc.iss, want_iss, "ISS: ISV, SAS=halfword, SSE, SF");
    t64_free(&t);
}
END_TEST

START_TEST(pair_second_half_faults)
{
    t64 t;
    setup(&t, 0xa8c10be3); /* ldp x3, x2, [sp], #16 */
    t.cpu.sp_el[1] = T64_MEM_BASE + T64_MEM_SIZE - 8; /* second doubleword is past the window */
    t.cpu.x[3] = 0x33;
    T64_EXPECT_EXC(&t, ESR_EC_DABT_CUR, "ldp whose second access faults");
    T64_EQ(t.cpu.exc.far, T64_MEM_BASE + T64_MEM_SIZE, "FAR names the second access");
    T64_EQ(t.cpu.x[3], 0x33, "first destination untouched");
    T64_EQ(t.cpu.sp_el[1], T64_MEM_BASE + T64_MEM_SIZE - 8, "no writeback");
    t64_free(&t);
}
END_TEST

START_TEST(sp_alignment)
{
    t64 t;
    setup(&t, 0xf94007e0); /* ldr x0, [sp, #8] */
    t.cpu.sp_el[1] = T64_STACK + 8;
    T64_STEP(&t, A64_OK, "misaligned SP without SCTLR_EL1.SA");
    t.cpu.pc = T64_CODE;
    t.cpu.sys.sctlr_el1 |= A64_SCTLR_SA;
    T64_EXPECT_EXC(&t, ESR_EC_SP_ALIGN, "misaligned SP with SCTLR_EL1.SA");
    t.cpu.sp_el[1] = T64_STACK;
    T64_STEP(&t, A64_OK, "aligned SP with SCTLR_EL1.SA");
    t64_free(&t);
}
END_TEST

START_TEST(alignment_check)
{
    t64 t;
    setup(&t, 0xf9400020); /* ldr x0, [x1] */
    t.cpu.x[1] = T64_DATA + 1;
    T64_STEP(&t, A64_OK, "unaligned load, SCTLR_EL1.A = 0");
    t.cpu.pc = T64_CODE;
    t.cpu.sys.sctlr_el1 |= A64_SCTLR_A;
    T64_EXPECT_EXC(&t, ESR_EC_DABT_CUR, "unaligned load, SCTLR_EL1.A = 1");
    T64_EQ(t.cpu.exc.iss & ESR_ISS_FSC_MASK, ESR_FSC_ALIGNMENT, "alignment fault DFSC");
    T64_EQ(t.cpu.exc.far, T64_DATA + 1, "FAR");
    t64_free(&t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cpu_arm64_ldst");
    TCase *tc = tcase_create("ldst");
    tcase_add_loop_test(tc, load_table, 0, (int)(sizeof loads / sizeof loads[0]));
    tcase_add_test(tc, ldtr_is_unprivileged_at_el1_only);
    tcase_add_test(tc, store_register_offset);
    tcase_add_test(tc, literal_loads);
    tcase_add_test(tc, pairs);
    tcase_add_test(tc, prefetch_never_faults);
    tcase_add_test(tc, data_abort_syndrome);
    tcase_add_test(tc, pair_second_half_faults);
    tcase_add_test(tc, sp_alignment);
    tcase_add_test(tc, alignment_check);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
