/*
 * The identity map (Arm ARM D8, 4 KiB granule, 39-bit VAs from level 1):
 * the first GiB as Device-nGnRnE (the GIC and the PL011), and the first
 * 2 MiB of RAM in 4 KiB pages: the firmware's own pages for EL1 only, the
 * EL0 program's code read-only and executable at EL0, its data read-write
 * at EL0 and never executable. Everything else, UNMAPPED_DATA and
 * UNMAPPED_CODE included, has no translation.
 */
#include "exceptions/exceptions.h"
#include "lib/sysreg.h"

#define PTE_VALID (1ull << 0)
#define PTE_TABLE (1ull << 1)           /* levels 0-2: next-level table; level 3: a page */
#define PTE_PAGE (1ull << 1)
#define PTE_ATTR(i) ((uint64_t)(i) << 2)
#define PTE_AP_EL0 (1ull << 6)          /* AP[1]: EL0 access */
#define PTE_AP_RO (1ull << 7)           /* AP[2]: read-only */
#define PTE_SH_INNER (3ull << 8)
#define PTE_AF (1ull << 10)
#define PTE_PXN (1ull << 53)
#define PTE_UXN (1ull << 54)

#define MAIR_DEVICE_IDX 0               /* Device-nGnRnE */
#define MAIR_NORMAL_IDX 1               /* Normal, write-back */
#define MAIR_VALUE 0xff00ull

#define TCR_T0SZ_39 25ull
#define TCR_IRGN0_WB (1ull << 8)
#define TCR_ORGN0_WB (1ull << 10)
#define TCR_SH0_INNER (3ull << 12)
#define TCR_EPD1 (1ull << 23)           /* no TTBR1 walks */
#define TCR_IPS_36 (1ull << 32)

#define SCTLR_M (1ull << 0)
#define SCTLR_C (1ull << 2)
#define SCTLR_SA (1ull << 3)
#define SCTLR_SA0 (1ull << 4)
#define SCTLR_I (1ull << 12)
#define SCTLR_RES1 0x30d00800ull        /* nTWI, nTWE, UCI, UCT stay 0: WFI and cache ops trap at EL0 */

#define RAM_BASE 0x40000000ull
#define PAGE 0x1000ull

static uint64_t l1[512] __attribute__((aligned(4096)));
static uint64_t l2[512] __attribute__((aligned(4096)));
static uint64_t l3[512] __attribute__((aligned(4096)));

extern uint8_t __el0_text_start[], __el0_text_end[], __el0_data_start[], __el0_data_end[], __image_end[];

static void map_range(uint64_t start, uint64_t end, uint64_t flags)
{
    for (uint64_t pa = start & ~(PAGE - 1); pa < end; pa += PAGE)
        l3[(pa - RAM_BASE) / PAGE] = pa | flags | PTE_VALID | PTE_PAGE | PTE_AF | PTE_SH_INNER |
                                     PTE_ATTR(MAIR_NORMAL_IDX);
}

void mmu_enable(void)
{
    l1[0] = 0x0 | PTE_VALID | PTE_AF | PTE_ATTR(MAIR_DEVICE_IDX) | PTE_PXN | PTE_UXN;   /* 1 GiB block */
    l1[1] = (uint64_t)(uintptr_t)l2 | PTE_VALID | PTE_TABLE;
    l2[0] = (uint64_t)(uintptr_t)l3 | PTE_VALID | PTE_TABLE;
    uint64_t el0_text = (uint64_t)(uintptr_t)__el0_text_start, el0_data = (uint64_t)(uintptr_t)__el0_data_start;
    map_range(RAM_BASE, el0_text, PTE_UXN);                                   /* the DTB and firmware: EL1 */
    map_range(el0_text, (uint64_t)(uintptr_t)__el0_text_end, PTE_AP_EL0 | PTE_AP_RO | PTE_PXN);
    map_range(el0_data, (uint64_t)(uintptr_t)__el0_data_end, PTE_AP_EL0 | PTE_PXN | PTE_UXN);
    map_range((uint64_t)(uintptr_t)__el0_data_end, (uint64_t)(uintptr_t)__image_end, PTE_UXN);
    dsb_sy();
    write_sysreg(mair_el1, MAIR_VALUE);
    write_sysreg(tcr_el1, TCR_T0SZ_39 | TCR_IRGN0_WB | TCR_ORGN0_WB | TCR_SH0_INNER | TCR_EPD1 | TCR_IPS_36);
    write_sysreg(ttbr0_el1, (uint64_t)(uintptr_t)l1);
    isb();
    __asm__ volatile("tlbi vmalle1\n\tdsb nsh" : : : "memory");
    write_sysreg(sctlr_el1, SCTLR_RES1 | SCTLR_M | SCTLR_C | SCTLR_I | SCTLR_SA | SCTLR_SA0);
    isb();
}
