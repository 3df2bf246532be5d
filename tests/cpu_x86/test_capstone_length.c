/*
 * Cross-check of instruction lengths against Capstone: random 15-byte
 * strings (fixed seed, so every run checks the same ones) are decoded by
 * emu_x86_decode() and by Capstone in 64- and 32-bit mode; wherever both
 * accept the bytes as an instruction the lengths must agree. Encodings
 * that only one side accepts (LOCK misuse, which Capstone accepts;
 * undefined x87, SSE and group forms) are not compared. Where Capstone 4.0.2
 * follows AMD instead of the Intel SDM, the exclusions below say why. A
 * second pass aims the strings at the x87, MMX/SSE and VEX/EVEX encodings,
 * which uniform random bytes reach too rarely to test their lengths.
 */
#include <stdio.h>
#include <string.h>

#include <capstone/capstone.h>

#include "emu_test.h"

#define STRINGS_PER_MODE 120000
#define MIN_COMPARED_PER_MODE 100000
#define STRING_BYTES 15

static uint64_t rng_state;

static uint64_t rng_next(void)
{
    /* xorshift64 */
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Where the opcode starts: past legacy prefixes, and a REX in 64-bit mode. */
static unsigned opcode_offset(const uint8_t *b, bool mode64, bool *has_66)
{
    unsigned i = 0;
    *has_66 = false;
    for (; i < STRING_BYTES; i++) {
        uint8_t c = b[i];
        if (c == 0x66)
            *has_66 = true;
        else if (c == 0x26 || c == 0x2e || c == 0x36 || c == 0x3e || c == 0x64 || c == 0x65 || c == 0x67 ||
                 c == 0xf0 || c == 0xf2 || c == 0xf3 || (mode64 && (c & 0xf0) == 0x40))
            continue;
        else
            break;
    }
    return i;
}

/* Known Capstone 4.0.2 disagreements with the Intel SDM; returns why, or NULL. */
static const char *capstone_known_wrong(const uint8_t *b, bool mode64)
{
    bool has_66;
    unsigned i = opcode_offset(b, mode64, &has_66);
    if (i + 1 >= STRING_BYTES)
        return NULL;
    if (b[i] == 0x0f && b[i + 1] == 0xb9)
        return "UD1 is 0F B9 /r with a ModRM byte (SDM vol. 2, UD); Capstone 4 decodes no ModRM";
    if (b[i] == 0x0f && b[i + 1] == 0xff)
        return "UD0 is 0F FF /r with a ModRM byte on Intel (SDM vol. 2, UD); Capstone 4 follows AMD";
    /* EVEX: 62, P0, P1, P2 (bit 4: EVEX.b), opcode, ModRM; with mod == 3, b selects static rounding. */
    if (b[i] == 0x62 && i + 5 < STRING_BYTES && (mode64 || (b[i + 1] >> 6) == 3) && (b[i + 3] & 0x10) &&
        (b[i + 5] >> 6) == 3)
        return "EVEX with static rounding (EVEX.b, register operands) has no immediate (SDM vol. 2, 2.7.5); "
               "Capstone 4 reads one byte too many";
    if (mode64 && has_66 && (b[i] == 0xe8 || b[i] == 0xe9 || (b[i] == 0x0f && (b[i + 1] & 0xf0) == 0x80)))
        return "near CALL/JMP/Jcc ignore 66 in 64-bit mode on Intel, keeping rel32 (SDM vol. 2, 2.2.1.7); "
               "Capstone 4 shrinks to rel16 as AMD does";
    return NULL;
}

static void cross_check(cs_mode cmode, emu_x86_mode mode, uint64_t seed)
{
    csh cs;
    ck_assert_msg(cs_open(CS_ARCH_X86, cmode, &cs) == CS_ERR_OK, "cs_open");
    cs_insn *insn = cs_malloc(cs);
    rng_state = seed;
    unsigned compared = 0, excluded = 0, mismatched = 0;
    char first[256] = "";
    for (unsigned n = 0; n < STRINGS_PER_MODE; n++) {
        uint8_t b[STRING_BYTES + 1];
        for (unsigned i = 0; i < sizeof b; i++)
            b[i] = (uint8_t)rng_next();
        emu_x86_insn_info info;
        if (emu_x86_decode(b, STRING_BYTES, mode, &info) != EMU_OK)
            continue;
        const uint8_t *code = b;
        size_t size = STRING_BYTES;
        uint64_t addr = 0x1000;
        if (!cs_disasm_iter(cs, &code, &size, &addr, insn))
            continue;
        if (capstone_known_wrong(b, mode == EMU_X86_MODE_64)) {
            excluded++;
            continue;
        }
        compared++;
        if (insn->size != info.length) {
            if (mismatched++ == 0) {
                int at = snprintf(first, sizeof first, "emu %s/%u, capstone %s %s/%u, bytes", info.mnemonic,
                                  info.length, insn->mnemonic, insn->op_str, insn->size);
                for (unsigned i = 0; i < STRING_BYTES && at > 0 && (size_t)at < sizeof first - 4; i++)
                    at += snprintf(first + at, sizeof first - (size_t)at, " %02x", b[i]);
            }
        }
    }
    cs_free(insn, 1);
    cs_close(&cs);
    printf("capstone length cross-check, %d-bit: %u strings compared, %u excluded as known Capstone errors, "
           "%u mismatched\n", (int)mode, compared, excluded, mismatched);
    ck_assert_msg(mismatched == 0, "%d-bit: %u of %u lengths differ; first: %s", (int)mode, mismatched, compared,
                  first);
    ck_assert_msg(compared >= MIN_COMPARED_PER_MODE, "%d-bit: only %u strings compared", (int)mode, compared);
}

START_TEST(lengths_match_capstone_64)
{
    cross_check(CS_MODE_64, EMU_X86_MODE_64, 0x9e3779b97f4a7c15ull);
}
END_TEST

START_TEST(lengths_match_capstone_32)
{
    cross_check(CS_MODE_32, EMU_X86_MODE_32, 0xd1b54a32d192ed03ull);
}
END_TEST

/* Families aimed at by the second pass: each string starts with one of these, then random bytes. */
typedef struct family {
    const char *name;
    uint8_t lead[3];
    uint8_t lead_len;
    uint8_t opcode_lo, opcode_hi;   /* the next byte, drawn from this range */
    unsigned min_compared;          /* per mode: the family really was exercised */
} family;

static const family families[] = {
    { "x87 escapes D8-DF", { 0 }, 0, 0xd8, 0xdf, 3000 },
    { "0F 10-17", { 0x0f }, 1, 0x10, 0x17, 2000 },
    { "0F 28-2F", { 0x0f }, 1, 0x28, 0x2f, 2000 },
    { "0F 50-7F", { 0x0f }, 1, 0x50, 0x7f, 2000 },
    { "0F C2-C6", { 0x0f }, 1, 0xc2, 0xc6, 2000 },
    { "0F D0-FE", { 0x0f }, 1, 0xd0, 0xfe, 2000 },
    { "66 0F 38 xx", { 0x66, 0x0f, 0x38 }, 3, 0x00, 0x41, 1500 },
    { "0F 38 xx", { 0x0f, 0x38 }, 2, 0x00, 0x0b, 1500 },
    { "66 0F 3A xx", { 0x66, 0x0f, 0x3a }, 3, 0x08, 0x63, 500 },
    { "0F AE /0-/3 memory", { 0x0f, 0xae }, 2, 0x00, 0x1f, 2000 },
    { "VEX C5", { 0xc5 }, 1, 0xc0, 0xff, 300 },
    { "VEX C4, maps 0F 0F38 0F3A", { 0xc4 }, 1, 0xe1, 0xe3, 300 },
    { "VEX C4 with VEX.X, maps 0F 0F38 0F3A", { 0xc4 }, 1, 0xc1, 0xc3, 300 },
    { "EVEX 62, maps 0F 0F38 0F3A", { 0x62 }, 1, 0xf1, 0xf3, 30 },
};

#define FAMILY_STRINGS 8000

static void cross_check_family(csh cs, emu_x86_mode mode, const family *f, uint64_t seed)
{
    cs_insn *insn = cs_malloc(cs);
    rng_state = seed;
    unsigned compared = 0, mismatched = 0;
    char first[256] = "";
    for (unsigned n = 0; n < FAMILY_STRINGS; n++) {
        uint8_t b[STRING_BYTES + 1];
        for (unsigned i = 0; i < sizeof b; i++)
            b[i] = (uint8_t)rng_next();
        memcpy(b, f->lead, f->lead_len);
        b[f->lead_len] = (uint8_t)(f->opcode_lo + rng_next() % (unsigned)(f->opcode_hi - f->opcode_lo + 1));
        emu_x86_insn_info info;
        if (emu_x86_decode(b, STRING_BYTES, mode, &info) != EMU_OK)
            continue;
        const uint8_t *code = b;
        size_t size = STRING_BYTES;
        uint64_t addr = 0x1000;
        if (!cs_disasm_iter(cs, &code, &size, &addr, insn) || capstone_known_wrong(b, mode == EMU_X86_MODE_64))
            continue;
        compared++;
        if (insn->size != info.length && mismatched++ == 0) {
            int at = snprintf(first, sizeof first, "emu %s/%u, capstone %s %s/%u, bytes", info.mnemonic,
                              info.length, insn->mnemonic, insn->op_str, insn->size);
            for (unsigned i = 0; i < STRING_BYTES && at > 0 && (size_t)at < sizeof first - 4; i++)
                at += snprintf(first + at, sizeof first - (size_t)at, " %02x", b[i]);
        }
    }
    cs_free(insn, 1);
    printf("capstone length cross-check, %d-bit, %s: %u compared, %u mismatched\n", (int)mode, f->name, compared,
           mismatched);
    ck_assert_msg(mismatched == 0, "%d-bit %s: %u of %u lengths differ; first: %s", (int)mode, f->name, mismatched,
                  compared, first);
    ck_assert_msg(compared >= f->min_compared, "%d-bit %s: only %u strings compared, want %u", (int)mode, f->name,
                  compared, f->min_compared);
}

static void cross_check_families(cs_mode cmode, emu_x86_mode mode, uint64_t seed)
{
    csh cs;
    ck_assert_msg(cs_open(CS_ARCH_X86, cmode, &cs) == CS_ERR_OK, "cs_open");
    for (size_t i = 0; i < sizeof families / sizeof families[0]; i++)
        cross_check_family(cs, mode, &families[i], seed + i);
    cs_close(&cs);
}

START_TEST(fpu_simd_avx_lengths_match_capstone_64)
{
    cross_check_families(CS_MODE_64, EMU_X86_MODE_64, 0x243f6a8885a308d3ull);
}
END_TEST

START_TEST(fpu_simd_avx_lengths_match_capstone_32)
{
    cross_check_families(CS_MODE_32, EMU_X86_MODE_32, 0x13198a2e03707344ull);
}
END_TEST

START_TEST(exclusions_are_real)
{
    /* Each exclusion names an encoding Capstone really gets wrong; if Capstone is fixed, drop it. */
    static const struct { uint8_t b[8]; emu_x86_mode mode; cs_mode cmode; } ex[] = {
        { { 0x0f, 0xb9, 0x04, 0x24 }, EMU_X86_MODE_64, CS_MODE_64 },
        { { 0x0f, 0xff, 0x04, 0x24 }, EMU_X86_MODE_32, CS_MODE_32 },
        { { 0x66, 0xe8, 1, 2, 3, 4 }, EMU_X86_MODE_64, CS_MODE_64 },
        { { 0x62, 0xf1, 0xe7, 0x16, 0x5e, 0xe8 }, EMU_X86_MODE_64, CS_MODE_64 },  /* vdivsd {rz-sae} */
    };
    for (size_t i = 0; i < sizeof ex / sizeof ex[0]; i++) {
        uint8_t b[STRING_BYTES] = { 0 };
        memcpy(b, ex[i].b, sizeof ex[i].b);
        ck_assert_msg(capstone_known_wrong(b, ex[i].mode == EMU_X86_MODE_64) != NULL, "exclusion %zu not matched", i);
        csh cs;
        ck_assert(cs_open(CS_ARCH_X86, ex[i].cmode, &cs) == CS_ERR_OK);
        cs_insn *insn;
        size_t n = cs_disasm(cs, b, sizeof b, 0x1000, 1, &insn);
        emu_x86_insn_info info;
        ck_assert(emu_x86_decode(b, sizeof b, ex[i].mode, &info) == EMU_OK);
        ck_assert_msg(n == 1 && insn[0].size != info.length, "exclusion %zu: Capstone now agrees (%u bytes)", i,
                      n == 1 ? insn[0].size : 0);
        cs_free(insn, n);
        cs_close(&cs);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cpu_x86/capstone_length");
    TCase *tc = tcase_create("capstone_length");
    tcase_add_test(tc, lengths_match_capstone_64);
    tcase_add_test(tc, lengths_match_capstone_32);
    tcase_add_test(tc, fpu_simd_avx_lengths_match_capstone_64);
    tcase_add_test(tc, fpu_simd_avx_lengths_match_capstone_32);
    tcase_add_test(tc, exclusions_are_real);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
