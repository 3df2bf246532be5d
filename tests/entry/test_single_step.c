/*
 * Single-step: the #DB trap after each instruction that began with
 * RFLAGS.TF set (SDM vol. 3, 18.3.1.4), with DR6.BS, held back one
 * instruction by MOV SS (6.8.3). Machines break before delivery, so the
 * stop shows the trap and the RIP it would save.
 */
#include <check.h>
#include <string.h>

#include "emu_test.h"

#define DR6_BS (1ull << 14)

static const uint8_t set_tf[] = {
    0x9c,                                           /* pushfq */
    0x48, 0x81, 0x0c, 0x24, 0x00, 0x01, 0x00, 0x00, /* or qword [rsp], TF */
    0x9d,                                           /* popfq */
};

static emu_stop run_after_tf(const uint8_t *tail, size_t len, emu_machine **out)
{
    uint8_t code[32];
    memcpy(code, set_tf, sizeof set_tf);
    memcpy(code + sizeof set_tf, tail, len);
    emu_machine *m = t_machine(EMU_X86_START_LONG64);
    t_load_code(m, code, sizeof set_tf + len);
    t_set_reg(m, EMU_X86_RAX, 0x18);                /* the boot data selector, for MOV SS */
    emu_stop stop;
    ck_assert(emu_run(m, 100, &stop) == EMU_OK);
    *out = m;
    return stop;
}

START_TEST(trap_after_the_instruction_following_popf)
{
    static const uint8_t tail[] = { 0x90, 0x90 };   /* nop; nop */
    emu_machine *m;
    emu_stop stop = run_after_tf(tail, sizeof tail, &m);
    ck_assert_msg(stop.kind == EMU_STOP_EXCEPTION && stop.vector == 1, "single-step #DB: %s", stop.message);
    /* POPF began with TF clear: no trap after it; the first NOP began with TF set. */
    T_EXPECT_REG(m, EMU_X86_RIP, T_CODE_ADDR + sizeof set_tf + 1, "#DB saves the RIP after the first NOP");
    ck_assert_msg(t_reg(m, EMU_X86_DR6) & DR6_BS, "DR6.BS set");
    emu_close(m);
}
END_TEST

START_TEST(mov_ss_holds_the_trap_back)
{
    static const uint8_t tail[] = { 0x8e, 0xd0, 0x90, 0x90 };  /* mov ss, ax; nop; nop */
    emu_machine *m;
    emu_stop stop = run_after_tf(tail, sizeof tail, &m);
    ck_assert_msg(stop.kind == EMU_STOP_EXCEPTION && stop.vector == 1, "single-step #DB: %s", stop.message);
    T_EXPECT_REG(m, EMU_X86_RIP, T_CODE_ADDR + sizeof set_tf + 3, "no trap after MOV SS; the next one after the NOP");
    emu_close(m);
}
END_TEST

static Suite *single_step_suite(void)
{
    Suite *s = suite_create("single-step");
    TCase *tc = tcase_create("tf");
    tcase_add_test(tc, trap_after_the_instruction_following_popf);
    tcase_add_test(tc, mov_ss_holds_the_trap_back);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return t_run_suite(single_step_suite());
}
