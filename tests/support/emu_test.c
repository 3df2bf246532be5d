#include "emu_test.h"

#include <stdlib.h>
#include <string.h>

emu_machine *t_machine(emu_x86_start start)
{
    emu_options opts;
    emu_options_init(&opts);
    opts.arch = EMU_ARCH_X86_64;
    opts.x86_start = start;
    /* Instruction suites check the exception an instruction raises, before delivery. */
    opts.break_on_exception = true;
    emu_machine *m = NULL;
    emu_err err = emu_create(&opts, &m);
    ck_assert_msg(err == EMU_OK, "emu_create: %s", emu_strerror(err));
    return m;
}

void t_load_code(emu_machine *m, const uint8_t *code, size_t len)
{
    emu_err err = emu_mem_write_phys(m, T_CODE_ADDR, code, len);
    ck_assert_msg(err == EMU_OK, "write code: %s", emu_strerror(err));
    t_set_reg(m, EMU_X86_RIP, T_CODE_ADDR);
    t_set_reg(m, EMU_X86_RSP, T_STACK_TOP);
}

void t_step_n(emu_machine *m, unsigned n, const char *what)
{
    for (unsigned i = 0; i < n; i++) {
        emu_stop stop;
        emu_err err = emu_step(m, &stop);
        ck_assert_msg(err == EMU_OK, "%s: step %u: %s", what, i, emu_strerror(err));
        ck_assert_msg(stop.kind == EMU_STOP_NONE, "%s: step %u stopped: %s", what, i,
                      stop.message);
    }
}

emu_stop t_run(emu_machine *m, uint64_t max_insns)
{
    emu_stop stop;
    emu_err err = emu_run(m, max_insns, &stop);
    ck_assert_msg(err == EMU_OK, "emu_run: %s", emu_strerror(err));
    if (stop.kind == EMU_STOP_EXCEPTION)
        t_abandon_exception(m);
    return stop;
}

void t_abandon_exception(emu_machine *m)
{
    t_set_reg(m, EMU_X86_RIP, t_reg(m, EMU_X86_RIP));
}

uint64_t t_reg(emu_machine *m, emu_reg reg)
{
    uint64_t v = 0;
    emu_err err = emu_reg_read(m, reg, &v);
    ck_assert_msg(err == EMU_OK, "read %s: %s", emu_reg_name(reg), emu_strerror(err));
    return v;
}

void t_set_reg(emu_machine *m, emu_reg reg, uint64_t value)
{
    emu_err err = emu_reg_write(m, reg, value);
    ck_assert_msg(err == EMU_OK, "write %s: %s", emu_reg_name(reg), emu_strerror(err));
}

int t_run_suite(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

static void keep_trap(void *ctx, const emu_trap *t)
{
    t_trap_log *log = ctx;
    if (log->n < T_TRAP_LOG_MAX)
        log->recs[log->n] = *t;
    log->last = *t;
    log->n++;
}

void t_trap_log_attach(emu_machine *m, t_trap_log *log)
{
    memset(log, 0, sizeof *log);
    emu_set_trap_hook(m, keep_trap, log);
}

emu_machine *t_a64_el2_machine(t_trap_log *log, const uint32_t *code, size_t code_bytes)
{
    emu_options o;
    emu_options_init(&o);
    o.arch = EMU_ARCH_AARCH64;
    o.start_el = 2;
    emu_machine *m = NULL;
    emu_err err = emu_create(&o, &m);
    ck_assert_msg(err == EMU_OK, "emu_create (AArch64, EL2): %s", emu_strerror(err));
    t_trap_log_attach(m, log);
    err = emu_mem_write_phys(m, T_A64_RAM, code, code_bytes);
    ck_assert_msg(err == EMU_OK, "write EL2 code: %s", emu_strerror(err));
    t_set_reg(m, EMU_A64_PC, T_A64_RAM);
    return m;
}
