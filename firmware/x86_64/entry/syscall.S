/*
 * The SYSCALL entry (IA32_LSTAR) and its SYSRET return. SYSCALL changes
 * neither the stack nor GS (SDM vol. 2, SYSCALL): RSP is still ring 3's, and
 * GS base the user's, so the first instruction is SWAPGS, which makes the
 * per-CPU area reachable through %gs:. The user RSP goes there and the
 * kernel stack comes from there; then a frame shaped like an interrupt's
 * (entry/frame.h) is built by hand for trap_dispatch, which returns the
 * result in the frame's RAX. The way back mirrors it: restore, RCX and R11
 * from the frame (SYSRET's RIP and RFLAGS), the user RSP, SWAPGS, SYSRETQ.
 *
 * Between entry_syscall and the SWAPGS the CPU runs at CPL0 with the user's
 * GS base: an NMI there sees a kernel CS in its frame (nmi.S).
 */
#include "entry/gdt.h"
#include "entry/percpu.h"
#include "entry/save.h"

    .text
    .globl entry_syscall
entry_syscall:
    swapgs
    .globl entry_syscall_after_swapgs
entry_syscall_after_swapgs:
    movq %rsp, %gs:PERCPU_USER_RSP
    movq %gs:PERCPU_KERNEL_RSP, %rsp
    /* What SYSRET will load, in the places an interrupt frame has them. */
    pushq $SEL_USER_DS
    pushq %gs:PERCPU_USER_RSP
    pushq %r11
    pushq $SEL_USER_CS
    pushq %rcx
    pushq $0
    pushq $FRAME_VEC_SYSCALL
    save_gprs
    call_dispatch
    restore_gprs
    addq $16, %rsp
    popq %rcx
    addq $8, %rsp
    popq %r11
    popq %rsp
    swapgs
    .globl entry_sysret
entry_sysret:
    sysretq
