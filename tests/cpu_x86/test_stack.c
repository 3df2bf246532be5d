/*
 * Stack instructions on a bare machine: PUSH/POP of registers, immediates
 * and memory (the SDM's rSP rules for PUSH rSP, POP rSP and POP [rSP+n]),
 * 16-bit pushes under 66, PUSHF/POPF at CPL 0 (which flags change, RF and
 * VM untouched), ENTER with nesting levels, LEAVE, and PUSHA/POPA in 32-bit
 * protected mode.
 */
#include "emu_test.h"

static void put_u64(emu_machine *m, uint64_t addr, uint64_t v)
{
    ck_assert_msg(emu_mem_write_phys(m, addr, &v, sizeof v) == EMU_OK, "write 0x%llx", (unsigned long long)addr);
}

static uint64_t get_u64(emu_machine *m, uint64_t addr)
{
    uint64_t v = 0;
    ck_assert_msg(emu_mem_read_phys(m, addr, &v, sizeof v) == EMU_OK, "read 0x%llx", (unsigned long long)addr);
    return v;
}

START_TEST(push_pop_registers_and_immediates)
{
    /* push rax; push 0x12345678; push -2; pop rbx; pop rcx; pop rdx; push rsp; pop rsi; pushw 0x1234; pop ax */
    static const uint8_t code[] = { 0x50, 0x68, 0x78, 0x56, 0x34, 0x12, 0x6a, 0xfe, 0x5b, 0x59, 0x5a, 0x54,
                                    0x5e, 0x66, 0x68, 0x34, 0x12, 0x66, 0x58 };
    emu_machine *m = t_machine(EMU_X86_START_LONG64);
    t_load_code(m, code, sizeof code);
    t_set_reg(m, EMU_X86_RAX, 0xaabb);
    t_step_n(m, 3, "three pushes");
    T_EXPECT_REG(m, EMU_X86_RSP, T_STACK_TOP - 24, "rsp after three pushes");
    ck_assert_msg(get_u64(m, T_STACK_TOP - 8) == 0xaabb, "push rax stored");
    t_step_n(m, 3, "three pops");
    T_EXPECT_REG(m, EMU_X86_RBX, 0xfffffffffffffffeull, "push imm8 sign-extends");
    T_EXPECT_REG(m, EMU_X86_RCX, 0x12345678, "push imm32");
    T_EXPECT_REG(m, EMU_X86_RDX, 0xaabb, "pop rdx");
    t_step_n(m, 2, "push rsp; pop rsi");
    T_EXPECT_REG(m, EMU_X86_RSI, T_STACK_TOP, "push rsp pushes the value before the decrement");
    t_step_n(m, 1, "pushw");
    T_EXPECT_REG(m, EMU_X86_RSP, T_STACK_TOP - 2, "66 push imm16 moves rsp by 2");
    t_step_n(m, 1, "pop ax");
    T_EXPECT_REG(m, EMU_X86_RAX, 0x1234, "66 pop ax");
    T_EXPECT_REG(m, EMU_X86_RSP, T_STACK_TOP, "rsp balanced");
    emu_close(m);
}
END_TEST

START_TEST(pop_rsp_and_memory)
{
    static const uint8_t pop_rsp[] = { 0x5c };
    /* pop qword [rsp+8]; push qword [rsp] */
    static const uint8_t pop_mem[] = { 0x8f, 0x44, 0x24, 0x08, 0xff, 0x34, 0x24 };
    emu_machine *m = t_machine(EMU_X86_START_LONG64);
    t_load_code(m, pop_rsp, sizeof pop_rsp);
    t_set_reg(m, EMU_X86_RSP, T_STACK_TOP - 8);
    put_u64(m, T_STACK_TOP - 8, 0x123450);
    t_step_n(m, 1, "pop rsp");
    T_EXPECT_REG(m, EMU_X86_RSP, 0x123450, "pop rsp loads the popped value");

    t_load_code(m, pop_mem, sizeof pop_mem);
    t_set_reg(m, EMU_X86_RSP, T_STACK_TOP - 16);
    put_u64(m, T_STACK_TOP - 16, 0x1111);
    put_u64(m, T_STACK_TOP - 8, 0x2222);
    put_u64(m, T_STACK_TOP, 0x3333);
    t_step_n(m, 1, "pop [rsp+8]");
    ck_assert_msg(get_u64(m, T_STACK_TOP) == 0x1111, "pop [rsp+8] addresses with the incremented rsp");
    T_EXPECT_REG(m, EMU_X86_RSP, T_STACK_TOP - 8, "pop [rsp+8] rsp");
    t_step_n(m, 1, "push [rsp]");
    ck_assert_msg(get_u64(m, T_STACK_TOP - 16) == 0x2222, "push [rsp] reads before the decrement");
    T_EXPECT_REG(m, EMU_X86_RSP, T_STACK_TOP - 16, "push [rsp] rsp");
    emu_close(m);
}
END_TEST

START_TEST(pushf_popf_cpl0)
{
    /* pushfq; pop rax; push rbx; popfq */
    static const uint8_t code[] = { 0x9c, 0x58, 0x53, 0x9d };
    const uint64_t fixed = 0x2, cf = 0x1, zf = 0x40, iopl3 = 0x3000, if_ = 0x200, arith = 0x8d5;
    const uint64_t rf = 0x10000, vm = 0x20000, ac = 0x40000, reserved3 = 0x8;
    emu_machine *m = t_machine(EMU_X86_START_LONG64);
    t_load_code(m, code, sizeof code);
    t_set_reg(m, EMU_X86_RFLAGS, fixed | cf | zf);
    t_set_reg(m, EMU_X86_RBX, iopl3 | if_ | arith | ac | vm | rf | reserved3);
    t_step_n(m, 4, "pushf/popf");
    T_EXPECT_REG(m, EMU_X86_RAX, fixed | cf | zf, "pushfq image");
    /* CPL 0: IOPL and IF change; VM and reserved bits do not; RF is cleared (SDM vol. 2, POPF). */
    T_EXPECT_REG(m, EMU_X86_RFLAGS, fixed | iopl3 | if_ | arith | ac, "popfq at CPL 0");
    emu_close(m);
}
END_TEST

START_TEST(enter_leave)
{
    /* enter 0x20, 0; leave; enter 0x10, 3; leave */
    static const uint8_t code[] = { 0xc8, 0x20, 0x00, 0x00, 0xc9, 0xc8, 0x10, 0x00, 0x03, 0xc9 };
    const uint64_t outer = T_STACK_TOP - 0x1000;
    emu_machine *m = t_machine(EMU_X86_START_LONG64);
    t_load_code(m, code, sizeof code);
    t_set_reg(m, EMU_X86_RBP, outer);
    put_u64(m, outer - 8, 0xa1);
    put_u64(m, outer - 16, 0xa2);
    t_step_n(m, 1, "enter 0x20, 0");
    T_EXPECT_REG(m, EMU_X86_RBP, T_STACK_TOP - 8, "enter level 0: rbp = frame");
    T_EXPECT_REG(m, EMU_X86_RSP, T_STACK_TOP - 8 - 0x20, "enter level 0: rsp = frame - size");
    ck_assert_msg(get_u64(m, T_STACK_TOP - 8) == outer, "enter pushed rbp");
    t_step_n(m, 1, "leave");
    T_EXPECT_REG(m, EMU_X86_RBP, outer, "leave restores rbp");
    T_EXPECT_REG(m, EMU_X86_RSP, T_STACK_TOP, "leave restores rsp");
    t_step_n(m, 1, "enter 0x10, 3");
    ck_assert_msg(get_u64(m, T_STACK_TOP - 16) == 0xa1, "enter level 3 copies [rbp-8]");
    ck_assert_msg(get_u64(m, T_STACK_TOP - 24) == 0xa2, "enter level 3 copies [rbp-16]");
    ck_assert_msg(get_u64(m, T_STACK_TOP - 32) == T_STACK_TOP - 8, "enter level 3 pushes the frame pointer");
    T_EXPECT_REG(m, EMU_X86_RBP, T_STACK_TOP - 8, "enter level 3 rbp");
    T_EXPECT_REG(m, EMU_X86_RSP, T_STACK_TOP - 32 - 0x10, "enter level 3 rsp");
    t_step_n(m, 1, "leave");
    T_EXPECT_REG(m, EMU_X86_RSP, T_STACK_TOP, "leave after nested enter");
    emu_close(m);
}
END_TEST

START_TEST(pusha_popa_prot32)
{
    /* pushad; popad; pushfd; push 0x200; popfd; pushw 0x1234; popw si */
    static const uint8_t code[] = { 0x60, 0x61, 0x9c, 0x68, 0x00, 0x02, 0x00, 0x00, 0x9d, 0x66, 0x68, 0x34,
                                    0x12, 0x66, 0x5e };
    static const emu_reg regs[] = { EMU_X86_RAX, EMU_X86_RCX, EMU_X86_RDX, EMU_X86_RBX,
                                    EMU_X86_RSP, EMU_X86_RBP, EMU_X86_RSI, EMU_X86_RDI };
    emu_machine *m = t_machine(EMU_X86_START_PROT32);
    t_load_code(m, code, sizeof code);
    for (unsigned i = 0; i < 8; i++)
        if (regs[i] != EMU_X86_RSP)
            t_set_reg(m, regs[i], 0x100 + i);
    t_step_n(m, 1, "pushad");
    T_EXPECT_REG(m, EMU_X86_RSP, T_STACK_TOP - 32, "pushad esp");
    uint32_t saved[8];
    ck_assert(emu_mem_read_phys(m, T_STACK_TOP - 32, saved, sizeof saved) == EMU_OK);
    for (unsigned i = 0; i < 8; i++) {
        uint32_t want = regs[i] == EMU_X86_RSP ? (uint32_t)T_STACK_TOP : 0x100 + i;
        ck_assert_msg(saved[7 - i] == want, "pushad slot of %s: want 0x%x got 0x%x", emu_reg_name(regs[i]),
                      want, saved[7 - i]);
        if (regs[i] != EMU_X86_RSP)
            t_set_reg(m, regs[i], 0);
    }
    t_step_n(m, 1, "popad");
    for (unsigned i = 0; i < 8; i++)
        T_EXPECT_REG(m, regs[i], regs[i] == EMU_X86_RSP ? T_STACK_TOP : 0x100 + i, "popad");
    t_step_n(m, 3, "pushfd; push; popfd");
    T_EXPECT_REG(m, EMU_X86_RFLAGS, 0x202, "popfd sets IF at CPL 0");
    T_EXPECT_REG(m, EMU_X86_RSP, T_STACK_TOP - 4, "pushfd left its image");
    t_step_n(m, 2, "pushw; popw");
    T_EXPECT_REG(m, EMU_X86_RSI, 0x1234, "16-bit pop merges into esi");
    T_EXPECT_REG(m, EMU_X86_RSP, T_STACK_TOP - 4, "16-bit push/pop in 32-bit code move esp by 2");
    emu_close(m);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cpu_x86/stack");
    TCase *tc = tcase_create("stack");
    tcase_add_test(tc, push_pop_registers_and_immediates);
    tcase_add_test(tc, pop_rsp_and_memory);
    tcase_add_test(tc, pushf_popf_cpl0);
    tcase_add_test(tc, enter_leave);
    tcase_add_test(tc, pusha_popa_prot32);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
