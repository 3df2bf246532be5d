/*
 * The AArch64 stage-1 MMU for the EL1&0 translation regime (and EL2's own,
 * single-range regime): 4 KiB granule, TTBR0/TTBR1 chosen by the VA's top
 * bits against TCR_EL1.T0SZ/T1SZ, block and page descriptors, AP[2:1],
 * UXN/PXN with the hierarchical table controls, the access flag, ASIDs from
 * TTBR[63:48] (TCR_EL1.A1) with nG, and a TLB that TLBI empties (Arm ARM
 * D8 "The AArch64 Virtual Memory System Architecture").
 */
#ifndef EMU_MMU_ARM64_MMU_H
#define EMU_MMU_ARM64_MMU_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/arm64/a64.h"

#define A64_PAGE_SHIFT 12
#define A64_PAGE_SIZE (1ull << A64_PAGE_SHIFT)
#define A64_TLB_ENTRIES 256

/* Permissions cached per entry, for each of EL0 and EL1 (or EL2 in its regime). */
#define A64_PERM_R 1u
#define A64_PERM_W 2u
#define A64_PERM_X 4u

typedef struct a64_tlb_entry {
    uint64_t va_page;       /* va >> 12; UINT64_MAX when empty */
    uint64_t pa_page;
    uint64_t block_mask;    /* ~(size of the block or page - 1): TLBI by VA drops the whole block */
    uint16_t asid;
    uint8_t regime;         /* 1: EL1&0, 2: EL2 */
    bool global;            /* nG = 0: matches every ASID */
    bool device;            /* MAIR says Device memory */
    uint8_t attr;           /* the MAIR_ELx attribute byte AttrIndx selects */
    uint8_t sh;             /* the descriptor's SH[1:0] */
    uint8_t perm_el0, perm_el1;
} a64_tlb_entry;

typedef struct a64_mmu {
    a64_tlb_entry tlb[A64_TLB_ENTRIES];
    /* Read one 8-byte translation table entry at a physical address: 0, or -1 if nothing backs it. */
    int (*read_pte)(void *ctx, uint64_t pa, uint64_t *value);
    void *ctx;
    uint64_t walks, hits;
    const char *unsupported;    /* set when a walk met a configuration emu does not model */
} a64_mmu;

void a64_mmu_init(a64_mmu *mmu, int (*read_pte)(void *ctx, uint64_t pa, uint64_t *value), void *ctx);

/* Drop every cached translation. */
void a64_mmu_flush(a64_mmu *mmu);

/*
 * Translate acc->va for the access. A64_MEM_OK with *pa and *device; or
 * A64_MEM_FAULT with fault->fsc (translation/access flag/permission/address
 * size fault with its level, or a synchronous external abort on the walk).
 * When mmu->unsupported is set on return, the fault stands for a stop.
 */
a64_mem_status a64_mmu_translate(a64_mmu *mmu, const a64_cpu *cpu, const a64_access *acc, uint64_t *pa,
                                 bool *device, a64_mem_fault *fault);

/*
 * AT S1E0R/W, S1E1R/W, S1E2R/W (Arm ARM C5.5, "A64 System instructions for
 * address translation"): translate acc->va for a read or write at acc->el
 * as the access would, touching no memory, and return what PAR_EL1 then
 * holds (its register description): PA, memory attribute and shareability,
 * or F = 1 with the fault status code. A fault is a result, not an exception.
 */
uint64_t a64_mmu_at(a64_mmu *mmu, const a64_cpu *cpu, const a64_access *acc);

/* TLBI: drop what the operation names (all, by ASID, by VA, by VA for all ASIDs). */
void a64_mmu_tlbi(a64_mmu *mmu, const a64_cpu *cpu, const a64_sys_op *op);

#endif
