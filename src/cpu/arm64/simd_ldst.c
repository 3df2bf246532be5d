/*
 * Loads and stores of SIMD&FP registers (Arm ARM C4.1.88, C3.3): B/H/S/D/Q
 * single registers and pairs (the addressing is shared with ldst.c and
 * ldst_pair.c), LD1-LD4/ST1-ST4 multiple structures, and LD1-LD4/ST1-ST4
 * single structure incl. LD1R-LD4R. A scalar load zeroes the rest of the
 * 128-bit register (C1.2.5 "Vector registers").
 */
#include <string.h>

#include "cpu/arm64/a64_handlers.h"

a64_status a64_simd_ldst_one(a64_cpu *cpu, uint32_t insn, uint64_t addr, unsigned scale, bool load, unsigned flags)
{
    unsigned rt = BITS(insn, 4, 0), bytes = 1u << scale;
    if (!load)
        return a64_mem_write(cpu, insn, addr, bytes, bytes, flags | A64_ACC_SIMD, cpu->v[rt].b, NULL);
    uint8_t buf[16] = { 0 };
    a64_status st = a64_mem_read(cpu, insn, addr, bytes, bytes, flags | A64_ACC_SIMD, buf, NULL);
    if (st == A64_OK)
        memcpy(cpu->v[rt].b, buf, 16);
    return st;
}

a64_status a64_simd_ldst_pair(a64_cpu *cpu, uint32_t insn, uint64_t addr, unsigned scale, bool load, unsigned rt,
                              unsigned rt2)
{
    unsigned bytes = 1u << scale;
    if (!load) {
        a64_status st = a64_mem_write(cpu, insn, addr, bytes, bytes, A64_ACC_SIMD, cpu->v[rt].b, NULL);
        if (st == A64_OK)
            st = a64_mem_write(cpu, insn, addr + bytes, bytes, bytes, A64_ACC_SIMD, cpu->v[rt2].b, NULL);
        return st;
    }
    uint8_t a[16] = { 0 }, b[16] = { 0 };
    a64_status st = a64_mem_read(cpu, insn, addr, bytes, bytes, A64_ACC_SIMD, a, NULL);
    if (st == A64_OK)
        st = a64_mem_read(cpu, insn, addr + bytes, bytes, bytes, A64_ACC_SIMD, b, NULL);
    if (st != A64_OK)
        return st;
    memcpy(cpu->v[rt].b, a, 16);
    memcpy(cpu->v[rt2].b, b, 16);
    return A64_OK;
}

/* LD/ST multiple structures: opcode -> registers (rpt) and interleave (selem). */
typedef struct multi_form {
    uint8_t rpt, selem;
} multi_form;

static multi_form multi_form_of(unsigned opcode)
{
    switch (opcode) {
    case 0x0: return (multi_form){ 1, 4 };  /* LD4/ST4 */
    case 0x2: return (multi_form){ 4, 1 };  /* LD1/ST1, four registers */
    case 0x4: return (multi_form){ 1, 3 };  /* LD3/ST3 */
    case 0x6: return (multi_form){ 3, 1 };  /* LD1/ST1, three registers */
    case 0x7: return (multi_form){ 1, 1 };  /* LD1/ST1, one register */
    case 0x8: return (multi_form){ 1, 2 };  /* LD2/ST2 */
    case 0xa: return (multi_form){ 2, 1 };  /* LD1/ST1, two registers */
    default: return (multi_form){ 0, 0 };
    }
}

bool a64_valid_simd_ldst_multi(uint32_t insn)
{
    multi_form f = multi_form_of(BITS(insn, 15, 12));
    if (f.rpt == 0)
        return false;
    /* size 11 with Q = 0 is reserved for the interleaving forms (selem > 1). */
    return !(f.selem > 1 && BITS(insn, 11, 10) == 3 && !BIT(insn, 30));
}

/* Post-index writeback shared by both structure forms: Rm = 31 means "by the
 * transfer size", any other Rm adds that register. */
static void post_index(a64_cpu *cpu, uint32_t insn, uint64_t base, uint64_t size)
{
    if (!BIT(insn, 23))
        return;
    unsigned rm = BITS(insn, 20, 16);
    set_xreg_sp(cpu, BITS(insn, 9, 5), base + (rm == A64_REG_ZR ? size : xreg(cpu, rm)));
}

a64_status a64_op_simd_ldst_multi(a64_cpu *cpu, uint32_t insn)
{
    multi_form f = multi_form_of(BITS(insn, 15, 12));
    unsigned size = BITS(insn, 11, 10), rt = BITS(insn, 4, 0), rn = BITS(insn, 9, 5);
    unsigned esize = 1u << size, datasize = BIT(insn, 30) ? 16 : 8, elements = datasize / esize;
    bool load = BIT(insn, 22);
    a64_status st = a64_check_sp_align(cpu, insn, rn);
    if (st != A64_OK)
        return st;
    uint64_t base = xreg_sp(cpu, rn), offs = 0;
    a64_vreg out[4];
    unsigned nregs = (unsigned)f.rpt * f.selem;
    for (unsigned r = 0; r < nregs; r++)
        memset(&out[r], 0, sizeof out[r]);

    /* Element by element, in the Arm ARM's order, so that a fault part-way
     * leaves the registers untouched (they are written after the loop). */
    for (unsigned r = 0; r < f.rpt; r++)
        for (unsigned e = 0; e < elements; e++)
            for (unsigned s = 0; s < f.selem; s++) {
                unsigned reg = (rt + r + s) % 32, slot = r + s;
                if (load) {
                    st = a64_mem_read(cpu, insn, base + offs, esize, esize, A64_ACC_SIMD, out[slot].b + e * esize, NULL);
                } else {
                    st = a64_mem_write(cpu, insn, base + offs, esize, esize, A64_ACC_SIMD,
                                       cpu->v[reg].b + e * esize, NULL);
                }
                if (st != A64_OK)
                    return st;
                offs += esize;
            }
    if (load)
        for (unsigned r = 0; r < nregs; r++)
            cpu->v[(rt + r) % 32] = out[r];
    post_index(cpu, insn, base, offs);
    return A64_OK;
}

bool a64_valid_simd_ldst_single(uint32_t insn)
{
    unsigned opcode = BITS(insn, 15, 13), s = BIT(insn, 12), size = BITS(insn, 11, 10);
    bool load = BIT(insn, 22);
    switch (opcode) {
    case 0: case 1: return true;                                /* 8-bit */
    case 2: case 3: return !(size & 1);                         /* 16-bit */
    case 4: case 5: return size == 0 || (size == 1 && !s);      /* 32-bit, or 64-bit */
    default: return load && !s;                                 /* LDnR */
    }
}

a64_status a64_op_simd_ldst_single(a64_cpu *cpu, uint32_t insn)
{
    unsigned opcode = BITS(insn, 15, 13), s = BIT(insn, 12), size = BITS(insn, 11, 10);
    unsigned rt = BITS(insn, 4, 0), rn = BITS(insn, 9, 5);
    unsigned selem = ((opcode & 1) << 1 | BIT(insn, 21)) + 1, scale = opcode >> 1, index = 0;
    bool load = BIT(insn, 22), replicate = false, q = BIT(insn, 30);
    switch (scale) {
    case 0: index = (q << 3) | (s << 2) | size; break;
    case 1: index = (q << 2) | (s << 1) | (size >> 1); break;
    case 2:
        if (size & 1) {
            scale = 3;
            index = q;
        } else {
            index = (q << 1) | s;
        }
        break;
    default:
        replicate = true;
        scale = size;
        break;
    }
    unsigned esize = 1u << scale;
    a64_status st = a64_check_sp_align(cpu, insn, rn);
    if (st != A64_OK)
        return st;
    uint64_t base = xreg_sp(cpu, rn), offs = 0;
    a64_vreg out[4];
    for (unsigned k = 0; k < selem; k++) {
        unsigned reg = (rt + k) % 32;
        out[k] = cpu->v[reg];
        if (load) {
            uint8_t e[8] = { 0 };
            st = a64_mem_read(cpu, insn, base + offs, esize, esize, A64_ACC_SIMD, e, NULL);
            if (st != A64_OK)
                return st;
            if (replicate) {
                unsigned n = (q ? 16 : 8) / esize;
                memset(&out[k], 0, sizeof out[k]);
                for (unsigned i = 0; i < n; i++)
                    memcpy(out[k].b + i * esize, e, esize);
            } else {
                memcpy(out[k].b + index * esize, e, esize);
            }
        } else {
            st = a64_mem_write(cpu, insn, base + offs, esize, esize, A64_ACC_SIMD, cpu->v[reg].b + index * esize, NULL);
            if (st != A64_OK)
                return st;
        }
        offs += esize;
    }
    if (load)
        for (unsigned k = 0; k < selem; k++)
            cpu->v[(rt + k) % 32] = out[k];
    post_index(cpu, insn, base, offs);
    return A64_OK;
}
