/*
 * Trap entry stubs, one per vector. Where the CPU pushes no error code the
 * stub pushes 0, so every frame has the same shape; then it pushes the
 * vector and joins trap_common, which saves the general registers and calls
 * trap_dispatch(frame). The vectors with an error code are those of SDM
 * vol. 3, table 6-1.
 */
#include "traps/x86.h"

    .altmacro

.macro trap_stub vec
    .balign 16
trap_stub_\vec:
    .if (\vec == X86_VEC_DF) | (\vec == X86_VEC_TS) | (\vec == X86_VEC_NP) | (\vec == X86_VEC_SS) | (\vec == X86_VEC_GP) | (\vec == X86_VEC_PF) | (\vec == X86_VEC_AC) | (\vec == X86_VEC_CP)
    .else
    pushq $0
    .endif
    pushq $\vec
    jmp trap_common
.endm

.macro trap_stub_entry vec
    .quad trap_stub_\vec
.endm

    .text
    .set vec, 0
    .rept X86_VEC_COUNT
    trap_stub %vec
    .set vec, vec + 1
    .endr

trap_common:
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
    movq %rsp, %rdi
    /* The C ABI wants RSP 16-byte aligned at the call, whatever the CPU did. */
    movq %rsp, %rbx
    andq $-16, %rsp
    cld
    call trap_dispatch
    movq %rbx, %rsp
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
    /* Drop the vector and the error code: IRETQ expects RIP on top. */
    addq $16, %rsp
    iretq

    .section .rodata
    .balign 8
    .globl trap_stub_table
trap_stub_table:
    .set vec, 0
    .rept X86_VEC_COUNT
    trap_stub_entry %vec
    .set vec, vec + 1
    .endr
