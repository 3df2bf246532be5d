/*
 * DecodeBitMasks (Arm ARM J1.1.3, shared/aarch64/instrs/integer/bitmasks):
 * the wmask/tmask pair behind logical immediates and the bitfield moves.
 */
#include "cpu/arm64/a64_internal.h"

static uint64_t ones(unsigned n)
{
    return n >= 64 ? ~0ull : (1ull << n) - 1;
}

static uint64_t ror_e(uint64_t v, unsigned r, unsigned esize)
{
    if (r == 0)
        return v;
    return ((v >> r) | (v << (esize - r))) & ones(esize);
}

static uint64_t replicate(uint64_t v, unsigned esize, unsigned datasize)
{
    uint64_t out = 0;
    for (unsigned i = 0; i < datasize; i += esize)
        out |= v << i;
    return out;
}

bool a64_decode_bit_masks(unsigned n, unsigned imms, unsigned immr, bool immediate, unsigned datasize,
                          uint64_t *wmask, uint64_t *tmask)
{
    /* len = HighestSetBit(immN:NOT(imms)) */
    unsigned combined = (n << 6) | (~imms & 0x3f);
    int len = -1;
    for (int i = 6; i >= 0; i--)
        if (combined & (1u << i)) {
            len = i;
            break;
        }
    if (len < 1)
        return false;
    unsigned esize = 1u << len;
    if (esize > datasize)
        return false;
    unsigned levels = esize - 1;
    if (immediate && (imms & levels) == levels)
        return false;
    unsigned s = imms & levels, r = immr & levels;
    unsigned diff = (s - r) & levels;
    uint64_t welem = ones(s + 1);
    uint64_t telem = ones(diff + 1);
    *wmask = replicate(ror_e(welem, r, esize), esize, datasize);
    *tmask = replicate(telem, esize, datasize);
    if (datasize == 32) {
        *wmask &= 0xffffffffull;
        *tmask &= 0xffffffffull;
    }
    return true;
}
