/*
 * Fuzz the arm64 boot path without a CPU: any kernel file (Image, raw or
 * ELF) with any initrd size and command line must either be refused with a
 * reason or be planned inside RAM, and the device tree generated for it
 * must parse and sit where the plan says. The first input byte picks the
 * GIC version, PSCI conduit, RAM size and initrd size; the next picks how
 * many trailing bytes form /chosen/bootargs; the rest is the kernel.
 */
#include <libfdt.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "loader/arm64_boot.h"
#include "loader/fdt_virt.h"

#define FUZZ_RAM_BASE 0x40000000ull

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t dtb[FDT_VIRT_MAX_SIZE];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    uint8_t sel = data[0];
    size_t args_len = data[1];
    data += 2;
    size -= 2;
    if (args_len > size)
        args_len = size;
    char bootargs[256];
    memcpy(bootargs, data + size - args_len, args_len);
    bootargs[args_len] = '\0';
    size -= args_len;

    loader_ram ram = { .base = FUZZ_RAM_BASE, .size = (4ull << 20) << ((sel >> 2) & 3) };
    size_t initrd_size = (size_t)((sel >> 4) & 3) * 0x3000;
    fdt_virt_config cfg = {
        .ram_base = ram.base, .ram_size = ram.size, .gic_version = (sel & 1) ? 3 : 2,
        .psci_method = (sel & 2) ? "smc" : "hvc", .bootargs = bootargs,
        .initrd_start = ram.base, .initrd_end = ram.base + initrd_size,
    };
    char why[256] = "";
    size_t dtb_size = 0;
    if (fdt_virt_build(&cfg, dtb, sizeof dtb, &dtb_size, why, sizeof why) != EMU_OK)
        abort();    /* every configuration here is valid */

    arm64_boot_plan plan;
    if (arm64_boot_plan_make(&ram, data, size, initrd_size, dtb_size, &plan, why, sizeof why) != EMU_OK) {
        if (why[0] == '\0')
            abort();
        return 0;
    }
    if (plan.kind != ARM64_KERNEL_ELF &&
        (plan.entry < ram.base || plan.kernel_end > ram.base + ram.size || plan.kernel_start > plan.kernel_end ||
         plan.dtb_start < plan.initrd_end || plan.dtb_start + dtb_size > ram.base + ram.size))
        abort();
    cfg.initrd_start = plan.initrd_start;
    cfg.initrd_end = plan.initrd_end;
    size_t again = 0;
    if (fdt_virt_build(&cfg, dtb, sizeof dtb, &again, why, sizeof why) != EMU_OK || again != dtb_size)
        abort();    /* the tree's size does not depend on the addresses */

    ram.host = calloc(1, ram.size);
    if (!ram.host)
        return 0;
    uint8_t *initrd = calloc(1, initrd_size + 1);
    emu_err err = arm64_boot_load(&ram, &plan, data, size, initrd, initrd_size, dtb, dtb_size, why, sizeof why);
    if (err == EMU_OK && plan.dtb_start) {
        const void *placed = ram.host + (plan.dtb_start - ram.base);
        if (fdt_check_header(placed) != 0 || fdt_path_offset(placed, "/chosen") < 0)
            abort();
    }
    if (err != EMU_OK && why[0] == '\0')
        abort();
    free(initrd);
    free(ram.host);
    return 0;
}
