/* QEMU's pc-testdev (pc_testdev.c); the port rows are in pc.c. */
#ifndef EMU_PLATFORM_PC_TESTDEV_H
#define EMU_PLATFORM_PC_TESTDEV_H

#include <stdint.h>

#include "core/mmio.h"

struct emu_machine;

#define PC_TESTDEV_LATCH_PORT      0xe0    /* 4 ports: the 32-bit latch */
#define PC_TESTDEV_FLUSH_PORT      0xe4    /* 4-byte writes: flush a page (nothing to flush in emu) */
#define PC_TESTDEV_BYTE_LATCH_PORT 0xe8    /* 4 ports: the same latch, byte by byte */
#define PC_TESTDEV_IRQ_PORT        0x2000  /* + n: 1-byte write drives ISA IRQ line n (0-23) */
#define PC_TESTDEV_IRQ_LINES       24
#define PC_TESTDEV_IOMEM_BASE      0xff000000u
#define PC_TESTDEV_IOMEM_SIZE      0x10000u

typedef struct pc_testdev {
    uint32_t latch;
    uint8_t iomem[PC_TESTDEV_IOMEM_SIZE];
    machine_mmio mmio;
} pc_testdev;

int pc_testdev_init(pc_testdev *t, struct emu_machine *m);
uint32_t pc_testdev_latch_read(const pc_testdev *t, unsigned offset, unsigned size);
void pc_testdev_latch_write(pc_testdev *t, unsigned offset, unsigned size, uint32_t val);

#endif
