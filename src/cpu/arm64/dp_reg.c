/*
 * Data processing (register), Arm ARM C4.1.87: logical (shifted register),
 * add/subtract (shifted and extended register), add/subtract with carry,
 * conditional compare and conditional select.
 */
#include "cpu/arm64/a64_handlers.h"

bool a64_valid_logical_reg(uint32_t insn)
{
    return BIT(insn, 31) || !BIT(insn, 15);
}

a64_status a64_op_logical_reg(a64_cpu *cpu, uint32_t insn)
{
    bool sf = BIT(insn, 31), invert = BIT(insn, 21);
    unsigned opc = BITS(insn, 30, 29), rm = BITS(insn, 20, 16), rn = BITS(insn, 9, 5), rd = BITS(insn, 4, 0);
    uint64_t b = a64_shift_reg(reg_sf(cpu, rm, sf), BITS(insn, 23, 22), BITS(insn, 15, 10), sf);
    if (invert)
        b = ~b;
    uint64_t a = reg_sf(cpu, rn, sf), r;
    switch (opc) {
    case 0: r = a & b; break;   /* AND, BIC */
    case 1: r = a | b; break;   /* ORR, ORN */
    case 2: r = a ^ b; break;   /* EOR, EON */
    default: r = a & b; break;  /* ANDS, BICS */
    }
    if (!sf)
        r = (uint32_t)r;
    if (opc == 3)
        cpu->pstate.nzcv = a64_nz(r, sf);
    set_xreg(cpu, rd, r);
    return A64_OK;
}

bool a64_valid_addsub_shift(uint32_t insn)
{
    if (BITS(insn, 23, 22) == 3)
        return false;
    return BIT(insn, 31) || !BIT(insn, 15);
}

static void addsub_commit(a64_cpu *cpu, uint32_t insn, uint64_t a, uint64_t b, bool rd_is_sp)
{
    bool sf = BIT(insn, 31), sub = BIT(insn, 30), setflags = BIT(insn, 29);
    unsigned rd = BITS(insn, 4, 0);
    uint8_t nzcv = 0;
    uint64_t r = a64_add_with_carry(a, sub ? ~b : b, sub, sf, &nzcv);
    if (!sf)
        r = (uint32_t)r;
    if (setflags)
        cpu->pstate.nzcv = nzcv;
    if (rd_is_sp && !setflags)
        set_xreg_sp(cpu, rd, r);
    else
        set_xreg(cpu, rd, r);
}

a64_status a64_op_addsub_shift(a64_cpu *cpu, uint32_t insn)
{
    bool sf = BIT(insn, 31);
    uint64_t b = a64_shift_reg(reg_sf(cpu, BITS(insn, 20, 16), sf), BITS(insn, 23, 22), BITS(insn, 15, 10), sf);
    addsub_commit(cpu, insn, reg_sf(cpu, BITS(insn, 9, 5), sf), b, false);
    return A64_OK;
}

bool a64_valid_addsub_ext(uint32_t insn)
{
    return BITS(insn, 23, 22) == 0 && BITS(insn, 12, 10) <= 4;
}

a64_status a64_op_addsub_ext(a64_cpu *cpu, uint32_t insn)
{
    bool sf = BIT(insn, 31);
    uint64_t b = a64_extend_reg(xreg(cpu, BITS(insn, 20, 16)), BITS(insn, 15, 13), BITS(insn, 12, 10));
    uint64_t a = xreg_sp(cpu, BITS(insn, 9, 5));
    if (!sf) {
        a = (uint32_t)a;
        b = (uint32_t)b;
    }
    addsub_commit(cpu, insn, a, b, true);
    return A64_OK;
}

a64_status a64_op_adc(a64_cpu *cpu, uint32_t insn)
{
    bool sf = BIT(insn, 31), sub = BIT(insn, 30), setflags = BIT(insn, 29);
    uint64_t a = reg_sf(cpu, BITS(insn, 9, 5), sf), b = reg_sf(cpu, BITS(insn, 20, 16), sf);
    unsigned carry = (cpu->pstate.nzcv & A64_NZCV_C) ? 1 : 0;
    uint8_t nzcv = 0;
    uint64_t r = a64_add_with_carry(a, sub ? ~b : b, carry, sf, &nzcv);
    if (setflags)
        cpu->pstate.nzcv = nzcv;
    set_reg_sf(cpu, BITS(insn, 4, 0), sf, r);
    return A64_OK;
}

bool a64_valid_condcmp(uint32_t insn)
{
    return BIT(insn, 29) && !BIT(insn, 10) && !BIT(insn, 4);
}

a64_status a64_op_condcmp(a64_cpu *cpu, uint32_t insn)
{
    bool sf = BIT(insn, 31), sub = BIT(insn, 30), is_imm = BIT(insn, 11); /* CCMP: op = 1 */
    unsigned cond = BITS(insn, 15, 12);
    if (!a64_cond_holds(cpu, cond)) {
        cpu->pstate.nzcv = (uint8_t)BITS(insn, 3, 0);
        return A64_OK;
    }
    uint64_t a = reg_sf(cpu, BITS(insn, 9, 5), sf);
    uint64_t b = is_imm ? BITS(insn, 20, 16) : reg_sf(cpu, BITS(insn, 20, 16), sf);
    uint8_t nzcv = 0;
    a64_add_with_carry(a, sub ? ~b : b, sub, sf, &nzcv);
    cpu->pstate.nzcv = nzcv;
    return A64_OK;
}

bool a64_valid_condsel(uint32_t insn)
{
    return !BIT(insn, 29) && !BIT(insn, 11);
}

a64_status a64_op_condsel(a64_cpu *cpu, uint32_t insn)
{
    bool sf = BIT(insn, 31), op = BIT(insn, 30), o2 = BIT(insn, 10);
    uint64_t r;
    if (a64_cond_holds(cpu, BITS(insn, 15, 12))) {
        r = xreg(cpu, BITS(insn, 9, 5));
    } else {
        r = xreg(cpu, BITS(insn, 20, 16));
        if (op)
            r = ~r;     /* CSINV, CSNEG */
        if (o2)
            r += 1;     /* CSINC, CSNEG */
    }
    set_reg_sf(cpu, BITS(insn, 4, 0), sf, r);
    return A64_OK;
}
