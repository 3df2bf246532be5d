/*
 * Memory-mapped devices: a table of physical windows that the CPU's
 * physical access path (mem_phys_read/write) consults for addresses outside
 * RAM. RAM always wins: the TLB fast path hands out host pointers for RAM
 * pages only (mem_ram_ptr), so a window inside RAM would never be seen, and
 * devices refuse to be placed there.
 */
#ifndef EMU_CORE_MMIO_H
#define EMU_CORE_MMIO_H

#include <stdbool.h>
#include <stdint.h>

struct emu_machine;

/* offset is from the window's base; size is 1, 2, 4 or 8. Return 0, or -1 after machine_stop(). */
typedef int (*machine_mmio_read_fn)(struct emu_machine *m, void *ctx, uint64_t offset, unsigned size,
                                    uint64_t *val);
typedef int (*machine_mmio_write_fn)(struct emu_machine *m, void *ctx, uint64_t offset, unsigned size,
                                     uint64_t val);

typedef struct machine_mmio {
    const char *name;           /* for stop messages and docs: "local APIC", "I/O APIC" */
    uint64_t base, size;        /* the window [base, base+size) while mapped */
    bool mapped;                /* a device may come and go (the xAPIC page with IA32_APIC_BASE) */
    machine_mmio_read_fn read;
    machine_mmio_write_fn write;
    void *ctx;
} machine_mmio;

#define MACHINE_MAX_MMIO 8

/* Register a window (once, at device creation), mapped at base. Returns 0, or -1 if the table is full. */
int machine_mmio_register(struct emu_machine *m, machine_mmio *w, const char *name, uint64_t base,
                          uint64_t size, machine_mmio_read_fn read, machine_mmio_write_fn write, void *ctx);

/* Move or unmap a registered window. */
void machine_mmio_map(machine_mmio *w, uint64_t base, bool mapped);

/* The mapped window holding [pa, pa+size), or NULL. */
machine_mmio *machine_mmio_find(struct emu_machine *m, uint64_t pa, unsigned size);

#endif
