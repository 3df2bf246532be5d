/*
 * The firmware's own page tables, replacing the boot map, whose entries are
 * supervisor-only: the first GiB identity-mapped with 2 MiB pages, of which
 * the first 2 MiB (the whole image: code, data, stacks) are user-accessible
 * so ring 3 can run there and the rest stays supervisor-only; and the same
 * GiB again at KERNEL_ALIAS_BASE, supervisor-only, where the kernel reaches
 * its per-CPU area at a negative address (entry/percpu.h).
 */
#ifndef FW_ENTRY_PAGING_H
#define FW_ENTRY_PAGING_H

#define LARGE_PAGE_SIZE      0x200000
#define USER_REGION_END      0x200000    /* end of the U=1 2 MiB page */
#define SUPERVISOR_PAGE      0x200000    /* first supervisor-only page */
#define UNMAPPED_ADDRESS     0x40000000000 /* PML4 entry 8: not present */
#define KERNEL_ALIAS_BASE    0xffffffff80000000 /* PML4 entry 511, PDPT entry 510 */

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stdint.h>

/* Build the tables and load CR3; false if the image does not fit the user page. */
bool paging_init(void);

/* The kernel alias of a physical address in the first GiB. */
uint64_t paging_kernel_alias(uint64_t phys);

/* Replace the identity-mapped 2 MiB page at ADDRESS by one with FLAGS (X86_PTE_*). */
void paging_set_large_page(uint64_t address, uint64_t flags);
#endif

#endif
