/*
 * Branches: immediate, conditional, compare-and-branch, test-and-branch,
 * register (BR/BLR/RET), and the PC alignment fault a misaligned target
 * raises at the next fetch.
 */
#include "a64_case.h"
#include "emu_test.h"

typedef struct br_case {
    uint32_t insn;
    const char *text;
    uint64_t x0;
    uint8_t nzcv;
    uint64_t want_pc;
} br_case;

#define PC T64_CODE

static const br_case cases[] = {
    { 0x14000002, "b #8", 0, 0, PC + 8 },
    { 0x54000041, "b.ne #8 (Z clear: taken)", 0, 0x0, PC + 8 },
    { 0x54000041, "b.ne #8 (Z set: not taken)", 0, 0x4, PC + 4 },
    { 0x34000040, "cbz w0, #8 (W0 zero, X0 not)", 0x100000000ull, 0, PC + 8 },
    { 0xb5000040, "cbnz x0, #8 (X0 zero)", 0, 0, PC + 4 },
    { 0xb6080040, "tbz x0, #33, #8 (bit 33 clear)", 0x1ffffffffull & ~(1ull << 33), 0, PC + 8 },
    { 0xb6080040, "tbz x0, #33, #8 (bit 33 set)", 1ull << 33, 0, PC + 4 },
    { 0x37180040, "tbnz w0, #3, #8", 8, 0, PC + 8 },
};

START_TEST(branch_table)
{
    const br_case *c = &cases[_i];
    t64 t;
    t64_init(&t);
    t64_code(&t, &c->insn, 1);
    t.cpu.x[0] = c->x0;
    t.cpu.pstate.nzcv = c->nzcv;
    T64_STEP(&t, A64_OK, c->text);
    T64_EQ(t.cpu.pc, c->want_pc, c->text);
    t64_free(&t);
}
END_TEST

START_TEST(calls_and_returns)
{
    static const uint32_t code[] = {
        0x94000003, /* 0: bl #12 */
        0xd503201f, /* 4: nop */
        0xd503201f, /* 8: nop */
        0xd63f03c0, /* 12: blr x30 (target read before X30 is written) */
    };
    t64 t;
    t64_init(&t);
    t64_code(&t, code, 4);
    T64_STEP(&t, A64_OK, "bl");
    T64_EQ(t.cpu.pc, PC + 12, "bl target");
    T64_EQ(t.cpu.x[30], PC + 4, "bl link");
    T64_STEP(&t, A64_OK, "blr x30");
    T64_EQ(t.cpu.pc, PC + 4, "blr x30 goes to the old X30");
    T64_EQ(t.cpu.x[30], PC + 16, "blr link");
    t64_free(&t);

    static const uint32_t ret[] = { 0xd65f03c0 }; /* ret */
    t64_init(&t);
    t64_code(&t, ret, 1);
    t.cpu.x[30] = PC + 0x40;
    T64_STEP(&t, A64_OK, "ret");
    T64_EQ(t.cpu.pc, PC + 0x40, "ret target");
    t64_free(&t);
}
END_TEST

START_TEST(pc_alignment_fault)
{
    static const uint32_t code[] = { 0xd61f0020 }; /* br x1 */
    t64 t;
    t64_init(&t);
    t64_code(&t, code, 1);
    t.cpu.x[1] = PC + 0x42;
    T64_STEP(&t, A64_OK, "br to a misaligned address");
    T64_EQ(t.cpu.pc, PC + 0x42, "PC after br");
    T64_EXPECT_EXC(&t, ESR_EC_PC_ALIGN, "fetch at a misaligned PC");
    ck_assert_msg(t.cpu.exc.far_valid, "PC alignment: FAR valid");
    T64_EQ(t.cpu.exc.far, PC + 0x42, "PC alignment: FAR");
    T64_EQ(t.cpu.exc.preferred_return, PC + 0x42, "PC alignment: preferred return");
    t64_free(&t);
}
END_TEST

START_TEST(instruction_abort)
{
    static const uint32_t code[] = { 0xd61f0020 }; /* br x1 */
    t64 t;
    t64_init(&t);
    t64_code(&t, code, 1);
    t.cpu.x[1] = 0x1000;
    T64_STEP(&t, A64_OK, "br to unmapped memory");
    T64_EXPECT_EXC(&t, ESR_EC_IABT_CUR, "fetch from unmapped memory at EL1");
    T64_EQ(t.cpu.exc.iss & ESR_ISS_FSC_MASK, T64_FSC_TRANSLATION_L3, "IFSC");
    T64_EQ(t.cpu.exc.far, 0x1000, "FAR");
    t.cpu.pstate.el = 0;
    T64_EXPECT_EXC(&t, ESR_EC_IABT_LOWER, "fetch from unmapped memory at EL0");
    t64_free(&t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cpu_arm64_branch");
    TCase *tc = tcase_create("branch");
    tcase_add_loop_test(tc, branch_table, 0, (int)(sizeof cases / sizeof cases[0]));
    tcase_add_test(tc, calls_and_returns);
    tcase_add_test(tc, pc_alignment_fault);
    tcase_add_test(tc, instruction_abort);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
