/*
 * The ring-3 caller and the call gate's ring-0 entry. A far CALL through a
 * 64-bit call gate from ring 3 switches to TSS.RSP0 with a null SS and
 * pushes the caller's SS, RSP, CS and RIP, 8 bytes each (SDM vol. 3,
 * 5.8.3.1 and 5.8.5); REX.W RETF pops them back (5.8.6).
 */
#include "callgate/callgate.h"

    .text

/* enter_user(rip, rsp): IRETQ to ring 3 with IF = 0. */
    .globl enter_user
enter_user:
    pushq $SEL_USER_DS
    pushq %rsi
    pushq $0x2
    pushq $SEL_USER_CS
    pushq %rdi
    iretq

/* Ring 3: call through the gate, then again with DS as the RETFQ left it. */
    .globl user_main
user_main:
    mov $CALL_FIRST, %edi
    mov %rsp, %rsi
    lcall *gate_pointer(%rip)
    .globl user_after_call
user_after_call:
    mov $CALL_FINISH, %edi
    xor %esi, %esi
    mov %ds, %esi
    lcall *gate_pointer(%rip)
    ud2

/* Ring 0 on TSS.RSP0: frame at RSP. DS is loaded with a ring-0 selector so
 * that the RETFQ to ring 3 has a data segment register to null. */
    .globl gate_entry
gate_entry:
    mov %rsp, %rdx
    xor %ecx, %ecx
    mov %ss, %ecx
    call gate_report
    mov $SEL_KERNEL_DS, %eax
    mov %eax, %ds
    lretq

    .data
/* m16:32: the offset is ignored for a call gate; the selector names it. */
gate_pointer:
    .long 0
    .word SEL_GATE

    .section .note.GNU-stack, "", @progbits
