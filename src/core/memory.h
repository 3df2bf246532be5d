/*
 * Physical memory and port I/O as the CPU sees them. RAM accesses take the
 * inline fast path; everything else goes to the platform's device maps, and
 * an access nothing backs stops the machine with the address named.
 */
#ifndef EMU_CORE_MEMORY_H
#define EMU_CORE_MEMORY_H

#include <stdint.h>
#include <stddef.h>

#include "core/machine.h"

/* Host pointer to [pa, pa+len) if that range is entirely RAM, else NULL. */
static inline uint8_t *mem_ram_ptr(emu_machine *m, uint64_t pa, uint64_t len)
{
    uint64_t off = pa - m->ram_base;  /* below the base wraps to a huge offset */
    if (off < m->ram_size && len <= m->ram_size - off)
        return m->ram + off;
    return NULL;
}

/*
 * Physical access of size 1, 2, 4 or 8 bytes (little-endian), RAM or device.
 * Returns 0, or -1 after machine_stop() when nothing backs the address.
 */
int mem_phys_read(emu_machine *m, uint64_t pa, unsigned size, uint64_t *val);
int mem_phys_write(emu_machine *m, uint64_t pa, unsigned size, uint64_t val);

/* Port I/O of size 1, 2 or 4. Returns 0, or -1 after machine_stop() for an unlisted port. */
int io_port_read(emu_machine *m, uint16_t port, unsigned size, uint32_t *val);
int io_port_write(emu_machine *m, uint16_t port, unsigned size, uint32_t val);

#endif
