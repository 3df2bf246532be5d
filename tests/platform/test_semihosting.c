/*
 * Semihosting operations against a fake guest memory (a flat buffer at
 * MEM_BASE; anything else faults): console output, exits with status, the
 * refusal of host files, errno, heap info and the modelled clock.
 */
#include <check.h>
#include <string.h>

#include "emu_test.h"
#include "platform/virt/semihosting.h"

#define MEM_BASE 0x40000000ull
#define MEM_SIZE 0x10000u

typedef struct guest {
    uint8_t mem[MEM_SIZE];
    char out[8192];
    size_t out_len;
} guest;

static guest gst;
static semihost sh;

static bool g_read(void *ctx, uint64_t va, void *buf, size_t len)
{
    guest *g = ctx;
    if (va < MEM_BASE || va - MEM_BASE > MEM_SIZE || len > MEM_SIZE - (va - MEM_BASE))
        return false;
    memcpy(buf, g->mem + (va - MEM_BASE), len);
    return true;
}

static bool g_write(void *ctx, uint64_t va, const void *buf, size_t len)
{
    guest *g = ctx;
    if (va < MEM_BASE || va - MEM_BASE > MEM_SIZE || len > MEM_SIZE - (va - MEM_BASE))
        return false;
    memcpy(g->mem + (va - MEM_BASE), buf, len);
    return true;
}

static void g_console(void *ctx, const uint8_t *bytes, size_t len)
{
    guest *g = ctx;
    for (size_t i = 0; i < len && g->out_len + 1 < sizeof g->out; i++)
        g->out[g->out_len++] = (char)bytes[i];
}

static void setup(void)
{
    memset(&gst, 0, sizeof gst);
    semihost_init(&sh, true, (semihost_io){ g_read, g_write, g_console, &gst });
}

static void put(uint64_t va, const void *p, size_t len) { memcpy(gst.mem + (va - MEM_BASE), p, len); }
static void put64(uint64_t va, uint64_t v) { put(va, &v, 8); }

static uint64_t call(uint32_t op, uint64_t param)
{
    semihost_result r;
    ck_assert_msg(semihost_call(&sh, op, param, 0, &r) == SEMIHOST_DONE, "%s completes", semihost_op_name(op));
    return r.x0;
}

START_TEST(trap_encoding)
{
    ck_assert_uint_eq(SEMIHOST_A64_INSN, 0xd45e0000u);    /* HLT #0xf000 */
    ck_assert(semihost_is_a64_trap(0xd45e0000u));
    ck_assert(!semihost_is_a64_trap(0xd4400000u));         /* HLT #0 */
}
END_TEST

START_TEST(console_output)
{
    setup();
    put(MEM_BASE + 0x100, "A", 1);
    ck_assert_uint_eq(call(SYS_WRITEC, MEM_BASE + 0x100), 0);
    put(MEM_BASE + 0x200, "hello\n", 7);
    ck_assert_uint_eq(call(SYS_WRITE0, MEM_BASE + 0x200), 0);
    put64(MEM_BASE + 0x300, SEMIHOST_HANDLE_STDOUT);
    put64(MEM_BASE + 0x308, MEM_BASE + 0x200);
    put64(MEM_BASE + 0x310, 3);
    ck_assert_uint_eq(call(SYS_WRITE, MEM_BASE + 0x300), 0);
    put64(MEM_BASE + 0x300, SEMIHOST_HANDLE_STDERR);
    ck_assert_uint_eq(call(SYS_WRITE, MEM_BASE + 0x300), 0);
    ck_assert_str_eq(gst.out, "Ahello\nhelhel");
    put64(MEM_BASE + 0x300, 7);
    ck_assert_uint_eq(call(SYS_WRITE, MEM_BASE + 0x300), 3);   /* nothing written */
    ck_assert_uint_eq(call(SYS_ERRNO, 0), SEMIHOST_EBADF);
}
END_TEST

START_TEST(write0_is_bounded_and_faults_are_efault)
{
    setup();
    memset(gst.mem, 'x', MEM_SIZE);
    ck_assert_uint_eq(call(SYS_WRITE0, MEM_BASE), 0);
    ck_assert_uint_eq(gst.out_len, 4096);
    ck_assert_uint_eq(call(SYS_WRITE0, MEM_BASE + MEM_SIZE - 2), (uint64_t)-1);
    ck_assert_uint_eq(call(SYS_ERRNO, 0), SEMIHOST_EFAULT);
    ck_assert_uint_eq(call(SYS_WRITEC, 0x1000), (uint64_t)-1);
    ck_assert_uint_eq(call(SYS_WRITE, 0x1000), (uint64_t)-1);
    /* A length past the end of memory: written up to the fault, the rest reported. */
    gst.out_len = 0;
    put64(MEM_BASE + 0x300, SEMIHOST_HANDLE_STDOUT);
    put64(MEM_BASE + 0x308, MEM_BASE + MEM_SIZE - 0x100);
    put64(MEM_BASE + 0x310, 1ull << 40);
    ck_assert_uint_eq(call(SYS_WRITE, MEM_BASE + 0x300), (1ull << 40) - 0x100);
    ck_assert_uint_eq(gst.out_len, 0x100);
}
END_TEST

START_TEST(open_refuses_host_files_but_gives_the_console)
{
    setup();
    put(MEM_BASE + 0x100, "/etc/passwd", 12);
    put64(MEM_BASE + 0x200, MEM_BASE + 0x100);
    put64(MEM_BASE + 0x208, 0);    /* "r" */
    put64(MEM_BASE + 0x210, 11);
    ck_assert_uint_eq(call(SYS_OPEN, MEM_BASE + 0x200), (uint64_t)-1);
    ck_assert_uint_eq(call(SYS_ERRNO, 0), SEMIHOST_EACCES);
    put(MEM_BASE + 0x100, ":tt", 4);
    put64(MEM_BASE + 0x210, 3);
    ck_assert_uint_eq(call(SYS_OPEN, MEM_BASE + 0x200), SEMIHOST_HANDLE_STDIN);
    put64(MEM_BASE + 0x208, 4);    /* "w" */
    ck_assert_uint_eq(call(SYS_OPEN, MEM_BASE + 0x200), SEMIHOST_HANDLE_STDOUT);
    put64(MEM_BASE + 0x208, 8);    /* "a" */
    ck_assert_uint_eq(call(SYS_OPEN, MEM_BASE + 0x200), SEMIHOST_HANDLE_STDERR);
    ck_assert_uint_eq(call(SYS_REMOVE, MEM_BASE + 0x200), (uint64_t)-1);
    ck_assert_uint_eq(call(SYS_SYSTEM, MEM_BASE + 0x200), (uint64_t)-1);
    ck_assert_uint_eq(call(SYS_ERRNO, 0), SEMIHOST_EACCES);
    put64(MEM_BASE + 0x300, SEMIHOST_HANDLE_STDOUT);
    ck_assert_uint_eq(call(SYS_ISTTY, MEM_BASE + 0x300), 1);
    ck_assert_uint_eq(call(SYS_CLOSE, MEM_BASE + 0x300), 0);
    put64(MEM_BASE + 0x300, SEMIHOST_HANDLE_STDIN);
    put64(MEM_BASE + 0x310, 5);
    ck_assert_uint_eq(call(SYS_READ, MEM_BASE + 0x300), 5);    /* end of file: 5 bytes not read */
}
END_TEST

START_TEST(exit_and_exit_extended)
{
    setup();
    semihost_result r;
    put64(MEM_BASE, ADP_STOPPED_APPLICATION_EXIT);
    put64(MEM_BASE + 8, 42);
    ck_assert_int_eq(semihost_call(&sh, SYS_EXIT, MEM_BASE, 0, &r), SEMIHOST_EXIT);
    ck_assert_int_eq(r.exit_status, 42);
    ck_assert_uint_eq(r.exit_reason, ADP_STOPPED_APPLICATION_EXIT);
    ck_assert_int_eq(semihost_call(&sh, SYS_EXIT_EXTENDED, MEM_BASE, 0, &r), SEMIHOST_EXIT);
    ck_assert_int_eq(r.exit_status, 42);
    put64(MEM_BASE, 0x20023);          /* ADP_Stopped_RunTimeErrorUnknown */
    ck_assert_int_eq(semihost_call(&sh, SYS_EXIT, MEM_BASE, 0, &r), SEMIHOST_EXIT);
    ck_assert_int_eq(r.exit_status, 1);
    ck_assert_int_eq(semihost_call(&sh, SYS_EXIT, 0x10, 0, &r), SEMIHOST_DONE);   /* unreadable block */
    ck_assert_uint_eq(r.x0, (uint64_t)-1);
}
END_TEST

START_TEST(heapinfo_cmdline_clock_and_unsupported)
{
    setup();
    sh.heap_base = MEM_BASE + 0x1000;
    sh.heap_limit = MEM_BASE + 0x8000;
    sh.stack_base = MEM_BASE + 0x10000;
    sh.stack_limit = MEM_BASE + 0x8000;
    sh.cmdline = "fw.elf -v";
    put64(MEM_BASE, MEM_BASE + 0x100);
    ck_assert_uint_eq(call(SYS_HEAPINFO, MEM_BASE), 0);
    uint64_t info[4];
    memcpy(info, gst.mem + 0x100, sizeof info);
    ck_assert_uint_eq(info[0], MEM_BASE + 0x1000);
    ck_assert_uint_eq(info[2], MEM_BASE + 0x10000);
    put64(MEM_BASE + 0x200, MEM_BASE + 0x300);
    put64(MEM_BASE + 0x208, 64);
    ck_assert_uint_eq(call(SYS_GET_CMDLINE, MEM_BASE + 0x200), 0);
    ck_assert_str_eq((char *)gst.mem + 0x300, "fw.elf -v");
    uint64_t len = 0;
    memcpy(&len, gst.mem + 0x208, 8);
    ck_assert_uint_eq(len, 9);

    semihost_result r;
    ck_assert_int_eq(semihost_call(&sh, SYS_CLOCK, 0, 50000000ull, &r), SEMIHOST_DONE);
    ck_assert_uint_eq(r.x0, 5);        /* 50 ms of modelled time = 5 cs */
    ck_assert_int_eq(semihost_call(&sh, SYS_ELAPSED, MEM_BASE + 0x400, 1234, &r), SEMIHOST_DONE);
    memcpy(&len, gst.mem + 0x400, 8);
    ck_assert_uint_eq(len, 1234);
    ck_assert_uint_eq(call(SYS_TICKFREQ, 0), 1000000000ull);
    ck_assert_int_eq(semihost_call(&sh, SYS_TIME, 0, 0, &r), SEMIHOST_UNSUPPORTED);
    ck_assert_str_eq(r.op_name, "SYS_TIME");
    ck_assert_int_eq(semihost_call(&sh, SYS_READC, 0, 0, &r), SEMIHOST_UNSUPPORTED);
    ck_assert_int_eq(semihost_call(&sh, 0x99, 0, 0, &r), SEMIHOST_UNSUPPORTED);
}
END_TEST

static Suite *semihosting_suite(void)
{
    Suite *s = suite_create("semihosting");
    TCase *tc = tcase_create("semihosting");
    tcase_add_test(tc, trap_encoding);
    tcase_add_test(tc, console_output);
    tcase_add_test(tc, write0_is_bounded_and_faults_are_efault);
    tcase_add_test(tc, open_refuses_host_files_but_gives_the_console);
    tcase_add_test(tc, exit_and_exit_extended);
    tcase_add_test(tc, heapinfo_cmdline_clock_and_unsupported);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return t_run_suite(semihosting_suite());
}
