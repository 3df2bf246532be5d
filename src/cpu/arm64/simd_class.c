/*
 * SIMD&FP data-processing classes this emulator recognises but does not
 * execute (Arm ARM C4.1.96): the instruction stops with A64_UNSUPPORTED,
 * naming its class and opcode fields, once the CPACR_EL1.FPEN check passed.
 */
#include <stdio.h>

#include "cpu/arm64/a64_handlers.h"

a64_status a64_op_simd_class(a64_cpu *cpu, uint32_t insn)
{
    const a64_row *row = a64_lookup(insn);
    return a64_simd_unsupported(cpu, insn, row ? row->name : "SIMD&FP");
}

a64_status a64_simd_unsupported(a64_cpu *cpu, uint32_t insn, const char *class_name)
{
    char what[80];
    snprintf(what, sizeof what, "%s: U=%u size=%u opcode=0x%02x", class_name, BIT(insn, 29), BITS(insn, 23, 22),
             BITS(insn, 16, 10));
    return a64_unsupported(cpu, insn, what);
}
