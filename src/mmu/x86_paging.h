/*
 * x86 linear-to-physical translation (SDM vol. 3, chapter 4): the page walk
 * for 32-bit, PAE and 4-level paging, the access-rights check of 4.6, the
 * TLB fill, and implicit supervisor-mode accesses (descriptor tables, TSS).
 *
 * MAXPHYADDR is 40 for every CPU model ringside offers: that is what QEMU's
 * TCG reports for them (phys-bits=40), and CPUID.80000008H:EAX[7:0] says the
 * same (docs/cpu-models.md).
 */
#ifndef EMU_MMU_X86_PAGING_H
#define EMU_MMU_X86_PAGING_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/x86/x86.h"

#define X86_MAXPHYADDR 40
#define X86_LINEAR_BITS 48

/* Page-table entry bits (SDM vol. 3, tables 4-4 to 4-20). */
#define X86_PTE_P    (1ull << 0)
#define X86_PTE_RW   (1ull << 1)
#define X86_PTE_US   (1ull << 2)
#define X86_PTE_PWT  (1ull << 3)
#define X86_PTE_PCD  (1ull << 4)
#define X86_PTE_A    (1ull << 5)
#define X86_PTE_D    (1ull << 6)
#define X86_PTE_PS   (1ull << 7)
#define X86_PTE_G    (1ull << 8)
#define X86_PTE_XD   (1ull << 63)

/* PAE PDPTE: bits 2:1, 8:5 and 63:MAXPHYADDR are reserved (4.4.1, table 4-8). */
#define X86_PAE_PDPTE_RSVD (0x1e6ull | (~0ull << X86_MAXPHYADDR))

/* The result of a successful translation. */
typedef struct x86_xlate {
    uint64_t pa;            /* physical address of the linear address */
    uint64_t page_pa;       /* physical address of its 4 KiB frame */
    unsigned page_shift;    /* size of the mapping page: 12, 21, 22 or 30 */
    bool user;              /* U/S = 1 at every level (a user-mode page) */
    bool writable;          /* R/W = 1 at every level */
    bool executable;        /* XD = 0 at every level (or XD not in force) */
    bool dirty;             /* D of the leaf after this access's update */
    uint8_t pkey;           /* the leaf's protection key, bits 62:59 (IA-32e paging, 4.6.2) */
    bool paging;            /* CR0.PG: false means the identity map */
} x86_xlate;

/*
 * Translate lin for an access of kind acc by a user-mode (user = true) or
 * supervisor-mode access: walk, check reserved bits and rights, set A (and D
 * for writes) once the access is known to be allowed, and add the walk's
 * cost. On a violation raises #PF (x86_raise_pf) and returns X86_FAULT;
 * X86_STOP if a paging structure lies where nothing backs it.
 */
X86_MUST_CHECK x86_status x86_page_translate(x86_cpu *cpu, uint64_t lin, x86_access acc,
                                             bool user, x86_xlate *out);

/* Walk without side effects (no A/D writes, no cost, no fault): 0 ok, -1 not mapped. */
int x86_page_probe(x86_cpu *cpu, uint64_t lin, x86_xlate *out);

/*
 * Is an access of kind acc allowed on a translated page (SDM vol. 3, 4.6),
 * protection keys included (4.6.2, x86_pkeys.h)? Implicit supervisor-mode
 * accesses need no flag of their own: under SMAP they honour RFLAGS.AC only
 * below CPL 3, as explicit ones do.
 */
bool x86_page_access_ok(const x86_cpu *cpu, const x86_xlate *xl, x86_access acc, bool user);

/* Cache xl for lin in the TLB of the given privilege class (x86_tlb.c). */
void x86_tlb_fill(x86_cpu *cpu, uint64_t lin, const x86_xlate *xl, bool user);

/*
 * Implicit supervisor-mode accesses (SDM vol. 3, 4.6: descriptor tables and
 * the TSS are accessed with supervisor rights whatever the CPL).
 */
X86_MUST_CHECK x86_status x86_sys_read_buf(x86_cpu *cpu, uint64_t lin, void *buf, unsigned len);
X86_MUST_CHECK x86_status x86_sys_write_buf(x86_cpu *cpu, uint64_t lin, const void *buf,
                                            unsigned len);

/*
 * Translate every page of [lin, lin+len) for an access of kind acc at the
 * current privilege without reading or writing it: the fault an access
 * would raise, raised before a side effect that cannot be undone (INS reads
 * the port only once its destination is known to be writable).
 */
X86_MUST_CHECK x86_status x86_lin_check(x86_cpu *cpu, uint64_t lin, unsigned len, x86_access acc);

/* A 64-bit address is canonical when bits 63..47 all equal bit 47 (SDM vol. 1, 3.3.7.1). */
static inline bool x86_canonical(uint64_t addr)
{
    return (uint64_t)((int64_t)(addr << (64 - X86_LINEAR_BITS)) >> (64 - X86_LINEAR_BITS)) == addr;
}

#endif
