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

/*
 * The shape every exception handler's frame save and restore uses, X-register STP/LDP (opc = 10, not
 * SIMD&FP, not no-allocate), with a handler per indexing mode so that the decode table (decode.c)
 * has done the field decode. It serves a pair that one page hint holds, and hands anything else to
 * a64_op_ldst_pair before changing any state, so that the general path makes every check and raises
 * every fault itself.
 */
#define PAIR_X_BYTES 8

static inline a64_status ldst_pair_x(a64_cpu *cpu, uint32_t insn, unsigned mode, bool load, bool sp_base)
{
    unsigned rt = BITS(insn, 4, 0), rt2 = BITS(insn, 14, 10), rn = sp_base ? A64_REG_ZR : BITS(insn, 9, 5);
    int64_t offset = (((int64_t)((uint64_t)BITS(insn, 21, 15) << 57)) >> 57) * PAIR_X_BYTES;
    uint64_t *base_reg = xreg_sp_ptr(cpu, rn);
    uint64_t base = *base_reg;
    /* A 16-byte aligned SP passes the SP alignment check (D1.8.2) whatever SCTLR_ELx.SA says. */
    if (rn == A64_REG_ZR && (base & 0xf) != 0)
        return a64_op_ldst_pair(cpu, insn);
    uint64_t addr = mode == MODE_POST ? base : base + (uint64_t)offset;
    const a64_acc_kind kind = load ? A64_ACC_READ : A64_ACC_WRITE;
    uint8_t *p = NULL;
    /* The shortcut first, apart, so that its host address needs no NULL test, for a pair at a 16-byte
     * boundary (as frame saves are): it cannot cross its page and meets a Device page's alignment
     * rule, so the page is all there is to compare. Any other pair goes through the hints. */
    if (!(addr & (2 * PAIR_X_BYTES - 1)) && addr >> A64_HINT_PAGE_SHIFT == cpu->shortcut[kind].key)
        p = a64_shortcut_host(cpu, kind, addr);
    else if (!(p = a64_plain_pair_host(cpu, kind, addr, PAIR_X_BYTES)))
        return a64_op_ldst_pair(cpu, insn);
    if (load) {
        uint64_t a = a64_le_load64(p), b = a64_le_load64(p + PAIR_X_BYTES);
        if (mode != MODE_OFFSET)
            *base_reg = base + (uint64_t)offset;
        set_xreg(cpu, rt, a);
        set_xreg(cpu, rt2, b);
    } else {
        a64_le_store64(p, xreg(cpu, rt));
        a64_le_store64(p + PAIR_X_BYTES, xreg(cpu, rt2));
        if (mode != MODE_OFFSET)
            *base_reg = base + (uint64_t)offset;
    }
    return A64_OK;
}

a64_status a64_op_stp_x_offset(a64_cpu *cpu, uint32_t insn) { return ldst_pair_x(cpu, insn, MODE_OFFSET, false, false); }
a64_status a64_op_stp_x_pre(a64_cpu *cpu, uint32_t insn) { return ldst_pair_x(cpu, insn, MODE_PRE, false, false); }
a64_status a64_op_stp_x_post(a64_cpu *cpu, uint32_t insn) { return ldst_pair_x(cpu, insn, MODE_POST, false, false); }
a64_status a64_op_ldp_x_offset(a64_cpu *cpu, uint32_t insn) { return ldst_pair_x(cpu, insn, MODE_OFFSET, true, false); }
a64_status a64_op_ldp_x_pre(a64_cpu *cpu, uint32_t insn) { return ldst_pair_x(cpu, insn, MODE_PRE, true, false); }
a64_status a64_op_ldp_x_post(a64_cpu *cpu, uint32_t insn) { return ldst_pair_x(cpu, insn, MODE_POST, true, false); }
/* Rn = SP (the decode table's mask says so): no base register number to decode or compare. */
a64_status a64_op_stp_x_sp_offset(a64_cpu *cpu, uint32_t insn) { return ldst_pair_x(cpu, insn, MODE_OFFSET, false, true); }
a64_status a64_op_ldp_x_sp_offset(a64_cpu *cpu, uint32_t insn) { return ldst_pair_x(cpu, insn, MODE_OFFSET, true, true); }
