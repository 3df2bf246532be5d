/*
 * The AArch64 run loop hands the interpreter runs of instructions
 * (a64_run_batch) and looks at interrupts, timers and stops only between
 * them. These cases check that it still acts at exactly the boundaries it
 * would one instruction at a time: each program runs once with emu_run and
 * once with as many emu_step calls (a batch of one each), and the trap
 * records, clock, instruction count and registers must agree. An interrupt
 * raised by a device write (GICD_SGIR) or a timer register write must be
 * taken before the next instruction, which the records show directly. Within
 * a run the interpreter reads a word it has executed before where it found
 * it last: code rewritten by a store, and a breakpoint armed on it, must
 * still be seen.
 */
#include <check.h>
#include <string.h>

#include "cpu/arm64/esr.h"
#include "emu/emu.h"
#include "emu_test.h"

#define RAM 0x40000000ull
#define VBAR (RAM + 0x800)          /* 2 KiB aligned */
#define SYNC_SLOT (VBAR + 0x200)    /* current EL with SP_ELx, synchronous */
#define IRQ_SLOT (VBAR + 0x280)     /* current EL with SP_ELx, IRQ */
#define SLOT_SYNC_SPX 4
#define STACK (RAM + 0x10000)
#define STEPS 200                   /* instructions each program is given: it ends in the handler's loop */

/* Encodings (GNU as, -march=armv8-a). */
#define I_ADD_X0_1 0x91000400u      /* add x0, x0, #1 */
#define I_B_SELF 0x14000000u        /* b . */

/* GICv2 with SGI 1 and the EL1 physical timer's PPI 30 enabled, IRQs unmasked. */
#define GIC_SETUP_WORDS 11
static const uint32_t gic_setup[GIC_SETUP_WORDS] = {
    0xd2a10005u, /* mov x5, #0x8000000: GICD */
    0x52800027u, /* mov w7, #1 */
    0xb90000a7u, /* str w7, [x5]: GICD_CTLR */
    0x52a80007u, /* mov w7, #0x40000000 */
    0x72800047u, /* movk w7, #2: INTIDs 30 and 1 */
    0xb90100a7u, /* str w7, [x5, #0x100]: GICD_ISENABLER0 */
    0xd2a10026u, /* mov x6, #0x8010000: GICC */
    0x52801fe7u, /* mov w7, #0xff */
    0xb90004c7u, /* str w7, [x6, #4]: GICC_PMR */
    0x52800027u, /* mov w7, #1 */
    0xb90000c7u, /* str w7, [x6]: GICC_CTLR */
};
#define I_DAIFCLR_I 0xd50342ffu     /* msr daifclr, #2 */

#define MAX_RECS 8
typedef struct trap_log {
    emu_trap recs[MAX_RECS];
    unsigned n;
} trap_log;

static void log_trap(void *ctx, const emu_trap *t)
{
    trap_log *l = ctx;
    if (l->n < MAX_RECS)
        l->recs[l->n++] = *t;
}

typedef struct outcome {
    trap_log log;
    uint64_t insns, cycles, pc, x[4];
} outcome;

/* Build the machine, load code at RAM (then `b .`) and the handlers (`b .`), and run STEPS
 * instructions in one emu_run or in STEPS emu_step calls. */
static void run_program(const char *name, const uint32_t *code, size_t n, bool stepped, outcome *out)
{
    memset(out, 0, sizeof *out);
    emu_options o;
    emu_options_init(&o);
    o.arch = EMU_ARCH_AARCH64;
    o.gic_version = 2;
    emu_machine *m = NULL;
    ck_assert_msg(emu_create(&o, &m) == EMU_OK, "%s: machine", name);
    emu_set_trap_hook(m, log_trap, &out->log);
    t_set_reg(m, EMU_A64_VBAR_EL1, VBAR);
    t_set_reg(m, EMU_A64_SP_EL1, STACK);
    const uint32_t loop = I_B_SELF;
    ck_assert_int_eq(emu_mem_write_phys(m, RAM, code, n * 4), EMU_OK);
    ck_assert_int_eq(emu_mem_write_phys(m, RAM + n * 4, &loop, 4), EMU_OK);
    ck_assert_int_eq(emu_mem_write_phys(m, SYNC_SLOT, &loop, 4), EMU_OK);
    ck_assert_int_eq(emu_mem_write_phys(m, IRQ_SLOT, &loop, 4), EMU_OK);
    emu_stop s;
    if (stepped) {
        for (unsigned i = 0; i < STEPS; i++) {
            ck_assert_msg(emu_step(m, &s) == EMU_OK && s.kind == EMU_STOP_NONE, "%s: step %u stopped: %s", name, i,
                          s.message);
        }
    } else {
        ck_assert_msg(emu_run(m, STEPS, &s) == EMU_OK && s.kind == EMU_STOP_INSN_LIMIT, "%s: run stopped: %s", name,
                      s.message);
    }
    out->insns = emu_insn_count(m);
    out->cycles = emu_cycle_count(m);
    out->pc = t_reg(m, EMU_A64_PC);
    const emu_reg xs[4] = { EMU_A64_X0, EMU_A64_X1, EMU_A64_X2, EMU_A64_X3 };
    for (unsigned i = 0; i < 4; i++)
        out->x[i] = t_reg(m, xs[i]);
    emu_close(m);
}

/* Run the program both ways and require the same outcome; the run's outcome in *out. */
static void run_both_ways(const char *name, const uint32_t *code, size_t n, outcome *out)
{
    outcome stepped;
    run_program(name, code, n, true, &stepped);
    run_program(name, code, n, false, out);
    ck_assert_msg(out->log.n == stepped.log.n, "%s: %u trap records run, %u stepped", name, out->log.n,
                  stepped.log.n);
    for (unsigned i = 0; i < out->log.n; i++) {
        const emu_trap *a = &out->log.recs[i], *b = &stepped.log.recs[i];
        ck_assert_msg(a->kind == b->kind && a->vector == b->vector && a->from_pc == b->from_pc &&
                      a->to_pc == b->to_pc && a->cycle_start == b->cycle_start && a->cycles == b->cycles,
                      "%s: record %u: run kind %d slot %d from 0x%llx at cycle %llu, stepped kind %d slot %d "
                      "from 0x%llx at cycle %llu", name, i, (int)a->kind, a->vector,
                      (unsigned long long)a->from_pc, (unsigned long long)a->cycle_start, (int)b->kind,
                      b->vector, (unsigned long long)b->from_pc, (unsigned long long)b->cycle_start);
    }
    ck_assert_msg(out->insns == stepped.insns && out->cycles == stepped.cycles,
                  "%s: run %llu instructions %llu cycles, stepped %llu instructions %llu cycles", name,
                  (unsigned long long)out->insns, (unsigned long long)out->cycles,
                  (unsigned long long)stepped.insns, (unsigned long long)stepped.cycles);
    ck_assert_msg(out->pc == stepped.pc, "%s: run ends at 0x%llx, stepped at 0x%llx", name,
                  (unsigned long long)out->pc, (unsigned long long)stepped.pc);
    for (unsigned i = 0; i < 4; i++)
        ck_assert_msg(out->x[i] == stepped.x[i], "%s: X%u is 0x%llx run, 0x%llx stepped", name, i,
                      (unsigned long long)out->x[i], (unsigned long long)stepped.x[i]);
}

/* The GIC setup, IRQs unmasked, the words that raise the interrupt, then eight ADDs. */
static size_t with_setup(uint32_t *code, const uint32_t *raise, size_t n_raise)
{
    size_t n = 0;
    for (size_t i = 0; i < GIC_SETUP_WORDS; i++)
        code[n++] = gic_setup[i];
    code[n++] = I_DAIFCLR_I;
    for (size_t i = 0; i < n_raise; i++)
        code[n++] = raise[i];
    for (unsigned i = 0; i < 8; i++)
        code[n++] = I_ADD_X0_1;
    return n;
}

static void expect_irq_before_first_add(const char *name, const outcome *o, size_t n_raise)
{
    uint64_t first_add = RAM + 4 * (GIC_SETUP_WORDS + 1 + n_raise);
    ck_assert_msg(o->log.n == 1 && o->log.recs[0].kind == EMU_TRAP_INTERRUPT, "%s: one interrupt (%u records)", name,
                  o->log.n);
    ck_assert_msg(o->log.recs[0].from_pc == first_add, "%s: taken at 0x%llx, want 0x%llx (right after the write)",
                  name, (unsigned long long)o->log.recs[0].from_pc, (unsigned long long)first_add);
    ck_assert_msg(o->x[0] == 0, "%s: %llu ADDs ran before the interrupt", name, (unsigned long long)o->x[0]);
}

/* A store to GICD_SGIR makes SGI 1 pending: the IRQ is taken at the next boundary. */
START_TEST(device_write_raising_an_irq_is_taken_next)
{
    const uint32_t raise[] = {
        0x52a04007u, /* mov w7, #0x02000000: TargetListFilter "this CPU" */
        0x72800027u, /* movk w7, #1: SGI 1 */
        0xb90f00a7u, /* str w7, [x5, #0xf00]: GICD_SGIR */
    };
    uint32_t code[64];
    size_t n = with_setup(code, raise, 3);
    outcome o;
    run_both_ways("GICD_SGIR", code, n, &o);
    expect_irq_before_first_add("GICD_SGIR", &o, 3);
}
END_TEST

/* Enabling the timer with CNTP_CVAL_EL0 already reached asserts its PPI from the MSR itself. */
START_TEST(timer_register_write_raising_an_irq_is_taken_next)
{
    const uint32_t raise[] = {
        0xd51be25fu, /* msr cntp_cval_el0, xzr */
        0xd2800023u, /* mov x3, #1 */
        0xd51be223u, /* msr cntp_ctl_el0, x3 */
    };
    uint32_t code[64];
    size_t n = with_setup(code, raise, 3);
    outcome o;
    run_both_ways("CNTP_CTL_EL0", code, n, &o);
    expect_irq_before_first_add("CNTP_CTL_EL0", &o, 3);
}
END_TEST

/* A timer deadline in the middle of straight-line code: the interrupt comes where stepping takes it. */
START_TEST(timer_deadline_falls_on_the_same_boundary)
{
    const uint32_t raise[] = {
        0xd2800061u, /* mov x1, #3: three counter ticks */
        0xd51be201u, /* msr cntp_tval_el0, x1 */
        0xd2800023u, /* mov x3, #1 */
        0xd51be223u, /* msr cntp_ctl_el0, x3 */
    };
    uint32_t code[128];
    size_t n = with_setup(code, raise, 4);
    while (n < 100)
        code[n++] = I_ADD_X0_1;
    outcome o;
    run_both_ways("timer deadline", code, n, &o);
    ck_assert_msg(o.log.n == 1 && o.log.recs[0].kind == EMU_TRAP_INTERRUPT, "timer deadline: one interrupt (%u)",
                  o.log.n);
    ck_assert_msg(o.x[0] > 0 && o.x[0] < n, "timer deadline: taken among the ADDs (X0 %llu)",
                  (unsigned long long)o.x[0]);
}
END_TEST

/* The counter read by MRS during a run is the clock as it stands at that instruction. */
START_TEST(counter_reads_see_the_clock_of_their_instruction)
{
    uint32_t code[64];
    size_t n = 0;
    for (unsigned i = 0; i < 10; i++)
        code[n++] = I_ADD_X0_1;
    code[n++] = 0xd53be022u;   /* mrs x2, cntpct_el0 */
    for (unsigned i = 0; i < 40; i++)   /* more cycles than a counter tick */
        code[n++] = I_ADD_X0_1;
    code[n++] = 0xd53be023u;   /* mrs x3, cntpct_el0 */
    outcome o;
    run_both_ways("CNTPCT_EL0", code, n, &o);
    ck_assert_msg(o.x[3] > o.x[2], "CNTPCT_EL0: the counter advanced over 41 instructions (0x%llx, 0x%llx)",
                  (unsigned long long)o.x[2], (unsigned long long)o.x[3]);
}
END_TEST

/* An instruction run twice (so its word is remembered), then rewritten by a store and run again. */
START_TEST(code_rewritten_within_a_run_runs_as_rewritten)
{
    const uint32_t code[] = {
        0xd2800042u, /* mov x2, #2 */
        0x91000400u, /* T: add x0, x0, #1 */
        0xf1000442u, /* subs x2, x2, #1 */
        0x54ffffc1u, /* b.ne T */
        0xb5000105u, /* cbnz x5, done */
        0xd2800025u, /* mov x5, #1 */
        0x10ffff63u, /* adr x3, T */
        0x52819004u, /* mov w4, #0xc80 */
        0x72ba5004u, /* movk w4, #0xd280, lsl #16: mov x0, #100 (another handler than ADD's) */
        0xb9000064u, /* str w4, [x3] */
        0xd2800022u, /* mov x2, #1 */
        0x17fffff6u, /* b T */
        /* done: b . (run_program's) */
    };
    outcome o;
    run_both_ways("rewritten code", code, sizeof code / 4, &o);
    ck_assert_msg(o.x[0] == 100, "rewritten code: X0 %llu, want 100 (the MOV written over the ADD)",
                  (unsigned long long)o.x[0]);
}
END_TEST

/* A hardware breakpoint on an instruction (EL1: MDSCR_EL1.MDE and KDE, the OS Lock cleared, PSTATE.D
 * clear) enabled by the MSR MDSCR_EL1 of the loop's third pass, when every instruction of the loop has
 * run twice (so its word is remembered): the next pass takes the Breakpoint exception (Arm ARM D2.8). */
START_TEST(breakpoint_armed_within_a_run_is_taken)
{
    const uint32_t code[] = {
        0x10000101u, /* adr x1, T */
        0xd5100081u, /* msr dbgbvr0_el1, x1 */
        0xd2803ce1u, /* mov x1, #0x1e7: E, PMC EL0 and EL1, BAS all four bytes */
        0xd51000a1u, /* msr dbgbcr0_el1, x1 */
        0xd510109fu, /* msr oslar_el1, xzr */
        0xd50348ffu, /* msr daifclr, #8 */
        0xd2940007u, /* mov x7, #0xa000: MDE | KDE */
        0xd2800062u, /* mov x2, #3 */
        0x91000400u, /* T: add x0, x0, #1 */
        0xf1000442u, /* subs x2, x2, #1 */
        0x9a9f00e6u, /* csel x6, x7, xzr, eq */
        0xd5100246u, /* msr mdscr_el1, x6 */
        0x17fffffcu, /* b T */
    };
    const uint64_t t = RAM + 8 * 4;
    outcome o;
    run_both_ways("breakpoint", code, sizeof code / 4, &o);
    ck_assert_msg(o.log.n == 1 && o.log.recs[0].vector == SLOT_SYNC_SPX, "breakpoint: one exception (%u records)",
                  o.log.n);
    ck_assert_msg(o.log.recs[0].from_pc == t && (o.log.recs[0].esr >> ESR_EC_SHIFT) == ESR_EC_BREAKPT_CUR,
                  "breakpoint: taken at 0x%llx with ESR 0x%x, want EC 0x31 (Breakpoint, same EL) at 0x%llx",
                  (unsigned long long)o.log.recs[0].from_pc, o.log.recs[0].esr, (unsigned long long)t);
    ck_assert_msg(o.x[0] == 3, "breakpoint: X0 %llu, want 3 (the fourth ADD does not run)", (unsigned long long)o.x[0]);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("virt_run_batches");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, device_write_raising_an_irq_is_taken_next);
    tcase_add_test(tc, timer_register_write_raising_an_irq_is_taken_next);
    tcase_add_test(tc, timer_deadline_falls_on_the_same_boundary);
    tcase_add_test(tc, counter_reads_see_the_clock_of_their_instruction);
    tcase_add_test(tc, code_rewritten_within_a_run_runs_as_rewritten);
    tcase_add_test(tc, breakpoint_armed_within_a_run_is_taken);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
