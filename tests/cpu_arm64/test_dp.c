/*
 * Data processing (immediate and register), bitfield, extract, conditional
 * compare/select, multiply/divide and the 1- and 2-source operations: one
 * row per case with inputs X1..X3, X0 and NZCV, and the expected X0 and
 * NZCV. Expected values are worked out from the Arm ARM's pseudocode of
 * each instruction (C6.2) and, for CRC32, from zlib's and the iSCSI CRC32C
 * reference values.
 */
#include "a64_case.h"
#include "cpu/arm64/a64_internal.h"
#include "emu_test.h"

#define NZCV_SAME 0xffu /* the instruction leaves NZCV alone: expect the input */

typedef struct dp_case {
    uint32_t insn;
    const char *text;
    uint64_t x0, x1, x2, x3;
    uint8_t nzcv_in;
    uint64_t want;
    uint8_t want_nzcv;
} dp_case;

static const dp_case cases[] = {
    { 0x91448c20, "add x0, x1, #0x123, lsl #12", 0, 0x1000, 0, 0, 0, 0x124000, NZCV_SAME },
    { 0x71000420, "subs w0, w1, #1", 0, 0, 0, 0, 0, 0xffffffff, 0x8 },
    { 0x92089c20, "and x0, x1, #0xff00ff00ff00ff00", 0, ~0ull, 0, 0, 0, 0xff00ff00ff00ff00ull, NZCV_SAME },
    { 0x3200f3e0, "orr w0, wzr, #0x55555555", 7, 0, 0, 0, 0, 0x55555555, NZCV_SAME },
    { 0xd2c24680, "movz x0, #0x1234, lsl #32", 7, 0, 0, 0, 0, 0x123400000000ull, NZCV_SAME },
    { 0xf2b7dde0, "movk x0, #0xbeef, lsl #16", 0x1111222233334444ull, 0, 0, 0, 0, 0x11112222beef4444ull, NZCV_SAME },
    { 0x12800000, "movn w0, #0", ~0ull, 0, 0, 0, 0, 0xffffffff, NZCV_SAME },
    { 0x93442c20, "sbfx x0, x1, #4, #8", 0, 0xf80, 0, 0, 0, 0xfffffffffffffff8ull, NZCV_SAME },
    { 0x531c7c20, "lsr w0, w1, #28", 0, 0xffffffffa0000000ull, 0, 0, 0, 0xa, NZCV_SAME },
    { 0xb3783c20, "bfi x0, x1, #8, #16", ~0ull, 0x1234, 0, 0, 0, 0xffffffffff1234ffull, NZCV_SAME },
    { 0x93c23020, "extr x0, x1, x2, #12", 0, 0x123, 0xabc0000000000defull, 0, 0, 0x123abc0000000000ull, NZCV_SAME },
    { 0xd3410020, "lsl x0, x1, #63", 0, 3, 0, 0, 0, 0x8000000000000000ull, NZCV_SAME },
    { 0x131f7c20, "asr w0, w1, #31", 0, 0x80000000, 0, 0, 0, 0xffffffff, NZCV_SAME },
    { 0xab020c20, "adds x0, x1, x2, lsl #3", 0, 0x8000000000000000ull, 0x1000000000000000ull, 0, 0, 0, 0x7 },
    { 0xeae22020, "bics x0, x1, x2, ror #8", 0, ~0ull, 0xff, 0, 0xf, 0x00ffffffffffffffull, 0x0 },
    { 0xba020020, "adcs x0, x1, x2 (carry in)", 0, ~0ull, 0, 0, 0x2, 0, 0x6 },
    { 0x5a020020, "sbc w0, w1, w2 (no carry: borrow)", 0, 5, 3, 0, 0, 1, NZCV_SAME },
    { 0xfa420024, "ccmp x1, x2, #4, eq (taken)", 0, 5, 5, 0, 0x4, 0, 0x6 },
    { 0xfa420024, "ccmp x1, x2, #4, eq (not taken)", 0, 5, 6, 0, 0x0, 0, 0x4 },
    { 0x3a431822, "ccmn w1, #3, #2, ne", 0, 0xfffffffd, 0, 0, 0x0, 0, 0x6 },
    { 0x9a82b020, "csel x0, x1, x2, lt", 0, 0x11, 0x22, 0, 0x8, 0x11, NZCV_SAME },
    { 0x9a82a420, "csinc x0, x1, x2, ge", 0, 0x11, 0x22, 0, 0x8, 0x23, NZCV_SAME },
    { 0x5a820020, "csinv w0, w1, w2, eq", 0, 0x11, 0x22, 0, 0x0, 0xffffffdd, NZCV_SAME },
    { 0xda821420, "csneg x0, x1, x2, ne", 0, 0x11, 0x22, 0, 0x4, 0xffffffffffffffdeull, NZCV_SAME },
    { 0x9b020c20, "madd x0, x1, x2, x3", 0, 3, 4, 5, 0, 17, NZCV_SAME },
    { 0x9b028c20, "msub x0, x1, x2, x3", 0, 3, 4, 5, 0, 0xfffffffffffffff9ull, NZCV_SAME },
    { 0x9b220c20, "smaddl x0, w1, w2, x3", 0, 0xfffffffe, 3, 10, 0, 4, NZCV_SAME },
    { 0x9ba28c20, "umsubl x0, w1, w2, x3", 0, 0xffffffff, 2, 0x200000000ull, 0, 2, NZCV_SAME },
    { 0x9b427c20, "smulh x0, x1, x2", 0, ~0ull, 5, 0, 0, ~0ull, NZCV_SAME },
    { 0x9bc27c20, "umulh x0, x1, x2", 0, ~0ull, ~0ull, 0, 0, 0xfffffffffffffffeull, NZCV_SAME },
    { 0x9ac20820, "udiv x0, x1, x2 (by zero gives zero)", 9, 100, 0, 0, 0, 0, NZCV_SAME },
    { 0x1ac20c20, "sdiv w0, w1, w2 (INT32_MIN / -1)", 0, 0x80000000, 0xffffffff, 0, 0, 0x80000000, NZCV_SAME },
    { 0x1ac20c20, "sdiv w0, w1, w2 (rounds toward zero)", 0, 0xfffffff9, 2, 0, 0, 0xfffffffd, NZCV_SAME },
    { 0xdac01020, "clz x0, x1", 0, 0x100000000000ull, 0, 0, 0, 19, NZCV_SAME },
    { 0xdac01020, "clz x0, xzero", 0, 0, 0, 0, 0, 64, NZCV_SAME },
    { 0x5ac01420, "cls w0, w1", 0, 0xffff0000, 0, 0, 0, 15, NZCV_SAME },
    { 0x5ac01420, "cls w0, wzero", 0, 0, 0, 0, 0, 31, NZCV_SAME },
    { 0xdac00020, "rbit x0, x1", 0, 1, 0, 0, 0, 0x8000000000000000ull, NZCV_SAME },
    { 0xdac00c20, "rev x0, x1", 0, 0x0102030405060708ull, 0, 0, 0, 0x0807060504030201ull, NZCV_SAME },
    { 0x5ac00420, "rev16 w0, w1", 0, 0x11223344, 0, 0, 0, 0x22114433, NZCV_SAME },
    { 0xdac00820, "rev32 x0, x1", 0, 0x0102030405060708ull, 0, 0, 0, 0x0403020108070605ull, NZCV_SAME },
    { 0x9ac22020, "lslv x0, x1, x2 (amount mod 64)", 0, 3, 65, 0, 0, 6, NZCV_SAME },
    { 0x1ac22c20, "rorv w0, w1, w2", 0, 1, 1, 0, 0, 0x80000000, NZCV_SAME },
    { 0x1ac24020, "crc32b w0, w1, w2 ('a')", 0, 0xffffffff, 0x61, 0, 0, 0x174841bc, NZCV_SAME },
    { 0x9ac25c20, "crc32cx w0, w1, x2", 0, 0xffffffff, 0x0102030405060708ull, 0, 0, 0xd906fde3, NZCV_SAME },
    { 0x10ffffe0, "adr x0, #-4", 0, 0, 0, 0, 0, T64_CODE - 4, NZCV_SAME },
    { 0xb0000000, "adrp x0, #0x1000", 0, 0, 0, 0, 0, (T64_CODE & ~0xfffull) + 0x1000, NZCV_SAME },
};

START_TEST(dp_table)
{
    const dp_case *c = &cases[_i];
    t64 t;
    t64_init(&t);
    t64_code(&t, &c->insn, 1);
    t.cpu.x[0] = c->x0;
    t.cpu.x[1] = c->x1;
    t.cpu.x[2] = c->x2;
    t.cpu.x[3] = c->x3;
    t.cpu.pstate.nzcv = c->nzcv_in;
    T64_STEP(&t, A64_OK, c->text);
    T64_EQ(t.cpu.x[0], c->want, c->text);
    T64_EQ(t.cpu.pstate.nzcv, c->want_nzcv == NZCV_SAME ? c->nzcv_in : c->want_nzcv, c->text);
    T64_EQ(t.cpu.pc, T64_CODE + 4, c->text);
    t64_free(&t);
}
END_TEST

START_TEST(sub_extended_from_sp)
{
    /* sub x0, sp, w2, sxtw #2: register 31 is SP as the first operand of the extended form */
    static const uint32_t code[] = { 0xcb22cbe0 };
    t64 t;
    t64_init(&t);
    t64_code(&t, code, 1);
    t.cpu.x[2] = 0xffffffff;
    T64_STEP(&t, A64_OK, "sub x0, sp, w2, sxtw #2");
    T64_EQ(t.cpu.x[0], T64_STACK + 4, "sub x0, sp, w2, sxtw #2");
    t64_free(&t);
}
END_TEST

START_TEST(unallocated_is_undefined)
{
    /* Reserved field values of allocated classes: EC 0x00 with IL set. */
    static const struct { uint32_t insn; const char *text; } bad[] = {
        { 0x12400000, "logical imm, sf=0 with N=1" },
        { 0x32800000, "move wide opc=01" },
        { 0x13400000, "bitfield 32-bit with N=1" },
        { 0x8b400000 | (3u << 22), "add shifted register, shift=11" },
        { 0x9b600000, "3-source op31=011" },
        { 0xdac01820, "1-source opcode 6" },
        { 0x00000000, "UDF #0" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        t64 t;
        t64_init(&t);
        t64_code(&t, &bad[i].insn, 1);
        T64_EXPECT_EXC(&t, ESR_EC_UNKNOWN, bad[i].text);
        ck_assert_msg(t.cpu.exc.il, "%s: IL", bad[i].text);
        T64_EQ(t.cpu.exc.preferred_return, T64_CODE, bad[i].text);
        T64_EQ(t.cpu.pc, T64_CODE, bad[i].text);
        t64_free(&t);
    }
}
END_TEST

START_TEST(decode_bit_masks)
{
    uint64_t w = 0, tm = 0;
    ck_assert_msg(a64_decode_bit_masks(1, 0x3f, 0, true, 64, &w, &tm) == false, "all-ones immediate is reserved");
    ck_assert_msg(a64_decode_bit_masks(0, 0x3c, 0, true, 64, &w, &tm), "2-bit element");
    T64_EQ(w, 0x5555555555555555ull, "imms=111100: element 01 replicated");
    ck_assert_msg(a64_decode_bit_masks(1, 0x07, 4, true, 64, &w, &tm), "64-bit element");
    T64_EQ(w, 0xf00000000000000full, "8 ones rotated right by 4");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cpu_arm64_dp");
    TCase *tc = tcase_create("dp");
    tcase_add_loop_test(tc, dp_table, 0, (int)(sizeof cases / sizeof cases[0]));
    tcase_add_test(tc, sub_extended_from_sp);
    tcase_add_test(tc, unallocated_is_undefined);
    tcase_add_test(tc, decode_bit_masks);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
