/*
 * System instructions: exception generation records, hints (WFI/WFE and
 * their EL0 traps), barriers, MSR (immediate), the MRS/MSR table with its
 * EL rules (UNDEFINED vs the EC 0x18 trap and its ISS), the platform's
 * system-register hook, ERET, TLBI/IC hooks, DC ZVA and the FP access trap.
 */
#include "a64_case.h"
#include "emu_test.h"

static void one(t64 *t, uint32_t insn)
{
    t64_init(t);
    t64_code(t, &insn, 1);
}

START_TEST(exception_generation)
{
    t64 t;
    one(&t, 0xd4024681); /* svc #0x1234 */
    T64_EXPECT_EXC(&t, ESR_EC_SVC64, "svc");
    T64_EQ(t.cpu.exc.iss, 0x1234, "svc: ISS imm16");
    T64_EQ(t.cpu.exc.preferred_return, T64_CODE + 4, "svc: returns to the next instruction");
    ck_assert_msg(t.cpu.exc.il, "svc: IL");
    T64_EQ(esr_value(t.cpu.exc.ec, t.cpu.exc.il, t.cpu.exc.iss), 0x56001234u, "svc: ESR value");
    t64_free(&t);

    one(&t, 0xd40000a2); /* hvc #5 */
    T64_EXPECT_EXC(&t, ESR_EC_HVC64, "hvc at EL1");
    T64_EQ(t.cpu.exc.preferred_return, T64_CODE + 4, "hvc: next instruction");
    t.cpu.pstate.el = 0;
    T64_EXPECT_EXC(&t, ESR_EC_UNKNOWN, "hvc at EL0 is UNDEFINED");
    t64_free(&t);

    one(&t, 0xd40000e3); /* smc #7 */
    T64_EXPECT_EXC(&t, ESR_EC_SMC64, "smc at EL1");
    T64_EQ(t.cpu.exc.iss, 7, "smc: imm16");
    t64_free(&t);

    one(&t, 0xd4200780); /* brk #0x3c */
    T64_EXPECT_EXC(&t, ESR_EC_BRK64, "brk");
    T64_EQ(t.cpu.exc.iss, 0x3c, "brk: imm16");
    T64_EQ(t.cpu.exc.preferred_return, T64_CODE, "brk: returns to itself");
    t64_free(&t);

    one(&t, 0xd45e0000); /* hlt #0xf000 */
    T64_EXPECT_EXC(&t, ESR_EC_UNKNOWN, "hlt without halting debug");
    T64_EQ(t.cpu.exc.insn, 0xd45e0000, "hlt: the word is in the record for semihosting");
    ck_assert_msg(a64_exc_is_semihosting(&t.cpu.exc), "HLT #0xF000 is recognised as a semihosting call");
    t64_free(&t);

    one(&t, 0xd4400000); /* hlt #0 */
    T64_EXPECT_EXC(&t, ESR_EC_UNKNOWN, "hlt #0");
    ck_assert_msg(!a64_exc_is_semihosting(&t.cpu.exc), "HLT #0 is not a semihosting call");
    t64_free(&t);
}
END_TEST

START_TEST(wait_for_interrupt_and_event)
{
    t64 t;
    one(&t, 0xd503207f); /* wfi */
    T64_STEP(&t, A64_WFI, "wfi at EL1");
    T64_EQ(t.cpu.pc, T64_CODE + 4, "wfi: PC past it");
    t.cpu.pc = T64_CODE;
    t.cpu.pstate.el = 0;
    T64_EXPECT_EXC(&t, ESR_EC_WFX, "wfi at EL0 with SCTLR_EL1.nTWI = 0");
    T64_EQ(t.cpu.exc.iss & 3, 0, "wfi trap: TI = WFI");
    t.cpu.sys.sctlr_el1 |= A64_SCTLR_NTWI;
    T64_STEP(&t, A64_WFI, "wfi at EL0 with nTWI = 1");
    t64_free(&t);

    static const uint32_t code[] = { 0xd50320bf, 0xd503205f, 0xd503205f }; /* sevl; wfe; wfe */
    t64_init(&t);
    t64_code(&t, code, 3);
    T64_STEP(&t, A64_OK, "sevl");
    T64_STEP(&t, A64_OK, "wfe with the event register set falls through");
    T64_STEP(&t, A64_WFE, "wfe with the event register clear waits");
    T64_EQ(t.cpu.pc, T64_CODE + 12, "wfe: PC past it");
    t64_free(&t);
}
END_TEST

START_TEST(hints_and_barriers)
{
    static const uint32_t code[] = {
        0xd503201f, 0xd503203f, 0xd5033bbf, 0xd5033f9f, 0xd5033fdf, /* nop yield dmb dsb isb */
        0xd503241f, /* hint #0x20 (BTI): executes as NOP on this PE */
    };
    t64 t;
    t64_init(&t);
    t64_code(&t, code, 6);
    for (unsigned i = 0; i < 6; i++)
        T64_STEP(&t, A64_OK, "hint or barrier");
    T64_EQ(t.cpu.pc, T64_CODE + 24, "six instructions retired");
    t64_free(&t);
}
END_TEST

START_TEST(pstate_immediates)
{
    static const uint32_t code[] = { 0xd5034fdf, 0xd50342ff, 0xd50040bf }; /* daifset #15; daifclr #2; spsel #0 */
    t64 t;
    t64_init(&t);
    t64_code(&t, code, 3);
    t.cpu.pstate.daif = 0;
    T64_STEP(&t, A64_OK, "msr daifset, #15");
    T64_EQ(t.cpu.pstate.daif, 0xf, "DAIF all masked");
    T64_STEP(&t, A64_OK, "msr daifclr, #2");
    T64_EQ(t.cpu.pstate.daif, 0xd, "I unmasked");
    T64_STEP(&t, A64_OK, "msr spsel, #0");
    T64_EQ(t.cpu.pstate.sp, 0, "SPSel");
    T64_EQ((uint64_t)(uintptr_t)a64_sp(&t.cpu), (uint64_t)(uintptr_t)&t.cpu.sp_el[0], "SP_EL0 in use");
    t64_free(&t);

    t64_init(&t);
    t64_code(&t, code, 1);
    t.cpu.pstate.el = 0;
    T64_EXPECT_EXC(&t, ESR_EC_SYSREG, "daifset at EL0 with SCTLR_EL1.UMA = 0");
    T64_EQ(t.cpu.exc.iss, esr_iss_sysreg(0, 3, 4, 15, 6, 31, false), "daifset trap ISS");
    t64_free(&t);
}
END_TEST

START_TEST(sysreg_reads_and_writes)
{
    static const uint32_t code[] = {
        0xd5181000, /* msr sctlr_el1, x0 */
        0xd5381001, /* mrs x1, sctlr_el1 */
        0xd5384242, /* mrs x2, currentel */
        0xd51b4200, /* msr nzcv, x0 */
        0xd5380003, /* mrs x3, midr_el1 */
        0xd5380484, /* mrs x4, s3_0_c0_c4_4 (reserved ID space: RAZ) */
        0xd53b00e5, /* mrs x5, dczid_el0 */
    };
    t64 t;
    t64_init(&t);
    t64_code(&t, code, 7);
    t.cpu.x[0] = 0x30d00800ull | (1ull << 31) | (1ull << 29);
    T64_STEP(&t, A64_OK, "msr sctlr_el1");
    T64_STEP(&t, A64_OK, "mrs sctlr_el1");
    T64_EQ(t.cpu.x[1], t.cpu.x[0], "SCTLR_EL1 round trip");
    T64_STEP(&t, A64_OK, "mrs currentel");
    T64_EQ(t.cpu.x[2], 1u << 2, "CurrentEL at EL1");
    T64_STEP(&t, A64_OK, "msr nzcv");
    T64_EQ(t.cpu.pstate.nzcv, 0xb, "NZCV from bits 31:28 (N, C and V)");
    t.cpu.sys.vpidr_el2 = 0x410fd034;
    T64_STEP(&t, A64_OK, "mrs midr_el1");
    T64_EQ(t.cpu.x[3], 0x410fd034, "MIDR_EL1 at EL1 reads VPIDR_EL2");
    t.cpu.x[4] = 99;
    T64_STEP(&t, A64_OK, "mrs reserved ID register");
    T64_EQ(t.cpu.x[4], 0, "reserved ID register reads as zero");
    T64_STEP(&t, A64_OK, "mrs dczid_el0");
    T64_EQ(t.cpu.x[5], 4, "DCZID_EL0.BS: 64-byte blocks");
    t64_free(&t);
}
END_TEST

START_TEST(sysreg_el_rules)
{
    t64 t;
    one(&t, 0xd5381000); /* mrs x0, sctlr_el1 */
    t.cpu.pstate.el = 0;
    T64_EXPECT_EXC(&t, ESR_EC_UNKNOWN, "EL1 register at EL0 is UNDEFINED");
    t64_free(&t);

    one(&t, 0xd53c1100); /* mrs x0, hcr_el2 */
    T64_EXPECT_EXC(&t, ESR_EC_UNKNOWN, "EL2 register at EL1 is UNDEFINED");
    t.cpu.pstate.el = 2;
    T64_STEP(&t, A64_OK, "EL2 register at EL2");
    t64_free(&t);

    one(&t, 0xd53b0020); /* mrs x0, ctr_el0 */
    t.cpu.pstate.el = 0;
    T64_EXPECT_EXC(&t, ESR_EC_SYSREG, "CTR_EL0 at EL0 with SCTLR_EL1.UCT = 0");
    T64_EQ(t.cpu.exc.iss, esr_iss_sysreg(3, 3, 0, 0, 1, 0, true), "CTR_EL0 trap ISS (read, Rt = 0)");
    t.cpu.sys.sctlr_el1 |= A64_SCTLR_UCT;
    T64_STEP(&t, A64_OK, "CTR_EL0 at EL0 with UCT = 1");
    t64_free(&t);

    one(&t, 0xd51bd060); /* msr tpidrro_el0, x0 */
    T64_STEP(&t, A64_OK, "TPIDRRO_EL0 written at EL1");
    t.cpu.pc = T64_CODE;
    t.cpu.pstate.el = 0;
    T64_EXPECT_EXC(&t, ESR_EC_UNKNOWN, "TPIDRRO_EL0 is read-only at EL0");
    t64_free(&t);

    one(&t, 0xd5384100); /* mrs x0, sp_el0 */
    t.cpu.pstate.sp = 0;
    T64_EXPECT_EXC(&t, ESR_EC_UNKNOWN, "SP_EL0 while it is the SP in use");
    t64_free(&t);

    one(&t, 0xd538f200); /* mrs x0, s3_0_c15_c2_0: not a register of this PE */
    T64_EXPECT_EXC(&t, ESR_EC_UNKNOWN, "unknown system register");
    t64_free(&t);

    one(&t, 0xd5180000); /* msr s3_0_c0_c0_0 (MIDR_EL1), x0 */
    T64_EXPECT_EXC(&t, ESR_EC_UNKNOWN, "write to read-only MIDR_EL1");
    t64_free(&t);
}
END_TEST

START_TEST(sysreg_sp_el0_and_write_only)
{
    t64 t;
    const uint32_t sp_el0_code[] = {
        0xd5184101, /* msr sp_el0, x1 */
        0xd5384102, /* mrs x2, sp_el0 */
    };
    t64_init(&t);
    t64_code(&t, sp_el0_code, 2);
    t.cpu.x[1] = 0x1230;
    T64_STEP(&t, A64_OK, "msr sp_el0 with SPSel = 1");
    T64_EQ(t.cpu.sp_el[0], 0x1230, "SP_EL0 written");
    T64_STEP(&t, A64_OK, "mrs sp_el0 with SPSel = 1");
    T64_EQ(t.cpu.x[2], 0x1230, "SP_EL0 read back");
    t.cpu.pc = T64_CODE;
    t.cpu.pstate.sp = 0;
    t.cpu.x[1] = 0x4560;
    T64_EXPECT_EXC(&t, ESR_EC_UNKNOWN, "msr sp_el0 while it is the SP in use");
    T64_EQ(t.cpu.sp_el[0], 0x1230, "SP_EL0 unchanged by the UNDEFINED write");
    t64_free(&t);

    one(&t, 0xd5301080); /* mrs x0, oslar_el1 */
    T64_EXPECT_EXC(&t, ESR_EC_UNKNOWN, "read of write-only OSLAR_EL1");
    t64_free(&t);
}
END_TEST

START_TEST(sysreg_writes_and_page_hints)
{
    t64 t;
    const uint32_t code[] = {
        0xd518d080, /* msr tpidr_el1, x0 */
        0xd5181000, /* msr sctlr_el1, x0 (same value) */
    };
    t64_init(&t);
    t.hints = true;
    t64_code(&t, code, 2);
    t.cpu.x[0] = t.cpu.sys.sctlr_el1;
    T64_STEP(&t, A64_OK, "msr tpidr_el1");
    ck_assert_msg(t.cpu.hint[A64_ACC_FETCH][0].el_tag != 0, "a TPIDR_EL1 write keeps the page hints");
    T64_STEP(&t, A64_OK, "msr sctlr_el1");
    ck_assert_msg(t.cpu.hint[A64_ACC_FETCH][0].el_tag == 0, "an SCTLR_EL1 write drops the page hints");
    t64_free(&t);
}
END_TEST

static a64_sysreg_result timer_hook(void *ctx, uint32_t enc, bool is_read, uint64_t *value, unsigned el)
{
    if (enc != A64_SYSREG_ENC(3, 3, 14, 0, 2)) /* CNTVCT_EL0 */
        return A64_SYSREG_UNHANDLED;
    if (el == 0)
        return A64_SYSREG_TRAP;
    *value = 0x1234567;
    return A64_SYSREG_DONE;
}

START_TEST(platform_sysreg_hook)
{
    t64 t;
    one(&t, 0xd53be040); /* mrs x0, cntvct_el0 */
    T64_EXPECT_EXC(&t, ESR_EC_UNKNOWN, "CNTVCT_EL0 without a platform hook");
    t.cpu.ops.sysreg = timer_hook;
    T64_STEP(&t, A64_OK, "CNTVCT_EL0 through the hook");
    T64_EQ(t.cpu.x[0], 0x1234567, "hook value");
    t.cpu.pc = T64_CODE;
    t.cpu.pstate.el = 0;
    T64_EXPECT_EXC(&t, ESR_EC_SYSREG, "hook reports a trap");
    t64_free(&t);
}
END_TEST

START_TEST(eret)
{
    t64 t;
    one(&t, 0xd69f03e0);
    T64_STEP(&t, A64_ERET, "eret at EL1");
    T64_EQ(t.cpu.pc, T64_CODE, "eret leaves PC for the entry code");
    t.cpu.pstate.el = 0;
    T64_EXPECT_EXC(&t, ESR_EC_UNKNOWN, "eret at EL0 is UNDEFINED");
    t64_free(&t);
}
END_TEST

/* AT through the ops->at hook: the access it asks for (EL whose permissions, read or write) and
 * PAR_EL1 taking the hook's answer; AT at EL0 is UNDEFINED; AT S12E* stops naming itself. */
static a64_access at_seen;
static uint64_t fake_at(void *ctx, const a64_access *acc)
{
    (void)ctx;
    at_seen = *acc;
    return 0xff00000040080b80ull ^ acc->va;
}

START_TEST(address_translation)
{
    static const struct {
        uint32_t insn;
        const char *name;
        unsigned el;
        a64_acc_kind kind;
    } cases[] = {
        { 0xd5087801, "at s1e1r, x1", 1, A64_ACC_READ },
        { 0xd5087821, "at s1e1w, x1", 1, A64_ACC_WRITE },
        { 0xd5087841, "at s1e0r, x1", 0, A64_ACC_READ },
        { 0xd5087861, "at s1e0w, x1", 0, A64_ACC_WRITE },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        t64 t;
        one(&t, cases[i].insn);
        t.cpu.ops.at = fake_at;
        t.cpu.x[1] = 0x1234000;
        T64_STEP(&t, A64_OK, cases[i].name);
        ck_assert_msg(at_seen.va == 0x1234000 && at_seen.el == cases[i].el && at_seen.kind == cases[i].kind &&
                      at_seen.size == 1, "%s: asked for va 0x%llx el %u kind %d size %u", cases[i].name,
                      (unsigned long long)at_seen.va, at_seen.el, (int)at_seen.kind, at_seen.size);
        T64_EQ(t.cpu.sys.par_el1, 0xff00000040080b80ull ^ 0x1234000, "PAR_EL1 takes the translation's answer");
        t.cpu.pstate.el = 0;
        T64_EXPECT_EXC(&t, ESR_EC_UNKNOWN, "AT at EL0 is UNDEFINED");
        t64_free(&t);
    }
    t64 t;
    one(&t, 0xd50c7881); /* at s12e1r, x1 */
    t.cpu.ops.at = fake_at;
    t.cpu.pstate.el = 2;
    T64_STEP(&t, A64_UNSUPPORTED, "at s12e1r at EL2");
    ck_assert_msg(strstr(t.cpu.unsupported, "S12E") != NULL, "AT S12E1R names stage 2: %s", t.cpu.unsupported);
    t64_free(&t);
}
END_TEST

START_TEST(maintenance)
{
    static const uint32_t code[] = {
        0xd5088722, /* tlbi vae1, x2 */
        0xd508751f, /* ic iallu */
        0xd50b7421, /* dc zva, x1 */
        0xd5087e41, /* dc cisw, x1 */
        0xd5087801, /* at s1e1r, x1 */
    };
    t64 t;
    t64_init(&t);
    t64_code(&t, code, 5);
    t.cpu.x[2] = 0xabc;
    T64_STEP(&t, A64_OK, "tlbi vae1");
    T64_EQ(t.sys_ops, 1, "tlbi reaches the hook");
    ck_assert_str_eq(t.last_op.name, "TLBI VAE1");
    T64_EQ(t.last_op.value, 0xabc, "tlbi operand");
    T64_STEP(&t, A64_OK, "ic iallu");
    ck_assert_str_eq(t.last_op.name, "IC IALLU");
    memset(t.mem + (T64_DATA - T64_MEM_BASE), 0xee, 256);
    t.cpu.x[1] = T64_DATA + 0x47;
    T64_STEP(&t, A64_OK, "dc zva");
    T64_EQ(t64_rd64(&t, T64_DATA + 0x40), 0, "dc zva zeroes the 64-byte block");
    T64_EQ(t64_rd64(&t, T64_DATA + 0x78), 0, "dc zva: end of the block");
    T64_EQ(t64_rd64(&t, T64_DATA + 0x38), 0xeeeeeeeeeeeeeeeeull, "dc zva: before the block");
    T64_EQ(t64_rd64(&t, T64_DATA + 0x80), 0xeeeeeeeeeeeeeeeeull, "dc zva: after the block");
    T64_STEP(&t, A64_OK, "dc cisw");
    T64_STEP(&t, A64_UNSUPPORTED, "at s1e1r without an ops->at hook");
    ck_assert_msg(strstr(t.cpu.unsupported, "AT S1E1R") != NULL, "AT names itself: %s", t.cpu.unsupported);
    t64_free(&t);

    one(&t, 0xd50b7421); /* dc zva at EL0 */
    t.cpu.pstate.el = 0;
    T64_EXPECT_EXC(&t, ESR_EC_SYSREG, "dc zva at EL0 with SCTLR_EL1.DZE = 0");
    T64_EQ(t.cpu.exc.iss, esr_iss_sysreg(1, 3, 7, 4, 1, 1, false), "dc zva trap ISS");
    t64_free(&t);

    one(&t, 0xd508831f); /* tlbi vmalle1is at EL0 */
    t.cpu.pstate.el = 0;
    T64_EXPECT_EXC(&t, ESR_EC_UNKNOWN, "tlbi at EL0 is UNDEFINED");
    t64_free(&t);
}
END_TEST

START_TEST(fp_access_trap)
{
    static const struct { uint32_t insn; const char *text; } fp[] = {
        { 0x9e670020, "fmov d0, x1" },
        { 0x4ea28420, "add v0.4s, v1.4s, v2.4s" },
        { 0x1e602820, "fadd d0, d1, d0 (not executed, still trapped)" },
        { 0x3dc00020, "ldr q0, [x1]" },
        { 0xd53b4400, "mrs x0, fpcr" },
    };
    for (size_t i = 0; i < sizeof fp / sizeof fp[0]; i++) {
        t64 t;
        one(&t, fp[i].insn);
        t.cpu.sys.cpacr_el1 = 0; /* FPEN = 00: trap EL0 and EL1 */
        T64_EXPECT_EXC(&t, ESR_EC_FP_ACCESS, fp[i].text);
        T64_EQ(t.cpu.exc.iss, ESR_ISS_FP_CV | (A64_COND_AL << ESR_ISS_FP_COND_SHIFT), fp[i].text);
        t.cpu.sys.cpacr_el1 = A64_CPACR_FPEN_TRAP_EL0 << A64_CPACR_FPEN_SHIFT;
        a64_status st = a64_step(&t.cpu);
        ck_assert_msg(st != A64_EXCEPTION || t.cpu.exc.ec != ESR_EC_FP_ACCESS, "%s: FPEN = 01 lets EL1 through",
                      fp[i].text);
        t.cpu.pc = T64_CODE;
        t.cpu.pstate.el = 0;
        T64_EXPECT_EXC(&t, ESR_EC_FP_ACCESS, fp[i].text);
        t64_free(&t);
    }
}
END_TEST

START_TEST(illegal_state)
{
    t64 t;
    one(&t, 0xd503201f);
    t.cpu.pstate.il = 1;
    T64_EXPECT_EXC(&t, ESR_EC_ILLEGAL_STATE, "PSTATE.IL set");
    t64_free(&t);
}
END_TEST

START_TEST(spsr_image)
{
    a64_pstate ps = { .nzcv = 0x9, .daif = 0x5, .el = 1, .sp = 1, .il = 0, .ss = 1 };
    uint64_t spsr = a64_pstate_to_spsr(&ps);
    T64_EQ(spsr, (0x9ull << 28) | (1ull << 21) | (0x5ull << 6) | (1ull << 2) | 1, "SPSR image of EL1h");
    a64_pstate back = { 0 };
    a64_pstate_from_spsr(&back, spsr);
    ck_assert_msg(memcmp(&back, &ps, sizeof ps) == 0, "SPSR round trip");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cpu_arm64_system");
    TCase *tc = tcase_create("system");
    tcase_add_test(tc, exception_generation);
    tcase_add_test(tc, wait_for_interrupt_and_event);
    tcase_add_test(tc, hints_and_barriers);
    tcase_add_test(tc, pstate_immediates);
    tcase_add_test(tc, sysreg_reads_and_writes);
    tcase_add_test(tc, sysreg_el_rules);
    tcase_add_test(tc, sysreg_sp_el0_and_write_only);
    tcase_add_test(tc, sysreg_writes_and_page_hints);
    tcase_add_test(tc, platform_sysreg_hook);
    tcase_add_test(tc, eret);
    tcase_add_test(tc, maintenance);
    tcase_add_test(tc, address_translation);
    tcase_add_test(tc, fp_access_trap);
    tcase_add_test(tc, illegal_state);
    tcase_add_test(tc, spsr_image);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
