/*
 * Helpers shared by the Check suites. Tests use only the public API
 * (include/emu/emu.h); these wrap the common "machine with code at an address,
 * registers in, step, registers out" pattern, and name the case on failure.
 */
#ifndef EMU_TEST_SUPPORT_H
#define EMU_TEST_SUPPORT_H

#include <check.h>
#include <stdint.h>
#include <stddef.h>

#include "emu/emu.h"

/* Where t_machine() puts code, and a stack top that the identity map covers. */
#define T_CODE_ADDR  0x100000ull
#define T_STACK_TOP  0x200000ull
#define T_DATA_ADDR  0x300000ull

/* A fresh bare machine (no firmware) in the given start mode, stopping before it
 * delivers any exception (break_on_exception); fails the test on error. */
emu_machine *t_machine(emu_x86_start start);

/* Copy code to T_CODE_ADDR, set RIP there and RSP to T_STACK_TOP. */
void t_load_code(emu_machine *m, const uint8_t *code, size_t len);

/* Execute n instructions, failing the test (naming `what`) on any stop. */
void t_step_n(emu_machine *m, unsigned n, const char *what);

/* Run until a stop and return it. An exception stop is abandoned (see below), so
 * the suite goes on with the exception checked but not delivered. */
emu_stop t_run(emu_machine *m, uint64_t max_insns);

/* Drop an exception held by break_on_exception (writing RIP does that). */
void t_abandon_exception(emu_machine *m);

uint64_t t_reg(emu_machine *m, emu_reg reg);
void t_set_reg(emu_machine *m, emu_reg reg, uint64_t value);

/* The trap records of a run, kept by the machine's trap hook: the first T_TRAP_LOG_MAX in order, the
 * latest one, and how many there were. */
#define T_TRAP_LOG_MAX 32
typedef struct t_trap_log {
    emu_trap recs[T_TRAP_LOG_MAX];
    emu_trap last;
    unsigned n;
} t_trap_log;

/* Empty *log and make it m's trap hook. */
void t_trap_log_attach(emu_machine *m, t_trap_log *log);

/* An AArch64 virt machine entered at EL2 (as `emu --el 2`), with `code` at the base of RAM and PC there,
 * its trap records kept in *log; fails the test on error. */
#define T_A64_RAM 0x40000000ull
emu_machine *t_a64_el2_machine(t_trap_log *log, const uint32_t *code, size_t code_bytes);

/* Suite runner: runs s, returns the process exit status for CTest. */
int t_run_suite(Suite *s);

#define T_EXPECT_REG(m, reg, want, what)                                        \
    do {                                                                        \
        uint64_t got_ = t_reg((m), (reg));                                      \
        ck_assert_msg(got_ == (uint64_t)(want), "%s: %s want 0x%llx got 0x%llx", \
                      (what), emu_reg_name(reg), (unsigned long long)(want),    \
                      (unsigned long long)got_);                                \
    } while (0)

#endif
