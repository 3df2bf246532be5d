/*
 * The checks before x87, MMX, SSE and AVX instructions (SDM vol. 3, 2.5 and
 * table 2-2; 13.1-13.2; vol. 2, 2.8 and the instruction pages): which of
 * CR0.EM/MP/TS, CR4.OSFXSR/OSXSAVE and the CPU model's features give #NM
 * or #UD, in which order; that #NM is a fault without an error code saving
 * the faulting RIP; that CLTS clears TS so the retry gets past the checks
 * (to the stop naming the instruction, since emu executes none of them);
 * and the names those stops give against Capstone's mnemonics.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <capstone/capstone.h>

#include "sys_test.h"

enum { V_NM = 7 };

#define CR0_MP (1ull << 1)
#define CR0_EM (1ull << 2)
#define CR0_TS (1ull << 3)
#define CR4_OSFXSR (1ull << 9)

/* Long mode at CPL 0 (CR0 has MP; CR4 has only PAE) with code at T_CODE_ADDR. */
static emu_machine *machine_with(const char *cpu, const uint8_t *code, size_t len, uint64_t cr0_set,
                                 uint64_t cr0_clear, bool osfxsr)
{
    emu_machine *m = st_machine(EMU_X86_START_LONG64, cpu);
    t_load_code(m, code, len);
    t_set_reg(m, EMU_X86_CR0, (t_reg(m, EMU_X86_CR0) & ~cr0_clear) | cr0_set);
    uint64_t cr4 = t_reg(m, EMU_X86_CR4);
    t_set_reg(m, EMU_X86_CR4, osfxsr ? cr4 | CR4_OSFXSR : cr4 & ~CR4_OSFXSR);
    return m;
}

/* One step must stop the machine naming the instruction (the checks passed). */
static void expect_named_stop(emu_machine *m, const char *name, const char *what)
{
    emu_stop stop;
    ck_assert(emu_step(m, &stop) == EMU_OK);
    ck_assert_msg(stop.kind == EMU_STOP_ERROR && strstr(stop.message, name) != NULL,
                  "%s: want a stop naming \"%s\", got %s: %s", what, name, emu_stop_kind_name(stop.kind),
                  stop.message);
}

typedef struct check_case {
    const char *what;
    uint8_t code[8];
    uint8_t len;
    uint64_t cr0_set, cr0_clear;
    bool osfxsr;
    const char *cpu;            /* NULL: the default model ("max") */
    int vector;                 /* V_NM, V_UD, or 0: passes the checks and stops naming `name` */
    const char *name;
} check_case;

#define CODE(...) { __VA_ARGS__ }, sizeof((uint8_t[]){ __VA_ARGS__ })
#define FNINIT CODE(0xdb, 0xe3)
#define FLD_MEM CODE(0xd9, 0x03)                /* fld dword [rbx] */
#define FWAIT CODE(0x9b)
#define MOVAPS CODE(0x0f, 0x28, 0xc1)
#define PADDB_MM CODE(0x0f, 0xfc, 0xc1)
#define PADDB_XMM CODE(0x66, 0x0f, 0xfc, 0xc1)
#define PTEST CODE(0x66, 0x0f, 0x38, 0x17, 0xc1)
#define FXSAVE CODE(0x0f, 0xae, 0x03)           /* fxsave [rbx] */
#define LDMXCSR CODE(0x0f, 0xae, 0x13)          /* ldmxcsr [rbx] */
#define VZEROUPPER CODE(0xc5, 0xf8, 0x77)
#define VADDPS_EVEX CODE(0x62, 0xf1, 0x7c, 0x48, 0x58, 0xc1)

static const check_case cases[] = {
    /* x87: EM (emulate the FPU) or TS (its state is another task's) gives #NM (table 2-2). */
    { "x87 FNINIT, CR0.EM", FNINIT, CR0_EM, 0, true, NULL, V_NM, NULL },
    { "x87 FNINIT, CR0.TS", FNINIT, CR0_TS, 0, true, NULL, V_NM, NULL },
    { "x87 FNINIT, CR0.EM+TS", FNINIT, CR0_EM | CR0_TS, 0, true, NULL, V_NM, NULL },
    { "x87 FNINIT, MP without TS", FNINIT, CR0_MP, CR0_TS | CR0_EM, true, NULL, 0, "x87 FNINIT" },
    { "x87 FNINIT, CR4.OSFXSR clear does not matter", FNINIT, 0, CR0_TS | CR0_EM, false, NULL, 0, "x87 FNINIT" },
    { "x87 FLD m32, CR0.TS", FLD_MEM, CR0_TS, 0, true, NULL, V_NM, NULL },
    { "x87 FLD m32 named", FLD_MEM, 0, CR0_TS | CR0_EM, true, NULL, 0, "x87 FLD" },
    /* WAIT: #NM only with MP and TS both set; otherwise nothing is pending, a no-op. */
    { "FWAIT, MP+TS", FWAIT, CR0_MP | CR0_TS, 0, true, NULL, V_NM, NULL },
    /* SSE: EM #UD, OSFXSR clear #UD, then TS #NM (13.1, 13.2). */
    { "SSE MOVAPS, CR0.EM", MOVAPS, CR0_EM, 0, true, NULL, V_UD, NULL },
    { "SSE MOVAPS, CR0.EM+TS: #UD first", MOVAPS, CR0_EM | CR0_TS, 0, true, NULL, V_UD, NULL },
    { "SSE MOVAPS, CR4.OSFXSR clear", MOVAPS, 0, CR0_EM | CR0_TS, false, NULL, V_UD, NULL },
    { "SSE MOVAPS, OSFXSR clear and TS: #UD first", MOVAPS, CR0_TS, CR0_EM, false, NULL, V_UD, NULL },
    { "SSE MOVAPS, CR0.TS", MOVAPS, CR0_TS, CR0_EM, true, NULL, V_NM, NULL },
    { "SSE MOVAPS passes", MOVAPS, 0, CR0_EM | CR0_TS, true, NULL, 0, "SSE MOVAPS" },
    { "SSE2 PADDB xmm passes", PADDB_XMM, 0, CR0_EM | CR0_TS, true, NULL, 0, "SSE2 PADDB" },
    { "SSE2 PADDB xmm, OSFXSR clear", PADDB_XMM, 0, CR0_EM | CR0_TS, false, NULL, V_UD, NULL },
    { "SSE4.1 PTEST on max", PTEST, 0, CR0_EM | CR0_TS, true, NULL, 0, "SSE4.1 PTEST" },
    { "SSE4.1 PTEST on qemu64 (no SSE4.1): #UD", PTEST, CR0_TS, CR0_EM, true, "qemu64", V_UD, NULL },
    { "F3 0F 60 is no instruction: #UD before #NM", CODE(0xf3, 0x0f, 0x60, 0xc1), CR0_TS, CR0_EM, true, NULL,
      V_UD, NULL },
    { "MOVMSKPS with a memory operand: #UD", CODE(0x0f, 0x50, 0x03), CR0_TS, CR0_EM, true, NULL, V_UD, NULL },
    /* MMX: EM #UD, TS #NM; CR4.OSFXSR does not matter. */
    { "MMX PADDB, CR0.EM", PADDB_MM, CR0_EM, 0, true, NULL, V_UD, NULL },
    { "MMX PADDB, CR0.TS", PADDB_MM, CR0_TS, CR0_EM, false, NULL, V_NM, NULL },
    { "MMX PADDB passes without OSFXSR", PADDB_MM, 0, CR0_EM | CR0_TS, false, NULL, 0, "MMX PADDB" },
    { "MMX EMMS named", CODE(0x0f, 0x77), 0, CR0_EM | CR0_TS, false, NULL, 0, "MMX EMMS" },
    /* FXSAVE/FXRSTOR follow the x87 rule (EM is #NM); LDMXCSR/STMXCSR the SSE rule. */
    { "FXSAVE, CR0.EM", FXSAVE, CR0_EM, 0, true, NULL, V_NM, NULL },
    { "FXSAVE, CR0.TS", FXSAVE, CR0_TS, CR0_EM, true, NULL, V_NM, NULL },
    { "FXSAVE passes", FXSAVE, 0, CR0_EM | CR0_TS, false, NULL, 0, "FXSAVE" },
    { "LDMXCSR, CR0.EM", LDMXCSR, CR0_EM, 0, true, NULL, V_UD, NULL },
    { "LDMXCSR, CR4.OSFXSR clear", LDMXCSR, 0, CR0_EM | CR0_TS, false, NULL, V_UD, NULL },
    { "LDMXCSR, CR0.TS", LDMXCSR, CR0_TS, CR0_EM, true, NULL, V_NM, NULL },
    { "LDMXCSR passes", LDMXCSR, 0, CR0_EM | CR0_TS, true, NULL, 0, "SSE LDMXCSR" },
    /* XSAVE, XGETBV, VEX, EVEX: no model offers XSAVE, so CR4.OSXSAVE is clear: #UD even with TS. */
    { "XSAVE: #UD", CODE(0x0f, 0xae, 0x23), CR0_TS, CR0_EM, true, NULL, V_UD, NULL },
    { "XGETBV: #UD", CODE(0x0f, 0x01, 0xd0), CR0_TS, CR0_EM, true, NULL, V_UD, NULL },
    { "VEX VZEROUPPER: #UD before #NM", VZEROUPPER, CR0_TS, CR0_EM, true, NULL, V_UD, NULL },
    { "VEX VZEROUPPER: #UD", VZEROUPPER, 0, CR0_EM | CR0_TS, true, NULL, V_UD, NULL },
    { "EVEX VADDPS: #UD", VADDPS_EVEX, CR0_TS, CR0_EM, true, NULL, V_UD, NULL },
};

START_TEST(checks_in_sdm_order)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const check_case *c = &cases[i];
        emu_machine *m = machine_with(c->cpu, c->code, c->len, c->cr0_set, c->cr0_clear, c->osfxsr);
        t_set_reg(m, EMU_X86_RBX, T_DATA_ADDR);
        char what[160];
        snprintf(what, sizeof what, "case %zu \"%s\"", i, c->what);
        if (c->vector) {
            emu_stop stop = st_fault(m, c->vector, 0, what);
            ck_assert_msg(stop.pc == T_CODE_ADDR, "%s: fault at the instruction, pc 0x%llx", what,
                          (unsigned long long)stop.pc);
        } else {
            expect_named_stop(m, c->name, what);
            T_EXPECT_REG(m, EMU_X86_RIP, T_CODE_ADDR, what);
        }
        emu_close(m);
    }
}
END_TEST

START_TEST(fwait_is_a_no_op_unless_mp_and_ts)
{
    static const struct { uint64_t set, clear; const char *what; } ok[] = {
        { CR0_TS, CR0_MP | CR0_EM, "TS without MP" },
        { CR0_MP, CR0_TS | CR0_EM, "MP without TS" },
        { CR0_EM, CR0_MP | CR0_TS, "EM alone (WAIT ignores EM)" },
        { 0, CR0_MP | CR0_TS | CR0_EM, "all clear" },
    };
    static const uint8_t code[] = { 0x9b, 0x9b };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        emu_machine *m = machine_with(NULL, code, sizeof code, ok[i].set, ok[i].clear, false);
        st_ok(m, ok[i].what);
        T_EXPECT_REG(m, EMU_X86_RIP, T_CODE_ADDR + 1, ok[i].what);
        emu_close(m);
    }
}
END_TEST

START_TEST(clts_then_retry_reaches_the_instruction)
{
    /* A lazy-FPU kernel's #NM handler: CLTS, then the x87/SSE instruction runs again. */
    static const uint8_t code[] = { 0xdb, 0xe3, 0x0f, 0x06, 0xdb, 0xe3, 0x0f, 0x28, 0xc1 };
    emu_machine *m = machine_with(NULL, code, sizeof code, CR0_TS, CR0_EM, true);
    st_fault(m, V_NM, 0, "FNINIT with TS");
    t_set_reg(m, EMU_X86_RIP, T_CODE_ADDR + 2);
    st_ok(m, "CLTS at CPL 0");
    ck_assert_msg((t_reg(m, EMU_X86_CR0) & CR0_TS) == 0, "CLTS clears CR0.TS");
    expect_named_stop(m, "x87 FNINIT", "FNINIT after CLTS passes the checks");
    emu_close(m);
    m = machine_with(NULL, code + 2, sizeof code - 2, CR0_TS, CR0_EM, true);
    st_ok(m, "CLTS");
    t_set_reg(m, EMU_X86_RIP, T_CODE_ADDR + 4);
    expect_named_stop(m, "SSE MOVAPS", "MOVAPS after CLTS passes the checks");
    emu_close(m);
}
END_TEST

START_TEST(clts_needs_cpl0)
{
    static const uint8_t code[] = { 0x0f, 0x06 };
    emu_machine *m = machine_with(NULL, code, sizeof code, CR0_TS, 0, true);
    st_enter_ring3(m);
    st_fault(m, V_GP, 0, "CLTS at CPL 3");
    ck_assert_msg((t_reg(m, EMU_X86_CR0) & CR0_TS) != 0, "TS still set after the #GP");
    emu_close(m);
}
END_TEST

typedef struct one_trap {
    emu_trap rec;
    unsigned n;
} one_trap;

static void keep_trap(void *ctx, const emu_trap *t)
{
    one_trap *k = ctx;
    if (k->n++ == 0)
        k->rec = *t;
}

#define IDT_ADDR 0x12000ull
#define NM_HANDLER 0x20000ull
#define GATE_INT64 0xeull

START_TEST(nm_delivered_without_error_code)
{
    /* Deliver through a 64-bit interrupt gate: a fault with no error code, RIP = the x87 instruction. */
    static const uint8_t code[] = { 0x90, 0xd9, 0xe8 };     /* nop; fld1 */
    emu_machine *m = machine_with(NULL, code, sizeof code, CR0_TS, CR0_EM, true);
    uint64_t cs = t_reg(m, EMU_X86_CS);
    const uint64_t present = 1ull << 47;
    uint64_t gate[2] = {
        (NM_HANDLER & 0xffff) | (cs << 16) | (GATE_INT64 << 40) | present | ((NM_HANDLER >> 16) & 0xffff) << 48,
        NM_HANDLER >> 32,
    };
    st_poke(m, IDT_ADDR + 16 * V_NM, gate[0], 8);
    st_poke(m, IDT_ADDR + 16 * V_NM + 8, gate[1], 8);
    t_set_reg(m, EMU_X86_IDTR_BASE, IDT_ADDR);
    t_set_reg(m, EMU_X86_IDTR_LIMIT, 16 * 32 - 1);
    st_poke(m, NM_HANDLER, 0xf4, 1);
    one_trap k = { .n = 0 };
    emu_set_trap_hook(m, keep_trap, &k);
    st_ok(m, "nop");
    emu_stop stop;
    ck_assert(emu_step(m, &stop) == EMU_OK);
    ck_assert_msg(stop.kind == EMU_STOP_EXCEPTION && stop.vector == V_NM && stop.pc == T_CODE_ADDR + 1,
                  "FLD1 with TS stops before #NM at its address: %s", stop.message);
    ck_assert(emu_step(m, &stop) == EMU_OK);
    ck_assert_msg(k.n == 1, "one delivery recorded, got %u", k.n);
    ck_assert_msg(k.rec.vector == V_NM && k.rec.kind == EMU_TRAP_FAULT && !k.rec.has_error_code,
                  "#NM is a fault without an error code: vector %d kind %s error code %d", k.rec.vector,
                  emu_trap_kind_name(k.rec.kind), (int)k.rec.has_error_code);
    T_EXPECT_REG(m, EMU_X86_RIP, NM_HANDLER, "#NM handler entered");
    T_EXPECT_REG(m, EMU_X86_RSP, T_STACK_TOP - 40, "five qwords pushed: SS, RSP, RFLAGS, CS, RIP; no error code");
    ck_assert_msg(st_peek(m, T_STACK_TOP - 40, 8) == T_CODE_ADDR + 1, "saved RIP is the FLD1, got 0x%llx",
                  (unsigned long long)st_peek(m, T_STACK_TOP - 40, 8));
    ck_assert_msg(st_peek(m, T_STACK_TOP - 32, 8) == cs, "saved CS follows the RIP directly");
    emu_close(m);
}
END_TEST

/*
 * The name an SSE/MMX stop gives ("unsupported instruction SSE2 MOVDQA at
 * ...") against Capstone's mnemonic for the same bytes, over every opcode of
 * the SIMD ranges with each mandatory prefix and a register and a memory
 * ModRM. CMPPS and friends are left out: Capstone prints the predicate
 * pseudo-ops (CMPLTPS).
 */
static bool stop_name(const emu_stop *stop, char *name, size_t len)
{
    static const char *const families[] = { "MMX ", "SSE ", "SSE2 ", "SSE3 ", "SSSE3 ", "SSE4.1 ", "SSE4.2 ",
                                            "x87 " };
    const char *p = strstr(stop->message, "unsupported instruction ");
    if (!p)
        return false;
    p += strlen("unsupported instruction ");
    bool simd = false;
    for (size_t i = 0; i < sizeof families / sizeof families[0]; i++)
        simd |= strncmp(p, families[i], strlen(families[i])) == 0;
    if (!simd)
        return false;
    p = strchr(p, ' ');                     /* past the family */
    size_t n = 0;
    for (p++; *p && *p != ' ' && n + 1 < len; p++)
        name[n++] = (char)tolower((unsigned char)*p);
    name[n] = '\0';
    return n > 0;
}

START_TEST(simd_names_match_capstone)
{
    static const uint8_t prefixes[] = { 0, 0x66, 0xf3, 0xf2 };
    static const uint8_t modrms[] = { 0xc1, 0x03 };
    static const struct { uint8_t map[2]; uint8_t len; unsigned lo, hi; } ranges[] = {
        { { 0x0f }, 1, 0x10, 0x17 }, { { 0x0f }, 1, 0x28, 0x2f }, { { 0x0f }, 1, 0x50, 0x7f },
        { { 0x0f }, 1, 0xc4, 0xc6 }, { { 0x0f }, 1, 0xd0, 0xfe },
        { { 0x0f, 0x38 }, 2, 0x00, 0xff }, { { 0x0f, 0x3a }, 2, 0x00, 0xff },
    };
    csh cs;
    ck_assert(cs_open(CS_ARCH_X86, CS_MODE_64, &cs) == CS_ERR_OK);
    emu_machine *m = machine_with(NULL, (const uint8_t[]){ 0x90 }, 1, 0, CR0_EM | CR0_TS, true);
    unsigned named = 0;
    for (size_t r = 0; r < sizeof ranges / sizeof ranges[0]; r++) {
        for (unsigned op = ranges[r].lo; op <= ranges[r].hi; op++) {
            for (size_t p = 0; p < sizeof prefixes; p++) {
                for (size_t k = 0; k < sizeof modrms; k++) {
                    uint8_t b[16] = { 0 };
                    size_t n = 0;
                    if (prefixes[p])
                        b[n++] = prefixes[p];
                    memcpy(b + n, ranges[r].map, ranges[r].len);
                    n += ranges[r].len;
                    b[n++] = (uint8_t)op;
                    b[n++] = modrms[k];
                    b[n++] = 0x01;                  /* an imm8, if the form has one */
                    ck_assert(emu_mem_write_phys(m, T_CODE_ADDR, b, sizeof b) == EMU_OK);
                    t_set_reg(m, EMU_X86_RIP, T_CODE_ADDR);
                    t_set_reg(m, EMU_X86_RBX, T_DATA_ADDR);
                    emu_stop stop;
                    ck_assert(emu_step(m, &stop) == EMU_OK);
                    char name[32];
                    if (stop.kind != EMU_STOP_ERROR || !stop_name(&stop, name, sizeof name))
                        continue;                   /* #UD, or not an SSE/MMX form of fpu_sse.c */
                    cs_insn *insn = NULL;
                    size_t got = cs_disasm(cs, b, sizeof b, T_CODE_ADDR, 1, &insn);
                    ck_assert_msg(got == 1, "%02x %02x %02x %02x %02x: emu names %s, Capstone decodes nothing",
                                  b[0], b[1], b[2], b[3], b[4], name);
                    ck_assert_msg(strcmp(insn[0].mnemonic, name) == 0,
                                  "%02x %02x %02x %02x %02x: emu names %s, Capstone %s", b[0], b[1], b[2], b[3],
                                  b[4], name, insn[0].mnemonic);
                    cs_free(insn, got);
                    named++;
                }
            }
        }
    }
    cs_close(&cs);
    emu_close(m);
    ck_assert_msg(named > 400, "only %u forms named", named);
}
END_TEST

START_TEST(x87_names_match_capstone)
{
    /* Every escape D8-DF with every ModRM byte (memory forms through [rbx], mod 0). */
    csh cs;
    ck_assert(cs_open(CS_ARCH_X86, CS_MODE_64, &cs) == CS_ERR_OK);
    emu_machine *m = machine_with(NULL, (const uint8_t[]){ 0x90 }, 1, 0, CR0_EM | CR0_TS, true);
    unsigned named = 0, reserved = 0;
    for (unsigned esc = 0xd8; esc <= 0xdf; esc++) {
        for (unsigned modrm = 0; modrm < 256; modrm++) {
            if (modrm < 0xc0 && (modrm & 0xc7) != 0x03)
                continue;                           /* one memory form per ModRM.reg */
            uint8_t b[16] = { (uint8_t)esc, (uint8_t)modrm };
            ck_assert(emu_mem_write_phys(m, T_CODE_ADDR, b, sizeof b) == EMU_OK);
            t_set_reg(m, EMU_X86_RIP, T_CODE_ADDR);
            emu_stop stop;
            ck_assert(emu_step(m, &stop) == EMU_OK);
            ck_assert_msg(stop.kind == EMU_STOP_ERROR && strstr(stop.message, "x87 "),
                          "%02x %02x: every x87 escape passes the checks to a stop naming it: %s", esc, modrm,
                          stop.message);
            char name[32];
            if (strstr(stop.message, "(reserved")) {
                reserved++;
                continue;
            }
            ck_assert(stop_name(&stop, name, sizeof name));
            cs_insn *insn = NULL;
            size_t got = cs_disasm(cs, b, sizeof b, T_CODE_ADDR, 1, &insn);
            ck_assert_msg(got == 1 && strcmp(insn[0].mnemonic, name) == 0, "%02x %02x: emu names %s, Capstone %s",
                          esc, modrm, name, got == 1 ? insn[0].mnemonic : "nothing");
            cs_free(insn, got);
            named++;
        }
    }
    cs_close(&cs);
    emu_close(m);
    /* The rest are the escapes the SDM's tables leave blank (FSTP1, FXCH4, FFREEP, ...). */
    ck_assert_msg(named > 400, "only %u x87 forms named (%u reserved)", named, reserved);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cpu_x86/fpu_sse");
    TCase *tc = tcase_create("fpu_sse");
    tcase_add_test(tc, checks_in_sdm_order);
    tcase_add_test(tc, fwait_is_a_no_op_unless_mp_and_ts);
    tcase_add_test(tc, clts_then_retry_reaches_the_instruction);
    tcase_add_test(tc, clts_needs_cpl0);
    tcase_add_test(tc, nm_delivered_without_error_code);
    tcase_add_test(tc, simd_names_match_capstone);
    tcase_add_test(tc, x87_names_match_capstone);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
