/*
 * The IA-32e delivery rules one by one (SDM vol. 3, 6.12, 6.14, 6.15, tables
 * 6-4 and 6-5): every failure on the way through a gate with its error code,
 * IST against RSP0, interrupt against trap gates, and which pairs of faults
 * become #DF. Handlers halt, so each case ends in the handler that the rule
 * says must run; the records name the chain.
 */
#include <check.h>
#include <string.h>

#include "emu_test.h"
#include "idt64_fixture.h"

#define UNMAPPED      0x8000000000ull   /* PML4[1] is not present in the boot map */
#define IST2_TOP      0x70000ull
#define TSS_IST2      0x2c

/* A gate whose code selector is `sel` (set_gate always uses the kernel code selector). */
static void set_gate_sel(emu_machine *m, unsigned vector, uint16_t sel, unsigned type, unsigned dpl)
{
    uint64_t offset = HANDLERS + 16ull * vector;
    uint64_t g[2] = {
        (offset & 0xffff) | (uint64_t)sel << 16 | (uint64_t)type << 40 | (uint64_t)dpl << 45 | 1ull << 47 |
            ((offset >> 16) & 0xffff) << 48,
        offset >> 32,
    };
    poke(m, IDT_ADDR + 16ull * vector, g, sizeof g);
}

static void set_ist2(emu_machine *m, uint64_t top)
{
    poke(m, TSS_ADDR + TSS_IST2, &top, sizeof top);
}

/* The error code on top of the frame of the handler that halted (RSP points at it). */
static uint64_t pushed_error(emu_machine *m)
{
    return peek64(m, t_reg(m, EMU_X86_RSP));
}

static const emu_trap *last_record(const t_trap_log *log)
{
    return &log->last;
}

/* INT 0x80 at CPL 0 through a gate prepared by the caller; body then halts. */
static void int80(emu_machine *m)
{
    static const uint8_t body[] = { 0xcd, 0x80 };
    poke(m, BODY_ADDR, body, sizeof body);
}

START_TEST(int_beyond_idt_limit_is_gp_with_idt_bit)
{
    t_trap_log log;
    emu_machine *m = machine(&log);
    t_set_reg(m, EMU_X86_IDTR_LIMIT, 16 * 0x40 - 1);    /* vectors 0-0x3f only */
    int80(m);
    run_to_handler(m, 13, "INT 0x80 beyond the IDT limit");
    ck_assert_msg(pushed_error(m) == 0x80 * 8 + 2, "#GP(0x80*8 + IDT), no EXT for INT n: 0x%llx",
                  (unsigned long long)pushed_error(m));
    emu_close(m);
}
END_TEST

START_TEST(gate_code_selector_failures)
{
    static const struct {
        uint16_t sel;
        unsigned want_vector;
        uint32_t want_error;
        const char *what;
    } cases[] = {
        { 0x0000, 13, 0x0, "null code selector: #GP(0)" },
        { 0x0018, 13, 0x18, "a data segment: #GP(selector)" },
        { 0x0010, 13, 0x10, "32-bit code in IA-32e mode: #GP(selector)" },
        { 0x0028, 13, 0x28, "code with DPL 3 > CPL 0: #GP(selector)" },
        { 0x0048, 13, 0x48, "beyond the GDT limit: #GP(selector)" },
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        t_trap_log log;
        emu_machine *m = machine(&log);
        set_gate_sel(m, 0x80, cases[i].sel, GATE_INT, 0);
        int80(m);
        run_to_handler(m, cases[i].want_vector, cases[i].what);
        ck_assert_msg(pushed_error(m) == cases[i].want_error, "%s: error code 0x%llx", cases[i].what,
                      (unsigned long long)pushed_error(m));
        ck_assert_msg(strstr(last_record(&log)->escalation, "INT 0x80 -> #GP"), "%s: chain '%s'", cases[i].what,
                      last_record(&log)->escalation);
        emu_close(m);
    }
}
END_TEST

START_TEST(not_present_code_segment_is_np)
{
    t_trap_log log;
    emu_machine *m = machine(&log);
    uint64_t absent = desc(0x1b, 0, 0x2) & ~(1ull << 47);   /* 64-bit code, P = 0 */
    poke(m, GDT_ADDR + 0x40, &absent, sizeof absent);      /* after the 16-byte TSS descriptor */
    t_set_reg(m, EMU_X86_GDTR_LIMIT, 0x47);
    set_gate_sel(m, 0x80, 0x40, GATE_INT, 0);
    int80(m);
    run_to_handler(m, 11, "handler code segment not present");
    ck_assert_msg(pushed_error(m) == 0x40, "#NP(selector): 0x%llx", (unsigned long long)pushed_error(m));
    emu_close(m);
}
END_TEST

START_TEST(non_canonical_handler_offset_is_gp0)
{
    t_trap_log log;
    emu_machine *m = machine(&log);
    uint64_t g[2] = { 0x0000ee0000080000ull, 0x00008000ull };  /* offset 0x0000800000000000 */
    poke(m, IDT_ADDR + 16 * 0x80, g, sizeof g);
    int80(m);
    run_to_handler(m, 13, "non-canonical handler offset");
    ck_assert_msg(pushed_error(m) == 0, "#GP(0): 0x%llx", (unsigned long long)pushed_error(m));
    emu_close(m);
}
END_TEST

START_TEST(rsp0_beyond_tss_limit_is_ts)
{
    t_trap_log log;
    emu_machine *m = machine(&log);
    set_gate(m, 0x80, HANDLERS + 16 * 0x80, 0, GATE_INT, 3, true);
    /* An available 64-bit TSS with limit 3: LTR loads it, and TSS.RSP0 (bytes 4-11) lies beyond it. */
    uint64_t small = 0x03 | (TSS_ADDR & 0xffffff) << 16 | 0x9ull << 40 | 1ull << 47 | (TSS_ADDR >> 24 & 0xff) << 56;
    poke(m, GDT_ADDR + SEL_TSS, &small, sizeof small);
    static const uint8_t user[] = { 0xcd, 0x80 };
    to_ring3(m, user, sizeof user);
    emu_stop stop = t_run(m, 100);
    /* #TS(TR selector); its own delivery from ring 3 needs RSP0 too, so it escalates to #DF and,
     * with #DF needing RSP0 as well, to a triple fault (6.14.5, table 6-5). */
    ck_assert_msg(stop.kind == EMU_STOP_SHUTDOWN, "want shutdown, got %s: %s", emu_stop_kind_name(stop.kind),
                  stop.message);
    ck_assert_msg(strstr(stop.message, "INT 0x80 -> #TS(0x30) -> #TS(0x31) -> #DF -> #TS(0x31) -> triple fault"),
                  "RSP0 beyond the TSS limit is #TS(TR selector), EXT after the first: %s", stop.message);
    emu_close(m);
}
END_TEST

START_TEST(ist_wins_over_rsp0_from_ring3)
{
    t_trap_log log;
    emu_machine *m = machine(&log);
    set_gate(m, 0x80, HANDLERS + 16 * 0x80, 1, GATE_INT, 3, true);
    static const uint8_t user[] = { 0xcd, 0x80 };
    to_ring3(m, user, sizeof user);
    run_to_handler(m, 0x80, "INT 0x80 from ring 3 through an IST gate");
    const emu_trap *t = last_record(&log);
    ck_assert_msg(!strcmp(t->stack, "IST1"), "IST1, not RSP0: '%s'", t->stack);
    T_EXPECT_REG(m, EMU_X86_RSP, (IST1_TOP & ~0xfull) - 5 * 8, "frame on IST1, aligned");
    T_EXPECT_REG(m, EMU_X86_SS, 0, "a privilege change still loads a null SS");
    emu_close(m);
}
END_TEST

START_TEST(trap_gate_keeps_if_interrupt_gate_clears_it)
{
    static const struct { unsigned type; bool if_after; const char *what; } cases[] = {
        { GATE_TRAP, true, "trap gate keeps IF" },
        { GATE_INT, false, "interrupt gate clears IF" },
    };
    for (unsigned i = 0; i < 2; i++) {
        t_trap_log log;
        emu_machine *m = machine(&log);
        static const uint8_t halt_only[] = { 0xf4 };          /* no CLI: the handler sees IF as delivered */
        poke(m, HANDLERS + 16 * 0x80, halt_only, sizeof halt_only);
        set_gate(m, 0x80, HANDLERS + 16 * 0x80, 0, cases[i].type, 0, true);
        int80(m);
        t_set_reg(m, EMU_X86_RFLAGS, 0x202);
        /* The handler HLTs with IF = 1 for the trap gate: nothing can wake it either way. */
        emu_stop stop = t_run(m, 100);
        ck_assert_msg(stop.kind == EMU_STOP_HALT && stop.pc == HANDLERS + 16 * 0x80, "%s: halted in the handler",
                      cases[i].what);
        bool if_set = (t_reg(m, EMU_X86_RFLAGS) & IF) != 0;
        ck_assert_msg(if_set == cases[i].if_after, "%s: IF = %d", cases[i].what, if_set);
        ck_assert_msg(peek64(m, T_STACK_TOP - 3 * 8) & IF, "%s: the pushed RFLAGS keeps IF = 1", cases[i].what);
        emu_close(m);
    }
}
END_TEST

/* Double-fault table 6-5: the first event's class against the second's. */
START_TEST(page_fault_during_page_fault_is_df)
{
    t_trap_log log;
    emu_machine *m = machine(&log);
    set_gate(m, 14, HANDLERS + 16 * 14, 2, GATE_INT, 0, true);  /* #PF on IST2 ... */
    set_ist2(m, UNMAPPED + 0x1000);                             /* ... which is not mapped */
    set_gate(m, 8, HANDLERS + 16 * 8, 1, GATE_INT, 0, true);
    static const uint8_t body[] = { 0x48, 0x8b, 0x03 };        /* mov rax, [rbx] */
    poke(m, BODY_ADDR, body, sizeof body);
    t_set_reg(m, EMU_X86_RBX, UNMAPPED);
    run_to_handler(m, 8, "#PF while delivering #PF");
    const emu_trap *t = last_record(&log);
    ck_assert_msg(t->vector == 8 && strstr(t->escalation, "#PF(0x0) -> #PF(0x2) -> #DF"), "chain '%s'",
                  t->escalation);
    emu_close(m);
}
END_TEST

START_TEST(contributory_during_page_fault_is_df)
{
    t_trap_log log;
    emu_machine *m = machine(&log);
    set_gate(m, 14, HANDLERS + 16 * 14, 0, GATE_INT, 0, false);
    set_gate(m, 8, HANDLERS + 16 * 8, 1, GATE_INT, 0, true);
    static const uint8_t body[] = { 0x48, 0x8b, 0x03 };
    poke(m, BODY_ADDR, body, sizeof body);
    t_set_reg(m, EMU_X86_RBX, UNMAPPED);
    run_to_handler(m, 8, "#NP while delivering #PF");
    ck_assert_msg(strstr(last_record(&log)->escalation, "#PF(0x0) -> #NP(0x73) -> #DF"), "chain '%s'",
                  last_record(&log)->escalation);
    emu_close(m);
}
END_TEST

START_TEST(page_fault_during_contributory_is_serial)
{
    t_trap_log log;
    emu_machine *m = machine(&log);
    set_gate(m, 13, HANDLERS + 16 * 13, 2, GATE_INT, 0, true);  /* #GP on an unmapped IST2 */
    set_ist2(m, UNMAPPED + 0x1000);
    static const uint8_t body[] = { 0x48, 0x8b, 0x03 };
    poke(m, BODY_ADDR, body, sizeof body);
    t_set_reg(m, EMU_X86_RBX, 0x8000000000000000ull);          /* non-canonical: #GP(0) */
    run_to_handler(m, 14, "#PF while delivering #GP");
    const emu_trap *t = last_record(&log);
    ck_assert_msg(t->vector == 14 && t->kind == EMU_TRAP_FAULT, "the #PF is delivered, not #DF: vector %d",
                  t->vector);
    ck_assert_msg(strstr(t->escalation, "#GP(0x0) -> #PF(0x2)") && !strstr(t->escalation, "#DF"), "chain '%s'",
                  t->escalation);
    T_EXPECT_REG(m, EMU_X86_CR2, UNMAPPED + 0x1000 - 8, "CR2: the first push of the #GP frame");
    emu_close(m);
}
END_TEST

START_TEST(contributory_during_benign_is_serial)
{
    t_trap_log log;
    emu_machine *m = machine(&log);
    set_gate(m, 6, HANDLERS + 16 * 6, 0, GATE_INT, 0, false);   /* #UD's gate not present */
    static const uint8_t body[] = { 0x0f, 0x0b };
    poke(m, BODY_ADDR, body, sizeof body);
    run_to_handler(m, 11, "#NP while delivering #UD");
    const emu_trap *t = last_record(&log);
    ck_assert_msg(t->vector == 11 && !strstr(t->escalation, "#DF"), "#UD is benign: #NP delivered, chain '%s'",
                  t->escalation);
    ck_assert_msg(pushed_error(m) == 6 * 8 + 2 + 1, "#NP(vector*8 + IDT + EXT): 0x%llx",
                  (unsigned long long)pushed_error(m));
    emu_close(m);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("gate_rules");
    TCase *tc = tcase_create("rules");
    tcase_add_test(tc, int_beyond_idt_limit_is_gp_with_idt_bit);
    tcase_add_test(tc, gate_code_selector_failures);
    tcase_add_test(tc, not_present_code_segment_is_np);
    tcase_add_test(tc, non_canonical_handler_offset_is_gp0);
    tcase_add_test(tc, rsp0_beyond_tss_limit_is_ts);
    tcase_add_test(tc, ist_wins_over_rsp0_from_ring3);
    tcase_add_test(tc, trap_gate_keeps_if_interrupt_gate_clears_it);
    tcase_add_test(tc, page_fault_during_page_fault_is_df);
    tcase_add_test(tc, contributory_during_page_fault_is_df);
    tcase_add_test(tc, page_fault_during_contributory_is_serial);
    tcase_add_test(tc, contributory_during_benign_is_serial);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
