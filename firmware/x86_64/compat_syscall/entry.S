/*
 * The compatibility-mode side: SYSRETL into 32-bit ring-3 code, which runs
 * one 32-bit instruction and SYSCALL; and the 64-bit entry points IA32_CSTAR
 * and IA32_LSTAR name, which record what SYSCALL left in the registers and
 * call into C on a stack of their own.
 */
#include "entry/gdt.h"

    .text
/* sysret_to_compat(eip, esp): SYSRET without REX.W returns to compatibility mode. */
    .globl sysret_to_compat
sysret_to_compat:
    movl %edi, %ecx
    movq %rsi, %rsp
    movl $0x2, %r11d                /* RFLAGS: IF clear, no device interrupt can come */
    sysretl

    .code32
    .globl compat_user, compat_syscall_insn
compat_user:
    movl $0x1234, %ebx
    movl %esp, %eax
    decl %eax                       /* 48: DEC EAX here; in 64-bit mode a REX.W prefix that would eat the SYSCALL */
    addl $0, %ebx                   /* every arithmetic flag defined and clear: RFLAGS is 0x2 again */
compat_syscall_insn:
    syscall
    hlt                             /* not reached: SYSCALL does not return here */
    .code64

.macro record_entry which
    movq %rcx, syscall_rcx(%rip)
    movq %r11, syscall_r11(%rip)
    movq %rbx, syscall_rbx(%rip)
    movq %rax, syscall_user_esp(%rip)
    movw %cs, syscall_cs(%rip)
    movw %ss, syscall_ss(%rip)
    pushfq
    popq syscall_rflags(%rip)
    leaq kernel_stack_top(%rip), %rsp
    movl $\which, %edi
    call syscall_report
.endm

    .globl compat_cstar_entry, compat_lstar_entry
compat_cstar_entry:
    record_entry 1
compat_lstar_entry:
    record_entry 0

    .bss
    .balign 16
    .skip 0x1000
kernel_stack_top:
