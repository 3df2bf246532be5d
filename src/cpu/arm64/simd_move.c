/*
 * SIMD&FP moves (Arm ARM C4.1.96, C7): Advanced SIMD copy (DUP, INS, UMOV,
 * SMOV), modified immediate (MOVI, MVNI, ORR, BIC, FMOV vector immediate),
 * FMOV between general and SIMD&FP registers, FMOV (register) and FMOV
 * (scalar, immediate). Half-precision forms are not implemented (FEAT_FP16).
 */
#include "cpu/arm64/a64_handlers.h"
#include "cpu/arm64/simd_elem.h"

/* imm5 -> element size in bytes (0 if reserved) and index. */
static unsigned copy_esize(unsigned imm5, unsigned *index)
{
    for (unsigned s = 0; s < 4; s++)
        if (imm5 & (1u << s)) {
            *index = imm5 >> (s + 1);
            return 1u << s;
        }
    return 0;
}

enum { COPY_DUP_ELEM = 0, COPY_DUP_GEN = 1, COPY_INS_GEN = 3, COPY_SMOV = 5, COPY_UMOV = 7 };

a64_status a64_op_simd_copy(a64_cpu *cpu, uint32_t insn)
{
    bool q = BIT(insn, 30), op = BIT(insn, 29);
    unsigned imm4 = BITS(insn, 14, 11), rn = BITS(insn, 9, 5), rd = BITS(insn, 4, 0), index = 0;
    unsigned esize = copy_esize(BITS(insn, 20, 16), &index);
    if (esize == 0)
        return a64_undefined(cpu, insn);
    a64_vreg r = cpu->v[rd];
    if (op) { /* INS (element) */
        if (!q)
            return a64_undefined(cpu, insn);
        set_velem(&r, index, esize, velem(&cpu->v[rn], imm4 >> __builtin_ctz(esize), esize));
        cpu->v[rd] = r;
        return A64_OK;
    }
    switch (imm4) {
    case COPY_DUP_ELEM:
    case COPY_DUP_GEN: {
        if (esize == 8 && !q)
            return a64_undefined(cpu, insn);
        uint64_t e = imm4 == COPY_DUP_ELEM ? velem(&cpu->v[rn], index, esize) : xreg(cpu, rn);
        for (unsigned i = 0; i < 16 / esize; i++)
            set_velem(&r, i, esize, e);
        write_vreg(cpu, rd, &r, q);
        return A64_OK;
    }
    case COPY_INS_GEN:
        if (!q)
            return a64_undefined(cpu, insn);
        set_velem(&cpu->v[rd], index, esize, xreg(cpu, rn));
        return A64_OK;
    case COPY_UMOV:
        if ((q && esize != 8) || (!q && esize == 8))
            return a64_undefined(cpu, insn);
        set_xreg(cpu, rd, velem(&cpu->v[rn], index, esize));
        return A64_OK;
    case COPY_SMOV:
        if (esize >= 8 || (!q && esize == 4))
            return a64_undefined(cpu, insn);
        set_reg_sf(cpu, rd, q, (uint64_t)sext_elem(velem(&cpu->v[rn], index, esize), esize));
        return A64_OK;
    default:
        return a64_undefined(cpu, insn);
    }
}

/* VFPExpandImm for single (N = 32) and double (N = 64) precision. */
static uint64_t vfp_expand_imm(unsigned imm8, unsigned n)
{
    uint64_t sign = imm8 >> 7, b6 = (imm8 >> 6) & 1, low = imm8 & 0x3f;
    if (n == 32)
        return (sign << 31) | ((b6 ^ 1) << 30) | ((b6 ? 0x1full : 0) << 25) | (low << 19);
    return (sign << 63) | ((b6 ^ 1) << 62) | ((b6 ? 0xffull : 0) << 54) | (low << 48);
}

static uint64_t replicate64(uint64_t v, unsigned bits)
{
    uint64_t r = 0;
    for (unsigned i = 0; i < 64; i += bits)
        r |= v << i;
    return r;
}

/* AdvSIMDExpandImm (Arm ARM J1, shared/functions/vector). */
static uint64_t adv_simd_expand_imm(bool op, unsigned cmode, unsigned imm8)
{
    uint64_t i = imm8;
    switch (cmode >> 1) {
    case 0: return replicate64(i, 32);
    case 1: return replicate64(i << 8, 32);
    case 2: return replicate64(i << 16, 32);
    case 3: return replicate64(i << 24, 32);
    case 4: return replicate64(i, 16);
    case 5: return replicate64(i << 8, 16);
    case 6: return (cmode & 1) ? replicate64((i << 16) | 0xffff, 32) : replicate64((i << 8) | 0xff, 32);
    default:
        if (!(cmode & 1) && !op)
            return replicate64(i, 8);
        if (!(cmode & 1) && op) {
            uint64_t r = 0;
            for (unsigned b = 0; b < 8; b++)
                if ((imm8 >> b) & 1)
                    r |= 0xffull << (8 * b);
            return r;
        }
        if (!op)
            return replicate64(vfp_expand_imm(imm8, 32), 32);
        return vfp_expand_imm(imm8, 64);
    }
}

#define CMODE_FMOV 0xfu

a64_status a64_op_simd_modimm(a64_cpu *cpu, uint32_t insn)
{
    bool q = BIT(insn, 30), op = BIT(insn, 29);
    unsigned cmode = BITS(insn, 15, 12), rd = BITS(insn, 4, 0);
    unsigned imm8 = (BITS(insn, 18, 16) << 5) | BITS(insn, 9, 5);
    if (BIT(insn, 11))
        return a64_simd_unsupported(cpu, insn, "FMOV (vector, immediate, half-precision)");
    if (cmode == CMODE_FMOV && op && !q)
        return a64_undefined(cpu, insn); /* FMOV Vd.2D needs Q = 1 */
    uint64_t imm = adv_simd_expand_imm(op, cmode, imm8);
    bool orr_bic = (cmode & 1) && (cmode >> 2) != 3;
    bool invert = op && (cmode >> 1) != 7;
    a64_vreg r = cpu->v[rd];
    for (unsigned h = 0; h < 2; h++) {
        if (orr_bic)
            r.d[h] = op ? r.d[h] & ~imm : r.d[h] | imm;  /* BIC / ORR */
        else
            r.d[h] = invert ? ~imm : imm;                /* MVNI / MOVI / FMOV */
    }
    write_vreg(cpu, rd, &r, q);
    return A64_OK;
}

enum { FTYPE_S = 0, FTYPE_D = 1, FTYPE_D_UPPER = 2, FTYPE_H = 3 };
enum { FCVT_FMOV_TO_GEN = 6, FCVT_FMOV_FROM_GEN = 7 };

a64_status a64_op_fp_int_conv(a64_cpu *cpu, uint32_t insn)
{
    bool sf = BIT(insn, 31);
    unsigned ftype = BITS(insn, 23, 22), rmode = BITS(insn, 20, 19), opcode = BITS(insn, 18, 16);
    unsigned rn = BITS(insn, 9, 5), rd = BITS(insn, 4, 0);
    if (BIT(insn, 29))
        return a64_undefined(cpu, insn);
    if (opcode != FCVT_FMOV_TO_GEN && opcode != FCVT_FMOV_FROM_GEN)
        return a64_simd_unsupported(cpu, insn, "floating-point <-> integer conversion (SCVTF/UCVTF/FCVT*)");
    bool ok = (!sf && ftype == FTYPE_S && rmode == 0) || (sf && ftype == FTYPE_D && rmode == 0) ||
              (sf && ftype == FTYPE_D_UPPER && rmode == 1);
    if (ftype == FTYPE_H && rmode == 0)
        return a64_simd_unsupported(cpu, insn, "FMOV (half-precision)");
    if (!ok)
        return a64_undefined(cpu, insn);
    bool upper = ftype == FTYPE_D_UPPER;
    if (opcode == FCVT_FMOV_TO_GEN) {
        set_reg_sf(cpu, rd, sf, upper ? cpu->v[rn].d[1] : cpu->v[rn].d[0]);
    } else if (upper) {
        cpu->v[rd].d[1] = xreg(cpu, rn);
    } else {
        cpu->v[rd].d[0] = sf ? xreg(cpu, rn) : (uint32_t)xreg(cpu, rn);
        cpu->v[rd].d[1] = 0;
    }
    return A64_OK;
}

a64_status a64_op_fp_dp1(a64_cpu *cpu, uint32_t insn)
{
    unsigned ftype = BITS(insn, 23, 22), opcode = BITS(insn, 20, 15);
    if (opcode != 0 || BIT(insn, 31) || BIT(insn, 29))
        return a64_simd_unsupported(cpu, insn, "floating-point data-processing (1 source)");
    if (ftype != FTYPE_S && ftype != FTYPE_D)
        return a64_simd_unsupported(cpu, insn, "FMOV (register, half-precision)");
    unsigned rn = BITS(insn, 9, 5), rd = BITS(insn, 4, 0);
    uint64_t v = ftype == FTYPE_S ? cpu->v[rn].s[0] : cpu->v[rn].d[0];
    cpu->v[rd].d[0] = v;
    cpu->v[rd].d[1] = 0;
    return A64_OK;
}

a64_status a64_op_fp_imm(a64_cpu *cpu, uint32_t insn)
{
    unsigned ftype = BITS(insn, 23, 22), rd = BITS(insn, 4, 0);
    if (BIT(insn, 31) || BIT(insn, 29) || BITS(insn, 9, 5) != 0)
        return a64_undefined(cpu, insn);
    if (ftype != FTYPE_S && ftype != FTYPE_D)
        return a64_simd_unsupported(cpu, insn, "FMOV (scalar, immediate, half-precision)");
    cpu->v[rd].d[0] = vfp_expand_imm(BITS(insn, 20, 13), ftype == FTYPE_S ? 32 : 64);
    cpu->v[rd].d[1] = 0;
    return A64_OK;
}
