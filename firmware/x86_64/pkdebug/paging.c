/*
 * pkdebug's page tables (SDM vol. 3, 4.5): the first GiB identity-mapped
 * with 2 MiB pages, the first of them user-accessible (the image), and the
 * second 2 MiB through 4 KiB pages, four of which carry protection keys and
 * map the frames at PAGE_FRAMES (paging.h lists them).
 */
#include "pkdebug/paging.h"

#include <stdint.h>

#include "lib/x86.h"

#define ENTRIES 512
#define LARGE_PAGE 0x200000ull
#define SMALL_PAGE 0x1000ull
#define PTE_PKEY_SHIFT 59

static uint64_t pml4[ENTRIES] __attribute__((aligned(4096)));
static uint64_t pdpt[ENTRIES] __attribute__((aligned(4096)));
static uint64_t pd[ENTRIES] __attribute__((aligned(4096)));
static uint64_t pt[ENTRIES] __attribute__((aligned(4096)));

extern char __bss_end[];

static uint64_t key(uint64_t k)
{
    return k << PTE_PKEY_SHIFT;
}

bool paging_init(void)
{
    if ((uint64_t)(uintptr_t)__bss_end > KEYED_REGION)
        return false;
    pml4[0] = (uint64_t)(uintptr_t)pdpt | X86_PTE_P | X86_PTE_RW | X86_PTE_US;
    pdpt[0] = (uint64_t)(uintptr_t)pd | X86_PTE_P | X86_PTE_RW | X86_PTE_US;
    for (unsigned i = 0; i < ENTRIES; i++)
        pd[i] = i * LARGE_PAGE | X86_PTE_P | X86_PTE_RW | X86_PTE_PS;
    pd[0] |= X86_PTE_US;
    pd[1] = (uint64_t)(uintptr_t)pt | X86_PTE_P | X86_PTE_RW | X86_PTE_US;
    for (unsigned i = 0; i < ENTRIES; i++)
        pt[i] = (KEYED_REGION + i * SMALL_PAGE) | X86_PTE_P | X86_PTE_RW;
    pt[0] = PAGE_FRAMES | X86_PTE_P | X86_PTE_RW | X86_PTE_US | key(USER_KEY);
    pt[1] = (PAGE_FRAMES + SMALL_PAGE) | X86_PTE_P | X86_PTE_RW | key(SUPERVISOR_KEY);
    pt[2] = (PAGE_FRAMES + 2 * SMALL_PAGE) | X86_PTE_P | X86_PTE_US | key(USER_KEY);
    pt[3] = (PAGE_FRAMES + 3 * SMALL_PAGE) | X86_PTE_P | X86_PTE_RW | X86_PTE_US | key(USER_KEY);
    x86_write_cr3((uint64_t)(uintptr_t)pml4);
    return true;
}
