/*
 * The ring-3 side of the lesson: one SYSCALL (the one the NMI is injected
 * into), then a report of what ring 3 finds after SYSRET, then the end.
 */
#include "nmi_swapgs/lesson.h"

    .text
    .globl lesson_user_main, lesson_syscall_insn
lesson_user_main:
    movq %rsp, lesson_user_rsp(%rip)
    movl $SYS_HELLO, %eax
lesson_syscall_insn:
    syscall
    movq %gs:0, %rdi
    movl $SYS_SHOW, %eax
    syscall
    movl $SYS_FINISH, %eax
    syscall
    /* Not reached: SYS_FINISH exits. */
    ud2

    .data
    .balign 8
    .globl lesson_user_gs_area, lesson_user_rsp
lesson_user_gs_area:
    .quad USER_GS_MAGIC
lesson_user_rsp:
    .quad 0
