/*
 * The EL0 program of the ctxdebug firmware, run once per "process": it
 * increments a shared counter. The ADD carries an address breakpoint linked
 * to one Context ID, the store a watchpoint linked to another; SVC #0 hands
 * control back to EL1.
 */
    .section .el0.text, "ax"
    .global el0_main
    .global el0_marked
el0_main:
    adr     x1, el0_counter
    ldr     x0, [x1]
el0_marked:
    add     x0, x0, #1              /* DBGBVR0_EL1, linked to breakpoint 4's Context ID */
    str     x0, [x1]                /* DBGWVR0_EL1, linked to breakpoint 5's Context ID */
    svc     #0

    .section .el0.data, "aw"
    .balign 16
    .global el0_counter
el0_counter:
    .quad   0
