/*
 * Bitfield (SBFM, BFM, UBFM and their aliases LSL/LSR/ASR/SXTB/UBFX/BFI...)
 * and extract (EXTR, ROR immediate): Arm ARM C4.1.86 and the C6 pages of
 * each instruction.
 */
#include "cpu/arm64/a64_handlers.h"

bool a64_valid_bitfield(uint32_t insn)
{
    bool sf = BIT(insn, 31), n = BIT(insn, 22);
    if (BITS(insn, 30, 29) == 3 || sf != n)
        return false;
    if (!sf && (BIT(insn, 21) || BIT(insn, 15)))
        return false;
    return true;
}

a64_status a64_op_bitfield(a64_cpu *cpu, uint32_t insn)
{
    bool sf = BIT(insn, 31);
    unsigned opc = BITS(insn, 30, 29), immr = BITS(insn, 21, 16), imms = BITS(insn, 15, 10);
    unsigned rn = BITS(insn, 9, 5), rd = BITS(insn, 4, 0), datasize = sf ? 64 : 32;
    uint64_t wmask = 0, tmask = 0;
    a64_bitfield_masks(imms, immr, datasize, &wmask, &tmask);
    uint64_t src = reg_sf(cpu, rn, sf);
    uint64_t dst = opc == 1 ? reg_sf(cpu, rd, sf) : 0;   /* BFM keeps the other bits */
    uint64_t bot = (dst & ~wmask) | (a64_shift_reg(src, 3, immr, sf) & wmask);
    uint64_t top;
    if (opc == 0) {                                      /* SBFM: replicate bit imms */
        bool s = (src >> imms) & 1;
        top = s ? ~0ull : 0;
    } else {
        top = dst;
    }
    uint64_t r = (top & ~tmask) | (bot & tmask);
    set_reg_sf(cpu, rd, sf, r);
    return A64_OK;
}

bool a64_valid_extract(uint32_t insn)
{
    bool sf = BIT(insn, 31);
    if (BITS(insn, 30, 29) != 0 || BIT(insn, 21) || sf != BIT(insn, 22))
        return false;
    return sf || !BIT(insn, 15);
}

a64_status a64_op_extract(a64_cpu *cpu, uint32_t insn)
{
    bool sf = BIT(insn, 31);
    unsigned lsb = BITS(insn, 15, 10), rm = BITS(insn, 20, 16), rn = BITS(insn, 9, 5), rd = BITS(insn, 4, 0);
    uint64_t hi = reg_sf(cpu, rn, sf), lo = reg_sf(cpu, rm, sf), r;
    unsigned width = sf ? 64 : 32;
    if (lsb == 0)
        r = lo;
    else
        r = (lo >> lsb) | (hi << (width - lsb));
    set_reg_sf(cpu, rd, sf, r);
    return A64_OK;
}
