/*
 * AArch64 exception entry and return (Arm ARM D1.10, D1.11): the vector
 * offset for all sixteen slots, what entry writes (SPSR/ELR/ESR/FAR, PSTATE,
 * PC), routing of HVC, and ERET with each illegal-return case.
 */
#include <check.h>
#include <string.h>

#include "emu_test.h"
#include "cpu/arm64/a64.h"
#include "entry/arm64/entry.h"

#define VBAR1 0x40001000ull
#define VBAR2 0x40003000ull
#define STEP_COST 4u

static uint8_t ram[0x10000];
#define RAM_BASE 0x40000000ull

static a64_mem_status flat_access(void *ctx, const a64_access *acc, void *data, a64_mem_fault *fault)
{
    (void)ctx;
    if (acc->va < RAM_BASE || acc->va + acc->size > RAM_BASE + sizeof ram) {
        fault->fsc = ESR_FSC_SYNC_EXTERNAL;
        return A64_MEM_FAULT;
    }
    if (acc->kind == A64_ACC_WRITE)
        memcpy(ram + (acc->va - RAM_BASE), data, acc->size);
    else
        memcpy(data, ram + (acc->va - RAM_BASE), acc->size);
    return A64_MEM_OK;
}

static void cpu_at(a64_cpu *cpu, unsigned el, unsigned sp)
{
    a64_ops ops = { .access = flat_access };
    a64_cpu_init(cpu, &ops);
    cpu->pstate.el = (uint8_t)el;
    cpu->pstate.sp = (uint8_t)sp;
    cpu->pstate.daif = 0;
    cpu->pstate.nzcv = A64_NZCV_Z | A64_NZCV_C;
    cpu->sys.vbar_el1 = VBAR1;
    cpu->sys.vbar_el2 = VBAR2;
    cpu->sp_el[0] = 0x40008000;
    cpu->sp_el[1] = 0x4000c000;
    cpu->sp_el[2] = 0x4000e000;
    cpu->pc = 0x40000100;
}

static void check_sum(const emu_trap *rec, const char *what)
{
    uint64_t sum = 0;
    for (unsigned i = 0; i < rec->n_steps; i++)
        sum += rec->steps[i].cycles;
    ck_assert_msg(sum == rec->cycles && rec->n_steps > 0, "%s: steps sum to %llu, record says %llu", what,
                  (unsigned long long)sum, (unsigned long long)rec->cycles);
}

START_TEST(vector_offsets_all_sixteen)
{
    static const struct { unsigned from_el, sp, target; a64_exc_type type; uint32_t want; } cases[] = {
        { 1, 0, 1, A64_EXC_SYNC, 0x000 }, { 1, 0, 1, A64_EXC_IRQ, 0x080 },
        { 1, 0, 1, A64_EXC_FIQ, 0x100 }, { 1, 0, 1, A64_EXC_SERROR, 0x180 },
        { 1, 1, 1, A64_EXC_SYNC, 0x200 }, { 1, 1, 1, A64_EXC_IRQ, 0x280 },
        { 1, 1, 1, A64_EXC_FIQ, 0x300 }, { 1, 1, 1, A64_EXC_SERROR, 0x380 },
        { 0, 0, 1, A64_EXC_SYNC, 0x400 }, { 0, 0, 1, A64_EXC_IRQ, 0x480 },
        { 0, 0, 1, A64_EXC_FIQ, 0x500 }, { 0, 0, 1, A64_EXC_SERROR, 0x580 },
        { 1, 1, 2, A64_EXC_SYNC, 0x400 }, { 2, 1, 2, A64_EXC_IRQ, 0x280 },
        { 2, 0, 2, A64_EXC_FIQ, 0x100 }, { 0, 0, 2, A64_EXC_SERROR, 0x580 },
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint32_t got = a64_vector_offset(cases[i].from_el, cases[i].sp, cases[i].target, cases[i].type);
        ck_assert_msg(got == cases[i].want, "case %u: EL%u SP%u -> EL%u type %d: offset 0x%x, want 0x%x", i,
                      cases[i].from_el, cases[i].sp, cases[i].target, cases[i].type, got, cases[i].want);
    }
    ck_assert_msg(!strcmp(a64_vector_slot_name(0x400), "lower EL AArch64, synchronous"), "slot name 0x400");
    ck_assert_msg(!strcmp(a64_vector_slot_name(0x280), "current EL with SP_ELx, IRQ"), "slot name 0x280");
}
END_TEST

START_TEST(svc_from_el0_enters_el1_lower_slot)
{
    a64_cpu cpu;
    cpu_at(&cpu, 0, 0);
    a64_exception exc = { .ec = ESR_EC_SVC64, .il = true, .iss = 0x42, .preferred_return = 0x40000104 };
    a64_el_config cfg = { .el2 = false };
    unsigned target = a64_sync_target_el(&cpu, &cfg, &exc);
    ck_assert_msg(target == 1, "SVC from EL0 goes to EL1, got EL%u", target);
    emu_trap rec;
    a64_take_exception(&cpu, &exc, A64_EXC_SYNC, target, 100, STEP_COST, &rec);
    ck_assert_msg(cpu.pc == VBAR1 + 0x400, "PC 0x%llx, want VBAR_EL1 + 0x400", (unsigned long long)cpu.pc);
    ck_assert_msg(cpu.sys.esr_el1 == (0x15u << 26 | 1u << 25 | 0x42), "ESR_EL1 0x%llx",
                  (unsigned long long)cpu.sys.esr_el1);
    ck_assert_msg(cpu.sys.elr_el1 == 0x40000104, "ELR_EL1: the instruction after SVC");
    /* SPSR: Z and C set (bits 30, 29), DAIF clear, EL0t. */
    ck_assert_msg(cpu.sys.spsr_el1 == 0x60000000, "SPSR_EL1 0x%llx, want 0x60000000",
                  (unsigned long long)cpu.sys.spsr_el1);
    ck_assert_msg(cpu.pstate.el == 1 && cpu.pstate.sp == 1 && cpu.pstate.daif == 0xf,
                  "PSTATE on entry: EL1h with DAIF masked (EL%u SP%u DAIF 0x%x)", cpu.pstate.el, cpu.pstate.sp,
                  cpu.pstate.daif);
    ck_assert_msg(rec.kind == EMU_TRAP_SYSCALL && rec.arch == EMU_ARCH_AARCH64 && rec.vector == 8,
                  "record: kind %d arch %d slot %d", rec.kind, rec.arch, rec.vector);
    ck_assert_msg(rec.from_priv == 0 && rec.to_priv == 1 && rec.to_sp == 0x4000c000 && !strcmp(rec.stack, "SP_EL1"),
                  "record from EL%u to EL%u sp 0x%llx stack %s", rec.from_priv, rec.to_priv,
                  (unsigned long long)rec.to_sp, rec.stack);
    ck_assert_msg(rec.cycle_start == 100, "cycle_start");
    check_sum(&rec, "SVC");
}
END_TEST

START_TEST(data_abort_at_el1t_writes_far_and_uses_sp0_slot)
{
    a64_cpu cpu;
    cpu_at(&cpu, 1, 0);
    a64_exception exc = { .ec = ESR_EC_DABT_LOWER, .il = true, .iss = 0x47, .preferred_return = 0x40000100,
                          .far_valid = true, .far = 0xdead0000 };
    emu_trap rec;
    a64_take_exception(&cpu, &exc, A64_EXC_SYNC, 1, 0, STEP_COST, &rec);
    ck_assert_msg(cpu.pc == VBAR1 + 0x000, "EL1t takes the SP_EL0 group: PC 0x%llx", (unsigned long long)cpu.pc);
    ck_assert_msg((cpu.sys.esr_el1 >> 26) == ESR_EC_DABT_CUR, "an abort at EL1 taken to EL1 is DABT_CUR, got 0x%llx",
                  (unsigned long long)cpu.sys.esr_el1 >> 26);
    ck_assert_msg(cpu.sys.far_el1 == 0xdead0000 && rec.far_valid, "FAR_EL1 written");
    ck_assert_msg(cpu.sys.spsr_el1 == (0x60000000 | 1u << 2), "SPSR_EL1 says EL1t: 0x%llx",
                  (unsigned long long)cpu.sys.spsr_el1);
    ck_assert_msg(rec.kind == EMU_TRAP_FAULT, "an abort is a fault record");
}
END_TEST

START_TEST(irq_leaves_esr_and_returns_to_the_interrupted_pc)
{
    a64_cpu cpu;
    cpu_at(&cpu, 1, 1);
    cpu.sys.esr_el1 = 0x12345;
    emu_trap rec;
    a64_take_exception(&cpu, NULL, A64_EXC_IRQ, 1, 0, STEP_COST, &rec);
    ck_assert_msg(cpu.pc == VBAR1 + 0x280, "IRQ at EL1h: VBAR + 0x280, got 0x%llx", (unsigned long long)cpu.pc);
    ck_assert_msg(cpu.sys.esr_el1 == 0x12345, "IRQ does not write ESR_EL1");
    ck_assert_msg(cpu.sys.elr_el1 == 0x40000100, "ELR: the instruction not yet executed");
    ck_assert_msg(rec.kind == EMU_TRAP_INTERRUPT, "an IRQ record is an interrupt");
}
END_TEST

START_TEST(hvc_goes_to_el2_when_implemented)
{
    a64_cpu cpu;
    cpu_at(&cpu, 1, 1);
    a64_exception exc = { .ec = ESR_EC_HVC64, .il = true, .iss = 0, .preferred_return = 0x40000104 };
    a64_el_config with_el2 = { .el2 = true }, without = { .el2 = false };
    ck_assert_msg(a64_sync_target_el(&cpu, &with_el2, &exc) == 2, "HVC -> EL2 when EL2 exists");
    ck_assert_msg(a64_sync_target_el(&cpu, &without, &exc) == 1, "no EL2: stays with EL1 routing");
    emu_trap rec;
    a64_take_exception(&cpu, &exc, A64_EXC_SYNC, 2, 0, STEP_COST, &rec);
    ck_assert_msg(cpu.pc == VBAR2 + 0x400 && cpu.pstate.el == 2, "HVC from EL1 to EL2: lower-EL slot of VBAR_EL2");
    ck_assert_msg(cpu.sys.elr_el2 == 0x40000104 && (cpu.sys.esr_el2 >> 26) == ESR_EC_HVC64, "EL2 registers written");
    ck_assert_msg(cpu.sys.spsr_el2 == (0x60000000 | 1u << 2 | 1u), "SPSR_EL2 says EL1h: 0x%llx",
                  (unsigned long long)cpu.sys.spsr_el2);
}
END_TEST

START_TEST(eret_to_el0_restores_pstate)
{
    a64_cpu cpu;
    cpu_at(&cpu, 1, 1);
    cpu.sys.spsr_el1 = 0x80000000;      /* N, EL0t, DAIF clear */
    cpu.sys.elr_el1 = 0x40000200;
    cpu.excl_valid = true;
    a64_el_config cfg = { .el2 = false };
    emu_trap rec;
    a64_eret(&cpu, &cfg, 0, STEP_COST, &rec);
    ck_assert_msg(cpu.pc == 0x40000200 && cpu.pstate.el == 0 && cpu.pstate.sp == 0 && cpu.pstate.nzcv == A64_NZCV_N &&
                  cpu.pstate.daif == 0 && !cpu.pstate.il, "ERET to EL0t: PC 0x%llx EL%u", (unsigned long long)cpu.pc,
                  cpu.pstate.el);
    ck_assert_msg(!cpu.excl_valid, "ERET clears the exclusive monitor");
    ck_assert_msg(rec.kind == EMU_TRAP_RETURN && rec.escalation[0] == '\0' && rec.to_priv == 0, "record of the return");
    check_sum(&rec, "ERET");
}
END_TEST

START_TEST(illegal_returns_set_il_and_keep_el)
{
    static const struct { uint64_t spsr; bool el2; const char *what; } cases[] = {
        { 0x9, false, "to EL2h without EL2" },
        { 0x1, false, "to EL0 with SP_ELx" },
        { 0x10, false, "to AArch32" },
        { 0x6, false, "M[1] reserved" },
        { 0xd, true, "to EL3" },
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        a64_cpu cpu;
        cpu_at(&cpu, 1, 1);
        cpu.sys.spsr_el1 = cases[i].spsr | 0x40000000;  /* Z */
        cpu.sys.elr_el1 = 0x40000300;
        a64_el_config cfg = { .el2 = cases[i].el2 };
        emu_trap rec;
        a64_eret(&cpu, &cfg, 0, STEP_COST, &rec);
        ck_assert_msg(cpu.pstate.il && cpu.pstate.el == 1 && cpu.pstate.sp == 1,
                      "%s: PSTATE.IL set, EL1h kept (IL %u EL%u SP%u)", cases[i].what, cpu.pstate.il, cpu.pstate.el,
                      cpu.pstate.sp);
        ck_assert_msg(cpu.pc == 0x40000300 && cpu.pstate.nzcv == A64_NZCV_Z,
                      "%s: PC from ELR and NZCV from SPSR all the same", cases[i].what);
        ck_assert_msg(strstr(rec.escalation, "illegal exception return"), "%s: record says why: '%s'",
                      cases[i].what, rec.escalation);
        /* The next instruction takes the Illegal Execution state exception (EC 0x0E). */
        ck_assert_msg(a64_step(&cpu) == A64_EXCEPTION && cpu.exc.ec == ESR_EC_ILLEGAL_STATE,
                      "%s: next step raises EC 0x0E, got EC 0x%x", cases[i].what, cpu.exc.ec);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("arm64_entry");
    TCase *tc = tcase_create("vectors");
    tcase_add_test(tc, vector_offsets_all_sixteen);
    tcase_add_test(tc, svc_from_el0_enters_el1_lower_slot);
    tcase_add_test(tc, data_abort_at_el1t_writes_far_and_uses_sp0_slot);
    tcase_add_test(tc, irq_leaves_esr_and_returns_to_the_interrupted_pc);
    tcase_add_test(tc, hvc_goes_to_el2_when_implemented);
    tcase_add_test(tc, eret_to_el0_restores_pstate);
    tcase_add_test(tc, illegal_returns_set_il_and_keep_el);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
