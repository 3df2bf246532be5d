/*
 * The boot argument: "LOOP [ITERATIONS]" after the kernel path on the
 * multiboot command line (emu --append, QEMU -append). LOOP is int, pf or
 * syscall; ITERATIONS, in decimal, overrides the loop's default (0 measures
 * start-up alone).
 */
#ifndef BENCH_TRAPLOOP_ARGS_H
#define BENCH_TRAPLOOP_ARGS_H

#include <stdbool.h>
#include <stdint.h>

enum bench_loop { LOOP_INT, LOOP_PF, LOOP_SYSCALL, LOOP_COUNT };

struct bench_args {
    enum bench_loop loop;
    uint64_t iterations;
    bool iterations_given;
};

/* Parse the multiboot command line; false (and a message on COM1) if malformed. */
bool args_parse(const char *cmdline, struct bench_args *out);

/* "int", "pf", "syscall". */
const char *args_loop_name(enum bench_loop loop);

#endif
