/*
 * AArch64 self-hosted debug (Arm ARM chapter D2) through the interpreter and
 * the exception entry/return code: breakpoints (D2.8), watchpoints (D2.9),
 * software step (D2.12), when debug exceptions are enabled (D2.3), the
 * debug registers' accessibility and the syndromes written to ESR_EL1.
 */
#include "a64_debug_fixture.h"


START_TEST(registers_and_el0_access)
{
    a64_cpu cpu;
    cpu_at(&cpu, 1);
    put(CODE, MRS_X1_ID_AA64DFR0);
    step(&cpu, A64_OK, "MRS ID_AA64DFR0_EL1");
    EQ((cpu.x[1] >> 12) & 0xf, A64_DBG_NUM_BRPS - 1, "ID_AA64DFR0_EL1.BRPs");
    EQ((cpu.x[1] >> 20) & 0xf, A64_DBG_NUM_WRPS - 1, "ID_AA64DFR0_EL1.WRPs");
    EQ(cpu.x[1] & 0xf, 6, "ID_AA64DFR0_EL1.DebugVer (Armv8.0)");

    cpu.x[0] = BCR_EL1_A64;
    put(CODE + 4, MSR_DBGBCR0_X0);
    put(CODE + 8, MRS_X1_DBGBCR0);
    step(&cpu, A64_OK, "MSR DBGBCR0_EL1");
    EQ(cpu.sys.dbgbcr_el1[0], BCR_EL1_A64, "DBGBCR0_EL1 written");
    ck_assert_msg(!cpu.debug_attention, "enabled breakpoint with MDSCR_EL1.MDE clear: no attention");
    step(&cpu, A64_OK, "MRS DBGBCR0_EL1");
    EQ(cpu.x[1], BCR_EL1_A64, "DBGBCR0_EL1 read back");

    cpu.x[0] = A64_MDSCR_MDE | A64_MDSCR_KDE;
    put(CODE + 12, MSR_MDSCR_X0);
    step(&cpu, A64_OK, "MSR MDSCR_EL1");
    ck_assert_msg(cpu.debug_attention, "MDE with an enabled breakpoint sets the attention flag");
    cpu.x[0] = A64_OSLAR_OSLK;
    put(CODE + 16, MSR_OSLAR_X0);
    step(&cpu, A64_OK, "MSR OSLAR_EL1, #1");
    ck_assert_msg((cpu.sys.oslsr_el1 & A64_OSLSR_OSLK) && !cpu.debug_attention,
                  "OS Lock set: OSLSR_EL1.OSLK = 1 and no attention");
    put(CODE + 20, MRS_X1_DBGWVR3);
    step(&cpu, A64_OK, "MRS DBGWVR3_EL1");
    put(CODE + 24, MRS_X1_DBGBCR6);
    step(&cpu, A64_EXCEPTION, "MRS DBGBCR6_EL1 (not implemented)");
    EQ(cpu.exc.ec, ESR_EC_UNKNOWN, "DBGBCR6_EL1 is UNDEFINED");

    static const uint32_t el1_only[] = { MRS_X1_MDSCR, MRS_X1_DBGBCR0, MSR_DBGBCR0_X0, MSR_OSLAR_X0 };
    for (unsigned i = 0; i < sizeof el1_only / sizeof el1_only[0]; i++) {
        cpu_at(&cpu, 0);
        put(CODE, el1_only[i]);
        step(&cpu, A64_EXCEPTION, "debug register at EL0");
        ck_assert_msg(cpu.exc.ec == ESR_EC_UNKNOWN, "case %u (0x%08x): EL0 access is UNDEFINED, ec 0x%x", i,
                      el1_only[i], (unsigned)cpu.exc.ec);
    }
}
END_TEST

START_TEST(breakpoint_at_el0)
{
    a64_cpu cpu;
    cpu_at(&cpu, 0);
    cpu.sys.dbgbcr_el1[2] = BCR_EL0_A64;
    cpu.sys.dbgbvr_el1[2] = CODE + 8;
    arm(&cpu, A64_MDSCR_MDE);
    step(&cpu, A64_OK, "EL0 NOP before the breakpoint");
    step(&cpu, A64_OK, "EL0 NOP before the breakpoint");
    step(&cpu, A64_EXCEPTION, "EL0 breakpoint");
    EQ(cpu.exc.ec, ESR_EC_BREAKPT_LOWER, "EL0 breakpoint class");
    EQ(cpu.exc.preferred_return, CODE + 8, "breakpoint: ELR is the instruction");
    deliver(&cpu);
    EQ(cpu.sys.esr_el1, ESR_EL1_OF(0x30, ISS_DEBUG), "EL0 breakpoint ESR_EL1");
    EQ(cpu.sys.elr_el1, CODE + 8, "EL0 breakpoint ELR_EL1");
    EQ(cpu.pc, VBAR1 + 0x400, "EL0 breakpoint vector");
    /* In the handler (EL1, D masked) the same address does not match: PMC is EL0 only. */
    cpu.pc = CODE + 8;
    step(&cpu, A64_OK, "EL1 at an EL0-only breakpoint");
}
END_TEST

START_TEST(breakpoint_at_el1_needs_kde_and_d_clear)
{
    a64_cpu cpu;
    cpu_at(&cpu, 1);
    cpu.sys.dbgbcr_el1[5] = BCR_EL1_A64;
    cpu.sys.dbgbvr_el1[5] = CODE;
    arm(&cpu, A64_MDSCR_MDE);
    step(&cpu, A64_OK, "EL1 breakpoint with KDE clear");
    cpu.pc = CODE;
    arm(&cpu, A64_MDSCR_MDE | A64_MDSCR_KDE);
    cpu.pstate.daif = A64_DAIF_D;
    step(&cpu, A64_OK, "EL1 breakpoint with PSTATE.D set");
    cpu.pc = CODE;
    cpu.pstate.daif = 0;
    step(&cpu, A64_EXCEPTION, "EL1 breakpoint with KDE and D clear");
    EQ(cpu.exc.ec, ESR_EC_BREAKPT_CUR, "EL1 breakpoint class");
    deliver(&cpu);
    EQ(cpu.sys.esr_el1, ESR_EL1_OF(0x31, ISS_DEBUG), "EL1 breakpoint ESR_EL1");
    EQ(cpu.pc, VBAR1 + 0x200, "EL1h breakpoint vector");
    EQ(cpu.sys.spsr_el1 & SPSR_D, 0, "SPSR_EL1.D: the breakpoint was taken with D clear");
}
END_TEST

START_TEST(breakpoint_not_taken_without_mde_or_with_os_lock)
{
    a64_cpu cpu;
    cpu_at(&cpu, 0);
    cpu.sys.dbgbcr_el1[0] = BCR_EL0_A64;
    cpu.sys.dbgbvr_el1[0] = CODE;
    arm(&cpu, 0);
    ck_assert_msg(!cpu.debug_attention, "MDE clear: no attention");
    step(&cpu, A64_OK, "MDE clear");
    cpu.pc = CODE;
    cpu.sys.oslsr_el1 |= A64_OSLSR_OSLK;
    arm(&cpu, A64_MDSCR_MDE);
    ck_assert_msg(!cpu.debug_attention, "OS Lock set: no attention");
    step(&cpu, A64_OK, "OS Lock set");
    /* Attention alone does not decide: the check in the slow path sees the lock too. */
    cpu.pc = CODE;
    cpu.debug_attention = true;
    step(&cpu, A64_OK, "OS Lock set, slow path");
    /* The OS Double Lock (OSDLR_EL1.DLK) disables them too. */
    cpu.pc = CODE;
    cpu.sys.oslsr_el1 &= ~A64_OSLSR_OSLK;
    cpu.sys.osdlr_el1 = A64_OSDLR_DLK;
    arm(&cpu, A64_MDSCR_MDE);
    step(&cpu, A64_OK, "OS Double Lock set");
    /* DBGPRCR_EL1.CORENPDRQ overrides it. */
    cpu.pc = CODE;
    cpu.sys.dbgprcr_el1 = A64_DBGPRCR_CORENPDRQ;
    step(&cpu, A64_EXCEPTION, "OS Double Lock set, DBGPRCR_EL1.CORENPDRQ set");
    cpu.sys.dbgprcr_el1 = 0;
    cpu.sys.osdlr_el1 = 0;
    cpu.pc = CODE;
    step(&cpu, A64_EXCEPTION, "OS Double Lock cleared");
    cpu.pc = CODE;
    cpu.sys.oslsr_el1 &= ~A64_OSLSR_OSLK;
    cpu.sys.dbgbcr_el1[0] &= ~(0xfu << 5);
    arm(&cpu, A64_MDSCR_MDE);
    step(&cpu, A64_OK, "BAS = 0 never matches");
    cpu.pc = CODE;
    /* A linked address match whose LBN (0) is not a context breakpoint never matches. */
    cpu.sys.dbgbcr_el1[0] = BCR_EL0_A64 | (1u << 20);
    step(&cpu, A64_OK, "linked address match linked to a non-context breakpoint");
}
END_TEST

START_TEST(watchpoint_on_load_and_store)
{
    a64_cpu cpu;
    cpu_at(&cpu, 0);
    cpu.sys.dbgwcr_el1[1] = WCR(WCR_LOAD, 0xffu);
    cpu.sys.dbgwvr_el1[1] = DATA;
    arm(&cpu, A64_MDSCR_MDE);
    put(CODE, STR_X1_X0);
    put(CODE + 4, LDR_X1_X0);
    cpu.x[1] = 0x1122334455667788ull;
    step(&cpu, A64_OK, "store under a load-only watchpoint");
    step(&cpu, A64_EXCEPTION, "load watchpoint");
    EQ(cpu.exc.ec, ESR_EC_WATCHPT_LOWER, "load watchpoint class");
    deliver(&cpu);
    EQ(cpu.sys.esr_el1, ESR_EL1_OF(0x34, ISS_DEBUG), "load watchpoint ESR_EL1 (WnR = 0)");
    EQ(cpu.sys.far_el1, DATA, "load watchpoint FAR_EL1");
    EQ(cpu.sys.elr_el1, CODE + 4, "load watchpoint ELR_EL1: the load itself");

    cpu_at(&cpu, 0);
    cpu.sys.dbgwcr_el1[3] = WCR(WCR_STORE, 0xffu);
    cpu.sys.dbgwvr_el1[3] = DATA;
    arm(&cpu, A64_MDSCR_MDE);
    put(CODE, LDR_X1_X0);
    put(CODE + 4, STR_X1_X0);
    ram[DATA - RAM_BASE] = 0x5a;
    step(&cpu, A64_OK, "load under a store-only watchpoint");
    cpu.x[1] = 0;
    step(&cpu, A64_EXCEPTION, "store watchpoint");
    EQ(ram[DATA - RAM_BASE], 0x5a, "the watched store did not complete");
    deliver(&cpu);
    EQ(cpu.sys.esr_el1, ESR_EL1_OF(0x34, ISS_DEBUG | ISS_WNR), "store watchpoint ESR_EL1 (WnR = 1)");
    EQ(cpu.sys.far_el1, DATA, "store watchpoint FAR_EL1");

    /* At EL1 with KDE: the current-EL class. */
    cpu_at(&cpu, 1);
    cpu.sys.dbgwcr_el1[0] = WCR(WCR_LOAD | WCR_STORE, 0xffu);
    cpu.sys.dbgwvr_el1[0] = DATA;
    arm(&cpu, A64_MDSCR_MDE | A64_MDSCR_KDE);
    put(CODE, STR_X1_X0);
    step(&cpu, A64_EXCEPTION, "EL1 store watchpoint");
    deliver(&cpu);
    EQ(cpu.sys.esr_el1, ESR_EL1_OF(0x35, ISS_DEBUG | ISS_WNR), "EL1 store watchpoint ESR_EL1");
}
END_TEST

START_TEST(watchpoint_byte_select_and_mask)
{
    static const struct {
        uint64_t wvr, wcr;
        uint32_t insn;
        bool hit;
        uint64_t far;
    } cases[] = {
        { DATA, WCR(WCR_LOAD, 0x20u), LDR_X1_X0, true, DATA + 5 },      /* byte 5 within a doubleword load */
        { DATA, WCR(WCR_LOAD, 0x20u), LDR_W1_X0, false, 0 },            /* a word load misses byte 5 */
        { DATA, WCR(WCR_STORE, 0x20u), STRB_W1_X0_5, true, DATA + 5 },  /* the byte store itself */
        { DATA, WCR(WCR_STORE, 0x10u), STRB_W1_X0_5, false, 0 },        /* byte 4 only */
        { DATA + 4, WCR(WCR_STORE, 0x02u), STRB_W1_X0_5, true, DATA + 5 }, /* word-aligned WVR: BAS[1] is byte 5 */
        { DATA + 4, WCR(WCR_LOAD, 0x01u), LDR_W1_X0, false, 0 },        /* bytes 0..3 do not reach byte 4 */
        { DATA, WCR(WCR_STORE, 0xffu) | WCR_MASK(4), STRB_W1_X0_5, true, DATA + 5 }, /* 16-byte range */
        { DATA + 16, WCR(WCR_LOAD, 0xffu) | WCR_MASK(3), LDR_X1_X0, false, 0 },
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        a64_cpu cpu;
        cpu_at(&cpu, 0);
        cpu.sys.dbgwcr_el1[2] = cases[i].wcr;
        cpu.sys.dbgwvr_el1[2] = cases[i].wvr;
        arm(&cpu, A64_MDSCR_MDE);
        put(CODE, cases[i].insn);
        a64_status st = a64_step(&cpu);
        ck_assert_msg(st == (cases[i].hit ? A64_EXCEPTION : A64_OK), "case %u: status %s", i, a64_status_name(st));
        if (cases[i].hit) {
            ck_assert_msg(cpu.exc.ec == ESR_EC_WATCHPT_LOWER && cpu.exc.far == cases[i].far,
                          "case %u: ec 0x%x far 0x%llx, want far 0x%llx", i, (unsigned)cpu.exc.ec,
                          (unsigned long long)cpu.exc.far, (unsigned long long)cases[i].far);
        }
    }
}
END_TEST

START_TEST(watchpoint_at_el1_and_unprivileged_access)
{
    a64_cpu cpu;
    cpu_at(&cpu, 1);
    cpu.sys.dbgwcr_el1[0] = 1u | (2u << 1) | (WCR_STORE << 3) | (0xffu << 5);  /* PAC = EL0 only */
    cpu.sys.dbgwvr_el1[0] = DATA;
    arm(&cpu, A64_MDSCR_MDE | A64_MDSCR_KDE);
    put(CODE, STR_X1_X0);
    put(CODE + 4, STTR_X1_X0);
    put(CODE + 8, STTR_X1_X0);
    step(&cpu, A64_OK, "EL1 STR under an EL0-only watchpoint");
    cpu.pstate.daif = A64_DAIF_D;
    step(&cpu, A64_OK, "EL1 STTR with PSTATE.D set");
    cpu.pstate.daif = 0;
    step(&cpu, A64_EXCEPTION, "EL1 STTR is checked as an EL0 access");
    EQ(cpu.exc.ec, ESR_EC_WATCHPT_CUR, "STTR watchpoint class");
    EQ(cpu.exc.preferred_return, CODE + 8, "STTR watchpoint ELR");
}
END_TEST

START_TEST(instruction_abort_before_breakpoint)
{
    a64_cpu cpu;
    cpu_at(&cpu, 1);
    const uint64_t unmapped = RAM_BASE + sizeof ram;
    cpu.sys.dbgbcr_el1[1] = BCR_EL1_A64;
    cpu.sys.dbgbvr_el1[1] = unmapped;
    arm(&cpu, A64_MDSCR_MDE | A64_MDSCR_KDE);
    cpu.pc = unmapped;
    step(&cpu, A64_EXCEPTION, "breakpoint on an unmapped PC");
    EQ(cpu.exc.ec, ESR_EC_IABT_CUR, "the instruction abort has priority over the breakpoint");
}
END_TEST

/* EL1 (D masked, as after exception entry) returns to EL0 with SPSR.SS = 1. */
static void eret_into_stepped_el0(a64_cpu *cpu, uint64_t el0_pc)
{
    cpu_at(cpu, 1);
    cpu->pstate.daif = A64_DAIF_D | A64_DAIF_A | A64_DAIF_I | A64_DAIF_F;
    arm(cpu, A64_MDSCR_SS | A64_MDSCR_KDE);
    cpu->sys.spsr_el1 = SPSR_EL0T_SS;
    cpu->sys.elr_el1 = el0_pc;
    put(CODE + 4, ERET);
    step(cpu, A64_OK, "EL1 NOP with step enabled but D masked");
    step(cpu, A64_ERET, "ERET");
    eret(cpu);
    EQ(cpu->pstate.el, 0, "ERET to EL0");
    EQ(cpu->pstate.ss, 1, "ERET: PSTATE.SS from SPSR (step inactive at EL1, active at EL0)");
}

START_TEST(software_step_from_el1_into_el0)
{
    a64_cpu cpu;
    eret_into_stepped_el0(&cpu, CODE + 0x20);
    step(&cpu, A64_OK, "the stepped EL0 instruction");
    EQ(cpu.pstate.ss, 0, "after the step: active-pending");
    EQ(cpu.pc, CODE + 0x24, "the stepped instruction completed");
    step(&cpu, A64_EXCEPTION, "active-pending: the step exception");
    EQ(cpu.exc.ec, ESR_EC_SOFTSTP_LOWER, "software step class");
    deliver(&cpu);
    EQ(cpu.sys.esr_el1, ESR_EL1_OF(0x32, ISS_SS_ISV | ISS_DEBUG), "software step ESR_EL1 (ISV = 1, EX = 0)");
    EQ(cpu.sys.elr_el1, CODE + 0x24, "software step ELR_EL1: the next instruction");
    EQ(cpu.sys.spsr_el1 & SPSR_EL0T_SS, 0, "software step SPSR_EL1.SS = 0");

    /* Without SS in SPSR the return is active-pending: the exception comes first, ISV = 0. */
    cpu_at(&cpu, 1);
    cpu.pstate.daif = A64_DAIF_D;
    arm(&cpu, A64_MDSCR_SS);
    cpu.sys.spsr_el1 = 0;
    cpu.sys.elr_el1 = CODE + 0x20;
    eret(&cpu);
    step(&cpu, A64_EXCEPTION, "return with SPSR.SS = 0");
    EQ(cpu.exc.iss, ISS_DEBUG, "no instruction stepped: ISV = 0");
    EQ(cpu.exc.preferred_return, CODE + 0x20, "no instruction stepped: ELR is the return address");
}
END_TEST

START_TEST(software_step_of_a_load_exclusive_sets_ex)
{
    a64_cpu cpu;
    eret_into_stepped_el0(&cpu, CODE + 0x20);
    put(CODE + 0x20, LDXR_X1_X0);
    step(&cpu, A64_OK, "stepped LDXR");
    step(&cpu, A64_EXCEPTION, "step exception after LDXR");
    EQ(cpu.exc.iss, ISS_SS_ISV | ISS_SS_EX | ISS_DEBUG, "ISS after stepping a load-exclusive (ISV, EX)");
}
END_TEST

START_TEST(software_step_of_svc)
{
    a64_cpu cpu;
    eret_into_stepped_el0(&cpu, CODE + 0x20);
    put(CODE + 0x20, SVC_0);
    step(&cpu, A64_EXCEPTION, "stepped SVC");
    EQ(cpu.exc.ec, ESR_EC_SVC64, "the SVC is taken");
    deliver(&cpu);
    EQ(cpu.sys.spsr_el1 & SPSR_EL0T_SS, 0, "SVC completed the step: SPSR_EL1.SS = 0");
    EQ(cpu.sys.elr_el1, CODE + 0x24, "SVC ELR_EL1");
    /* The handler (D masked, so no step at EL1) runs and returns: the step exception follows. */
    put(VBAR1 + 0x400, NOP);
    step(&cpu, A64_OK, "handler instruction, not stepped");
    eret(&cpu);
    EQ(cpu.pstate.ss, 0, "returned active-pending");
    step(&cpu, A64_EXCEPTION, "step exception after the SVC's return");
    deliver(&cpu);
    EQ(cpu.sys.esr_el1, ESR_EL1_OF(0x32, ISS_DEBUG), "step after an exception-generating instruction: ISV = 0");
    EQ(cpu.sys.elr_el1, CODE + 0x24, "ELR_EL1 after the SVC");

    /* A step exception at EL1 needs KDE and D clear: with D clear it is taken to the current EL. */
    cpu_at(&cpu, 1);
    arm(&cpu, A64_MDSCR_SS | A64_MDSCR_KDE);
    cpu.pstate.ss = 1;
    step(&cpu, A64_OK, "stepped EL1 instruction");
    step(&cpu, A64_EXCEPTION, "EL1 step exception");
    EQ(cpu.exc.ec, ESR_EC_SOFTSTP_CUR, "EL1 software step class");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("arm64_debug");
    TCase *tc = tcase_create("debug");
    tcase_add_test(tc, registers_and_el0_access);
    tcase_add_test(tc, breakpoint_at_el0);
    tcase_add_test(tc, breakpoint_at_el1_needs_kde_and_d_clear);
    tcase_add_test(tc, breakpoint_not_taken_without_mde_or_with_os_lock);
    tcase_add_test(tc, watchpoint_on_load_and_store);
    tcase_add_test(tc, watchpoint_byte_select_and_mask);
    tcase_add_test(tc, watchpoint_at_el1_and_unprivileged_access);
    tcase_add_test(tc, instruction_abort_before_breakpoint);
    tcase_add_test(tc, software_step_from_el1_into_el0);
    tcase_add_test(tc, software_step_of_a_load_exclusive_sets_ex);
    tcase_add_test(tc, software_step_of_svc);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
