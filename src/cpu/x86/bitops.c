/*
 * Bit tests and scans: BT/BTS/BTR/BTC (register and imm8 offsets), BSF/BSR,
 * TZCNT/LZCNT and POPCNT (SDM vol. 2A/2B, the page of each).
 *
 * A register bit offset with a memory operand is signed and may address
 * memory outside the operand: the access moves by (offset >> log2(bits))
 * operand-sized units (SDM "BT", "bit base"). An imm8 offset is taken modulo
 * the operand width. Undefined flags take QEMU's values (docs/x86-flags.md).
 */
#include "cpu/x86/alu.h"
#include "cpu/x86/cpu_features.h"
#include "cpu/x86/handlers.h"

enum x86_bt_op { X86_BT, X86_BTS, X86_BTR, X86_BTC };

/* 0F BA /4../7: the first digit of the group that is a bit test. */
#define X86_GRP8_FIRST 4

/*
 * Test bit `bit` of the r/m operand at `at` (the instruction, possibly with
 * its displacement moved), then set, reset or complement it. CF receives the
 * bit; the other flags are left unchanged (undefined except ZF, which the SDM
 * says is unaffected).
 */
static x86_status bit_test(x86_cpu *cpu, const x86_insn *at, unsigned op, unsigned bit)
{
    unsigned size = at->opsize;
    uint64_t val;
    x86_status st = op == X86_BT ? x86_rm_read(cpu, at, size, &val) : x86_rm_read_rmw(cpu, at, size, &val);
    if (X86_UNLIKELY(st != X86_OK))
        return st;
    uint64_t m = 1ull << bit;
    if (op != X86_BT) {
        uint64_t res = op == X86_BTS ? val | m : op == X86_BTR ? val & ~m : val ^ m;
        st = x86_rm_write(cpu, at, size, res);
        if (X86_UNLIKELY(st != X86_OK))
            return st;
    }
    x86_set_flags(cpu, X86_FLAG_CF, (val >> bit) & 1);
    return X86_OK;
}

/* 0F A3 BT, 0F AB BTS, 0F B3 BTR, 0F BB BTC: bits 4:3 of the opcode pick the operation. */
X86_HANDLER(x86_op_bt_rm_r)
{
    unsigned size = insn->opsize, op = (insn->opcode >> 3) & 3;
    uint64_t offset = x86_reg_read(cpu, insn, insn->reg, size);
    unsigned bit = (unsigned)offset & (8 * size - 1);
    if (insn->mod == 3)
        return bit_test(cpu, insn, op, bit);

    /* The bit base is the operand's address; the signed offset selects the unit. */
    unsigned log2_size = (unsigned)__builtin_ctz(size);
    x86_insn at = *insn;
    at.disp += (x86_sext(offset, size) >> (log2_size + 3)) * (int64_t)size;
    return bit_test(cpu, &at, op, bit);
}

X86_HANDLER(x86_op_grp8)
{
    unsigned digit = insn->reg & 7;
    if (digit < X86_GRP8_FIRST)
        return x86_ud(cpu);
    return bit_test(cpu, insn, digit - X86_GRP8_FIRST, (unsigned)insn->imm & (8 * insn->opsize - 1));
}

/*
 * BSF/BSR: ZF = (source == 0); a zero source leaves the destination's value
 * (the SDM says undefined; Intel and AMD keep it). It is still written at the
 * operand size, so a 32-bit destination is zero-extended, as in QEMU. The
 * other flags, undefined, are those of a logical operation on the source, as
 * QEMU computes them.
 */
static x86_status bit_scan(x86_cpu *cpu, const x86_insn *insn, bool reverse)
{
    unsigned size = insn->opsize;
    uint64_t src;
    x86_status st = x86_rm_read(cpu, insn, size, &src);
    if (X86_UNLIKELY(st != X86_OK))
        return st;
    uint64_t res;
    if (src == 0)
        res = x86_reg_read(cpu, insn, insn->reg, size);
    else
        res = reverse ? 63u - (unsigned)__builtin_clzll(src) : (unsigned)__builtin_ctzll(src);
    x86_reg_write(cpu, insn, insn->reg, size, res);
    x86_set_flags(cpu, X86_FLAGS_ARITH, x86_flags_logic(src, size));
    return X86_OK;
}

/*
 * TZCNT/LZCNT: the count of trailing/leading zero bits, the operand width for
 * a zero source. CF = (source == 0), ZF = (result == 0); the undefined OF,
 * SF, AF and PF are 0 as in QEMU (SF would be the result's sign, always 0).
 */
static x86_status zero_count(x86_cpu *cpu, const x86_insn *insn, bool leading)
{
    unsigned size = insn->opsize, bits = 8 * size;
    uint64_t src;
    x86_status st = x86_rm_read(cpu, insn, size, &src);
    if (X86_UNLIKELY(st != X86_OK))
        return st;
    uint64_t res = bits;
    if (src != 0)
        res = leading ? (unsigned)__builtin_clzll(src) - (64 - bits) : (unsigned)__builtin_ctzll(src);
    x86_reg_write(cpu, insn, insn->reg, size, res);
    x86_set_flags(cpu, X86_FLAGS_ARITH, (src == 0 ? X86_FLAG_CF : 0) | (res == 0 ? X86_FLAG_ZF : 0));
    return X86_OK;
}

/* F3 0F BC is TZCNT with BMI1; without it the F3 prefix is ignored and it is BSF. */
X86_HANDLER(x86_op_bsf_tzcnt)
{
    if ((insn->prefixes & X86_PFX_REP) && x86_cpu_has(&cpu->config, X86_FEAT_BMI1))
        return zero_count(cpu, insn, false);
    return bit_scan(cpu, insn, false);
}

/* F3 0F BD is LZCNT with ABM (LZCNT); without it the F3 prefix is ignored and it is BSR. */
X86_HANDLER(x86_op_bsr_lzcnt)
{
    if ((insn->prefixes & X86_PFX_REP) && x86_cpu_has(&cpu->config, X86_FEAT_ABM))
        return zero_count(cpu, insn, true);
    return bit_scan(cpu, insn, true);
}

/* POPCNT: #UD without CPUID.01H:ECX.POPCNT; flags all 0 but ZF = (source == 0). */
X86_HANDLER(x86_op_popcnt)
{
    if (!x86_cpu_has(&cpu->config, X86_FEAT_POPCNT))
        return x86_ud(cpu);
    unsigned size = insn->opsize;
    uint64_t src;
    x86_status st = x86_rm_read(cpu, insn, size, &src);
    if (X86_UNLIKELY(st != X86_OK))
        return st;
    x86_reg_write(cpu, insn, insn->reg, size, (uint64_t)__builtin_popcountll(src));
    x86_set_flags(cpu, X86_FLAGS_ARITH, src == 0 ? X86_FLAG_ZF : 0);
    return X86_OK;
}
