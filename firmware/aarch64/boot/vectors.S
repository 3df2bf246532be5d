/*
 * VBAR_EL1's table: 16 slots of 0x80 bytes, 2 KiB aligned (Arm ARM D1.10.2).
 * Each slot saves X0/X1, puts its number in X0 and joins the common path,
 * which saves the rest of the frame (X2-X30, SP_EL0, ELR_EL1, SPSR_EL1),
 * calls exception_dispatch, restores everything (the handler may have
 * changed ELR, SPSR or any register) and returns with ERET.
 *
 * With VECTORS_EL defined as 2 before it is included (el2/vectors_el2.S),
 * the same code makes VBAR_EL2's table, `vectors_el2`, saving ELR_EL2 and
 * SPSR_EL2 and calling exception_dispatch_el2.
 */
#include "boot/frame.h"

#if defined(VECTORS_EL) && VECTORS_EL == 2
#define VECTORS vectors_el2
#define COMMON exception_common_el2
#define DISPATCH exception_dispatch_el2
#define ELR_REG elr_el2
#define SPSR_REG spsr_el2
#else
#define VECTORS vectors
#define COMMON exception_common
#define DISPATCH exception_dispatch
#define ELR_REG elr_el1
#define SPSR_REG spsr_el1
#endif

    .macro slot n
    .balign 0x80
    sub     sp, sp, #FRAME_SIZE
    stp     x0, x1, [sp, #0]
    mov     x0, #\n
    b       COMMON
    .endm

    .section .vectors, "ax"
    .balign 2048
    .global VECTORS
VECTORS:
    slot 0
    slot 1
    slot 2
    slot 3
    slot 4
    slot 5
    slot 6
    slot 7
    slot 8
    slot 9
    slot 10
    slot 11
    slot 12
    slot 13
    slot 14
    slot 15

    .text
COMMON:
    stp     x2, x3, [sp, #16]
    stp     x4, x5, [sp, #32]
    stp     x6, x7, [sp, #48]
    stp     x8, x9, [sp, #64]
    stp     x10, x11, [sp, #80]
    stp     x12, x13, [sp, #96]
    stp     x14, x15, [sp, #112]
    stp     x16, x17, [sp, #128]
    stp     x18, x19, [sp, #144]
    stp     x20, x21, [sp, #160]
    stp     x22, x23, [sp, #176]
    stp     x24, x25, [sp, #192]
    stp     x26, x27, [sp, #208]
    stp     x28, x29, [sp, #224]
    mrs     x1, sp_el0
    stp     x30, x1, [sp, #FRAME_X30]
    mrs     x1, ELR_REG
    mrs     x2, SPSR_REG
    stp     x1, x2, [sp, #FRAME_ELR]
    mov     x1, sp
    bl      DISPATCH
    ldp     x1, x2, [sp, #FRAME_ELR]
    msr     ELR_REG, x1
    msr     SPSR_REG, x2
    ldp     x30, x1, [sp, #FRAME_X30]
    msr     sp_el0, x1
    ldp     x2, x3, [sp, #16]
    ldp     x4, x5, [sp, #32]
    ldp     x6, x7, [sp, #48]
    ldp     x8, x9, [sp, #64]
    ldp     x10, x11, [sp, #80]
    ldp     x12, x13, [sp, #96]
    ldp     x14, x15, [sp, #112]
    ldp     x16, x17, [sp, #128]
    ldp     x18, x19, [sp, #144]
    ldp     x20, x21, [sp, #160]
    ldp     x22, x23, [sp, #176]
    ldp     x24, x25, [sp, #192]
    ldp     x26, x27, [sp, #208]
    ldp     x28, x29, [sp, #224]
    ldp     x0, x1, [sp, #0]
    add     sp, sp, #FRAME_SIZE
    eret
