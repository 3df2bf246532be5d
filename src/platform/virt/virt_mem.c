/*
 * The CPU's memory callback on the virt machine. Every access is translated
 * (a64_mmu_translate), checked against the Device-memory alignment rule, and
 * routed to RAM or a device; a physical address nothing backs is a
 * synchronous external abort (FSC 0x10), as on hardware and QEMU.
 */
#include "platform/virt/virt_mem.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "core/memory.h"
#include "platform/virt/virt_machine.h"
#include "platform/virt/virt_map.h"

/* Host pointer to [pa, pa + len) in RAM, or NULL. */
static uint8_t *ram_at(emu_machine *m, uint64_t pa, uint64_t len)
{
    return mem_ram_ptr(m, pa, len);
}

int virt_read_pte(void *ctx, uint64_t pa, uint64_t *value)
{
    uint8_t *p = ram_at(ctx, pa, 8);
    if (!p)
        return -1;
    memcpy(value, p, 8);
    return 0;
}

static uint64_t le_value(const uint8_t *b, unsigned size)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)b[i] << (8 * i);
    return v;
}

static void le_store(uint8_t *b, unsigned size, uint64_t v)
{
    for (unsigned i = 0; i < size; i++)
        b[i] = (uint8_t)(v >> (8 * i));
}

static a64_mem_status external_abort(const a64_access *acc, a64_mem_fault *fault)
{
    fault->fsc = ESR_FSC_SYNC_EXTERNAL;
    fault->far_valid = true;
    fault->far = acc->va;
    return A64_MEM_FAULT;
}

/*
 * Feed the PL011's receive FIFO from the input file when the guest reads UARTDR or UARTFR and the
 * FIFO has room: one byte per read, blocking, as the pc machine's COM1 does, so a run depends on the input's
 * bytes and never on when they arrive.
 */
#define PL011_UARTDR 0x00
#define PL011_UARTFR 0x18

static void uart_fill_rx(virt_machine *v)
{
    if (v->input_fd < 0 || v->input_eof || !pl011_can_receive(&v->dev.uart))
        return;
    uint8_t byte;
    ssize_t n;
    do {
        n = read(v->input_fd, &byte, 1);
    } while (n < 0 && errno == EINTR);
    if (n == 1)
        pl011_receive(&v->dev.uart, byte);
    else
        v->input_eof = true;
}

static a64_mem_status mmio_access(emu_machine *m, const a64_access *acc, uint64_t pa, uint8_t *data,
                                  a64_mem_fault *fault)
{
    virt_platform *dev = &m->virt->dev;
    if (acc->kind == A64_ACC_FETCH || (acc->size != 1 && acc->size != 2 && acc->size != 4 && acc->size != 8))
        return external_abort(acc, fault);
    /* A device access may raise a GIC output: the run loop looks at the next boundary (a64_batch). */
    machine_attention(m);
    virt_mmio_status st;
    if (acc->kind == A64_ACC_WRITE) {
        st = virt_mmio_write(dev, pa, acc->size, le_value(data, acc->size));
    } else {
        uint64_t val = 0;
        if (pa == VIRT_UART_BASE + PL011_UARTDR || pa == VIRT_UART_BASE + PL011_UARTFR)
            uart_fill_rx(m->virt);
        st = virt_mmio_read(dev, pa, acc->size, &val);
        le_store(data, acc->size, val);
    }
    if (st == VIRT_MMIO_UNMAPPED)
        return external_abort(acc, fault);     /* nothing at that address, as QEMU */
    if (st == VIRT_MMIO_UNMODELLED) {
        char where[96];
        virt_mmio_describe(dev, pa, where, sizeof where);
        machine_stop(m, EMU_STOP_ERROR, "%u-byte %s of %s at pc 0x%llx: not modelled", acc->size,
                     acc->kind == A64_ACC_WRITE ? "write" : "read", where, (unsigned long long)m->virt->cpu.pc);
    }
    return A64_MEM_OK;
}

/* Translate one access that stays within a page. */
static a64_mem_status translate(emu_machine *m, const a64_access *acc, uint64_t *pa, bool *device,
                                a64_mem_fault *fault)
{
    virt_machine *v = m->virt;
    a64_mem_status st = a64_mmu_translate(&v->mmu, &v->cpu, acc, pa, device, fault);
    if (st != A64_MEM_OK && v->mmu.unsupported)
        machine_stop(m, EMU_STOP_ERROR, "translation of 0x%llx at pc 0x%llx: %s is not modelled",
                     (unsigned long long)acc->va, (unsigned long long)v->cpu.pc, v->mmu.unsupported);
    return st;
}

/* The translation controls of the regime an access at `el` uses: the fetch cache's key. */
static void regime_controls(const a64_cpu *cpu, unsigned el, uint64_t out[4])
{
    if (el == 2) {
        out[0] = cpu->sys.sctlr_el2, out[1] = cpu->sys.tcr_el2, out[2] = cpu->sys.ttbr0_el2, out[3] = 0;
    } else {
        out[0] = cpu->sys.sctlr_el1, out[1] = cpu->sys.tcr_el1, out[2] = cpu->sys.ttbr0_el1;
        out[3] = cpu->sys.ttbr1_el1;
    }
}

/* Accesses the page cache serves: plain loads, stores and fetches (not exclusives, atomics, DC ZVA
 * or cache maintenance, which keep their own checks). */
#define PAGE_CACHE_FLAGS_OK (A64_ACC_UNPRIV | A64_ACC_ACQUIRE | A64_ACC_RELEASE | A64_ACC_SIMD)

static struct virt_page_cache *cache_for(virt_machine *v, const a64_access *acc)
{
    return &v->page_cache[acc->kind];
}

static bool cache_hit(const struct virt_page_cache *c, const a64_cpu *cpu, const a64_access *acc)
{
    if (!c->valid || c->el != acc->el || c->va_page != (acc->va >> A64_PAGE_SHIFT) ||
        c->flags != (acc->flags & A64_ACC_UNPRIV))
        return false;
    uint64_t r[4];
    regime_controls(cpu, acc->el, r);
    return r[0] == c->sctlr && r[1] == c->tcr && r[2] == c->ttbr0 && r[3] == c->ttbr1;
}

static void cache_fill(struct virt_page_cache *c, const a64_cpu *cpu, const a64_access *acc, uint8_t *host_page,
                       bool device)
{
    uint64_t r[4];
    regime_controls(cpu, acc->el, r);
    *c = (struct virt_page_cache){ .valid = true, .device = device, .el = (uint8_t)acc->el,
                                   .flags = acc->flags & A64_ACC_UNPRIV, .va_page = acc->va >> A64_PAGE_SHIFT,
                                   .host = host_page, .sctlr = r[0], .tcr = r[1], .ttbr0 = r[2], .ttbr1 = r[3] };
}

/* Copy an access's bytes; the common sizes as fixed-size copies the compiler inlines. */
static void copy_sized(void *dst, const void *src, unsigned size)
{
    switch (size) {
    case 1: memcpy(dst, src, 1); break;
    case 2: memcpy(dst, src, 2); break;
    case 4: memcpy(dst, src, 4); break;
    case 8: memcpy(dst, src, 8); break;
    default: memcpy(dst, src, size); break;
    }
}

static bool device_unaligned(const a64_access *acc)
{
    return (acc->va & (acc->size - 1)) != 0 || (acc->flags & A64_ACC_DC_ZVA);
}

static a64_mem_status alignment_fault(const a64_access *acc, a64_mem_fault *fault)
{
    fault->fsc = ESR_FSC_ALIGNMENT;
    fault->far_valid = true;
    fault->far = acc->va;
    return A64_MEM_FAULT;
}

/* Hand the CPU the RAM page just used, for its own fast path (which leaves unaligned data accesses to
 * Device memory to this callback), unless the access was unprivileged (checked as EL0's). The hints
 * are cleared with this page cache (virt_fetch_flush). */
static void set_hint(emu_machine *m, const a64_access *acc, uint8_t *host_page, bool device)
{
    if (acc->flags & A64_ACC_UNPRIV)
        return;
    /* The CPU uses any byte of the page: only a page RAM backs whole (RAM ending inside it does not). */
    uint64_t off = (uint64_t)((uintptr_t)host_page - (uintptr_t)m->ram);     /* below RAM wraps to huge */
    if (m->ram_size < A64_PAGE_SIZE || off > m->ram_size - A64_PAGE_SIZE)
        return;
    a64_set_page_hint(&m->virt->cpu, acc->kind, acc->el, acc->va, host_page, device);
}

a64_mem_status virt_access(void *ctx, const a64_access *acc, void *data, a64_mem_fault *fault)
{
    emu_machine *m = ctx;
    virt_machine *v = m->virt;
    uint64_t page_off = acc->va & (A64_PAGE_SIZE - 1);
    uint64_t in_page = A64_PAGE_SIZE - page_off;
    uint64_t pa;
    bool device = false;
    bool cacheable = acc->size <= in_page && !(acc->flags & ~PAGE_CACHE_FLAGS_OK);
    struct virt_page_cache *c = cache_for(v, acc);
    if (cacheable && cache_hit(c, &v->cpu, acc)) {
        /* Any unaligned data access to Device memory is an Alignment fault (Arm ARM B2.5.2). */
        if (c->device && acc->kind != A64_ACC_FETCH && device_unaligned(acc))
            return alignment_fault(acc, fault);
        if (acc->kind == A64_ACC_WRITE)
            copy_sized(c->host + page_off, data, acc->size);
        else
            copy_sized(data, c->host + page_off, acc->size);
        set_hint(m, acc, c->host, c->device);
        return A64_MEM_OK;
    }
    if (acc->size <= in_page) {
        if (translate(m, acc, &pa, &device, fault) != A64_MEM_OK)
            return A64_MEM_FAULT;
        /* Any unaligned data access to Device memory is an Alignment fault (Arm ARM B2.5.2), and DC ZVA
         * to Device memory is one too (C5.3.14); with the MMU off every data access is Device (D8.2.10). */
        if (device && acc->kind != A64_ACC_FETCH && device_unaligned(acc))
            return alignment_fault(acc, fault);
        if (acc->flags & A64_ACC_CACHE_MAINT)
            return ram_at(m, pa, 1) ? A64_MEM_OK : external_abort(acc, fault);
        uint8_t *p = ram_at(m, pa, acc->size);
        if (!p)
            return mmio_access(m, acc, pa, data, fault);
        if (cacheable) {
            cache_fill(c, &v->cpu, acc, p - page_off, device);
            set_hint(m, acc, p - page_off, device);
        }
        if (acc->kind == A64_ACC_WRITE)
            copy_sized(p, data, acc->size);
        else
            copy_sized(data, p, acc->size);
        return A64_MEM_OK;
    }
    /* An unaligned access across a page boundary: translate both halves before touching either, so a
     * fault on the second leaves the first unwritten. Only Normal RAM can get here: Device memory
     * would have taken the alignment fault. */
    a64_access lo = *acc, hi = *acc;
    lo.size = (unsigned)in_page;
    hi.va = acc->va + in_page;
    hi.size = acc->size - (unsigned)in_page;
    uint64_t pa_hi;
    bool dev_hi = false;
    if (translate(m, &lo, &pa, &device, fault) != A64_MEM_OK)
        return A64_MEM_FAULT;
    if (device && acc->kind != A64_ACC_FETCH)
        return alignment_fault(acc, fault);
    if (translate(m, &hi, &pa_hi, &dev_hi, fault) != A64_MEM_OK)
        return A64_MEM_FAULT;
    uint8_t *p_lo = ram_at(m, pa, lo.size), *p_hi = ram_at(m, pa_hi, hi.size);
    if (!p_lo)
        return external_abort(&lo, fault);
    if (!p_hi)
        return external_abort(&hi, fault);
    uint8_t *bytes = data;
    if (acc->kind == A64_ACC_WRITE) {
        memcpy(p_lo, bytes, lo.size);
        memcpy(p_hi, bytes + lo.size, hi.size);
    } else {
        memcpy(bytes, p_lo, lo.size);
        memcpy(bytes + lo.size, p_hi, hi.size);
    }
    return A64_MEM_OK;
}

int virt_translate_debug(emu_machine *m, uint64_t va, uint64_t *pa)
{
    virt_machine *v = m->virt;
    a64_access acc = { .va = va, .size = 1, .kind = A64_ACC_READ, .el = v->cpu.pstate.el ? v->cpu.pstate.el : 1 };
    a64_mem_fault fault = { 0 };
    bool device = false;
    const char *unsupported = v->mmu.unsupported;
    int r = a64_mmu_translate(&v->mmu, &v->cpu, &acc, pa, &device, &fault) == A64_MEM_OK ? 0 : -1;
    v->mmu.unsupported = unsupported;
    return r;
}

emu_err virt_copy_virt(emu_machine *m, uint64_t va, void *buf, size_t len, bool copy_out)
{
    uint8_t *b = buf;
    while (len) {
        uint64_t pa;
        if (virt_translate_debug(m, va, &pa) != 0)
            return EMU_ERR_BAD_ADDRESS;
        size_t chunk = A64_PAGE_SIZE - (va & (A64_PAGE_SIZE - 1));
        if (chunk > len)
            chunk = len;
        uint8_t *p = ram_at(m, pa, chunk);
        if (!p)
            return EMU_ERR_BAD_ADDRESS;
        if (copy_out)
            memcpy(b, p, chunk);
        else
            memcpy(p, b, chunk);
        va += chunk;
        b += chunk;
        len -= chunk;
    }
    return EMU_OK;
}
