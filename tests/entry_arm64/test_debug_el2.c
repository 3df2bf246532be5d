/*
 * Self-hosted debug with EL2 (Arm ARM D2.3.1, D17.3.17): MDCR_EL2.TDE and
 * HCR_EL2.TGE make EL2 the debug target, so breakpoints, watchpoints and
 * software step from EL0 and EL1 are taken to EL2 with the lower-EL classes
 * whatever MDSCR_EL1.KDE and PSTATE.D say; at EL2 itself they need KDE, D
 * clear and a comparator with HMC set. MDCR_EL2.TDA and TDOSA (implied by
 * TDE and TGE) trap EL1's accesses to the debug and OS Lock registers to EL2
 * with EC 0x18. Without EL2 (ID_AA64PFR0_EL1.EL2 = 0) none of it applies.
 */
#include "a64_debug_fixture.h"

#define VBAR2 0x40002000ull
#define SLOT_CURRENT_SPX_SYNC 0x200u
#define SLOT_LOWER_A64_SYNC 0x400u

#define MDCR_TDE (1ull << 8)
#define MDCR_TDA (1ull << 9)
#define MDCR_TDOSA (1ull << 10)
#define HCR_TGE (1ull << 27)
#define HCR_RW A64_HCR_EL2_RW
#define BCR_HMC (1ull << 13)
#define PFR0_EL2_FIELD (0xfull << 8)
#define SPSR_EL1H 0x5ull

#define MRS_X1_OSLSR 0xd5301181u        /* MRS X1, OSLSR_EL1 */
#define MRS_X1_OSDLR 0xd5301381u        /* MRS X1, OSDLR_EL1 */
#define MRS_X1_DBGPRCR 0xd5301481u      /* MRS X1, DBGPRCR_EL1 */
/* ISS of the trapped accesses (D17.2.37, EC 0x18): Op0, Op2, Op1, CRn, Rt, CRm, direction. */
#define ISS_MRS_X1_MDSCR 0x240025u
#define ISS_MRS_X1_OSLSR 0x280423u
#define ISS_MSR_OSLAR_X0 0x280400u
#define ESR_OF(ec, iss) (((uint32_t)(ec) << 26) | (1u << 25) | (iss))

/* A CPU at `el` with EL2 implemented, VBAR_EL2 set and the given routing controls. */
static void cpu_with_el2(a64_cpu *cpu, unsigned el, uint64_t mdcr, uint64_t hcr)
{
    cpu_at(cpu, el);
    cpu->sys.vbar_el2 = VBAR2;
    cpu->sys.mdcr_el2 = mdcr;
    cpu->sys.hcr_el2 = hcr;
}

START_TEST(tde_takes_el1_breakpoint_to_el2_as_lower_el)
{
    a64_cpu cpu;
    /* Target EL1: an EL1 breakpoint needs KDE and D clear, so none is taken here. */
    cpu_with_el2(&cpu, 1, 0, HCR_RW);
    cpu.pstate.daif = A64_DAIF_D;
    cpu.sys.dbgbcr_el1[0] = BCR_EL1_A64;
    cpu.sys.dbgbvr_el1[0] = CODE;
    arm(&cpu, A64_MDSCR_MDE);
    step(&cpu, A64_OK, "EL1 breakpoint, target EL1, KDE clear and D set");

    cpu_with_el2(&cpu, 1, MDCR_TDE, HCR_RW);
    cpu.pstate.daif = A64_DAIF_D;
    cpu.sys.dbgbcr_el1[0] = BCR_EL1_A64;
    cpu.sys.dbgbvr_el1[0] = CODE;
    arm(&cpu, A64_MDSCR_MDE);
    step(&cpu, A64_EXCEPTION, "EL1 breakpoint, target EL2");
    EQ(cpu.exc.ec, ESR_EC_BREAKPT_LOWER, "EL1 breakpoint taken to EL2: lower-EL class");
    ck_assert_msg(cpu.exc.to_el2, "EL1 breakpoint under TDE: routed to EL2");
    deliver(&cpu);
    EQ(cpu.pstate.el, 2, "breakpoint under TDE: EL after entry");
    EQ(cpu.sys.esr_el2, ESR_OF(0x30, ISS_DEBUG), "breakpoint under TDE: ESR_EL2");
    EQ(cpu.sys.elr_el2, CODE, "breakpoint under TDE: ELR_EL2 is the instruction");
    EQ(cpu.pc, VBAR2 + SLOT_LOWER_A64_SYNC, "breakpoint under TDE: VBAR_EL2 lower-EL slot");
    EQ(cpu.sys.esr_el1, 0, "breakpoint under TDE: ESR_EL1 untouched");
}
END_TEST

START_TEST(tge_takes_el0_watchpoint_to_el2)
{
    a64_cpu cpu;
    cpu_with_el2(&cpu, 0, 0, HCR_RW | HCR_TGE);
    cpu.sys.dbgwcr_el1[0] = WCR(WCR_STORE, 0xffu);
    cpu.sys.dbgwvr_el1[0] = DATA;
    arm(&cpu, A64_MDSCR_MDE);
    put(CODE, STR_X1_X0);
    step(&cpu, A64_EXCEPTION, "EL0 store watchpoint under TGE");
    EQ(cpu.exc.ec, ESR_EC_WATCHPT_LOWER, "EL0 watchpoint class");
    deliver(&cpu);
    EQ(cpu.pstate.el, 2, "watchpoint under TGE: EL after entry");
    EQ(cpu.sys.esr_el2, ESR_OF(0x34, ISS_DEBUG | ISS_WNR), "watchpoint under TGE: ESR_EL2");
    EQ(cpu.sys.far_el2, DATA, "watchpoint under TGE: FAR_EL2");
    EQ(cpu.sys.far_el1, 0, "watchpoint under TGE: FAR_EL1 untouched");
}
END_TEST

START_TEST(breakpoint_at_el2_needs_hmc_kde_and_d_clear)
{
    a64_cpu cpu;
    cpu_with_el2(&cpu, 2, MDCR_TDE, HCR_RW);
    cpu.sys.dbgbcr_el1[1] = BCR_EL1_A64;
    cpu.sys.dbgbvr_el1[1] = CODE;
    arm(&cpu, A64_MDSCR_MDE | A64_MDSCR_KDE);
    step(&cpu, A64_OK, "EL2 at a breakpoint without HMC");
    cpu.pc = CODE;
    cpu.sys.dbgbcr_el1[1] = BCR_EL1_A64 | BCR_HMC;
    cpu.pstate.daif = A64_DAIF_D;
    step(&cpu, A64_OK, "EL2 breakpoint with PSTATE.D set");
    cpu.pc = CODE;
    cpu.pstate.daif = 0;
    arm(&cpu, A64_MDSCR_MDE);
    step(&cpu, A64_OK, "EL2 breakpoint with KDE clear");
    cpu.pc = CODE;
    arm(&cpu, A64_MDSCR_MDE | A64_MDSCR_KDE);
    step(&cpu, A64_EXCEPTION, "EL2 breakpoint with HMC, KDE and D clear");
    EQ(cpu.exc.ec, ESR_EC_BREAKPT_CUR, "EL2 breakpoint class");
    deliver(&cpu);
    EQ(cpu.sys.esr_el2, ESR_OF(0x31, ISS_DEBUG), "EL2 breakpoint ESR_EL2");
    EQ(cpu.pc, VBAR2 + SLOT_CURRENT_SPX_SYNC, "EL2 breakpoint: current-EL SP_ELx slot");

    /* With the target EL1, EL2 is above it: never. */
    cpu_with_el2(&cpu, 2, 0, HCR_RW);
    cpu.sys.dbgbcr_el1[1] = BCR_EL1_A64 | BCR_HMC;
    cpu.sys.dbgbvr_el1[1] = CODE;
    arm(&cpu, A64_MDSCR_MDE | A64_MDSCR_KDE);
    step(&cpu, A64_OK, "EL2 breakpoint, target EL1");
}
END_TEST

START_TEST(software_step_of_el1_reported_to_el2)
{
    a64_cpu cpu;
    cpu_with_el2(&cpu, 2, MDCR_TDE, HCR_RW);
    cpu.pstate.daif = A64_DAIF_D;       /* as in an EL2 handler */
    arm(&cpu, A64_MDSCR_SS);
    cpu.sys.spsr_el2 = SPSR_EL1H | SPSR_EL0T_SS;
    cpu.sys.elr_el2 = CODE + 0x20;
    put(CODE + 0x20, NOP);
    eret(&cpu);
    EQ(cpu.pstate.el, 1, "ERET from EL2 to EL1");
    EQ(cpu.pstate.ss, 1, "stepping enabled at EL1 (below the target): SS from SPSR_EL2");
    step(&cpu, A64_OK, "stepped EL1 instruction");
    step(&cpu, A64_EXCEPTION, "EL1 step exception");
    EQ(cpu.exc.ec, ESR_EC_SOFTSTP_LOWER, "EL1 step taken to EL2: lower-EL class");
    deliver(&cpu);
    EQ(cpu.pstate.el, 2, "step under TDE: EL after entry");
    EQ(cpu.sys.esr_el2, ESR_OF(0x32, ISS_DEBUG | ISS_SS_ISV), "step under TDE: ESR_EL2");
    EQ(cpu.sys.elr_el2, CODE + 0x24, "step under TDE: ELR_EL2 is the next instruction");
}
END_TEST

START_TEST(no_el2_no_routing)
{
    a64_cpu cpu;
    cpu_with_el2(&cpu, 1, MDCR_TDE | MDCR_TDA, 0);
    cpu.sys.id_aa64pfr0_el1 &= ~PFR0_EL2_FIELD;
    cpu.sys.dbgbcr_el1[0] = BCR_EL1_A64;
    cpu.sys.dbgbvr_el1[0] = CODE;
    arm(&cpu, A64_MDSCR_MDE);
    EQ(a64_debug_target_el(&cpu), 1, "debug target without EL2");
    step(&cpu, A64_OK, "EL1 breakpoint, no EL2, KDE clear");
    cpu.pc = CODE;
    arm(&cpu, A64_MDSCR_MDE | A64_MDSCR_KDE);
    step(&cpu, A64_EXCEPTION, "EL1 breakpoint, no EL2, KDE set");
    EQ(cpu.exc.ec, ESR_EC_BREAKPT_CUR, "EL1 breakpoint without EL2: current-EL class");
    ck_assert_msg(!cpu.exc.to_el2, "no EL2: the breakpoint stays at EL1");
    cpu.pc = CODE + 4;
    put(CODE + 4, MRS_X1_MDSCR);
    step(&cpu, A64_OK, "MRS MDSCR_EL1 with TDA but no EL2");
}
END_TEST

/* Which EL1 accesses MDCR_EL2 and HCR_EL2.TGE trap to EL2, and with what ISS. */
START_TEST(mdcr_el2_traps_debug_register_access)
{
    static const struct {
        const char *name;
        unsigned el;
        uint64_t mdcr, hcr;
        uint32_t insn;
        uint32_t trapped_iss;   /* 0: not trapped */
    } cases[] = {
        { "TDA, MRS MDSCR_EL1", 1, MDCR_TDA, HCR_RW, MRS_X1_MDSCR, ISS_MRS_X1_MDSCR },
        { "TDA, MRS OSLSR_EL1", 1, MDCR_TDA, HCR_RW, MRS_X1_OSLSR, 0 },
        { "TDOSA, MRS OSLSR_EL1", 1, MDCR_TDOSA, HCR_RW, MRS_X1_OSLSR, ISS_MRS_X1_OSLSR },
        { "TDOSA, MSR OSLAR_EL1", 1, MDCR_TDOSA, HCR_RW, MSR_OSLAR_X0, ISS_MSR_OSLAR_X0 },
        { "TDOSA, MRS MDSCR_EL1", 1, MDCR_TDOSA, HCR_RW, MRS_X1_MDSCR, 0 },
        { "TDE, MRS MDSCR_EL1", 1, MDCR_TDE, HCR_RW, MRS_X1_MDSCR, ISS_MRS_X1_MDSCR },
        { "TDE, MRS OSLSR_EL1", 1, MDCR_TDE, HCR_RW, MRS_X1_OSLSR, ISS_MRS_X1_OSLSR },
        { "TGE, MRS MDSCR_EL1", 1, 0, HCR_RW | HCR_TGE, MRS_X1_MDSCR, ISS_MRS_X1_MDSCR },
        { "TDE, MRS OSDLR_EL1", 1, MDCR_TDE, HCR_RW, MRS_X1_OSDLR, ISS_MRS_X1_OSLSR | (2u << 1) },
        { "TDOSA, MRS DBGPRCR_EL1", 1, MDCR_TDOSA, HCR_RW, MRS_X1_DBGPRCR, 0x280429u }, /* CRm 4 */
        { "TDE, MRS MDSCR_EL1 at EL2", 2, MDCR_TDE | MDCR_TDA, HCR_RW, MRS_X1_MDSCR, 0 },
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        a64_cpu cpu;
        cpu_with_el2(&cpu, cases[i].el, cases[i].mdcr, cases[i].hcr);
        put(CODE, cases[i].insn);
        a64_status st = a64_step(&cpu);
        if (!cases[i].trapped_iss) {
            ck_assert_msg(st == A64_OK, "%s: status %s, want the access to complete", cases[i].name,
                          a64_status_name(st));
            continue;
        }
        ck_assert_msg(st == A64_EXCEPTION && cpu.exc.ec == ESR_EC_SYSREG && cpu.exc.to_el2,
                      "%s: status %s ec 0x%x to_el2 %d, want EC 0x18 to EL2", cases[i].name, a64_status_name(st),
                      (unsigned)cpu.exc.ec, cpu.exc.to_el2);
        ck_assert_msg(cpu.exc.iss == cases[i].trapped_iss, "%s: ISS 0x%x, want 0x%x", cases[i].name, cpu.exc.iss,
                      cases[i].trapped_iss);
        deliver(&cpu);
        ck_assert_msg(cpu.pstate.el == 2 && cpu.sys.elr_el2 == CODE, "%s: taken to EL%u, ELR_EL2 0x%llx",
                      cases[i].name, cpu.pstate.el, (unsigned long long)cpu.sys.elr_el2);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("arm64_debug_el2");
    TCase *tc = tcase_create("debug_el2");
    tcase_add_test(tc, tde_takes_el1_breakpoint_to_el2_as_lower_el);
    tcase_add_test(tc, tge_takes_el0_watchpoint_to_el2);
    tcase_add_test(tc, breakpoint_at_el2_needs_hmc_kde_and_d_clear);
    tcase_add_test(tc, software_step_of_el1_reported_to_el2);
    tcase_add_test(tc, no_el2_no_routing);
    tcase_add_test(tc, mdcr_el2_traps_debug_register_access);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
