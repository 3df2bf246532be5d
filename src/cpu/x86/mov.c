/*
 * Data movement (SDM vol. 2: MOV, LEA, MOVZX, MOVSX, MOVSXD, XCHG, BSWAP,
 * CMOVcc, SETcc, XLAT). Register destinations follow x86_reg_write(): a
 * 32-bit result zero-extends into the full register.
 */
#include "cpu/x86/handlers.h"

static inline uint64_t sign_extend(uint64_t v, unsigned size)
{
    unsigned sh = 64 - 8 * size;
    return (uint64_t)((int64_t)(v << sh) >> sh);
}

X86_HANDLER(x86_op_mov_rm_r)
{
    return x86_rm_write(cpu, insn, insn->opsize, x86_reg_read(cpu, insn, insn->reg, insn->opsize));
}

X86_HANDLER(x86_op_mov_r_rm)
{
    uint64_t val;
    x86_status st = x86_rm_read(cpu, insn, insn->opsize, &val);
    if (st != X86_OK)
        return st;
    x86_reg_write(cpu, insn, insn->reg, insn->opsize, val);
    return X86_OK;
}

X86_HANDLER(x86_op_mov_r_imm)
{
    x86_reg_write(cpu, insn, insn->rm, insn->opsize, insn->imm);
    return X86_OK;
}

X86_HANDLER(x86_op_mov_rm_imm)
{
    return x86_rm_write(cpu, insn, insn->opsize, insn->imm & x86_width_mask(insn->opsize));
}

X86_HANDLER(x86_op_mov_acc_moffs)
{
    /* A0/A1 load the accumulator from seg:moffs, A2/A3 store it there. */
    uint64_t offset = x86_effective_address(cpu, insn);
    if (insn->opcode <= 0xa1) {
        uint64_t val;
        x86_status st = x86_seg_read(cpu, insn->seg, offset, insn->opsize, &val);
        if (st != X86_OK)
            return st;
        x86_reg_write(cpu, insn, X86_RAX, insn->opsize, val);
        return X86_OK;
    }
    return x86_seg_write(cpu, insn->seg, offset, insn->opsize, x86_reg_read(cpu, insn, X86_RAX, insn->opsize));
}

X86_HANDLER(x86_op_lea)
{
    /* The address at the address size, then truncated or zero-extended to the operand size. */
    x86_reg_write(cpu, insn, insn->reg, insn->opsize, x86_effective_address(cpu, insn));
    return X86_OK;
}

/* MOVZX/MOVSX source width: 0F B6/BE byte, 0F B7/BF word. */
static inline unsigned extend_source_size(const x86_insn *insn)
{
    return (insn->opcode & 1) ? 2 : 1;
}

X86_HANDLER(x86_op_movzx)
{
    uint64_t val;
    x86_status st = x86_rm_read(cpu, insn, extend_source_size(insn), &val);
    if (st != X86_OK)
        return st;
    x86_reg_write(cpu, insn, insn->reg, insn->opsize, val);
    return X86_OK;
}

X86_HANDLER(x86_op_movsx)
{
    unsigned src = extend_source_size(insn);
    uint64_t val;
    x86_status st = x86_rm_read(cpu, insn, src, &val);
    if (st != X86_OK)
        return st;
    x86_reg_write(cpu, insn, insn->reg, insn->opsize, sign_extend(val, src) & x86_width_mask(insn->opsize));
    return X86_OK;
}

X86_HANDLER(x86_op_movsxd)
{
    /* Sign-extends with REX.W; without it the SDM's MOVSXD r32/r16 forms copy. */
    uint64_t val;
    unsigned src = insn->opsize == 8 ? 4 : insn->opsize;
    x86_status st = x86_rm_read(cpu, insn, src, &val);
    if (st != X86_OK)
        return st;
    x86_reg_write(cpu, insn, insn->reg, insn->opsize, sign_extend(val, src) & x86_width_mask(insn->opsize));
    return X86_OK;
}

X86_HANDLER(x86_op_xchg_rm_r)
{
    unsigned size = insn->opsize;
    uint64_t reg_val = x86_reg_read(cpu, insn, insn->reg, size);
    uint64_t rm_val;
    /* With a memory operand XCHG is locked implicitly; the write is checked before the read commits. */
    x86_status st = x86_rm_read_rmw(cpu, insn, size, &rm_val);
    if (st != X86_OK)
        return st;
    st = x86_rm_write(cpu, insn, size, reg_val);
    if (st != X86_OK)
        return st;
    x86_reg_write(cpu, insn, insn->reg, size, rm_val);
    return X86_OK;
}

X86_HANDLER(x86_op_xchg_acc_r)
{
    unsigned size = insn->opsize;
    uint64_t acc = x86_reg_read(cpu, insn, X86_RAX, size);
    uint64_t other = x86_reg_read(cpu, insn, insn->rm, size);
    x86_reg_write(cpu, insn, X86_RAX, size, other);
    x86_reg_write(cpu, insn, insn->rm, size, acc);
    return X86_OK;
}

X86_HANDLER(x86_op_bswap)
{
    uint64_t v = cpu->gpr[insn->rm];
    switch (insn->opsize) {
    case 8:
        cpu->gpr[insn->rm] = __builtin_bswap64(v);
        break;
    case 4:
        cpu->gpr[insn->rm] = __builtin_bswap32((uint32_t)v);
        break;
    default:
        /* BSWAP r16 is undefined (SDM vol. 2, BSWAP); processors clear the low word. */
        x86_reg_write(cpu, insn, insn->rm, 2, 0);
        break;
    }
    return X86_OK;
}

X86_HANDLER(x86_op_cmovcc)
{
    /* The source is read, and may fault, whether or not the condition holds. */
    uint64_t val;
    x86_status st = x86_rm_read(cpu, insn, insn->opsize, &val);
    if (st != X86_OK)
        return st;
    if (x86_cond(cpu, insn->opcode & 0xf))
        x86_reg_write(cpu, insn, insn->reg, insn->opsize, val);
    else if (insn->opsize == 4)
        x86_reg_write(cpu, insn, insn->reg, 4, cpu->gpr[insn->reg]);   /* 32-bit CMOV zero-extends anyway */
    return X86_OK;
}

X86_HANDLER(x86_op_setcc)
{
    return x86_rm_write(cpu, insn, 1, x86_cond(cpu, insn->opcode & 0xf) ? 1 : 0);
}

X86_HANDLER(x86_op_xlat)
{
    uint64_t offset = (cpu->gpr[X86_RBX] + (cpu->gpr[X86_RAX] & 0xff)) & x86_width_mask(insn->addrsize);
    uint64_t val;
    x86_status st = x86_seg_read(cpu, insn->seg, offset, 1, &val);
    if (st != X86_OK)
        return st;
    cpu->gpr[X86_RAX] = (cpu->gpr[X86_RAX] & ~0xffull) | val;
    return X86_OK;
}
