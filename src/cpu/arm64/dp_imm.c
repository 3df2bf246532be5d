/*
 * Data processing (immediate), Arm ARM C4.1.86: PC-relative addressing,
 * add/subtract (immediate), logical (immediate) and move wide (immediate).
 * Bitfield and extract are in bitfield.c.
 */
#include "cpu/arm64/a64_handlers.h"

a64_status a64_op_adr(a64_cpu *cpu, uint32_t insn)
{
    bool page = BIT(insn, 31);
    uint64_t imm = ((uint64_t)BITS(insn, 23, 5) << 2) | BITS(insn, 30, 29);
    int64_t off = (int64_t)(imm << 43) >> 43; /* sign-extend 21 bits */
    uint64_t base = cpu->pc;
    if (page) {
        off *= 4096;
        base &= ~0xfffull;
    }
    set_xreg(cpu, BITS(insn, 4, 0), base + (uint64_t)off);
    return A64_OK;
}

a64_status a64_op_addsub_imm(a64_cpu *cpu, uint32_t insn)
{
    bool sf = BIT(insn, 31), sub = BIT(insn, 30), setflags = BIT(insn, 29);
    uint64_t imm = BITS(insn, 21, 10);
    if (BIT(insn, 22))
        imm <<= 12;
    unsigned rn = BITS(insn, 9, 5), rd = BITS(insn, 4, 0);
    uint64_t a = xreg_sp(cpu, rn);
    uint8_t nzcv = 0;
    uint64_t r = sub ? a64_add_with_carry(a, ~imm, 1, sf, &nzcv) : a64_add_with_carry(a, imm, 0, sf, &nzcv);
    if (!sf)
        r = (uint32_t)r;
    if (setflags) {
        cpu->pstate.nzcv = nzcv;
        set_xreg(cpu, rd, r);
    } else {
        set_xreg_sp(cpu, rd, r);
    }
    return A64_OK;
}

/* ADD/SUB (immediate) of X registers that set no flags (stack adjustment, MOV to and from SP, address
 * arithmetic), each with its own row in decode.c: X[d|SP] = X[n|SP] +/- imm. */
static inline a64_status addsub_imm_x(a64_cpu *cpu, uint32_t insn, bool sub)
{
    uint64_t imm = BITS(insn, 21, 10);
    if (BIT(insn, 22))
        imm <<= 12;
    uint64_t a = xreg_sp(cpu, BITS(insn, 9, 5));
    set_xreg_sp(cpu, BITS(insn, 4, 0), sub ? a - imm : a + imm);
    return A64_OK;
}

a64_status a64_op_add_x_imm(a64_cpu *cpu, uint32_t insn) { return addsub_imm_x(cpu, insn, false); }
a64_status a64_op_sub_x_imm(a64_cpu *cpu, uint32_t insn) { return addsub_imm_x(cpu, insn, true); }

/* SUBS (immediate) of X registers, CMP among them (loop counters, compares with a constant), with its
 * own row: X[d] = X[n|SP] - imm, NZCV from AddWithCarry(X[n|SP], NOT(imm), 1). */
a64_status a64_op_subs_x_imm(a64_cpu *cpu, uint32_t insn)
{
    uint64_t imm = BITS(insn, 21, 10);
    if (BIT(insn, 22))
        imm <<= 12;
    uint8_t nzcv = 0;
    uint64_t r = a64_add_with_carry(xreg_sp(cpu, BITS(insn, 9, 5)), ~imm, 1, true, &nzcv);
    cpu->pstate.nzcv = nzcv;
    set_xreg(cpu, BITS(insn, 4, 0), r);     /* Rd = 31 is XZR here (CMP) */
    return A64_OK;
}

bool a64_valid_logical_imm(uint32_t insn)
{
    bool sf = BIT(insn, 31), n = BIT(insn, 22);
    uint64_t w = 0, t = 0;
    if (!sf && n)
        return false;
    return a64_decode_bit_masks(n, BITS(insn, 15, 10), BITS(insn, 21, 16), true, sf ? 64 : 32, &w, &t);
}

a64_status a64_op_logical_imm(a64_cpu *cpu, uint32_t insn)
{
    bool sf = BIT(insn, 31);
    unsigned opc = BITS(insn, 30, 29), rn = BITS(insn, 9, 5), rd = BITS(insn, 4, 0);
    uint64_t imm = a64_logical_imm(insn);
    uint64_t a = reg_sf(cpu, rn, sf), r;
    switch (opc) {
    case 0: r = a & imm; break;     /* AND */
    case 1: r = a | imm; break;     /* ORR */
    case 2: r = a ^ imm; break;     /* EOR */
    default: r = a & imm; break;    /* ANDS */
    }
    if (!sf)
        r = (uint32_t)r;
    if (opc == 3) {
        cpu->pstate.nzcv = a64_nz(r, sf);
        set_xreg(cpu, rd, r);
    } else {
        set_xreg_sp(cpu, rd, r); /* AND/ORR/EOR (immediate) write SP for Rd = 31 */
    }
    return A64_OK;
}

bool a64_valid_movewide(uint32_t insn)
{
    if (BITS(insn, 30, 29) == 1)
        return false;
    return BIT(insn, 31) || !BIT(insn, 22);
}

a64_status a64_op_movewide(a64_cpu *cpu, uint32_t insn)
{
    bool sf = BIT(insn, 31);
    unsigned opc = BITS(insn, 30, 29), pos = BITS(insn, 22, 21) * 16, rd = BITS(insn, 4, 0);
    uint64_t imm = (uint64_t)BITS(insn, 20, 5) << pos;
    uint64_t r;
    if (opc == 0)
        r = ~imm;                                                  /* MOVN */
    else if (opc == 2)
        r = imm;                                                   /* MOVZ */
    else
        r = (xreg(cpu, rd) & ~(0xffffull << pos)) | imm;           /* MOVK */
    set_reg_sf(cpu, rd, sf, r);
    return A64_OK;
}
