/*
 * The virt machine's devices in one place, for the machine to own: the GIC,
 * the generic timer, the PL011, PSCI and semihosting, wired to each other as
 * QEMU's -M virt wires them, and one MMIO dispatch by physical address over
 * the memory map in virt_map.h. The CPU reaches the devices through this
 * and the per-device functions (gic.h for ICC_* registers and the IRQ/FIQ
 * outputs, gtimer.h for the timer registers, psci.h, semihosting.h).
 */
#ifndef EMU_PLATFORM_VIRT_VIRT_H
#define EMU_PLATFORM_VIRT_VIRT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "apic/gic.h"
#include "apic/gtimer.h"
#include "platform/virt/pl011.h"
#include "platform/virt/psci.h"
#include "platform/virt/semihosting.h"

typedef struct virt_config {
    gic_version gic_version;        /* GIC_V2 (QEMU's default) or GIC_V3 */
    uint64_t mpidr;                 /* CPU 0's MPIDR affinity (0 on virt) */
    pl011_console_fn console;       /* the UART's output */
    void *console_ctx;
    psci_stop_fn stop;              /* PSCI SYSTEM_OFF/RESET/CPU_OFF */
    void *stop_ctx;
    bool semihosting;               /* off unless asked for */
    semihost_io semihost_io;
} virt_config;

typedef struct virt_platform {
    gic gic;
    gtimer timer;
    pl011 uart;
    psci psci;
    semihost semihost;
} virt_platform;

void virt_platform_init(virt_platform *v, const virt_config *cfg);

typedef enum virt_mmio_status {
    VIRT_MMIO_OK,
    VIRT_MMIO_UNMAPPED,             /* no device at that address */
    VIRT_MMIO_UNMODELLED,           /* a device, but not that register or width */
} virt_mmio_status;

/* MMIO by physical address; size 1, 2, 4 or 8 bytes. On anything but OK
 * the machine stops with virt_mmio_describe()'s text. */
virt_mmio_status virt_mmio_read(virt_platform *v, uint64_t paddr, unsigned size, uint64_t *val);
virt_mmio_status virt_mmio_write(virt_platform *v, uint64_t paddr, unsigned size, uint64_t val);

/* "GICD_ISENABLER (0x08000104)", "PL011 offset 0x100 (0x09000100)",
 * "no device at 0x0a000000". */
void virt_mmio_describe(const virt_platform *v, uint64_t paddr, char *buf, size_t len);

#endif
