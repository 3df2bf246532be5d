/*
 * AArch64 exception entry and return (Arm ARM D1.10 "Exception entry",
 * D1.11 "Exception return"): the target EL, the vector among VBAR_ELx's
 * sixteen slots, ESR/ELR/SPSR/FAR, PSTATE on entry, and ERET with its
 * illegal-return checks. Each builds an emu_trap record step by step, like
 * the x86 delivery code.
 */
#ifndef EMU_ENTRY_ARM64_ENTRY_H
#define EMU_ENTRY_ARM64_ENTRY_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/arm64/a64.h"
#include "emu/emu.h"

/* The four exception types, each with its slot offset within a vector group (D1.10.2). */
typedef enum a64_exc_type {
    A64_EXC_SYNC = 0,
    A64_EXC_IRQ = 1,
    A64_EXC_FIQ = 2,
    A64_EXC_SERROR = 3,
} a64_exc_type;

#define A64_VECTOR_SLOT_BYTES 0x80u     /* one slot: 32 instructions */
#define A64_VECTOR_GROUP_BYTES 0x200u   /* sync, IRQ, FIQ, SError */
#define A64_VECTOR_CUR_SP0 0x000u       /* taken to the current EL using SP_EL0 */
#define A64_VECTOR_CUR_SPX 0x200u       /* taken to the current EL using SP_ELx */
#define A64_VECTOR_LOWER_A64 0x400u     /* from a lower EL in AArch64 */
#define A64_VECTOR_LOWER_A32 0x600u     /* from a lower EL in AArch32 (never, here) */
#define A64_VBAR_RES0_MASK 0x7ffull     /* VBAR_ELx[10:0] are RES0: the table is 2 KiB aligned */

/* Which ELs this machine implements (EL0 and EL1 always; EL3 never). */
typedef struct a64_el_config {
    bool el2;
} a64_el_config;

/* The vector offset (from VBAR) for an exception of `type` taken from from_el (with from_sp) to target_el. */
uint32_t a64_vector_offset(unsigned from_el, unsigned from_sp, unsigned target_el, a64_exc_type type);

/* The slot's name for records and explanations, e.g. "lower EL AArch64, synchronous". */
const char *a64_vector_slot_name(uint32_t offset);

/* The EL a synchronous exception goes to (D1.10: SVC/aborts/traps from EL0 and EL1 to EL1,
 * HVC to EL2, exceptions at EL2 stay at EL2). */
unsigned a64_sync_target_el(const a64_cpu *cpu, const a64_el_config *cfg, const a64_exception *exc);

/*
 * Take an exception: write SPSR/ELR/ESR/FAR of target_el, set PSTATE (all of
 * DAIF masked, SPSel = 1, EL = target, IL and SS clear), clear the exclusive
 * monitor, and branch to VBAR_ELx + offset. For IRQ/FIQ, exc is NULL and
 * ELR is the current PC; for SError, ELR is the current PC and exc (if not
 * NULL) gives the syndrome for ESR_ELx. Fills rec (begun here) with every
 * step.
 */
void a64_take_exception(a64_cpu *cpu, const a64_exception *exc, a64_exc_type type, unsigned target_el,
                        uint64_t cycle_start, uint32_t step_cost, emu_trap *rec);

/*
 * ERET at EL1 or EL2 (the interpreter returned A64_ERET): restore PSTATE
 * from SPSR_ELx and PC from ELR_ELx, or, for an illegal return (D1.11.4),
 * keep EL and SPSel, set PSTATE.IL and take PC from ELR. Fills rec.
 */
void a64_eret(a64_cpu *cpu, const a64_el_config *cfg, uint64_t cycle_start, uint32_t step_cost, emu_trap *rec);

#endif
