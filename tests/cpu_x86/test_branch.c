/*
 * Near control transfer and the events instructions raise, run on a bare
 * machine: JMP/Jcc/CALL/RET (with RET imm16), LOOP/LOOPE/LOOPNE, JrCXZ
 * under 67, indirect CALL/JMP through a register and memory, #GP(0) for a
 * non-canonical target (reported at the branch), operand-size truncation
 * of EIP in 32-bit code, software interrupts as traps (RIP after the
 * instruction) and UD2 as a fault (RIP at it), an unsupported instruction
 * stopping with its address and bytes, and breakpoints.
 */
#include <string.h>

#include "emu_test.h"

#define VEC_DB 1
#define VEC_BP 3
#define VEC_OF 4
#define VEC_UD 6
#define VEC_GP 13

static void put_u64(emu_machine *m, uint64_t addr, uint64_t v)
{
    ck_assert_msg(emu_mem_write_phys(m, addr, &v, sizeof v) == EMU_OK, "write 0x%llx", (unsigned long long)addr);
}

static void expect_exception(emu_machine *m, int vector, uint64_t rip, const char *what)
{
    emu_stop stop = t_run(m, 1);
    ck_assert_msg(stop.kind == EMU_STOP_EXCEPTION && stop.vector == vector,
                  "%s: want exception %d, got %s vector %d (%s)", what, vector, emu_stop_kind_name(stop.kind),
                  stop.vector, stop.message);
    T_EXPECT_REG(m, EMU_X86_RIP, rip, what);
}

START_TEST(jumps_calls_returns)
{
    /* jmp 1f; nop; 1: cmp rax, rax; je 2f; nop; 2: jne 3f; call 4f; 3: hlt; 4: mov rbx, 7; ret */
    static const uint8_t code[] = { 0xeb, 0x01, 0x90, 0x48, 0x39, 0xc0, 0x74, 0x01, 0x90, 0x75, 0x05, 0xe8,
                                    0x01, 0x00, 0x00, 0x00, 0xf4, 0x48, 0xc7, 0xc3, 0x07, 0x00, 0x00, 0x00, 0xc3 };
    emu_machine *m = t_machine(EMU_X86_START_LONG64);
    t_load_code(m, code, sizeof code);
    t_step_n(m, 1, "jmp rel8");
    T_EXPECT_REG(m, EMU_X86_RIP, T_CODE_ADDR + 3, "jmp rel8");
    t_step_n(m, 2, "cmp; je");
    T_EXPECT_REG(m, EMU_X86_RIP, T_CODE_ADDR + 9, "je taken");
    t_step_n(m, 1, "jne");
    T_EXPECT_REG(m, EMU_X86_RIP, T_CODE_ADDR + 11, "jne not taken");
    t_step_n(m, 1, "call");
    T_EXPECT_REG(m, EMU_X86_RIP, T_CODE_ADDR + 17, "call rel32");
    T_EXPECT_REG(m, EMU_X86_RSP, T_STACK_TOP - 8, "call pushed");
    t_step_n(m, 2, "mov; ret");
    T_EXPECT_REG(m, EMU_X86_RIP, T_CODE_ADDR + 16, "ret to after the call");
    T_EXPECT_REG(m, EMU_X86_RSP, T_STACK_TOP, "ret popped");
    T_EXPECT_REG(m, EMU_X86_RBX, 7, "callee ran");
    emu_close(m);
}
END_TEST

START_TEST(loops_and_jrcxz)
{
    /* mov ecx, 5; xor eax, eax; 1: inc eax; loop 1b; jrcxz 2f; nop; 2: hlt */
    static const uint8_t loop[] = { 0xb9, 0x05, 0x00, 0x00, 0x00, 0x31, 0xc0, 0xff, 0xc0, 0xe2, 0xfc, 0xe3,
                                    0x01, 0x90, 0xf4 };
    /* mov ecx, 5; 1: cmp eax, eax; loope 1b; mov ecx, 5; 2: test eax, eax; loopne 2b; hlt */
    static const uint8_t loopcc[] = { 0xb9, 0x05, 0x00, 0x00, 0x00, 0x39, 0xc0, 0xe1, 0xfc, 0xb9, 0x05, 0x00,
                                      0x00, 0x00, 0x85, 0xc0, 0xe0, 0xfc, 0xf4 };
    /* jecxz 1f (67 e3); nop; 1: nop */
    static const uint8_t jecxz[] = { 0x67, 0xe3, 0x01, 0x90, 0x90 };
    emu_machine *m = t_machine(EMU_X86_START_LONG64);
    t_load_code(m, loop, sizeof loop);
    t_step_n(m, 13, "loop");
    T_EXPECT_REG(m, EMU_X86_RAX, 5, "loop ran 5 times");
    T_EXPECT_REG(m, EMU_X86_RCX, 0, "loop count");
    T_EXPECT_REG(m, EMU_X86_RIP, T_CODE_ADDR + 14, "jrcxz taken");

    t_load_code(m, loopcc, sizeof loopcc);
    t_set_reg(m, EMU_X86_RAX, 0);
    t_step_n(m, 11, "loope");
    T_EXPECT_REG(m, EMU_X86_RCX, 0, "loope runs while ZF and count");
    T_EXPECT_REG(m, EMU_X86_RIP, T_CODE_ADDR + 9, "loope fell through");
    t_step_n(m, 3, "loopne");
    T_EXPECT_REG(m, EMU_X86_RCX, 4, "loopne decrements even when it stops on ZF");
    T_EXPECT_REG(m, EMU_X86_RIP, T_CODE_ADDR + 18, "loopne not taken with ZF set");

    t_load_code(m, jecxz, sizeof jecxz);
    t_set_reg(m, EMU_X86_RCX, 0x100000000ull);
    t_step_n(m, 1, "jecxz");
    T_EXPECT_REG(m, EMU_X86_RIP, T_CODE_ADDR + 4, "67 jecxz tests ecx only");
    emu_close(m);
}
END_TEST

START_TEST(indirect_branches)
{
    /* lea rax, [rip+1f]; call rax; 1: nop; jmp [rdi]; ret 8 */
    static const uint8_t code[] = { 0x48, 0x8d, 0x05, 0x02, 0x00, 0x00, 0x00, 0xff, 0xd0, 0x90, 0xff, 0x27,
                                    0xc2, 0x08, 0x00 };
    emu_machine *m = t_machine(EMU_X86_START_LONG64);
    t_load_code(m, code, sizeof code);
    put_u64(m, T_DATA_ADDR, T_CODE_ADDR + 12);
    t_set_reg(m, EMU_X86_RDI, T_DATA_ADDR);
    t_step_n(m, 2, "lea; call rax");
    T_EXPECT_REG(m, EMU_X86_RIP, T_CODE_ADDR + 9, "call rax");
    t_step_n(m, 2, "nop; jmp [rdi]");
    T_EXPECT_REG(m, EMU_X86_RIP, T_CODE_ADDR + 12, "jmp [rdi]");
    t_step_n(m, 1, "ret 8");
    T_EXPECT_REG(m, EMU_X86_RIP, T_CODE_ADDR + 9, "ret 8 returns");
    T_EXPECT_REG(m, EMU_X86_RSP, T_STACK_TOP + 8, "ret 8 releases 8 bytes");
    emu_close(m);
}
END_TEST

START_TEST(non_canonical_target_faults_at_branch)
{
    static const uint8_t jmp_rax[] = { 0xff, 0xe0 };
    static const uint8_t ret[] = { 0xc3 };
    emu_machine *m = t_machine(EMU_X86_START_LONG64);
    t_load_code(m, jmp_rax, sizeof jmp_rax);
    t_set_reg(m, EMU_X86_RAX, 0x0000800000000000ull);
    expect_exception(m, VEC_GP, T_CODE_ADDR, "jmp to a non-canonical address");
    t_load_code(m, ret, sizeof ret);
    put_u64(m, T_STACK_TOP, 0xffff7fffffffffffull);
    expect_exception(m, VEC_GP, T_CODE_ADDR, "ret to a non-canonical address");
    T_EXPECT_REG(m, EMU_X86_RSP, T_STACK_TOP, "faulting ret leaves rsp");
    emu_close(m);
}
END_TEST

START_TEST(operand_size_truncates_eip)
{
    /* 32-bit code: data16 jmp 1f (66 eb 00) lands at (next IP) & 0xffff. */
    static const uint8_t code[] = { 0x66, 0xeb, 0x00 };
    /* jmp 1f; 1: call 2f; 2: pop eax */
    static const uint8_t call[] = { 0xeb, 0x00, 0xe8, 0x00, 0x00, 0x00, 0x00, 0x58 };
    emu_machine *m = t_machine(EMU_X86_START_PROT32);
    t_load_code(m, code, sizeof code);
    t_step_n(m, 1, "16-bit jmp");
    T_EXPECT_REG(m, EMU_X86_RIP, (T_CODE_ADDR + 3) & 0xffff, "16-bit operand size truncates EIP");
    t_load_code(m, call, sizeof call);
    t_step_n(m, 3, "call; pop");
    T_EXPECT_REG(m, EMU_X86_RAX, T_CODE_ADDR + 7, "32-bit call pushes the next EIP");
    T_EXPECT_REG(m, EMU_X86_RSP, T_STACK_TOP, "pop after call");
    emu_close(m);
}
END_TEST

START_TEST(software_interrupts_are_traps)
{
    /* int3; int 0x80; int1; ud2 */
    static const uint8_t code[] = { 0xcc, 0xcd, 0x80, 0xf1, 0x0f, 0x0b };
    static const uint8_t into[] = { 0xce, 0xce };
    emu_machine *m = t_machine(EMU_X86_START_LONG64);
    t_load_code(m, code, sizeof code);
    expect_exception(m, VEC_BP, T_CODE_ADDR + 1, "int3 is a trap");
    expect_exception(m, 0x80, T_CODE_ADDR + 3, "int 0x80 is a trap");
    expect_exception(m, VEC_DB, T_CODE_ADDR + 4, "int1 is a trap");
    expect_exception(m, VEC_UD, T_CODE_ADDR + 4, "ud2 is a fault");
    ck_assert_msg(emu_insn_count(m) == 3, "traps retire, faults do not: %llu retired",
                  (unsigned long long)emu_insn_count(m));
    emu_close(m);

    m = t_machine(EMU_X86_START_PROT32);
    t_load_code(m, into, sizeof into);
    t_step_n(m, 1, "into with OF clear");
    t_set_reg(m, EMU_X86_RFLAGS, 0x802);
    expect_exception(m, VEC_OF, T_CODE_ADDR + 2, "into with OF set");
    emu_close(m);
}
END_TEST

START_TEST(invalid_and_unsupported)
{
    /* 06 (push es) is #UD in 64-bit mode; fld st(0) is decoded but not modelled. */
    static const uint8_t push_es[] = { 0x06 };
    static const uint8_t x87[] = { 0xd9, 0xc0 };
    emu_machine *m = t_machine(EMU_X86_START_LONG64);
    t_load_code(m, push_es, sizeof push_es);
    expect_exception(m, VEC_UD, T_CODE_ADDR, "push es in 64-bit mode");
    t_load_code(m, x87, sizeof x87);
    emu_stop stop = t_run(m, 1);
    ck_assert_msg(stop.kind == EMU_STOP_ERROR, "x87: want an error stop, got %s", emu_stop_kind_name(stop.kind));
    ck_assert_msg(stop.pc == T_CODE_ADDR, "x87: stop pc 0x%llx", (unsigned long long)stop.pc);
    ck_assert_msg(stop.n_bytes == 2 && stop.bytes[0] == 0xd9 && stop.bytes[1] == 0xc0, "x87: stop bytes (%u)",
                  stop.n_bytes);
    ck_assert_msg(strstr(stop.message, "x87") != NULL, "x87: message names it: %s", stop.message);
    emu_close(m);
}
END_TEST

START_TEST(breakpoints)
{
    static const uint8_t code[] = { 0x90, 0x90, 0x90, 0xf4 };
    emu_machine *m = t_machine(EMU_X86_START_LONG64);
    t_load_code(m, code, sizeof code);
    ck_assert(emu_breakpoint_add(m, T_CODE_ADDR + 2) == EMU_OK);
    emu_stop stop = t_run(m, 100);
    ck_assert_msg(stop.kind == EMU_STOP_BREAKPOINT && stop.pc == T_CODE_ADDR + 2,
                  "want breakpoint at +2, got %s at 0x%llx", emu_stop_kind_name(stop.kind),
                  (unsigned long long)stop.pc);
    ck_assert_msg(emu_insn_count(m) == 2, "stopped before the breakpoint's instruction");
    stop = t_run(m, 100);
    ck_assert_msg(stop.kind == EMU_STOP_HALT, "resume runs over the breakpoint: got %s (%s)",
                  emu_stop_kind_name(stop.kind), stop.message);
    emu_close(m);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cpu_x86/branch");
    TCase *tc = tcase_create("branch");
    tcase_add_test(tc, jumps_calls_returns);
    tcase_add_test(tc, loops_and_jrcxz);
    tcase_add_test(tc, indirect_branches);
    tcase_add_test(tc, non_canonical_target_faults_at_branch);
    tcase_add_test(tc, operand_size_truncates_eip);
    tcase_add_test(tc, software_interrupts_are_traps);
    tcase_add_test(tc, invalid_and_unsupported);
    tcase_add_test(tc, breakpoints);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
