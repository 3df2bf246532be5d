/*
 * The trapping code. Ring-0 cases are functions that set RSP to 8 modulo 16
 * (so the CPU's 16-byte alignment of the stack before it pushes the frame
 * shows, SDM vol. 3, 6.14.2), record RSP, run one instruction that traps,
 * and return. The ring-3 program runs its cases in a row and never returns.
 */
#include "traps/cases.h"
#include "entry/gdt.h"
#include "entry/paging.h"
#include "lib/x86.h"

/* Non-canonical: bits 63:47 differ, so the access is #GP(0) (3.3.7.1). */
#define NON_CANONICAL 0x8000000000000000

.macro case_begin name
    .globl case_\name
case_\name:
    pushq %rbp
    movq %rsp, %rbp
    andq $-16, %rsp
    subq $8, %rsp
.endm

.macro case_end
    leave
    ret
.endm

.macro record_rsp
    movq %rsp, trap_pre_rsp(%rip)
.endm

.macro labels name
    .globl \name\()_insn, \name\()_resume
.endm

    .text
    labels ud
case_begin ud
    record_rsp
ud_insn:
    ud2
ud_resume:
    case_end

    labels bp
case_begin bp
    record_rsp
bp_insn:
    int3
bp_resume:
    case_end

    labels gp
case_begin gp
    movabsq $NON_CANONICAL, %rax
    record_rsp
gp_insn:
    movq (%rax), %rax
gp_resume:
    case_end

    labels pf
case_begin pf
    movabsq $UNMAPPED_ADDRESS, %rax
    record_rsp
pf_insn:
    movq $0, (%rax)
pf_resume:
    case_end

    labels de
case_begin de
    xorl %edx, %edx
    movl $1, %eax
    xorl %ecx, %ecx
    record_rsp
de_insn:
    divl %ecx
de_resume:
    case_end

/* enter_user(rip, rsp): the frame IRETQ pops, with ring-3 selectors and IF=0. */
    .globl enter_user
enter_user:
    pushq $SEL_USER_DS
    pushq %rsi
    pushq $X86_RFLAGS_FIXED1
    pushq $SEL_USER_CS
    pushq %rdi
    iretq

    labels user_call
    labels user_kernel_only
    labels user_pf
    labels user_finish
    .globl user_main
user_main:
    movw %ds, user_segs+0(%rip)
    movw %es, user_segs+2(%rip)
    movw %fs, user_segs+4(%rip)
    movw %gs, user_segs+6(%rip)
    record_rsp
user_call_insn:
    int $VEC_USER_CALL
user_call_resume:
    record_rsp
user_kernel_only_insn:
    int $VEC_KERNEL_ONLY
user_kernel_only_resume:
    movl $SUPERVISOR_PAGE, %eax
    record_rsp
user_pf_insn:
    movb $0, (%rax)
user_pf_resume:
    record_rsp
user_finish_insn:
    int $VEC_FINISH
user_finish_resume:
    /* Not reached: the VEC_FINISH handler exits. A #UD here is a failure. */
    ud2
