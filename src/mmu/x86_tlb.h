/*
 * The x86 translation cache. Each entry caches one 4 KiB linear page's
 * translation for one privilege class (supervisor or user accesses), with
 * host pointers for the access kinds that the page permits without further
 * checks or side effects: host_write is set only when the walk found the page
 * writable and its dirty bit already set, so a fast-path write never skips a
 * dirty-bit update. Filled by the page walker, emptied by CR3 writes, INVLPG
 * and paging-mode changes (SDM vol. 3, 4.10.4).
 */
#ifndef EMU_MMU_X86_TLB_H
#define EMU_MMU_X86_TLB_H

#include <stdint.h>
#include <stddef.h>

#define X86_PAGE_SHIFT 12
#define X86_PAGE_SIZE  (1ull << X86_PAGE_SHIFT)
#define X86_PAGE_MASK  (X86_PAGE_SIZE - 1)
#define X86_TLB_ENTRIES 512
#define X86_TLB_INVALID_TAG UINT64_MAX

typedef struct x86_tlb_entry {
    uint64_t tag;           /* linear page number (lin >> 12), or X86_TLB_INVALID_TAG */
    uint8_t *host_read;     /* RAM page readable at this privilege, else NULL */
    uint8_t *host_write;    /* RAM page writable with D already set, else NULL */
    uint8_t *host_exec;     /* RAM page executable at this privilege, else NULL */
} x86_tlb_entry;                /* 32 bytes: the slot index scales by a shift */

typedef struct x86_tlb {
    x86_tlb_entry entry[2][X86_TLB_ENTRIES];   /* [0]: CPL 0-2, [1]: CPL 3 */
    uint64_t hits, misses, flushes;            /* statistics for bench and explain */
} x86_tlb;

static inline const x86_tlb_entry *x86_tlb_lookup(const x86_tlb *tlb, int user, uint64_t lin)
{
    uint64_t page = lin >> X86_PAGE_SHIFT;
    const x86_tlb_entry *e = &tlb->entry[user][page & (X86_TLB_ENTRIES - 1)];
    return e->tag == page ? e : NULL;
}

#endif
