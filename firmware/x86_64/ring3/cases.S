/*
 * The ring-3 program: one case per exception kind, then the system calls.
 * Each case asks the kernel to prepare it (SYS_ARM), records RSP, and runs
 * the instruction between its _insn and _resume labels; the handler resumes
 * at _resume. Faults report _insn as the saved RIP, traps _resume.
 */
#include "entry/gdt.h"
#include "entry/paging.h"
#include "lib/x86.h"
#include "ring3/cases.h"

.macro labels name
    .globl case_\name\()_insn, case_\name\()_resume
.endm

/* Ask the kernel to prepare case ID, then note RSP for the handler to compare. */
.macro arm id
    movl $SYS_ARM, %eax
    movl $\id, %edi
    syscall
    movq %rsp, trap_pre_rsp(%rip)
.endm

/* What ring 3 sees after a system call returns, reported by the next one. */
.macro show_return
    movq %rax, %rdi
    movq %gs:0, %rsi
    movl %cs, %edx
    movl %ss, %r10d
    movl $SYS_SHOW, %eax
    syscall
.endm

    .text
    labels de
    labels db_step
    labels db_icebp
    labels bp
    labels of
    labels ud
    labels nm
    labels df
    labels ts
    labels np
    labels ss_load
    labels ss_canon
    labels gp_priv
    labels gp_sel
    labels pf_ro
    labels pf_super
    labels pf_nx
    labels ac
    labels syscall
    labels int80

    .globl ring3_main
ring3_main:
    arm CASE_DE
    xorl %edx, %edx
    movl $1, %eax
    xorl %ecx, %ecx
case_de_insn:
    divl %ecx
case_de_resume:

    /* TF set by POPF: the instruction after it runs, then #DB (18.3.1.4). */
    arm CASE_DB_STEP
    pushfq
    orl $X86_RFLAGS_TF, (%rsp)
    popfq
case_db_step_insn:
    nop
case_db_step_resume:

    arm CASE_DB_ICEBP
case_db_icebp_insn:
    .byte 0xf1      /* INT1 (ICEBP): gas has no mnemonic for it */
case_db_icebp_resume:

    arm CASE_BP
case_bp_insn:
    int3
case_bp_resume:

    /* INTO is invalid in 64-bit mode: run it from a 32-bit code segment. */
    arm CASE_OF
    ljmpl *compat_entry(%rip)
    .code32
compat_code:
    movl $0x7fffffff, %eax
    addl $1, %eax
case_of_insn:
    into
case_of_resume:
    ljmp $SEL_USER_CS, $back_in_64
    .code64
back_in_64:
    /* OF stays set from the ADD: clear it so later frames do not show it. */
    xorl %eax, %eax

    arm CASE_UD
case_ud_insn:
    ud2
case_ud_resume:

    arm CASE_NM
case_nm_insn:
    fninit
case_nm_resume:

    /* The kernel marked the #DE gate not present: #DE, then #NP, is #DF. */
    arm CASE_DF
    xorl %edx, %edx
    movl $1, %eax
    xorl %ecx, %ecx
case_df_insn:
    divl %ecx
case_df_resume:

    arm CASE_TS
case_ts_insn:
    int $VEC_IST7
case_ts_resume:

    arm CASE_NP
    movl $SEL_USER_DS_NP, %eax
case_np_insn:
    movl %eax, %ds
case_np_resume:

    arm CASE_SS_LOAD
    movl $SEL_USER_DS_NP, %eax
case_ss_load_insn:
    movl %eax, %ss
case_ss_load_resume:

    /* RBP as a base register addresses the stack segment. */
    arm CASE_SS_CANON
    movabsq $NON_CANONICAL, %rbp
case_ss_canon_insn:
    movq (%rbp), %rax
case_ss_canon_resume:

    arm CASE_GP_PRIV
case_gp_priv_insn:
    hlt
case_gp_priv_resume:

    arm CASE_GP_SEL
    movl $SEL_KERNEL_DS, %eax
case_gp_sel_insn:
    movl %eax, %ds
case_gp_sel_resume:

    arm CASE_PF_RO
    movl $READ_ONLY_PAGE, %eax
case_pf_ro_insn:
    movb $1, (%rax)
case_pf_ro_resume:

    arm CASE_PF_SUPER
    movl $SUPERVISOR_PAGE, %eax
case_pf_super_insn:
    movb (%rax), %al
case_pf_super_resume:

    arm CASE_PF_NX
    movl $NX_PAGE, %eax
case_pf_nx_insn:
    jmp *%rax
case_pf_nx_resume:

    /* CR0.AM is set by the kernel; EFLAGS.AC by ring 3 itself. */
    arm CASE_AC
    pushfq
    orl $X86_RFLAGS_AC, (%rsp)
    popfq
    leaq ac_buffer+1(%rip), %rax
case_ac_insn:
    movl (%rax), %ecx
case_ac_resume:
    /* Where no #AC arrives (QEMU) the handler did not clear AC: do it here. */
    pushfq
    andl $~X86_RFLAGS_AC, (%rsp)
    popfq

    arm CASE_SYSCALL
    movl $SYS_HELLO, %eax
case_syscall_insn:
    syscall
case_syscall_resume:
    show_return

    arm CASE_INT80
    movl $SYS_HELLO, %eax
case_int80_insn:
    int $VEC_SYSCALL_INT
case_int80_resume:
    show_return

    movl $SYS_FINISH, %eax
    syscall
    /* Not reached: SYS_FINISH exits. */
    ud2

    .section .rodata
    .balign 8
/* The m16:32 far pointer LJMP reads: offset, then selector. */
compat_entry:
    .long compat_code
    .word SEL_USER_CS32

    .data
    .balign 8
ac_buffer:
    .quad 0, 0
    .globl user_gs_area
user_gs_area:
    .quad USER_GS_MAGIC
