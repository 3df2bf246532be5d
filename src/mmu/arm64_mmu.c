/*
 * AArch64 stage-1 translation (arm64_mmu.h). The walk follows the Arm ARM's
 * pseudocode AArch64.TranslationTableWalk for the 4 KiB granule: the start
 * level from TxSZ, 9 bits of VA per level, table descriptors at levels 0-2,
 * blocks at levels 1-2, pages at level 3 (D8.2-D8.3). Faults carry the level
 * at which they happened in the fault status code (D17.2.37, DFSC).
 */
#include "mmu/arm64_mmu.h"

#include <string.h>

/* Descriptor fields (D8.3). */
#define DESC_VALID (1ull << 0)
#define DESC_TABLE (1ull << 1)          /* levels 0-2: table; level 3: page */
#define DESC_ATTRINDX_SHIFT 2
#define DESC_ATTRINDX_MASK 7ull
#define DESC_AP1 (1ull << 6)            /* AP[1]: EL0 access */
#define DESC_AP2 (1ull << 7)            /* AP[2]: read-only */
#define DESC_SH_SHIFT 8                /* SH[1:0]: shareability */
#define DESC_SH_MASK 3ull
#define DESC_AF (1ull << 10)
#define DESC_NG (1ull << 11)
#define DESC_PXN (1ull << 53)
#define DESC_UXN (1ull << 54)           /* XN in the EL2 regime */
#define DESC_PXNTABLE (1ull << 59)
#define DESC_UXNTABLE (1ull << 60)
#define DESC_APTABLE0 (1ull << 61)      /* no EL0 access below */
#define DESC_APTABLE1 (1ull << 62)      /* read-only below */
#define DESC_OA_MASK 0x0000fffffffff000ull

/* TCR_EL1 fields (D17.2.131). TCR_EL2 (without E2H) has T0SZ, TG0 and PS at the same places as
 * T0SZ, TG0 and bits 18:16. */
#define TCR_T0SZ_SHIFT 0
#define TCR_T1SZ_SHIFT 16
#define TCR_TXSZ_MASK 0x3full
#define TCR_EPD0 (1ull << 7)
#define TCR_EPD1 (1ull << 23)
#define TCR_TG0_SHIFT 14
#define TCR_TG1_SHIFT 30
#define TCR_TG_MASK 3ull
#define TCR_TG0_4K 0ull
#define TCR_TG1_4K 2ull
#define TCR_A1 (1ull << 22)
#define TCR_IPS_SHIFT 32
#define TCR_EL2_PS_SHIFT 16
#define TCR_PS_MASK 7ull
#define TCR_AS (1ull << 36)
#define TCR_TBI0 (1ull << 37)
#define TCR_TBI1 (1ull << 38)
#define TCR_EL2_TBI (1ull << 20)

#define SCTLR_M (1ull << 0)
#define SCTLR_WXN (1ull << 19)
#define TTBR_ASID_SHIFT 48
#define TTBR_BADDR_MASK 0x0000fffffffffffeull

/* Synchronous external abort on a translation table walk, + level (D17.2.37, DFSC 0b0101LL). */
#define ESR_FSC_SYNC_EXTERNAL_WALK_L0 0x14

#define MIN_TXSZ 16     /* 48-bit VA */
#define MAX_TXSZ 39     /* 25-bit VA: the smallest the 4 KiB granule allows here */
#define LEVEL_BITS 9
#define MMFR0_PARANGE_MASK 0xfull
#define MAIR_DEVICE_MASK 0xf0u  /* attribute 0b0000dd00: Device memory */

static const unsigned pa_bits_for[8] = { 32, 36, 40, 42, 44, 48, 52, 52 };

void a64_mmu_init(a64_mmu *mmu, int (*read_pte)(void *ctx, uint64_t pa, uint64_t *value), void *ctx)
{
    memset(mmu, 0, sizeof *mmu);
    mmu->read_pte = read_pte;
    mmu->ctx = ctx;
    a64_mmu_flush(mmu);
}

void a64_mmu_flush(a64_mmu *mmu)
{
    for (unsigned i = 0; i < A64_TLB_ENTRIES; i++)
        mmu->tlb[i].va_page = UINT64_MAX;
}

typedef struct regime {
    unsigned id;            /* 1: EL1&0, 2: EL2 */
    uint64_t sctlr, tcr, mair, ttbr;
    unsigned txsz;
    bool epd;
    unsigned tg;            /* the granule field as encoded for this TTBR */
    unsigned tg_4k;
    unsigned asid;
    unsigned pa_bits;
    bool upper;             /* TTBR1 */
} regime;

static unsigned clamp_txsz(unsigned txsz)
{
    return txsz < MIN_TXSZ ? MIN_TXSZ : txsz > MAX_TXSZ ? MAX_TXSZ : txsz;
}

static unsigned pa_bits(const a64_cpu *cpu, unsigned ps)
{
    unsigned implemented = pa_bits_for[cpu->sys.id_aa64mmfr0_el1 & MMFR0_PARANGE_MASK & 7];
    unsigned asked = pa_bits_for[ps & TCR_PS_MASK];
    return asked < implemented ? asked : implemented;
}

/* The regime and the TTBR this VA selects; false when the VA is outside both ranges. */
static bool select_regime(const a64_cpu *cpu, unsigned el, uint64_t va, bool fetch, regime *r)
{
    memset(r, 0, sizeof *r);
    if (el == 2) {
        r->id = 2;
        r->sctlr = cpu->sys.sctlr_el2;
        r->tcr = cpu->sys.tcr_el2;
        r->mair = cpu->sys.mair_el2;
        r->ttbr = cpu->sys.ttbr0_el2;
        r->txsz = clamp_txsz((unsigned)(r->tcr >> TCR_T0SZ_SHIFT & TCR_TXSZ_MASK));
        r->tg = (unsigned)(r->tcr >> TCR_TG0_SHIFT & TCR_TG_MASK);
        r->tg_4k = TCR_TG0_4K;
        r->pa_bits = pa_bits(cpu, (unsigned)(r->tcr >> TCR_EL2_PS_SHIFT));
        bool tbi = !fetch && (r->tcr & TCR_EL2_TBI);
        uint64_t top = tbi ? (va << 8) >> 8 : va;
        return (top >> (64 - r->txsz)) == 0;
    }
    r->id = 1;
    r->sctlr = cpu->sys.sctlr_el1;
    r->tcr = cpu->sys.tcr_el1;
    r->mair = cpu->sys.mair_el1;
    r->pa_bits = pa_bits(cpu, (unsigned)(r->tcr >> TCR_IPS_SHIFT));
    /* Bit 55 chooses the range; with TBI the top byte is ignored for data (D8.8). */
    r->upper = (va >> 55) & 1;
    bool tbi = !fetch && (r->tcr & (r->upper ? TCR_TBI1 : TCR_TBI0));
    r->ttbr = r->upper ? cpu->sys.ttbr1_el1 : cpu->sys.ttbr0_el1;
    r->txsz = clamp_txsz((unsigned)(r->tcr >> (r->upper ? TCR_T1SZ_SHIFT : TCR_T0SZ_SHIFT) & TCR_TXSZ_MASK));
    r->epd = (r->tcr & (r->upper ? TCR_EPD1 : TCR_EPD0)) != 0;
    r->tg = (unsigned)(r->tcr >> (r->upper ? TCR_TG1_SHIFT : TCR_TG0_SHIFT) & TCR_TG_MASK);
    r->tg_4k = r->upper ? TCR_TG1_4K : TCR_TG0_4K;
    uint64_t asid_ttbr = (r->tcr & TCR_A1) ? cpu->sys.ttbr1_el1 : cpu->sys.ttbr0_el1;
    r->asid = (unsigned)(asid_ttbr >> TTBR_ASID_SHIFT) & ((r->tcr & TCR_AS) ? 0xffffu : 0xffu);
    /* Bits [63:64-TxSZ] (or [55:64-TxSZ] under TBI) must all equal bit 55. */
    uint64_t checked = tbi ? (va << 8) >> 8 : va;
    uint64_t upper_bits = checked >> (64 - r->txsz);
    uint64_t want = r->upper ? (tbi ? (1ull << (r->txsz - 8)) - 1 : (1ull << r->txsz) - 1) : 0;
    return upper_bits == want;
}

static a64_mem_status fault_at(a64_mem_fault *fault, unsigned base_fsc, unsigned level, uint64_t va)
{
    fault->fsc = base_fsc + level;
    fault->far_valid = true;
    fault->far = va;
    return A64_MEM_FAULT;
}

/* What EL0 and EL1 may do with a leaf, from AP, the execute-never bits and the table controls (D8.4). */
static void leaf_permissions(const regime *r, uint64_t desc, uint64_t table_attrs, uint8_t *el0, uint8_t *el1)
{
    bool el0_access = (desc & DESC_AP1) && !(table_attrs & DESC_APTABLE0);
    bool read_only = (desc & DESC_AP2) || (table_attrs & DESC_APTABLE1);
    uint8_t p0 = 0, p1 = A64_PERM_R;
    if (r->id == 2) {
        /* The EL2 regime has one privilege level: AP[1] is RES1, XN is bit 54 (D8.4.1). */
        if (!read_only)
            p1 |= A64_PERM_W;
        if (!(desc & DESC_UXN) && !(table_attrs & DESC_UXNTABLE))
            p1 |= A64_PERM_X;
        if ((r->sctlr & SCTLR_WXN) && (p1 & A64_PERM_W))
            p1 &= (uint8_t)~A64_PERM_X;
        *el0 = 0;
        *el1 = p1;
        return;
    }
    if (!read_only)
        p1 |= A64_PERM_W;
    if (el0_access) {
        p0 = A64_PERM_R;
        if (!read_only)
            p0 |= A64_PERM_W;
    }
    if (!(desc & DESC_UXN) && !(table_attrs & DESC_UXNTABLE))
        p0 |= A64_PERM_X;
    /* EL1 never executes what it may not, nor what EL0 can write (D8.4.2, "privileged execute-never"). */
    if (!(desc & DESC_PXN) && !(table_attrs & DESC_PXNTABLE) && !(p0 & A64_PERM_W))
        p1 |= A64_PERM_X;
    if (r->sctlr & SCTLR_WXN) {
        if (p0 & A64_PERM_W)
            p0 &= (uint8_t)~A64_PERM_X;
        if (p1 & A64_PERM_W)
            p1 &= (uint8_t)~A64_PERM_X;
    }
    *el0 = p0;
    *el1 = p1;
}

static uint8_t needed(const a64_access *acc)
{
    switch (acc->kind) {
    case A64_ACC_FETCH: return A64_PERM_X;
    case A64_ACC_WRITE: return A64_PERM_W;
    default: return A64_PERM_R;
    }
}

static bool permitted(const a64_tlb_entry *e, const a64_access *acc)
{
    bool as_el0 = acc->el == 0 || (acc->flags & A64_ACC_UNPRIV);
    uint8_t perm = as_el0 && e->regime == 1 ? e->perm_el0 : e->perm_el1;
    return (perm & needed(acc)) == needed(acc);
}

static a64_tlb_entry *tlb_slot(a64_mmu *mmu, uint64_t va_page)
{
    return &mmu->tlb[va_page & (A64_TLB_ENTRIES - 1)];
}

/* The walk: fills *e for va, or reports the fault. */
static a64_mem_status walk(a64_mmu *mmu, const regime *r, uint64_t va, a64_tlb_entry *e, unsigned *leaf_level,
                           a64_mem_fault *fault)
{
    if (r->epd)
        return fault_at(fault, ESR_FSC_TRANSLATION_L0, 0, va);
    if (r->tg != r->tg_4k) {
        mmu->unsupported = "a translation granule other than 4 KiB (TCR_ELx.TG0/TG1)";
        return fault_at(fault, ESR_FSC_TRANSLATION_L0, 0, va);
    }
    const unsigned va_bits = 64 - r->txsz;
    unsigned level = 4 - (va_bits - A64_PAGE_SHIFT + LEVEL_BITS - 1) / LEVEL_BITS;
    uint64_t pa_limit_mask = ~((1ull << r->pa_bits) - 1);
    uint64_t table = r->ttbr & TTBR_BADDR_MASK & ~((1ull << A64_PAGE_SHIFT) - 1);
    if (table & pa_limit_mask)
        return fault_at(fault, ESR_FSC_ADDR_SIZE_L0, level, va);
    uint64_t table_attrs = 0;
    mmu->walks++;
    for (;; level++) {
        unsigned shift = A64_PAGE_SHIFT + LEVEL_BITS * (3 - level);
        uint64_t index = (va >> shift) & ((1ull << LEVEL_BITS) - 1);
        uint64_t desc;
        if (mmu->read_pte(mmu->ctx, table + 8 * index, &desc) != 0)
            return fault_at(fault, ESR_FSC_SYNC_EXTERNAL_WALK_L0, level, va);
        if (!(desc & DESC_VALID))
            return fault_at(fault, ESR_FSC_TRANSLATION_L0, level, va);
        bool table_desc = (desc & DESC_TABLE) && level < 3;
        if (table_desc) {
            table_attrs |= desc & (DESC_PXNTABLE | DESC_UXNTABLE | DESC_APTABLE0 | DESC_APTABLE1);
            table = desc & DESC_OA_MASK;
            if (table & pa_limit_mask)
                return fault_at(fault, ESR_FSC_ADDR_SIZE_L0, level, va);
            continue;
        }
        /* A block at level 0, or a "block" encoding at level 3, is reserved: translation fault. */
        if (level == 0 || (level == 3 && !(desc & DESC_TABLE)))
            return fault_at(fault, ESR_FSC_TRANSLATION_L0, level, va);
        uint64_t size_mask = (1ull << shift) - 1;
        uint64_t oa = (desc & DESC_OA_MASK & ~size_mask) | (va & size_mask);
        if (oa & pa_limit_mask)
            return fault_at(fault, ESR_FSC_ADDR_SIZE_L0, level, va);
        /* No hardware access-flag management is modelled (TCR.HA): AF = 0 faults (D8.4.7). */
        if (!(desc & DESC_AF))
            return fault_at(fault, ESR_FSC_ACCESS_FLAG_L0, level, va);
        unsigned attr_index = (unsigned)(desc >> DESC_ATTRINDX_SHIFT & DESC_ATTRINDX_MASK);
        unsigned attr = (unsigned)(r->mair >> (8 * attr_index)) & 0xffu;
        *e = (a64_tlb_entry){
            .va_page = va >> A64_PAGE_SHIFT,
            .pa_page = oa >> A64_PAGE_SHIFT,
            .block_mask = ~size_mask,
            .asid = (uint16_t)r->asid,
            .regime = (uint8_t)r->id,
            .global = r->id == 2 || !(desc & DESC_NG),
            .device = (attr & MAIR_DEVICE_MASK) == 0,
            .attr = (uint8_t)attr,
            .sh = (uint8_t)(desc >> DESC_SH_SHIFT & DESC_SH_MASK),
        };
        leaf_permissions(r, desc, table_attrs, &e->perm_el0, &e->perm_el1);
        *leaf_level = level;
        return A64_MEM_OK;
    }
}

/* Memory attributes of a translation, for PAR_EL1. */
typedef struct mem_attrs {
    uint8_t attr;           /* MAIR attribute byte */
    uint8_t sh;             /* SH[1:0] */
} mem_attrs;

/* With the stage-1 MMU off, data accesses are Device-nGnRnE, Outer Shareable (D8.2.10). */
#define ATTR_DEVICE_NGNRNE 0x00u
#define SH_OUTER 2u

static a64_mem_status translate(a64_mmu *mmu, const a64_cpu *cpu, const a64_access *acc, uint64_t *pa,
                                bool *device, mem_attrs *attrs, a64_mem_fault *fault)
{
    const bool fetch = acc->kind == A64_ACC_FETCH;
    const unsigned el = acc->el;
    const uint64_t sctlr = el == 2 ? cpu->sys.sctlr_el2 : cpu->sys.sctlr_el1;
    mmu->unsupported = NULL;
    if (!(sctlr & SCTLR_M)) {
        /* MMU off: flat, data is Device-nGnRnE, fetches Normal (D8.2.10). */
        unsigned bits = pa_bits(cpu, TCR_PS_MASK);
        if (acc->va >> bits)
            return fault_at(fault, ESR_FSC_ADDR_SIZE_L0, 0, acc->va);
        *pa = acc->va;
        *device = !fetch;
        *attrs = (mem_attrs){ ATTR_DEVICE_NGNRNE, SH_OUTER };
        return A64_MEM_OK;
    }
    regime r;
    if (!select_regime(cpu, el, acc->va, fetch, &r))
        return fault_at(fault, ESR_FSC_TRANSLATION_L0, 0, acc->va);
    /* The walk uses the VA without its tag byte when TBI applies; the TLB is keyed the same way. */
    uint64_t va = (r.id == 1 && !fetch && (r.tcr & (r.upper ? TCR_TBI1 : TCR_TBI0)))
                      ? (r.upper ? acc->va | (0xffull << 56) : acc->va & ~(0xffull << 56))
                      : acc->va;
    uint64_t va_page = va >> A64_PAGE_SHIFT;
    a64_tlb_entry *e = tlb_slot(mmu, va_page);
    unsigned level = 3;
    if (e->va_page == va_page && e->regime == r.id && (e->global || e->asid == r.asid)) {
        mmu->hits++;
    } else {
        a64_tlb_entry fresh;
        a64_mem_status st = walk(mmu, &r, va, &fresh, &level, fault);
        if (st != A64_MEM_OK)
            return st;
        *e = fresh;
    }
    if (!permitted(e, acc)) {
        /* The level of a permission fault is the leaf's; a cached entry re-walks to learn it. */
        a64_tlb_entry again;
        if (walk(mmu, &r, va, &again, &level, fault) != A64_MEM_OK)
            return A64_MEM_FAULT;
        return fault_at(fault, ESR_FSC_PERMISSION_L0, level, acc->va);
    }
    *pa = (e->pa_page << A64_PAGE_SHIFT) | (va & (A64_PAGE_SIZE - 1));
    *device = e->device;
    *attrs = (mem_attrs){ e->attr, e->sh };
    return A64_MEM_OK;
}

a64_mem_status a64_mmu_translate(a64_mmu *mmu, const a64_cpu *cpu, const a64_access *acc, uint64_t *pa,
                                 bool *device, a64_mem_fault *fault)
{
    mem_attrs attrs;
    return translate(mmu, cpu, acc, pa, device, &attrs, fault);
}

/* PAR_EL1, the 64-bit format an AArch64 AT writes (Arm ARM, PAR_EL1's register description). */
#define PAR_F (1ull << 0)
#define PAR_FST_SHIFT 1
#define PAR_FST_MASK 0x3full
#define PAR_SH_SHIFT 7
#define PAR_PTW (1ull << 8)
#define PAR_NS (1ull << 9)          /* UNKNOWN for a Non-secure regime: 1, as QEMU */
#define PAR_RES1 (1ull << 11)
#define PAR_PA_MASK 0x0000fffffffff000ull
#define PAR_ATTR_SHIFT 56
/* Normal memory Inner and Outer Non-cacheable: the MAIR byte 0b0100 0100. */
#define ATTR_NORMAL_NC 0x44u

uint64_t a64_mmu_at(a64_mmu *mmu, const a64_cpu *cpu, const a64_access *acc)
{
    uint64_t pa = 0;
    bool device = false;
    mem_attrs attrs = { 0, 0 };
    a64_mem_fault fault = { 0 };
    if (translate(mmu, cpu, acc, &pa, &device, &attrs, &fault) != A64_MEM_OK)
        return PAR_RES1 | ((fault.fsc & PAR_FST_MASK) << PAR_FST_SHIFT) | (fault.s1ptw ? PAR_PTW : 0) | PAR_F;
    /* Device and Normal Non-cacheable memory report Outer Shareable whatever the descriptor says. */
    unsigned sh = (device || attrs.attr == ATTR_NORMAL_NC) ? SH_OUTER : attrs.sh;
    return ((uint64_t)attrs.attr << PAR_ATTR_SHIFT) | (pa & PAR_PA_MASK) | PAR_RES1 | PAR_NS |
           ((uint64_t)sh << PAR_SH_SHIFT);
}

/* TLBI operand: VA[55:12] in bits 43:0, ASID in bits 63:48 (D7.7 "TLB maintenance instructions"). */
#define TLBI_VA_MASK 0x00000fffffffffffull
#define TLBI_ASID_SHIFT 48

void a64_mmu_tlbi(a64_mmu *mmu, const a64_cpu *cpu, const a64_sys_op *op)
{
    (void)cpu;
    const char *n = op->name;
    bool by_va = strstr(n, "VA") != NULL;
    bool all_asids = strstr(n, "VAA") != NULL || strstr(n, "VMALL") != NULL || strstr(n, "ALLE") != NULL;
    bool by_asid = strstr(n, "ASIDE") != NULL;
    /* Stage-2 and EL2/EL3 forms flush everything: safe, since this TLB holds stage-1 only. */
    bool stage1_el1 = strstr(n, "E1") != NULL && strstr(n, "IPAS2") == NULL;
    if (!stage1_el1 || (!by_va && !by_asid)) {
        a64_mmu_flush(mmu);
        return;
    }
    uint16_t asid = (uint16_t)(op->value >> TLBI_ASID_SHIFT);
    uint64_t va_page = op->value & TLBI_VA_MASK;
    /* The VA operand has bits 55:12; sign-extend from bit 55 (bit 43 of the operand). */
    if (va_page & (1ull << 43))
        va_page |= ~TLBI_VA_MASK;
    for (unsigned i = 0; i < A64_TLB_ENTRIES; i++) {
        a64_tlb_entry *e = &mmu->tlb[i];
        if (e->va_page == UINT64_MAX || e->regime != 1)
            continue;
        bool asid_match = all_asids || e->global ? all_asids || !by_asid : e->asid == asid;
        if (by_asid && !by_va) {
            if (!e->global && e->asid == asid)
                e->va_page = UINT64_MAX;
            continue;
        }
        uint64_t block = (e->va_page << A64_PAGE_SHIFT) & e->block_mask;
        bool va_match = block == ((va_page << A64_PAGE_SHIFT) & e->block_mask);
        /* By VA: non-global entries of that ASID, and global entries (VAE1 also drops them). */
        if (va_match && (all_asids || e->global || asid_match))
            e->va_page = UINT64_MAX;
    }
}
