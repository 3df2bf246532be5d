/*
 * Load/store pair (Arm ARM C4.1.88): STP/LDP, STNP/LDNP, LDPSW, for general
 * and SIMD&FP registers, with signed offset, pre- and post-index. Both
 * accesses complete before a register is written.
 */
#include "cpu/arm64/a64_handlers.h"

enum { MODE_NOALLOC = 0, MODE_POST = 1, MODE_OFFSET = 2, MODE_PRE = 3 };
enum { OPC_W = 0, OPC_LDPSW = 1, OPC_X = 2 };

/* Register overlaps the Arm ARM makes CONSTRAINED UNPREDICTABLE (K1.2.4:
 * LDP with Rt == Rt2; writeback with the base among the transfer registers)
 * are UNDEFINED on this PE, one of the permitted behaviours. */
bool a64_valid_ldst_pair(uint32_t insn)
{
    unsigned opc = BITS(insn, 31, 30), mode = BITS(insn, 24, 23);
    unsigned rt = BITS(insn, 4, 0), rt2 = BITS(insn, 14, 10), rn = BITS(insn, 9, 5);
    bool load = BIT(insn, 22), v = BIT(insn, 26);
    if (opc == 3)
        return false;
    if (!v && opc == OPC_LDPSW && !(load && mode != MODE_NOALLOC))
        return false; /* STGP (memory tagging) is not implemented */
    if (v)
        return true;
    if (load && rt == rt2)
        return false;
    bool wback = mode == MODE_POST || mode == MODE_PRE;
    return !(wback && rn != A64_REG_ZR && (rt == rn || rt2 == rn));
}

a64_status a64_op_ldst_pair(a64_cpu *cpu, uint32_t insn)
{
    unsigned opc = BITS(insn, 31, 30), mode = BITS(insn, 24, 23);
    unsigned rt = BITS(insn, 4, 0), rt2 = BITS(insn, 14, 10), rn = BITS(insn, 9, 5);
    bool v = BIT(insn, 26), load = BIT(insn, 22);
    unsigned scale = v ? 2 + opc : (opc == OPC_X ? 3 : 2);
    unsigned bytes = 1u << scale;
    int64_t offset = (((int64_t)((uint64_t)BITS(insn, 21, 15) << 57)) >> 57) * (int64_t)bytes;
    a64_status st = a64_check_sp_align(cpu, insn, rn);
    if (st != A64_OK)
        return st;
    uint64_t base = xreg_sp(cpu, rn);
    uint64_t addr = mode == MODE_POST ? base : base + (uint64_t)offset;
    bool writeback = mode == MODE_POST || mode == MODE_PRE;

    if (v) {
        st = a64_simd_ldst_pair(cpu, insn, addr, scale, load, rt, rt2);
    } else if (!load) {
        uint64_t a = xreg(cpu, rt), b = xreg(cpu, rt2); /* read before any writeback */
        uint8_t *p = a64_plain_pair_host(cpu, A64_ACC_WRITE, addr, bytes);
        if (p) {
            a64_le_store(p, bytes, a);
            a64_le_store(p + bytes, bytes, b);
        } else {
            st = a64_write_uint(cpu, insn, addr, bytes, 0, a, NULL);
            if (st == A64_OK)
                st = a64_write_uint(cpu, insn, addr + bytes, bytes, 0, b, NULL);
        }
    } else {
        uint64_t a = 0, b = 0;
        const uint8_t *p = a64_plain_pair_host(cpu, A64_ACC_READ, addr, bytes);
        if (p) {
            a = a64_le_load(p, bytes);
            b = a64_le_load(p + bytes, bytes);
        } else {
            st = a64_read_uint(cpu, insn, addr, bytes, 0, &a, NULL);
            if (st == A64_OK)
                st = a64_read_uint(cpu, insn, addr + bytes, bytes, 0, &b, NULL);
            if (st != A64_OK)
                return st;
        }
        if (opc == OPC_LDPSW) {
            a = (uint64_t)(int64_t)(int32_t)a;
            b = (uint64_t)(int64_t)(int32_t)b;
        }
        if (writeback)
            set_xreg_sp(cpu, rn, base + (uint64_t)offset);
        set_xreg(cpu, rt, a);
        set_xreg(cpu, rt2, b);
        return A64_OK;
    }
    if (st == A64_OK && writeback)
        set_xreg_sp(cpu, rn, base + (uint64_t)offset);
    return st;
}
