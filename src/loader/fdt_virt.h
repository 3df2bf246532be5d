/*
 * The virt machine's flattened device tree, generated with libfdt. It
 * describes what emu models, at the addresses and with the compatible
 * strings QEMU 7.2's -M virt uses (compared with QEMU's own dump in
 * tests/platform/virt.qemu.dts): memory, one CPU, PSCI, the PL011 and its
 * clock, the generic timer, the GIC (v2 or v3) and /chosen.
 */
#ifndef EMU_LOADER_FDT_VIRT_H
#define EMU_LOADER_FDT_VIRT_H

#include <stddef.h>
#include <stdint.h>

#include "emu/emu.h"

#define FDT_VIRT_MAX_SIZE (64u << 10)   /* room for the tree plus a long command line */

typedef struct fdt_virt_config {
    uint64_t ram_base, ram_size;
    int gic_version;                /* 2 or 3 */
    const char *psci_method;        /* "hvc" or "smc" */
    const char *cpu_compatible;     /* NULL: "arm,cortex-a57" */
    uint64_t mpidr;                 /* the CPU's MPIDR affinity: its /cpus reg */
    const char *bootargs;           /* NULL: no /chosen/bootargs */
    uint64_t initrd_start, initrd_end;  /* equal: no initrd properties */
} fdt_virt_config;

/* Build the tree into buf (buf_size bytes). On success *size is the
 * blob's total size. EMU_ERR_INVALID_ARG for a bad configuration or a tree
 * that does not fit, with why filled. */
emu_err fdt_virt_build(const fdt_virt_config *cfg, void *buf, size_t buf_size, size_t *size,
                       char *why, size_t why_len);

/* Phandles, the values QEMU gives the same nodes. */
#define FDT_VIRT_PHANDLE_APB_PCLK 0x8000u
#define FDT_VIRT_PHANDLE_CPU0     0x8001u
#define FDT_VIRT_PHANDLE_GIC      0x8002u

#endif
