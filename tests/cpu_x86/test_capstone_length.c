/*
 * Cross-check of instruction lengths against Capstone: random 15-byte
 * strings (fixed seed, so every run checks the same ones) are decoded by
 * emu_x86_decode() and by Capstone in 64- and 32-bit mode; wherever both
 * accept the bytes as an instruction the lengths must agree. Encodings
 * that only one side accepts (VEX/EVEX, which emu treats as #UD; LOCK
 * misuse, which Capstone accepts; undefined x87 and group forms) are not
 * compared. Where Capstone 4.0.2 follows AMD instead of the Intel SDM, the
 * exclusions below say why.
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

START_TEST(exclusions_are_real)
{
    /* Each exclusion names an encoding Capstone really gets wrong; if Capstone is fixed, drop it. */
    static const struct { uint8_t b[8]; emu_x86_mode mode; cs_mode cmode; } ex[] = {
        { { 0x0f, 0xb9, 0x04, 0x24 }, EMU_X86_MODE_64, CS_MODE_64 },
        { { 0x0f, 0xff, 0x04, 0x24 }, EMU_X86_MODE_32, CS_MODE_32 },
        { { 0x66, 0xe8, 1, 2, 3, 4 }, EMU_X86_MODE_64, CS_MODE_64 },
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
    tcase_add_test(tc, exclusions_are_real);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
