/*
 * Four-level paging structures (SDM vol. 3, 4.5): PML4[0] -> PDPT[0] -> PD
 * for the identity map, PML4[511] -> PDPT_HI[510] -> the same PD for the
 * kernel alias.
 */
#include "entry/paging.h"

#include "lib/x86.h"

#define ENTRIES 512
#define PML4_INDEX(va) (((va) >> 39) & (ENTRIES - 1))
#define PDPT_INDEX(va) (((va) >> 30) & (ENTRIES - 1))

static uint64_t pml4[ENTRIES] __attribute__((aligned(4096)));
static uint64_t pdpt[ENTRIES] __attribute__((aligned(4096)));
static uint64_t pdpt_high[ENTRIES] __attribute__((aligned(4096)));
static uint64_t pd[ENTRIES] __attribute__((aligned(4096)));

/* From boot/link.ld: the end of everything the image occupies. */
extern char __bss_end[];

bool paging_init(void)
{
    if ((uint64_t)(uintptr_t)__bss_end > USER_REGION_END)
        return false;
    /* U/S must be 1 at every level for a user access to be allowed (4.6.1). */
    pml4[0] = (uint64_t)(uintptr_t)pdpt | X86_PTE_P | X86_PTE_RW | X86_PTE_US;
    pdpt[0] = (uint64_t)(uintptr_t)pd | X86_PTE_P | X86_PTE_RW | X86_PTE_US;
    for (unsigned i = 0; i < ENTRIES; i++)
        pd[i] = i * (uint64_t)LARGE_PAGE_SIZE | X86_PTE_P | X86_PTE_RW | X86_PTE_PS;
    pd[0] |= X86_PTE_US;
    /* U/S = 0 in the PML4 entry makes the whole alias supervisor-only. */
    pml4[PML4_INDEX(KERNEL_ALIAS_BASE)] = (uint64_t)(uintptr_t)pdpt_high | X86_PTE_P | X86_PTE_RW;
    pdpt_high[PDPT_INDEX(KERNEL_ALIAS_BASE)] = (uint64_t)(uintptr_t)pd | X86_PTE_P | X86_PTE_RW;
    x86_write_cr3((uint64_t)(uintptr_t)pml4);
    return true;
}

uint64_t paging_kernel_alias(uint64_t phys)
{
    return KERNEL_ALIAS_BASE + phys;
}

void paging_set_large_page(uint64_t address, uint64_t flags)
{
    unsigned i = (unsigned)(address / LARGE_PAGE_SIZE);
    pd[i] = i * (uint64_t)LARGE_PAGE_SIZE | flags | X86_PTE_PS;
    /* The kernel alias shares the PD: flush every translation, not one. */
    x86_write_cr3((uint64_t)(uintptr_t)pml4);
}
