/*
 * Decoder cross-check against Capstone's AArch64 disassembler on random
 * 32-bit words from a fixed seed (EMU_DIFF_SEED overrides).
 *
 *  - Every word Capstone decodes must decode to a row here (recognised), in
 *    every class: integer, system, loads/stores and SIMD&FP.
 *  - In the integer classes (data processing, branches/system, general
 *    register loads/stores), every word Capstone rejects must be undefined
 *    here too.
 *
 * Where the two disagree and the Arm ARM supports this decoder, the word is
 * filtered by known_disagreement() with the reason; docs/arm64-isa.md lists
 * them. Any other disagreement fails the test with examples.
 */
#include <capstone/capstone.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "a64_case.h"
#include "emu_test.h"

#define CHECK_SEED_DEFAULT 0xa64dec0de5eed001ull
#define CHECK_WORDS 1500000u
#define MAX_REPORTS 20

static uint64_t rng;

static uint64_t rnd(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545f4914f6cdd1dull;
}

static bool is_integer_class(uint32_t w)
{
    unsigned op0 = (w >> 25) & 0xf;
    if ((op0 & 0xe) == 0x8 || (op0 & 0xe) == 0xa || (op0 & 0x7) == 0x5)
        return true;                    /* DP immediate, branch/system, DP register */
    if ((op0 & 0x5) == 0x4)
        return !((w >> 26) & 1);        /* loads/stores of general registers */
    return false;
}

/* Disagreements explained by the Arm ARM (see docs/arm64-isa.md). Returns the
 * reason, or NULL. cs_valid says what Capstone thought. */
static const char *known_disagreement(uint32_t w, bool cs_valid, const cs_insn *insn)
{
    a64_decoded d = a64_decode(w);
    /* FEAT_LSE (Armv8.1): Capstone 4 decodes Armv8.0 only; this PE implements LSE. */
    if (!cs_valid && d.name && (!strcmp(d.name, "atomic memory operation") || !strcmp(d.name, "CAS") ||
                                !strcmp(d.name, "CASP")))
        return "LSE atomics are Armv8.1";
    /* System space with op0 = 00 outside hints, barriers and MSR (immediate)
     * is unallocated (Arm ARM C4.1.87); Capstone 4 prints such words as
     * MSR/MRS of an op0 = 3 register. */
    if (cs_valid && (w & 0xffc00000u) == 0xd5000000u && ((w >> 19) & 3) == 0 &&
        (!strcmp(insn->mnemonic, "msr") || !strcmp(insn->mnemonic, "mrs")))
        return "op0 = 00 system encodings";
    /* LDTR/LDTRB/LDTRH/LDTRS* with Rn == Rt: no writeback, so nothing is
     * UNPREDICTABLE (Arm ARM C6.2.150 ff.); Capstone 4 rejects them as if
     * they wrote back. */
    if (!cs_valid && (w & 0x3f200c00u) == 0x38000800u && ((w >> 22) & 3) != 0 && (w & 0x1f) == ((w >> 5) & 0x1f))
        return "LDTR with Rn == Rt";
    return NULL;
}

START_TEST(decode_table_rows)
{
    const char *bad = a64_decode_table_check();
    ck_assert_msg(bad == NULL, "decode row %s has match bits outside its mask", bad ? bad : "");
}
END_TEST

/* Words from the unit tests, one per form: each must decode here and, but
 * for the LSE forms, in Capstone too. Random words rarely hit exact
 * encodings such as ERET. */
static const uint32_t known_words[] = {
    0x91448c20, 0x92089c20, 0xd2c24680, 0x93442c20, 0x93c23020, 0xab020c20, 0xcb22cbe0, 0xba020020,
    0xfa420024, 0x9a82b020, 0x9b020c20, 0x9b427c20, 0x9ac20820, 0xdac01020, 0x1ac24020, 0x10ffffe0,
    0x14000002, 0x54000041, 0x34000040, 0xb6080040, 0xd61f0020, 0xd63f03c0, 0xd65f03c0, 0xd69f03e0,
    0xd4024681, 0xd40000a2, 0xd40000e3, 0xd4200780, 0xd45e0000, 0xd503207f, 0xd503205f, 0xd50320bf,
    0xd5033bbf, 0xd5033f9f, 0xd5033fdf, 0xd5033f5f, 0xd5034fdf, 0xd50342ff, 0xd50040bf, 0xd53b4200,
    0xd5381000, 0xd508831f, 0xd50b7421, 0xd5087801, 0xf9400420, 0xf8410c20, 0xf8227820, 0x58000040,
    0xf8400820, 0xa9bf0be0, 0x69410820, 0xf9800020, 0xc85f7c20, 0xc8037c22, 0xc87f9424, 0x88dffc20,
    0x3dc00420, 0xad400420, 0x4cdfa020, 0x4d40c820, 0x9e670020, 0x4e010c20, 0x4f07e7e0, 0x6e228c20,
    0x6e30a820, 0x0f0c8420, 0x4e22d420, 0x9e620020,
};
static const uint32_t lse_words[] = { 0xf8220020, 0xb8e21020, 0xf8e28020, 0xc8a27c20, 0x48227c24, 0xf822003f };

START_TEST(known_words_decode)
{
    csh cs;
    ck_assert_msg(cs_open(CS_ARCH_ARM64, CS_MODE_ARM, &cs) == CS_ERR_OK, "cs_open AArch64");
    cs_insn *insn = NULL;
    for (size_t i = 0; i < sizeof known_words / sizeof known_words[0]; i++) {
        uint32_t w = known_words[i];
        uint8_t b[4] = { (uint8_t)w, (uint8_t)(w >> 8), (uint8_t)(w >> 16), (uint8_t)(w >> 24) };
        size_t n = cs_disasm(cs, b, 4, 0x1000, 1, &insn);
        ck_assert_msg(n == 1, "0x%08x: Capstone rejects a word from the unit tests", w);
        cs_free(insn, n);
        ck_assert_msg(a64_decode(w).group != A64_GRP_UNDEFINED, "0x%08x: undefined here", w);
    }
    for (size_t i = 0; i < sizeof lse_words / sizeof lse_words[0]; i++)
        ck_assert_msg(a64_decode(lse_words[i]).group == A64_GRP_LDST, "0x%08x: LSE word not decoded", lse_words[i]);
    a64_decoded aes = a64_decode(0x4e284820); /* aese v0.16b, v1.16b */
    ck_assert_msg(aes.group == A64_GRP_FP_SIMD && aes.fp && !aes.executes, "AESE: recognised SIMD&FP, not executed");
    a64_decoded add = a64_decode(0x91448c20);
    ck_assert_msg(add.group == A64_GRP_DP_IMM && !add.fp && add.executes, "ADD (immediate): executed integer");
    cs_close(&cs);
}
END_TEST

/* The whole op0 = 00 system space (hints, barriers, CLREX, MSR immediate)
 * word by word, and the field space of exception generation and branch
 * (register): the only disagreement allowed is the one above. */
START_TEST(system_space_exhaustive)
{
    csh cs;
    ck_assert_msg(cs_open(CS_ARCH_ARM64, CS_MODE_ARM, &cs) == CS_ERR_OK, "cs_open AArch64");
    cs_insn *insn = cs_malloc(cs);
    unsigned bad = 0;
    for (uint32_t k = 0; k < 0x80000u + 0x10000u; k++) {
        /* the op0 = 00 system space, then exception generation and branch
         * (register) with every value of their non-immediate fields */
        uint32_t w = k < 0x80000u ? 0xd5000000u + k
                   : (k & 0x8000u) ? 0xd6000000u | ((k & 0x1ff) << 16) | ((k & 0x7e00) << 1) | 0x3e0u
                                   : 0xd4000000u | ((k & 0xe0u) << 16) | (0x1234u << 5) | (k & 0x1fu);
        uint8_t b[4] = { (uint8_t)w, (uint8_t)(w >> 8), (uint8_t)(w >> 16), (uint8_t)(w >> 24) };
        const uint8_t *code = b;
        size_t size = 4;
        uint64_t addr = 0x1000;
        bool cs_valid = cs_disasm_iter(cs, &code, &size, &addr, insn);
        bool mine = a64_decode(w).group != A64_GRP_UNDEFINED;
        if (cs_valid != mine && !known_disagreement(w, cs_valid, insn) && bad++ < MAX_REPORTS)
            fprintf(stderr, "system space 0x%08x: capstone %s, emu %s\n", w, cs_valid ? insn->mnemonic : "invalid",
                    mine ? "decoded" : "undefined");
    }
    cs_free(insn, 1);
    cs_close(&cs);
    ck_assert_msg(bad == 0, "%u system-space words disagree with Capstone", bad);
}
END_TEST

START_TEST(capstone_cross_check)
{
    const char *seed_env = getenv("EMU_DIFF_SEED");
    rng = seed_env ? strtoull(seed_env, NULL, 0) : CHECK_SEED_DEFAULT;
    if (rng == 0)
        rng = CHECK_SEED_DEFAULT;
    csh cs;
    ck_assert_msg(cs_open(CS_ARCH_ARM64, CS_MODE_ARM, &cs) == CS_ERR_OK, "cs_open AArch64");
    cs_insn *insn = cs_malloc(cs);
    unsigned bad = 0, explained = 0, cs_valid_n = 0, int_words = 0;
    for (unsigned i = 0; i < CHECK_WORDS; i++) {
        uint32_t w = (uint32_t)rnd();
        uint8_t b[4] = { (uint8_t)w, (uint8_t)(w >> 8), (uint8_t)(w >> 16), (uint8_t)(w >> 24) };
        const uint8_t *code = b;
        size_t size = 4;
        uint64_t addr = 0x1000;
        bool cs_valid = cs_disasm_iter(cs, &code, &size, &addr, insn);
        a64_decoded d = a64_decode(w);
        bool mine = d.group != A64_GRP_UNDEFINED;
        bool integer = is_integer_class(w);
        cs_valid_n += cs_valid;
        int_words += integer;
        bool disagree = (cs_valid && !mine) || (!cs_valid && mine && integer);
        if (!disagree)
            continue;
        if (known_disagreement(w, cs_valid, insn)) {
            explained++;
            continue;
        }
        if (bad++ < MAX_REPORTS)
            fprintf(stderr, "disagree 0x%08x: capstone %s%s%s%s, emu %s\n", w, cs_valid ? "\"" : "invalid",
                    cs_valid ? insn->mnemonic : "", cs_valid ? " " : "", cs_valid ? insn->op_str : "",
                    mine ? d.name : "undefined");
    }
    fprintf(stderr, "capstone cross-check: %u words, %u valid for Capstone, %u in integer classes, "
                    "%u explained disagreements, %u unexplained\n",
            CHECK_WORDS, cs_valid_n, int_words, explained, bad);
    cs_free(insn, 1);
    cs_close(&cs);
    ck_assert_msg(bad == 0, "%u words where the decoder and Capstone disagree without a known reason", bad);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cpu_arm64_capstone_decode");
    TCase *tc = tcase_create("decode");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, decode_table_rows);
    tcase_add_test(tc, known_words_decode);
    tcase_add_test(tc, system_space_exhaustive);
    tcase_add_test(tc, capstone_cross_check);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
