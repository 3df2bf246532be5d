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

static bool decode_bit_masks(unsigned n, unsigned imms, unsigned immr, bool immediate, unsigned datasize,
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

/* The masks depend on the arguments alone, and a loop uses few of them: a small direct-mapped cache
 * keyed by all of them spares the computation (it was a twentieth of the integer loop's run time). */
#define MASK_CACHE_BITS 8
typedef struct mask_cache_entry {
    uint32_t key;           /* 0: empty (a real key has its valid bit set) */
    bool ok;
    uint64_t wmask, tmask;
} mask_cache_entry;
static mask_cache_entry mask_cache[1u << MASK_CACHE_BITS];

/* Out of line, so that a cache hit needs no frame. */
static __attribute__((noinline)) void fill(mask_cache_entry *e, uint32_t key, unsigned n, unsigned imms,
                                           unsigned immr, bool immediate, unsigned datasize)
{
    uint64_t w = 0, t = 0;
    e->ok = decode_bit_masks(n, imms, immr, immediate, datasize, &w, &t);
    e->wmask = w;
    e->tmask = t;
    e->key = key;
}

/*
 * Logical immediates by N:immr:imms (instruction bits 22:10), decoded at datasize 64 on first use.
 * A 32-bit form (N = 0) has an element of at most 32 bits, so its immediate is the low half of the
 * 64-bit replication.
 */
#define LOGICAL_IMM_KEY_SHIFT 10
#define LOGICAL_IMM_KEY_BITS 13
static uint64_t logical_imm_value[1u << LOGICAL_IMM_KEY_BITS];
static bool logical_imm_known[1u << LOGICAL_IMM_KEY_BITS];

static __attribute__((noinline)) uint64_t logical_imm_fill(unsigned key)
{
    uint64_t w = 0, t = 0;
    decode_bit_masks(key >> 12, key & 0x3f, (key >> 6) & 0x3f, true, 64, &w, &t);
    logical_imm_value[key] = w;
    logical_imm_known[key] = true;
    return w;
}

uint64_t a64_logical_imm(uint32_t insn)
{
    unsigned key = (insn >> LOGICAL_IMM_KEY_SHIFT) & ((1u << LOGICAL_IMM_KEY_BITS) - 1);
    uint64_t imm = logical_imm_known[key] ? logical_imm_value[key] : logical_imm_fill(key);
    return BIT(insn, 31) ? imm : (uint32_t)imm;
}

bool a64_decode_bit_masks(unsigned n, unsigned imms, unsigned immr, bool immediate, unsigned datasize,
                          uint64_t *wmask, uint64_t *tmask)
{
    if (datasize != 32 && datasize != 64)
        return decode_bit_masks(n, imms, immr, immediate, datasize, wmask, tmask);
    uint32_t key = 1u << 20 | (uint32_t)(datasize == 64) << 19 | (uint32_t)immediate << 18 | (n & 1) << 12 |
                   (immr & 0x3f) << 6 | (imms & 0x3f);
    /* Fibonacci hashing: the top bits of key * 2^32/phi spread neighbouring keys apart. */
    mask_cache_entry *e = &mask_cache[(key * 0x9e3779b1u) >> (32 - MASK_CACHE_BITS)];
    if (e->key != key)
        fill(e, key, n, imms, immr, immediate, datasize);
    if (!e->ok)
        return false;
    *wmask = e->wmask;
    *tmask = e->tmask;
    return true;
}
