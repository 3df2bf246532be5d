/*
 * emu_inject on the virt machine: an injected INTID becomes pending at the
 * GIC as a write to its set-pending register would make it (IHI 0048B
 * 4.3.7), at an instruction address (before that instruction runs) or at a
 * cycle, and is then taken by the usual rules: the GIC's enable and the
 * CPU interface, PSTATE.I. The IRQ vector's handler reads GICC_IAR into W1.
 */
#include <check.h>
#include <string.h>

#include "emu/emu.h"
#include "emu_test.h"

#define RAM 0x40000000ull
#define VBAR (RAM + 0x800)          /* 2 KiB aligned */
#define SYNC_SLOT (VBAR + 0x200)    /* current EL with SP_ELx, synchronous */
#define IRQ_SLOT (VBAR + 0x280)     /* current EL with SP_ELx, IRQ */
#define STACK (RAM + 0x10000)
#define STEPS 100
#define SPI_ENABLED 40
#define SPI_DISABLED 41

/* Encodings (GNU as, -march=armv8-a). */
#define I_ADD_X0_1 0x91000400u      /* add x0, x0, #1 */
#define I_B_SELF 0x14000000u        /* b . */
#define I_DAIFCLR_I 0xd50342ffu     /* msr daifclr, #2 */
#define I_LDR_IAR 0xb9400cc1u       /* ldr w1, [x6, #0xc]: GICC_IAR */
#define I_LDR_ISPENDR1 0xb94204a2u  /* ldr w2, [x5, #0x204]: GICD_ISPENDR1 */
#define I_MRS_X3_ISR 0xd538c103u    /* mrs x3, isr_el1 */
#define ISR_EL1_I 0x80u

/* GICv2 distributor and CPU interface on, SPI 40 enabled; X5 = GICD, X6 = GICC. IRQs stay masked. */
#define GIC_SETUP_WORDS 10
static const uint32_t gic_setup[GIC_SETUP_WORDS] = {
    0xd2a10005u, /* mov x5, #0x8000000: GICD */
    0x52800027u, /* mov w7, #1 */
    0xb90000a7u, /* str w7, [x5]: GICD_CTLR */
    0x52802007u, /* mov w7, #0x100 */
    0xb90104a7u, /* str w7, [x5, #0x104]: GICD_ISENABLER1, INTID 40 */
    0xd2a10026u, /* mov x6, #0x8010000: GICC */
    0x52801fe7u, /* mov w7, #0xff */
    0xb90004c7u, /* str w7, [x6, #4]: GICC_PMR */
    0x52800027u, /* mov w7, #1 */
    0xb90000c7u, /* str w7, [x6]: GICC_CTLR */
};

static emu_machine *virt_machine(int gic_version, t_trap_log *log)
{
    emu_options o;
    emu_options_init(&o);
    o.arch = EMU_ARCH_AARCH64;
    o.gic_version = gic_version;
    emu_machine *m = NULL;
    ck_assert_msg(emu_create(&o, &m) == EMU_OK, "virt machine with GICv%d", gic_version);
    if (log)
        t_trap_log_attach(m, log);
    return m;
}

/* The GIC setup, then `extra`, then `b .`; handlers that read GICC_IAR (IRQ) or stop (`b .`). */
static emu_machine *load_program(t_trap_log *log, const uint32_t *extra, size_t n_extra, uint64_t *loop_pc)
{
    emu_machine *m = virt_machine(2, log);
    uint32_t code[64];
    size_t n = 0;
    for (size_t i = 0; i < GIC_SETUP_WORDS; i++)
        code[n++] = gic_setup[i];
    for (size_t i = 0; i < n_extra; i++)
        code[n++] = extra[i];
    code[n++] = I_B_SELF;
    *loop_pc = RAM + 4 * (n - 1);
    static const uint32_t irq_handler[] = { I_LDR_IAR, I_B_SELF };
    const uint32_t loop = I_B_SELF;
    t_set_reg(m, EMU_A64_VBAR_EL1, VBAR);
    t_set_reg(m, EMU_A64_SP_EL1, STACK);
    ck_assert_int_eq(emu_mem_write_phys(m, RAM, code, n * 4), EMU_OK);
    ck_assert_int_eq(emu_mem_write_phys(m, SYNC_SLOT, &loop, 4), EMU_OK);
    ck_assert_int_eq(emu_mem_write_phys(m, IRQ_SLOT, irq_handler, sizeof irq_handler), EMU_OK);
    return m;
}

static void inject(emu_machine *m, unsigned intid, emu_inject_when when, uint64_t at)
{
    emu_injection inj = { .intid = (uint16_t)intid, .when = when, .at = at };
    emu_err err = emu_inject(m, &inj);
    ck_assert_msg(err == EMU_OK, "inject INTID %u: %s", intid, emu_strerror(err));
}

static void run(emu_machine *m, const char *name)
{
    emu_stop s;
    ck_assert_msg(emu_run(m, STEPS, &s) == EMU_OK && s.kind == EMU_STOP_INSN_LIMIT, "%s: run stopped: %s", name,
                  s.message);
}

static void expect_one_irq_at(const char *name, const t_trap_log *log, uint64_t pc)
{
    ck_assert_msg(log->n == 1 && log->recs[0].kind == EMU_TRAP_INTERRUPT, "%s: one interrupt (%u records)", name,
                  log->n);
    ck_assert_msg(log->recs[0].from_pc == pc, "%s: taken at 0x%llx, want 0x%llx", name,
                  (unsigned long long)log->recs[0].from_pc, (unsigned long long)pc);
}

/* IRQs unmasked: the INTID is pending before the instruction at the address runs, and taken there. */
START_TEST(at_pc_taken_before_that_instruction)
{
    t_trap_log log = { .n = 0 };
    const uint32_t extra[] = { I_DAIFCLR_I, I_ADD_X0_1, I_ADD_X0_1, I_ADD_X0_1 };
    uint64_t loop_pc;
    emu_machine *m = load_program(&log, extra, 4, &loop_pc);
    const uint64_t second_add = RAM + 4 * (GIC_SETUP_WORDS + 2);
    inject(m, SPI_ENABLED, EMU_INJECT_AT_PC, second_add);
    run(m, "at PC, unmasked");
    expect_one_irq_at("at PC, unmasked", &log, second_add);
    ck_assert_msg(t_reg(m, EMU_A64_X0) == 1, "at PC: %llu ADDs ran before the IRQ, want 1",
                  (unsigned long long)t_reg(m, EMU_A64_X0));
    ck_assert_msg(t_reg(m, EMU_A64_X1) == SPI_ENABLED, "at PC: GICC_IAR read %llu, want %u",
                  (unsigned long long)t_reg(m, EMU_A64_X1), SPI_ENABLED);
    ck_assert_msg(t_reg(m, EMU_A64_ELR_EL1) == second_add, "at PC: ELR_EL1 0x%llx, want the un-run instruction",
                  (unsigned long long)t_reg(m, EMU_A64_ELR_EL1));
    emu_close(m);
}
END_TEST

/* PSTATE.I set when it becomes pending: the IRQ waits (ISR_EL1.I shows it pending), and is taken right
 * after the MSR that unmasks it. */
START_TEST(masked_until_daifclr)
{
    t_trap_log log = { .n = 0 };
    const uint32_t extra[] = { I_ADD_X0_1, I_ADD_X0_1, I_MRS_X3_ISR, I_DAIFCLR_I, I_ADD_X0_1 };
    uint64_t loop_pc;
    emu_machine *m = load_program(&log, extra, 5, &loop_pc);
    inject(m, SPI_ENABLED, EMU_INJECT_AT_PC, RAM + 4 * GIC_SETUP_WORDS);
    run(m, "masked");
    expect_one_irq_at("masked", &log, RAM + 4 * (GIC_SETUP_WORDS + 4));
    ck_assert_msg(t_reg(m, EMU_A64_X3) == ISR_EL1_I, "masked: ISR_EL1 0x%llx, want I (0x80) while pending",
                  (unsigned long long)t_reg(m, EMU_A64_X3));
    ck_assert_msg(t_reg(m, EMU_A64_X0) == 2, "masked: %llu ADDs ran, want the 2 before the unmask",
                  (unsigned long long)t_reg(m, EMU_A64_X0));
    emu_close(m);
}
END_TEST

/* At a cycle: pending when the modelled clock reaches it, taken at that boundary. */
START_TEST(at_cycle_taken_when_the_clock_reaches_it)
{
    t_trap_log log = { .n = 0 };
    const uint32_t extra[] = { I_DAIFCLR_I };
    uint64_t loop_pc;
    emu_machine *m = load_program(&log, extra, 1, &loop_pc);
    const uint64_t at = 60;
    inject(m, SPI_ENABLED, EMU_INJECT_AT_CYCLE, at);
    run(m, "at cycle");
    expect_one_irq_at("at cycle", &log, loop_pc);
    ck_assert_msg(log.recs[0].cycle_start >= at, "at cycle: taken at cycle %llu, before %llu",
                  (unsigned long long)log.recs[0].cycle_start, (unsigned long long)at);
    ck_assert_msg(t_reg(m, EMU_A64_X1) == SPI_ENABLED, "at cycle: GICC_IAR read %llu",
                  (unsigned long long)t_reg(m, EMU_A64_X1));
    emu_close(m);
}
END_TEST

/* An INTID the distributor has not enabled is pending and nothing more (GICD_ISPENDR1 shows it). */
START_TEST(disabled_intid_stays_pending)
{
    t_trap_log log = { .n = 0 };
    const uint32_t extra[] = { I_DAIFCLR_I, I_ADD_X0_1, I_LDR_ISPENDR1 };
    uint64_t loop_pc;
    emu_machine *m = load_program(&log, extra, 3, &loop_pc);
    inject(m, SPI_DISABLED, EMU_INJECT_AT_PC, RAM + 4 * (GIC_SETUP_WORDS + 1));
    run(m, "disabled");
    ck_assert_msg(log.n == 0, "disabled: %u records, want none", log.n);
    ck_assert_msg(t_reg(m, EMU_A64_X2) & (1u << (SPI_DISABLED - 32)), "disabled: GICD_ISPENDR1 0x%llx lacks INTID %u",
                  (unsigned long long)t_reg(m, EMU_A64_X2), SPI_DISABLED);
    emu_close(m);
}
END_TEST

static emu_err try_inject(emu_machine *m, bool nmi, unsigned intid)
{
    emu_injection inj = { .nmi = nmi, .intid = (uint16_t)intid, .when = EMU_INJECT_AT_CYCLE, .at = 1000 };
    return emu_inject(m, &inj);
}

/* What the GIC has: PPIs 16-31 and SPIs up to GICD_TYPER's limit; no SGIs, no NMI. */
START_TEST(refused_requests)
{
    emu_machine *m = virt_machine(2, NULL);
    ck_assert_msg(try_inject(m, true, 0) == EMU_ERR_UNSUPPORTED, "an NMI on AArch64 is refused as unsupported");
    ck_assert_msg(try_inject(m, false, 5) == EMU_ERR_INVALID_ARG, "an SGI is refused");
    ck_assert_msg(try_inject(m, false, 16) == EMU_OK, "PPI 16 is injectable");
    ck_assert_msg(try_inject(m, false, 287) == EMU_OK, "SPI 287 is the last on GICv2");
    ck_assert_msg(try_inject(m, false, 288) == EMU_ERR_INVALID_ARG, "INTID 288 is past GICv2's limit");
    emu_close(m);
    m = virt_machine(3, NULL);
    ck_assert_msg(try_inject(m, false, 255) == EMU_OK, "SPI 255 is the last on GICv3");
    ck_assert_msg(try_inject(m, false, 256) == EMU_ERR_INVALID_ARG, "INTID 256 is past GICv3's limit");
    emu_close(m);
}
END_TEST

static Suite *inject_suite(void)
{
    Suite *s = suite_create("virt inject");
    TCase *tc = tcase_create("inject");
    tcase_add_test(tc, at_pc_taken_before_that_instruction);
    tcase_add_test(tc, masked_until_daifclr);
    tcase_add_test(tc, at_cycle_taken_when_the_clock_reaches_it);
    tcase_add_test(tc, disabled_intid_stays_pending);
    tcase_add_test(tc, refused_requests);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return t_run_suite(inject_suite());
}
