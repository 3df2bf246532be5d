/*
 * Multiply and divide: data processing (3 source) MADD, MSUB, SMADDL,
 * SMSUBL, UMADDL, UMSUBL, SMULH, UMULH, and UDIV/SDIV (Arm ARM C4.1.87).
 * Division by zero gives zero, as the Arm ARM defines (no exception).
 */
#include "cpu/arm64/a64_handlers.h"

enum { OP31_MADD = 0, OP31_SMADDL = 1, OP31_SMULH = 2, OP31_UMADDL = 5, OP31_UMULH = 6 };

bool a64_valid_dp3(uint32_t insn)
{
    bool sf = BIT(insn, 31), o0 = BIT(insn, 15);
    unsigned op31 = BITS(insn, 23, 21);
    if (BITS(insn, 30, 29) != 0)
        return false;
    switch (op31) {
    case OP31_MADD: return true;
    case OP31_SMADDL:
    case OP31_UMADDL: return sf;
    case OP31_SMULH:
    case OP31_UMULH: return sf && !o0; /* Ra is (1)(1)(1)(1)(1), ignored */
    default: return false;
    }
}

a64_status a64_op_dp3(a64_cpu *cpu, uint32_t insn)
{
    bool sf = BIT(insn, 31), sub = BIT(insn, 15);
    unsigned op31 = BITS(insn, 23, 21);
    uint64_t n = xreg(cpu, BITS(insn, 9, 5)), m = xreg(cpu, BITS(insn, 20, 16));
    uint64_t a = xreg(cpu, BITS(insn, 14, 10)), prod, r;
    switch (op31) {
    case OP31_SMADDL:
        prod = (uint64_t)((int64_t)(int32_t)n * (int64_t)(int32_t)m);
        r = sub ? a - prod : a + prod;
        break;
    case OP31_UMADDL:
        prod = (uint64_t)(uint32_t)n * (uint32_t)m;
        r = sub ? a - prod : a + prod;
        break;
    case OP31_SMULH:
        r = (uint64_t)(((__int128)(int64_t)n * (int64_t)m) >> 64);
        break;
    case OP31_UMULH:
        r = (uint64_t)(((unsigned __int128)n * m) >> 64);
        break;
    default:
        prod = n * m;
        r = sub ? a - prod : a + prod;
        break;
    }
    set_reg_sf(cpu, BITS(insn, 4, 0), sf, r);
    return A64_OK;
}

a64_status a64_op_div(a64_cpu *cpu, uint32_t insn)
{
    bool sf = BIT(insn, 31), is_signed = BIT(insn, 10);
    uint64_t n = reg_sf(cpu, BITS(insn, 9, 5), sf), m = reg_sf(cpu, BITS(insn, 20, 16), sf), r;
    if (m == 0) {
        r = 0;
    } else if (!is_signed) {
        r = n / m;
    } else if (sf) {
        int64_t sn = (int64_t)n, sm = (int64_t)m;
        r = (sn == INT64_MIN && sm == -1) ? n : (uint64_t)(sn / sm); /* overflow wraps to INT64_MIN */
    } else {
        int32_t sn = (int32_t)n, sm = (int32_t)m;
        r = (sn == INT32_MIN && sm == -1) ? (uint32_t)sn : (uint32_t)(sn / sm);
    }
    set_reg_sf(cpu, BITS(insn, 4, 0), sf, r);
    return A64_OK;
}
