/*
 * Exclusives and ordered accesses (Arm ARM C4.1.88, B2.9): LDXR/LDAXR,
 * STXR/STLXR, their pair forms, LDAR/STLR. With one PE the local monitor is
 * the whole story (B2.9.2): a load-exclusive marks the address and size; a
 * store-exclusive succeeds (status 0) only if the mark is still there for
 * that address and size, and clears it either way. CLREX, exception entry
 * and ERET clear it too. Exclusive and ordered accesses are always alignment
 * checked (B2.5.2).
 */
#include "cpu/arm64/a64_handlers.h"

/* Rs of a load and Rt2 of a single-register form are should-be-one fields
 * ("(1)"): other values are CONSTRAINED UNPREDICTABLE, and this PE ignores
 * them, as Capstone/LLVM decode them (the decode row has no field check). */

static a64_status store_exclusive(a64_cpu *cpu, uint32_t insn, uint64_t addr, unsigned bytes, const uint8_t *data,
                                  unsigned flags, unsigned rs)
{
    bool pass = cpu->excl_valid && cpu->excl_addr == addr && cpu->excl_size == bytes;
    if ((addr & (bytes - 1)) != 0)
        return a64_alignment_fault(cpu, insn, addr, true);
    if (pass) {
        a64_status st = a64_mem_write(cpu, insn, addr, bytes, bytes, flags, data, NULL);
        if (st != A64_OK)
            return st;
    }
    cpu->excl_valid = false;
    set_xreg(cpu, rs, pass ? 0 : 1);
    return A64_OK;
}

a64_status a64_op_ldst_excl(a64_cpu *cpu, uint32_t insn)
{
    unsigned size = BITS(insn, 31, 30), rs = BITS(insn, 20, 16), rn = BITS(insn, 9, 5), rt = BITS(insn, 4, 0);
    unsigned bytes = 1u << size;
    bool load = BIT(insn, 22), ordered = BIT(insn, 15);
    a64_status st = a64_check_sp_align(cpu, insn, rn);
    if (st != A64_OK)
        return st;
    uint64_t addr = xreg_sp(cpu, rn);
    if (load) {
        uint64_t val = 0;
        st = a64_read_uint(cpu, insn, addr, bytes, A64_ACC_EXCL | (ordered ? A64_ACC_ACQUIRE : 0), &val, NULL);
        if (st != A64_OK)
            return st;
        cpu->excl_valid = true;
        cpu->excl_addr = addr;
        cpu->excl_size = bytes;
        set_xreg(cpu, rt, val);
        return A64_OK;
    }
    uint8_t buf[8];
    uint64_t v = xreg(cpu, rt);
    for (unsigned i = 0; i < bytes; i++)
        buf[i] = (uint8_t)(v >> (8 * i));
    return store_exclusive(cpu, insn, addr, bytes, buf, A64_ACC_EXCL | (ordered ? A64_ACC_RELEASE : 0), rs);
}

bool a64_valid_ldst_excl_pair(uint32_t insn)
{
    /* LDXP with Rt == Rt2 is CONSTRAINED UNPREDICTABLE: UNDEFINED here. */
    return !(BIT(insn, 22) && BITS(insn, 4, 0) == BITS(insn, 14, 10));
}

a64_status a64_op_ldst_excl_pair(a64_cpu *cpu, uint32_t insn)
{
    unsigned rs = BITS(insn, 20, 16), rt2 = BITS(insn, 14, 10), rn = BITS(insn, 9, 5), rt = BITS(insn, 4, 0);
    unsigned elem = BIT(insn, 30) ? 8 : 4, bytes = 2 * elem;
    bool load = BIT(insn, 22), ordered = BIT(insn, 15);
    a64_status st = a64_check_sp_align(cpu, insn, rn);
    if (st != A64_OK)
        return st;
    uint64_t addr = xreg_sp(cpu, rn);
    uint8_t buf[16] = { 0 };
    if (load) {
        st = a64_mem_read(cpu, insn, addr, bytes, bytes, A64_ACC_EXCL | (ordered ? A64_ACC_ACQUIRE : 0), buf, NULL);
        if (st != A64_OK)
            return st;
        uint64_t a = 0, b = 0;
        for (unsigned i = 0; i < elem; i++) {
            a |= (uint64_t)buf[i] << (8 * i);
            b |= (uint64_t)buf[elem + i] << (8 * i);
        }
        cpu->excl_valid = true;
        cpu->excl_addr = addr;
        cpu->excl_size = bytes;
        set_xreg(cpu, rt, a);
        set_xreg(cpu, rt2, b);
        return A64_OK;
    }
    uint64_t a = xreg(cpu, rt), b = xreg(cpu, rt2);
    for (unsigned i = 0; i < elem; i++) {
        buf[i] = (uint8_t)(a >> (8 * i));
        buf[elem + i] = (uint8_t)(b >> (8 * i));
    }
    return store_exclusive(cpu, insn, addr, bytes, buf, A64_ACC_EXCL | (ordered ? A64_ACC_RELEASE : 0), rs);
}

bool a64_valid_ldar_stlr(uint32_t insn)
{
    /* o0 = 0 is LDLAR/STLLR (LORegions), not implemented on this PE. */
    return BIT(insn, 15);
}

a64_status a64_op_ldar_stlr(a64_cpu *cpu, uint32_t insn)
{
    unsigned size = BITS(insn, 31, 30), rn = BITS(insn, 9, 5), rt = BITS(insn, 4, 0);
    unsigned bytes = 1u << size;
    bool load = BIT(insn, 22);
    a64_status st = a64_check_sp_align(cpu, insn, rn);
    if (st != A64_OK)
        return st;
    uint64_t addr = xreg_sp(cpu, rn);
    a64_ldst_syn syn = { .valid = true, .sas = size, .sf = size == 3, .ar = true, .srt = rt };
    if (!load)
        return a64_write_uint(cpu, insn, addr, bytes, A64_ACC_RELEASE, xreg(cpu, rt), &syn);
    uint64_t val = 0;
    st = a64_read_uint(cpu, insn, addr, bytes, A64_ACC_ACQUIRE, &val, &syn);
    if (st == A64_OK)
        set_xreg(cpu, rt, val);
    return st;
}
