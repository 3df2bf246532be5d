/*
 * Physical memory and port dispatch. RAM is one host buffer; devices are
 * reached through the platform's maps. Nothing else backs an address: an
 * access there stops the machine naming it, so a stray pointer in firmware is
 * a clear report rather than silently read zeros.
 */
#include "core/memory.h"

#include "platform/pc/pc.h"

int mem_phys_read(emu_machine *m, uint64_t pa, unsigned size, uint64_t *val)
{
    uint8_t *p = mem_ram_ptr(m, pa, size);
    if (p) {
        *val = x86_load_le(p, size);
        return 0;
    }
    machine_mmio *w = machine_mmio_find(m, pa, size);
    if (w)
        return w->read(m, w->ctx, pa - w->base, size, val);
    machine_stop(m, EMU_STOP_ERROR,
                 "%u-byte read of physical address 0x%llx, which no RAM or device backs",
                 size, (unsigned long long)pa);
    return -1;
}

int mem_phys_write(emu_machine *m, uint64_t pa, unsigned size, uint64_t val)
{
    uint8_t *p = mem_ram_ptr(m, pa, size);
    if (p) {
        x86_store_le(p, size, val);
        return 0;
    }
    machine_mmio *w = machine_mmio_find(m, pa, size);
    if (w)
        return w->write(m, w->ctx, pa - w->base, size, val);
    machine_stop(m, EMU_STOP_ERROR,
                 "%u-byte write of 0x%llx to physical address 0x%llx, which no RAM or device backs",
                 size, (unsigned long long)val, (unsigned long long)pa);
    return -1;
}

int io_port_read(emu_machine *m, uint16_t port, unsigned size, uint32_t *val)
{
    if (m->pc && pc_port_read(m, port, size, val) == 0)
        return 0;
    machine_stop(m, EMU_STOP_ERROR,
                 "%u-byte IN from I/O port 0x%x: no modelled device there (see docs/pc-platform.md)",
                 size, port);
    return -1;
}

int io_port_write(emu_machine *m, uint16_t port, unsigned size, uint32_t val)
{
    if (m->pc && pc_port_write(m, port, size, val) == 0)
        return 0;
    machine_stop(m, EMU_STOP_ERROR,
                 "%u-byte OUT of 0x%x to I/O port 0x%x: no modelled device there (see docs/pc-platform.md)",
                 size, val, port);
    return -1;
}
