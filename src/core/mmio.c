/* The MMIO window table (mmio.h). */
#include "core/mmio.h"

#include "core/machine.h"

int machine_mmio_register(emu_machine *m, machine_mmio *w, const char *name, uint64_t base, uint64_t size,
                          machine_mmio_read_fn read, machine_mmio_write_fn write, void *ctx)
{
    if (m->n_mmio == MACHINE_MAX_MMIO)
        return -1;
    *w = (machine_mmio){ .name = name, .base = base, .size = size, .mapped = true,
                         .read = read, .write = write, .ctx = ctx };
    m->mmio[m->n_mmio++] = w;
    return 0;
}

void machine_mmio_map(machine_mmio *w, uint64_t base, bool mapped)
{
    w->base = base;
    w->mapped = mapped;
}

machine_mmio *machine_mmio_find(emu_machine *m, uint64_t pa, unsigned size)
{
    for (unsigned i = 0; i < m->n_mmio; i++) {
        machine_mmio *w = m->mmio[i];
        if (w->mapped && pa >= w->base && pa - w->base < w->size && size <= w->size - (pa - w->base))
            return w;
    }
    return NULL;
}
