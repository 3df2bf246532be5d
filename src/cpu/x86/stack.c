/*
 * PUSH/POP and their relatives (SDM vol. 2: PUSH, POP, PUSHF, POPF, ENTER,
 * LEAVE, PUSHA, POPA). Each writes or reads the stack at computed offsets
 * first and commits rSP and the destination only after every access has
 * succeeded, so a #SS or #PF leaves the instruction restartable.
 */
#include "cpu/x86/handlers.h"
#include "cpu/x86/stack.h"

x86_status x86_push(x86_cpu *cpu, unsigned size, uint64_t val)
{
    uint64_t sp = cpu->gpr[X86_RSP] - size;
    x86_status st = x86_stack_write(cpu, sp, size, val);
    if (st != X86_OK)
        return st;
    x86_set_sp(cpu, sp);
    return X86_OK;
}

x86_status x86_pop(x86_cpu *cpu, unsigned size, uint64_t *val)
{
    uint64_t sp = cpu->gpr[X86_RSP];
    x86_status st = x86_stack_read(cpu, sp, size, val);
    if (st != X86_OK)
        return st;
    x86_set_sp(cpu, sp + size);
    return X86_OK;
}

X86_HANDLER(x86_op_push_r)
{
    /* PUSH rSP pushes the value before the decrement. */
    return x86_push(cpu, insn->opsize, x86_reg_read(cpu, insn, insn->rm, insn->opsize));
}

X86_HANDLER(x86_op_pop_r)
{
    uint64_t val;
    x86_status st = x86_pop(cpu, insn->opsize, &val);
    if (st != X86_OK)
        return st;
    /* Written after rSP moves, so POP rSP leaves the popped value in rSP. */
    x86_reg_write(cpu, insn, insn->rm, insn->opsize, val);
    return X86_OK;
}

X86_HANDLER(x86_op_push_imm)
{
    return x86_push(cpu, insn->opsize, insn->imm & x86_width_mask(insn->opsize));
}

X86_HANDLER(x86_op_pop_rm)
{
    uint64_t val;
    uint64_t old_rsp = cpu->gpr[X86_RSP];
    x86_status st = x86_stack_read(cpu, old_rsp, insn->opsize, &val);
    if (st != X86_OK)
        return st;
    /* The destination's address uses rSP after the increment (SDM vol. 2, POP). */
    x86_set_sp(cpu, old_rsp + insn->opsize);
    st = x86_rm_write(cpu, insn, insn->opsize, val);
    if (st != X86_OK)
        cpu->gpr[X86_RSP] = old_rsp;
    return st;
}

X86_HANDLER(x86_op_pushf)
{
    if (cpu->rflags & X86_FLAG_VM)
        return x86_unsupported(cpu, insn, "pushf in virtual-8086 mode");
    /* The image has VM and RF clear (SDM vol. 2, PUSHF). */
    uint64_t image = x86_rflags(cpu) & ~(X86_FLAG_VM | X86_FLAG_RF);
    return x86_push(cpu, insn->opsize, image & x86_width_mask(insn->opsize));
}

X86_HANDLER(x86_op_popf)
{
    if (cpu->rflags & X86_FLAG_VM)
        return x86_unsupported(cpu, insn, "popf in virtual-8086 mode");
    unsigned size = insn->opsize;
    uint64_t val;
    x86_status st = x86_pop(cpu, size, &val);
    if (st != X86_OK)
        return st;
    /*
     * SDM vol. 2, POPF: at CPL 0 (or in real mode) IOPL and IF may change;
     * above CPL 0 IOPL is kept, and IF too when CPL > IOPL. VM, VIF, VIP
     * and the reserved bits never change; a 32/64-bit POPF clears RF.
     */
    uint64_t changeable = X86_FLAGS_ARITH | X86_FLAG_TF | X86_FLAG_DF | X86_FLAG_NT |
                          X86_FLAG_AC | X86_FLAG_ID;
    unsigned iopl = (unsigned)((cpu->rflags & X86_FLAG_IOPL) >> X86_FLAG_IOPL_SHIFT);
    if (cpu->cpl == 0)
        changeable |= X86_FLAG_IOPL | X86_FLAG_IF;
    else if (cpu->cpl <= iopl)
        changeable |= X86_FLAG_IF;
    if (size == 2)
        changeable &= x86_width_mask(2);
    uint64_t flags = (x86_rflags(cpu) & ~changeable) | (val & changeable);
    if (size != 2)
        flags &= ~X86_FLAG_RF;
    cpu->rflags = flags | X86_FLAG_FIXED1;
    return X86_OK;
}

X86_HANDLER(x86_op_enter)
{
    const unsigned size = insn->opsize;
    const uint64_t alloc = insn->imm & 0xffff;
    const unsigned level = (unsigned)(insn->imm2 & 0x1f);    /* nesting level MOD 32 */
    uint64_t sp = cpu->gpr[X86_RSP] - size;
    x86_status st = x86_stack_write(cpu, sp, size, cpu->gpr[X86_RBP] & x86_width_mask(size));
    if (st != X86_OK)
        return st;
    const uint64_t frame = sp & x86_stack_mask(cpu);
    if (level > 0) {
        /* Copy the enclosing frames' pointers, then push the new frame pointer (SDM vol. 2, ENTER). */
        uint64_t bp = cpu->gpr[X86_RBP];
        for (unsigned i = 1; i < level; i++) {
            uint64_t ptr;
            bp -= size;
            st = x86_stack_read(cpu, bp, size, &ptr);
            if (st != X86_OK)
                return st;
            sp -= size;
            st = x86_stack_write(cpu, sp, size, ptr);
            if (st != X86_OK)
                return st;
        }
        sp -= size;
        st = x86_stack_write(cpu, sp, size, frame);
        if (st != X86_OK)
            return st;
    }
    x86_reg_write(cpu, insn, X86_RBP, size, frame);
    x86_set_sp(cpu, sp - alloc);
    return X86_OK;
}

X86_HANDLER(x86_op_leave)
{
    /* rSP := rBP at the stack width, then POP rBP. */
    uint64_t sp = cpu->gpr[X86_RBP] & x86_stack_mask(cpu);
    uint64_t val;
    x86_status st = x86_stack_read(cpu, sp, insn->opsize, &val);
    if (st != X86_OK)
        return st;
    x86_set_sp(cpu, sp + insn->opsize);
    x86_reg_write(cpu, insn, X86_RBP, insn->opsize, val);
    return X86_OK;
}

X86_HANDLER(x86_op_pusha)
{
    const unsigned size = insn->opsize;
    const uint64_t sp0 = cpu->gpr[X86_RSP];
    /* EAX, ECX, EDX, EBX, the original ESP, EBP, ESI, EDI: register order. */
    for (unsigned r = X86_RAX; r <= X86_RDI; r++) {
        x86_status st = x86_stack_write(cpu, sp0 - size * (r + 1), size, cpu->gpr[r] & x86_width_mask(size));
        if (st != X86_OK)
            return st;
    }
    x86_set_sp(cpu, sp0 - 8 * size);
    return X86_OK;
}

X86_HANDLER(x86_op_popa)
{
    const unsigned size = insn->opsize;
    const uint64_t sp0 = cpu->gpr[X86_RSP];
    uint64_t val[8];
    /* The lowest slot holds EDI; the saved ESP is read past, not loaded. */
    for (unsigned r = X86_RAX; r <= X86_RDI; r++) {
        x86_status st = x86_stack_read(cpu, sp0 + size * (X86_RDI - r), size, &val[r]);
        if (st != X86_OK)
            return st;
    }
    for (unsigned r = X86_RAX; r <= X86_RDI; r++)
        if (r != X86_RSP)
            x86_reg_write(cpu, insn, r, size, val[r]);
    x86_set_sp(cpu, sp0 + 8 * size);
    return X86_OK;
}
