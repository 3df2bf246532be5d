/* The debug firmware (main.c): shared between its files. */
#ifndef FW_A64_DEBUG_H
#define FW_A64_DEBUG_H

#include <stdint.h>

/* Per-CPU state, reached through TPIDR_EL1. */
typedef struct percpu {
    uint64_t exceptions;        /* every exception taken */
    uint64_t steps;             /* software step exceptions taken */
    uint64_t loaded;            /* X0 of the EL0 program's last SVC: what its watched load read */
} percpu;

extern percpu percpu_state;

/* The EL0 program (el0.S): its breakpoint address and the two watched doublewords. */
void el0_main(void);
extern uint8_t el0_breakpoint[];
extern uint64_t el0_watch_store[];
extern uint64_t el0_watch_load[];

/* Where the EL0 program's last SVC (#0) hands back to EL1 (main.c). */
void el1_after_el0(void) __attribute__((noreturn));

#endif
