/*
 * `emu` booting a kernel on the virt machine as QEMU's -kernel does
 * (loader/arm64_boot.h has the layout): build the device tree once to learn
 * its size, plan, build it again with the planned initrd addresses, load,
 * and enter at EL1 (or EL2 with --el 2) with the MMU off and DAIF masked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader/arm64_boot.h"
#include "loader/fdt_virt.h"
#include "loader/loader.h"
#include "platform/virt/virt_machine.h"

emu_err virt_boot(emu_machine *m, const uint8_t *image, size_t size, const emu_options *opts,
                  char *why, size_t why_len)
{
    virt_machine *v = m->virt;
    if (opts->n_initrd > 1) {
        snprintf(why, why_len, "--initrd given %zu times: the virt machine takes one initrd, as QEMU's -initrd",
                 opts->n_initrd);
        return EMU_ERR_INVALID_ARG;
    }
    uint8_t *initrd = NULL;
    size_t initrd_size = 0;
    emu_err err;
    if (opts->n_initrd && (err = loader_read_file(opts->initrd[0], &initrd, &initrd_size, why, why_len)) != EMU_OK)
        return err;
    uint8_t *dtb = malloc(FDT_VIRT_MAX_SIZE);
    if (!dtb) {
        free(initrd);
        return EMU_ERR_NOMEM;
    }
    /* The /cpus compatible QEMU gives each model ("arm,arm-v8" for max). */
    char compatible[32];
    snprintf(compatible, sizeof compatible, "arm,%s", strcmp(v->cpu_name, "max") ? v->cpu_name : "arm-v8");
    loader_ram ram = { .host = m->ram, .base = m->ram_base, .size = m->ram_size };
    fdt_virt_config cfg = {
        .ram_base = m->ram_base, .ram_size = m->ram_size, .gic_version = v->dev.gic.version == GIC_V3 ? 3 : 2,
        .psci_method = v->psci_smc ? "smc" : "hvc", .cpu_compatible = compatible,
        .mpidr = v->dev.psci.mpidr, .bootargs = opts->append,
        .initrd_start = ram.base, .initrd_end = ram.base + initrd_size,
    };
    size_t dtb_size = 0;
    arm64_boot_plan plan;
    err = fdt_virt_build(&cfg, dtb, FDT_VIRT_MAX_SIZE, &dtb_size, why, why_len);
    if (err == EMU_OK)
        err = arm64_boot_plan_make(&ram, image, size, initrd_size, dtb_size, &plan, why, why_len);
    if (err == EMU_OK) {
        cfg.initrd_start = plan.initrd_start;
        cfg.initrd_end = plan.initrd_end;
        err = fdt_virt_build(&cfg, dtb, FDT_VIRT_MAX_SIZE, &dtb_size, why, why_len);
    }
    if (err == EMU_OK)
        err = arm64_boot_load(&ram, &plan, image, size, initrd, initrd_size, dtb, dtb_size, why, why_len);
    free(dtb);
    free(initrd);
    if (err != EMU_OK)
        return err;
    virt_reset_state(m, plan.entry, plan.x0);
    return EMU_OK;
}
