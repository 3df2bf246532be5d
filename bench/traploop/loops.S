/*
 * The timed loops and their handlers. Each ring-3 loop keeps its count in
 * RBX, which no handler touches (SYSCALL takes RCX and R11), so the loop is
 * the trapping instruction, DEC and JNZ. The handlers count into
 * bench_handled so the run can show every round trip really trapped.
 */
#include "loops.h"
#include "entry/gdt.h"
#include "entry/paging.h"
#include "lib/x86.h"

.macro user_loop name, body:vararg
    .globl user_\name\()_loop
user_\name\()_loop:
    movq bench_iterations(%rip), %rbx
    testq %rbx, %rbx
    jz 2f
1:
    \body
    decq %rbx
    jnz 1b
2:
    int $VEC_BENCH_DONE
    /* Not reached: the VEC_BENCH_DONE handler exits. */
    ud2
.endm

    .text
    user_loop int, int $VEC_BENCH_INT

/* The store that faults must have a fixed length: the handler skips it. */
    .globl user_pf_loop
user_pf_loop:
    movabsq $UNMAPPED_ADDRESS, %rax
    movq bench_iterations(%rip), %rbx
    testq %rbx, %rbx
    jz 2f
1:
pf_insn:
    movb $0, (%rax)
pf_resume:
    decq %rbx
    jnz 1b
2:
    int $VEC_BENCH_DONE
    ud2

    user_loop syscall, syscall

    .globl bench_int_handler
bench_int_handler:
    incq bench_handled(%rip)
    iretq

/* #PF pushes an error code: the saved RIP is above it. */
    .globl bench_pf_handler
bench_pf_handler:
    incq bench_handled(%rip)
    addq $(pf_resume - pf_insn), 8(%rsp)
    addq $8, %rsp
    iretq

/* RCX holds the return RIP and R11 the RFLAGS; SYSRET restores both. */
    .globl bench_syscall_handler
bench_syscall_handler:
    incq bench_handled(%rip)
    sysretq

/* bench_enter_user(rip, rsp): the frame IRETQ pops, with ring-3 selectors. */
    .globl bench_enter_user
bench_enter_user:
    pushq $SEL_USER_DS
    pushq %rsi
    pushq $X86_RFLAGS_FIXED1
    pushq $SEL_USER_CS
    pushq %rdi
    iretq
