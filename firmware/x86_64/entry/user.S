/* entry_enter_user(rip, rsp): entry/user.h. */
#include "entry/gdt.h"
#include "lib/x86.h"

    .text
    .globl entry_enter_user
entry_enter_user:
    swapgs
    pushq $SEL_USER_DS
    pushq %rsi
    pushq $X86_RFLAGS_FIXED1
    pushq $SEL_USER_CS
    pushq %rdi
    iretq
