/*
 * The SIMD&FP instructions this emulator executes (loads/stores of B/H/S/D/Q
 * registers incl. pairs and structures, FMOV, DUP/INS/UMOV/SMOV, MOVI and
 * friends, and the integer vector operations of simd_int.c), each compared
 * with Unicorn 2 (QEMU TCG) from many random register and memory states:
 * all of V0-V31, X0-X30, SP and the data window after one instruction.
 * Register numbers are varied too (Rd/Rn/Rm in bits 4:0, 9:5, 20:16 where the
 * form has them); X1 always holds the data base address and X2 a small index.
 * Separately, a few SIMD&FP operations outside that list must stop with
 * A64_UNSUPPORTED naming their class.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicorn/unicorn.h>

#include "a64_case.h"
#include "emu_test.h"

#define SIMD_SEED 0x51bd5eed0000a64ull
#define ROUNDS 300
#define DATA_SIZE 0x1000u
#define BASE (T64_DATA + 0x800)

typedef struct form {
    uint32_t insn;
    const char *text;
    bool vary_regs; /* Rd, Rn, Rm may be any V register (no X operands) */
} form;

static const form forms[] = {
    { 0x3dc00420, "ldr q0, [x1, #16]", false },
    { 0x3d800820, "str q0, [x1, #32]", false },
    { 0xfc408421, "ldr d1, [x1], #8", false },
    { 0xbc1fcc22, "str s2, [x1, #-4]!", false },
    { 0x3c626823, "ldr b3, [x1, x2]", false },
    { 0x7d400424, "ldr h4, [x1, #2]", false },
    { 0xad400420, "ldp q0, q1, [x1]", false },
    { 0x6d010c22, "stp d2, d3, [x1, #16]", false },
    { 0x9c000045, "ldr q5, #8", false },
    { 0x4cdfa020, "ld1 {v0.16b, v1.16b}, [x1], #32", false },
    { 0x4c002020, "st1 {v0.16b-v3.16b}, [x1]", false },
    { 0x0c407020, "ld1 {v0.8b}, [x1]", false },
    { 0x4c408820, "ld2 {v0.4s, v1.4s}, [x1]", false },
    { 0x4d40c820, "ld1r {v0.4s}, [x1]", false },
    { 0x0d409020, "ld1 {v0.s}[1], [x1]", false },
    { 0x4d008420, "st1 {v0.d}[1], [x1]", false },
    { 0x9e670020, "fmov d0, x1", false },
    { 0x9e660020, "fmov x0, d1", false },
    { 0x1e270020, "fmov s0, w1", false },
    { 0x1e260020, "fmov w0, s1", false },
    { 0x9eaf0020, "fmov v0.d[1], x1", false },
    { 0x9eae0020, "fmov x0, v1.d[1]", false },
    { 0x1e604020, "fmov d0, d1", true },
    { 0x1e2e1000, "fmov s0, #1.0", false },
    { 0x1e709000, "fmov d0, #-2.5", false },
    { 0x4e010c20, "dup v0.16b, w1", false },
    { 0x4e140420, "dup v0.4s, v1.s[2]", true },
    { 0x4e1c1c20, "ins v0.s[3], w1", false },
    { 0x6e065420, "ins v0.h[1], v1.h[5]", true },
    { 0x0e0f3c20, "umov w0, v1.b[7]", false },
    { 0x4e183c20, "umov x0, v1.d[1]", false },
    { 0x4e0e2c20, "smov x0, v1.h[3]", false },
    { 0x4f07e7e0, "movi v0.16b, #0xff", false },
    { 0x6f05e540, "movi v0.2d, #0xff00ff00ff00ff00", false },
    { 0x6f002640, "mvni v0.4s, #0x12, lsl #8", false },
    { 0x4f005420, "orr v0.4s, #1, lsl #16", false },
    { 0x2f00e400, "movi d0, #0", false },
    { 0x4e221c20, "and v0.16b, v1.16b, v2.16b", true },
    { 0x4ea21c20, "orr v0.16b, v1.16b, v2.16b", true },
    { 0x6e221c20, "eor v0.16b, v1.16b, v2.16b", true },
    { 0x4e621c20, "bic v0.16b, v1.16b, v2.16b", true },
    { 0x6e621c20, "bsl v0.16b, v1.16b, v2.16b", true },
    { 0x4ee28420, "add v0.2d, v1.2d, v2.2d", true },
    { 0x6e628420, "sub v0.8h, v1.8h, v2.8h", true },
    { 0x6e228c20, "cmeq v0.16b, v1.16b, v2.16b", true },
    { 0x6ea23420, "cmhi v0.4s, v1.4s, v2.4s", true },
    { 0x4e209820, "cmeq v0.16b, v1.16b, #0", true },
    { 0x6e30a820, "umaxv b0, v1.16b", true },
    { 0x6e71a820, "uminv h0, v1.8h", true },
    { 0x4eb1b820, "addv s0, v1.4s", true },
    { 0x4e22bc20, "addp v0.16b, v1.16b, v2.16b", true },
    { 0x6e22a420, "umaxp v0.16b, v1.16b, v2.16b", true },
    { 0x0e205820, "cnt v0.8b, v1.8b", true },
    { 0x6e205820, "not v0.16b, v1.16b", true },
    { 0x0f0c8420, "shrn v0.8b, v1.8h, #4", true },
    { 0x6f780420, "ushr v0.2d, v1.2d, #8", true },
    { 0x2f08a420, "uxtl v0.8h, v1.8b", true },
    { 0x4f03f600, "fmov v0.4s, #1.0", false },
    { 0x6f04f480, "fmov v0.2d, #-2.5", false },
    { 0x4c404420, "ld3 {v0.8h-v2.8h}, [x1]", false },
    { 0x4c9f0820, "st4 {v0.4s-v3.4s}, [x1], #64", false },
    { 0x0d60e020, "ld4r {v0.8b-v3.8b}, [x1]", false },
    { 0x4da20420, "st2 {v0.b, v1.b}[9], [x1], x2", false },
    { 0x3cdfd020, "ldur q0, [x1, #-3]", false },
    { 0x2dff0420, "ldp s0, s1, [x1, #-8]!", false },
    { 0x4e303820, "saddlv h0, v1.16b", true },
    { 0x4eb0a820, "smaxv s0, v1.4s", true },
    { 0x0e31a820, "sminv b0, v1.8b", true },
    { 0x6e703820, "uaddlv s0, v1.8h", true },
    { 0x4e623c20, "cmge v0.8h, v1.8h, v2.8h", true },
    { 0x4ee23420, "cmgt v0.2d, v1.2d, v2.2d", true },
    { 0x6e223c20, "cmhs v0.16b, v1.16b, v2.16b", true },
    { 0x4ea28c20, "cmtst v0.4s, v1.4s, v2.4s", true },
    { 0x4e626420, "smax v0.8h, v1.8h, v2.8h", true },
    { 0x6ea26c20, "umin v0.4s, v1.4s, v2.4s", true },
    { 0x0e22ac20, "sminp v0.8b, v1.8b, v2.8b", true },
    { 0x4ee2bc20, "addp v0.2d, v1.2d, v2.2d", true },
    { 0x4f3d0420, "sshr v0.4s, v1.4s, #3", true },
    { 0x4f155420, "shl v0.8h, v1.8h, #5", true },
    { 0x4f0d8420, "shrn2 v0.16b, v1.8h, #3", true },
    { 0x4f12a420, "sshll2 v0.4s, v1.8h, #2", true },
    { 0x4e200820, "rev64 v0.16b, v1.16b", true },
    { 0x6e600820, "rev32 v0.8h, v1.8h", true },
    { 0x4e201820, "rev16 v0.16b, v1.16b", true },
    { 0x6e605820, "rbit v0.16b, v1.16b", true },
    { 0x4ea0b820, "abs v0.4s, v1.4s", true },
    { 0x6ee0b820, "neg v0.2d, v1.2d", true },
    { 0x4e60a820, "cmlt v0.8h, v1.8h, #0", true },
    { 0x6e209820, "cmle v0.16b, v1.16b, #0", true },
    { 0x6ea08820, "cmge v0.4s, v1.4s, #0", true },
    { 0x4ee08820, "cmgt v0.2d, v1.2d, #0", true },
    { 0x6ea21c20, "bit v0.16b, v1.16b, v2.16b", true },
    { 0x2ee21c20, "bif v0.8b, v1.8b, v2.8b", true },
    { 0x4ee21c20, "orn v0.16b, v1.16b, v2.16b", true },
    { 0x4e080c20, "dup v0.2d, x1", false },
    { 0x0e132c20, "smov w0, v1.b[9]", false },
    { 0x6e180420, "ins v0.d[1], v1.d[0]", true },
    { 0x6f008480, "mvni v0.8h, #4", false },
    { 0x6f047400, "bic v0.4s, #0x80, lsl #24", false },
    { 0x4f00c640, "movi v0.4s, #0x12, msl #8", false },
};

static uint64_t rng;

static uint64_t rnd(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545f4914f6cdd1dull;
}

static uint64_t ureg(uc_engine *uc, int reg)
{
    uint64_t v = 0;
    uc_reg_read(uc, reg, &v);
    return v;
}

static int uc_xreg(unsigned r)
{
    return r < 29 ? UC_ARM64_REG_X0 + (int)r : r == 29 ? UC_ARM64_REG_X29 : UC_ARM64_REG_X30;
}

START_TEST(simd_against_unicorn)
{
    const form *f = &forms[_i];
    rng = SIMD_SEED + (uint64_t)_i * 0x9e3779b97f4a7c15ull;
    uc_engine *uc = NULL;
    ck_assert_int_eq(uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &uc), UC_ERR_OK);
    ck_assert_int_eq(uc_ctl_set_cpu_model(uc, UC_CPU_ARM64_MAX), UC_ERR_OK);
    ck_assert_int_eq(uc_mem_map(uc, T64_MEM_BASE, T64_MEM_SIZE, UC_PROT_ALL), UC_ERR_OK);
    uint64_t cpacr = 3ull << 20; /* FPEN = 11: Unicorn must not trap FP either */
    uc_reg_write(uc, UC_ARM64_REG_CPACR_EL1, &cpacr);
    t64 t;
    t64_init(&t);
    for (unsigned round = 0; round < ROUNDS; round++) {
        uint32_t insn = f->insn;
        if (f->vary_regs && round > 0) {
            insn = (insn & ~0x3ffu) | (uint32_t)(rnd() & 0x3ff);
            if ((insn & 0x00200000u) && (insn & 0x9f200400u) == 0x0e200400u) /* three same: vary Rm */
                insn = (insn & ~(0x1fu << 16)) | (uint32_t)((rnd() & 0x1f) << 16);
        }
        uint32_t code[4] = { insn, 0xd4200000u, 0x89abcdef, 0x01234567 };
        t64_code(&t, code, 4);
        ck_assert_int_eq(uc_mem_write(uc, T64_CODE, code, sizeof code), UC_ERR_OK);
        ck_assert_int_eq(uc_ctl_remove_cache(uc, T64_CODE, T64_CODE + sizeof code), UC_ERR_OK);
        for (unsigned i = 0; i < DATA_SIZE; i++)
            t.mem[T64_DATA - T64_MEM_BASE + i] = (uint8_t)rnd();
        uc_mem_write(uc, T64_DATA, t.mem + (T64_DATA - T64_MEM_BASE), DATA_SIZE);
        for (unsigned r = 0; r < 31; r++) {
            t.cpu.x[r] = rnd();
            if (rnd() & 1)
                t.cpu.x[r] &= 0xffff;
        }
        t.cpu.x[1] = BASE;
        t.cpu.x[2] = rnd() & 0xff;
        for (unsigned r = 0; r < 32; r++) {
            t.cpu.v[r].d[0] = rnd();
            t.cpu.v[r].d[1] = rnd();
            if ((rnd() & 3) == 0)
                t.cpu.v[r].d[0] &= 0xff00ff00ff00ff00ull; /* zero bytes for CMEQ #0 and friends */
        }
        for (unsigned r = 0; r < 31; r++)
            uc_reg_write(uc, uc_xreg(r), &t.cpu.x[r]);
        for (unsigned r = 0; r < 32; r++)
            uc_reg_write(uc, UC_ARM64_REG_Q0 + (int)r, t.cpu.v[r].d);
        uint64_t sp = t.cpu.sp_el[1];
        uc_reg_write(uc, UC_ARM64_REG_SP, &sp);
        t.cpu.pc = T64_CODE;

        a64_status st = a64_step(&t.cpu);
        uc_err ue = uc_emu_start(uc, T64_CODE, T64_CODE + 0x1000, 0, 1);
        ck_assert_msg(st == A64_OK, "%s (0x%08x) round %u: emu %s %s", f->text, insn, round, a64_status_name(st),
                      t.cpu.unsupported);
        ck_assert_msg(ue == UC_ERR_OK, "%s (0x%08x) round %u: unicorn %s", f->text, insn, round, uc_strerror(ue));
        for (unsigned r = 0; r < 32; r++) {
            uint64_t q[2] = { 0, 0 };
            uc_reg_read(uc, UC_ARM64_REG_Q0 + (int)r, q);
            ck_assert_msg(q[0] == t.cpu.v[r].d[0] && q[1] == t.cpu.v[r].d[1],
                          "%s (0x%08x) round %u: V%u emu %016llx:%016llx unicorn %016llx:%016llx", f->text, insn,
                          round, r, (unsigned long long)t.cpu.v[r].d[1], (unsigned long long)t.cpu.v[r].d[0],
                          (unsigned long long)q[1], (unsigned long long)q[0]);
        }
        for (unsigned r = 0; r < 31; r++)
            ck_assert_msg(ureg(uc, uc_xreg(r)) == t.cpu.x[r], "%s (0x%08x) round %u: X%u emu 0x%llx unicorn 0x%llx",
                          f->text, insn, round, r, (unsigned long long)t.cpu.x[r],
                          (unsigned long long)ureg(uc, uc_xreg(r)));
        ck_assert_msg(ureg(uc, UC_ARM64_REG_PC) == t.cpu.pc, "%s: PC", f->text);
        static uint8_t ubuf[DATA_SIZE];
        uc_mem_read(uc, T64_DATA, ubuf, DATA_SIZE);
        ck_assert_msg(memcmp(ubuf, t.mem + (T64_DATA - T64_MEM_BASE), DATA_SIZE) == 0,
                      "%s (0x%08x) round %u: memory differs", f->text, insn, round);
    }
    t64_free(&t);
    uc_close(uc);
}
END_TEST

START_TEST(unsupported_simd_names_itself)
{
    static const struct { uint32_t insn; const char *text, *want; } cases[] = {
        { 0x4e22d420, "fadd v0.4s, v1.4s, v2.4s", "Advanced SIMD three same" },
        { 0x9e620020, "scvtf d0, x1", "SCVTF" },
        { 0x1e602820, "fadd d0, d1, d0", "FADD (scalar" },
        { 0x1e61c020, "fsqrt d0, d1", "FSQRT" },
        { 0x1f420c20, "fmadd d0, d1, d2, d3", "FMADD" },
        { 0x1e622020, "fcmp d1, d2", "FCMP" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        t64 t;
        t64_init(&t);
        t64_code(&t, &cases[i].insn, 1);
        T64_STEP(&t, A64_UNSUPPORTED, cases[i].text);
        ck_assert_msg(strstr(t.cpu.unsupported, cases[i].want) != NULL, "%s: stop names \"%s\", got \"%s\"",
                      cases[i].text, cases[i].want, t.cpu.unsupported);
        T64_EQ(t.cpu.pc, T64_CODE, cases[i].text);
        t64_free(&t);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cpu_arm64_unicorn_simd");
    TCase *tc = tcase_create("simd");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, simd_against_unicorn, 0, (int)(sizeof forms / sizeof forms[0]));
    tcase_add_test(tc, unsupported_simd_names_itself);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
