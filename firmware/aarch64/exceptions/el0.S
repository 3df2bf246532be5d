/*
 * The EL0 program: one exception of each kind, in order. Every handler
 * returns here (README.md says where each one resumes); the last SVC, #0,
 * hands control back to EL1 for good.
 */
#include "exceptions/exceptions.h"

    .section .el0.text, "ax"
    .global el0_main
el0_main:
    svc     #0x123                  /* EC 0x15: returns after the SVC */
    brk     #0x42                   /* EC 0x3c: the handler steps over it */
    .word   0x00000000              /* UDF #0, EC 0x00 */
    ldr     x1, =UNMAPPED_DATA
    ldr     x0, [x1]                /* EC 0x24, translation fault at level 3 */
    ldr     x1, =UNMAPPED_CODE
    blr     x1                      /* EC 0x20 at the target: the handler returns to X30 */
    adr     x1, 1f
    add     x1, x1, #2
    blr     x1                      /* EC 0x22 at a misaligned PC: the handler returns to X30 */
1:  sub     sp, sp, #8
    ldr     x0, [sp]                /* EC 0x26 (SCTLR_EL1.SA0): the handler steps over the load */
    add     sp, sp, #8
    mov     x2, #0x1234
    fmov    d0, x2                  /* EC 0x07 (CPACR_EL1.FPEN): the handler enables FP and retries */
    fmov    x3, d0
    wfi                             /* EC 0x01 (SCTLR_EL1.nTWI = 0): stepped over */
    adr     x1, el0_main
    dc      cvau, x1                /* EC 0x18 (SCTLR_EL1.UCI = 0): stepped over */
    mov     x0, x3                  /* the FP round trip, checked at EL1 */
    svc     #0                      /* back to EL1 */
    .ltorg

    .section .el0.data, "aw"
    .balign 16
    .space  1024
    .global el0_stack_top
el0_stack_top:
