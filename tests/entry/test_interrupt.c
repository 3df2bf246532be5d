/*
 * Accepting NMIs and maskable interrupts at instruction boundaries (SDM vol.
 * 3, 6.7, 6.8, 6.9), requested deterministically through emu_inject: NMI
 * blocking until IRET, IF and the STI / MOV SS shadows, NMI before INTR,
 * HLT that sleeps until an interrupt, and external vectors that push no
 * error code and set EXT in the error codes of faults they cause.
 */
#include <check.h>
#include <string.h>

#include "emu_test.h"

#define IDT_ADDR   0x12000ull
#define HANDLERS   0x20000ull   /* vector v's handler at HANDLERS + 16 * v */
#define COUNTERS   0x30000ull   /* vector v's handler increments the qword at COUNTERS + 8 * v */
#define SEL_KCODE  0x08
#define GATE_INT   0xe
#define IF         (1ull << 9)
#define BODY       T_CODE_ADDR

static void poke(emu_machine *m, uint64_t pa, const void *p, size_t n)
{
    ck_assert_msg(emu_mem_write_phys(m, pa, p, n) == EMU_OK, "write 0x%llx", (unsigned long long)pa);
}

static uint64_t peek64(emu_machine *m, uint64_t pa)
{
    uint64_t v = 0;
    ck_assert_msg(emu_mem_read_phys(m, pa, &v, 8) == EMU_OK, "read 0x%llx", (unsigned long long)pa);
    return v;
}

static void set_gate(emu_machine *m, unsigned vector, bool present)
{
    uint64_t offset = HANDLERS + 16ull * vector;
    uint64_t g[2] = {
        (offset & 0xffff) | (uint64_t)SEL_KCODE << 16 | (uint64_t)GATE_INT << 40 | (uint64_t)present << 47 |
            ((offset >> 16) & 0xffff) << 48,
        offset >> 32,
    };
    poke(m, IDT_ADDR + 16ull * vector, g, sizeof g);
}

/* Every handler counts its deliveries and returns: inc qword [COUNTERS + 8 * v]; iretq. */
static void counting_handler(emu_machine *m, unsigned vector)
{
    uint32_t counter = (uint32_t)(COUNTERS + 8ull * vector);
    uint8_t code[10] = { 0x48, 0xff, 0x04, 0x25, 0, 0, 0, 0, 0x48, 0xcf };
    memcpy(code + 4, &counter, 4);
    poke(m, HANDLERS + 16ull * vector, code, sizeof code);
}

/* A 64-bit machine at CPL 0 (the ELF64 entry state) with an IDT of counting handlers; body at BODY. */
static emu_machine *machine(t_trap_log *log, const uint8_t *body, size_t len, bool interrupts_enabled)
{
    emu_options opts;
    emu_options_init(&opts);
    opts.arch = EMU_ARCH_X86_64;
    emu_machine *m = NULL;
    ck_assert(emu_create(&opts, &m) == EMU_OK);
    for (unsigned v = 0; v < 256; v++) {
        counting_handler(m, v);
        set_gate(m, v, true);
    }
    t_set_reg(m, EMU_X86_IDTR_BASE, IDT_ADDR);
    t_set_reg(m, EMU_X86_IDTR_LIMIT, 256 * 16 - 1);
    t_load_code(m, body, len);
    t_set_reg(m, EMU_X86_RFLAGS, 0x2 | (interrupts_enabled ? IF : 0));
    t_trap_log_attach(m, log);
    return m;
}

static void inject(emu_machine *m, bool nmi, unsigned vector, emu_inject_when when, uint64_t at)
{
    emu_injection inj = { .nmi = nmi, .vector = (uint8_t)vector, .when = when, .at = at };
    ck_assert(emu_inject(m, &inj) == EMU_OK);
}

static void expect_record(const t_trap_log *log, unsigned i, emu_trap_kind kind, int vector, uint64_t from_pc,
                          const char *what)
{
    ck_assert_msg(log->n > i, "%s: want record %u, got %u records", what, i + 1, log->n);
    const emu_trap *t = &log->recs[i];
    ck_assert_msg(t->kind == kind && t->vector == vector && t->from_pc == from_pc,
                  "%s: record %u is %s vector %d from 0x%llx, want %s vector %d from 0x%llx", what, i + 1,
                  emu_trap_kind_name(t->kind), t->vector, (unsigned long long)t->from_pc, emu_trap_kind_name(kind),
                  vector, (unsigned long long)from_pc);
}

static emu_stop run_to_halt(emu_machine *m, const char *what)
{
    emu_stop stop;
    ck_assert(emu_run(m, 1000, &stop) == EMU_OK);
    ck_assert_msg(stop.kind == EMU_STOP_HALT, "%s: want a halt, got %s: %s", what, emu_stop_kind_name(stop.kind),
                  stop.message);
    return stop;
}

START_TEST(nmi_at_pc_is_taken_before_that_instruction)
{
    t_trap_log log;
    static const uint8_t body[] = { 0x90, 0x90, 0xf4 };    /* nop; nop; hlt */
    emu_machine *m = machine(&log, body, sizeof body, false);
    inject(m, true, 0, EMU_INJECT_AT_PC, BODY + 1);
    run_to_halt(m, "NMI at the second nop");
    expect_record(&log, 0, EMU_TRAP_NMI, 2, BODY + 1, "NMI before the second nop");
    ck_assert_msg(!strcmp(log.recs[0].source, "injected"), "NMI source: got '%s'", log.recs[0].source);
    ck_assert_msg(!log.recs[0].has_error_code, "NMI pushes no error code");
    expect_record(&log, 1, EMU_TRAP_RETURN, -1, HANDLERS + 16 * 2 + 8, "IRETQ from the NMI handler");
    ck_assert_msg(peek64(m, COUNTERS + 8 * 2) == 1, "NMI handler ran once");
    emu_close(m);
}
END_TEST

START_TEST(nmi_is_blocked_until_iret)
{
    t_trap_log log;
    static const uint8_t body[] = { 0x90, 0x90, 0xf4 };
    emu_machine *m = machine(&log, body, sizeof body, false);
    inject(m, true, 0, EMU_INJECT_AT_PC, BODY + 1);
    /* A second NMI while the first handler runs: latched, taken after its IRETQ, not nested. */
    inject(m, true, 0, EMU_INJECT_AT_PC, HANDLERS + 16 * 2 + 8);
    run_to_halt(m, "two NMIs");
    expect_record(&log, 0, EMU_TRAP_NMI, 2, BODY + 1, "first NMI");
    expect_record(&log, 1, EMU_TRAP_RETURN, -1, HANDLERS + 16 * 2 + 8, "first NMI's IRETQ (not interrupted)");
    expect_record(&log, 2, EMU_TRAP_NMI, 2, BODY + 1, "second NMI, right after the IRETQ");
    expect_record(&log, 3, EMU_TRAP_RETURN, -1, HANDLERS + 16 * 2 + 8, "second NMI's IRETQ");
    ck_assert_msg(log.n == 4, "two NMIs and two returns, got %u records", log.n);
    emu_close(m);
}
END_TEST

START_TEST(intr_waits_for_if_and_the_sti_shadow)
{
    t_trap_log log;
    /* nop; sti; nop; nop; cli; hlt */
    static const uint8_t body[] = { 0x90, 0xfb, 0x90, 0x90, 0xfa, 0xf4 };
    emu_machine *m = machine(&log, body, sizeof body, false);
    inject(m, false, 0x40, EMU_INJECT_AT_PC, BODY);
    run_to_halt(m, "interrupt requested with IF = 0");
    /* STI at BODY+1 sets IF; the nop after it runs in the shadow; the interrupt comes before BODY+3. */
    expect_record(&log, 0, EMU_TRAP_INTERRUPT, 0x40, BODY + 3, "interrupt after STI's shadow");
    ck_assert_msg(!strcmp(log.recs[0].source, "injected"), "interrupt source: got '%s'", log.recs[0].source);
    ck_assert_msg(peek64(m, COUNTERS + 8 * 0x40) == 1, "vector 0x40 handler ran once");
    emu_close(m);
}
END_TEST

START_TEST(mov_ss_shadow_holds_an_nmi)
{
    t_trap_log log;
    /* mov ax, ss; mov ss, ax; nop; nop; hlt */
    static const uint8_t body[] = { 0x8c, 0xd0, 0x8e, 0xd0, 0x90, 0x90, 0xf4 };
    emu_machine *m = machine(&log, body, sizeof body, false);
    inject(m, true, 0, EMU_INJECT_AT_PC, BODY + 4);
    run_to_halt(m, "NMI after MOV SS");
    expect_record(&log, 0, EMU_TRAP_NMI, 2, BODY + 5, "NMI one instruction after MOV SS");
    emu_close(m);
}
END_TEST

START_TEST(nmi_comes_before_intr)
{
    t_trap_log log;
    static const uint8_t body[] = { 0x90, 0x90, 0xfa, 0xf4 };  /* nop; nop; cli; hlt */
    emu_machine *m = machine(&log, body, sizeof body, true);
    inject(m, false, 0x41, EMU_INJECT_AT_PC, BODY + 1);
    inject(m, true, 0, EMU_INJECT_AT_PC, BODY + 1);
    run_to_halt(m, "NMI and INTR together");
    expect_record(&log, 0, EMU_TRAP_NMI, 2, BODY + 1, "NMI first (table 6-2)");
    /* The NMI's interrupt gate cleared IF; IRETQ restores it, then INTR is accepted. */
    expect_record(&log, 1, EMU_TRAP_RETURN, -1, HANDLERS + 16 * 2 + 8, "NMI handler returns");
    expect_record(&log, 2, EMU_TRAP_INTERRUPT, 0x41, BODY + 1, "then the interrupt");
    emu_close(m);
}
END_TEST

START_TEST(hlt_sleeps_until_an_interrupt_at_a_cycle)
{
    t_trap_log log;
    static const uint8_t body[] = { 0xf4, 0xfa, 0xf4 };        /* hlt; cli; hlt */
    emu_machine *m = machine(&log, body, sizeof body, true);
    inject(m, false, 0x50, EMU_INJECT_AT_CYCLE, 5000);
    emu_stop stop = run_to_halt(m, "HLT woken by an interrupt");
    expect_record(&log, 0, EMU_TRAP_INTERRUPT, 0x50, BODY + 1, "the interrupt saves the RIP after HLT");
    ck_assert_msg(log.recs[0].cycle_start >= 5000, "delivered at cycle %llu, want >= 5000",
                  (unsigned long long)log.recs[0].cycle_start);
    ck_assert_msg(stop.pc == BODY + 2, "final stop at the second HLT, got 0x%llx", (unsigned long long)stop.pc);
    ck_assert_msg(strstr(stop.message, "interrupts disabled"), "final HLT message: %s", stop.message);
    emu_close(m);
}
END_TEST

START_TEST(hlt_with_nothing_to_wake_it_stops)
{
    t_trap_log log;
    static const uint8_t body[] = { 0xf4 };
    emu_machine *m = machine(&log, body, sizeof body, true);
    emu_stop stop = run_to_halt(m, "HLT with IF = 1 and no source");
    ck_assert_msg(strstr(stop.message, "no timer armed"), "message names why: %s", stop.message);
    ck_assert_msg(log.n == 0, "no deliveries, got %u", log.n);
    emu_close(m);
}
END_TEST

START_TEST(external_vector_14_pushes_no_error_code)
{
    t_trap_log log;
    static const uint8_t body[] = { 0x90, 0xfa, 0xf4 };
    emu_machine *m = machine(&log, body, sizeof body, true);
    static const uint8_t halt[] = { 0xf4 };
    poke(m, HANDLERS + 16 * 14, halt, sizeof halt);
    inject(m, false, 14, EMU_INJECT_AT_PC, BODY + 1);
    run_to_halt(m, "external interrupt with vector 14");
    expect_record(&log, 0, EMU_TRAP_INTERRUPT, 14, BODY + 1, "vector 14 as an external interrupt");
    ck_assert_msg(!log.recs[0].has_error_code, "an external interrupt pushes no error code, even vector 14");
    uint64_t rsp = t_reg(m, EMU_X86_RSP);
    ck_assert_msg(peek64(m, rsp) == BODY + 1, "the frame starts with RIP, got 0x%llx",
                  (unsigned long long)peek64(m, rsp));
    emu_close(m);
}
END_TEST

START_TEST(fault_delivering_an_external_interrupt_sets_ext)
{
    t_trap_log log;
    static const uint8_t body[] = { 0x90, 0xfa, 0xf4 };
    emu_machine *m = machine(&log, body, sizeof body, true);
    static const uint8_t halt[] = { 0xf4 };
    poke(m, HANDLERS + 16 * 11, halt, sizeof halt);
    set_gate(m, 0x41, false);
    inject(m, false, 0x41, EMU_INJECT_AT_PC, BODY + 1);
    run_to_halt(m, "interrupt through a not-present gate");
    /* #NP(vector * 8 + IDT + EXT) (SDM vol. 3, 6.13). */
    expect_record(&log, 0, EMU_TRAP_FAULT, 11, BODY + 1, "#NP from the interrupt's gate");
    ck_assert_msg(log.recs[0].has_error_code && log.recs[0].error_code == 0x41 * 8 + 2 + 1,
                  "#NP error code 0x%x, want 0x%x", log.recs[0].error_code, 0x41 * 8 + 3);
    ck_assert_msg(strstr(log.recs[0].escalation, "interrupt 0x41 -> #NP"), "escalation names the interrupt: %s",
                  log.recs[0].escalation);
    emu_close(m);
}
END_TEST

START_TEST(inject_rejects_bad_requests)
{
    t_trap_log log;
    static const uint8_t body[] = { 0xf4 };
    emu_machine *m = machine(&log, body, sizeof body, false);
    emu_injection bad = { .nmi = true, .when = (emu_inject_when)7 };
    ck_assert_msg(emu_inject(m, &bad) == EMU_ERR_INVALID_ARG, "unknown WHEN is rejected");
    for (unsigned i = 0; i < 32; i++)
        inject(m, true, 0, EMU_INJECT_AT_CYCLE, 1000000 + i);
    emu_injection more = { .nmi = true, .when = EMU_INJECT_AT_CYCLE, .at = 5 };
    ck_assert_msg(emu_inject(m, &more) == EMU_ERR_INVALID_ARG, "the 33rd injection is refused");
    uint64_t v;
    ck_assert_msg(emu_symbol_lookup(m, "entry", &v) == EMU_ERR_INVALID_ARG, "no firmware, no symbols");
    emu_close(m);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("interrupt");
    TCase *tc = tcase_create("accept");
    tcase_add_test(tc, nmi_at_pc_is_taken_before_that_instruction);
    tcase_add_test(tc, nmi_is_blocked_until_iret);
    tcase_add_test(tc, intr_waits_for_if_and_the_sti_shadow);
    tcase_add_test(tc, mov_ss_shadow_holds_an_nmi);
    tcase_add_test(tc, nmi_comes_before_intr);
    tcase_add_test(tc, hlt_sleeps_until_an_interrupt_at_a_cycle);
    tcase_add_test(tc, hlt_with_nothing_to_wake_it_stops);
    tcase_add_test(tc, external_vector_14_pushes_no_error_code);
    tcase_add_test(tc, fault_delivering_an_external_interrupt_sets_ext);
    tcase_add_test(tc, inject_rejects_bad_requests);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
