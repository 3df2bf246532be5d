/*
 * Near control transfers (SDM vol. 2: Jcc, JMP, CALL, RET, LOOP/LOOPcc,
 * JrCXZ) and the FE/FF group dispatch. The target is truncated to the
 * operand size, then checked before anything is committed: against the CS
 * limit outside 64-bit mode, for canonical form in it (#GP(0) either way,
 * reported at the branch itself).
 */
#include "cpu/x86/alu.h"
#include "cpu/x86/handlers.h"
#include "cpu/x86/stack.h"
#include "mmu/x86_paging.h"

/* A near branch target is the destination truncated to the operand size. */
static inline uint64_t near_target(const x86_insn *insn, uint64_t dest)
{
    return dest & x86_width_mask(insn->opsize);
}

/* Can the CPU go there? If not, the branch raises #GP(0). */
static inline bool target_ok(const x86_cpu *cpu, uint64_t target)
{
    if (x86_long64(cpu))
        return x86_canonical(target);
    return target <= cpu->seg[X86_CS].limit;
}

static inline x86_status jump_relative(x86_cpu *cpu, const x86_insn *insn)
{
    uint64_t target = near_target(insn, cpu->next_rip + insn->imm);
    if (X86_UNLIKELY(!target_ok(cpu, target)))
        return x86_gp0(cpu);
    cpu->next_rip = target;
    return X86_OK;
}

X86_HANDLER(x86_op_jcc)
{
    if (!x86_cond_fast(cpu, insn->opcode & 0xf))
        return X86_OK;
    return jump_relative(cpu, insn);
}

X86_HANDLER(x86_op_jmp_rel)
{
    return jump_relative(cpu, insn);
}

/* Push the return address, then go to target (already checked). */
static x86_status call_to(x86_cpu *cpu, const x86_insn *insn, uint64_t target)
{
    x86_status st = x86_push(cpu, insn->opsize, cpu->next_rip & x86_width_mask(insn->opsize));
    if (st == X86_OK)
        cpu->next_rip = target;
    return st;
}

X86_HANDLER(x86_op_call_rel)
{
    uint64_t target = near_target(insn, cpu->next_rip + insn->imm);
    if (!target_ok(cpu, target))
        return x86_gp0(cpu);
    return call_to(cpu, insn, target);
}

X86_HANDLER(x86_op_ret_near)
{
    uint64_t sp = cpu->gpr[X86_RSP];
    uint64_t ret;
    x86_status st = x86_stack_read(cpu, sp, insn->opsize, &ret);
    if (st != X86_OK)
        return st;
    uint64_t target = near_target(insn, ret);
    if (!target_ok(cpu, target))
        return x86_gp0(cpu);
    /* C2 iw also releases imm16 bytes of parameters. */
    x86_set_sp(cpu, sp + insn->opsize + insn->imm);
    cpu->next_rip = target;
    return X86_OK;
}

X86_HANDLER(x86_op_loop)
{
    /* The count is rCX at the address size (SDM vol. 2, LOOP/LOOPcc). */
    uint64_t count = (x86_reg_read(cpu, insn, X86_RCX, insn->addrsize) - 1) & x86_width_mask(insn->addrsize);
    bool zf = (x86_rflags(cpu) & X86_FLAG_ZF) != 0;
    bool taken = count != 0;
    if (insn->opcode == 0xe1)
        taken = taken && zf;            /* LOOPE */
    else if (insn->opcode == 0xe0)
        taken = taken && !zf;           /* LOOPNE */
    uint64_t target = cpu->next_rip;
    if (taken) {
        target = near_target(insn, cpu->next_rip + insn->imm);
        if (!target_ok(cpu, target))
            return x86_gp0(cpu);
    }
    x86_reg_write(cpu, insn, X86_RCX, insn->addrsize, count);
    cpu->next_rip = target;
    return X86_OK;
}

X86_HANDLER(x86_op_jcxz)
{
    if (x86_reg_read(cpu, insn, X86_RCX, insn->addrsize) != 0)
        return X86_OK;
    return jump_relative(cpu, insn);
}

X86_HANDLER(x86_op_grp4)
{
    switch (insn->reg & 7) {
    case 0:
    case 1:
        return x86_op_inc_dec_rm(cpu, insn);
    default:
        return x86_ud(cpu);
    }
}

static x86_status call_near_indirect(x86_cpu *cpu, const x86_insn *insn)
{
    uint64_t dest;
    x86_status st = x86_rm_read(cpu, insn, insn->opsize, &dest);
    if (st != X86_OK)
        return st;
    uint64_t target = near_target(insn, dest);
    if (!target_ok(cpu, target))
        return x86_gp0(cpu);
    return call_to(cpu, insn, target);
}

static x86_status jmp_near_indirect(x86_cpu *cpu, const x86_insn *insn)
{
    uint64_t dest;
    x86_status st = x86_rm_read(cpu, insn, insn->opsize, &dest);
    if (st != X86_OK)
        return st;
    uint64_t target = near_target(insn, dest);
    if (!target_ok(cpu, target))
        return x86_gp0(cpu);
    cpu->next_rip = target;
    return X86_OK;
}

static x86_status push_rm(x86_cpu *cpu, const x86_insn *insn)
{
    /* The operand's address is computed before rSP is decremented (SDM vol. 2, PUSH). */
    uint64_t val;
    x86_status st = x86_rm_read(cpu, insn, insn->opsize, &val);
    if (st != X86_OK)
        return st;
    return x86_push(cpu, insn->opsize, val);
}

X86_HANDLER(x86_op_grp5)
{
    switch (insn->reg & 7) {
    case 0:
    case 1:
        return x86_op_inc_dec_rm(cpu, insn);
    case 2:
        return call_near_indirect(cpu, insn);
    case 3:
        return insn->mod == 3 ? x86_ud(cpu) : x86_op_call_far_ind(cpu, insn);
    case 4:
        return jmp_near_indirect(cpu, insn);
    case 5:
        return insn->mod == 3 ? x86_ud(cpu) : x86_op_jmp_far_ind(cpu, insn);
    case 6:
        return push_rm(cpu, insn);
    default:
        return x86_ud(cpu);
    }
}
