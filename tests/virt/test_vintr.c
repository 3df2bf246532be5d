/*
 * Virtual interrupts (Arm ARM D1.3.4, HCR_EL2.VI/VF/VSE) on a machine entered
 * at EL2: EL2 code sets VBAR_EL1 and HCR_EL2 and ERETs to EL1 with a chosen
 * PSTATE.DAIF. A virtual IRQ, FIQ or SError is taken to EL1's current-EL
 * slot only while HCR_EL2 routes the physical kind to EL2 (IMO, FMO, AMO),
 * TGE is clear and PSTATE does not mask it; a masked one still wakes WFI;
 * taking the SError clears VSE, so it is taken once.
 */
#include <check.h>
#include <string.h>

#include "emu/emu.h"
#include "emu_test.h"

#define RAM T_A64_RAM
#define LOWER_CODE (RAM + 0x1000)
#define VBAR_EL1 (RAM + 0x2000)
#define VBAR_EL2 (RAM + 0x3000)
#define SLOT_CUR_SPX_IRQ 0x280u
#define SLOT_CUR_SPX_FIQ 0x300u
#define SLOT_CUR_SPX_SERROR 0x380u
#define STEPS 40

/* Encodings (GNU as, -march=armv8-a). */
static const uint32_t el2_prologue[] = {
    0xd51cc004u, /* msr vbar_el2, x4 */
    0xd518c008u, /* msr vbar_el1, x8 */
    0xd51c1101u, /* msr hcr_el2, x1 */
    0xd51c4002u, /* msr spsr_el2, x2 */
    0xd51c4023u, /* msr elr_el2, x3 */
    0xd5033fdfu, /* isb */
    0xd69f03e0u, /* eret */
};
#define I_NOP 0xd503201fu
#define I_WFI 0xd503207fu
#define I_ERET 0xd69f03e0u
#define I_B_SELF 0x14000000u

#define HCR_RW (1ull << 31)
#define HCR_FMO (1ull << 3)
#define HCR_IMO (1ull << 4)
#define HCR_AMO (1ull << 5)
#define HCR_VF (1ull << 6)
#define HCR_VI (1ull << 7)
#define HCR_VSE (1ull << 8)
#define HCR_TGE (1ull << 27)
#define SPSR_EL1H 0x5u
#define SPSR_A (1u << 8)
#define SPSR_I (1u << 7)
#define SPSR_F (1u << 6)
#define ESR_VIRTUAL_SERROR 0xbe000000u      /* EC 0x2F, IL 1, ISS 0 */

/* An EL2 machine whose prologue ERETs to EL1 at LOWER_CODE (lower[0..1], then a branch to itself). EL1's
 * vectors hold `handler` at each slot; EL2's loop. */
static emu_machine *machine(t_trap_log *log, uint64_t hcr, uint64_t spsr, uint32_t lower0, uint32_t handler)
{
    emu_machine *m = t_a64_el2_machine(log, el2_prologue, sizeof el2_prologue);
    const uint32_t lower[] = { lower0, I_NOP, I_B_SELF };
    const uint32_t loop = I_B_SELF;
    ck_assert_int_eq(emu_mem_write_phys(m, LOWER_CODE, lower, sizeof lower), EMU_OK);
    for (uint64_t slot = 0; slot < 0x800; slot += 0x80) {
        ck_assert_int_eq(emu_mem_write_phys(m, VBAR_EL1 + slot, &handler, 4), EMU_OK);
        ck_assert_int_eq(emu_mem_write_phys(m, VBAR_EL2 + slot, &loop, 4), EMU_OK);
    }
    t_set_reg(m, EMU_A64_X1, HCR_RW | hcr);
    t_set_reg(m, EMU_A64_X2, spsr);
    t_set_reg(m, EMU_A64_X3, LOWER_CODE);
    t_set_reg(m, EMU_A64_X4, VBAR_EL2);
    t_set_reg(m, EMU_A64_X8, VBAR_EL1);
    return m;
}

static emu_stop run(emu_machine *m)
{
    emu_stop s;
    ck_assert_int_eq(emu_run(m, STEPS, &s), EMU_OK);
    return s;
}

/* How many of the kept records of `kind` went to EL1's vector slot `slot`. */
static unsigned count_to(const t_trap_log *log, emu_trap_kind kind, uint32_t slot)
{
    unsigned n = 0;
    for (unsigned i = 0; i < log->n && i < T_TRAP_LOG_MAX; i++)
        n += log->recs[i].kind == kind && log->recs[i].to_priv == 1 && log->recs[i].to_pc == VBAR_EL1 + slot;
    return n;
}

START_TEST(which_virtual_interrupts_are_taken)
{
    static const struct {
        const char *name;
        uint64_t hcr, spsr;
        emu_trap_kind kind;
        uint32_t slot;
        unsigned taken;
    } cases[] = {
        { "VI with IMO, I clear", HCR_IMO | HCR_VI, SPSR_EL1H, EMU_TRAP_INTERRUPT, SLOT_CUR_SPX_IRQ, 1 },
        { "VI with IMO, I set", HCR_IMO | HCR_VI, SPSR_EL1H | SPSR_I, EMU_TRAP_INTERRUPT, SLOT_CUR_SPX_IRQ, 0 },
        { "VI without IMO", HCR_VI, SPSR_EL1H, EMU_TRAP_INTERRUPT, SLOT_CUR_SPX_IRQ, 0 },
        { "VI with IMO and TGE", HCR_IMO | HCR_VI | HCR_TGE, SPSR_EL1H, EMU_TRAP_INTERRUPT, SLOT_CUR_SPX_IRQ, 0 },
        { "VF with FMO, F clear", HCR_FMO | HCR_VF, SPSR_EL1H, EMU_TRAP_INTERRUPT, SLOT_CUR_SPX_FIQ, 1 },
        { "VF with FMO, F set", HCR_FMO | HCR_VF, SPSR_EL1H | SPSR_F, EMU_TRAP_INTERRUPT, SLOT_CUR_SPX_FIQ, 0 },
        { "VSE with AMO, A clear", HCR_AMO | HCR_VSE, SPSR_EL1H, EMU_TRAP_ABORT, SLOT_CUR_SPX_SERROR, 1 },
        { "VSE with AMO, A set", HCR_AMO | HCR_VSE, SPSR_EL1H | SPSR_A, EMU_TRAP_ABORT, SLOT_CUR_SPX_SERROR, 0 },
        { "VSE without AMO", HCR_VSE, SPSR_EL1H, EMU_TRAP_ABORT, SLOT_CUR_SPX_SERROR, 0 },
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        t_trap_log log;
        emu_machine *m = machine(&log, cases[i].hcr, cases[i].spsr, I_NOP, I_B_SELF);
        run(m);
        unsigned n = count_to(&log, cases[i].kind, cases[i].slot);
        ck_assert_msg(n == cases[i].taken, "%s: taken %u times at EL1, want %u", cases[i].name, n, cases[i].taken);
        if (n)
            ck_assert_msg(strstr(log.recs[1].source, "virtual") != NULL, "%s: record source '%s'", cases[i].name,
                          log.recs[1].source);
        emu_close(m);
    }
}
END_TEST

/* The virtual SError's syndrome, and VSE cleared when it is taken: the handler ERETs with A clear again
 * and the SError is not taken a second time. A virtual IRQ is a level: with the same handler it is
 * taken again after every return. */
START_TEST(virtual_serror_is_taken_once_virtual_irq_is_a_level)
{
    t_trap_log log;
    emu_machine *m = machine(&log, HCR_AMO | HCR_VSE, SPSR_EL1H, I_NOP, I_ERET);
    run(m);
    ck_assert_msg(count_to(&log, EMU_TRAP_ABORT, SLOT_CUR_SPX_SERROR) == 1, "virtual SError taken %u times, want 1",
                  count_to(&log, EMU_TRAP_ABORT, SLOT_CUR_SPX_SERROR));
    ck_assert_msg(log.recs[1].esr == ESR_VIRTUAL_SERROR && log.recs[1].from_pc == LOWER_CODE,
                  "virtual SError: ESR_EL1 0x%llx from 0x%llx, want 0x%x from the first EL1 instruction",
                  (unsigned long long)log.recs[1].esr, (unsigned long long)log.recs[1].from_pc, ESR_VIRTUAL_SERROR);
    T_EXPECT_REG(m, EMU_A64_ESR_EL1, ESR_VIRTUAL_SERROR, "ESR_EL1 after the virtual SError");
    emu_close(m);

    m = machine(&log, HCR_IMO | HCR_VI, SPSR_EL1H, I_NOP, I_ERET);
    run(m);
    ck_assert_msg(count_to(&log, EMU_TRAP_INTERRUPT, SLOT_CUR_SPX_IRQ) > 1,
                  "virtual IRQ with VI left set: taken %u times, want it again after each return",
                  count_to(&log, EMU_TRAP_INTERRUPT, SLOT_CUR_SPX_IRQ));
    emu_close(m);
}
END_TEST

/* WFI wakes on a pending virtual IRQ even while PSTATE.I masks it (D1.6.2): EL1 continues after it. */
START_TEST(masked_virtual_irq_wakes_wfi)
{
    t_trap_log log;
    emu_machine *m = machine(&log, HCR_IMO | HCR_VI, SPSR_EL1H | SPSR_I, I_WFI, I_B_SELF);
    emu_stop s = run(m);
    ck_assert_msg(s.kind == EMU_STOP_INSN_LIMIT, "WFI with a masked virtual IRQ: stop %d '%s', want it to wake",
                  (int)s.kind, s.message);
    ck_assert_msg(s.pc == LOWER_CODE + 8, "WFI with a masked virtual IRQ: pc 0x%llx, want the loop after it",
                  (unsigned long long)s.pc);
    emu_close(m);

    /* Without IMO no virtual IRQ exists, and nothing can wake the WFI. */
    m = machine(&log, HCR_VI, SPSR_EL1H | SPSR_I, I_WFI, I_B_SELF);
    s = run(m);
    ck_assert_msg(s.kind == EMU_STOP_HALT, "WFI with VI but no IMO: stop %d '%s', want a halt", (int)s.kind, s.message);
    emu_close(m);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("virt virtual interrupts");
    TCase *tc = tcase_create("vintr");
    tcase_add_test(tc, which_virtual_interrupts_are_taken);
    tcase_add_test(tc, virtual_serror_is_taken_once_virtual_irq_is_a_level);
    tcase_add_test(tc, masked_virtual_irq_wakes_wfi);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
