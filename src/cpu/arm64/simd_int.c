/*
 * Integer Advanced SIMD operations that compilers and C libraries emit in
 * memcpy, memset, memchr, strlen and friends (Arm ARM C4.1.96, C7):
 *   three same: AND, BIC, ORR, ORN, EOR, BSL, BIT, BIF, ADD, SUB, CMEQ,
 *     CMTST, CMGT, CMGE, CMHI, CMHS, SMAX/SMIN/UMAX/UMIN, their pairwise
 *     forms, ADDP;
 *   two-register misc: CMEQ/CMGE/CMGT/CMLE/CMLT #0, CNT, NOT, RBIT, ABS,
 *     NEG, REV16/REV32/REV64;
 *   across lanes: ADDV, SMAXV, SMINV, UMAXV, UMINV, SADDLV, UADDLV;
 *   shift by immediate: SSHR, USHR, SHL, SHRN/SHRN2, SSHLL/USHLL (SXTL/UXTL).
 * Any other opcode of these classes stops loudly (simd_class.c).
 */
#include "cpu/arm64/a64_handlers.h"
#include "cpu/arm64/simd_elem.h"

enum {
    TS_LOGIC = 0x03, TS_CMGT = 0x06, TS_CMGE = 0x07, TS_MAX = 0x0c, TS_MIN = 0x0d, TS_ADD = 0x10,
    TS_CMTST = 0x11, TS_MAXP = 0x14, TS_MINP = 0x15, TS_ADDP = 0x17,
};

static uint64_t logic_op(bool u, unsigned size, uint64_t d, uint64_t n, uint64_t m)
{
    if (!u) {
        switch (size) {
        case 0: return n & m;       /* AND */
        case 1: return n & ~m;      /* BIC */
        case 2: return n | m;       /* ORR */
        default: return n | ~m;     /* ORN */
        }
    }
    switch (size) {
    case 0: return n ^ m;                       /* EOR */
    case 1: return (d & n) | (~d & m);          /* BSL */
    case 2: return (d & ~m) | (n & m);          /* BIT */
    default: return (d & m) | (n & ~m);         /* BIF */
    }
}

static uint64_t max_min(bool u, bool is_min, uint64_t a, uint64_t b, unsigned esize)
{
    bool a_greater = u ? a > b : sext_elem(a, esize) > sext_elem(b, esize);
    return (a_greater != is_min) ? a : b;
}

a64_status a64_op_simd_three_same(a64_cpu *cpu, uint32_t insn)
{
    bool q = BIT(insn, 30), u = BIT(insn, 29);
    unsigned size = BITS(insn, 23, 22), opcode = BITS(insn, 15, 11);
    unsigned rm = BITS(insn, 20, 16), rn = BITS(insn, 9, 5), rd = BITS(insn, 4, 0);
    const a64_vreg *n = &cpu->v[rn], *m = &cpu->v[rm];
    a64_vreg r = { .d = { 0, 0 } };
    if (opcode == TS_LOGIC) {
        for (unsigned h = 0; h < 2; h++)
            r.d[h] = logic_op(u, size, cpu->v[rd].d[h], n->d[h], m->d[h]);
        write_vreg(cpu, rd, &r, q);
        return A64_OK;
    }
    unsigned esize = 1u << size, lanes = (q ? 16 : 8) / esize;
    uint64_t mask = elem_mask(esize);
    if (size == 3 && !q)
        return a64_undefined(cpu, insn);
    for (unsigned i = 0; i < lanes; i++) {
        uint64_t a = velem(n, i, esize), b = velem(m, i, esize), e;
        switch (opcode) {
        case TS_ADD: e = u ? a - b : a + b; break;
        case TS_CMTST: e = u ? (a == b ? mask : 0) : ((a & b) ? mask : 0); break; /* CMEQ / CMTST */
        case TS_CMGT: e = (u ? a > b : sext_elem(a, esize) > sext_elem(b, esize)) ? mask : 0; break;
        case TS_CMGE: e = (u ? a >= b : sext_elem(a, esize) >= sext_elem(b, esize)) ? mask : 0; break;
        case TS_MAX:
        case TS_MIN:
            if (size == 3)
                return a64_undefined(cpu, insn);
            e = max_min(u, opcode == TS_MIN, a, b, esize);
            break;
        case TS_MAXP:
        case TS_MINP:
        case TS_ADDP: {
            /* Pairwise: the low half of the result from Vn's pairs, the high half from Vm's. */
            const a64_vreg *src = i < lanes / 2 ? n : m;
            unsigned j = (i % (lanes / 2)) * 2;
            uint64_t x = velem(src, j, esize), y = velem(src, j + 1, esize);
            if (opcode == TS_ADDP) {
                if (u)
                    return a64_simd_unsupported(cpu, insn, "Advanced SIMD three same");
                e = x + y;
            } else {
                if (size == 3)
                    return a64_undefined(cpu, insn);
                e = max_min(u, opcode == TS_MINP, x, y, esize);
            }
            break;
        }
        default:
            return a64_simd_unsupported(cpu, insn, "Advanced SIMD three same");
        }
        set_velem(&r, i, esize, e & mask);
    }
    write_vreg(cpu, rd, &r, q);
    return A64_OK;
}

enum {
    TM_REV64 = 0x00, TM_REV16 = 0x01, TM_CNT = 0x05, TM_CMGT0 = 0x08, TM_CMEQ0 = 0x09, TM_CMLT0 = 0x0a,
    TM_ABS = 0x0b,
};

a64_status a64_op_simd_two_misc(a64_cpu *cpu, uint32_t insn)
{
    bool q = BIT(insn, 30), u = BIT(insn, 29);
    unsigned size = BITS(insn, 23, 22), opcode = BITS(insn, 16, 12), rn = BITS(insn, 9, 5), rd = BITS(insn, 4, 0);
    unsigned esize = 1u << size, lanes = (q ? 16 : 8) / esize;
    uint64_t mask = elem_mask(esize);
    const a64_vreg *n = &cpu->v[rn];
    a64_vreg r = { .d = { 0, 0 } };

    if (opcode == TM_REV64 || (opcode == TM_REV16 && !u)) {
        /* REV64 (U=0), REV32 (U=1), REV16: reverse elements within containers. */
        unsigned container = opcode == TM_REV16 ? 2 : (u ? 4 : 8);
        if (esize >= container)
            return a64_undefined(cpu, insn);
        unsigned per = container / esize;
        for (unsigned i = 0; i < lanes; i++)
            set_velem(&r, i, esize, velem(n, (i / per) * per + (per - 1 - i % per), esize));
        write_vreg(cpu, rd, &r, q);
        return A64_OK;
    }
    if (opcode == TM_CNT) {
        if (size == 0 && !u) {                      /* CNT */
            for (unsigned i = 0; i < 16; i++)
                r.b[i] = (uint8_t)__builtin_popcount(n->b[i]);
        } else if (size == 0) {                     /* NOT */
            r.d[0] = ~n->d[0];
            r.d[1] = ~n->d[1];
        } else if (size == 1 && u) {                /* RBIT (vector) */
            for (unsigned i = 0; i < 16; i++) {
                uint8_t b = n->b[i], o = 0;
                for (unsigned k = 0; k < 8; k++)
                    o |= (uint8_t)(((b >> k) & 1) << (7 - k));
                r.b[i] = o;
            }
        } else {
            return a64_undefined(cpu, insn);
        }
        write_vreg(cpu, rd, &r, q);
        return A64_OK;
    }
    if (size == 3 && !q)
        return a64_undefined(cpu, insn);
    for (unsigned i = 0; i < lanes; i++) {
        int64_t a = sext_elem(velem(n, i, esize), esize);
        uint64_t e;
        switch (opcode) {
        case TM_CMGT0: e = (u ? a >= 0 : a > 0) ? mask : 0; break;   /* CMGE / CMGT #0 */
        case TM_CMEQ0: e = (u ? a <= 0 : a == 0) ? mask : 0; break;  /* CMLE / CMEQ #0 */
        case TM_CMLT0:
            if (u)
                return a64_simd_unsupported(cpu, insn, "Advanced SIMD two-register miscellaneous");
            e = a < 0 ? mask : 0;
            break;
        case TM_ABS: e = u ? (uint64_t)(-a) : (uint64_t)(a < 0 ? -a : a); break; /* NEG / ABS */
        default:
            return a64_simd_unsupported(cpu, insn, "Advanced SIMD two-register miscellaneous");
        }
        set_velem(&r, i, esize, e & mask);
    }
    write_vreg(cpu, rd, &r, q);
    return A64_OK;
}

enum { AL_ADDLV = 0x03, AL_MAXV = 0x0a, AL_MINV = 0x1a, AL_ADDV = 0x1b };

a64_status a64_op_simd_across(a64_cpu *cpu, uint32_t insn)
{
    bool q = BIT(insn, 30), u = BIT(insn, 29);
    unsigned size = BITS(insn, 23, 22), opcode = BITS(insn, 16, 12), rn = BITS(insn, 9, 5), rd = BITS(insn, 4, 0);
    if (size == 3 || (size == 2 && !q))
        return a64_undefined(cpu, insn);
    unsigned esize = 1u << size, lanes = (q ? 16 : 8) / esize;
    const a64_vreg *n = &cpu->v[rn];
    uint64_t acc = velem(n, 0, esize);
    int64_t sacc = sext_elem(acc, esize);
    unsigned out_size = esize;
    for (unsigned i = 1; i < lanes; i++) {
        uint64_t e = velem(n, i, esize);
        switch (opcode) {
        case AL_ADDV:
            if (u)
                return a64_simd_unsupported(cpu, insn, "Advanced SIMD across lanes");
            acc += e;
            break;
        case AL_ADDLV:
            acc += e;
            sacc += sext_elem(e, esize);
            break;
        case AL_MAXV:
        case AL_MINV:
            acc = max_min(u, opcode == AL_MINV, acc, e, esize);
            break;
        default:
            return a64_simd_unsupported(cpu, insn, "Advanced SIMD across lanes");
        }
    }
    if (opcode == AL_ADDLV) {
        out_size = 2 * esize;
        if (!u)
            acc = (uint64_t)sacc;
    }
    a64_vreg r = { .d = { 0, 0 } };
    set_velem(&r, 0, out_size, acc & elem_mask(out_size));
    cpu->v[rd] = r;
    return A64_OK;
}

enum { SH_SSHR = 0x00, SH_SHL = 0x0a, SH_SHRN = 0x10, SH_SSHLL = 0x14 };

a64_status a64_op_simd_shift_imm(a64_cpu *cpu, uint32_t insn)
{
    bool q = BIT(insn, 30), u = BIT(insn, 29);
    unsigned immh = BITS(insn, 22, 19), immhb = BITS(insn, 22, 16), opcode = BITS(insn, 15, 11);
    unsigned rn = BITS(insn, 9, 5), rd = BITS(insn, 4, 0);
    unsigned log2e = 31 - (unsigned)__builtin_clz(immh); /* immh != 0: the row guarantees it */
    unsigned esize = 1u << log2e, ebits = 8 * esize;
    const a64_vreg *n = &cpu->v[rn];
    a64_vreg r = { .d = { 0, 0 } };
    switch (opcode) {
    case SH_SSHR:
    case SH_SHL: {
        if (esize == 8 && !q)
            return a64_undefined(cpu, insn);
        bool left = opcode == SH_SHL;
        if (left && u)
            return a64_simd_unsupported(cpu, insn, "Advanced SIMD shift by immediate");
        unsigned shift = left ? immhb - ebits : 2 * ebits - immhb;
        for (unsigned i = 0; i < (q ? 16 : 8) / esize; i++) {
            uint64_t e = velem(n, i, esize), v;
            if (left)
                v = shift >= 64 ? 0 : e << shift;
            else if (u)
                v = shift >= ebits ? 0 : e >> shift;
            else
                v = (uint64_t)(sext_elem(e, esize) >> (shift >= ebits ? ebits - 1 : shift));
            set_velem(&r, i, esize, v & elem_mask(esize));
        }
        write_vreg(cpu, rd, &r, q);
        return A64_OK;
    }
    case SH_SHRN: {
        /* SHRN/SHRN2: narrow 2*esize elements to esize; SHRN2 writes the upper half. */
        if (u || esize == 8)
            return esize == 8 ? a64_undefined(cpu, insn)
                              : a64_simd_unsupported(cpu, insn, "Advanced SIMD shift by immediate");
        unsigned shift = 2 * ebits - immhb, lanes = 8 / esize;
        r = cpu->v[rd];
        for (unsigned i = 0; i < lanes; i++)
            set_velem(&r, (q ? lanes : 0) + i, esize, (velem(n, i, 2 * esize) >> shift) & elem_mask(esize));
        write_vreg(cpu, rd, &r, true);
        if (!q)
            cpu->v[rd].d[1] = 0;
        return A64_OK;
    }
    case SH_SSHLL: {
        /* SSHLL/USHLL (SXTL/UXTL): widen the low (or, with Q, high) half. */
        if (esize == 8)
            return a64_undefined(cpu, insn);
        unsigned shift = immhb - ebits, lanes = 8 / esize;
        for (unsigned i = 0; i < lanes; i++) {
            uint64_t e = velem(n, (q ? lanes : 0) + i, esize);
            uint64_t w = u ? e : (uint64_t)sext_elem(e, esize);
            set_velem(&r, i, 2 * esize, (w << shift) & elem_mask(2 * esize));
        }
        cpu->v[rd] = r;
        return A64_OK;
    }
    default:
        return a64_simd_unsupported(cpu, insn, "Advanced SIMD shift by immediate");
    }
}
