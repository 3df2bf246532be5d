/*
 * The "paranoid" NMI entry, for a gate with an IST stack. An NMI can arrive
 * anywhere, including between a SYSCALL and the SWAPGS that follows it, where
 * the CPU is at CPL0 (so the saved CS says "kernel") but GS base is still
 * the user's. The saved CS cannot tell, so this entry asks the MSR: the
 * kernel's per-CPU base is a high-half address, negative as a signed number,
 * and user addresses are not. It swaps only if GS base is not the kernel's,
 * and swaps back on the way out only if it swapped on the way in.
 *
 * The naive entry, for comparison, is vector 2's ordinary stub in vectors.S,
 * which decides from the saved CS alone.
 */
#include "entry/save.h"
#include "lib/x86.h"

    .text
    .globl entry_nmi_paranoid
entry_nmi_paranoid:
    pushq $0
    pushq $X86_VEC_NMI
    save_gprs
    /* R12 (callee saved) remembers whether this entry swapped. */
    xorl %r12d, %r12d
    movl $MSR_GS_BASE, %ecx
    rdmsr
    testl %edx, %edx
    js 1f
    swapgs
    movl $1, %r12d
1:
    call_dispatch
    testl %r12d, %r12d
    jz 2f
    swapgs
2:
    restore_gprs
    addq $16, %rsp
    iretq
