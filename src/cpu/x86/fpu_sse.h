/*
 * The x87 FPU, MMX, SSE and AVX instruction classes and the checks CR0 and
 * CR4 make before any of them runs (SDM vol. 3, 2.5 and table 2-2; 13.1 and
 * 13.2; vol. 1, 13.5 and 14.3 for AVX): #NM when the state belongs to
 * another task (CR0.TS) or is emulated (CR0.EM for x87), #UD when the OS has
 * not enabled the state (CR0.EM for MMX/SSE, CR4.OSFXSR, CR4.OSXSAVE and
 * XCR0) or the CPU model lacks the feature. None of these instructions
 * executes: once the checks pass they stop the machine naming the exact
 * instruction ("x87 FNINIT", "SSE MOVAPS"). FWAIT, which only waits for
 * pending x87 exceptions, is a no-op since no x87 state is modelled.
 */
#ifndef EMU_CPU_X86_FPU_SSE_H
#define EMU_CPU_X86_FPU_SSE_H

#include "cpu/x86/x86.h"

/* 0F AE /0-/6 memory forms: FXSAVE FXRSTOR LDMXCSR STMXCSR XSAVE XRSTOR XSAVEOPT (from grp15). */
X86_MUST_CHECK x86_status x86_fp_state_group15(x86_cpu *cpu, const x86_insn *insn);
/* 0F C7 /3-/5 memory forms: XRSTORS XSAVEC XSAVES (from grp9). */
X86_MUST_CHECK x86_status x86_fp_state_group9(x86_cpu *cpu, const x86_insn *insn);
/* 0F 01 D0/D1: XGETBV, XSETBV (from grp7). */
X86_MUST_CHECK x86_status x86_fp_xcr_access(x86_cpu *cpu, const x86_insn *insn);

/* Is h one of this file's handlers for instructions that never execute (decode API's "supported")? */
bool x86_fp_unmodelled(x86_handler h);

#endif
