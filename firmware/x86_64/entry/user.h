/* The first entry into ring 3 (entry/user.S). */
#ifndef FW_ENTRY_USER_H
#define FW_ENTRY_USER_H

#include <stdint.h>

/*
 * Leave the kernel for ring 3 at RIP with RSP, as every return to user mode
 * does: SWAPGS (the user's GS base in, the per-CPU base back into
 * KERNEL_GS_BASE), then IRETQ with CS and SS the user selectors and
 * RFLAGS = 0x2 (IF clear: nothing external interrupts the run).
 */
__attribute__((noreturn)) void entry_enter_user(void (*rip)(void), uint64_t rsp);

#endif
