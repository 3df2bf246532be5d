/*
 * Integer arithmetic and logic: ADD OR ADC SBB AND SUB XOR CMP in their
 * r/m-reg, reg-r/m, accumulator-immediate and group 1 forms, TEST, INC/DEC,
 * group 3 (TEST NOT NEG, with MUL/IMUL/DIV/IDIV in muldiv.c), XADD, CMPXCHG
 * and CMPXCHG8B/16B (SDM vol. 2, the instruction pages of each).
 *
 * Each handler reads its operands, writes the destination (which may fault)
 * and only then commits the flags, so a faulting instruction changes nothing.
 */
#include "cpu/x86/alu.h"
#include "cpu/x86/cpu_features.h"
#include "cpu/x86/handlers.h"

#define X86_GRP3_NOT  2
#define X86_GRP3_NEG  3
#define X86_GRP3_MUL  4
#define X86_GRP3_IMUL 5
#define X86_GRP3_DIV  6
#define X86_GRP3_IDIV 7
#define X86_GRP_INC   0
#define X86_CMPXCHG16B_ALIGN 16

/* Apply op to dest (the r/m operand) and src through the checked operand accesses; CMP only reads. */
static __attribute__((noinline)) x86_status alu_rm_checked(x86_cpu *cpu, const x86_insn *insn, unsigned op,
                                                           uint64_t src)
{
    unsigned size = insn->opsize;
    uint64_t dst;
    x86_status st = op == X86_ALU_CMP ? x86_rm_read(cpu, insn, size, &dst)
                                      : x86_rm_read_rmw(cpu, insn, size, &dst);
    if (X86_UNLIKELY(st != X86_OK))
        return st;
    x86_alu_result r = x86_alu_op(cpu, op, dst, src, size);
    if (op != X86_ALU_CMP) {
        st = x86_rm_write(cpu, insn, size, r.res);
        if (X86_UNLIKELY(st != X86_OK))
            return st;
    }
    x86_alu_commit(cpu, r, dst, src, size);
    return X86_OK;
}

/*
 * The same, with a register or a memory operand on a page the TLB holds for
 * this access (readable for CMP, writable without a walk otherwise: what
 * x86_rm_read / x86_rm_read_rmw and x86_rm_write would find) done here
 * through one lookup, and anything else out of line.
 */
static inline __attribute__((always_inline)) x86_status alu_rm(x86_cpu *cpu, const x86_insn *insn, unsigned op,
                                                               uint64_t src)
{
    unsigned size = insn->opsize;
    if (insn->mod == 3) {
        uint64_t dst = x86_reg_read(cpu, insn, insn->rm, size);
        x86_alu_result r = x86_alu_op(cpu, op, dst, src, size);
        if (op != X86_ALU_CMP)
            x86_reg_write(cpu, insn, insn->rm, size, r.res);
        x86_alu_commit(cpu, r, dst, src, size);
        return X86_OK;
    }
    if (X86_LIKELY(x86_flat_segment(cpu, insn->seg))) {
        uint64_t ea = x86_effective_address(cpu, insn);
        const x86_tlb_entry *e = x86_tlb_lookup(&cpu->tlb, cpu->cpl == 3, ea);
        uint8_t *p = !e ? NULL : op == X86_ALU_CMP ? e->host_read : e->host_write;
        if (X86_LIKELY(p && (ea & X86_PAGE_MASK) + size <= X86_PAGE_SIZE)) {
            p += ea & X86_PAGE_MASK;
            uint64_t dst = x86_load_le(p, size);
            x86_alu_result r = x86_alu_op(cpu, op, dst, src, size);
            if (op != X86_ALU_CMP)
                x86_store_le(p, size, r.res);
            x86_alu_commit(cpu, r, dst, src, size);
            return X86_OK;
        }
    }
    return alu_rm_checked(cpu, insn, op, src);
}

X86_HANDLER(x86_op_alu_rm_r)
{
    return alu_rm(cpu, insn, (insn->opcode >> 3) & 7, x86_reg_read(cpu, insn, insn->reg, insn->opsize));
}

X86_HANDLER(x86_op_alu_r_rm)
{
    unsigned op = (insn->opcode >> 3) & 7, size = insn->opsize;
    uint64_t src;
    x86_status st = x86_rm_read(cpu, insn, size, &src);
    if (X86_UNLIKELY(st != X86_OK))
        return st;
    uint64_t dst = x86_reg_read(cpu, insn, insn->reg, size);
    x86_alu_result r = x86_alu_op(cpu, op, dst, src, size);
    if (op != X86_ALU_CMP)
        x86_reg_write(cpu, insn, insn->reg, size, r.res);
    x86_alu_commit(cpu, r, dst, src, size);
    return X86_OK;
}

X86_HANDLER(x86_op_alu_acc_imm)
{
    unsigned op = (insn->opcode >> 3) & 7, size = insn->opsize;
    uint64_t dst = x86_reg_read(cpu, insn, X86_RAX, size), src = insn->imm & x86_width_mask(size);
    x86_alu_result r = x86_alu_op(cpu, op, dst, src, size);
    if (op != X86_ALU_CMP)
        x86_reg_write(cpu, insn, X86_RAX, size, r.res);
    x86_alu_commit(cpu, r, dst, src, size);
    return X86_OK;
}

/* 80/81/83 /digit: the immediate is already sign-extended by the decoder for 83. */
X86_HANDLER(x86_op_grp1)
{
    return alu_rm(cpu, insn, insn->reg & 7, insn->imm & x86_width_mask(insn->opsize));
}

static x86_status test_rm(x86_cpu *cpu, const x86_insn *insn, uint64_t src)
{
    unsigned size = insn->opsize;
    uint64_t dst;
    x86_status st = x86_rm_read(cpu, insn, size, &dst);
    if (X86_UNLIKELY(st != X86_OK))
        return st;
    x86_flags_lazy(cpu, X86_LAZY_LOGIC, size, dst, src, dst & src);
    return X86_OK;
}

X86_HANDLER(x86_op_test_rm_r)
{
    return test_rm(cpu, insn, x86_reg_read(cpu, insn, insn->reg, insn->opsize));
}

X86_HANDLER(x86_op_test_acc_imm)
{
    unsigned size = insn->opsize;
    uint64_t acc = x86_reg_read(cpu, insn, X86_RAX, size), src = insn->imm & x86_width_mask(size);
    x86_flags_lazy(cpu, X86_LAZY_LOGIC, size, acc, src, acc & src);
    return X86_OK;
}

/*
 * INC/DEC: the flags of ADD/SUB 1, except that CF is preserved, so CF is not
 * computed. With b = 1, x86_flags_add/x86_flags_sub reduce to these: bit 0 of
 * b touches neither AF (bit 4) nor the sign bit, so AF = (val ^ res) & AF and
 * OF is a sign change 0 -> 1 (INC) or 1 -> 0 (DEC).
 */
static uint64_t inc_dec(uint64_t val, bool dec, unsigned size, uint64_t *flags)
{
    uint64_t res = (dec ? val - 1 : val + 1) & x86_width_mask(size);
    uint64_t of = x86_msb(dec ? val & ~res : ~val & res, size);
    *flags = ((val ^ res) & X86_FLAG_AF) | (of << X86_FLAG_OF_SHIFT) | x86_flags_szp(res, size);
    return res;
}

#define X86_FLAGS_INC_DEC (X86_FLAGS_ARITH & ~X86_FLAG_CF)

/* INC/DEC r/m through the checked operand accesses, which fault and walk as usual. */
static __attribute__((noinline)) x86_status inc_dec_rm_checked(x86_cpu *cpu, const x86_insn *insn, unsigned size)
{
    uint64_t val, flags;
    x86_status st = x86_rm_read_rmw(cpu, insn, size, &val);
    if (X86_UNLIKELY(st != X86_OK))
        return st;
    uint64_t res = inc_dec(val, (insn->reg & 7) != X86_GRP_INC, size, &flags);
    st = x86_rm_write(cpu, insn, size, res);
    if (X86_UNLIKELY(st != X86_OK))
        return st;
    x86_set_flags(cpu, X86_FLAGS_INC_DEC, flags);
    return X86_OK;
}

/*
 * One body per operand size (size is a constant in each copy, so the masks
 * and flag shifts fold). A register, or a memory operand on a page the TLB
 * lets us write without a walk (read and written through one lookup, as
 * x86_rm_read_rmw and x86_rm_write would find it), is done here; anything
 * else in inc_dec_rm_checked, kept out of line so this path saves no
 * registers.
 */
static inline __attribute__((always_inline)) x86_status inc_dec_rm(x86_cpu *cpu, const x86_insn *insn,
                                                                   unsigned size)
{
    const bool dec = (insn->reg & 7) != X86_GRP_INC;
    uint64_t flags;
    if (insn->mod == 3) {
        uint64_t res = inc_dec(x86_reg_read(cpu, insn, insn->rm, size), dec, size, &flags);
        x86_reg_write(cpu, insn, insn->rm, size, res);
        x86_set_flags(cpu, X86_FLAGS_INC_DEC, flags);
        return X86_OK;
    }
    if (X86_LIKELY(x86_flat_segment(cpu, insn->seg))) {
        uint64_t ea = x86_effective_address(cpu, insn);
        const x86_tlb_entry *e = x86_tlb_lookup(&cpu->tlb, cpu->cpl == 3, ea);
        if (X86_LIKELY(e && e->host_write && (ea & X86_PAGE_MASK) + size <= X86_PAGE_SIZE)) {
            uint8_t *p = e->host_write + (ea & X86_PAGE_MASK);
            uint64_t res = inc_dec(x86_load_le(p, size), dec, size, &flags);
            x86_store_le(p, size, res);
            x86_set_flags(cpu, X86_FLAGS_INC_DEC, flags);
            return X86_OK;
        }
    }
    return inc_dec_rm_checked(cpu, insn, size);
}

X86_HANDLER(x86_op_inc_dec_rm)
{
    switch (insn->opsize) {
    case 8: return inc_dec_rm(cpu, insn, 8);
    case 4: return inc_dec_rm(cpu, insn, 4);
    case 2: return inc_dec_rm(cpu, insn, 2);
    default: return inc_dec_rm(cpu, insn, 1);
    }
}

/* 40-47 INC r, 48-4F DEC r (outside 64-bit mode, where they are REX). */
X86_HANDLER(x86_op_inc_dec_r)
{
    unsigned size = insn->opsize, reg = insn->opcode & 7;
    uint64_t flags;
    uint64_t res = inc_dec(x86_reg_read(cpu, insn, reg, size), insn->opcode & 8, size, &flags);
    x86_reg_write(cpu, insn, reg, size, res);
    x86_set_flags(cpu, X86_FLAGS_INC_DEC, flags);
    return X86_OK;
}

/* NOT (no flags) and NEG (0 - src, which gives CF = (src != 0) as its page says). */
static x86_status not_neg(x86_cpu *cpu, const x86_insn *insn, bool neg)
{
    unsigned size = insn->opsize;
    uint64_t val;
    x86_status st = x86_rm_read_rmw(cpu, insn, size, &val);
    if (X86_UNLIKELY(st != X86_OK))
        return st;
    uint64_t res = (neg ? 0 - val : ~val) & x86_width_mask(size);
    st = x86_rm_write(cpu, insn, size, res);
    if (X86_UNLIKELY(st != X86_OK))
        return st;
    if (neg)
        x86_set_flags(cpu, X86_FLAGS_ARITH, x86_flags_sub(0, val, res, size));
    return X86_OK;
}

X86_HANDLER(x86_op_grp3)
{
    unsigned size = insn->opsize, op = insn->reg & 7;
    uint64_t val;

    if (op == X86_GRP3_NOT || op == X86_GRP3_NEG)
        return not_neg(cpu, insn, op == X86_GRP3_NEG);

    x86_status st = x86_rm_read(cpu, insn, size, &val);
    if (X86_UNLIKELY(st != X86_OK))
        return st;
    switch (op) {
    case X86_GRP3_MUL:
        return x86_mul_acc(cpu, insn, val);
    case X86_GRP3_IMUL:
        return x86_imul_acc(cpu, insn, val);
    case X86_GRP3_DIV:
        return x86_div_acc(cpu, insn, val);
    case X86_GRP3_IDIV:
        return x86_idiv_acc(cpu, insn, val);
    default:
        /* /0 TEST r/m, imm; /1 executes as TEST too, as on hardware and in QEMU. */
        x86_set_flags(cpu, X86_FLAGS_ARITH, x86_flags_logic(val & insn->imm & x86_width_mask(size), size));
        return X86_OK;
    }
}

/* XADD: TEMP = SRC + DEST; SRC = DEST; DEST = TEMP (DEST is written last). */
X86_HANDLER(x86_op_xadd)
{
    unsigned size = insn->opsize;
    uint64_t dst, flags;
    x86_status st = x86_rm_read_rmw(cpu, insn, size, &dst);
    if (X86_UNLIKELY(st != X86_OK))
        return st;
    uint64_t src = x86_reg_read(cpu, insn, insn->reg, size);
    uint64_t sum = x86_alu(X86_ALU_ADD, dst, src, x86_rflags(cpu), size, &flags);
    if (insn->mod == 3) {
        x86_reg_write(cpu, insn, insn->reg, size, dst);
        x86_reg_write(cpu, insn, insn->rm, size, sum);
    } else {
        st = x86_rm_write(cpu, insn, size, sum);
        if (X86_UNLIKELY(st != X86_OK))
            return st;
        x86_reg_write(cpu, insn, insn->reg, size, dst);
    }
    x86_set_flags(cpu, X86_FLAGS_ARITH, flags);
    return X86_OK;
}

/*
 * CMPXCHG: compare the accumulator with DEST (flags as CMP acc, DEST). Equal:
 * DEST = SRC. Else the accumulator = DEST. A memory DEST is written either
 * way (the processor always writes it back); a register DEST is written only
 * on success and the accumulator only on failure, so a 32-bit form
 * zero-extends only the register it writes (as hardware does).
 */
X86_HANDLER(x86_op_cmpxchg)
{
    unsigned size = insn->opsize;
    uint64_t dst, flags;
    x86_status st = x86_rm_read_rmw(cpu, insn, size, &dst);
    if (X86_UNLIKELY(st != X86_OK))
        return st;
    uint64_t acc = x86_reg_read(cpu, insn, X86_RAX, size);
    x86_alu(X86_ALU_CMP, acc, dst, x86_rflags(cpu), size, &flags);
    bool equal = acc == dst;
    if (equal || insn->mod != 3) {
        st = x86_rm_write(cpu, insn, size, equal ? x86_reg_read(cpu, insn, insn->reg, size) : dst);
        if (X86_UNLIKELY(st != X86_OK))
            return st;
    }
    if (!equal)
        x86_reg_write(cpu, insn, X86_RAX, size, dst);
    x86_set_flags(cpu, X86_FLAGS_ARITH, flags);
    return X86_OK;
}

/*
 * CMPXCHG8B m64 / CMPXCHG16B m128 (REX.W): compare EDX:EAX (RDX:RAX) with
 * the memory operand; equal: store ECX:EBX (RCX:RBX), ZF = 1; else load it
 * into EDX:EAX (RDX:RAX), ZF = 0, and write it back. Other flags unchanged.
 */
X86_HANDLER(x86_op_cmpxchg8b16b)
{
    bool wide = insn->prefixes & X86_PFX_REX_W;
    bool present = wide ? x86_cpu_has(&cpu->config, X86_FEAT_CX16) : x86_cpu_has(&cpu->config, X86_FEAT_CX8);
    if (insn->mod == 3 || !present)
        return x86_ud(cpu);

    unsigned half = wide ? 8 : 4;
    uint64_t cmp_lo = x86_reg_read(cpu, insn, X86_RAX, half), cmp_hi = x86_reg_read(cpu, insn, X86_RDX, half);
    uint64_t new_lo = x86_reg_read(cpu, insn, X86_RBX, half), new_hi = x86_reg_read(cpu, insn, X86_RCX, half);
    uint64_t old_lo, old_hi;
    bool equal;
    x86_status st;

    if (wide) {
        uint64_t lin, buf[2];
        st = x86_seg_linear(cpu, insn->seg, x86_effective_address(cpu, insn), 16, X86_ACC_RMW, &lin);
        if (X86_UNLIKELY(st != X86_OK))
            return st;
        /* CMPXCHG16B: #GP(0) if the operand is not 16-byte aligned. */
        if (lin & (X86_CMPXCHG16B_ALIGN - 1))
            return x86_gp0(cpu);
        st = x86_lin_read_buf(cpu, lin, buf, sizeof buf, X86_ACC_RMW);
        if (X86_UNLIKELY(st != X86_OK))
            return st;
        old_lo = buf[0];
        old_hi = buf[1];
        equal = old_lo == cmp_lo && old_hi == cmp_hi;
        if (equal) {
            buf[0] = new_lo;
            buf[1] = new_hi;
        }
        st = x86_lin_write_buf(cpu, lin, buf, sizeof buf);
    } else {
        uint64_t old;
        st = x86_rm_read_rmw(cpu, insn, 8, &old);
        if (X86_UNLIKELY(st != X86_OK))
            return st;
        old_lo = (uint32_t)old;
        old_hi = old >> 32;
        equal = old_lo == cmp_lo && old_hi == cmp_hi;
        st = x86_rm_write(cpu, insn, 8, equal ? (new_hi << 32) | new_lo : old);
    }
    if (X86_UNLIKELY(st != X86_OK))
        return st;
    if (!equal) {
        x86_reg_write(cpu, insn, X86_RAX, half, old_lo);
        x86_reg_write(cpu, insn, X86_RDX, half, old_hi);
    }
    x86_set_flags(cpu, X86_FLAG_ZF, equal ? X86_FLAG_ZF : 0);
    return X86_OK;
}
