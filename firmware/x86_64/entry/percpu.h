/*
 * The per-CPU area: what the kernel reaches through %gs: once SWAPGS has put
 * its address in GS base. It lives in .bss, but the kernel addresses it
 * through a supervisor-only alias in the top of the address space
 * (entry/paging.h), so its address is negative as a signed number: the
 * property the paranoid NMI entry tests (entry/nmi.S). While ring 3 runs,
 * the address waits in MSR_KERNEL_GS_BASE and GS base is the user's.
 */
#ifndef FW_ENTRY_PERCPU_H
#define FW_ENTRY_PERCPU_H

/* Field offsets, for %gs:OFFSET in assembly. */
#define PERCPU_SELF       0x00  /* the area's own (kernel) address */
#define PERCPU_KERNEL_RSP 0x08  /* the stack SYSCALL switches to: TSS.RSP0's */
#define PERCPU_USER_RSP   0x10  /* ring 3's RSP while a SYSCALL runs */

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

struct percpu {
    uint64_t self;
    uint64_t kernel_rsp;
    uint64_t user_rsp;
};

_Static_assert(offsetof(struct percpu, self) == PERCPU_SELF, "percpu layout");
_Static_assert(offsetof(struct percpu, kernel_rsp) == PERCPU_KERNEL_RSP, "percpu layout");
_Static_assert(offsetof(struct percpu, user_rsp) == PERCPU_USER_RSP, "percpu layout");

/* The kernel address of the area (its high-half alias). */
uint64_t percpu_base(void);

/*
 * Fill the area and load GS base with its kernel address and
 * KERNEL_GS_BASE with USER_GS_BASE, the kernel's state between entries.
 * Needs the high-half alias (paging_init) and TSS.RSP0 (gdt_init).
 */
void percpu_init(uint64_t user_gs_base);

/* GS base and KERNEL_GS_BASE as RDMSR reads them now. */
uint64_t percpu_read_gs_base(void);
uint64_t percpu_read_kernel_gs_base(void);
#endif

#endif
