/*
 * Shared integer pseudocode of the Arm ARM (J1 "Shared pseudocode"):
 * ConditionHolds, AddWithCarry, ShiftReg and ExtendReg, inline because
 * nearly every integer instruction calls one of them.
 */
#ifndef EMU_CPU_ARM64_FLAGS_H
#define EMU_CPU_ARM64_FLAGS_H

/* Included by a64_internal.h, after a64_nz. */

static inline bool a64_cond_holds(const a64_cpu *cpu, unsigned cond)
{
    unsigned f = cpu->pstate.nzcv;
    bool n = f & A64_NZCV_N, z = f & A64_NZCV_Z, c = f & A64_NZCV_C, v = f & A64_NZCV_V;
    bool result;
    switch (cond >> 1) {
    case 0: result = z; break;               /* EQ / NE */
    case 1: result = c; break;               /* CS / CC */
    case 2: result = n; break;               /* MI / PL */
    case 3: result = v; break;               /* VS / VC */
    case 4: result = c && !z; break;         /* HI / LS */
    case 5: result = n == v; break;          /* GE / LT */
    case 6: result = n == v && !z; break;    /* GT / LE */
    default: result = true; break;           /* AL / NV: both always true */
    }
    if ((cond & 1) && cond != 0xf)
        result = !result;
    return result;
}

/* AddWithCarry: the result, and NZCV into *nzcv unless it is NULL. */
static inline uint64_t a64_add_with_carry(uint64_t x, uint64_t y, unsigned carry_in, bool sf, uint8_t *nzcv)
{
    if (!sf) {
        uint32_t a = (uint32_t)x, b = (uint32_t)y;
        uint64_t usum = (uint64_t)a + b + carry_in;
        uint32_t r = (uint32_t)usum;
        bool v = ((~(a ^ b) & (a ^ r)) >> 31) & 1;
        if (nzcv)
            *nzcv = (uint8_t)(a64_nz(r, false) | ((usum >> 32) ? A64_NZCV_C : 0) | (v ? A64_NZCV_V : 0));
        return r;
    }
    uint64_t r = x + y + carry_in;
    bool c = r < x || (carry_in && r == x);
    bool v = ((~(x ^ y) & (x ^ r)) >> 63) & 1;
    if (nzcv)
        *nzcv = (uint8_t)(a64_nz(r, true) | (c ? A64_NZCV_C : 0) | (v ? A64_NZCV_V : 0));
    return r;
}

static inline uint64_t a64_shift_reg(uint64_t v, unsigned type, unsigned amount, bool sf)
{
    unsigned width = sf ? 64 : 32;
    amount &= width - 1;    /* amount MOD datasize; a mask, as datasize is a power of two */
    if (!sf)
        v = (uint32_t)v;
    if (amount == 0)
        return v;
    uint64_t r;
    switch (type) {
    case 0: r = v << amount; break;                                      /* LSL */
    case 1: r = v >> amount; break;                                      /* LSR */
    case 2:                                                              /* ASR */
        r = sf ? (uint64_t)((int64_t)v >> amount) : (uint64_t)(uint32_t)((int32_t)(uint32_t)v >> amount);
        break;
    default: r = (v >> amount) | (v << (width - amount)); break;         /* ROR */
    }
    return sf ? r : (uint32_t)r;
}

static inline uint64_t a64_extend_reg(uint64_t v, unsigned option, unsigned shift)
{
    uint64_t e;
    switch (option) {
    case 0: e = (uint8_t)v; break;                       /* UXTB */
    case 1: e = (uint16_t)v; break;                      /* UXTH */
    case 2: e = (uint32_t)v; break;                      /* UXTW */
    case 3: e = v; break;                                /* UXTX / LSL */
    case 4: e = (uint64_t)(int64_t)(int8_t)v; break;     /* SXTB */
    case 5: e = (uint64_t)(int64_t)(int16_t)v; break;    /* SXTH */
    case 6: e = (uint64_t)(int64_t)(int32_t)v; break;    /* SXTW */
    default: e = v; break;                               /* SXTX */
    }
    return e << shift;
}

#endif
