/*
 * Helpers shared by the A64 executor files: field extraction, register
 * access with the Arm ARM's X[]/SP rules, flags, conditions, memory and the
 * raising of exceptions. Not for use outside src/cpu/arm64.
 */
#ifndef EMU_CPU_ARM64_A64_INTERNAL_H
#define EMU_CPU_ARM64_A64_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "cpu/arm64/a64.h"

/* Bits hi..lo of x (hi >= lo). */
#define BITS(x, hi, lo) (((uint32_t)(x) >> (lo)) & ((1u << ((hi) - (lo) + 1)) - 1u))
#define BIT(x, n) (((uint32_t)(x) >> (n)) & 1u)

#define A64_REG_ZR 31 /* register number 31: XZR or SP depending on the encoding */

typedef a64_status (*a64_handler)(a64_cpu *cpu, uint32_t insn);

/* One row of the decode table (decode.c): the encoding's mask and match, its
 * name, its handler, and an optional check of the fields that make a
 * matching word unallocated. */
typedef struct a64_row {
    uint32_t mask, match;
    const char *name;
    a64_handler handler;                 /* NULL: recognised, not executed */
    bool (*valid)(uint32_t insn);        /* NULL: every matching word is allocated */
    a64_group group;
    bool fp;                             /* SIMD&FP: subject to CPACR_EL1.FPEN */
} a64_row;

const a64_row *a64_lookup(uint32_t insn);

/* May the host page hints (a64.h) stand in for ops.access? Not while self-hosted debug (debug.c) is
 * armed: every data access must then reach the watchpoint check in mem.c. */
static inline bool a64_hints_usable(const a64_cpu *cpu)
{
    return !cpu->debug_attention;
}

/* The hint for accesses of `kind` at the current EL on va's page, or NULL. */
static inline const a64_page_hint *a64_hint_find(const a64_cpu *cpu, a64_acc_kind kind, uint64_t va)
{
    const a64_page_hint *h = cpu->hint[kind];
    uint64_t page = va >> A64_HINT_PAGE_SHIFT;
    unsigned el_tag = cpu->pstate.el + 1u;
    for (unsigned j = 0; j < A64_HINT_SLOTS; j++, h++)
        if (h->el_tag == el_tag && h->va_page == page)
            return h;
    return NULL;
}

/* The hint serving a data access (kind READ or WRITE) of `size` bytes at va, or NULL (then call
 * ops.access, which also raises the Alignment fault of an unaligned data access to Device memory, Arm
 * ARM B2.5.2). The hint found becomes its kind's shortcut. */
static inline uint8_t *a64_hint_host_search(a64_cpu *cpu, a64_acc_kind kind, uint64_t va, unsigned size)
{
    if ((va & A64_HINT_PAGE_MASK) + size > (1u << A64_HINT_PAGE_SHIFT) || !a64_hints_usable(cpu))
        return NULL;
    const a64_page_hint *h = a64_hint_find(cpu, kind, va);
    if (!h)
        return NULL;
    cpu->shortcut[kind] = (a64_hint_shortcut){ .key = h->va_page, .host = h->host, .va_page = h->va_page,
                                               .align_mask = h->device ? ~0ull : 0, .el_tag = h->el_tag };
    if (h->device && (va & (size - 1)) != 0)
        return NULL;
    return h->host + (va & A64_HINT_PAGE_MASK);
}

/* Does the shortcut (a64.h) serve a data access of `size` bytes at va? What a64_hint_host_search would
 * find when it does, since the shortcut copies a hint for this EL while debug is off. */
static inline bool a64_shortcut_serves(const a64_cpu *cpu, a64_acc_kind kind, uint64_t va, unsigned size)
{
    const a64_hint_shortcut *s = &cpu->shortcut[kind];
    return va >> A64_HINT_PAGE_SHIFT == s->key && (va & A64_HINT_PAGE_MASK) + size <= (1u << A64_HINT_PAGE_SHIFT) &&
           (va & (size - 1) & s->align_mask) == 0;
}

static inline uint8_t *a64_shortcut_host(const a64_cpu *cpu, a64_acc_kind kind, uint64_t va)
{
    return cpu->shortcut[kind].host + (va & A64_HINT_PAGE_MASK);
}

/* The host bytes of a data access through the shortcut, else the hints, else NULL. */
static inline uint8_t *a64_hint_host(a64_cpu *cpu, a64_acc_kind kind, uint64_t va, unsigned size)
{
    if (a64_shortcut_serves(cpu, kind, va, size))
        return a64_shortcut_host(cpu, kind, va);
    return a64_hint_host_search(cpu, kind, va, size);
}

/* ---- registers ---- */

static inline uint64_t xreg(const a64_cpu *cpu, unsigned n) /* XZR for 31: x[31] is 0 */
{
    return cpu->x[n];
}

static inline void set_xreg(a64_cpu *cpu, unsigned n, uint64_t v) /* discards for 31 */
{
    cpu->x[n] = v;
    cpu->x[A64_REG_ZR] = 0;     /* undoes a write to XZR, without a test */
}

/* Read/write with sf: 32-bit forms read the low half and zero-extend on write. */
static inline uint64_t reg_sf(const a64_cpu *cpu, unsigned n, bool sf)
{
    uint64_t v = xreg(cpu, n);
    return sf ? v : (uint32_t)v;
}

static inline void set_reg_sf(a64_cpu *cpu, unsigned n, bool sf, uint64_t v)
{
    set_xreg(cpu, n, sf ? v : (uint32_t)v);
}

/* Register 31 as SP (ADD/SUB immediate and extended, load/store bases). */
/* The SP in use during a step: the choice a64_sp makes, kept in cpu->sp_index (a64_refresh_shortcuts). */
static inline uint64_t *sp_in_use(a64_cpu *cpu)
{
    return &cpu->sp_el[cpu->sp_index];
}

/* Where X[n] lives when register 31 is SP: the base register of a load or store. */
static inline uint64_t *xreg_sp_ptr(a64_cpu *cpu, unsigned n)
{
    return n == A64_REG_ZR ? sp_in_use(cpu) : &cpu->x[n];
}

static inline uint64_t xreg_sp(a64_cpu *cpu, unsigned n)
{
    return n == A64_REG_ZR ? *sp_in_use(cpu) : cpu->x[n];
}

static inline void set_xreg_sp(a64_cpu *cpu, unsigned n, uint64_t v)
{
    if (n == A64_REG_ZR)
        *sp_in_use(cpu) = v;
    else
        cpu->x[n] = v;
}

/* ---- flags and conditions (Arm ARM C1.2.4 "Condition code") ---- */

static inline uint8_t a64_nz(uint64_t result, bool sf)
{
    uint64_t r = sf ? result : (uint32_t)result;
    uint64_t sign = sf ? 1ull << 63 : 1ull << 31;
    return (uint8_t)(((r & sign) ? A64_NZCV_N : 0) | (r == 0 ? A64_NZCV_Z : 0));
}

/* ConditionHolds, AddWithCarry (NZCV into *nzcv), ShiftReg, ExtendReg. */
#include "cpu/arm64/flags.h"

/* DecodeBitMasks (Arm ARM J1.1.3, aarch64/instrs/integer/bitmasks). */
bool a64_decode_bit_masks(unsigned n, unsigned imms, unsigned immr, bool immediate, unsigned datasize,
                          uint64_t *wmask, uint64_t *tmask);

/* The immediate of an allocated logical (immediate) instruction: DecodeBitMasks(N, imms, immr, TRUE)'s
 * wmask, from a table filled on first use (bitmask.c). */
uint64_t a64_logical_imm(uint32_t insn);

/* DecodeBitMasks(N, imms, immr, FALSE, datasize) for an allocated bitfield instruction (N = sf, imms
 * and immr below datasize): the element is the whole register, so there is nothing to replicate. */
static inline void a64_bitfield_masks(unsigned imms, unsigned immr, unsigned datasize, uint64_t *wmask,
                                      uint64_t *tmask)
{
    const unsigned levels = datasize - 1, s = imms & levels, r = immr & levels;
    const unsigned diff = (s - r) & levels;
    const uint64_t size_mask = datasize == 64 ? ~0ull : (1ull << datasize) - 1;
    const uint64_t welem = s + 1 >= 64 ? ~0ull : (1ull << (s + 1)) - 1;
    *wmask = r == 0 ? welem : ((welem >> r) | (welem << (datasize - r))) & size_mask;
    *tmask = diff + 1 >= 64 ? ~0ull : (1ull << (diff + 1)) - 1;
}

/* ---- exceptions ---- */

/* Fill cpu->exc for an exception at this instruction and return A64_EXCEPTION. */
a64_status a64_raise(a64_cpu *cpu, uint32_t insn, esr_ec ec, uint32_t iss);
a64_status a64_undefined(a64_cpu *cpu, uint32_t insn);
a64_status a64_unsupported(a64_cpu *cpu, uint32_t insn, const char *what);

/* ---- memory ---- */

/* Syndrome for a data abort: which register and size, for ISS.ISV. */
typedef struct a64_ldst_syn {
    bool valid;             /* single general-register load/store: ISV = 1 */
    unsigned sas;           /* log2 size */
    bool sse, sf, ar;
    unsigned srt;
} a64_ldst_syn;

/* One data access at va; raises an alignment or data abort on failure. */
/* `align` is the alignment the Arm ARM checks for this access (its element
 * size; the whole size for exclusives pairs): enforced always for exclusive,
 * atomic and acquire/release accesses, otherwise when SCTLR_ELx.A is set
 * (AArch64.CheckAlignment). */
a64_status a64_mem_read(a64_cpu *cpu, uint32_t insn, uint64_t va, unsigned size, unsigned align,
                        unsigned flags, void *out, const a64_ldst_syn *syn);
a64_status a64_mem_write(a64_cpu *cpu, uint32_t insn, uint64_t va, unsigned size, unsigned align,
                         unsigned flags, const void *in, const a64_ldst_syn *syn);

/* Little-endian bytes to a value and back: a memcpy of the common sizes (one host load or store,
 * whatever the alignment) and a byte swap that only a big-endian host compiles to anything. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define A64_HOST_LE16(v) __builtin_bswap16(v)
#define A64_HOST_LE32(v) __builtin_bswap32(v)
#define A64_HOST_LE64(v) __builtin_bswap64(v)
#else
#define A64_HOST_LE16(v) (v)
#define A64_HOST_LE32(v) (v)
#define A64_HOST_LE64(v) (v)
#endif

static inline uint64_t a64_le_bytes(const uint8_t *b, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)b[i] << (8 * i);
    return v;
}

static inline uint64_t a64_le_load64(const uint8_t *b)
{
    uint64_t v;
    memcpy(&v, b, sizeof v);
    return A64_HOST_LE64(v);
}

static inline uint64_t a64_le_load(const uint8_t *b, unsigned size)
{
    switch (size) {
    case 1: return b[0];
    case 2: {
        uint16_t v;
        memcpy(&v, b, sizeof v);
        return A64_HOST_LE16(v);
    }
    case 4: {
        uint32_t v;
        memcpy(&v, b, sizeof v);
        return A64_HOST_LE32(v);
    }
    case 8: return a64_le_load64(b);
    default: return a64_le_bytes(b, size);
    }
}

static inline void a64_le_bytes_store(uint8_t *b, unsigned n, uint64_t v)
{
    for (unsigned i = 0; i < n; i++)
        b[i] = (uint8_t)(v >> (8 * i));
}

static inline void a64_le_store64(uint8_t *b, uint64_t v)
{
    uint64_t le = A64_HOST_LE64(v);
    memcpy(b, &le, sizeof le);
}

static inline void a64_le_store(uint8_t *b, unsigned size, uint64_t v)
{
    switch (size) {
    case 1: b[0] = (uint8_t)v; break;
    case 2: {
        uint16_t le = A64_HOST_LE16((uint16_t)v);
        memcpy(b, &le, sizeof le);
        break;
    }
    case 4: {
        uint32_t le = A64_HOST_LE32((uint32_t)v);
        memcpy(b, &le, sizeof le);
        break;
    }
    case 8: a64_le_store64(b, v); break;
    default: a64_le_bytes_store(b, size, v); break;
    }
}

/* Integer values of 1..8 bytes, naturally aligned for the check: the whole path (alignment checks,
 * page hint, then the memory callback). */
a64_status a64_read_uint_full(a64_cpu *cpu, uint32_t insn, uint64_t va, unsigned size, unsigned flags,
                              uint64_t *out, const a64_ldst_syn *syn);
a64_status a64_write_uint_full(a64_cpu *cpu, uint32_t insn, uint64_t va, unsigned size, unsigned flags,
                               uint64_t value, const a64_ldst_syn *syn);

/* The host bytes of a plain (no A64_ACC_* flags), naturally aligned access that a page hint serves, or
 * NULL. Such an access can take no alignment fault (SCTLR.A and the Device rule fault only unaligned
 * ones) and cannot cross a page, so the hint is all it needs. */
static inline uint8_t *a64_plain_aligned_host(a64_cpu *cpu, a64_acc_kind kind, uint64_t va, unsigned size,
                                              unsigned flags)
{
    if (flags || (va & (size - 1)))
        return NULL;
    return a64_hint_host(cpu, kind, va, size);
}

/* The same for the two adjacent elements of a pair (LDP/STP), each `size` bytes and naturally
 * aligned, when one hint serves both. */
static inline uint8_t *a64_plain_pair_host(a64_cpu *cpu, a64_acc_kind kind, uint64_t va, unsigned size)
{
    if (va & (size - 1))
        return NULL;
    return a64_hint_host(cpu, kind, va, 2 * size);
}

static inline a64_status a64_read_uint(a64_cpu *cpu, uint32_t insn, uint64_t va, unsigned size, unsigned flags,
                                       uint64_t *out, const a64_ldst_syn *syn)
{
    const uint8_t *p = a64_plain_aligned_host(cpu, A64_ACC_READ, va, size, flags);
    if (!p)
        return a64_read_uint_full(cpu, insn, va, size, flags, out, syn);
    *out = a64_le_load(p, size);
    return A64_OK;
}

static inline a64_status a64_write_uint(a64_cpu *cpu, uint32_t insn, uint64_t va, unsigned size, unsigned flags,
                                        uint64_t value, const a64_ldst_syn *syn)
{
    uint8_t *p = a64_plain_aligned_host(cpu, A64_ACC_WRITE, va, size, flags);
    if (!p)
        return a64_write_uint_full(cpu, insn, va, size, flags, value, syn);
    a64_le_store(p, size, value);
    return A64_OK;
}

/* SP alignment check for an SP-based access (Arm ARM D1.8.2); inline, as the frame saves of every
 * exception handler reach it. */
static inline a64_status a64_check_sp_align(a64_cpu *cpu, uint32_t insn, unsigned rn)
{
    if (rn != A64_REG_ZR)
        return A64_OK;
    uint64_t sctlr = cpu->pstate.el == 2 ? cpu->sys.sctlr_el2 : cpu->sys.sctlr_el1;
    uint64_t bit = cpu->pstate.el == 0 ? A64_SCTLR_SA0 : A64_SCTLR_SA;
    if ((sctlr & bit) && (*sp_in_use(cpu) & 0xf) != 0)
        return a64_raise(cpu, insn, ESR_EC_SP_ALIGN, 0);
    return A64_OK;
}

/* Raise an alignment fault at va (exclusives, atomics, SCTLR.A). */
a64_status a64_alignment_fault(a64_cpu *cpu, uint32_t insn, uint64_t va, bool is_write);

/* Effective EL of an unprivileged (LDTR/STTR) access: EL0 when at EL1. */
unsigned a64_unpriv_flag(const a64_cpu *cpu);

/* ---- SIMD&FP ---- */

/* AArch64.CheckFPAdvSIMDEnabled for the SIMD&FP instruction or FPCR/FPSR access `insn`: A64_OK, or
 * A64_EXCEPTION with the trap CPACR_EL1.FPEN or CPTR_EL2.TFP takes (Arm ARM D17.2.30, D17.2.33). */
a64_status a64_check_fp_enabled(a64_cpu *cpu, uint32_t insn);

static inline void vreg_clear_high(a64_cpu *cpu, unsigned n, unsigned bytes)
{
    for (unsigned i = bytes; i < 16; i++)
        cpu->v[n].b[i] = 0;
}

#endif
