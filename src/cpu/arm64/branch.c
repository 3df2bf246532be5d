/*
 * Branches (Arm ARM C4.1.87 "Branches, Exception Generating and System
 * instructions"): B, BL, B.cond, CBZ/CBNZ, TBZ/TBNZ, BR, BLR, RET. ERET and
 * DRPS are in system.c. A misaligned target is not checked here: the PC
 * alignment fault is taken when the next instruction is fetched (D1.8.1).
 */
#include "cpu/arm64/a64_handlers.h"

static int64_t sext(uint64_t v, unsigned bits)
{
    return (int64_t)(v << (64 - bits)) >> (64 - bits);
}

a64_status a64_op_b_imm(a64_cpu *cpu, uint32_t insn)
{
    if (BIT(insn, 31))
        cpu->x[30] = cpu->pc + 4; /* BL */
    cpu->next_pc = cpu->pc + (uint64_t)(sext(BITS(insn, 25, 0), 26) * 4);
    return A64_OK;
}

a64_status a64_op_b_cond(a64_cpu *cpu, uint32_t insn)
{
    if (a64_cond_holds(cpu, BITS(insn, 3, 0)))
        cpu->next_pc = cpu->pc + (uint64_t)(sext(BITS(insn, 23, 5), 19) * 4);
    return A64_OK;
}

a64_status a64_op_cbz(a64_cpu *cpu, uint32_t insn)
{
    bool sf = BIT(insn, 31), nonzero = BIT(insn, 24);
    uint64_t v = reg_sf(cpu, BITS(insn, 4, 0), sf);
    if ((v != 0) == nonzero)
        cpu->next_pc = cpu->pc + (uint64_t)(sext(BITS(insn, 23, 5), 19) * 4);
    return A64_OK;
}

a64_status a64_op_tbz(a64_cpu *cpu, uint32_t insn)
{
    unsigned bit = (BIT(insn, 31) << 5) | BITS(insn, 23, 19);
    bool want = BIT(insn, 24);
    if (((xreg(cpu, BITS(insn, 4, 0)) >> bit) & 1) == want)
        cpu->next_pc = cpu->pc + (uint64_t)(sext(BITS(insn, 18, 5), 14) * 4);
    return A64_OK;
}

enum { BR_OPC_BR = 0, BR_OPC_BLR = 1, BR_OPC_RET = 2 };

bool a64_valid_br_reg(uint32_t insn)
{
    unsigned opc = BITS(insn, 24, 21);
    return opc <= BR_OPC_RET && BITS(insn, 20, 16) == 0x1f && BITS(insn, 15, 10) == 0 && BITS(insn, 4, 0) == 0;
}

a64_status a64_op_br_reg(a64_cpu *cpu, uint32_t insn)
{
    uint64_t target = xreg(cpu, BITS(insn, 9, 5)); /* read before BLR writes X30 */
    if (BITS(insn, 24, 21) == BR_OPC_BLR)
        cpu->x[30] = cpu->pc + 4;
    cpu->next_pc = target;
    return A64_OK;
}
