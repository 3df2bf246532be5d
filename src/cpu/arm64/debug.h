/*
 * AArch64 self-hosted debug (Arm ARM chapter D2): hardware breakpoints,
 * watchpoints and software step, taken as debug exceptions to EL1, or to
 * EL2 under MDCR_EL2.TDE or HCR_EL2.TGE.
 * Breakpoints match addresses, Context IDs and VMIDs, linked or not;
 * watchpoints may link to a context breakpoint.
 */
#ifndef EMU_CPU_ARM64_DEBUG_H
#define EMU_CPU_ARM64_DEBUG_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/arm64/a64.h"

/* MDSCR_EL1 (Arm ARM D17.3.19). */
#define A64_MDSCR_SS (1ull << 0)    /* software step enable */
#define A64_MDSCR_KDE (1ull << 13)  /* local (same-EL) debug exceptions enable */
#define A64_MDSCR_MDE (1ull << 15)  /* breakpoints and watchpoints enable */

/* OSLSR_EL1 / OSLAR_EL1 (D17.3.24, D17.3.23). */
#define A64_OSLSR_OSLM_IMPLEMENTED (1ull << 3)  /* OSLM = 0b10: OS Lock implemented */
#define A64_OSLSR_OSLK (1ull << 1)
#define A64_OSLAR_OSLK 1ull
#define A64_OSDLR_DLK 1ull          /* OSDLR_EL1.DLK: the OS Double Lock (D17.3.22) */
#define A64_DBGPRCR_CORENPDRQ 1ull  /* DBGPRCR_EL1.CORENPDRQ: keep the core powered, overriding DLK */

/* MDCR_EL2 (D17.3.17): TDE routes debug exceptions to EL2 and, like HCR_EL2.TGE, makes TDA and TDOSA
 * act as set; TDA traps EL1 accesses to the debug registers, TDOSA those to the OS Lock registers. */
#define A64_MDCR_EL2_TDE (1ull << 8)
#define A64_MDCR_EL2_TDA (1ull << 9)
#define A64_MDCR_EL2_TDOSA (1ull << 10)

/* Recompute cpu->debug_attention after MDSCR_EL1, the OS Lock or a DBG*CR changed. */
void a64_debug_update(a64_cpu *cpu);

/* The debug target EL (D2.3.1): 2 when EL2 is implemented and MDCR_EL2.TDE
 * or HCR_EL2.TGE is set, else 1. */
unsigned a64_debug_target_el(const a64_cpu *cpu);

/* AArch64.GenerateDebugExceptionsFrom (D2.3): are debug exceptions enabled
 * from `el` with PSTATE.D = d_masked? */
bool a64_debug_exceptions_enabled(const a64_cpu *cpu, unsigned el, bool d_masked);

/* The slow step used while cpu->debug_attention is set: software step and
 * breakpoint checks around a64_step_insn (D2.8, D2.12). */
a64_status a64_debug_step(a64_cpu *cpu);

/* One step without any debug check (exec.c). */
a64_status a64_step_insn(a64_cpu *cpu);

/* Watchpoint check of a data access before it is made (D2.9): A64_OK, or
 * A64_EXCEPTION with a watchpoint exception in cpu->exc. */
a64_status a64_debug_watch(a64_cpu *cpu, uint32_t insn, a64_acc_kind kind, uint64_t va, unsigned size,
                           unsigned flags);

/* DebugExceptionReturnSS (D2.12.5): the PSTATE.SS an exception return to
 * dest_el (with SPSR image spsr) leaves, from the current EL. */
uint8_t a64_debug_return_ss(const a64_cpu *cpu, uint64_t spsr, unsigned dest_el);

#endif
