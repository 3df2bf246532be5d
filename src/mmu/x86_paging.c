/*
 * The x86 page walk (SDM vol. 3, chapter 4): 32-bit paging (4.3, with PSE
 * 4 MiB pages and PSE-36), PAE paging (4.4) and 4-level paging (4.5, with
 * 1 GiB, 2 MiB and 4 KiB pages); paging off is the identity map.
 *
 * A walk first reads every entry it needs and checks present and reserved
 * bits level by level, then checks the access rights that all levels give
 * together (4.6), and only when the access is allowed writes the accessed
 * flags (every level used) and the dirty flag (the leaf, for writes) back
 * (4.8). A fault leaves the paging structures untouched. Protection keys
 * (4.6.2) are checked last, in x86_pkeys.c.
 *
 * PAE paging: hardware loads the four PDPTEs into registers at MOV CR3 (and
 * at the CR0/CR4 writes that enter PAE paging), checking them there (#GP,
 * system.c). ringside reads them from memory on every walk instead, so a
 * PDPT changed in memory takes effect without a CR3 reload; a reserved bit
 * found that way reports #PF with RSVD.
 */
#include "mmu/x86_paging.h"

#include "core/machine.h"
#include "core/memory.h"
#include "cpu/x86/cpu_features.h"
#include "mmu/x86_pkeys.h"

#define MAX_LEVELS 4

/* Physical-address bits M..51 of an entry are reserved (4.5, table 4-14 ff.). */
#define PHYS_RSVD (((1ull << 52) - 1) & ~((1ull << X86_MAXPHYADDR) - 1))
/* The frame address an entry holds: bits 51..12, less the reserved ones. */
#define ADDR_MASK_4K (((1ull << X86_MAXPHYADDR) - 1) & ~X86_PAGE_MASK)
/* Large-page entries: the PAT bit (12) and reserved bits below the frame. */
#define PDE_2M_RSVD  0x1fe000ull       /* bits 20:13 */
#define PDPTE_1G_RSVD 0x3fffe000ull    /* bits 29:13 */
/* 32-bit paging 4 MiB PDE: bit 21 reserved; bits 20:13 hold PA bits 39:32 (PSE-36). */
#define PDE_4M_RSVD_BIT21 (1ull << 21)
#define PDE_4M_HIGH_SHIFT 13
#define PDE_4M_HIGH_BITS  8

enum walk_result { WALK_OK, WALK_NOT_PRESENT, WALK_RESERVED, WALK_STOP };

/* One paging-structure entry the walk used. */
typedef struct walk_entry {
    uint64_t pa;
    uint64_t value;
    unsigned width;     /* 4 (32-bit paging) or 8 bytes */
    bool sets_a;        /* PAE PDPTEs have no accessed flag */
} walk_entry;

typedef struct walk {
    walk_entry e[MAX_LEVELS];
    unsigned n;
    bool probe;         /* no side effects: RAM only, never stop the machine */
} walk;

static enum walk_result read_entry(x86_cpu *cpu, walk *w, uint64_t pa, unsigned width,
                                   bool sets_a, uint64_t *value)
{
    emu_machine *m = cpu->machine;
    uint8_t *p = mem_ram_ptr(m, pa, width);
    if (p) {
        *value = x86_load_le(p, width);
    } else if (w->probe) {
        return WALK_STOP;
    } else if (mem_phys_read(m, pa, width, value) < 0) {
        return WALK_STOP;
    }
    w->e[w->n++] = (walk_entry){ .pa = pa, .value = *value, .width = width, .sets_a = sets_a };
    return WALK_OK;
}

static uint64_t nx_rsvd(const x86_cpu *cpu)
{
    return (cpu->efer & X86_EFER_NXE) ? 0 : X86_PTE_XD;
}

/* Accumulate the rights of one non-leaf or leaf entry (4.6: all levels combine). */
static void combine(x86_xlate *xl, uint64_t e, bool nx_in_force)
{
    xl->user &= (e & X86_PTE_US) != 0;
    xl->writable &= (e & X86_PTE_RW) != 0;
    if (nx_in_force && (e & X86_PTE_XD))
        xl->executable = false;
}

static void finish(x86_xlate *xl, uint64_t lin, uint64_t frame, unsigned shift, uint64_t leaf)
{
    uint64_t offset_mask = (1ull << shift) - 1;
    xl->page_shift = shift;
    xl->pa = (frame & ~offset_mask) | (lin & offset_mask);
    xl->page_pa = xl->pa & ~X86_PAGE_MASK;
    xl->dirty = (leaf & X86_PTE_D) != 0;
    xl->pkey = (uint8_t)((leaf >> X86_PTE_PKEY_SHIFT) & X86_PTE_PKEY_MASK);
}

/* 32-bit paging (4.3): CR3 -> PDE -> (4 MiB page | PTE -> 4 KiB page). */
static enum walk_result walk32(x86_cpu *cpu, walk *w, uint64_t lin, x86_xlate *xl)
{
    uint64_t pde, pte;
    uint64_t pde_pa = (cpu->cr3 & 0xfffff000ull) | (((lin >> 22) & 0x3ff) << 2);
    enum walk_result r = read_entry(cpu, w, pde_pa, 4, true, &pde);
    if (r != WALK_OK)
        return r;
    if (!(pde & X86_PTE_P))
        return WALK_NOT_PRESENT;
    combine(xl, pde, false);
    if ((pde & X86_PTE_PS) && (cpu->cr4 & X86_CR4_PSE)) {
        unsigned high_bits = x86_cpu_has(&cpu->config, X86_FEAT_PSE36) ? PDE_4M_HIGH_BITS : 0;
        uint64_t high_mask = ((1ull << PDE_4M_HIGH_BITS) - 1) & ~((1ull << high_bits) - 1);
        if (pde & (PDE_4M_RSVD_BIT21 | (high_mask << PDE_4M_HIGH_SHIFT)))
            return WALK_RESERVED;
        uint64_t frame = (pde & 0xffc00000ull) |
                         (((pde >> PDE_4M_HIGH_SHIFT) & ((1ull << PDE_4M_HIGH_BITS) - 1)) << 32);
        finish(xl, lin, frame, 22, pde);
        return WALK_OK;
    }
    uint64_t pte_pa = (pde & 0xfffff000ull) | (((lin >> 12) & 0x3ff) << 2);
    r = read_entry(cpu, w, pte_pa, 4, true, &pte);
    if (r != WALK_OK)
        return r;
    if (!(pte & X86_PTE_P))
        return WALK_NOT_PRESENT;
    combine(xl, pte, false);
    finish(xl, lin, pte & 0xfffff000ull, 12, pte);
    return WALK_OK;
}

/*
 * The levels PAE and 4-level paging share: the entry at table base + index,
 * its present and reserved checks. Returns the entry in *e.
 */
static enum walk_result walk_level(x86_cpu *cpu, walk *w, uint64_t table, uint64_t lin,
                                   unsigned shift, uint64_t *e)
{
    uint64_t pa = (table & ADDR_MASK_4K) | (((lin >> shift) & 0x1ff) << 3);
    enum walk_result r = read_entry(cpu, w, pa, 8, true, e);
    if (r != WALK_OK)
        return r;
    if (!(*e & X86_PTE_P))
        return WALK_NOT_PRESENT;
    return WALK_OK;
}

/* From a page-directory-pointer table entry's table downwards (PD, PT). */
static enum walk_result walk_pd(x86_cpu *cpu, walk *w, uint64_t pd, uint64_t lin, x86_xlate *xl)
{
    uint64_t rsvd = PHYS_RSVD | nx_rsvd(cpu);
    uint64_t pde, pte;
    enum walk_result r = walk_level(cpu, w, pd, lin, 21, &pde);
    if (r != WALK_OK)
        return r;
    if (pde & X86_PTE_PS) {
        if (pde & (rsvd | PDE_2M_RSVD))
            return WALK_RESERVED;
        combine(xl, pde, true);
        finish(xl, lin, pde & ADDR_MASK_4K, 21, pde);
        return WALK_OK;
    }
    if (pde & rsvd)
        return WALK_RESERVED;
    combine(xl, pde, true);
    r = walk_level(cpu, w, pde, lin, 12, &pte);
    if (r != WALK_OK)
        return r;
    if (pte & rsvd)
        return WALK_RESERVED;
    combine(xl, pte, true);
    finish(xl, lin, pte & ADDR_MASK_4K, 12, pte);
    return WALK_OK;
}

/* PAE paging (4.4): CR3 -> PDPTE (no rights, no A flag) -> PD -> PT. */
static enum walk_result walk_pae(x86_cpu *cpu, walk *w, uint64_t lin, x86_xlate *xl)
{
    uint64_t pdpte;
    uint64_t pa = (cpu->cr3 & 0xffffffe0ull) | (((lin >> 30) & 3) << 3);
    enum walk_result r = read_entry(cpu, w, pa, 8, false, &pdpte);
    if (r != WALK_OK)
        return r;
    if (!(pdpte & X86_PTE_P))
        return WALK_NOT_PRESENT;
    if (pdpte & X86_PAE_PDPTE_RSVD)
        return WALK_RESERVED;
    return walk_pd(cpu, w, pdpte, lin, xl);
}

/* 4-level paging (4.5): CR3 -> PML4E -> PDPTE (1 GiB) -> PDE (2 MiB) -> PTE. */
static enum walk_result walk64(x86_cpu *cpu, walk *w, uint64_t lin, x86_xlate *xl)
{
    uint64_t rsvd = PHYS_RSVD | nx_rsvd(cpu);
    uint64_t pml4e, pdpte;
    enum walk_result r = walk_level(cpu, w, cpu->cr3, lin, 39, &pml4e);
    if (r != WALK_OK)
        return r;
    if (pml4e & (rsvd | X86_PTE_PS))
        return WALK_RESERVED;
    combine(xl, pml4e, true);
    r = walk_level(cpu, w, pml4e, lin, 30, &pdpte);
    if (r != WALK_OK)
        return r;
    if (pdpte & X86_PTE_PS) {
        /* Without 1 GiB page support PS is a reserved bit here (4.5.4). */
        if (!x86_cpu_has(&cpu->config, X86_FEAT_PDPE1GB) || (pdpte & (rsvd | PDPTE_1G_RSVD)))
            return WALK_RESERVED;
        combine(xl, pdpte, true);
        finish(xl, lin, pdpte & ADDR_MASK_4K, 30, pdpte);
        return WALK_OK;
    }
    if (pdpte & rsvd)
        return WALK_RESERVED;
    combine(xl, pdpte, true);
    return walk_pd(cpu, w, pdpte, lin, xl);
}

static inline enum walk_result do_walk(x86_cpu *cpu, walk *w, uint64_t lin, x86_xlate *xl)
{
    *xl = (x86_xlate){ .user = true, .writable = true, .executable = true,
                       .paging = (cpu->cr0 & X86_CR0_PG) != 0 };
    w->n = 0;
    if (!xl->paging) {
        finish(xl, lin, lin, X86_PAGE_SHIFT, X86_PTE_D);
        return WALK_OK;
    }
    if (cpu->efer & X86_EFER_LMA)
        return walk64(cpu, w, lin, xl);
    if (cpu->cr4 & X86_CR4_PAE)
        return walk_pae(cpu, w, lin, xl);
    return walk32(cpu, w, lin, xl);
}

/* The rights U/S, R/W, XD, SMEP, SMAP and CR0.WP give (4.6.1), keys aside. */
static bool rights_ok(const x86_cpu *cpu, const x86_xlate *xl, x86_access acc, bool user)
{
    if (!xl->paging)
        return true;
    bool write = acc == X86_ACC_WRITE || acc == X86_ACC_RMW;
    if (acc == X86_ACC_EXEC) {
        if (!xl->executable)
            return false;
        if (user)
            return xl->user;
        /* SMEP: no supervisor-mode fetch from a user-mode page (4.6.1). */
        return !(xl->user && (cpu->cr4 & X86_CR4_SMEP));
    }
    if (user)
        return xl->user && (!write || xl->writable);
    /* SMAP: AC permits supervisor data accesses to user pages, but not at CPL 3,
     * where only implicit supervisor accesses occur and AC is ignored (4.6.1). */
    if (xl->user && (cpu->cr4 & X86_CR4_SMAP) &&
        (cpu->cpl == 3 || !(cpu->rflags & X86_FLAG_AC)))
        return false;
    return !write || xl->writable || !(cpu->cr0 & X86_CR0_WP);
}

bool x86_page_access_ok(const x86_cpu *cpu, const x86_xlate *xl, x86_access acc, bool user)
{
    return rights_ok(cpu, xl, acc, user) && !x86_pkey_denies(cpu, xl, acc, user);
}

/* Write the accessed flags (and the leaf's dirty flag for writes) back (4.8). */
static x86_status set_accessed_dirty(x86_cpu *cpu, const walk *w, bool write)
{
    for (unsigned i = 0; i < w->n; i++) {
        const walk_entry *e = &w->e[i];
        uint64_t want = e->value;
        if (e->sets_a)
            want |= X86_PTE_A;
        if (write && i == w->n - 1)
            want |= X86_PTE_D;
        if (want == e->value)
            continue;
        if (mem_phys_write(cpu->machine, e->pa, e->width, want) < 0)
            return X86_STOP;
    }
    return X86_OK;
}

static uint32_t pf_error_code(const x86_cpu *cpu, x86_access acc, bool user)
{
    uint32_t err = 0;
    if (acc == X86_ACC_WRITE || acc == X86_ACC_RMW)
        err |= X86_PF_W;
    if (user)
        err |= X86_PF_U;
    /* I/D is reported only when SMEP or (PAE/4-level and NXE) is in force (4.7). */
    if (acc == X86_ACC_EXEC &&
        ((cpu->cr4 & X86_CR4_SMEP) ||
         ((cpu->cr4 & X86_CR4_PAE) && (cpu->efer & X86_EFER_NXE))))
        err |= X86_PF_I;
    return err;
}

x86_status x86_page_translate(x86_cpu *cpu, uint64_t lin, x86_access acc, bool user,
                              x86_xlate *out)
{
    walk w;     /* not zeroed: do_walk fills the entries it uses and counts them in n */
    w.probe = false;
    enum walk_result r = do_walk(cpu, &w, lin, out);
    emu_machine *m = cpu->machine;
    m->cycles += (uint64_t)w.n * m->cost->page_walk_level;
    switch (r) {
    case WALK_STOP:
        return X86_STOP;
    case WALK_NOT_PRESENT:
        return x86_raise_pf(cpu, lin, pf_error_code(cpu, acc, user));
    case WALK_RESERVED:
        return x86_raise_pf(cpu, lin, pf_error_code(cpu, acc, user) | X86_PF_P | X86_PF_RSVD);
    case WALK_OK:
        break;
    }
    /* PK reports a key's denial whether or not another right also failed (4.7). */
    bool key_denies = x86_pkey_denies(cpu, out, acc, user);
    if (!rights_ok(cpu, out, acc, user) || key_denies)
        return x86_raise_pf(cpu, lin, pf_error_code(cpu, acc, user) | X86_PF_P |
                                          (key_denies ? X86_PF_PK : 0));
    bool write = acc == X86_ACC_WRITE || acc == X86_ACC_RMW;
    if (out->paging) {
        x86_status st = set_accessed_dirty(cpu, &w, write);
        if (st != X86_OK)
            return st;
        out->dirty |= write;
    }
    return X86_OK;
}

int x86_page_probe(x86_cpu *cpu, uint64_t lin, x86_xlate *out)
{
    walk w = { .probe = true };
    return do_walk(cpu, &w, lin, out) == WALK_OK ? 0 : -1;
}
