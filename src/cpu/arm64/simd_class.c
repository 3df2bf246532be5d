/*
 * SIMD&FP data-processing instructions this emulator recognises but does
 * not execute (Arm ARM C4.1.96): the instruction stops with A64_UNSUPPORTED
 * once the CPACR_EL1.FPEN check passed. Scalar floating-point instructions
 * are named by mnemonic from their class's opcode table (C4.1.96, the
 * "Floating-point ..." classes); Advanced SIMD ones by class and fields.
 */
#include <stdio.h>
#include <string.h>

#include "cpu/arm64/a64_handlers.h"

static const char *fp_dp2_name(uint32_t insn)
{
    static const char *const names[] = { "FMUL", "FDIV", "FADD", "FSUB", "FMAX", "FMIN", "FMAXNM", "FMINNM",
                                         "FNMUL" };
    unsigned opcode = BITS(insn, 15, 12);
    return opcode < sizeof names / sizeof names[0] ? names[opcode] : NULL;
}

static const char *fp_dp1_name(uint32_t insn)
{
    static const char *const names[16] = { "FMOV", "FABS", "FNEG", "FSQRT", "FCVT", "FCVT", NULL, "FCVT",
                                           "FRINTN", "FRINTP", "FRINTM", "FRINTZ", "FRINTA", NULL, "FRINTX",
                                           "FRINTI" };
    unsigned opcode = BITS(insn, 20, 15);
    return opcode < 16 ? names[opcode] : NULL;
}

static const char *fp_dp3_name(uint32_t insn)
{
    static const char *const names[] = { "FMADD", "FMSUB", "FNMADD", "FNMSUB" };
    return names[(BIT(insn, 21) << 1) | BIT(insn, 15)];
}

static const char *fp_int_name(uint32_t insn)
{
    static const char *const cvt[4][2] = {
        { "FCVTNS", "FCVTNU" }, { "FCVTPS", "FCVTPU" }, { "FCVTMS", "FCVTMU" }, { "FCVTZS", "FCVTZU" },
    };
    unsigned rmode = BITS(insn, 20, 19), opcode = BITS(insn, 18, 16);
    switch (opcode) {
    case 0: case 1: return cvt[rmode][opcode];
    case 2: return rmode == 0 ? "SCVTF" : NULL;
    case 3: return rmode == 0 ? "UCVTF" : NULL;
    case 4: return rmode == 0 ? "FCVTAS" : NULL;
    case 5: return rmode == 0 ? "FCVTAU" : NULL;
    default: return rmode == 3 && BITS(insn, 23, 22) == 1 ? "FJCVTZS" : "FMOV";
    }
}

static const char *fp_fixed_name(uint32_t insn)
{
    switch ((BITS(insn, 20, 19) << 3) | BITS(insn, 18, 16)) {
    case 0x02: return "SCVTF (fixed-point)";
    case 0x03: return "UCVTF (fixed-point)";
    case 0x18: return "FCVTZS (fixed-point)";
    case 0x19: return "FCVTZU (fixed-point)";
    default: return NULL;
    }
}

/* The mnemonic of a scalar floating-point instruction, or NULL. */
static const char *fp_scalar_name(const char *class_name, uint32_t insn)
{
    if (!strcmp(class_name, "Floating-point data-processing (2 source)"))
        return fp_dp2_name(insn);
    if (!strcmp(class_name, "Floating-point data-processing (1 source)"))
        return fp_dp1_name(insn);
    if (!strcmp(class_name, "Floating-point data-processing (3 source)"))
        return fp_dp3_name(insn);
    if (!strcmp(class_name, "Conversion between floating-point and integer"))
        return fp_int_name(insn);
    if (!strcmp(class_name, "Conversion between floating-point and fixed-point"))
        return fp_fixed_name(insn);
    if (!strcmp(class_name, "Floating-point compare"))
        return BIT(insn, 4) ? "FCMPE" : "FCMP";
    if (!strcmp(class_name, "Floating-point conditional compare"))
        return BIT(insn, 4) ? "FCCMPE" : "FCCMP";
    if (!strcmp(class_name, "Floating-point conditional select"))
        return "FCSEL";
    return NULL;
}

a64_status a64_simd_unsupported(a64_cpu *cpu, uint32_t insn, const char *class_name)
{
    char what[96];
    const a64_row *row = a64_lookup(insn);
    const char *mnemonic = row ? fp_scalar_name(row->name, insn) : NULL;
    if (mnemonic)
        snprintf(what, sizeof what, "%s (scalar floating-point, type %u): %s", mnemonic, BITS(insn, 23, 22),
                 row->name);
    else
        snprintf(what, sizeof what, "%s: U=%u size=%u bits[16:10]=0x%02x", class_name, BIT(insn, 29), BITS(insn, 23, 22),
                 BITS(insn, 16, 10));
    return a64_unsupported(cpu, insn, what);
}
