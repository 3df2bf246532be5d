/*
 * Multiply and divide: one-operand MUL/IMUL/DIV/IDIV on the accumulator
 * (F6/F7 /4-/7, dispatched from grp3), IMUL's two- and three-operand forms,
 * and the accumulator sign extensions CBW/CWDE/CDQE and CWD/CDQ/CQO (SDM
 * vol. 2A/2B, the MUL, IMUL, DIV, IDIV, CBW and CWD pages).
 *
 * The byte forms use AX as the double-width accumulator (AH:AL); wider forms
 * use rDX:rAX. Products are formed in 128 bits so one body serves all widths.
 * MUL and IMUL leave SF, ZF, AF and PF undefined and DIV/IDIV all six flags;
 * docs/x86-flags.md says what emu produces (QEMU's values).
 */
#include "cpu/x86/alu.h"
#include "cpu/x86/handlers.h"

typedef unsigned __int128 x86_u128;
typedef __int128 x86_s128;

/* Store a double-width result: AX for byte operands, else rDX:rAX. */
static void acc_write_pair(x86_cpu *cpu, const x86_insn *insn, unsigned size, uint64_t lo, uint64_t hi)
{
    if (size == 1) {
        x86_reg_write(cpu, insn, X86_RAX, 2, (hi << 8) | lo);
        return;
    }
    x86_reg_write(cpu, insn, X86_RAX, size, lo);
    x86_reg_write(cpu, insn, X86_RDX, size, hi);
}

/* The double-width dividend: AX for byte operands, else rDX:rAX. */
static x86_u128 acc_read_pair(const x86_cpu *cpu, const x86_insn *insn, unsigned size)
{
    if (size == 1)
        return x86_reg_read(cpu, insn, X86_RAX, 2);
    return ((x86_u128)x86_reg_read(cpu, insn, X86_RDX, size) << (8 * size)) |
           x86_reg_read(cpu, insn, X86_RAX, size);
}

/*
 * Flags of a multiply: CF = OF = `overflow` (the upper half is significant);
 * SF, ZF and PF from the lower half and AF = 0, as QEMU computes them.
 */
static uint64_t mul_flags(uint64_t lo, bool overflow, unsigned size)
{
    return x86_flags_szp(lo, size) | (overflow ? X86_FLAG_CF | X86_FLAG_OF : 0);
}

x86_status x86_mul_acc(x86_cpu *cpu, const x86_insn *insn, uint64_t src)
{
    unsigned size = insn->opsize;
    uint64_t mask = x86_width_mask(size);
    x86_u128 prod = (x86_u128)x86_reg_read(cpu, insn, X86_RAX, size) * src;
    uint64_t lo = (uint64_t)prod & mask, hi = (uint64_t)(prod >> (8 * size)) & mask;
    acc_write_pair(cpu, insn, size, lo, hi);
    x86_set_flags(cpu, X86_FLAGS_ARITH, mul_flags(lo, hi != 0, size));
    return X86_OK;
}

/* Signed product of two size-byte values: low half, and whether it lost bits. */
static uint64_t imul(uint64_t a, uint64_t b, unsigned size, uint64_t *hi, bool *overflow)
{
    x86_s128 prod = (x86_s128)x86_sext(a, size) * x86_sext(b, size);
    uint64_t mask = x86_width_mask(size);
    uint64_t lo = (uint64_t)prod & mask;
    *hi = (uint64_t)(prod >> (8 * size)) & mask;
    *overflow = prod != (x86_s128)x86_sext(lo, size);
    return lo;
}

x86_status x86_imul_acc(x86_cpu *cpu, const x86_insn *insn, uint64_t src)
{
    unsigned size = insn->opsize;
    uint64_t hi;
    bool overflow;
    uint64_t lo = imul(x86_reg_read(cpu, insn, X86_RAX, size), src, size, &hi, &overflow);
    acc_write_pair(cpu, insn, size, lo, hi);
    x86_set_flags(cpu, X86_FLAGS_ARITH, mul_flags(lo, overflow, size));
    return X86_OK;
}

static x86_status divide_error(x86_cpu *cpu)
{
    return x86_raise(cpu, X86_VEC_DE, X86_EVENT_FAULT);
}

/*
 * DIV: #DE if the divisor is 0 or the quotient does not fit the operand.
 * The flags are left unchanged (undefined in the SDM; QEMU leaves them).
 */
x86_status x86_div_acc(x86_cpu *cpu, const x86_insn *insn, uint64_t src)
{
    unsigned size = insn->opsize;
    if (src == 0)
        return divide_error(cpu);
    x86_u128 dividend = acc_read_pair(cpu, insn, size);
    uint64_t quot, rem;
    if (size == 8) {
        x86_u128 q = dividend / src;
        if (q >> 64)
            return divide_error(cpu);
        quot = (uint64_t)q;
        rem = (uint64_t)(dividend % src);
    } else {
        /* The dividend has at most 64 bits here: divide natively. */
        uint64_t n = (uint64_t)dividend;
        quot = n / src;
        rem = n % src;
        if (quot > x86_width_mask(size))
            return divide_error(cpu);
    }
    acc_write_pair(cpu, insn, size, quot, rem);
    return X86_OK;
}

/* IDIV: quotient truncated toward zero, remainder with the dividend's sign. */
x86_status x86_idiv_acc(x86_cpu *cpu, const x86_insn *insn, uint64_t src)
{
    unsigned size = insn->opsize;
    if (src == 0)
        return divide_error(cpu);
    int64_t divisor = x86_sext(src, size);
    x86_u128 raw = acc_read_pair(cpu, insn, size);
    int64_t quot, rem;
    if (size == 8) {
        x86_s128 n = (x86_s128)raw;
        /* The one C overflow (most negative / -1) is a quotient overflow anyway. */
        if (divisor == -1 && n == (x86_s128)((x86_u128)1 << 127))
            return divide_error(cpu);
        x86_s128 q = n / divisor;
        if (q != (int64_t)q)
            return divide_error(cpu);
        quot = (int64_t)q;
        rem = (int64_t)(n % divisor);
    } else {
        int64_t n = x86_sext((uint64_t)raw, 2 * size);
        if (divisor == -1 && n == INT64_MIN)
            return divide_error(cpu);
        quot = n / divisor;
        rem = n % divisor;
        if (quot != x86_sext((uint64_t)quot, size))
            return divide_error(cpu);
    }
    uint64_t mask = x86_width_mask(size);
    acc_write_pair(cpu, insn, size, (uint64_t)quot & mask, (uint64_t)rem & mask);
    return X86_OK;
}

/* IMUL r, r/m (0F AF): the product truncated to the destination. */
X86_HANDLER(x86_op_imul_r_rm)
{
    unsigned size = insn->opsize;
    uint64_t src, hi;
    bool overflow;
    x86_status st = x86_rm_read(cpu, insn, size, &src);
    if (X86_UNLIKELY(st != X86_OK))
        return st;
    uint64_t lo = imul(x86_reg_read(cpu, insn, insn->reg, size), src, size, &hi, &overflow);
    x86_reg_write(cpu, insn, insn->reg, size, lo);
    x86_set_flags(cpu, X86_FLAGS_ARITH, mul_flags(lo, overflow, size));
    return X86_OK;
}

/* IMUL r, r/m, imm (69 imm16/32, 6B imm8 sign-extended by the decoder). */
X86_HANDLER(x86_op_imul_r_rm_imm)
{
    unsigned size = insn->opsize;
    uint64_t src, hi;
    bool overflow;
    x86_status st = x86_rm_read(cpu, insn, size, &src);
    if (X86_UNLIKELY(st != X86_OK))
        return st;
    uint64_t lo = imul(src, insn->imm & x86_width_mask(size), size, &hi, &overflow);
    x86_reg_write(cpu, insn, insn->reg, size, lo);
    x86_set_flags(cpu, X86_FLAGS_ARITH, mul_flags(lo, overflow, size));
    return X86_OK;
}

/* CBW/CWDE/CDQE: sign-extend the lower half of the accumulator into all of it. */
X86_HANDLER(x86_op_cbw)
{
    unsigned size = insn->opsize, half = size / 2;
    x86_reg_write(cpu, insn, X86_RAX, size, (uint64_t)x86_sext(x86_reg_read(cpu, insn, X86_RAX, half), half));
    return X86_OK;
}

/* CWD/CDQ/CQO: fill rDX with the sign of rAX. */
X86_HANDLER(x86_op_cwd)
{
    unsigned size = insn->opsize;
    uint64_t sign = x86_msb(x86_reg_read(cpu, insn, X86_RAX, size), size);
    x86_reg_write(cpu, insn, X86_RDX, size, (0 - sign) & x86_width_mask(size));
    return X86_OK;
}
