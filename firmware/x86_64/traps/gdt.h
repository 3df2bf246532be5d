/*
 * The firmware's own GDT: kernel and user 64-bit code and data and a 64-bit
 * TSS whose RSP0 and IST1 point at stacks of their own. User data precedes
 * user code, the order SYSRET would need, though nothing here uses it.
 */
#ifndef FW_TRAPS_GDT_H
#define FW_TRAPS_GDT_H

#define SEL_KERNEL_CS 0x08
#define SEL_KERNEL_DS 0x10
#define SEL_USER_DS   (0x18 | 3)
#define SEL_USER_CS   (0x20 | 3)
#define SEL_TSS       0x28

#define TRAP_STACK_SIZE 0x2000

/*
 * The TSS stack pointers are 8 bytes below a 16-byte boundary so that the
 * CPU's alignment of RSP before pushing the frame (6.14.2) shows.
 */
#define TSS_STACK_SKEW 8

#ifndef __ASSEMBLER__
#include <stdint.h>

extern uint8_t rsp0_stack[TRAP_STACK_SIZE];
extern uint8_t ist1_stack[TRAP_STACK_SIZE];

/* The values written to TSS.RSP0 and TSS.IST1. */
uint64_t gdt_rsp0(void);
uint64_t gdt_ist1(void);

/* Build and load the GDT, reload every segment register, load TR. */
void gdt_init(void);
#endif

#endif
