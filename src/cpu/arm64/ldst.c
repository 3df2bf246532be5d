/*
 * Loads and stores of one register (Arm ARM C4.1.88, C3.2): unsigned
 * offset, unscaled (LDUR/STUR), pre- and post-index, unprivileged
 * (LDTR/STTR), register offset with extend and shift, and literal; for
 * general registers here and for SIMD&FP registers through simd_ldst.c.
 * All memory accesses complete before any register is written, so a fault
 * leaves the registers as they were (restartable, D1.10.1).
 */
#include "cpu/arm64/a64_handlers.h"

enum { LDST_STORE = 0, LDST_LOAD = 1, LDST_LOAD_S64 = 2, LDST_LOAD_S32 = 3 };
enum { IDX_UNSCALED = 0, IDX_POST = 1, IDX_UNPRIV = 2, IDX_PRE = 3 };
#define SIZE_X 3

static bool is_uimm(uint32_t insn) { return BIT(insn, 24); }
static bool is_regoff(uint32_t insn) { return !BIT(insn, 24) && BIT(insn, 21); }

bool a64_valid_ldst_reg(uint32_t insn)
{
    unsigned size = BITS(insn, 31, 30), opc = BITS(insn, 23, 22), idx = BITS(insn, 11, 10);
    bool v = BIT(insn, 26), imm9 = !is_uimm(insn) && !is_regoff(insn);
    if (is_regoff(insn) && !BIT(insn, 14))
        return false; /* option must be UXTW, LSL/UXTX, SXTW or SXTX */
    if (v)
        return !(opc >= 2 && size != 0) && !(imm9 && idx == IDX_UNPRIV);
    /* Writeback to the transfer register is CONSTRAINED UNPREDICTABLE
     * (K1.2.4). As LLVM and Capstone decode it: UNDEFINED for loads into a
     * W register or zero-extending (opc<0> = 1); a store stores the
     * register's old value and a sign-extending load to X leaves the loaded
     * value (both permitted behaviours). */
    bool wback = imm9 && (idx == IDX_PRE || idx == IDX_POST);
    if (wback && (opc & 1) && BITS(insn, 4, 0) == BITS(insn, 9, 5) && BITS(insn, 9, 5) != A64_REG_ZR)
        return false;
    if (opc == LDST_LOAD_S32 && size >= 2)
        return false;
    if (opc == LDST_LOAD_S64 && size == SIZE_X) /* PRFM / PRFUM */
        return !imm9 || idx == IDX_UNSCALED;
    return true;
}

/* Scale (log2 bytes) of the access: size, or opc<1>:size for SIMD&FP. */
static unsigned ldst_scale(uint32_t insn)
{
    unsigned size = BITS(insn, 31, 30);
    if (BIT(insn, 26) && BIT(insn, 23))
        return 4;
    return size;
}

a64_status a64_op_ldst_reg(a64_cpu *cpu, uint32_t insn)
{
    unsigned scale = ldst_scale(insn), opc = BITS(insn, 23, 22);
    unsigned rn = BITS(insn, 9, 5), rt = BITS(insn, 4, 0);
    bool v = BIT(insn, 26);
    bool writeback = false, post = false;
    unsigned flags = 0;
    int64_t offset;

    if (is_uimm(insn)) {
        offset = (int64_t)((uint64_t)BITS(insn, 21, 10) << scale);
    } else if (is_regoff(insn)) {
        unsigned shift = BIT(insn, 12) ? scale : 0;
        offset = (int64_t)a64_extend_reg(xreg(cpu, BITS(insn, 20, 16)), BITS(insn, 15, 13), shift);
    } else {
        offset = ((int64_t)((uint64_t)BITS(insn, 20, 12) << 55)) >> 55; /* imm9, unscaled */
        switch (BITS(insn, 11, 10)) {
        case IDX_POST: writeback = post = true; break;
        case IDX_PRE: writeback = true; break;
        case IDX_UNPRIV: flags |= a64_unpriv_flag(cpu); break;
        default: break;
        }
    }

    /* PRFM/PRFUM: a hint with no architectural effect; it never faults (C6.2.212). */
    if (!v && opc == LDST_LOAD_S64 && scale == SIZE_X)
        return A64_OK;

    a64_status st = a64_check_sp_align(cpu, insn, rn);
    if (st != A64_OK)
        return st;
    uint64_t base = xreg_sp(cpu, rn);
    uint64_t addr = post ? base : base + (uint64_t)offset;
    unsigned bytes = 1u << scale;

    if (v) {
        st = a64_simd_ldst_one(cpu, insn, addr, scale, opc & 1, flags);
    } else if (opc == LDST_STORE) {
        a64_ldst_syn syn = { .valid = !writeback, .sas = scale, .sf = scale == SIZE_X, .srt = rt };
        st = a64_write_uint(cpu, insn, addr, bytes, flags, xreg(cpu, rt), &syn);
    } else {
        bool is_signed = opc >= LDST_LOAD_S64, to64 = opc != LDST_LOAD_S32 && (opc != LDST_LOAD || scale == SIZE_X);
        a64_ldst_syn syn = { .valid = !writeback, .sas = scale, .sse = is_signed, .sf = to64, .srt = rt };
        uint64_t val = 0;
        st = a64_read_uint(cpu, insn, addr, bytes, flags, &val, &syn);
        if (st != A64_OK)
            return st;
        if (is_signed && scale < SIZE_X) {
            unsigned sh = 64 - 8 * bytes;
            val = (uint64_t)(((int64_t)(val << sh)) >> sh);
        }
        if (writeback)
            set_xreg_sp(cpu, rn, base + (uint64_t)offset);
        set_reg_sf(cpu, rt, to64, val);
        return A64_OK;
    }
    if (st == A64_OK && writeback)
        set_xreg_sp(cpu, rn, base + (uint64_t)offset);
    return st;
}

/*
 * LDR/STR of an X or W register with an unsigned offset, the common shape of a handler's loads and
 * stores, each with its own row in decode.c. It serves an aligned access that a page hint holds and
 * hands anything else, before changing any state, to a64_op_ldst_reg.
 */
static inline a64_status ldst_uimm(a64_cpu *cpu, uint32_t insn, unsigned scale, bool load)
{
    unsigned rn = BITS(insn, 9, 5), rt = BITS(insn, 4, 0), bytes = 1u << scale;
    uint64_t base = xreg_sp(cpu, rn);
    /* A 16-byte aligned SP passes the SP alignment check (D1.8.2) whatever SCTLR_ELx.SA says. */
    if (rn == A64_REG_ZR && (base & 0xf) != 0)
        return a64_op_ldst_reg(cpu, insn);
    uint64_t addr = base + ((uint64_t)BITS(insn, 21, 10) << scale);
    uint8_t *p = a64_plain_aligned_host(cpu, load ? A64_ACC_READ : A64_ACC_WRITE, addr, bytes, 0);
    if (!p)
        return a64_op_ldst_reg(cpu, insn);
    if (load)
        set_xreg(cpu, rt, a64_le_load(p, bytes)); /* a W load zero-extends */
    else
        a64_le_store(p, bytes, xreg(cpu, rt));
    return A64_OK;
}

#define SCALE_W 2

a64_status a64_op_str_x_uimm(a64_cpu *cpu, uint32_t insn) { return ldst_uimm(cpu, insn, SIZE_X, false); }
a64_status a64_op_ldr_x_uimm(a64_cpu *cpu, uint32_t insn) { return ldst_uimm(cpu, insn, SIZE_X, true); }
a64_status a64_op_str_w_uimm(a64_cpu *cpu, uint32_t insn) { return ldst_uimm(cpu, insn, SCALE_W, false); }
a64_status a64_op_ldr_w_uimm(a64_cpu *cpu, uint32_t insn) { return ldst_uimm(cpu, insn, SCALE_W, true); }

bool a64_valid_ldr_lit_simd(uint32_t insn)
{
    return BITS(insn, 31, 30) != 3;
}

a64_status a64_op_ldr_lit(a64_cpu *cpu, uint32_t insn)
{
    unsigned opc = BITS(insn, 31, 30), rt = BITS(insn, 4, 0);
    int64_t off = ((int64_t)((uint64_t)BITS(insn, 23, 5) << 45)) >> 43; /* imm19 * 4 */
    uint64_t addr = cpu->pc + (uint64_t)off;
    if (BIT(insn, 26))
        return a64_simd_ldst_one(cpu, insn, addr, 2 + opc, true, 0);
    if (opc == 3)
        return A64_OK; /* PRFM (literal): a hint */
    unsigned bytes = opc == 1 ? 8 : 4;
    a64_ldst_syn syn = { .valid = true, .sas = opc == 1 ? 3 : 2, .sse = opc == 2, .sf = opc != 0, .srt = rt };
    uint64_t val = 0;
    a64_status st = a64_read_uint(cpu, insn, addr, bytes, 0, &val, &syn);
    if (st != A64_OK)
        return st;
    if (opc == 2)
        val = (uint64_t)(int64_t)(int32_t)val; /* LDRSW */
    set_xreg(cpu, rt, val);
    return A64_OK;
}
