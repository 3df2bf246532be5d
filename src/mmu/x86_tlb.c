/*
 * The software TLB (x86_tlb.h): direct-mapped, 4 KiB granules, one array per
 * privilege class. An entry's host pointers stand for access checks already
 * passed, so an entry gets one only when the fast path may skip every check
 * and side effect for that kind of access:
 *   - the page is RAM (device pages always take the slow path);
 *   - the rights of all levels allow it at that privilege (4.6);
 *   - writes: the leaf's dirty flag is already set (4.8);
 *   - supervisor data accesses to user pages under CR4.SMAP depend on
 *     RFLAGS.AC, which STAC/CLAC/POPF change without a flush, so such pages
 *     get no data pointers in the supervisor array.
 *   - protection keys (4.6.2) count with the PKRU and IA32_PKRS values of
 *     the fill: a page whose key denies reads or writes gets no pointer for
 *     them. Keys change far less often than pages are touched, so every
 *     writer of those rights (WRPKRU, WRMSR IA32_PKRS, CR4.PKE/PKS) flushes
 *     instead (x86_pkeys.h), and the next access sees the new rights.
 *
 * INVLPG: an entry does not record the size of the page that mapped it, so
 * flushing one page drops every entry, in both arrays, whose linear address
 * lies in the same 1 GiB region (the largest page size): that covers any
 * 4 MiB, 2 MiB or 1 GiB page containing the address and may drop a few
 * translations that were still valid, which the SDM permits (4.10.4.1).
 *
 * Counters: the inline fast path (x86.h) is left uncounted to keep it
 * straight-line; hits counts lookups on the slow paths that found an entry,
 * misses those that had to walk.
 */
#include "mmu/x86_paging.h"

#include "core/machine.h"
#include "core/memory.h"

#define GIB_SHIFT 30

void x86_tlb_fill(x86_cpu *cpu, uint64_t lin, const x86_xlate *xl, bool user)
{
    uint64_t page = lin >> X86_PAGE_SHIFT;
    x86_tlb_entry *e = &cpu->tlb.entry[user][page & (X86_TLB_ENTRIES - 1)];
    uint8_t *host = mem_ram_ptr(cpu->machine, xl->page_pa, X86_PAGE_SIZE);
    bool smap_gated = !user && xl->paging && xl->user && (cpu->cr4 & X86_CR4_SMAP);
    /* Data breakpoints are checked on the slow path, so watched pages get no data pointers. */
    bool watched = cpu->dr_data_mask && x86_debug_watches_page(cpu, lin);

    e->tag = page;
    e->host_read = NULL;
    e->host_write = NULL;
    e->host_exec = NULL;
    if (!host)
        return;
    if (!smap_gated && !watched && x86_page_access_ok(cpu, xl, X86_ACC_READ, user))
        e->host_read = host;
    if (!smap_gated && !watched && xl->dirty && x86_page_access_ok(cpu, xl, X86_ACC_WRITE, user))
        e->host_write = host;
    if (x86_page_access_ok(cpu, xl, X86_ACC_EXEC, user))
        e->host_exec = host;
}

void x86_tlb_flush_all(x86_cpu *cpu)
{
    for (unsigned u = 0; u < 2; u++)
        for (unsigned i = 0; i < X86_TLB_ENTRIES; i++)
            cpu->tlb.entry[u][i].tag = X86_TLB_INVALID_TAG;
    cpu->fetch_page[0] = cpu->fetch_page[1] = X86_NO_FETCH_PAGE;
    cpu->tlb.flushes++;
}

void x86_tlb_flush_page(x86_cpu *cpu, uint64_t lin)
{
    uint64_t region = lin >> GIB_SHIFT;
    for (unsigned u = 0; u < 2; u++) {
        for (unsigned i = 0; i < X86_TLB_ENTRIES; i++) {
            x86_tlb_entry *e = &cpu->tlb.entry[u][i];
            if (e->tag != X86_TLB_INVALID_TAG &&
                (e->tag >> (GIB_SHIFT - X86_PAGE_SHIFT)) == region)
                e->tag = X86_TLB_INVALID_TAG;
        }
    }
    cpu->fetch_page[0] = cpu->fetch_page[1] = X86_NO_FETCH_PAGE;
    cpu->tlb.flushes++;
}
