/*
 * QEMU's pc-testdev (hw/misc/pc-testdev.c), so firmware written for the
 * kvm-unit-tests style of QEMU machine runs unchanged: a 32-bit latch at
 * port 0xe0, a byte-accessed view of the same latch at 0xe8, the
 * flush-page port 0xe4, ports 0x2000+n driving ISA IRQ line n, and a
 * 64 KiB RAM-like window at 0xff000000.
 */
#include "platform/pc/pc_testdev.h"

#include <string.h>

#include "core/machine.h"
#include "platform/pc/pc.h"

/* The latch: an access of `size` bytes at byte `offset` of the 32-bit value. */
uint32_t pc_testdev_latch_read(const pc_testdev *t, unsigned offset, unsigned size)
{
    uint64_t mask = (1ull << (8 * size)) - 1;
    return (uint32_t)((t->latch >> (8 * (offset & 3))) & mask);
}

void pc_testdev_latch_write(pc_testdev *t, unsigned offset, unsigned size, uint32_t val)
{
    unsigned shift = 8 * (offset & 3);
    uint64_t mask = ((1ull << (8 * size)) - 1) << shift;
    t->latch = (uint32_t)((t->latch & ~mask) | (((uint64_t)val << shift) & mask));
}

static int iomem_read(emu_machine *m, void *ctx, uint64_t offset, unsigned size, uint64_t *val)
{
    (void)m;
    pc_testdev *t = ctx;
    uint64_t v = 0;
    memcpy(&v, t->iomem + offset, size);
    *val = v;
    return 0;
}

static int iomem_write(emu_machine *m, void *ctx, uint64_t offset, unsigned size, uint64_t val)
{
    (void)m;
    pc_testdev *t = ctx;
    memcpy(t->iomem + offset, &val, size);
    return 0;
}

int pc_testdev_init(pc_testdev *t, emu_machine *m)
{
    memset(t->iomem, 0, sizeof t->iomem);
    t->latch = 0;
    return machine_mmio_register(m, &t->mmio, "pc-testdev iomem", PC_TESTDEV_IOMEM_BASE, PC_TESTDEV_IOMEM_SIZE,
                                 iomem_read, iomem_write, t);
}
