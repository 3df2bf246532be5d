/*
 * The system register table behind MRS and MSR (register): see sysreg.c and
 * docs/arm64-isa.md for the list and the access rules.
 */
#ifndef EMU_CPU_ARM64_SYSREG_H
#define EMU_CPU_ARM64_SYSREG_H

#include "cpu/arm64/a64_internal.h"

/* Name of the register at this encoding ("SCTLR_EL1"), NULL if not in the table. */
const char *a64_sysreg_name(uint32_t enc);

/* MRS or MSR (register), the whole instruction word. Raises UNDEFINED, the EC 0x18 trap or the FP
 * access trap as the Arm ARM requires for this EL. */
a64_status a64_sysreg_insn(a64_cpu *cpu, uint32_t insn);

#endif
