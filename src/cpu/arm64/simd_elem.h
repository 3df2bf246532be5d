/*
 * Element access to the 128-bit SIMD&FP registers (little-endian element
 * order, Arm ARM C1.2.5), shared by the simd_*.c executors.
 */
#ifndef EMU_CPU_ARM64_SIMD_ELEM_H
#define EMU_CPU_ARM64_SIMD_ELEM_H

#include <string.h>

#include "cpu/arm64/a64_internal.h"

static inline uint64_t velem(const a64_vreg *v, unsigned index, unsigned esize)
{
    uint64_t e = 0;
    memcpy(&e, v->b + index * esize, esize);
    return e;
}

static inline void set_velem(a64_vreg *v, unsigned index, unsigned esize, uint64_t e)
{
    memcpy(v->b + index * esize, &e, esize);
}

static inline int64_t sext_elem(uint64_t e, unsigned esize)
{
    unsigned sh = 64 - 8 * esize;
    return (int64_t)(e << sh) >> sh;
}

static inline uint64_t elem_mask(unsigned esize)
{
    return esize == 8 ? ~0ull : (1ull << (8 * esize)) - 1;
}

/* Write a result computed into a temporary: Q = 0 zeroes bits 127:64. */
static inline void write_vreg(a64_cpu *cpu, unsigned rd, const a64_vreg *r, bool q)
{
    cpu->v[rd] = *r;
    if (!q)
        cpu->v[rd].d[1] = 0;
}

#endif
