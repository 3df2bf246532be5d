/*
 * The firmware's own identity map of the first GiB (2 MiB pages), replacing
 * the boot map, whose entries are supervisor-only. The first 2 MiB, holding
 * the whole image (code, data, stacks), are user-accessible so ring 3 can
 * run there; the rest stays supervisor-only.
 */
#ifndef FW_TRAPS_PAGING_H
#define FW_TRAPS_PAGING_H

#define USER_REGION_END      0x200000    /* end of the U=1 2 MiB page */
#define SUPERVISOR_PAGE      0x200000    /* first supervisor-only page */
#define UNMAPPED_ADDRESS     0x40000000000 /* PML4 entry 8: not present */

#ifndef __ASSEMBLER__
#include <stdbool.h>

/* Build the tables and load CR3; false if the image does not fit the user page. */
bool paging_init(void);
#endif

#endif
