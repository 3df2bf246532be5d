/*
 * Assembler macros shared by the entry paths (vectors.S, nmi.S, syscall.S):
 * save and restore the general registers in the order struct trap_frame
 * lists them (entry/frame.h), and call C on a 16-byte aligned stack. Include
 * from assembly only.
 */
#ifndef FW_ENTRY_SAVE_H
#define FW_ENTRY_SAVE_H

#include "entry/frame.h"

.macro save_gprs
    pushq %rax
    pushq %rbx
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %rbp
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
.endm

.macro restore_gprs
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %r11
    popq %r10
    popq %r9
    popq %r8
    popq %rbp
    popq %rdi
    popq %rsi
    popq %rdx
    popq %rcx
    popq %rbx
    popq %rax
.endm

/*
 * trap_dispatch(frame) with RSP pointing at the saved registers. The C ABI
 * wants RSP 16-byte aligned at the call, whatever the CPU did; RBX (callee
 * saved) keeps the frame's address across it.
 */
.macro call_dispatch
    movq %rsp, %rdi
    movq %rsp, %rbx
    andq $-16, %rsp
    cld
    call trap_dispatch
    movq %rbx, %rsp
.endm

#endif
