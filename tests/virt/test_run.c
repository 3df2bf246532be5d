/*
 * The AArch64 machine end to end through the public API: code written to
 * the virt machine's RAM, run by emu_run, exceptions delivered through
 * VBAR_EL1 with their records, PSCI over HVC, semihosting, WFI and the
 * generic timer's interrupt through the GIC, external and alignment aborts,
 * the trap storm guard and loud stops for what is not modelled.
 */
#include <check.h>
#include <string.h>
#include <unistd.h>

#include "emu/emu.h"
#include "emu_test.h"

#define RAM 0x40000000ull
#define VBAR (RAM + 0x800)          /* 2 KiB aligned */
#define STACK (RAM + 0x10000)

/* Encodings (GNU as, -march=armv8-a). */
#define I_SVC_42 0xd4000841u        /* svc #0x42 */
#define I_HVC_0 0xd4000002u         /* hvc #0 */
#define I_LDR_X0_X1 0xf9400020u     /* ldr x0, [x1] */
#define I_LDR_X0_X2 0xf9400040u     /* ldr x0, [x2] */
#define I_WFI 0xd503207fu
#define I_DAIFCLR_I 0xd50342ffu     /* msr daifclr, #2 */
#define I_ERET 0xd69f03e0u
#define I_B_SELF 0x14000000u        /* b . */
#define I_HLT_F000 0xd45e0000u      /* hlt #0xf000 */
#define I_BRK_1 0xd4200020u
#define I_FADD_V 0x4e22d420u        /* fadd v0.4s, v1.4s, v2.4s */
#define I_ADD_X0_1 0x91000400u      /* add x0, x0, #1 */

static char console[256];
static size_t console_len;

static void to_console(void *ctx, const uint8_t *b, size_t n)
{
    (void)ctx;
    for (size_t i = 0; i < n && console_len + 1 < sizeof console; i++)
        console[console_len++] = (char)b[i];
}

static emu_machine *a64_machine(t_trap_log *log, int gic, bool semihosting)
{
    emu_options o;
    emu_options_init(&o);
    o.arch = EMU_ARCH_AARCH64;
    o.gic_version = gic;
    o.semihosting = semihosting;
    o.console = to_console;
    console_len = 0;
    memset(console, 0, sizeof console);
    emu_machine *m = NULL;
    ck_assert_int_eq(emu_create(&o, &m), EMU_OK);
    ck_assert_int_eq(emu_machine_arch(m), EMU_ARCH_AARCH64);
    if (log) {
        t_trap_log_attach(m, log);
    }
    t_set_reg(m, EMU_A64_VBAR_EL1, VBAR);
    t_set_reg(m, EMU_A64_SP_EL1, STACK);
    return m;
}

static void put(emu_machine *m, uint64_t pa, const uint32_t *words, size_t n)
{
    ck_assert_int_eq(emu_mem_write_phys(m, pa, words, n * 4), EMU_OK);
}

START_TEST(entry_state_and_registers)
{
    emu_machine *m = a64_machine(NULL, 2, false);
    T_EXPECT_REG(m, EMU_A64_PC, RAM, "emu_create enters at RAM base");
    T_EXPECT_REG(m, EMU_A64_CURRENTEL, 1u << 2, "EL1 by default");
    T_EXPECT_REG(m, EMU_A64_PSTATE, 0x3c5, "EL1h with DAIF masked");
    ck_assert_str_eq(emu_reg_name(EMU_A64_X0 + 30), "x30");
    ck_assert_str_eq(emu_reg_name(EMU_A64_ESR_EL1), "esr_el1");
    uint64_t v;
    ck_assert_int_eq(emu_reg_read(m, EMU_X86_RAX, &v), EMU_ERR_BAD_REG);
    ck_assert_int_eq(emu_reg_write(m, EMU_A64_PSTATE, 0x8), EMU_ERR_INVALID_ARG);   /* EL2 not implemented */
    emu_close(m);
}
END_TEST

START_TEST(svc_at_el1_goes_to_current_spx_slot)
{
    t_trap_log log;
    emu_machine *m = a64_machine(&log, 2, false);
    const uint32_t code[] = { I_SVC_42, I_B_SELF };
    put(m, RAM, code, 2);
    const uint32_t handler[] = { I_B_SELF };
    put(m, VBAR + 0x200, handler, 1);
    emu_stop s;
    ck_assert_int_eq(emu_run(m, 3, &s), EMU_OK);
    ck_assert_int_eq(s.kind, EMU_STOP_INSN_LIMIT);
    ck_assert_uint_eq(log.n, 1);
    const emu_trap *t = &log.recs[0];
    ck_assert_int_eq(t->arch, EMU_ARCH_AARCH64);
    ck_assert_int_eq(t->kind, EMU_TRAP_SYSCALL);
    ck_assert_int_eq(t->vector, 4);
    ck_assert_uint_eq(t->esr, 0x56000042u);     /* EC 0x15, IL, imm16 */
    ck_assert_uint_eq(t->from_pc, RAM + 4);     /* ELR: the next instruction */
    ck_assert_uint_eq(t->to_pc, VBAR + 0x200);
    ck_assert_uint_eq(t->vbar, VBAR);
    T_EXPECT_REG(m, EMU_A64_ELR_EL1, RAM + 4, "SVC: ELR_EL1");
    T_EXPECT_REG(m, EMU_A64_SPSR_EL1, 0x3c5, "SVC: SPSR_EL1");
    ck_assert_uint_eq(emu_cycle_count(m) >= t->cycles, 1);
    emu_close(m);
}
END_TEST

START_TEST(eret_to_el0_and_svc_back_through_lower_slot)
{
    t_trap_log log;
    emu_machine *m = a64_machine(&log, 2, false);
    const uint32_t code[] = { I_ERET };
    put(m, RAM, code, 1);
    const uint32_t el0[] = { I_ADD_X0_1, I_SVC_42 };
    put(m, RAM + 0x1000, el0, 2);
    const uint32_t handler[] = { I_B_SELF };
    put(m, VBAR + 0x400, handler, 1);
    t_set_reg(m, EMU_A64_ELR_EL1, RAM + 0x1000);
    t_set_reg(m, EMU_A64_SPSR_EL1, 0);       /* EL0t, nothing masked */
    emu_stop s;
    ck_assert_int_eq(emu_run(m, 4, &s), EMU_OK);
    ck_assert_uint_eq(log.n, 2);
    ck_assert_int_eq(log.recs[0].kind, EMU_TRAP_RETURN);
    ck_assert_uint_eq(log.recs[0].to_priv, 0);
    ck_assert_int_eq(log.recs[1].vector, 8);    /* lower EL AArch64, synchronous */
    ck_assert_uint_eq(log.recs[1].from_priv, 0);
    ck_assert_uint_eq(log.recs[1].spsr, 0);
    T_EXPECT_REG(m, EMU_A64_X0, 1, "EL0 ran its ADD");
    T_EXPECT_REG(m, EMU_A64_PC, VBAR + 0x400, "at the lower-EL vector");
    emu_close(m);
}
END_TEST

START_TEST(psci_over_hvc)
{
    t_trap_log log;
    emu_machine *m = a64_machine(&log, 2, false);
    const uint32_t code[] = { I_HVC_0, I_B_SELF };
    put(m, RAM, code, 2);
    t_set_reg(m, EMU_A64_X0, 0x84000000);      /* PSCI_VERSION */
    emu_stop s;
    ck_assert_int_eq(emu_run(m, 1, &s), EMU_OK);
    T_EXPECT_REG(m, EMU_A64_X0, 0x10000, "PSCI_VERSION answers 1.0");
    T_EXPECT_REG(m, EMU_A64_PC, RAM + 4, "HVC returns to the next instruction");
    ck_assert_uint_eq(log.n, 0);
    t_set_reg(m, EMU_A64_PC, RAM);
    t_set_reg(m, EMU_A64_X0, 0x84000008);      /* SYSTEM_OFF */
    ck_assert_int_eq(emu_run(m, 10, &s), EMU_OK);
    ck_assert_int_eq(s.kind, EMU_STOP_EXIT);
    ck_assert_int_eq(s.exit_code, 0);
    ck_assert_msg(strstr(s.message, "SYSTEM_OFF") != NULL, "stop message: %s", s.message);
    ck_assert_int_eq(emu_run(m, 1, &s), EMU_ERR_STOPPED);
    emu_close(m);
}
END_TEST

START_TEST(smc_without_el3_is_undefined)
{
    t_trap_log log;
    emu_machine *m = a64_machine(&log, 2, false);
    const uint32_t code[] = { 0xd4000003u /* smc #0 */ };
    put(m, RAM, code, 1);
    emu_stop s;
    ck_assert_int_eq(emu_run(m, 1, &s), EMU_OK);
    ck_assert_uint_eq(log.n, 1);
    ck_assert_uint_eq(log.recs[0].esr, 0x02000000u);   /* EC 0 Unknown, IL */
    ck_assert_uint_eq(log.recs[0].from_pc, RAM);
    emu_close(m);
}
END_TEST

START_TEST(external_abort_where_nothing_is)
{
    t_trap_log log;
    emu_machine *m = a64_machine(&log, 2, false);
    const uint32_t code[] = { I_LDR_X0_X1 };
    put(m, RAM, code, 1);
    t_set_reg(m, EMU_A64_X1, 0x20000000);      /* between the UART and RAM: nothing */
    emu_stop s;
    ck_assert_int_eq(emu_run(m, 1, &s), EMU_OK);
    ck_assert_uint_eq(log.n, 1);
    ck_assert_uint_eq(log.recs[0].esr >> 26, 0x25);     /* data abort, current EL */
    ck_assert_uint_eq(log.recs[0].esr & 0x3f, 0x10);    /* synchronous external abort */
    ck_assert_uint_eq(log.recs[0].far, 0x20000000);
    emu_close(m);
}
END_TEST

START_TEST(device_alignment_with_mmu_off)
{
    t_trap_log log;
    emu_machine *m = a64_machine(&log, 2, false);
    const uint32_t code[] = { I_LDR_X0_X1 };
    put(m, RAM, code, 1);
    t_set_reg(m, EMU_A64_X1, RAM + 0x2004);    /* RAM, but Device with the MMU off: unaligned faults */
    emu_stop s;
    ck_assert_int_eq(emu_run(m, 1, &s), EMU_OK);
    ck_assert_uint_eq(log.n, 1);
    ck_assert_uint_eq(log.recs[0].esr & 0x3f, 0x21);    /* alignment fault */
    ck_assert_uint_eq(log.recs[0].far, RAM + 0x2004);
    emu_close(m);
}
END_TEST

/* An aligned load first gives the CPU a host hint for the Device page; the unaligned one after it on
 * the same page must still take the alignment fault (the fast path leaves it to the callback). */
START_TEST(device_alignment_after_aligned_access_on_page)
{
    t_trap_log log;
    emu_machine *m = a64_machine(&log, 2, false);
    const uint32_t code[] = { I_LDR_X0_X1, I_LDR_X0_X2 };
    put(m, RAM, code, 2);
    t_set_reg(m, EMU_A64_X1, RAM + 0x2000);
    t_set_reg(m, EMU_A64_X2, RAM + 0x2004);
    emu_stop s;
    ck_assert_int_eq(emu_run(m, 2, &s), EMU_OK);
    ck_assert_uint_eq(log.n, 1);
    ck_assert_uint_eq(log.recs[0].esr & 0x3f, 0x21);    /* alignment fault */
    ck_assert_uint_eq(log.recs[0].far, RAM + 0x2004);
    emu_close(m);
}
END_TEST

/* Code the guest rewrites after running it runs as rewritten: the decoded row cached for a PC is
 * checked against the word fetched now, and the fetch reads the page's current bytes. */
START_TEST(rewritten_code_runs_as_rewritten)
{
    emu_machine *m = a64_machine(NULL, 2, false);
    const uint32_t code[] = {
        I_ADD_X0_1,     /* rewritten below to orr x0, x0, #0x10 */
        0xb9000083u,    /* str w3, [x4] */
        0x17fffffeu,    /* b RAM */
    };
    put(m, RAM, code, 3);
    t_set_reg(m, EMU_A64_X0, 1);
    t_set_reg(m, EMU_A64_X3, 0xb27c0000u);     /* orr x0, x0, #0x10: another row, another handler */
    t_set_reg(m, EMU_A64_X4, RAM);
    emu_stop s;
    ck_assert_int_eq(emu_run(m, 4, &s), EMU_OK);
    T_EXPECT_REG(m, EMU_A64_X0, 0x12, "ADD made 2, then the ORR written over it set bit 4");
    emu_close(m);
}
END_TEST

/* A watchpoint armed on a page the CPU has already loaded from and stored to (so it holds host page
 * hints for it) still fires: while self-hosted debug is armed the fast paths stand aside. */
START_TEST(watchpoint_on_a_page_already_accessed)
{
    t_trap_log log;
    emu_machine *m = a64_machine(&log, 2, false);
    const uint32_t code[] = {
        I_LDR_X0_X1,
        0xa9000020u,    /* stp x0, x0, [x1] */
        0xd510109fu,    /* msr oslar_el1, xzr: unlock the OS Lock */
        0xd51000c1u,    /* msr dbgwvr0_el1, x1 */
        0xd51000e2u,    /* msr dbgwcr0_el1, x2 */
        0xd5100243u,    /* msr mdscr_el1, x3 */
        0xd50348ffu,    /* msr daifclr, #8: PSTATE.D clear, for debug exceptions at EL1 */
        0xd5033fdfu,    /* isb */
        0xa9000020u,    /* stp x0, x0, [x1]: watched */
    };
    put(m, RAM, code, 9);
    t_set_reg(m, EMU_A64_X1, RAM + 0x2000);
    t_set_reg(m, EMU_A64_X2, 1u | (3u << 1) | (3u << 3) | (0xffu << 5));  /* E, EL0 and EL1, load/store, 8 bytes */
    t_set_reg(m, EMU_A64_X3, (1u << 15) | (1u << 13));                   /* MDSCR_EL1.MDE, KDE */
    emu_stop s;
    ck_assert_int_eq(emu_run(m, 9, &s), EMU_OK);
    ck_assert_uint_eq(log.n, 1);
    ck_assert_uint_eq(log.recs[0].esr >> 26, 0x35);      /* watchpoint, current EL */
    ck_assert_uint_eq(log.recs[0].far, RAM + 0x2000);
    emu_close(m);
}
END_TEST

START_TEST(wfi_with_nothing_to_wake_it_stops)
{
    emu_machine *m = a64_machine(NULL, 2, false);
    const uint32_t code[] = { I_WFI, I_B_SELF };
    put(m, RAM, code, 2);
    emu_stop s;
    ck_assert_int_eq(emu_run(m, 100, &s), EMU_OK);
    ck_assert_int_eq(s.kind, EMU_STOP_HALT);
    ck_assert_uint_eq(s.pc, RAM);
    ck_assert_msg(strstr(s.message, "WFI") != NULL, "stop message: %s", s.message);
    emu_close(m);
}
END_TEST

/* The EL1 physical timer through GICv2 to the IRQ vector, waking a WFI; the handler acknowledges. */
START_TEST(timer_interrupt_wakes_wfi)
{
    t_trap_log log;
    emu_machine *m = a64_machine(&log, 2, false);
    const uint32_t code[] = {
        0xd2a10005u, /* mov x5, #0x8000000: GICD */
        0x52800027u, /* mov w7, #1 */
        0xb90000a7u, /* str w7, [x5]: GICD_CTLR */
        0x52a80007u, /* mov w7, #0x40000000 */
        0xb90100a7u, /* str w7, [x5, #0x100]: GICD_ISENABLER0, INTID 30 */
        0xd2a10026u, /* mov x6, #0x8010000: GICC */
        0x52801fe7u, /* mov w7, #0xff */
        0xb90004c7u, /* str w7, [x6, #4]: GICC_PMR */
        0x52800027u, /* mov w7, #1 */
        0xb90000c7u, /* str w7, [x6]: GICC_CTLR */
        0xd2800c81u, /* mov x1, #100 */
        0xd51be201u, /* msr cntp_tval_el0, x1 */
        0xd2800023u, /* mov x3, #1 */
        0xd51be223u, /* msr cntp_ctl_el0, x3 */
        I_DAIFCLR_I,
        I_WFI,
        I_B_SELF,
    };
    put(m, RAM, code, sizeof code / 4);
    const uint32_t handler[] = { 0xb9400cc0u /* ldr w0, [x6, #12]: GICC_IAR */, I_B_SELF };
    put(m, VBAR + 0x280, handler, 2);
    emu_stop s;
    ck_assert_int_eq(emu_run(m, 20, &s), EMU_OK);
    ck_assert_int_eq(s.kind, EMU_STOP_INSN_LIMIT);
    ck_assert_uint_eq(log.n, 1);
    const emu_trap *t = &log.recs[0];
    ck_assert_int_eq(t->kind, EMU_TRAP_INTERRUPT);
    ck_assert_int_eq(t->vector, 5);             /* current EL with SP_ELx, IRQ */
    ck_assert_uint_eq(t->from_pc, RAM + 16 * 4);    /* ELR: after the WFI */
    ck_assert_msg(t->cycle_start >= 100 * 16, "the clock jumped to the deadline: cycle %llu",
                  (unsigned long long)t->cycle_start);
    T_EXPECT_REG(m, EMU_A64_X0, 30, "GICC_IAR names the EL1 physical timer's PPI");
    emu_close(m);
}
END_TEST

/* The same through GICv3: distributor with affinity routing, the redistributor awake, INTID 30 in
 * Group 1, and the CPU interface through its system registers (ICC_PMR, ICC_IGRPEN1, ICC_IAR1, ICC_EOIR1,
 * ICC_RPR). */
START_TEST(timer_interrupt_through_gicv3_sysregs)
{
    t_trap_log log;
    emu_machine *m = a64_machine(&log, 3, false);
    const uint32_t code[] = {
        0xd2a10005u, /* mov x5, #0x8000000: GICD */
        0x52800247u, /* mov w7, #0x12: ARE | EnableGrp1 */
        0xb90000a7u, /* str w7, [x5]: GICD_CTLR */
        0xd2a10146u, /* mov x6, #0x80a0000: GICR RD_base */
        0xb94014c7u, /* ldr w7, [x6, #20]: GICR_WAKER */
        0x121e78e7u, /* and w7, w7, #0xfffffffd: clear ProcessorSleep */
        0xb90014c7u, /* str w7, [x6, #20] */
        0x914040c6u, /* add x6, x6, #0x10000: SGI_base */
        0x52a80007u, /* mov w7, #0x40000000 */
        0xb90080c7u, /* str w7, [x6, #0x80]: GICR_IGROUPR0, INTID 30 in Group 1 */
        0xb90100c7u, /* str w7, [x6, #0x100]: GICR_ISENABLER0 */
        0xd2801fe7u, /* mov x7, #0xff */
        0xd5184607u, /* msr icc_pmr_el1, x7 */
        0xd2800027u, /* mov x7, #1 */
        0xd518cce7u, /* msr icc_igrpen1_el1, x7 */
        0xd2800c81u, /* mov x1, #100 */
        0xd51be201u, /* msr cntp_tval_el0, x1 */
        0xd2800023u, /* mov x3, #1 */
        0xd51be223u, /* msr cntp_ctl_el0, x3 */
        I_DAIFCLR_I,
        I_WFI,
        I_B_SELF,
    };
    put(m, RAM, code, sizeof code / 4);
    const uint32_t handler[] = { 0xd538cc00u /* mrs x0, icc_iar1_el1 */, 0xd51be23fu /* msr cntp_ctl_el0, xzr */,
                                 0xd518cc20u /* msr icc_eoir1_el1, x0 */, 0xd538cb69u /* mrs x9, icc_rpr_el1 */,
                                 I_B_SELF };
    put(m, VBAR + 0x280, handler, 5);
    emu_stop s;
    ck_assert_int_eq(emu_run(m, 30, &s), EMU_OK);
    ck_assert_int_eq(s.kind, EMU_STOP_INSN_LIMIT);
    ck_assert_uint_eq(log.n, 1);
    ck_assert_int_eq(log.recs[0].vector, 5);
    T_EXPECT_REG(m, EMU_A64_X0, 30, "ICC_IAR1_EL1 names the EL1 physical timer's PPI");
    T_EXPECT_REG(m, EMU_A64_X9, 0xff, "ICC_RPR_EL1 idle after the EOI");
    emu_close(m);
}
END_TEST

/* CNTKCTL_EL1 decides EL0's access to the counter: clear, MRS CNTVCT_EL0 at EL0 traps to EL1 (EC 0x18). */
START_TEST(el0_counter_access_follows_cntkctl)
{
    t_trap_log log;
    emu_machine *m = a64_machine(&log, 2, false);
    const uint32_t el0[] = { 0xd53be040u /* mrs x0, cntvct_el0 */, I_B_SELF };
    put(m, RAM + 0x1000, el0, 2);
    const uint32_t handler[] = { I_B_SELF };
    put(m, VBAR + 0x400, handler, 1);
    for (int allowed = 0; allowed <= 1; allowed++) {
        memset(&log, 0, sizeof log);
        t_set_reg(m, EMU_A64_CNTKCTL_EL1, allowed ? 2 : 0);     /* EL0VCTEN */
        t_set_reg(m, EMU_A64_PC, RAM + 0x1000);
        t_set_reg(m, EMU_A64_PSTATE, 0);                        /* EL0t */
        emu_stop s;
        ck_assert_int_eq(emu_run(m, 2, &s), EMU_OK);
        if (allowed) {
            ck_assert_uint_eq(log.n, 0);
            T_EXPECT_REG(m, EMU_A64_PC, RAM + 0x1004, "EL0 read the counter");
        } else {
            ck_assert_uint_eq(log.n, 1);
            ck_assert_msg(log.recs[0].esr >> 26 == 0x18, "EC 0x18, ESR 0x%x", log.recs[0].esr);
            ck_assert_msg((log.recs[0].esr & 1) == 1, "the ISS says a read");
        }
    }
    emu_close(m);
}
END_TEST

START_TEST(semihosting_write0_and_exit)
{
    emu_machine *m = a64_machine(NULL, 2, true);
    /* SYS_WRITE0, then SYS_EXIT with its AArch64 parameter block { ADP_Stopped_ApplicationExit, 0 }. */
    const uint32_t code[] = { I_HLT_F000, 0xd2800300u /* mov x0, #0x18 */, 0xaa0203e1u /* mov x1, x2 */, I_HLT_F000 };
    put(m, RAM, code, 4);
    const uint64_t block[2] = { 0x20026, 0 };
    ck_assert_int_eq(emu_mem_write_phys(m, RAM + 0x200, block, sizeof block), EMU_OK);
    t_set_reg(m, EMU_A64_X2, RAM + 0x200);
    ck_assert_int_eq(emu_mem_write_phys(m, RAM + 0x100, "hi\n", 4), EMU_OK);
    t_set_reg(m, EMU_A64_X0, 4);                /* SYS_WRITE0 */
    t_set_reg(m, EMU_A64_X1, RAM + 0x100);
    emu_stop s;
    ck_assert_int_eq(emu_run(m, 100, &s), EMU_OK);
    ck_assert_str_eq(console, "hi\n");
    ck_assert_int_eq(s.kind, EMU_STOP_EXIT);
    ck_assert_int_eq(s.exit_code, 0);
    emu_close(m);
}
END_TEST

START_TEST(hlt_without_semihosting_is_undefined)
{
    t_trap_log log;
    emu_machine *m = a64_machine(&log, 2, false);
    const uint32_t code[] = { I_HLT_F000 };
    put(m, RAM, code, 1);
    emu_stop s;
    ck_assert_int_eq(emu_run(m, 1, &s), EMU_OK);
    ck_assert_uint_eq(log.n, 1);
    ck_assert_uint_eq(log.recs[0].esr >> 26, 0);
    emu_close(m);
}
END_TEST

START_TEST(unsupported_instruction_stops_naming_it)
{
    emu_machine *m = a64_machine(NULL, 2, false);
    const uint32_t code[] = { I_FADD_V };
    put(m, RAM, code, 1);
    t_set_reg(m, EMU_A64_CPACR_EL1, 3ull << 20);   /* FP enabled: no trap, so it must execute */
    emu_stop s;
    ck_assert_int_eq(emu_run(m, 1, &s), EMU_OK);
    ck_assert_int_eq(s.kind, EMU_STOP_ERROR);
    ck_assert_msg(strstr(s.message, "Advanced SIMD three same") && strstr(s.message, "0x4e22d420"),
                  "stop message: %s", s.message);
    ck_assert_uint_eq(s.pc, RAM);
    ck_assert_uint_eq(s.n_bytes, 4);
    emu_close(m);
}
END_TEST

START_TEST(trap_storm_is_stopped)
{
    emu_machine *m = a64_machine(NULL, 2, false);
    t_set_reg(m, EMU_A64_VBAR_EL1, 0x20000000);    /* the handler's fetch aborts, again and again */
    const uint32_t code[] = { I_BRK_1 };
    put(m, RAM, code, 1);
    emu_stop s;
    ck_assert_int_eq(emu_run(m, 0, &s), EMU_OK);
    ck_assert_int_eq(s.kind, EMU_STOP_ERROR);
    ck_assert_msg(strstr(s.message, "trap storm") != NULL, "stop message: %s", s.message);
    emu_close(m);
}
END_TEST

START_TEST(breakpoint_stops_and_resumes)
{
    emu_machine *m = a64_machine(NULL, 2, false);
    const uint32_t code[] = { I_ADD_X0_1, I_ADD_X0_1, I_ADD_X0_1, I_B_SELF };
    put(m, RAM, code, 4);
    ck_assert_int_eq(emu_breakpoint_add(m, RAM + 8), EMU_OK);
    emu_stop s;
    ck_assert_int_eq(emu_run(m, 100, &s), EMU_OK);
    ck_assert_int_eq(s.kind, EMU_STOP_BREAKPOINT);
    T_EXPECT_REG(m, EMU_A64_X0, 2, "stopped before the third ADD");
    ck_assert_int_eq(emu_step(m, &s), EMU_OK);
    ck_assert_int_eq(s.kind, EMU_STOP_NONE);
    T_EXPECT_REG(m, EMU_A64_X0, 3, "stepped over the breakpoint");
    emu_close(m);
}
END_TEST

START_TEST(break_on_exception_stops_before_delivery)
{
    t_trap_log log;
    emu_options o;
    emu_options_init(&o);
    o.arch = EMU_ARCH_AARCH64;
    o.break_on_exception = true;
    emu_machine *m = NULL;
    ck_assert_int_eq(emu_create(&o, &m), EMU_OK);
    t_trap_log_attach(m, &log);
    t_set_reg(m, EMU_A64_VBAR_EL1, VBAR);
    const uint32_t code[] = { I_ADD_X0_1, I_SVC_42, I_ADD_X0_1, I_SVC_42 };
    put(m, RAM, code, 4);
    emu_stop s;
    ck_assert_int_eq(emu_run(m, 100, &s), EMU_OK);
    ck_assert_int_eq(s.kind, EMU_STOP_EXCEPTION);
    ck_assert_uint_eq(s.pc, RAM + 4);
    ck_assert_msg(strstr(s.message, "SVC64") != NULL, "stop message: %s", s.message);
    ck_assert_uint_eq(log.n, 0);
    ck_assert_uint_eq(emu_insn_count(m), 1);
    ck_assert_int_eq(emu_step(m, &s), EMU_OK);        /* the step is the delivery */
    ck_assert_int_eq(s.kind, EMU_STOP_NONE);
    ck_assert_uint_eq(log.n, 1);
    T_EXPECT_REG(m, EMU_A64_PC, VBAR + 0x200, "delivered to the current-EL SPx slot");
    /* Moving the PC abandons a held exception. */
    t_set_reg(m, EMU_A64_PC, RAM + 8);
    ck_assert_int_eq(emu_run(m, 100, &s), EMU_OK);
    ck_assert_int_eq(s.kind, EMU_STOP_EXCEPTION);
    t_set_reg(m, EMU_A64_PC, RAM);
    ck_assert_int_eq(emu_run(m, 1, &s), EMU_OK);
    ck_assert_uint_eq(log.n, 1);
    T_EXPECT_REG(m, EMU_A64_X0, 3, "three ADDs ran, the abandoned SVC was never delivered");
    emu_close(m);
}
END_TEST

START_TEST(pl011_reads_console_input)
{
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    ck_assert_int_eq(write(fds[1], "ok", 2), 2);
    close(fds[1]);
    emu_options o;
    emu_options_init(&o);
    o.arch = EMU_ARCH_AARCH64;
    o.console_input_fd = fds[0];
    emu_machine *m = NULL;
    ck_assert_int_eq(emu_create(&o, &m), EMU_OK);
    const uint32_t code[] = { 0xb9400020u /* ldr w0, [x1]: UARTDR */, 0xb9400022u /* ldr w2, [x1] */,
                              0xb9401823u /* ldr w3, [x1, #0x18]: UARTFR */ };
    put(m, RAM, code, 3);
    t_set_reg(m, EMU_A64_X1, 0x09000000);
    emu_stop s;
    ck_assert_int_eq(emu_run(m, 3, &s), EMU_OK);
    T_EXPECT_REG(m, EMU_A64_X0, 'o', "first byte from the input");
    T_EXPECT_REG(m, EMU_A64_X2, 'k', "second byte");
    ck_assert_msg(t_reg(m, EMU_A64_X3) & (1u << 4), "UARTFR.RXFE once the input is exhausted: 0x%llx",
                  (unsigned long long)t_reg(m, EMU_A64_X3));
    emu_close(m);
    close(fds[0]);
}
END_TEST

/* Page tables for VA 0x40000000-0x401fffff (T0SZ 25, level 1 at `l1`): the code page identity-mapped,
 * VA 0x40020000 to data_pa, not global (nG: tagged with the ASID). Normal memory, EL1 read/write. */
static void write_tables(emu_machine *m, uint64_t l1, uint64_t data_pa)
{
    const uint64_t valid_table = 3, page = 3, af = 1ull << 10, normal = 1ull << 2;
    uint64_t l2 = l1 + 0x1000, l3 = l1 + 0x2000;
    uint64_t e;
    e = l2 | valid_table;
    ck_assert_int_eq(emu_mem_write_phys(m, l1 + 8, &e, 8), EMU_OK);
    e = l3 | valid_table;
    ck_assert_int_eq(emu_mem_write_phys(m, l2, &e, 8), EMU_OK);
    e = RAM | page | af | normal;
    ck_assert_int_eq(emu_mem_write_phys(m, l3, &e, 8), EMU_OK);
    e = data_pa | page | af | normal | (1ull << 11);
    ck_assert_int_eq(emu_mem_write_phys(m, l3 + 0x20 * 8, &e, 8), EMU_OK);
}

/* Cached translations (the MMU's TLB and the platform's page cache) follow TLBI, and a TTBR0_EL1 with
 * another ASID (a TTBR change alone may keep using cached entries of the same ASID, D8.13). */
START_TEST(translations_follow_tlbi_and_ttbr)
{
    emu_machine *m = a64_machine(NULL, 2, false);
    const uint32_t code[] = { 0xf9400020u /* ldr x0, [x1] */, 0xf9400020u, 0xd508871fu /* tlbi vmalle1 */,
                              0xf9400020u, 0xd5182003u /* msr ttbr0_el1, x3 */, 0xd5033fdfu /* isb */,
                              0xf9400020u, I_B_SELF };
    put(m, RAM, code, sizeof code / 4);
    const uint64_t a = 0x1111, b = 0x2222, c = 0x3333;
    ck_assert_int_eq(emu_mem_write_phys(m, RAM + 0x30000, &a, 8), EMU_OK);
    ck_assert_int_eq(emu_mem_write_phys(m, RAM + 0x40000, &b, 8), EMU_OK);
    ck_assert_int_eq(emu_mem_write_phys(m, RAM + 0x50000, &c, 8), EMU_OK);
    write_tables(m, RAM + 0x10000, RAM + 0x30000);
    write_tables(m, RAM + 0x20000, RAM + 0x50000);
    t_set_reg(m, EMU_A64_MAIR_EL1, 0xff00);         /* attr 1: Normal */
    t_set_reg(m, EMU_A64_TCR_EL1, 25 | (1ull << 23));   /* T0SZ 25, 4 KiB, no TTBR1 walks */
    t_set_reg(m, EMU_A64_TTBR0_EL1, RAM + 0x10000);
    t_set_reg(m, EMU_A64_SCTLR_EL1, 0x30d00801);    /* M */
    t_set_reg(m, EMU_A64_X1, 0x40020000);
    t_set_reg(m, EMU_A64_X3, RAM + 0x20000 + (1ull << 48));   /* ASID 1 */
    emu_stop s;
    ck_assert_int_eq(emu_run(m, 1, &s), EMU_OK);
    T_EXPECT_REG(m, EMU_A64_X0, a, "the first mapping");
    write_tables(m, RAM + 0x10000, RAM + 0x40000);  /* remapped in memory; no TLBI yet */
    ck_assert_int_eq(emu_run(m, 3, &s), EMU_OK);
    T_EXPECT_REG(m, EMU_A64_X0, b, "after TLBI VMALLE1 the new mapping");
    ck_assert_int_eq(emu_run(m, 3, &s), EMU_OK);
    T_EXPECT_REG(m, EMU_A64_X0, c, "after TTBR0_EL1 names other tables and ASID 1");
    emu_close(m);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("virt_run");
    TCase *tc = tcase_create("run");
    tcase_add_test(tc, entry_state_and_registers);
    tcase_add_test(tc, svc_at_el1_goes_to_current_spx_slot);
    tcase_add_test(tc, eret_to_el0_and_svc_back_through_lower_slot);
    tcase_add_test(tc, psci_over_hvc);
    tcase_add_test(tc, smc_without_el3_is_undefined);
    tcase_add_test(tc, external_abort_where_nothing_is);
    tcase_add_test(tc, device_alignment_with_mmu_off);
    tcase_add_test(tc, device_alignment_after_aligned_access_on_page);
    tcase_add_test(tc, rewritten_code_runs_as_rewritten);
    tcase_add_test(tc, watchpoint_on_a_page_already_accessed);
    tcase_add_test(tc, wfi_with_nothing_to_wake_it_stops);
    tcase_add_test(tc, timer_interrupt_wakes_wfi);
    tcase_add_test(tc, timer_interrupt_through_gicv3_sysregs);
    tcase_add_test(tc, el0_counter_access_follows_cntkctl);
    tcase_add_test(tc, semihosting_write0_and_exit);
    tcase_add_test(tc, hlt_without_semihosting_is_undefined);
    tcase_add_test(tc, unsupported_instruction_stops_naming_it);
    tcase_add_test(tc, trap_storm_is_stopped);
    tcase_add_test(tc, breakpoint_stops_and_resumes);
    tcase_add_test(tc, break_on_exception_stops_before_delivery);
    tcase_add_test(tc, pl011_reads_console_input);
    tcase_add_test(tc, translations_follow_tlbi_and_ttbr);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
