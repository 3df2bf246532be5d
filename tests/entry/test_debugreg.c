/*
 * Debug-register breakpoints (SDM vol. 3, 18.2-18.3): execute breakpoints
 * fault before the instruction and are suppressed by RF; data breakpoints
 * trap after the instruction that wrote (or read, for R/W = 11) the watched
 * bytes; DR6 says which; DR7.GD turns MOV DR into #DB with DR6.BD.
 * Machines break before delivery, so the stop shows the #DB and its RIP.
 */
#include <check.h>

#include "emu_test.h"

#define VEC_DB 1
#define RF (1ull << 16)
#define DR7_L0 0x1ull
#define DR7_L1 0x4ull
#define DR7_GD (1ull << 13)
#define DR7_RW1_WRITE (1ull << 20)
#define DR7_RW1_RDWR (3ull << 20)
#define DR7_LEN1_4 (3ull << 22)

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

static Suite *debugreg_suite(void)
{
    Suite *s = suite_create("debug-registers");
    TCase *tc = tcase_create("dr");
    tcase_add_test(tc, execute_breakpoint_faults_before_and_rf_suppresses);
    tcase_add_test(tc, data_breakpoint_traps_after_a_write);
    tcase_add_test(tc, general_detect);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return t_run_suite(debugreg_suite());
}
