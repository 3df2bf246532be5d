/*
 * Loads and stores of general registers: every addressing mode, pairs,
 * literals, unprivileged accesses, prefetch, and the aborts they raise
 * (data abort syndrome and FAR, SP alignment, SCTLR_EL1.A alignment),
 * and the same instructions served by host page hints, whose fast paths
 * must behave exactly as the memory callback does.
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

/* Hints for reads and writes at EL1 on the data page and the page below the stack. */
static void hint_data_and_stack(t64 *t)
{
    t64_hint_page(t, A64_ACC_READ, 1, T64_DATA, false);
    t64_hint_page(t, A64_ACC_WRITE, 1, T64_DATA, false);
    t64_hint_page(t, A64_ACC_READ, 1, T64_STACK - 1, false);
    t64_hint_page(t, A64_ACC_WRITE, 1, T64_STACK - 1, false);
}

START_TEST(pairs_through_page_hints)
{
    static const uint32_t code[] = {
        0xa9bf0be0, /* stp x0, x2, [sp, #-16]! */
        0xa9010fe2, /* stp x2, x3, [sp, #16] */
        0xa9411be5, /* ldp x5, x6, [sp, #16] */
        0xa8c11fe4, /* ldp x4, x7, [sp], #16 */
        0xa8817c3f, /* stp xzr, xzr, [x1], #16 */
    };
    t64 t;
    setup(&t, 0);
    t64_code(&t, code, 5);
    hint_data_and_stack(&t);
    t.cpu.x[0] = 0x1111;
    t.cpu.x[2] = 0x2222;
    t.cpu.x[3] = 0x3333;
    t.cpu.x[1] = T64_DATA + 0x80;
    t.last.kind = A64_ACC_FETCH;
    T64_STEP(&t, A64_OK, "stp pre-index, hinted");
    T64_EQ(t.last.kind, A64_ACC_FETCH, "the hint served the store: no callback");
    T64_EQ(t.cpu.sp_el[1], T64_STACK - 16, "stp pre-index: SP");
    T64_EQ(t64_rd64(&t, T64_STACK - 16), 0x1111, "stp pre-index: first");
    T64_EQ(t64_rd64(&t, T64_STACK - 8), 0x2222, "stp pre-index: second");
    T64_STEP(&t, A64_OK, "stp offset, hinted");
    T64_EQ(t64_rd64(&t, T64_STACK), 0x2222, "stp offset: first (the next page, through the callback)");
    T64_EQ(t64_rd64(&t, T64_STACK + 8), 0x3333, "stp offset: second");
    T64_EQ(t.cpu.sp_el[1], T64_STACK - 16, "stp offset: no writeback");
    T64_STEP(&t, A64_OK, "ldp offset");
    T64_EQ(t.cpu.x[5], 0x2222, "ldp offset: first");
    T64_EQ(t.cpu.x[6], 0x3333, "ldp offset: second");
    T64_STEP(&t, A64_OK, "ldp post-index, hinted");
    T64_EQ(t.cpu.x[4], 0x1111, "ldp post-index: first");
    T64_EQ(t.cpu.x[7], 0x2222, "ldp post-index: second");
    T64_EQ(t.cpu.sp_el[1], T64_STACK, "ldp post-index: SP");
    T64_STEP(&t, A64_OK, "stp xzr, xzr post-index, hinted");
    T64_EQ(t64_rd64(&t, T64_DATA + 0x80), 0, "stp xzr: first");
    T64_EQ(t64_rd64(&t, T64_DATA + 0x88), 0, "stp xzr: second");
    T64_EQ(t.cpu.x[1], T64_DATA + 0x90, "stp post-index: base");
    t64_free(&t);
}
END_TEST

START_TEST(pair_fast_path_declines)
{
    /* Each case has a hint for the page, and each must still take the general path's rules. */
    t64 t;
    setup(&t, 0xa9000be0); /* stp x0, x2, [sp] */
    hint_data_and_stack(&t);
    t.cpu.sp_el[1] = T64_STACK - 24;
    t.cpu.x[0] = 0x1111;
    t.cpu.sys.sctlr_el1 |= A64_SCTLR_SA;
    T64_EXPECT_EXC(&t, ESR_EC_SP_ALIGN, "hinted stp at a misaligned SP with SCTLR_EL1.SA");
    T64_EQ(t64_rd64(&t, T64_STACK - 24), 0, "nothing stored");
    t.cpu.sys.sctlr_el1 &= ~A64_SCTLR_SA;
    T64_STEP(&t, A64_OK, "hinted stp at a misaligned SP without SCTLR_EL1.SA");
    T64_EQ(t64_rd64(&t, T64_STACK - 24), 0x1111, "stored");
    t64_free(&t);

    setup(&t, 0xa9400c22); /* ldp x2, x3, [x1] */
    hint_data_and_stack(&t);
    t64_hint_page(&t, A64_ACC_READ, 1, T64_DATA + 0x1000, false);
    t.cpu.x[1] = T64_DATA + 0x1000 - 8;
    t64_wr64(&t, T64_DATA + 0x1000 - 8, 0xaaaa);
    t64_wr64(&t, T64_DATA + 0x1000, 0xbbbb);
    T64_STEP(&t, A64_OK, "ldp across a page boundary");
    T64_EQ(t.cpu.x[2], 0xaaaa, "first, on the lower page");
    T64_EQ(t.cpu.x[3], 0xbbbb, "second, on the upper page");
    t64_free(&t);

    setup(&t, 0xa9400c22); /* ldp x2, x3, [x1] */
    t64_hint_page(&t, A64_ACC_READ, 1, T64_DATA, true);
    t.cpu.x[1] = T64_DATA + 4;
    t.last.kind = A64_ACC_FETCH;
    T64_STEP(&t, A64_OK, "ldp of unaligned doublewords from a Device page");
    T64_EQ(t.last.kind, A64_ACC_READ, "the callback served it (it raises the Device alignment fault)");
    T64_EQ(t.cpu.x[2], 0x0b0a090807060504ull, "first");
    T64_EQ(t.cpu.x[3], 0x131211100f0e0d0cull, "second");
    t64_free(&t);

    setup(&t, 0xa9400c22); /* ldp x2, x3, [x1] */
    hint_data_and_stack(&t);
    t.cpu.x[1] = T64_DATA;
    t.cpu.debug_attention = true; /* as if a watchpoint were armed (none is) */
    t.last.kind = A64_ACC_FETCH;
    T64_STEP(&t, A64_OK, "ldp while self-hosted debug wants every access");
    T64_EQ(t.last.kind, A64_ACC_READ, "the callback served it");
    T64_EQ(t.cpu.x[2], 0x0706050403020100ull, "first");
    t64_free(&t);
}
END_TEST

START_TEST(single_through_page_hints)
{
    static const uint32_t code[] = {
        0xb9400420, /* ldr w0, [x1, #4] */
        0xf9400821, /* ldr x1, [x1, #16] */
        0xb9000be2, /* str w2, [sp, #8] */
        0xf90007e2, /* str x2, [sp, #8] */
    };
    t64 t;
    setup(&t, 0);
    t64_code(&t, code, 4);
    hint_data_and_stack(&t);
    t.cpu.sp_el[1] = T64_STACK - 16;
    t.cpu.x[0] = ~0ull;
    t.cpu.x[1] = T64_DATA + 0x80;
    t.cpu.x[2] = 0x8877665544332211ull;
    t.last.kind = A64_ACC_FETCH;
    T64_STEP(&t, A64_OK, "ldr w, hinted");
    T64_EQ(t.last.kind, A64_ACC_FETCH, "the hint served the load: no callback");
    T64_EQ(t.cpu.x[0], 0x87868584, "ldr w zero-extends");
    T64_STEP(&t, A64_OK, "ldr x into its own base");
    T64_EQ(t.cpu.x[1], 0x9796959493929190ull, "ldr x");
    t64_wr64(&t, T64_STACK - 8, ~0ull);
    T64_STEP(&t, A64_OK, "str w at SP, hinted");
    T64_EQ(t64_rd64(&t, T64_STACK - 8), 0xffffffff44332211ull, "str w stores four bytes");
    T64_STEP(&t, A64_OK, "str x at SP, hinted");
    T64_EQ(t64_rd64(&t, T64_STACK - 8), 0x8877665544332211ull, "str x");
    t.cpu.pc = T64_CODE + 12;
    t.cpu.sp_el[1] = T64_STACK - 24;
    t.cpu.sys.sctlr_el1 |= A64_SCTLR_SA;
    T64_EXPECT_EXC(&t, ESR_EC_SP_ALIGN, "hinted str at a misaligned SP with SCTLR_EL1.SA");
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
    tcase_add_test(tc, pairs_through_page_hints);
    tcase_add_test(tc, pair_fast_path_declines);
    tcase_add_test(tc, single_through_page_hints);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
