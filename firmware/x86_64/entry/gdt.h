/*
 * The firmware's own GDT: kernel and user 64-bit code and data, a 64-bit TSS
 * whose RSP0 and IST1-IST3 point at stacks of their own, a 32-bit user code
 * segment for compatibility mode, and a user data descriptor that is not
 * present. User data precedes user code, the order SYSRET needs (STAR[63:48]
 * + 8 and + 16, SDM vol. 2, SYSRET).
 */
#ifndef FW_ENTRY_GDT_H
#define FW_ENTRY_GDT_H

#define SEL_KERNEL_CS   0x08
#define SEL_KERNEL_DS   0x10
#define SEL_USER_DS     (0x18 | 3)
#define SEL_USER_CS     (0x20 | 3)
#define SEL_TSS         0x28        /* 16 bytes: two slots */
#define SEL_USER_CS32   (0x38 | 3)  /* L = 0, D = 1: compatibility mode */
#define SEL_USER_DS_NP  (0x40 | 3)  /* writable data, DPL3, P = 0 */

/* IST slots the firmware uses (TSS.IST1 is also the traps firmware's #GP stack). */
#define IST_GP  1
#define IST_NMI 2
#define IST_DF  3
#define IST_COUNT 3

#define TRAP_STACK_SIZE 0x2000

/* The architectural size of the 64-bit TSS, and its limit when it is all present. */
#define TSS64_SIZE 104
#define TSS64_IST_OFFSET(n) (0x24 + 8 * ((n) - 1))   /* figure 8-11 */

/*
 * The TSS stack pointers are 8 bytes below a 16-byte boundary so that the
 * CPU's alignment of RSP before pushing the frame (6.14.2) shows.
 */
#define TSS_STACK_SKEW 8

#ifndef __ASSEMBLER__
#include <stdint.h>

extern uint8_t rsp0_stack[TRAP_STACK_SIZE];
extern uint8_t ist1_stack[TRAP_STACK_SIZE];
extern uint8_t ist_nmi_stack[TRAP_STACK_SIZE];
extern uint8_t ist_df_stack[TRAP_STACK_SIZE];

/* The values written to TSS.RSP0 and TSS.ISTn. */
uint64_t gdt_rsp0(void);
uint64_t gdt_ist1(void);
uint64_t gdt_ist(unsigned n);

/* Build and load the GDT, reload every segment register, load TR. */
void gdt_init(void);

/*
 * Rewrite the TSS descriptor with LIMIT and reload TR (clearing the busy bit
 * LTR set, 7.2.4): a limit below TSS64_SIZE - 1 leaves the fields above it
 * out of reach of delivery.
 */
void gdt_set_tss_limit(uint32_t limit);
#endif

#endif
