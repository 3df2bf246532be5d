/*
 * The EL0 program of the debug firmware: a breakpoint, a store and a load
 * under watchpoints, then SVC #1 asks EL1 to single-step what follows,
 * including SVC #2. SVC #0 hands control back to EL1.
 */
    .section .el0.text, "ax"
    .global el0_main
    .global el0_breakpoint
el0_main:
    nop
el0_breakpoint:
    mov     x0, #0x55               /* DBGBVR0_EL1: the handler disables the breakpoint and retries */
    adr     x1, el0_watch_store
    str     x0, [x1]                /* DBGWVR0_EL1, stores: the store has not happened when taken */
    adr     x1, el0_watch_load
    ldr     x2, [x1]                /* DBGWVR1_EL1, loads, byte 2 only: FAR is that byte */
    ldrb    w3, [x1]                /* byte 0: no match */
    svc     #1                      /* start stepping after the return */
    mov     x4, #4                  /* stepped */
    add     x4, x4, #1              /* stepped */
    svc     #2                      /* stepped: the SVC completes the step */
    nop                             /* the step exception comes before this one (ISV = 0) */
    mov     x0, x2
    svc     #0                      /* back to EL1 */

    .section .el0.data, "aw"
    .balign 16
    .global el0_watch_store
    .global el0_watch_load
el0_watch_store:
    .quad   0
el0_watch_load:
    .quad   0x0706050403020100
