/*
 * Data processing (1 source): RBIT, REV16, REV32, REV, CLZ, CLS; and the
 * 2-source shifts LSLV/LSRV/ASRV/RORV and CRC32/CRC32C (Arm ARM C4.1.87).
 */
#include "cpu/arm64/a64_handlers.h"

enum { OP1_RBIT = 0, OP1_REV16 = 1, OP1_REV32 = 2, OP1_REV64 = 3, OP1_CLZ = 4, OP1_CLS = 5 };

bool a64_valid_dp1(uint32_t insn)
{
    unsigned opcode = BITS(insn, 15, 10);
    if (BIT(insn, 29) || BITS(insn, 20, 16) != 0 || opcode > OP1_CLS)
        return false;
    return !(opcode == OP1_REV64 && !BIT(insn, 31));
}

static uint64_t rev_bytes_in(uint64_t v, unsigned container_bytes)
{
    uint64_t r = 0;
    for (unsigned c = 0; c < 8; c += container_bytes)
        for (unsigned i = 0; i < container_bytes; i++)
            r |= ((v >> (8 * (c + i))) & 0xff) << (8 * (c + container_bytes - 1 - i));
    return r;
}

static unsigned count_leading_zeros(uint64_t v, unsigned width)
{
    unsigned n = 0;
    for (int i = (int)width - 1; i >= 0 && !((v >> i) & 1); i--)
        n++;
    return n;
}

a64_status a64_op_dp1(a64_cpu *cpu, uint32_t insn)
{
    bool sf = BIT(insn, 31);
    unsigned width = sf ? 64 : 32, opcode = BITS(insn, 15, 10);
    uint64_t v = reg_sf(cpu, BITS(insn, 9, 5), sf), r = 0;
    switch (opcode) {
    case OP1_RBIT:
        for (unsigned i = 0; i < width; i++)
            if ((v >> i) & 1)
                r |= 1ull << (width - 1 - i);
        break;
    case OP1_REV16:
        r = rev_bytes_in(v, 2);
        break;
    case OP1_REV32: /* REV (32-bit) or REV32 (64-bit): bytes within each word */
        r = rev_bytes_in(v, 4);
        break;
    case OP1_REV64:
        r = rev_bytes_in(v, 8);
        break;
    case OP1_CLZ:
        r = count_leading_zeros(v, width);
        break;
    default: { /* CLS: leading bits equal to the sign bit, not counting it */
        uint64_t x = v ^ (v >> 1);
        if (!sf)
            x &= 0x7fffffffull;
        else
            x &= ~(1ull << 63);
        r = count_leading_zeros(x, width) - 1;
        break;
    }
    }
    set_reg_sf(cpu, BITS(insn, 4, 0), sf, r);
    return A64_OK;
}

a64_status a64_op_shiftv(a64_cpu *cpu, uint32_t insn)
{
    bool sf = BIT(insn, 31);
    unsigned amount = (unsigned)(xreg(cpu, BITS(insn, 20, 16)) % (sf ? 64 : 32));
    uint64_t r = a64_shift_reg(reg_sf(cpu, BITS(insn, 9, 5), sf), BITS(insn, 11, 10), amount, sf);
    set_reg_sf(cpu, BITS(insn, 4, 0), sf, r);
    return A64_OK;
}

/* CRC32 (polynomial 0x04C11DB7) and CRC32C (0x1EDC6F41), bit-reflected as in
 * the Arm ARM pseudocode of CRC32B..CRC32CX. */
#define CRC32_POLY_REFLECTED 0xedb88320u
#define CRC32C_POLY_REFLECTED 0x82f63b78u

bool a64_valid_crc32(uint32_t insn)
{
    unsigned sz = BITS(insn, 11, 10);
    return !BIT(insn, 29) && (sz == 3) == BIT(insn, 31);
}

a64_status a64_op_crc32(a64_cpu *cpu, uint32_t insn)
{
    unsigned bytes = 1u << BITS(insn, 11, 10);
    uint32_t poly = BIT(insn, 12) ? CRC32C_POLY_REFLECTED : CRC32_POLY_REFLECTED;
    uint32_t crc = (uint32_t)xreg(cpu, BITS(insn, 9, 5));
    uint64_t data = xreg(cpu, BITS(insn, 20, 16));
    for (unsigned i = 0; i < bytes * 8; i++) {
        uint32_t bit = (crc ^ (uint32_t)(data >> i)) & 1;
        crc = (crc >> 1) ^ (bit ? poly : 0);
    }
    set_reg_sf(cpu, BITS(insn, 4, 0), false, crc);
    return A64_OK;
}
