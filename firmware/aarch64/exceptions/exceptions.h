/* The exceptions firmware (README.md): shared between its files. */
#ifndef FW_A64_EXCEPTIONS_H
#define FW_A64_EXCEPTIONS_H

/* Addresses the EL0 program touches, chosen by mmu.c's map. */
#define UNMAPPED_DATA 0x40300000        /* in RAM, but no page maps it */
#define UNMAPPED_CODE 0x40301000

#ifndef __ASSEMBLER__
#include <stdint.h>

/* Per-CPU state, reached through TPIDR_EL1. */
typedef struct percpu {
    uint64_t exceptions;        /* every exception taken */
    uint64_t irqs;              /* IRQs taken */
    uint64_t fp_result;         /* X0 of the EL0 program's last SVC: its FP round trip */
} percpu;

extern percpu percpu_state;

/* Build the identity map and turn the MMU on (mmu.c). */
void mmu_enable(void);

/* The EL0 program (el0.S) and its stack. */
void el0_main(void);
extern uint8_t el0_stack_top[];

/* Where the EL0 program's last SVC (#0) hands back to EL1 (main.c). */
void el1_after_el0(void) __attribute__((noreturn));

/* The generic timer's interrupt through the GICv2 (main.c). */
void irq_handler(void);

#endif

#endif
