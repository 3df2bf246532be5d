/*
 * Entry from QEMU's -kernel (or emu): EL1h, MMU off, DAIF masked (docs/boot.md).
 * Set the EL1 stack and the vector table, point TPIDR_EL1 at this CPU's
 * state, zero the BSS and call main, which never returns.
 */
    .section .text.start, "ax"
    .global _start
_start:
    ldr     x0, =__stack_top
    mov     sp, x0
    ldr     x0, =vectors
    msr     vbar_el1, x0
    ldr     x0, =percpu_state
    msr     tpidr_el1, x0
    ldr     x1, =__bss_start
    ldr     x2, =__bss_end
1:  cmp     x1, x2
    b.hs    2f
    str     xzr, [x1], #8
    b       1b
2:  isb
    bl      main
3:  wfi
    b       3b
