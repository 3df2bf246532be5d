/*
 * Debug-register breakpoints (SDM vol. 3, 18.2-18.3): execute breakpoints
 * fault before the instruction and are suppressed by RF; data breakpoints
 * trap after the instruction that wrote (or read, for R/W = 11) the watched
 * bytes, and I/O breakpoints (R/W = 10, CR4.DE = 1) after the one that
 * accessed a watched port; in a REP string instruction both trap after the
 * iteration that met them (18.3.1.2); DR6 says which; DR7.GD turns MOV DR
 * into #DB with DR6.BD. Machines break before delivery, so the stop shows
 * the #DB and its RIP.
 */
#include <check.h>
#include <string.h>

#include "emu_test.h"

#define VEC_DB 1
#define RF (1ull << 16)
#define DR7_L0 0x1ull
#define DR7_L1 0x4ull
#define DR7_GD (1ull << 13)
#define DR7_RW1_WRITE (1ull << 20)
#define DR7_RW1_RDWR (3ull << 20)
#define DR7_LEN1_4 (3ull << 22)
#define DR7_RW0_IO (2ull << 16)
#define DR7_RW1_IO (2ull << 20)
#define CR4_DE (1ull << 3)
#define RCX_COUNT 8
#define SRC (T_DATA_ADDR)
#define DST (T_DATA_ADDR + 0x100)

static emu_stop run(emu_machine *m)
{
    emu_stop stop;
    ck_assert(emu_run(m, 100, &stop) == EMU_OK);
    return stop;
}

START_TEST(execute_breakpoint_faults_before_and_rf_suppresses)
{
    static const uint8_t code[] = { 0x90, 0x90, 0xfa, 0xf4 };  /* nop; nop; cli; hlt */
    emu_machine *m = t_machine(EMU_X86_START_LONG64);
    t_load_code(m, code, sizeof code);
    t_set_reg(m, EMU_X86_DR0, T_CODE_ADDR + 1);
    t_set_reg(m, EMU_X86_DR7, DR7_L0);
    emu_stop stop = run(m);
    ck_assert_msg(stop.kind == EMU_STOP_EXCEPTION && stop.vector == VEC_DB, "#DB: %s", stop.message);
    T_EXPECT_REG(m, EMU_X86_RIP, T_CODE_ADDR + 1, "a fault: RIP at the breakpointed instruction");
    ck_assert_msg((t_reg(m, EMU_X86_DR6) & 0xf) == 0x1, "DR6.B0");
    /* Resume with RF set, as IRET from the handler would: the instruction runs once, then RF clears. */
    t_abandon_exception(m);
    t_set_reg(m, EMU_X86_RFLAGS, t_reg(m, EMU_X86_RFLAGS) | RF);
    stop = run(m);
    ck_assert_msg(stop.kind == EMU_STOP_HALT, "RF lets the instruction run: %s", stop.message);
    ck_assert_msg(!(t_reg(m, EMU_X86_RFLAGS) & RF), "RF clears after the instruction");
    emu_close(m);
}
END_TEST

START_TEST(data_breakpoint_traps_after_a_write)
{
    static const uint8_t code[] = {
        0x8b, 0x03,     /* mov eax, [rbx]: a read, not watched by a write breakpoint */
        0x89, 0x03,     /* mov [rbx], eax */
        0x90,
    };
    emu_machine *m = t_machine(EMU_X86_START_LONG64);
    t_load_code(m, code, sizeof code);
    t_set_reg(m, EMU_X86_RBX, T_DATA_ADDR + 2);             /* overlaps the 4 watched bytes */
    t_set_reg(m, EMU_X86_DR1, T_DATA_ADDR + 1);             /* aligned down to T_DATA_ADDR by LEN 4 */
    t_set_reg(m, EMU_X86_DR7, DR7_L1 | DR7_RW1_WRITE | DR7_LEN1_4);
    emu_stop stop = run(m);
    ck_assert_msg(stop.kind == EMU_STOP_EXCEPTION && stop.vector == VEC_DB, "#DB: %s", stop.message);
    T_EXPECT_REG(m, EMU_X86_RIP, T_CODE_ADDR + 4, "a trap: RIP after the write");
    ck_assert_msg((t_reg(m, EMU_X86_DR6) & 0xf) == 0x2, "DR6.B1, got 0x%llx",
                  (unsigned long long)t_reg(m, EMU_X86_DR6));
    emu_close(m);

    /* R/W = 11 also catches the read. */
    m = t_machine(EMU_X86_START_LONG64);
    t_load_code(m, code, sizeof code);
    t_set_reg(m, EMU_X86_RBX, T_DATA_ADDR);
    t_set_reg(m, EMU_X86_DR1, T_DATA_ADDR);
    t_set_reg(m, EMU_X86_DR7, DR7_L1 | DR7_RW1_RDWR | DR7_LEN1_4);
    stop = run(m);
    ck_assert_msg(stop.kind == EMU_STOP_EXCEPTION && stop.vector == VEC_DB, "#DB on read: %s", stop.message);
    T_EXPECT_REG(m, EMU_X86_RIP, T_CODE_ADDR + 2, "a trap: RIP after the read");
    emu_close(m);
}
END_TEST

START_TEST(general_detect)
{
    static const uint8_t code[] = { 0x0f, 0x21, 0xc0 };    /* mov rax, dr0 */
    emu_machine *m = t_machine(EMU_X86_START_LONG64);
    t_load_code(m, code, sizeof code);
    t_set_reg(m, EMU_X86_DR7, DR7_GD);
    emu_stop stop = run(m);
    ck_assert_msg(stop.kind == EMU_STOP_EXCEPTION && stop.vector == VEC_DB, "#DB from DR7.GD: %s", stop.message);
    T_EXPECT_REG(m, EMU_X86_RIP, T_CODE_ADDR, "a fault: MOV DR did not execute");
    ck_assert_msg(t_reg(m, EMU_X86_DR6) & (1ull << 13), "DR6.BD");
    ck_assert_msg(!(t_reg(m, EMU_X86_DR7) & DR7_GD), "GD clears so the handler may use the registers");
    emu_close(m);
}
END_TEST

/* Stops with #DB, B0-B3 of DR6 as want_b, RIP at want_rip. */
static void expect_db(emu_machine *m, uint64_t want_b, uint64_t want_rip, const char *what)
{
    emu_stop stop = run(m);
    ck_assert_msg(stop.kind == EMU_STOP_EXCEPTION && stop.vector == VEC_DB, "%s: want #DB, got %s: %s", what,
                  emu_stop_kind_name(stop.kind), stop.message);
    T_EXPECT_REG(m, EMU_X86_RIP, want_rip, what);
    ck_assert_msg((t_reg(m, EMU_X86_DR6) & 0xf) == want_b, "%s: DR6.B0-B3 want 0x%llx got 0x%llx", what,
                  (unsigned long long)want_b, (unsigned long long)(t_reg(m, EMU_X86_DR6) & 0xf));
    t_abandon_exception(m);
}

static void expect_halt(emu_machine *m, const char *what)
{
    emu_stop stop = run(m);
    ck_assert_msg(stop.kind == EMU_STOP_HALT, "%s: want the final HLT, got %s: %s", what,
                  emu_stop_kind_name(stop.kind), stop.message);
}

START_TEST(io_breakpoints_trap_after_the_access)
{
    static const uint8_t code[] = {
        0x66, 0xba, 0xfc, 0x03,     /* mov dx, 0x3fc */
        0xec,                       /* in al, dx: COM1 MCR, outside the watched 0x3f8-0x3fb */
        0x66, 0xba, 0xfb, 0x03,     /* mov dx, 0x3fb */
        0xec,                       /* in al, dx: COM1 LCR, watched by DR1 */
        0xe6, 0x80,                 /* out 0x80, al: watched by DR0 */
        0xf4,
    };
    emu_machine *m = t_machine(EMU_X86_START_LONG64);
    t_load_code(m, code, sizeof code);
    t_set_reg(m, EMU_X86_CR4, t_reg(m, EMU_X86_CR4) | CR4_DE);
    t_set_reg(m, EMU_X86_DR0, 0x80);
    t_set_reg(m, EMU_X86_DR1, 0x3f9);                       /* aligned down to 0x3f8 by LEN 4 */
    t_set_reg(m, EMU_X86_DR7, DR7_L0 | DR7_RW0_IO | DR7_L1 | DR7_RW1_IO | DR7_LEN1_4);
    expect_db(m, 0x2, T_CODE_ADDR + 10, "IN from a watched port: a trap after it");
    expect_db(m, 0x1, T_CODE_ADDR + 12, "OUT to a watched port");
    expect_halt(m, "no other port is watched");
    emu_close(m);
}
END_TEST

START_TEST(io_breakpoint_needs_cr4_de)
{
    static const uint8_t code[] = { 0x0f, 0x22, 0xe0 };    /* mov cr4, rax */
    emu_machine *m = t_machine(EMU_X86_START_LONG64);
    t_load_code(m, code, sizeof code);
    t_set_reg(m, EMU_X86_CR4, t_reg(m, EMU_X86_CR4) | CR4_DE);
    t_set_reg(m, EMU_X86_DR0, 0x80);
    t_set_reg(m, EMU_X86_DR7, DR7_L0 | DR7_RW0_IO);
    /* Clearing CR4.DE leaves R/W = 10 undefined (18.2.4): a loud stop, not a guess. */
    t_set_reg(m, EMU_X86_RAX, t_reg(m, EMU_X86_CR4) & ~CR4_DE);
    emu_stop stop = run(m);
    ck_assert_msg(stop.kind == EMU_STOP_ERROR && strstr(stop.message, "CR4.DE = 0"),
                  "CR4.DE cleared under an I/O breakpoint: want an error stop, got %s: %s",
                  emu_stop_kind_name(stop.kind), stop.message);
    emu_close(m);
}
END_TEST

START_TEST(rep_outs_io_breakpoint_after_each_iteration)
{
    static const uint8_t code[] = {
        0x66, 0xba, 0x80, 0x00,     /* mov dx, 0x80 */
        0xf3, 0x6e,                 /* rep outsb */
        0xf4,
    };
    emu_machine *m = t_machine(EMU_X86_START_LONG64);
    t_load_code(m, code, sizeof code);
    t_set_reg(m, EMU_X86_CR4, t_reg(m, EMU_X86_CR4) | CR4_DE);
    t_set_reg(m, EMU_X86_RSI, SRC);
    t_set_reg(m, EMU_X86_RCX, 2);
    t_set_reg(m, EMU_X86_DR0, 0x80);
    t_set_reg(m, EMU_X86_DR7, DR7_L0 | DR7_RW0_IO);
    expect_db(m, 0x1, T_CODE_ADDR + 4, "REP OUTSB: after the first iteration, RIP on the instruction");
    T_EXPECT_REG(m, EMU_X86_RCX, 1, "REP OUTSB: one iteration done");
    T_EXPECT_REG(m, EMU_X86_RSI, SRC + 1, "REP OUTSB: one iteration done");
    expect_db(m, 0x1, T_CODE_ADDR + 6, "REP OUTSB: the last iteration traps past the instruction");
    T_EXPECT_REG(m, EMU_X86_RCX, 0, "REP OUTSB: done");
    expect_halt(m, "REP OUTSB finished");
    emu_close(m);
}
END_TEST

/* rep movsb of RCX_COUNT bytes SRC -> DST with breakpoint 1 set as given; the stop is checked by the caller. */
static emu_machine *rep_movsb_machine(uint64_t dr1, uint64_t dr7)
{
    static const uint8_t code[] = { 0xf3, 0xa4, 0xf4 };    /* rep movsb; hlt */
    static const uint8_t src[RCX_COUNT] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    static const uint8_t zero[RCX_COUNT] = { 0 };
    emu_machine *m = t_machine(EMU_X86_START_LONG64);
    t_load_code(m, code, sizeof code);
    ck_assert(emu_mem_write_phys(m, SRC, src, sizeof src) == EMU_OK);
    ck_assert(emu_mem_write_phys(m, DST, zero, sizeof zero) == EMU_OK);
    t_set_reg(m, EMU_X86_RSI, SRC);
    t_set_reg(m, EMU_X86_RDI, DST);
    t_set_reg(m, EMU_X86_RCX, RCX_COUNT);
    t_set_reg(m, EMU_X86_DR1, dr1);
    t_set_reg(m, EMU_X86_DR7, dr7);
    return m;
}

static unsigned bytes_copied(emu_machine *m)
{
    uint8_t dst[RCX_COUNT];
    ck_assert(emu_mem_read_phys(m, DST, dst, sizeof dst) == EMU_OK);
    unsigned n = 0;
    while (n < RCX_COUNT && dst[n] == n + 1)
        n++;
    return n;
}

START_TEST(rep_movsb_traps_after_the_matching_iteration)
{
    /* A write breakpoint on the third destination byte: #DB after iteration 3 of 8. */
    emu_machine *m = rep_movsb_machine(DST + 2, DR7_L1 | DR7_RW1_WRITE);
    t_set_reg(m, EMU_X86_DR0, T_CODE_ADDR);                 /* and an execute breakpoint on the REP */
    t_set_reg(m, EMU_X86_DR7, t_reg(m, EMU_X86_DR7) | DR7_L0);
    t_set_reg(m, EMU_X86_RFLAGS, t_reg(m, EMU_X86_RFLAGS) | RF);    /* resuming over it */
    expect_db(m, 0x2, T_CODE_ADDR, "REP MOVSB: iterations remain, RIP on the instruction");
    T_EXPECT_REG(m, EMU_X86_RCX, RCX_COUNT - 3, "REP MOVSB: three iterations counted");
    T_EXPECT_REG(m, EMU_X86_RSI, SRC + 3, "REP MOVSB: RSI past the third byte");
    T_EXPECT_REG(m, EMU_X86_RDI, DST + 3, "REP MOVSB: RDI past the third byte");
    ck_assert_msg(bytes_copied(m) == 3, "REP MOVSB: want 3 bytes copied at the trap, got %u", bytes_copied(m));
    /* Resume as IRETQ would from the frame, which holds RF = 1: the execute breakpoint stays quiet. */
    t_set_reg(m, EMU_X86_RFLAGS, t_reg(m, EMU_X86_RFLAGS) | RF);
    expect_halt(m, "REP MOVSB resumed");
    T_EXPECT_REG(m, EMU_X86_RCX, 0, "REP MOVSB: all iterations done");
    ck_assert_msg(bytes_copied(m) == RCX_COUNT, "REP MOVSB: want all bytes copied, got %u", bytes_copied(m));
    ck_assert_msg(!(t_reg(m, EMU_X86_RFLAGS) & RF), "RF clears once the instruction completes");
    emu_close(m);

    /* Met on the last iteration: a trap after the instruction, like any other. */
    m = rep_movsb_machine(DST + RCX_COUNT - 1, DR7_L1 | DR7_RW1_WRITE);
    expect_db(m, 0x2, T_CODE_ADDR + 2, "REP MOVSB: the last iteration, RIP past the instruction");
    T_EXPECT_REG(m, EMU_X86_RCX, 0, "REP MOVSB: last iteration");
    emu_close(m);

    /* A read/write breakpoint meets the source read of iteration 6. */
    m = rep_movsb_machine(SRC + 5, DR7_L1 | DR7_RW1_RDWR);
    expect_db(m, 0x2, T_CODE_ADDR, "REP MOVSB: read of the sixth source byte");
    T_EXPECT_REG(m, EMU_X86_RCX, RCX_COUNT - 6, "REP MOVSB: six iterations counted");
    T_EXPECT_REG(m, EMU_X86_RSI, SRC + 6, "REP MOVSB: RSI past the sixth byte");
    emu_close(m);
}
END_TEST

START_TEST(repe_cmpsb_ending_on_the_matching_iteration)
{
    static const uint8_t code[] = { 0xf3, 0xa6, 0xf4 };    /* repe cmpsb; hlt */
    static const uint8_t a[4] = { 1, 2, 3, 4 }, b[4] = { 1, 2, 9, 4 };
    emu_machine *m = t_machine(EMU_X86_START_LONG64);
    t_load_code(m, code, sizeof code);
    ck_assert(emu_mem_write_phys(m, SRC, a, sizeof a) == EMU_OK);
    ck_assert(emu_mem_write_phys(m, DST, b, sizeof b) == EMU_OK);
    t_set_reg(m, EMU_X86_RSI, SRC);
    t_set_reg(m, EMU_X86_RDI, DST);
    t_set_reg(m, EMU_X86_RCX, 4);
    t_set_reg(m, EMU_X86_DR1, SRC + 2);
    t_set_reg(m, EMU_X86_DR7, DR7_L1 | DR7_RW1_RDWR);
    /* The mismatch at the watched byte ends the repetition: no iterations remain. */
    expect_db(m, 0x2, T_CODE_ADDR + 2, "REPE CMPSB ending where the breakpoint was met");
    T_EXPECT_REG(m, EMU_X86_RCX, 1, "REPE CMPSB: three comparisons counted");
    emu_close(m);
}
END_TEST

static Suite *debugreg_suite(void)
{
    Suite *s = suite_create("debug-registers");
    TCase *tc = tcase_create("dr");
    tcase_add_test(tc, execute_breakpoint_faults_before_and_rf_suppresses);
    tcase_add_test(tc, data_breakpoint_traps_after_a_write);
    tcase_add_test(tc, general_detect);
    tcase_add_test(tc, io_breakpoints_trap_after_the_access);
    tcase_add_test(tc, io_breakpoint_needs_cr4_de);
    tcase_add_test(tc, rep_outs_io_breakpoint_after_each_iteration);
    tcase_add_test(tc, rep_movsb_traps_after_the_matching_iteration);
    tcase_add_test(tc, repe_cmpsb_ending_on_the_matching_iteration);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return t_run_suite(debugreg_suite());
}
