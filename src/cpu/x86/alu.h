/*
 * Arithmetic-flag computation shared by the ALU, shift, multiply/divide and
 * bit-operation handlers (SDM vol. 1, 3.4.3.1 and appendix A). Every helper
 * takes the operand width in bytes (1, 2, 4 or 8) and works with masks and
 * shifts, so one straight-line body serves every width. Operands and results
 * passed in are already truncated to the width.
 *
 * Where the SDM leaves a flag undefined these helpers produce what QEMU TCG
 * produces; docs/x86-flags.md lists each case.
 */
#ifndef EMU_CPU_X86_ALU_H
#define EMU_CPU_X86_ALU_H

#include "cpu/x86/x86.h"

#define X86_FLAG_OF_SHIFT 11

/* The sign bit of a `size`-byte value, moved to bit 0. */
static inline uint64_t x86_msb(uint64_t v, unsigned size)
{
    return (v >> (8 * size - 1)) & 1;
}

/* Sign-extend a `size`-byte value to 64 bits. */
static inline int64_t x86_sext(uint64_t v, unsigned size)
{
    unsigned sh = 64 - 8 * size;
    return (int64_t)(v << sh) >> sh;
}

/* PF: set when the low byte of the result has an even number of ones. */
static inline uint64_t x86_flag_pf(uint64_t res)
{
    return __builtin_parity((unsigned)(res & 0xff)) ? 0 : X86_FLAG_PF;
}

/* SF, ZF and PF of a result (SF is bit 7, so the sign bit moves there). */
static inline uint64_t x86_flags_szp(uint64_t res, unsigned size)
{
    return ((res >> (8 * size - 8)) & X86_FLAG_SF) | (res == 0 ? X86_FLAG_ZF : 0) | x86_flag_pf(res);
}

/* ADD/ADC: res = a + b + carry-in, truncated. */
static inline uint64_t x86_flags_add(uint64_t a, uint64_t b, uint64_t res, unsigned size)
{
    uint64_t cf = x86_msb((a & b) | ((a | b) & ~res), size);
    uint64_t of = x86_msb((a ^ res) & (b ^ res), size);
    return cf | ((a ^ b ^ res) & X86_FLAG_AF) | (of << X86_FLAG_OF_SHIFT) | x86_flags_szp(res, size);
}

/* SUB/SBB/CMP/NEG: res = a - b - borrow-in, truncated. */
static inline uint64_t x86_flags_sub(uint64_t a, uint64_t b, uint64_t res, unsigned size)
{
    uint64_t cf = x86_msb((~a & b) | ((~a | b) & res), size);
    uint64_t of = x86_msb((a ^ b) & (a ^ res), size);
    return cf | ((a ^ b ^ res) & X86_FLAG_AF) | (of << X86_FLAG_OF_SHIFT) | x86_flags_szp(res, size);
}

/* AND/OR/XOR/TEST: CF = OF = 0; AF is undefined, 0 as in QEMU. */
static inline uint64_t x86_flags_logic(uint64_t res, unsigned size)
{
    return x86_flags_szp(res, size);
}

/* Replace the flags in `which` by those in `flags`, leaving the others alone. */
static inline void x86_set_flags(x86_cpu *cpu, uint64_t which, uint64_t flags)
{
    /* Replacing every arithmetic flag makes pending lazy ones moot; otherwise keep the rest exact. */
    if ((which & X86_FLAGS_ARITH) == X86_FLAGS_ARITH)
        cpu->lazy_kind = X86_LAZY_NONE;
    else if (which & X86_FLAGS_ARITH)
        x86_flags_sync(cpu);
    cpu->rflags = (cpu->rflags & ~which) | (flags & which);
}

/* The eight conditions of the odd/even pairs; bit 0 of cc negates (SDM vol. 1, appendix B, table B-1). */
enum x86_cc_pair { X86_CC_O, X86_CC_B, X86_CC_E, X86_CC_BE, X86_CC_S, X86_CC_P, X86_CC_L, X86_CC_LE };

#define X86_FLAG_SF_SHIFT 7

/* Condition cc from exact RFLAGS f. */
static inline bool x86_cond_of_flags(uint64_t f, unsigned cc)
{
    bool r;
    switch ((cc >> 1) & 7) {
    case X86_CC_O:  r = f & X86_FLAG_OF; break;
    case X86_CC_B:  r = f & X86_FLAG_CF; break;
    case X86_CC_E:  r = f & X86_FLAG_ZF; break;
    case X86_CC_BE: r = f & (X86_FLAG_CF | X86_FLAG_ZF); break;
    case X86_CC_S:  r = f & X86_FLAG_SF; break;
    case X86_CC_P:  r = f & X86_FLAG_PF; break;
    case X86_CC_L:  r = ((f >> X86_FLAG_SF_SHIFT) ^ (f >> X86_FLAG_OF_SHIFT)) & 1; break;
    default:        r = (f & X86_FLAG_ZF) || (((f >> X86_FLAG_SF_SHIFT) ^ (f >> X86_FLAG_OF_SHIFT)) & 1); break;
    }
    return r ^ (cc & 1);
}

/* x86_cond with exact flags (after INC/DEC, or anything that materialised them) answered inline. */
static inline bool x86_cond_fast(x86_cpu *cpu, unsigned cc)
{
    if (X86_LIKELY(cpu->lazy_kind == X86_LAZY_NONE))
        return x86_cond_of_flags(cpu->rflags, cc);
    return x86_cond(cpu, cc);
}

/* The eight ALU operations in the order of their opcode rows and /digit. */
enum x86_alu_op {
    X86_ALU_ADD, X86_ALU_OR, X86_ALU_ADC, X86_ALU_SBB,
    X86_ALU_AND, X86_ALU_SUB, X86_ALU_XOR, X86_ALU_CMP,
};

/*
 * op(a, b) at `size` with the incoming CF (ADC/SBB); returns the truncated
 * result and the six arithmetic flags in *flags, changing no state so the
 * caller can write the destination first and commit the flags after.
 */
static inline uint64_t x86_alu(unsigned op, uint64_t a, uint64_t b, uint64_t rflags, unsigned size,
                               uint64_t *flags)
{
    uint64_t mask = x86_width_mask(size);
    uint64_t carry = rflags & X86_FLAG_CF;
    uint64_t res;
    switch (op) {
    case X86_ALU_ADD:
    case X86_ALU_ADC:
        res = (a + b + (op == X86_ALU_ADC ? carry : 0)) & mask;
        *flags = x86_flags_add(a, b, res, size);
        return res;
    case X86_ALU_SBB:
    case X86_ALU_SUB:
    case X86_ALU_CMP:
        res = (a - b - (op == X86_ALU_SBB ? carry : 0)) & mask;
        *flags = x86_flags_sub(a, b, res, size);
        return res;
    case X86_ALU_OR:
        res = a | b;
        break;
    case X86_ALU_AND:
        res = a & b;
        break;
    default:
        res = a ^ b;
        break;
    }
    *flags = x86_flags_logic(res, size);
    return res;
}

/*
 * op(a, b) at `size` for the hot handlers: returns the truncated result and
 * leaves the flags lazy (x86_flags_lazy), for the caller to commit with
 * x86_alu_commit() once the destination has been written.
 */
typedef struct x86_alu_result {
    uint64_t res;
    x86_lazy_kind kind;
} x86_alu_result;

static inline x86_alu_result x86_alu_op(x86_cpu *cpu, unsigned op, uint64_t a, uint64_t b, unsigned size)
{
    uint64_t mask = x86_width_mask(size);
    switch (op) {
    case X86_ALU_ADD: return (x86_alu_result){ (a + b) & mask, X86_LAZY_ADD };
    case X86_ALU_ADC: return (x86_alu_result){ (a + b + (x86_rflags(cpu) & X86_FLAG_CF)) & mask, X86_LAZY_ADD };
    case X86_ALU_SBB: return (x86_alu_result){ (a - b - (x86_rflags(cpu) & X86_FLAG_CF)) & mask, X86_LAZY_SUB };
    case X86_ALU_SUB:
    case X86_ALU_CMP: return (x86_alu_result){ (a - b) & mask, X86_LAZY_SUB };
    case X86_ALU_OR:  return (x86_alu_result){ a | b, X86_LAZY_LOGIC };
    case X86_ALU_AND: return (x86_alu_result){ a & b, X86_LAZY_LOGIC };
    default:          return (x86_alu_result){ a ^ b, X86_LAZY_LOGIC };
    }
}

static inline void x86_alu_commit(x86_cpu *cpu, x86_alu_result r, uint64_t a, uint64_t b, unsigned size)
{
    x86_flags_lazy(cpu, r.kind, size, a, b, r.res);
}

/* ---- F6/F7 multiply and divide (muldiv.c), dispatched from grp3 in alu.c ---- */
X86_MUST_CHECK x86_status x86_mul_acc(x86_cpu *cpu, const x86_insn *insn, uint64_t src);
X86_MUST_CHECK x86_status x86_imul_acc(x86_cpu *cpu, const x86_insn *insn, uint64_t src);
X86_MUST_CHECK x86_status x86_div_acc(x86_cpu *cpu, const x86_insn *insn, uint64_t src);
X86_MUST_CHECK x86_status x86_idiv_acc(x86_cpu *cpu, const x86_insn *insn, uint64_t src);

#endif
