/*
 * Filling the exception record. The interpreter only describes the
 * exception (ESR_ELx.EC/IL/ISS, preferred return address, FAR); the entry
 * code delivers it (Arm ARM D1.10). Preferred return addresses follow Arm
 * ARM D1.10.1: the instruction itself for faults and traps, the next one for
 * SVC, HVC and SMC (handled by the callers, which set it after a64_raise).
 */
#include <stdio.h>

#include "cpu/arm64/a64_internal.h"

a64_status a64_raise(a64_cpu *cpu, uint32_t insn, esr_ec ec, uint32_t iss)
{
    cpu->exc = (a64_exception){
        .ec = ec,
        .il = true,
        .iss = iss & ESR_ISS_MASK,
        .preferred_return = cpu->pc,
        .insn = insn,
    };
    return A64_EXCEPTION;
}

a64_status a64_undefined(a64_cpu *cpu, uint32_t insn)
{
    return a64_raise(cpu, insn, ESR_EC_UNKNOWN, 0);
}

a64_status a64_unsupported(a64_cpu *cpu, uint32_t insn, const char *what)
{
    snprintf(cpu->unsupported, sizeof cpu->unsupported, "%s (0x%08x)", what, insn);
    return A64_UNSUPPORTED;
}

const char *esr_ec_name(unsigned ec)
{
    switch (ec) {
    case ESR_EC_UNKNOWN: return "UNKNOWN";
    case ESR_EC_WFX: return "WFX";
    case ESR_EC_FP_ACCESS: return "FP_ACCESS";
    case ESR_EC_ILLEGAL_STATE: return "ILLEGAL_STATE";
    case ESR_EC_SVC64: return "SVC64";
    case ESR_EC_HVC64: return "HVC64";
    case ESR_EC_SMC64: return "SMC64";
    case ESR_EC_SYSREG: return "SYSREG";
    case ESR_EC_IABT_LOWER: return "IABT_LOWER";
    case ESR_EC_IABT_CUR: return "IABT_CUR";
    case ESR_EC_PC_ALIGN: return "PC_ALIGN";
    case ESR_EC_DABT_LOWER: return "DABT_LOWER";
    case ESR_EC_DABT_CUR: return "DABT_CUR";
    case ESR_EC_SP_ALIGN: return "SP_ALIGN";
    case ESR_EC_FP_EXC64: return "FP_EXC64";
    case ESR_EC_SERROR: return "SERROR";
    case ESR_EC_BREAKPT_LOWER: return "BREAKPT_LOWER";
    case ESR_EC_BREAKPT_CUR: return "BREAKPT_CUR";
    case ESR_EC_SOFTSTP_LOWER: return "SOFTSTP_LOWER";
    case ESR_EC_SOFTSTP_CUR: return "SOFTSTP_CUR";
    case ESR_EC_WATCHPT_LOWER: return "WATCHPT_LOWER";
    case ESR_EC_WATCHPT_CUR: return "WATCHPT_CUR";
    case ESR_EC_BRK64: return "BRK64";
    }
    return "?";
}
