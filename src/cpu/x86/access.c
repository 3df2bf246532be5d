/*
 * Guest memory as an instruction sees it: segmentation (SDM vol. 3, 3.4 and
 * 5.3: base, limit, type; 64-bit mode: FS/GS bases and canonical addresses),
 * the alignment check (vol. 3, 6.15 #AC), and the linear slow path that
 * translates through the TLB and the page walker, splits page-crossing
 * accesses, and sends non-RAM physical addresses to the device maps.
 *
 * Validate, then commit: an access that spans two pages translates both
 * before it reads or writes a byte, so a #PF on the second page leaves
 * memory as it was.
 */
#include "core/machine.h"
#include "core/memory.h"
#include "mmu/x86_paging.h"

#define LIN32_MASK 0xffffffffull
#define SEG_LIMIT_16 0xffffull
#define SEG_LIMIT_32 0xffffffffull
#define SEG_TYPE_CODE       0x8     /* S=1 descriptors: code (1) or data (0) */
#define SEG_TYPE_EXPAND_DN  0x4     /* data: expand-down */
#define SEG_TYPE_WRITABLE   0x2     /* data: writable */
#define SEG_TYPE_READABLE   0x2     /* code: readable */

/* A physical destination for one page's part of an access. */
typedef struct phys_ref {
    uint64_t pa;
    uint8_t *host;      /* RAM: host pointer to pa; NULL: a device address */
} phys_ref;

static x86_status seg_fault(x86_cpu *cpu, unsigned sreg)
{
    return x86_raise_error(cpu, sreg == X86_SS ? X86_VEC_SS : X86_VEC_GP, 0);
}

/* Protected-mode segment checks (SDM vol. 3, 5.3 limit, 5.4 type). */
static x86_status seg_check(x86_cpu *cpu, unsigned sreg, uint64_t offset, unsigned size,
                            x86_access acc)
{
    const x86_segment *s = &cpu->seg[sreg];
    unsigned type = s->attr & X86_SEG_ATTR_TYPE_MASK;
    uint64_t last = offset + size - 1;
    bool protected_mode = cpu->mode != X86_MODE_REAL;

    if (protected_mode && sreg != X86_CS) {
        /* A null selector leaves the register unusable (3.4.2). */
        if (!(s->attr & X86_SEG_ATTR_P))
            return seg_fault(cpu, sreg);
    }
    if (protected_mode && acc != X86_ACC_EXEC) {
        bool write = acc == X86_ACC_WRITE || acc == X86_ACC_RMW;
        if (type & SEG_TYPE_CODE) {
            if (write || !(type & SEG_TYPE_READABLE))
                return seg_fault(cpu, sreg);
        } else if (write && !(type & SEG_TYPE_WRITABLE)) {
            return seg_fault(cpu, sreg);
        }
    }
    if (!(type & SEG_TYPE_CODE) && (type & SEG_TYPE_EXPAND_DN) && protected_mode) {
        /* Expand-down: valid offsets lie above the limit, up to 64 KiB or 4 GiB (5.3). */
        uint64_t upper = (s->attr & X86_SEG_ATTR_DB) ? SEG_LIMIT_32 : SEG_LIMIT_16;
        if (offset <= s->limit || last > upper)
            return seg_fault(cpu, sreg);
    } else if (last > s->limit || last < offset) {
        return seg_fault(cpu, sreg);
    }
    return X86_OK;
}

/*
 * Alignment the #AC check requires of a plain access of this size (SDM vol. 3,
 * 6.15, table 6-7 "Alignment Requirements by Data Type"): word 2, doubleword
 * 4, quadword 8. Operands that are not one integer (far pointers, the
 * SGDT/SIDT image) give their own through x86_seg_linear_aligned; 16-byte
 * operands are the instruction's to check (#GP, not #AC).
 */
static unsigned ac_alignment(unsigned size)
{
    switch (size) {
    case 2: return 2;
    case 4: return 4;
    case 8: return 8;
    default: return 1;
    }
}

static bool is_user_access(const x86_cpu *cpu)
{
    return cpu->cpl == 3;
}

static uint64_t lin_wrap(const x86_cpu *cpu, uint64_t lin)
{
    return (cpu->efer & X86_EFER_LMA) ? lin : (lin & LIN32_MASK);
}

/* The TLB pointer that lets an access of kind acc skip the walk. */
static uint8_t *tlb_host(const x86_tlb_entry *e, x86_access acc)
{
    switch (acc) {
    case X86_ACC_READ: return e->host_read;
    case X86_ACC_EXEC: return e->host_exec;
    case X86_ACC_WRITE:
    case X86_ACC_RMW: return e->host_write;
    }
    return NULL;
}

/* Translate lin for one page's part (len bytes, not crossing the page). */
static x86_status xlate(x86_cpu *cpu, uint64_t lin, unsigned len, x86_access acc, bool user,
                        phys_ref *ref)
{
    uint64_t off = lin & X86_PAGE_MASK;
    const x86_tlb_entry *e = x86_tlb_lookup(&cpu->tlb, user, lin);
    if (e) {
        uint8_t *host = tlb_host(e, acc);
        if (host) {
            cpu->tlb.hits++;
            ref->pa = (uint64_t)(host - cpu->machine->ram) + off;   /* cached pages are all RAM */
            ref->host = host + off;
            return X86_OK;
        }
    }
    cpu->tlb.misses++;
    x86_xlate xl;
    x86_status st = x86_page_translate(cpu, lin, acc, user, &xl);
    if (st != X86_OK)
        return st;
    x86_tlb_fill(cpu, lin, &xl, user);
    ref->pa = xl.pa;
    ref->host = mem_ram_ptr(cpu->machine, xl.pa, len);
    return X86_OK;
}

/* Where an alignment check applies, a #PF of the same access outranks #AC (6.9). */
static x86_status alignment_fault(x86_cpu *cpu, uint64_t lin, unsigned size, x86_access acc)
{
    uint64_t last = lin_wrap(cpu, lin + size - 1);
    phys_ref ref;
    x86_status st = xlate(cpu, lin, 1, acc, true, &ref);
    if (st == X86_OK)
        st = xlate(cpu, last, 1, acc, true, &ref);
    if (st != X86_OK)
        return st;
    return x86_raise_error(cpu, X86_VEC_AC, 0);
}

/*
 * #AC: CR0.AM, RFLAGS.AC and CPL 3 on a misaligned data access (6.15). Only
 * accesses through the segment unit come here; the supervisor-mode accesses
 * an instruction makes at CPL 3 (descriptor tables, the TSS, the IDT) use
 * x86_sys_read_buf and friends and are never alignment-checked.
 */
static bool alignment_checked(const x86_cpu *cpu, x86_access acc)
{
    return (cpu->cr0 & X86_CR0_AM) && (cpu->rflags & X86_FLAG_AC) && cpu->cpl == 3 && acc != X86_ACC_EXEC;
}

x86_status x86_seg_linear_aligned(x86_cpu *cpu, unsigned sreg, uint64_t offset, unsigned size,
                                  x86_access acc, unsigned align, uint64_t *lin)
{
    const x86_segment *s = &cpu->seg[sreg];
    uint64_t addr;
    if (x86_long64(cpu)) {
        /* 64-bit mode: only FS and GS bases apply, no limits (3.2.4). */
        addr = offset;
        if (sreg == X86_FS || sreg == X86_GS)
            addr += s->base;
        if (!x86_canonical(addr) || !x86_canonical(addr + size - 1))
            return seg_fault(cpu, sreg);
    } else {
        x86_status st = seg_check(cpu, sreg, offset, size, acc);
        if (st != X86_OK)
            return st;
        addr = (s->base + offset) & LIN32_MASK;
    }
    if (X86_UNLIKELY(alignment_checked(cpu, acc) && (addr & (align - 1)) != 0))
        return alignment_fault(cpu, addr, size, acc);
    *lin = addr;
    return X86_OK;
}

x86_status x86_seg_linear(x86_cpu *cpu, unsigned sreg, uint64_t offset, unsigned size,
                          x86_access acc, uint64_t *lin)
{
    return x86_seg_linear_aligned(cpu, sreg, offset, size, acc, ac_alignment(size), lin);
}

x86_status x86_seg_read_slow(x86_cpu *cpu, unsigned sreg, uint64_t offset, unsigned size,
                        uint64_t *val)
{
    uint64_t lin = 0;
    x86_status st = x86_seg_linear(cpu, sreg, offset, size, X86_ACC_READ, &lin);
    if (st != X86_OK)
        return st;
    return x86_lin_read(cpu, lin, size, val);
}

x86_status x86_seg_write_slow(x86_cpu *cpu, unsigned sreg, uint64_t offset, unsigned size,
                         uint64_t val)
{
    uint64_t lin = 0;
    x86_status st = x86_seg_linear(cpu, sreg, offset, size, X86_ACC_WRITE, &lin);
    if (st != X86_OK)
        return st;
    return x86_lin_write(cpu, lin, size, val);
}

/* Read len bytes of one page's part from RAM or, byte by byte, from devices. */
static x86_status phys_read_part(x86_cpu *cpu, const phys_ref *ref, uint8_t *dst, unsigned len)
{
    if (ref->host) {
        memcpy(dst, ref->host, len);
        return X86_OK;
    }
    if (len == 1 || len == 2 || len == 4 || len == 8) {
        uint64_t v;
        if (mem_phys_read(cpu->machine, ref->pa, len, &v) < 0)
            return X86_STOP;
        x86_store_le(dst, len, v);
        return X86_OK;
    }
    for (unsigned i = 0; i < len; i++) {
        uint64_t v;
        if (mem_phys_read(cpu->machine, ref->pa + i, 1, &v) < 0)
            return X86_STOP;
        dst[i] = (uint8_t)v;
    }
    return X86_OK;
}

static x86_status phys_write_part(x86_cpu *cpu, const phys_ref *ref, const uint8_t *src,
                                  unsigned len)
{
    if (ref->host) {
        memcpy(ref->host, src, len);
        return X86_OK;
    }
    if (len == 1 || len == 2 || len == 4 || len == 8)
        return mem_phys_write(cpu->machine, ref->pa, len, x86_load_le(src, len)) < 0 ? X86_STOP
                                                                                    : X86_OK;
    for (unsigned i = 0; i < len; i++)
        if (mem_phys_write(cpu->machine, ref->pa + i, 1, src[i]) < 0)
            return X86_STOP;
    return X86_OK;
}

/* Translate every page of [lin, lin+len) for acc, touching no data. */
static x86_status lin_check(x86_cpu *cpu, uint64_t lin, unsigned len, x86_access acc, bool user)
{
    while (len) {
        lin = lin_wrap(cpu, lin);
        unsigned part = (unsigned)(X86_PAGE_SIZE - (lin & X86_PAGE_MASK));
        if (part > len)
            part = len;
        phys_ref ref;
        x86_status st = xlate(cpu, lin, part, acc, user, &ref);
        if (st != X86_OK)
            return st;
        lin += part;
        len -= part;
    }
    return X86_OK;
}

/*
 * Read len bytes at lin: each page's part is translated and read in turn
 * (a fault on a later page leaves nothing changed but accessed flags, as on
 * hardware).
 */
static x86_status lin_read(x86_cpu *cpu, uint64_t lin, uint8_t *buf, unsigned len,
                           x86_access acc, bool user)
{
    while (len) {
        lin = lin_wrap(cpu, lin);
        unsigned part = (unsigned)(X86_PAGE_SIZE - (lin & X86_PAGE_MASK));
        if (part > len)
            part = len;
        phys_ref ref;
        x86_status st = xlate(cpu, lin, part, acc, user, &ref);
        if (st == X86_OK)
            st = phys_read_part(cpu, &ref, buf, part);
        if (st != X86_OK)
            return st;
        if (X86_UNLIKELY(cpu->dr_data_mask) && acc != X86_ACC_EXEC)
            x86_debug_data_access(cpu, lin, part, false);
        lin += part;
        buf += part;
        len -= part;
    }
    return X86_OK;
}

/* Write len bytes at lin: every page is translated for writing before any byte is written. */
static x86_status lin_write(x86_cpu *cpu, uint64_t lin, const uint8_t *buf, unsigned len,
                            bool user)
{
    x86_status checked = lin_check(cpu, lin, len, X86_ACC_WRITE, user);
    if (checked != X86_OK)
        return checked;
    /* Commit: the translations above all succeeded, so these cannot fault. */
    while (len) {
        lin = lin_wrap(cpu, lin);
        unsigned part = (unsigned)(X86_PAGE_SIZE - (lin & X86_PAGE_MASK));
        if (part > len)
            part = len;
        phys_ref ref;
        x86_status st = xlate(cpu, lin, part, X86_ACC_WRITE, user, &ref);
        if (st == X86_OK)
            st = phys_write_part(cpu, &ref, buf, part);
        if (st != X86_OK)
            return st;
        if (X86_UNLIKELY(cpu->dr_data_mask))
            x86_debug_data_access(cpu, lin, part, true);
        lin += part;
        buf += part;
        len -= part;
    }
    return X86_OK;
}

x86_status x86_lin_check(x86_cpu *cpu, uint64_t lin, unsigned len, x86_access acc)
{
    return lin_check(cpu, lin, len, acc, is_user_access(cpu));
}

x86_status x86_lin_read_slow(x86_cpu *cpu, uint64_t lin, unsigned size, uint64_t *val,
                             x86_access acc)
{
    uint8_t bytes[8];
    x86_status st = lin_read(cpu, lin, bytes, size, acc, is_user_access(cpu));
    if (st != X86_OK)
        return st;
    *val = x86_load_le(bytes, size);
    return X86_OK;
}

x86_status x86_lin_write_slow(x86_cpu *cpu, uint64_t lin, unsigned size, uint64_t val)
{
    uint8_t bytes[8];
    x86_store_le(bytes, size, val);
    return lin_write(cpu, lin, bytes, size, is_user_access(cpu));
}

x86_status x86_lin_read_buf(x86_cpu *cpu, uint64_t lin, void *buf, unsigned len, x86_access acc)
{
    return lin_read(cpu, lin, buf, len, acc, is_user_access(cpu));
}

x86_status x86_lin_write_buf(x86_cpu *cpu, uint64_t lin, const void *buf, unsigned len)
{
    return lin_write(cpu, lin, buf, len, is_user_access(cpu));
}

/*
 * Host pointer for len bytes at lin when one cached translation covers them
 * all (no page crossing, no 32-bit wrap), else NULL and the caller walks.
 * Delivery reads gates and descriptors and writes frames this way.
 */
static uint8_t *cached_range(x86_cpu *cpu, uint64_t lin, unsigned len, bool user, bool write)
{
    if ((lin & X86_PAGE_MASK) + len > X86_PAGE_SIZE || (!(cpu->efer & X86_EFER_LMA) && lin + len > LIN32_MASK))
        return NULL;
    const x86_tlb_entry *e = x86_tlb_lookup(&cpu->tlb, user, lin);
    uint8_t *host = e ? (write ? e->host_write : e->host_read) : NULL;
    return host ? host + (lin & X86_PAGE_MASK) : NULL;
}

x86_status x86_lin_write_buf_as(x86_cpu *cpu, uint64_t lin, const void *buf, unsigned len, bool user)
{
    uint8_t *host = cached_range(cpu, lin, len, user, true);
    if (host) {
        memcpy(host, buf, len);
        return X86_OK;
    }
    return lin_write(cpu, lin, buf, len, user);
}

x86_status x86_sys_read_buf(x86_cpu *cpu, uint64_t lin, void *buf, unsigned len)
{
    const uint8_t *host = cached_range(cpu, lin, len, false, false);
    if (host) {
        memcpy(buf, host, len);
        return X86_OK;
    }
    return lin_read(cpu, lin, buf, len, X86_ACC_READ, false);
}

x86_status x86_sys_write_buf(x86_cpu *cpu, uint64_t lin, const void *buf, unsigned len)
{
    return lin_write(cpu, lin, buf, len, false);
}

x86_status x86_fetch_ptr(x86_cpu *cpu, uint64_t lin, const uint8_t **ptr, unsigned *avail)
{
    /* A fetch from a non-canonical address is #GP(0) (SDM vol. 3, 6.15, interrupt 13): such a RIP
     * can only be reached by instructions that do not check it, like AMD's SYSRET. */
    if ((cpu->efer & X86_EFER_LMA) && !x86_canonical(lin))
        return x86_gp0(cpu);
    bool user = is_user_access(cpu);
    uint64_t off = lin & X86_PAGE_MASK;
    const x86_tlb_entry *e = x86_tlb_lookup(&cpu->tlb, user, lin);
    if (X86_LIKELY(e && e->host_exec)) {
        cpu->tlb.hits++;
        *ptr = e->host_exec + off;
        *avail = (unsigned)(X86_PAGE_SIZE - off);
        return X86_OK;
    }
    cpu->tlb.misses++;
    x86_xlate xl;
    x86_status st = x86_page_translate(cpu, lin, X86_ACC_EXEC, user, &xl);
    if (st != X86_OK)
        return st;
    x86_tlb_fill(cpu, lin, &xl, user);
    emu_machine *m = cpu->machine;
    uint8_t *host = mem_ram_ptr(m, xl.pa, 1);
    if (!host) {
        machine_stop(m, EMU_STOP_ERROR,
                     "instruction fetch at 0x%llx from physical address 0x%llx, which is not RAM",
                     (unsigned long long)lin, (unsigned long long)xl.pa);
        return X86_STOP;
    }
    uint64_t in_page = X86_PAGE_SIZE - off;
    uint64_t in_ram = m->ram_size - xl.pa;
    *ptr = host;
    *avail = (unsigned)(in_page < in_ram ? in_page : in_ram);
    return X86_OK;
}

int x86_translate_debug(x86_cpu *cpu, uint64_t lin, uint64_t *pa)
{
    x86_xlate xl;
    if (x86_page_probe(cpu, lin, &xl) < 0)
        return -1;
    *pa = xl.pa;
    return 0;
}
