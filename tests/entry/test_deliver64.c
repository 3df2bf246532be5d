/*
 * IA-32e exception and interrupt delivery, IRETQ, and escalation to #DF and
 * triple fault (SDM vol. 3, 6.14 and 6.15), driven by guest code on a bare
 * 64-bit machine with its own GDT, TSS and IDT. Handlers are "cli; hlt", so
 * each case stops in the handler with the frame on the stack to inspect.
 */
#include <check.h>
#include <string.h>

#include "emu_test.h"

#include "idt64_fixture.h"

START_TEST(ud_at_cpl0_uses_current_stack)
{
    t_trap_log log;
    emu_machine *m = machine(&log);
    static const uint8_t body[] = { 0x0f, 0x0b };   /* ud2 */
    poke(m, BODY_ADDR, body, sizeof body);
    run_to_handler(m, 6, "#UD");
    uint64_t rsp = T_STACK_TOP - 5 * 8;
    T_EXPECT_REG(m, EMU_X86_RSP, rsp, "#UD: five-slot frame on the current stack");
    T_EXPECT_REG(m, EMU_X86_CS, SEL_KCODE, "#UD: handler CS");
    ck_assert_msg(peek64(m, rsp) == BODY_ADDR, "#UD: saved RIP is the faulting ud2");
    ck_assert_msg(peek64(m, rsp + 8) == SEL_KCODE, "#UD: saved CS");
    ck_assert_msg(peek64(m, rsp + 16) == (0x2 | RF), "#UD: saved RFLAGS has RF set for a fault, got 0x%llx",
                  (unsigned long long)peek64(m, rsp + 16));
    ck_assert_msg(peek64(m, rsp + 24) == T_STACK_TOP, "#UD: saved RSP");
    ck_assert_msg(peek64(m, rsp + 32) == SEL_KDATA, "#UD: saved SS is the boot data selector");
    ck_assert_msg(log.n == 1 && log.recs[0].vector == 6 && log.recs[0].kind == EMU_TRAP_FAULT, "#UD: one record");
    ck_assert_msg(strcmp(log.recs[0].stack, "current") == 0, "#UD: stack reason '%s'", log.recs[0].stack);
    check_record_sums(&log.recs[0], "#UD");
    emu_close(m);
}
END_TEST

START_TEST(gp_error_code_and_ist_alignment)
{
    t_trap_log log;
    emu_machine *m = machine(&log);
    set_gate(m, 13, HANDLERS + 16 * 13, 1, GATE_INT, 0, true);
    static const uint8_t body[] = { 0x48, 0x8b, 0x03 };    /* mov rax, [rbx] */
    poke(m, BODY_ADDR, body, sizeof body);
    t_set_reg(m, EMU_X86_RBX, 0x8000000000000000ull);      /* non-canonical: #GP(0) */
    run_to_handler(m, 13, "#GP via IST1");
    uint64_t rsp = (IST1_TOP & ~0xfull) - 6 * 8;
    T_EXPECT_REG(m, EMU_X86_RSP, rsp, "#GP: IST1 aligned down to 16 bytes, six slots");
    ck_assert_msg(peek64(m, rsp) == 0, "#GP: error code 0");
    ck_assert_msg(peek64(m, rsp + 8) == BODY_ADDR, "#GP: saved RIP");
    ck_assert_msg(strcmp(log.recs[0].stack, "IST1") == 0, "#GP: stack reason '%s'", log.recs[0].stack);
    /* No privilege change: SS stays; only a privilege change loads a null SS (vol. 3, 6.14.4; QEMU nulls it). */
    T_EXPECT_REG(m, EMU_X86_SS, SEL_KDATA, "#GP via IST at CPL 0 keeps SS");
    ck_assert_msg(log.recs[0].has_error_code && log.recs[0].error_code == 0, "#GP: record error code");
    emu_close(m);
}
END_TEST

START_TEST(page_fault_sets_cr2)
{
    t_trap_log log;
    emu_machine *m = machine(&log);
    static const uint8_t body[] = { 0x48, 0x89, 0x03 };    /* mov [rbx], rax */
    poke(m, BODY_ADDR, body, sizeof body);
    t_set_reg(m, EMU_X86_RBX, 0x100000000ull);             /* 4 GiB: beyond the identity map */
    run_to_handler(m, 14, "#PF");
    T_EXPECT_REG(m, EMU_X86_CR2, 0x100000000ull, "#PF: CR2");
    uint64_t rsp = T_STACK_TOP - 6 * 8;
    ck_assert_msg(peek64(m, rsp) == 0x2, "#PF: error code W (not present, supervisor), got 0x%llx",
                  (unsigned long long)peek64(m, rsp));
    ck_assert_msg(log.recs[0].cr2 == 0x100000000ull, "#PF: record CR2");
    emu_close(m);
}
END_TEST

START_TEST(int_from_ring3_switches_to_rsp0)
{
    t_trap_log log;
    emu_machine *m = machine(&log);
    set_gate(m, 0x80, HANDLERS + 16 * 0x80, 0, GATE_TRAP, 3, true);
    static const uint8_t user[] = { 0xcd, 0x80 };           /* int 0x80 */
    to_ring3(m, user, sizeof user);
    run_to_handler(m, 0x80, "INT 0x80 from ring 3");
    ck_assert_msg(log.n == 2 && log.recs[0].kind == EMU_TRAP_RETURN && log.recs[0].to_priv == 3,
                  "IRETQ to ring 3 recorded as a return");
    const emu_trap *t = &log.recs[1];
    ck_assert_msg(t->kind == EMU_TRAP_SOFTWARE && t->from_priv == 3 && t->to_priv == 0, "INT 0x80: 3 -> 0");
    ck_assert_msg(strcmp(t->stack, "RSP0") == 0, "INT 0x80: stack reason '%s'", t->stack);
    uint64_t rsp = RSP0_TOP - 5 * 8;
    T_EXPECT_REG(m, EMU_X86_RSP, rsp, "INT 0x80: frame on TSS.RSP0");
    T_EXPECT_REG(m, EMU_X86_SS, 0, "INT 0x80: SS is the null selector with RPL 0");
    T_EXPECT_REG(m, EMU_X86_CPL, 0, "INT 0x80: CPL");
    ck_assert_msg(peek64(m, rsp) == 0x180002, "INT 0x80: saved RIP is the next instruction (a trap)");
    ck_assert_msg(peek64(m, rsp + 8) == SEL_UCODE, "INT 0x80: saved CS");
    ck_assert_msg(peek64(m, rsp + 16) == 0x202, "INT 0x80: saved RFLAGS without RF");
    ck_assert_msg(peek64(m, rsp + 24) == USER_RSP, "INT 0x80: saved RSP");
    ck_assert_msg(peek64(m, rsp + 32) == SEL_UDATA, "INT 0x80: saved SS");
    emu_close(m);
}
END_TEST

START_TEST(int_through_dpl0_gate_from_ring3_is_gp)
{
    t_trap_log log;
    emu_machine *m = machine(&log);
    static const uint8_t user[] = { 0xcd, 0x80 };           /* gate 0x80 keeps DPL 0 */
    to_ring3(m, user, sizeof user);
    run_to_handler(m, 13, "INT 0x80 through a DPL-0 gate");
    uint64_t rsp = RSP0_TOP - 6 * 8;
    ck_assert_msg(peek64(m, rsp) == 0x80 * 8 + 2, "#GP(vector*8+2): error code 0x%llx",
                  (unsigned long long)peek64(m, rsp));
    ck_assert_msg(peek64(m, rsp + 8) == 0x180000, "#GP: saved RIP is the INT instruction (a fault)");
    emu_close(m);
}
END_TEST

START_TEST(int3_and_iretq_return)
{
    t_trap_log log;
    emu_machine *m = machine(&log);
    static const uint8_t iretq[] = { 0x48, 0xcf };
    poke(m, HANDLERS + 16 * 3, iretq, sizeof iretq);
    static const uint8_t body[] = { 0xcc, 0x90, 0xfa, 0xf4 };   /* int3; nop; cli; hlt */
    poke(m, BODY_ADDR, body, sizeof body);
    emu_stop stop = t_run(m, 100);
    ck_assert_msg(stop.kind == EMU_STOP_HALT, "int3 round trip ends at hlt: %s", stop.message);
    ck_assert_msg(stop.pc == BODY_ADDR + 3, "after IRETQ, execution continues after int3 to the hlt at 0x%llx, "
                  "halted at 0x%llx", (unsigned long long)(BODY_ADDR + 3), (unsigned long long)stop.pc);
    T_EXPECT_REG(m, EMU_X86_RSP, T_STACK_TOP, "IRETQ restores RSP");
    ck_assert_msg(log.n == 2 && log.recs[1].kind == EMU_TRAP_RETURN && log.recs[1].to_pc == BODY_ADDR + 1,
                  "records: #BP then the return to the instruction after int3");
    check_record_sums(&log.recs[1], "IRETQ");
    emu_close(m);
}
END_TEST

START_TEST(not_present_gp_gate_double_faults)
{
    t_trap_log log;
    emu_machine *m = machine(&log);
    set_gate(m, 13, HANDLERS + 16 * 13, 0, GATE_INT, 0, false);
    set_gate(m, 8, HANDLERS + 16 * 8, 1, GATE_INT, 0, true);
    static const uint8_t body[] = { 0x48, 0x8b, 0x03 };    /* mov rax, [rbx]: #GP(0) */
    poke(m, BODY_ADDR, body, sizeof body);
    t_set_reg(m, EMU_X86_RBX, 0x8000000000000000ull);
    run_to_handler(m, 8, "#GP -> #NP -> #DF");
    uint64_t rsp = (IST1_TOP & ~0xfull) - 6 * 8;
    ck_assert_msg(peek64(m, rsp) == 0, "#DF pushes error code 0");
    const emu_trap *t = &log.recs[0];
    ck_assert_msg(t->vector == 8 && t->kind == EMU_TRAP_ABORT, "record for #DF (an abort), vector %d", t->vector);
    ck_assert_msg(strcmp(t->escalation, "#GP(0x0) -> #NP(0x6b) -> #DF") == 0, "escalation '%s'", t->escalation);
    emu_close(m);
}
END_TEST

START_TEST(empty_idt_triple_faults)
{
    t_trap_log log;
    emu_machine *m = machine(&log);
    t_set_reg(m, EMU_X86_IDTR_LIMIT, 0);
    static const uint8_t body[] = { 0x0f, 0x0b };           /* ud2 */
    poke(m, BODY_ADDR, body, sizeof body);
    emu_stop stop = t_run(m, 100);
    ck_assert_msg(stop.kind == EMU_STOP_SHUTDOWN, "want shutdown, got %s: %s", emu_stop_kind_name(stop.kind),
                  stop.message);
    ck_assert_msg(strstr(stop.message, "#UD -> #GP(0x33) -> #GP(0x6b) -> #DF -> #GP(0x43) -> triple fault"),
                  "the chain is named: %s", stop.message);
    emu_close(m);
}
END_TEST

START_TEST(bad_gate_type_is_gp)
{
    t_trap_log log;
    emu_machine *m = machine(&log);
    set_gate(m, 6, HANDLERS + 16 * 6, 0, 0x5, 0, true);     /* task gate: not valid in IA-32e mode */
    static const uint8_t body[] = { 0x0f, 0x0b };
    poke(m, BODY_ADDR, body, sizeof body);
    run_to_handler(m, 13, "#UD through a task gate");
    ck_assert_msg(peek64(m, T_STACK_TOP - 6 * 8) == 6 * 8 + 2 + 1, "#GP(vector*8+2+EXT)");
    emu_close(m);
}
END_TEST

START_TEST(break_on_exception_then_deliver)
{
    t_trap_log log;
    emu_machine *m = machine_with(&log, true);
    static const uint8_t body[] = { 0x0f, 0x0b };           /* ud2 */
    poke(m, BODY_ADDR, body, sizeof body);
    emu_stop stop;
    ck_assert(emu_run(m, 100, &stop) == EMU_OK);
    ck_assert_msg(stop.kind == EMU_STOP_EXCEPTION && stop.vector == 6 && stop.pc == BODY_ADDR,
                  "break before delivering #UD: %s", stop.message);
    ck_assert_msg(log.n == 0, "nothing delivered yet");
    t_step_n(m, 1, "a step delivers the held #UD");
    T_EXPECT_REG(m, EMU_X86_RIP, HANDLERS + 16 * 6, "the step ends at the handler's first instruction");
    ck_assert_msg(log.n == 1, "delivered by the step");
    t_step_n(m, 1, "cli");
    run_to_handler(m, 6, "then the handler runs");
    ck_assert_msg(log.n == 1 && log.recs[0].vector == 6, "one record after resuming");
    emu_close(m);
    /* emu_run also delivers a held exception, then goes on. */
    m = machine_with(&log, true);
    poke(m, BODY_ADDR, body, sizeof body);
    ck_assert(emu_run(m, 100, &stop) == EMU_OK && stop.kind == EMU_STOP_EXCEPTION);
    run_to_handler(m, 6, "emu_run delivers the held #UD and runs the handler");
    emu_close(m);
}
END_TEST

/* IRETQ at CPL 0 with this frame must raise #GP(error), delivered on the current stack. */
static void iretq_faults(const uint64_t frame[5], uint64_t error, const char *what)
{
    t_trap_log log;
    emu_machine *m = machine(&log);
    static const uint8_t iretq[] = { 0x48, 0xcf };
    poke(m, BODY_ADDR, iretq, sizeof iretq);
    poke(m, T_STACK_TOP - 40, frame, 40);
    t_set_reg(m, EMU_X86_RSP, T_STACK_TOP - 40);
    run_to_handler(m, 13, what);
    uint64_t rsp = ((T_STACK_TOP - 40) & ~0xfull) - 6 * 8;
    ck_assert_msg(peek64(m, rsp) == error, "%s: error code want 0x%llx got 0x%llx", what,
                  (unsigned long long)error, (unsigned long long)peek64(m, rsp));
    ck_assert_msg(peek64(m, rsp + 8) == BODY_ADDR, "%s: saved RIP is the IRETQ", what);
    ck_assert_msg(log.n == 1 && log.recs[0].vector == 13, "%s: only the #GP is recorded", what);
    emu_close(m);
}

START_TEST(iretq_checks)
{
    const uint64_t null_ss[5] = { 0x180000, SEL_UCODE, 0x2, USER_RSP, 0 };
    iretq_faults(null_ss, 0, "IRETQ to ring 3 with a null SS");
    const uint64_t wild_rip[5] = { 0x8000000000000000ull, SEL_KCODE, 0x2, T_STACK_TOP, SEL_KDATA };
    iretq_faults(wild_rip, 0, "IRETQ to a non-canonical RIP");
    const uint64_t data_cs[5] = { 0x180000, SEL_KDATA, 0x2, T_STACK_TOP, SEL_KDATA };
    iretq_faults(data_cs, SEL_KDATA, "IRETQ to a data segment as CS");
    const uint64_t ss_rpl[5] = { 0x180000, SEL_UCODE, 0x2, USER_RSP, SEL_KDATA };
    iretq_faults(ss_rpl, SEL_KDATA, "IRETQ to ring 3 with a ring-0 SS");
}
END_TEST

START_TEST(trap_storm_is_reported)
{
    t_trap_log log;
    emu_machine *m = machine(&log);
    /* #PF's handler lives on an unmapped page: fetching it faults again, forever. */
    set_gate(m, 14, 0x100000000ull, 1, GATE_INT, 0, true);  /* IST1: the stack does not creep */
    static const uint8_t body[] = { 0x48, 0x89, 0x03 };    /* mov [rbx], rax at 4 GiB */
    poke(m, BODY_ADDR, body, sizeof body);
    t_set_reg(m, EMU_X86_RBX, 0x100000000ull);
    emu_stop stop = t_run(m, 0);
    ck_assert_msg(stop.kind == EMU_STOP_ERROR && strstr(stop.message, "trap storm"),
                  "an endless #PF loop stops with a reason: %s", stop.message);
    emu_close(m);
}
END_TEST

/* The first #PF follows a retired NOP, so x86_run delivers it itself (exec.c); the count emu_run
 * reports must be the one it reaches when it delivers every one. */
START_TEST(trap_storm_count_after_a_retired_instruction)
{
    t_trap_log log;
    emu_machine *m = machine(&log);
    set_gate(m, 14, 0x100000000ull, 1, GATE_INT, 0, true);
    static const uint8_t body[] = { 0x90, 0x48, 0x89, 0x03 };  /* nop; mov [rbx], rax at 4 GiB */
    poke(m, BODY_ADDR, body, sizeof body);
    t_set_reg(m, EMU_X86_RBX, 0x100000000ull);
    emu_stop stop = t_run(m, 0);
    ck_assert_msg(stop.kind == EMU_STOP_ERROR && strstr(stop.message, "trap storm: 100000 exceptions delivered"),
                  "the storm after a retired instruction counts 100000 deliveries: %s", stop.message);
    ck_assert_msg(log.n == 100000, "the storm after a retired instruction recorded %u deliveries, not 100000", log.n);
    emu_close(m);
}
END_TEST

START_TEST(instruction_breakpoint_pushes_rf_clear)
{
    t_trap_log log;
    emu_machine *m = machine(&log);
    static const uint8_t body[] = { 0x90 };
    poke(m, BODY_ADDR, body, sizeof body);
    t_set_reg(m, EMU_X86_DR0, BODY_ADDR);
    t_set_reg(m, EMU_X86_DR7, 0x1);                         /* L0, execute */
    run_to_handler(m, 1, "#DB from an instruction breakpoint");
    uint64_t rsp = T_STACK_TOP - 5 * 8;
    ck_assert_msg(peek64(m, rsp) == BODY_ADDR, "#DB: a fault, saved RIP at the breakpoint");
    ck_assert_msg(peek64(m, rsp + 16) == 0x2, "#DB: the one fault that pushes RF = 0 (18.3.1.1), got 0x%llx",
                  (unsigned long long)peek64(m, rsp + 16));
    emu_close(m);
}
END_TEST

START_TEST(rep_data_breakpoint_pushes_rf_set_and_resumes)
{
    t_trap_log log;
    emu_machine *m = machine(&log);
    static const uint8_t body[] = { 0xf3, 0xa4, 0xf4 };    /* rep movsb; hlt */
    poke(m, BODY_ADDR, body, sizeof body);
    /* #DB handler: r8 = saved RIP, r10 = saved RFLAGS, r9 counts, then IRETQ. */
    static const uint8_t handler[] = {
        0x4c, 0x8b, 0x04, 0x24,         /* mov r8, [rsp] */
        0x4c, 0x8b, 0x54, 0x24, 0x10,   /* mov r10, [rsp + 16] */
        0x49, 0xff, 0xc1,               /* inc r9 */
        0x48, 0xcf,                     /* iretq */
    };
    poke(m, HANDLERS + 16 * 1, handler, sizeof handler);
    static const uint8_t src[6] = { 1, 2, 3, 4, 5, 6 };
    poke(m, T_DATA_ADDR, src, sizeof src);
    t_set_reg(m, EMU_X86_RSI, T_DATA_ADDR);
    t_set_reg(m, EMU_X86_RDI, T_DATA_ADDR + 0x100);
    t_set_reg(m, EMU_X86_RCX, sizeof src);
    t_set_reg(m, EMU_X86_DR0, T_DATA_ADDR + 0x101);
    t_set_reg(m, EMU_X86_DR7, 0x1 | 1ull << 16);            /* L0, write, 1 byte */
    emu_stop stop = t_run(m, 1000);
    ck_assert_msg(stop.kind == EMU_STOP_HALT, "want the body's HLT after the resumed REP, got %s: %s",
                  emu_stop_kind_name(stop.kind), stop.message);
    ck_assert_msg(stop.pc == BODY_ADDR + 2, "halted at the HLT after the resumed REP: at 0x%llx, want 0x%llx",
                  (unsigned long long)stop.pc, (unsigned long long)(BODY_ADDR + 2));
    T_EXPECT_REG(m, EMU_X86_R9, 1, "one #DB, after the second iteration");
    T_EXPECT_REG(m, EMU_X86_R8, BODY_ADDR, "saved RIP: the REP instruction, iterations remaining");
    ck_assert_msg(t_reg(m, EMU_X86_R10) & RF, "a trap between REP iterations pushes RF = 1 (18.3.1.1), got 0x%llx",
                  (unsigned long long)t_reg(m, EMU_X86_R10));
    T_EXPECT_REG(m, EMU_X86_RCX, 0, "all iterations done");
    uint8_t dst[sizeof src];
    ck_assert(emu_mem_read_phys(m, T_DATA_ADDR + 0x100, dst, sizeof dst) == EMU_OK);
    ck_assert_msg(memcmp(dst, src, sizeof src) == 0, "every byte copied once the REP resumed");
    /* The records: the #DB (a trap from the REP) and the IRETQ. */
    ck_assert_msg(log.n >= 2, "want the #DB and IRETQ records, got %u", log.n);
    const emu_trap *db = &log.recs[log.n - 2];
    ck_assert_msg(db->vector == 1 && db->kind == EMU_TRAP_TRAP && db->from_pc == BODY_ADDR,
                  "#DB record: vector %u kind %d from 0x%llx", db->vector, db->kind,
                  (unsigned long long)db->from_pc);
    emu_close(m);
}
END_TEST

static Suite *deliver_suite(void)
{
    Suite *s = suite_create("deliver64");
    TCase *tc = tcase_create("deliver");
    tcase_add_test(tc, ud_at_cpl0_uses_current_stack);
    tcase_add_test(tc, gp_error_code_and_ist_alignment);
    tcase_add_test(tc, page_fault_sets_cr2);
    tcase_add_test(tc, int_from_ring3_switches_to_rsp0);
    tcase_add_test(tc, int_through_dpl0_gate_from_ring3_is_gp);
    tcase_add_test(tc, int3_and_iretq_return);
    tcase_add_test(tc, not_present_gp_gate_double_faults);
    tcase_add_test(tc, empty_idt_triple_faults);
    tcase_add_test(tc, bad_gate_type_is_gp);
    tcase_add_test(tc, break_on_exception_then_deliver);
    tcase_add_test(tc, iretq_checks);
    tcase_add_test(tc, trap_storm_is_reported);
    tcase_add_test(tc, trap_storm_count_after_a_retired_instruction);
    tcase_add_test(tc, instruction_breakpoint_pushes_rf_clear);
    tcase_add_test(tc, rep_data_breakpoint_pushes_rf_set_and_resumes);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return t_run_suite(deliver_suite());
}
