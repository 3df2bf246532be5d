/*
 * One function per x87/MMX/SSE/AVX instruction under test. The instruction
 * is the function's first, so when it faults the stack holds just the
 * return address: the handler resumes at fpu_case_return, whose RET goes
 * back to the caller, and reports the saved RIP against the function.
 */
    .text

.macro fpu_case name
    .globl fpu_case_\name
fpu_case_\name:
.endm

fpu_case fninit
    fninit
    ret

fpu_case fwait
    fwait
    ret

fpu_case movaps
    movaps %xmm1, %xmm0
    ret

fpu_case paddb_mmx
    paddb %mm1, %mm0
    ret

fpu_case ldmxcsr
    ldmxcsr fpu_mxcsr(%rip)
    ret

fpu_case fxsave
    fxsave fpu_save_area(%rip)
    ret

fpu_case vzeroupper
    vzeroupper
    ret

fpu_case xgetbv
    xgetbv
    ret

    .globl fpu_case_return
fpu_case_return:
    ret

    .data
    .balign 16
fpu_mxcsr:
    .long 0x1f80
    .balign 16
fpu_save_area:
    .zero 512
