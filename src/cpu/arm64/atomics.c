/*
 * Armv8.1 LSE atomics (Arm ARM C4.1.88, C3.2.12): LDADD, LDCLR, LDEOR,
 * LDSET, LDSMAX, LDSMIN, LDUMAX, LDUMIN (and their ST* aliases with Rt =
 * XZR), SWP, CAS and CASP, each with acquire/release variants. One PE: the
 * read-modify-write is atomic because nothing runs between its read and its
 * write. Atomics are always alignment checked (B2.5.2).
 */
#include "cpu/arm64/a64_handlers.h"

enum { AT_ADD, AT_CLR, AT_EOR, AT_SET, AT_SMAX, AT_SMIN, AT_UMAX, AT_UMIN };
#define SBO5 0x1fu

bool a64_valid_atomic(uint32_t insn)
{
    unsigned opc = BITS(insn, 14, 12);
    if (BIT(insn, 26))
        return false;
    if (BIT(insn, 15))
        return opc == 0; /* SWP; LDAPR (o3=1, opc=100) is Armv8.3, not implemented */
    return true;
}

static int64_t sext_bytes(uint64_t v, unsigned bytes)
{
    unsigned sh = 64 - 8 * bytes;
    return (int64_t)(v << sh) >> sh;
}

static unsigned acc_flags(uint32_t insn)
{
    return A64_ACC_ATOMIC | (BIT(insn, 23) ? A64_ACC_ACQUIRE : 0) | (BIT(insn, 22) ? A64_ACC_RELEASE : 0);
}

a64_status a64_op_atomic(a64_cpu *cpu, uint32_t insn)
{
    unsigned size = BITS(insn, 31, 30), rs = BITS(insn, 20, 16), rn = BITS(insn, 9, 5), rt = BITS(insn, 4, 0);
    unsigned bytes = 1u << size, flags = acc_flags(insn);
    uint64_t mask = size == 3 ? ~0ull : (1ull << (8 * bytes)) - 1;
    a64_status st = a64_check_sp_align(cpu, insn, rn);
    if (st != A64_OK)
        return st;
    uint64_t addr = xreg_sp(cpu, rn);
    uint64_t old = 0, s = xreg(cpu, rs) & mask, r;
    st = a64_read_uint(cpu, insn, addr, bytes, flags, &old, NULL);
    if (st != A64_OK)
        return st;
    if (BIT(insn, 15)) {
        r = s; /* SWP */
    } else {
        switch (BITS(insn, 14, 12)) {
        case AT_ADD: r = old + s; break;
        case AT_CLR: r = old & ~s; break;
        case AT_EOR: r = old ^ s; break;
        case AT_SET: r = old | s; break;
        case AT_SMAX: r = sext_bytes(old, bytes) > sext_bytes(s, bytes) ? old : s; break;
        case AT_SMIN: r = sext_bytes(old, bytes) < sext_bytes(s, bytes) ? old : s; break;
        case AT_UMAX: r = old > s ? old : s; break;
        default: r = old < s ? old : s; break;
        }
    }
    st = a64_write_uint(cpu, insn, addr, bytes, flags, r & mask, NULL);
    if (st != A64_OK)
        return st;
    set_xreg(cpu, rt, old);
    return A64_OK;
}

bool a64_valid_cas(uint32_t insn)
{
    return BITS(insn, 14, 10) == SBO5;
}

static unsigned cas_flags(uint32_t insn)
{
    /* CAS: L (bit 22) is acquire, o0 (bit 15) is release. */
    return A64_ACC_ATOMIC | (BIT(insn, 22) ? A64_ACC_ACQUIRE : 0) | (BIT(insn, 15) ? A64_ACC_RELEASE : 0);
}

a64_status a64_op_cas(a64_cpu *cpu, uint32_t insn)
{
    unsigned size = BITS(insn, 31, 30), rs = BITS(insn, 20, 16), rn = BITS(insn, 9, 5), rt = BITS(insn, 4, 0);
    unsigned bytes = 1u << size;
    uint64_t mask = size == 3 ? ~0ull : (1ull << (8 * bytes)) - 1;
    a64_status st = a64_check_sp_align(cpu, insn, rn);
    if (st != A64_OK)
        return st;
    uint64_t addr = xreg_sp(cpu, rn), old = 0;
    st = a64_read_uint(cpu, insn, addr, bytes, cas_flags(insn), &old, NULL);
    if (st != A64_OK)
        return st;
    if (old == (xreg(cpu, rs) & mask)) {
        st = a64_write_uint(cpu, insn, addr, bytes, cas_flags(insn), xreg(cpu, rt), NULL);
        if (st != A64_OK)
            return st;
    }
    set_xreg(cpu, rs, old);
    return A64_OK;
}

bool a64_valid_casp(uint32_t insn)
{
    /* Rs and Rt name even/odd register pairs: odd numbers are UNDEFINED (C6.2.50). */
    return BITS(insn, 14, 10) == SBO5 && !BIT(insn, 16) && !BIT(insn, 0);
}

a64_status a64_op_casp(a64_cpu *cpu, uint32_t insn)
{
    unsigned rs = BITS(insn, 20, 16), rn = BITS(insn, 9, 5), rt = BITS(insn, 4, 0);
    unsigned elem = BIT(insn, 30) ? 8 : 4, bytes = 2 * elem;
    uint64_t mask = elem == 8 ? ~0ull : 0xffffffffull;
    a64_status st = a64_check_sp_align(cpu, insn, rn);
    if (st != A64_OK)
        return st;
    uint64_t addr = xreg_sp(cpu, rn);
    uint8_t buf[16] = { 0 };
    st = a64_mem_read(cpu, insn, addr, bytes, bytes, cas_flags(insn), buf, NULL);
    if (st != A64_OK)
        return st;
    uint64_t a = 0, b = 0;
    for (unsigned i = 0; i < elem; i++) {
        a |= (uint64_t)buf[i] << (8 * i);
        b |= (uint64_t)buf[elem + i] << (8 * i);
    }
    if (a == (xreg(cpu, rs) & mask) && b == (xreg(cpu, rs + 1) & mask)) {
        uint64_t na = xreg(cpu, rt), nb = xreg(cpu, rt + 1);
        for (unsigned i = 0; i < elem; i++) {
            buf[i] = (uint8_t)(na >> (8 * i));
            buf[elem + i] = (uint8_t)(nb >> (8 * i));
        }
        st = a64_mem_write(cpu, insn, addr, bytes, bytes, cas_flags(insn), buf, NULL);
        if (st != A64_OK)
            return st;
    }
    set_xreg(cpu, rs, a);
    set_xreg(cpu, rs + 1, b);
    return A64_OK;
}
