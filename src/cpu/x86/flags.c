/*
 * Condition codes and the flag instructions: x86_cond() for Jcc/SETcc/CMOVcc
 * (SDM vol. 1, appendix B, table B-1), CMC/CLC/STC/CLD/STD, SAHF and LAHF
 * (SDM vol. 2, the page of each).
 */
#include "cpu/x86/alu.h"
#include "cpu/x86/cpu_features.h"
#include "cpu/x86/handlers.h"

void x86_flags_materialize(x86_cpu *cpu)
{
    uint64_t a = cpu->lazy_a, b = cpu->lazy_b, res = cpu->lazy_res;
    unsigned size = cpu->lazy_size;
    uint64_t flags;
    switch (cpu->lazy_kind) {
    case X86_LAZY_ADD: flags = x86_flags_add(a, b, res, size); break;
    case X86_LAZY_SUB: flags = x86_flags_sub(a, b, res, size); break;
    default:           flags = x86_flags_logic(res, size); break;
    }
    cpu->lazy_kind = X86_LAZY_NONE;
    cpu->rflags = (cpu->rflags & ~X86_FLAGS_ARITH) | flags;
}

/* Conditions straight from a pending SUB/CMP or logic result (appendix B's definitions). */
static bool cond_from_lazy(const x86_cpu *cpu, unsigned pair, bool *r)
{
    unsigned size = cpu->lazy_size;
    uint64_t a = cpu->lazy_a, b = cpu->lazy_b, res = cpu->lazy_res;
    if (cpu->lazy_kind == X86_LAZY_LOGIC) {
        switch (pair) {
        case X86_CC_O:
        case X86_CC_B:  *r = false; return true;
        case X86_CC_E:
        case X86_CC_BE: *r = res == 0; return true;
        case X86_CC_S:
        case X86_CC_L:  *r = x86_msb(res, size); return true;     /* OF = 0, so SF != OF is SF */
        case X86_CC_LE: *r = res == 0 || x86_msb(res, size); return true;
        default:        return false;
        }
    }
    /* Only CMP/SUB (no borrow-in) compare a and b directly; SBB is materialised. */
    if (cpu->lazy_kind != X86_LAZY_SUB || ((a - b) & x86_width_mask(size)) != res)
        return false;
    switch (pair) {
    case X86_CC_B:  *r = a < b; return true;
    case X86_CC_E:  *r = a == b; return true;
    case X86_CC_BE: *r = a <= b; return true;
    case X86_CC_S:  *r = x86_msb(res, size); return true;
    case X86_CC_L:  *r = x86_sext(a, size) < x86_sext(b, size); return true;
    case X86_CC_LE: *r = x86_sext(a, size) <= x86_sext(b, size); return true;
    default:        return false;
    }
}

bool x86_cond(x86_cpu *cpu, unsigned cc)
{
    bool r;
    if (cpu->lazy_kind != X86_LAZY_NONE && cond_from_lazy(cpu, (cc >> 1) & 7, &r))
        return r ^ (cc & 1);
    return x86_cond_of_flags(x86_rflags(cpu), cc);
}

/* Opcodes of the one-byte flag instructions. */
#define X86_OPC_CMC 0xf5
#define X86_OPC_CLC 0xf8
#define X86_OPC_STC 0xf9
#define X86_OPC_CLD 0xfc
#define X86_OPC_STD 0xfd

X86_HANDLER(x86_op_flag_op)
{
    x86_flags_sync(cpu);        /* CMC/CLC/STC change CF among pending lazy flags */
    switch (insn->opcode) {
    case X86_OPC_CMC: cpu->rflags ^= X86_FLAG_CF; break;
    case X86_OPC_CLC: cpu->rflags &= ~X86_FLAG_CF; break;
    case X86_OPC_STC: cpu->rflags |= X86_FLAG_CF; break;
    case X86_OPC_CLD: cpu->rflags &= ~X86_FLAG_DF; break;
    case X86_OPC_STD: cpu->rflags |= X86_FLAG_DF; break;
    default: return x86_unsupported(cpu, insn, "flag instruction opcode");
    }
    return X86_OK;
}

/* The flags SAHF loads from AH and LAHF stores to it, at their RFLAGS positions. */
#define X86_FLAGS_AH (X86_FLAG_SF | X86_FLAG_ZF | X86_FLAG_AF | X86_FLAG_PF | X86_FLAG_CF)
#define X86_AH_SHIFT 8
#define X86_AH_MASK  (0xffull << X86_AH_SHIFT)

/* In 64-bit mode LAHF/SAHF exist only with CPUID.80000001H:ECX.LAHF-SAHF. */
static bool lahf_sahf_ok(const x86_cpu *cpu)
{
    return !x86_long64(cpu) || x86_cpu_has(&cpu->config, X86_FEAT_LAHF_LM);
}

X86_HANDLER(x86_op_sahf)
{
    if (!lahf_sahf_ok(cpu))
        return x86_ud(cpu);
    x86_set_flags(cpu, X86_FLAGS_AH, cpu->gpr[X86_RAX] >> X86_AH_SHIFT);
    return X86_OK;
}

/* AH = SF:ZF:0:AF:0:PF:1:CF (bit 1 of RFLAGS reads as 1). */
X86_HANDLER(x86_op_lahf)
{
    if (!lahf_sahf_ok(cpu))
        return x86_ud(cpu);
    uint64_t ah = (x86_rflags(cpu) & X86_FLAGS_AH) | X86_FLAG_FIXED1;
    cpu->gpr[X86_RAX] = (cpu->gpr[X86_RAX] & ~X86_AH_MASK) | (ah << X86_AH_SHIFT);
    return X86_OK;
}
