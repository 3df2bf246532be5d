/*
 * Selectors of the callgate firmware's GDT (main.c), usable from C and
 * assembly: kernel and user 64-bit code and data, a 64-bit TSS, and a
 * 16-byte 64-bit call gate with DPL 3 whose target is the kernel's
 * gate_entry (SDM vol. 3, 5.8.3.1).
 */
#ifndef FW_CALLGATE_H
#define FW_CALLGATE_H

#define SEL_KERNEL_CS 0x08
#define SEL_KERNEL_DS 0x10
#define SEL_USER_DS   (0x18 | 3)
#define SEL_USER_CS   (0x20 | 3)
#define SEL_TSS       0x28
#define SEL_GATE      (0x38 | 3)

/* The second call through the gate asks the kernel to check DS and finish. */
#define CALL_FIRST  0
#define CALL_FINISH 1

#ifndef __ASSEMBLER__
#include <stdint.h>

/* entry.S */
__attribute__((noreturn)) void enter_user(void (*rip)(void), uint64_t rsp);
void user_main(void);
void gate_entry(void);
extern char user_after_call[];

/* main.c: called by gate_entry on TSS.RSP0 with the frame the CALL pushed. */
void gate_report(uint64_t which, uint64_t user_value, const uint64_t *frame, uint64_t gate_ss);
#endif

#endif
