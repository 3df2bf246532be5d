/*
 * HCR_EL2's controls on a machine entered at EL2 (emu --el 2): EL2 code sets
 * VBAR_EL2, HCR_EL2, SPSR_EL2 and ELR_EL2 and ERETs to EL1 or EL0, whose one
 * instruction then shows where its exception goes. TWE and TSC trap WFE and
 * SMC to EL2 (SMC's preferred return is the SMC itself, and it does not reach
 * PSCI); TGE takes EL0's SVC to EL2; RW = 0 makes EL1 AArch32, so the ERET
 * is illegal; CNTHCTL_EL2 traps EL1's physical counter and timer; CPTR_EL2
 * traps FP and CPACR_EL1 accesses; a control emu does not model (HCR_EL2.VM)
 * stops the MSR that sets it.
 */
#include <check.h>
#include <string.h>

#include "emu/emu.h"
#include "emu_test.h"

#define RAM T_A64_RAM
#define LOWER_CODE (RAM + 0x1000)
#define VBAR_EL2 (RAM + 0x2000)
#define SLOT_CURRENT_SPX_SYNC 0x200
#define SLOT_LOWER_A64_SYNC 0x400
#define STEPS 20

/* Encodings (GNU as, -march=armv8-a). */
static const uint32_t el2_prologue[] = {
    0xd51cc004u, /* msr vbar_el2, x4 */
    0xd51c1101u, /* msr hcr_el2, x1 */
    0xd51c4002u, /* msr spsr_el2, x2 */
    0xd51c4023u, /* msr elr_el2, x3 */
    0xd51ce105u, /* msr cnthctl_el2, x5 */
    0xd51c1146u, /* msr cptr_el2, x6 */
    0xd5181047u, /* msr cpacr_el1, x7 */
    0xd5033fdfu, /* isb */
    0xd69f03e0u, /* eret */
};
#define I_WFE 0xd503205fu
#define I_SMC_7 0xd40000e3u
#define I_SVC_42 0xd4000841u
#define I_NOP 0xd503201fu
#define I_B_SELF 0x14000000u
#define I_MRS_X0_CNTPCT 0xd53be020u
#define I_MRS_X0_CNTVCT 0xd53be040u
#define I_MRS_X0_CNTP_CTL 0xd53be220u
#define I_FMOV_D0_XZR 0x9e6703e0u
#define I_MRS_X0_CPACR 0xd5381040u

#define HCR_RW (1ull << 31)
#define HCR_TWE (1ull << 14)
#define HCR_TSC (1ull << 19)
#define HCR_TGE (1ull << 27)
#define HCR_VM (1ull << 0)
#define CNTHCTL_EL1PCTEN 1u
#define CNTHCTL_EL1PCEN 2u
#define CNTHCTL_RESET (CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN)     /* as QEMU's virt resets it */
#define CPTR_RES1 0x33ffu
#define CPTR_TFP (1u << 10)
#define CPTR_TCPAC (1u << 31)
#define CPACR_FPEN_ALL (3u << 20)
#define SPSR_EL1H_MASKED 0x3c5u
#define SPSR_EL0T 0x0u

#define ESR_EC_SHIFT 26
#define ESR_IL (1u << 25)
#define EC_UNKNOWN 0x00u
#define EC_WFX 0x01u
#define EC_FP_ACCESS 0x07u
#define ISS_FP_CV_COND_AL 0x1e00000u
#define EC_ILLEGAL_STATE 0x0eu
#define EC_SVC64 0x15u
#define EC_SMC64 0x17u
#define EC_SYSREG 0x18u
/* ISS of MRS X0 of CNTPCT_EL0 (3 3 14 0 1) and CNTP_CTL_EL0 (3 3 14 2 1), EC 0x18 (D17.2.37). */
#define ISS_MRS_X0_CNTPCT 0x32f801u
#define ISS_MRS_X0_CNTP_CTL 0x32f805u
#define ISS_MRS_X0_CPACR 0x340401u      /* 3 0 1 0 2, Rt 0, read */
#define ISS_WFX_CV_COND_AL 0x1e00000u
#define ISS_WFX_TI_WFE 1u

/* An EL2 machine whose prologue ERETs with hcr and spsr to `lower` (at LOWER_CODE). */
static emu_machine *el2_machine(t_trap_log *log, uint64_t hcr, uint64_t spsr, uint32_t lower)
{
    emu_machine *m = t_a64_el2_machine(log, el2_prologue, sizeof el2_prologue);
    const uint32_t lower_code[] = { lower, I_B_SELF };
    const uint32_t loop = I_B_SELF;
    ck_assert_int_eq(emu_mem_write_phys(m, LOWER_CODE, lower_code, sizeof lower_code), EMU_OK);
    ck_assert_int_eq(emu_mem_write_phys(m, VBAR_EL2 + SLOT_CURRENT_SPX_SYNC, &loop, 4), EMU_OK);
    ck_assert_int_eq(emu_mem_write_phys(m, VBAR_EL2 + SLOT_LOWER_A64_SYNC, &loop, 4), EMU_OK);
    t_set_reg(m, EMU_A64_X1, hcr);
    t_set_reg(m, EMU_A64_X2, spsr);
    t_set_reg(m, EMU_A64_X3, LOWER_CODE);
    t_set_reg(m, EMU_A64_X4, VBAR_EL2);
    t_set_reg(m, EMU_A64_X5, CNTHCTL_RESET);
    t_set_reg(m, EMU_A64_X6, CPTR_RES1);
    t_set_reg(m, EMU_A64_X7, 0);        /* CPACR_EL1 as at reset: FP traps at EL0 and EL1 */
    return m;
}

static emu_stop run(emu_machine *m)
{
    emu_stop s;
    ck_assert_int_eq(emu_run(m, STEPS, &s), EMU_OK);
    return s;
}

/* The records: the ERET, then one exception taken to EL2 with esr, from `from_el` at `from_pc`. */
static void expect_taken_to_el2(const char *name, const t_trap_log *log, uint32_t esr, unsigned from_el,
                                uint64_t from_pc)
{
    ck_assert_msg(log->n == 2, "%s: %u records, want the ERET and one exception", name, log->n);
    const emu_trap *t = &log->recs[1];
    ck_assert_msg(t->to_priv == 2 && t->from_priv == from_el, "%s: taken from EL%u to EL%u, want EL%u to EL2", name,
                  t->from_priv, t->to_priv, from_el);
    ck_assert_msg(t->esr == esr, "%s: ESR_EL2 0x%llx, want 0x%x", name, (unsigned long long)t->esr, esr);
    ck_assert_msg(t->from_pc == from_pc && t->to_pc == VBAR_EL2 + SLOT_LOWER_A64_SYNC,
                  "%s: from 0x%llx to 0x%llx", name, (unsigned long long)t->from_pc, (unsigned long long)t->to_pc);
}

START_TEST(twe_traps_wfe_at_el1_to_el2)
{
    t_trap_log log;
    emu_machine *m = el2_machine(&log, HCR_RW | HCR_TWE, SPSR_EL1H_MASKED, I_WFE);
    run(m);
    expect_taken_to_el2("TWE", &log, (EC_WFX << ESR_EC_SHIFT) | ESR_IL | ISS_WFX_CV_COND_AL | ISS_WFX_TI_WFE, 1,
                        LOWER_CODE);
    emu_close(m);
}
END_TEST

START_TEST(tsc_traps_smc_at_el1_to_el2_not_psci)
{
    t_trap_log log;
    emu_machine *m = el2_machine(&log, HCR_RW | HCR_TSC, SPSR_EL1H_MASKED, I_SMC_7);
    t_set_reg(m, EMU_A64_X0, 0x84000008);      /* PSCI SYSTEM_OFF, had it reached PSCI */
    emu_stop s = run(m);
    ck_assert_msg(s.kind == EMU_STOP_INSN_LIMIT, "TSC: the SMC reached PSCI: %s", s.message);
    /* A trapped SMC's preferred return is the SMC itself: ELR_EL2 = from_pc = the instruction. */
    expect_taken_to_el2("TSC", &log, (EC_SMC64 << ESR_EC_SHIFT) | ESR_IL | 7, 1, LOWER_CODE);
    emu_close(m);
}
END_TEST

START_TEST(tge_takes_el0_svc_to_el2)
{
    t_trap_log log;
    emu_machine *m = el2_machine(&log, HCR_RW | HCR_TGE, SPSR_EL0T, I_SVC_42);
    run(m);
    expect_taken_to_el2("TGE", &log, (EC_SVC64 << ESR_EC_SHIFT) | ESR_IL | 0x42, 0, LOWER_CODE + 4);
    emu_close(m);
}
END_TEST

START_TEST(rw_zero_makes_the_eret_to_el1_illegal)
{
    t_trap_log log;
    emu_machine *m = el2_machine(&log, 0, SPSR_EL1H_MASKED, I_NOP);
    run(m);
    ck_assert_msg(log.n == 2, "RW = 0: %u records, want the ERET and the Illegal Execution state exception", log.n);
    ck_assert_msg(strstr(log.recs[0].escalation, "HCR_EL2.RW") != NULL, "RW = 0: the ERET's record says: '%s'",
                  log.recs[0].escalation);
    ck_assert_msg(log.recs[1].esr == ((EC_ILLEGAL_STATE << ESR_EC_SHIFT) | ESR_IL) && log.recs[1].to_priv == 2 &&
                  log.recs[1].from_pc == LOWER_CODE, "RW = 0: then ESR 0x%llx at EL%u from 0x%llx",
                  (unsigned long long)log.recs[1].esr, log.recs[1].to_priv, (unsigned long long)log.recs[1].from_pc);
    emu_close(m);
}
END_TEST

START_TEST(unmodelled_control_stops_the_msr)
{
    t_trap_log log;
    emu_machine *m = el2_machine(&log, HCR_RW | HCR_VM, SPSR_EL1H_MASKED, I_NOP);
    emu_stop s = run(m);
    ck_assert_msg(s.kind == EMU_STOP_ERROR && strstr(s.message, "HCR_EL2") && strstr(s.message, "0x1"),
                  "HCR_EL2.VM: stop %d '%s'", (int)s.kind, s.message);
    ck_assert_msg(s.pc == RAM + 4, "HCR_EL2.VM: stopped at 0x%llx, want the MSR", (unsigned long long)s.pc);
    emu_close(m);
}
END_TEST

/* Where a SIMD&FP instruction or a CPACR_EL1 access traps (AArch64.CheckFPAdvSIMDEnabled,
 * D17.2.30 CPACR_EL1, D17.2.33 CPTR_EL2): CPACR_EL1.FPEN first, to EL1 (to EL2 as an Uncategorized
 * exception from EL0 under HCR_EL2.TGE), then CPTR_EL2.TFP to EL2 with EC 0x07; CPTR_EL2.TCPAC traps
 * EL1's MRS of CPACR_EL1 to EL2. */
START_TEST(cpacr_and_cptr_el2_fp_traps)
{
    static const struct {
        const char *name;
        uint64_t hcr, spsr, cptr, cpacr;
        uint32_t insn;
        unsigned to_el;
        uint32_t esr;
    } cases[] = {
        { "EL1 FP, FPEN enabled, TFP", HCR_RW, SPSR_EL1H_MASKED, CPTR_RES1 | CPTR_TFP, CPACR_FPEN_ALL, I_FMOV_D0_XZR, 2,
          (EC_FP_ACCESS << ESR_EC_SHIFT) | ESR_IL | ISS_FP_CV_COND_AL },
        { "EL1 FP, FPEN trapping, TFP", HCR_RW, SPSR_EL1H_MASKED, CPTR_RES1 | CPTR_TFP, 0, I_FMOV_D0_XZR, 1,
          (EC_FP_ACCESS << ESR_EC_SHIFT) | ESR_IL | ISS_FP_CV_COND_AL },
        { "EL0 FP under TGE, FPEN trapping", HCR_RW | HCR_TGE, SPSR_EL0T, CPTR_RES1, 0, I_FMOV_D0_XZR, 2,
          (EC_UNKNOWN << ESR_EC_SHIFT) | ESR_IL },
        { "EL0 FP under TGE, FPEN enabled, TFP", HCR_RW | HCR_TGE, SPSR_EL0T, CPTR_RES1 | CPTR_TFP, CPACR_FPEN_ALL,
          I_FMOV_D0_XZR, 2, (EC_FP_ACCESS << ESR_EC_SHIFT) | ESR_IL | ISS_FP_CV_COND_AL },
        { "EL1 MRS CPACR_EL1, TCPAC", HCR_RW, SPSR_EL1H_MASKED, CPTR_RES1 | CPTR_TCPAC, 0, I_MRS_X0_CPACR, 2,
          (EC_SYSREG << ESR_EC_SHIFT) | ESR_IL | ISS_MRS_X0_CPACR },
        { "EL1 FP, nothing trapping", HCR_RW, SPSR_EL1H_MASKED, CPTR_RES1, CPACR_FPEN_ALL, I_FMOV_D0_XZR, 0, 0 },
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        t_trap_log log;
        emu_machine *m = el2_machine(&log, cases[i].hcr, cases[i].spsr, cases[i].insn);
        t_set_reg(m, EMU_A64_X6, cases[i].cptr);
        t_set_reg(m, EMU_A64_X7, cases[i].cpacr);
        run(m);
        if (cases[i].to_el == 0) {
            ck_assert_msg(log.n == 1, "%s: %u records, want only the ERET", cases[i].name, log.n);
        } else {
            ck_assert_msg(log.n >= 2, "%s: %u records, want the ERET and the trap", cases[i].name, log.n);
            const emu_trap *t = &log.recs[1];
            ck_assert_msg(t->to_priv == cases[i].to_el && t->from_pc == LOWER_CODE && t->esr == cases[i].esr,
                          "%s: taken to EL%u from 0x%llx with ESR 0x%llx, want EL%u from 0x%llx with 0x%x",
                          cases[i].name, t->to_priv, (unsigned long long)t->from_pc, (unsigned long long)t->esr,
                          cases[i].to_el, (unsigned long long)LOWER_CODE, cases[i].esr);
        }
        emu_close(m);
    }
}
END_TEST

/* CNTHCTL_EL2.EL1PCTEN and EL1PCEN open the physical counter and timer to EL1; cleared, EL1's
 * accesses trap to EL2 (EC 0x18, ELR the MRS). The virtual counter is not EL2's to close in Armv8.0. */
START_TEST(cnthctl_el2_traps_el1_physical_counter_and_timer)
{
    static const struct {
        const char *name;
        uint64_t cnthctl;
        uint32_t insn;
        uint32_t trapped_iss;   /* 0: not trapped */
    } cases[] = {
        { "reset value, MRS CNTPCT_EL0", CNTHCTL_RESET, I_MRS_X0_CNTPCT, 0 },
        { "reset value, MRS CNTP_CTL_EL0", CNTHCTL_RESET, I_MRS_X0_CNTP_CTL, 0 },
        { "EL1PCTEN clear, MRS CNTPCT_EL0", CNTHCTL_EL1PCEN, I_MRS_X0_CNTPCT, ISS_MRS_X0_CNTPCT },
        { "EL1PCTEN clear, MRS CNTVCT_EL0", 0, I_MRS_X0_CNTVCT, 0 },
        { "EL1PCEN clear, MRS CNTP_CTL_EL0", CNTHCTL_EL1PCTEN, I_MRS_X0_CNTP_CTL, ISS_MRS_X0_CNTP_CTL },
        { "EL1PCEN clear, MRS CNTPCT_EL0", CNTHCTL_EL1PCTEN, I_MRS_X0_CNTPCT, 0 },
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        t_trap_log log;
        emu_machine *m = el2_machine(&log, HCR_RW, SPSR_EL1H_MASKED, cases[i].insn);
        t_set_reg(m, EMU_A64_X5, cases[i].cnthctl);
        run(m);
        if (cases[i].trapped_iss)
            expect_taken_to_el2(cases[i].name, &log, (EC_SYSREG << ESR_EC_SHIFT) | ESR_IL | cases[i].trapped_iss, 1,
                                LOWER_CODE);
        else
            ck_assert_msg(log.n == 1, "%s: %u records, want only the ERET", cases[i].name, log.n);
        emu_close(m);
    }
}
END_TEST

static Suite *el2_suite(void)
{
    Suite *s = suite_create("virt EL2 controls");
    TCase *tc = tcase_create("hcr_el2");
    tcase_add_test(tc, twe_traps_wfe_at_el1_to_el2);
    tcase_add_test(tc, tsc_traps_smc_at_el1_to_el2_not_psci);
    tcase_add_test(tc, tge_takes_el0_svc_to_el2);
    tcase_add_test(tc, rw_zero_makes_the_eret_to_el1_illegal);
    tcase_add_test(tc, unmodelled_control_stops_the_msr);
    tcase_add_test(tc, cpacr_and_cptr_el2_fp_traps);
    tcase_add_test(tc, cnthctl_el2_traps_el1_physical_counter_and_timer);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return t_run_suite(el2_suite());
}
