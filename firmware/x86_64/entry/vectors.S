/*
 * The IDT entry stubs, one per vector, made by a macro. Where the CPU pushes
 * no error code the stub pushes 0, so every frame has one shape (SDM vol. 3,
 * table 6-1: only #DF, #TS, #NP, #SS, #GP, #PF, #AC, #CP, #VC and #SX push
 * one); then it pushes the vector and joins entry_common.
 *
 * entry_common saves the general registers and exchanges GS base with
 * KERNEL_GS_BASE only when the interrupted code ran at CPL3: the saved CS's
 * RPL is the CPL it was interrupted at (6.14.2). Kernel code then always runs
 * with the kernel's per-CPU base in GS (entry/percpu.h). This "cheap" check
 * trusts the saved CS, which is wrong for an event that arrives after a
 * SYSCALL and before its SWAPGS (entry/nmi.S has the check that is not).
 */
#include "entry/save.h"
#include "lib/x86.h"

    .altmacro

.macro entry_stub vec
    .balign 16
    .globl entry_vector_\vec
entry_vector_\vec:
    .if (\vec == X86_VEC_DF) | (\vec == X86_VEC_TS) | (\vec == X86_VEC_NP) | (\vec == X86_VEC_SS) | (\vec == X86_VEC_GP) | (\vec == X86_VEC_PF) | (\vec == X86_VEC_AC) | (\vec == X86_VEC_CP) | (\vec == X86_VEC_VC) | (\vec == X86_VEC_SX)
    .else
    pushq $0
    .endif
    pushq $\vec
    jmp entry_common
.endm

.macro entry_stub_address vec
    .quad entry_vector_\vec
.endm

    .text
    .set vec, 0
    .rept X86_VEC_COUNT
    entry_stub %vec
    .set vec, vec + 1
    .endr

    .globl entry_common
entry_common:
    save_gprs
    testb $X86_SEL_RPL_MASK, FRAME_CS(%rsp)
    jz 1f
    swapgs
1:
    call_dispatch
    /* The handler may have changed the frame: decide again from the CS IRETQ will load. */
    testb $X86_SEL_RPL_MASK, FRAME_CS(%rsp)
    jz 2f
    swapgs
2:
    restore_gprs
    /* Drop the vector and the error code: IRETQ expects RIP on top. */
    addq $16, %rsp
    .globl entry_iretq
entry_iretq:
    iretq

    .section .rodata
    .balign 8
    .globl trap_stub_table
trap_stub_table:
    .set vec, 0
    .rept X86_VEC_COUNT
    entry_stub_address %vec
    .set vec, vec + 1
    .endr
