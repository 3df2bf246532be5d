/*
 * The xAPIC page (SDM vol. 3, 11.4.1): 4 KiB at IA32_APIC_BASE[MAXPHYADDR-1:12],
 * present only while the APIC is enabled in xAPIC mode. Registers are
 * 32 bits wide on 16-byte boundaries; "all other accesses" are undefined
 * (11.4.1), and emu stops naming them rather than guess.
 */
#include "apic/lapic.h"

#include "core/machine.h"
#include "core/memory.h"
#include "cpu/x86/system.h"
#include "mmu/x86_paging.h"

#define XAPIC_REG_SHIFT 4
#define XAPIC_REG_ALIGN 0xfu
#define XAPIC_BASE_MASK (((1ull << X86_MAXPHYADDR) - 1) & ~0xfffull)

static int bad_access(lapic *l, const char *what, uint64_t offset, unsigned size)
{
    machine_stop(l->m, EMU_STOP_ERROR,
                 "local APIC: %u-byte %s at offset 0x%llx of the xAPIC page: only aligned 32-bit accesses "
                 "to a register's first dword are defined (SDM vol. 3, 11.4.1)",
                 size, what, (unsigned long long)offset);
    return -1;
}

static int mmio_read(emu_machine *m, void *ctx, uint64_t offset, unsigned size, uint64_t *val)
{
    lapic *l = ctx;
    if (size != 4 || (offset & XAPIC_REG_ALIGN))
        return bad_access(l, "read", offset, size);
    m->cycles += m->cost->xapic_mmio;
    if (lapic_reg_read(l, (unsigned)(offset >> XAPIC_REG_SHIFT), val) != 0) {
        *val = 0;
        lapic_error(l, LAPIC_ESR_ILLEGAL_REGISTER);
    }
    *val &= 0xffffffffu;
    return 0;
}

static int mmio_write(emu_machine *m, void *ctx, uint64_t offset, unsigned size, uint64_t val)
{
    lapic *l = ctx;
    if (size != 4 || (offset & XAPIC_REG_ALIGN))
        return bad_access(l, "write", offset, size);
    m->cycles += m->cost->xapic_mmio;
    if (lapic_reg_write(l, (unsigned)(offset >> XAPIC_REG_SHIFT), val & 0xffffffffu) != 0)
        lapic_error(l, LAPIC_ESR_ILLEGAL_REGISTER);
    return 0;
}

int lapic_mmio_init(lapic *l)
{
    if (machine_mmio_register(l->m, &l->mmio, "local APIC", X86_APIC_BASE_DEFAULT, LAPIC_MMIO_SIZE, mmio_read,
                              mmio_write, l) != 0)
        return -1;
    lapic_mmio_update(l);
    return 0;
}

void lapic_mmio_update(lapic *l)
{
    uint64_t base = l->cpu->msr.apic_base & XAPIC_BASE_MASK;
    bool mapped = lapic_current_mode(l) == LAPIC_MODE_XAPIC;
    if (mapped && mem_ram_ptr(l->m, base, 1))
        machine_stop(l->m, EMU_STOP_ERROR,
                     "IA32_APIC_BASE: an xAPIC page at 0x%llx inside RAM is not modelled (RAM would hide it)",
                     (unsigned long long)base);
    machine_mmio_map(&l->mmio, base, mapped);
}
