/* Four-level paging structures (SDM vol. 3, 4.5): PML4[0] -> PDPT[0] -> PD. */
#include "traps/paging.h"

#include <stdint.h>

#include "traps/x86.h"

#define ENTRIES 512
#define LARGE_PAGE 0x200000ull

static uint64_t pml4[ENTRIES] __attribute__((aligned(4096)));
static uint64_t pdpt[ENTRIES] __attribute__((aligned(4096)));
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
        pd[i] = i * LARGE_PAGE | X86_PTE_P | X86_PTE_RW | X86_PTE_PS;
    pd[0] |= X86_PTE_US;
    x86_write_cr3((uint64_t)(uintptr_t)pml4);
    return true;
}
