/*
 * The pc platform's ports, driven by guest code on a bare 64-bit machine:
 * COM1 and the 0xe9 console reach the console callback, REP OUTSB streams a
 * buffer, isa-debug-exit and the two reset registers end the run with their
 * documented stops, and an unlisted port stops naming itself.
 */
#include <check.h>
#include <string.h>

#include "emu_test.h"

typedef struct console_capture {
    char text[256];
    size_t len;
} console_capture;

static void capture(void *ctx, const uint8_t *bytes, size_t len)
{
    console_capture *c = ctx;
    for (size_t i = 0; i < len && c->len + 1 < sizeof c->text; i++)
        c->text[c->len++] = (char)bytes[i];
    c->text[c->len] = '\0';
}

static emu_machine *machine_with_console(console_capture *c)
{
    memset(c, 0, sizeof *c);
    emu_options opts;
    emu_options_init(&opts);
    opts.arch = EMU_ARCH_X86_64;
    opts.console = capture;
    opts.console_ctx = c;
    emu_machine *m = NULL;
    ck_assert_msg(emu_create(&opts, &m) == EMU_OK, "emu_create");
    return m;
}

/* mov dx, port; mov al, imm; out dx, al ... then the tail given. */
START_TEST(debugcon_and_com1_reach_the_console)
{
    console_capture c;
    emu_machine *m = machine_with_console(&c);
    static const uint8_t code[] = {
        0x66, 0xba, 0xe9, 0x00,         /* mov dx, 0xe9 */
        0xb0, 'h', 0xee,                /* mov al, 'h'; out dx, al */
        0x66, 0xba, 0xf8, 0x03,         /* mov dx, 0x3f8 */
        0xb0, 'i', 0xee,                /* mov al, 'i'; out dx, al */
        0x66, 0xba, 0xfd, 0x03,         /* mov dx, 0x3fd (LSR) */
        0xec,                           /* in al, dx */
        0xfa, 0xf4,                     /* cli; hlt */
    };
    t_load_code(m, code, sizeof code);
    emu_stop stop = t_run(m, 100);
    ck_assert_msg(stop.kind == EMU_STOP_HALT, "ends in HLT: %s", stop.message);
    ck_assert_msg(strcmp(c.text, "hi") == 0, "console got '%s', want 'hi'", c.text);
    /* LSR: transmitter holding register empty (0x20) and transmitter empty (0x40), no data ready. */
    T_EXPECT_REG(m, EMU_X86_RAX, 0x60, "COM1 LSR after transmit");
    emu_close(m);
}
END_TEST

START_TEST(rep_outsb_streams_a_buffer)
{
    console_capture c;
    emu_machine *m = machine_with_console(&c);
    static const char msg[] = "ringside";
    ck_assert(emu_mem_write_phys(m, T_DATA_ADDR, msg, sizeof msg - 1) == EMU_OK);
    static const uint8_t code[] = {
        0x66, 0xba, 0xe9, 0x00,         /* mov dx, 0xe9 */
        0xf3, 0x6e,                     /* rep outsb */
        0xfa, 0xf4,                     /* cli; hlt */
    };
    t_load_code(m, code, sizeof code);
    t_set_reg(m, EMU_X86_RSI, T_DATA_ADDR);
    t_set_reg(m, EMU_X86_RCX, sizeof msg - 1);
    emu_stop stop = t_run(m, 100);
    ck_assert_msg(stop.kind == EMU_STOP_HALT, "ends in HLT: %s", stop.message);
    ck_assert_msg(strcmp(c.text, msg) == 0, "console got '%s'", c.text);
    T_EXPECT_REG(m, EMU_X86_RCX, 0, "rep outsb count exhausted");
    T_EXPECT_REG(m, EMU_X86_RSI, T_DATA_ADDR + sizeof msg - 1, "rep outsb advanced rSI");
    emu_close(m);
}
END_TEST

static emu_stop run_out(uint16_t port, uint8_t value, unsigned size)
{
    console_capture c;
    emu_machine *m = machine_with_console(&c);
    uint8_t code[] = {
        0x66, 0xba, (uint8_t)port, (uint8_t)(port >> 8),    /* mov dx, port */
        0xb8, value, 0, 0, 0,                                 /* mov eax, value */
        size == 4 ? 0xef : 0xee,                              /* out dx, eax / al */
        0xfa, 0xf4,
    };
    t_load_code(m, code, sizeof code);
    emu_stop stop = t_run(m, 100);
    emu_close(m);
    return stop;
}

START_TEST(isa_debug_exit_status_as_qemu)
{
    emu_stop stop = run_out(0xf4, 0x10, 4);
    ck_assert_msg(stop.kind == EMU_STOP_EXIT, "exit: %s", stop.message);
    ck_assert_msg(stop.exit_code == 0x21, "status (0x10 << 1) | 1 = 33, got %d", stop.exit_code);
    stop = run_out(0xf4, 0, 1);
    ck_assert_msg(stop.kind == EMU_STOP_EXIT && stop.exit_code == 1, "value 0 gives status 1, got %d",
                  stop.exit_code);
}
END_TEST

START_TEST(resets_end_the_run)
{
    emu_stop stop = run_out(0x64, 0xfe, 1);
    ck_assert_msg(stop.kind == EMU_STOP_RESET && strstr(stop.message, "port 0x64"),
                  "0xfe to the keyboard controller: %s", stop.message);
    stop = run_out(0xcf9, 0x06, 1);
    ck_assert_msg(stop.kind == EMU_STOP_RESET && strstr(stop.message, "0xcf9"), "0x06 to 0xcf9: %s",
                  stop.message);
    stop = run_out(0xcf9, 0x02, 1);
    ck_assert_msg(stop.kind == EMU_STOP_HALT, "0x02 to 0xcf9 (no RST_CPU) does not reset: %s", stop.message);
    stop = run_out(0x64, 0xd1, 1);
    ck_assert_msg(stop.kind == EMU_STOP_ERROR && strstr(stop.message, "0xd1"),
                  "other i8042 commands are named as not modelled: %s", stop.message);
}
END_TEST

START_TEST(unlisted_port_stops_naming_it)
{
    emu_stop stop = run_out(0x42, 1, 1);
    ck_assert_msg(stop.kind == EMU_STOP_ERROR && strstr(stop.message, "I/O port 0x42"),
                  "unlisted port: %s", stop.message);
    stop = run_out(0x80, 1, 1);
    ck_assert_msg(stop.kind == EMU_STOP_HALT, "POST port 0x80 accepts writes: %s", stop.message);
}
END_TEST

START_TEST(uart_loopback_returns_the_byte)
{
    console_capture c;
    emu_machine *m = machine_with_console(&c);
    static const uint8_t code[] = {
        0x66, 0xba, 0xfc, 0x03, 0xb0, 0x10, 0xee,   /* MCR = LOOP */
        0x66, 0xba, 0xf8, 0x03, 0xb0, 'x', 0xee,    /* THR = 'x' */
        0x66, 0xba, 0xfd, 0x03, 0xec, 0x88, 0xc3,   /* bl = LSR */
        0x66, 0xba, 0xf8, 0x03, 0xec,               /* al = RBR */
        0xfa, 0xf4,
    };
    t_load_code(m, code, sizeof code);
    emu_stop stop = t_run(m, 100);
    ck_assert_msg(stop.kind == EMU_STOP_HALT, "ends in HLT: %s", stop.message);
    ck_assert_msg(c.len == 0, "loopback transmit does not reach the console");
    T_EXPECT_REG(m, EMU_X86_RBX, 0x61, "LSR with a looped-back byte: DR|THRE|TEMT");
    ck_assert_msg((t_reg(m, EMU_X86_RAX) & 0xff) == 'x', "RBR returns the looped-back byte");
    emu_close(m);
}
END_TEST

static Suite *pc_suite(void)
{
    Suite *s = suite_create("pc-ports");
    TCase *tc = tcase_create("ports");
    tcase_add_test(tc, debugcon_and_com1_reach_the_console);
    tcase_add_test(tc, rep_outsb_streams_a_buffer);
    tcase_add_test(tc, isa_debug_exit_status_as_qemu);
    tcase_add_test(tc, resets_end_the_run);
    tcase_add_test(tc, unlisted_port_stops_naming_it);
    tcase_add_test(tc, uart_loopback_returns_the_byte);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return t_run_suite(pc_suite());
}
