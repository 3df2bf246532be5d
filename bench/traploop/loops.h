/*
 * The timed loops (loops.S): ring-3 code that traps BENCH iterations times in
 * a row, and the ring-0 handlers, which do nothing but count the round trip
 * and return. Usable from C and assembly.
 */
#ifndef BENCH_TRAPLOOP_LOOPS_H
#define BENCH_TRAPLOOP_LOOPS_H

#define VEC_BENCH_INT  0x80     /* DPL3 gate: the INT n round trip */
#define VEC_BENCH_DONE 0x81     /* DPL3 gate: ring 3 is done, report and exit */

#ifndef __ASSEMBLER__
#include <stdint.h>

/* Read by the ring-3 loop (the image's page is user-accessible). */
extern volatile uint64_t bench_iterations;
/* Incremented by each handler: how many round trips really happened. */
extern volatile uint64_t bench_handled;

/* Ring-3 loops: each runs bench_iterations round trips, then INT VEC_BENCH_DONE. */
void user_int_loop(void);
void user_pf_loop(void);
void user_syscall_loop(void);

/* Ring-0 handlers. */
void bench_int_handler(void);
void bench_pf_handler(void);
void bench_syscall_handler(void);

/* IRETQ to ring 3 at RIP with RSP, IF = 0. */
__attribute__((noreturn)) void bench_enter_user(void (*rip)(void), uint64_t rsp);
#endif

#endif
