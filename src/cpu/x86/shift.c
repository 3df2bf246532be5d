/*
 * Shifts and rotates: group 2 (ROL ROR RCL RCR SHL SHR SAL SAR by 1, CL or
 * imm8) and the double shifts SHLD/SHRD (SDM vol. 2B, "RCL/RCR/ROL/ROR",
 * "SAL/SAR/SHL/SHR", "SHLD", "SHRD").
 *
 * The count is masked to 5 bits (6 with a 64-bit operand). A masked count of
 * 0 leaves the flags alone, but the destination is still written, as QEMU
 * does (so a 32-bit register is zero-extended). RCL/RCR of 8- and 16-bit
 * operands rotate by the count modulo 9 or 17. Flags the SDM leaves
 * undefined (OF for counts other than 1, AF, and everything when a SHLD/SHRD
 * count exceeds the operand size) take QEMU's values: docs/x86-flags.md.
 */
#include "cpu/x86/alu.h"
#include "cpu/x86/handlers.h"

typedef unsigned __int128 x86_u128;

enum x86_grp2_op {
    X86_ROL, X86_ROR, X86_RCL, X86_RCR, X86_SHL, X86_SHR, X86_SAL, X86_SAR,
};

/* Opcodes of the group 2 forms that do not take an imm8 count. */
#define X86_OPC_GRP2_BY_1  0xd0    /* D0 D1 */
#define X86_OPC_GRP2_BY_CL 0xd2    /* D2 D3 */
#define X86_SHIFT_COUNT_MASK    0x1f
#define X86_SHIFT_COUNT_MASK_64 0x3f

static unsigned count_mask(unsigned size)
{
    return size == 8 ? X86_SHIFT_COUNT_MASK_64 : X86_SHIFT_COUNT_MASK;
}

/* The flags CF and OF as a rotate sets them, for a nonzero count. */
static uint64_t cf_of(uint64_t cf, uint64_t of)
{
    return cf | (of << X86_FLAG_OF_SHIFT);
}

#define X86_FLAGS_CF_OF (X86_FLAG_CF | X86_FLAG_OF)

/*
 * One group 2 operation on val by the masked count (nonzero). Returns the
 * result; *which and *flags say which flags change and to what.
 */
static uint64_t grp2(unsigned op, uint64_t val, unsigned count, uint64_t rflags, unsigned size,
                     uint64_t *which, uint64_t *flags)
{
    unsigned bits = 8 * size;
    uint64_t mask = x86_width_mask(size);
    uint64_t res, tmp;
    unsigned c;

    switch (op) {
    case X86_ROL:
    case X86_ROR:
        /* CF is the bit rotated into the far end; OF (defined for count 1) as QEMU. */
        c = count & (bits - 1);
        if (op == X86_ROL) {
            res = c ? ((val << c) | (val >> (bits - c))) & mask : val;
            *flags = cf_of(res & 1, x86_msb(res, size) ^ (res & 1));
        } else {
            res = c ? ((val >> c) | (val << (bits - c))) & mask : val;
            *flags = cf_of(x86_msb(res, size), x86_msb(res ^ (res << 1), size));
        }
        *which = X86_FLAGS_CF_OF;
        return res;
    case X86_RCL:
    case X86_RCR: {
        /* Rotate through CF: a (bits + 1)-bit rotation; c is 1..bits here. */
        uint64_t cf = rflags & X86_FLAG_CF;
        c = size < 4 ? count % (bits + 1) : count;
        *which = X86_FLAGS_CF_OF;
        if (c == 0) {
            *flags = rflags;
            return val;
        }
        if (op == X86_RCL) {
            res = (val << c) | (cf << (c - 1));
            if (c > 1)
                res |= val >> (bits + 1 - c);
            res &= mask;
            *flags = cf_of((val >> (bits - c)) & 1, x86_msb(val ^ res, size));
        } else {
            res = (val >> c) | (cf << (bits - c));
            if (c > 1)
                res |= val << (bits + 1 - c);
            res &= mask;
            *flags = cf_of((val >> (c - 1)) & 1, x86_msb(val ^ res, size));
        }
        return res;
    }
    case X86_SHL:
    case X86_SAL:
        res = (val << count) & mask;
        tmp = val << (count - 1);
        *flags = cf_of(x86_msb(tmp, size), x86_msb(tmp ^ res, size));
        break;
    case X86_SHR:
        res = val >> count;
        tmp = val >> (count - 1);
        *flags = cf_of(tmp & 1, x86_msb(tmp ^ res, size));
        break;
    default: {
        int64_t sval = x86_sext(val, size);
        res = (uint64_t)(sval >> count) & mask;
        tmp = (uint64_t)(sval >> (count - 1));
        *flags = cf_of(tmp & 1, x86_msb(tmp ^ res, size));
        break;
    }
    }
    /* Shifts: SF, ZF, PF from the result; CF the last bit out; AF 0 as QEMU. */
    *flags |= x86_flags_szp(res, size);
    *which = X86_FLAGS_ARITH;
    return res;
}

X86_HANDLER(x86_op_grp2)
{
    unsigned size = insn->opsize;
    unsigned opc = insn->opcode & 0xfe;
    uint64_t count = opc == X86_OPC_GRP2_BY_1 ? 1
                   : opc == X86_OPC_GRP2_BY_CL ? x86_reg_read(cpu, insn, X86_RCX, 1)
                   : insn->imm;
    count &= count_mask(size);

    uint64_t val, which = 0, flags = 0;
    x86_status st = x86_rm_read_rmw(cpu, insn, size, &val);
    if (X86_UNLIKELY(st != X86_OK))
        return st;
    unsigned op = insn->reg & 7;
    /* Only RCL/RCR read a flag (CF); the others need not fold pending lazy flags. */
    uint64_t rflags_in = (op == X86_RCL || op == X86_RCR) ? x86_rflags(cpu) : cpu->rflags;
    uint64_t res = count ? grp2(op, val, (unsigned)count, rflags_in, size, &which, &flags) : val;
    st = x86_rm_write(cpu, insn, size, res);
    if (X86_UNLIKELY(st != X86_OK))
        return st;
    x86_set_flags(cpu, which, flags);
    return X86_OK;
}

/*
 * SHLD/SHRD: shift dest, filling from src. The operands are laid side by side
 * in 128 bits; for a 16-bit operand the layout is dest:src:dest, which gives
 * Intel's (and QEMU's) result for the undefined counts 17..31.
 */
static x86_status shift_double(x86_cpu *cpu, const x86_insn *insn, bool right)
{
    unsigned size = insn->opsize;
    /* 0F A4 / 0F AC take imm8; 0F A5 / 0F AD take CL. */
    uint64_t count = (insn->opcode & 1) ? x86_reg_read(cpu, insn, X86_RCX, 1) : insn->imm;
    count &= count_mask(size);

    uint64_t dst;
    x86_status st = x86_rm_read_rmw(cpu, insn, size, &dst);
    if (X86_UNLIKELY(st != X86_OK))
        return st;
    uint64_t src = x86_reg_read(cpu, insn, insn->reg, size);
    uint64_t mask = x86_width_mask(size);

    unsigned base = size == 8 ? 64 : 32;
    x86_u128 pair;
    if (size == 2)
        pair = ((x86_u128)dst << 32) | (src << 16) | dst;
    else if (right)
        pair = ((x86_u128)src << base) | dst;
    else
        pair = ((x86_u128)dst << base) | src;

    uint64_t res = dst, flags = 0;
    if (count) {
        uint64_t tmp, cf;
        if (right) {
            res = (uint64_t)(pair >> count) & mask;
            tmp = (uint64_t)(pair >> (count - 1));
            cf = tmp & 1;
            /* OF (undefined past count 1) as QEMU: its 64-bit SHRD shifts dest alone for it. */
            if (size == 8)
                tmp = dst >> (count - 1);
        } else {
            res = (uint64_t)((pair << count) >> base) & mask;
            tmp = (uint64_t)((pair << (count - 1)) >> base);
            cf = x86_msb(tmp, size);
        }
        flags = cf_of(cf, x86_msb(tmp ^ res, size)) | x86_flags_szp(res, size);
    }
    st = x86_rm_write(cpu, insn, size, res);
    if (X86_UNLIKELY(st != X86_OK))
        return st;
    if (count)
        x86_set_flags(cpu, X86_FLAGS_ARITH, flags);
    return X86_OK;
}

X86_HANDLER(x86_op_shld)
{
    return shift_double(cpu, insn, false);
}

X86_HANDLER(x86_op_shrd)
{
    return shift_double(cpu, insn, true);
}
