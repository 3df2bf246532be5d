/*
 * --cpu models of the virt machine, by QEMU's names: the identification
 * registers firmware probes (Arm ARM D17.2: MIDR_EL1, CTR_EL0, CLIDR_EL1,
 * DCZID_EL0, ID_AA64*). The cortex values are the cores' TRM reset values as
 * QEMU's target/arm/cpu64.c gives them; the fields that describe the
 * machine rather than the core (which ELs exist, AArch32 support, the GICv3
 * system registers; virt_create sets ID_AA64PFR0_EL1) and the instructions
 * emu does not execute say what emu models: docs/virt-platform.md lists them.
 */
#include <stdio.h>
#include <string.h>

#include "platform/virt/virt_machine.h"

typedef struct a64_cpu_model {
    const char *name;
    uint64_t midr, ctr, clidr, dczid, isar0, mmfr0, dfr0;
} a64_cpu_model;

/* ID_AA64ISAR0_EL1 advertises only what the interpreter executes: no AES/SHA/CRC32 (the cores
 * have them; firmware that probed them would meet UNDEFINED), and Atomic = 0b0010 (LSE) for max. */
#define ISAR0_ATOMIC_LSE (2ull << 20)

static const a64_cpu_model models[] = {
    /* Cortex-A57 r1p0 (TRM ARM DDI 0488). */
    { "cortex-a57", 0x411fd070, 0x8444c004, 0x0a200023, 0x4, 0, 0x00001124, 0x10305106 },
    /* Cortex-A72 r0p3 (TRM ARM 100095). */
    { "cortex-a72", 0x410fd083, 0x8444c004, 0x0a200023, 0x4, 0, 0x00001124, 0x10305106 },
    /* emu's own: the A57's values plus LSE atomics. */
    { "max", 0x411fd070, 0x8444c004, 0x0a200023, 0x4, ISAR0_ATOMIC_LSE, 0x00001124, 0x10305106 },
};

int virt_cpu_model_apply(a64_cpu *cpu, const char *model, const char **name)
{
    if (!model)
        model = "cortex-a57";
    for (size_t i = 0; i < sizeof models / sizeof models[0]; i++) {
        const a64_cpu_model *c = &models[i];
        if (strcmp(model, c->name) != 0)
            continue;
        cpu->sys.midr_el1 = c->midr;
        cpu->sys.vpidr_el2 = c->midr;
        cpu->sys.ctr_el0 = c->ctr;
        cpu->sys.clidr_el1 = c->clidr;
        cpu->sys.dczid_el0 = c->dczid;
        cpu->sys.id_aa64isar0_el1 = c->isar0;
        cpu->sys.id_aa64mmfr0_el1 = c->mmfr0;
        cpu->sys.id_aa64dfr0_el1 = c->dfr0;
        *name = c->name;
        return 0;
    }
    return -1;
}

const char *emu_a64_cpu_help(void)
{
    static char text[512];
    size_t used = (size_t)snprintf(text, sizeof text, "AArch64 CPU models (virt machine, --cpu MODEL):\n");
    for (size_t i = 0; i < sizeof models / sizeof models[0] && used < sizeof text; i++)
        used += (size_t)snprintf(text + used, sizeof text - used, "  %-18s MIDR_EL1 0x%08llx%s\n", models[i].name,
                                 (unsigned long long)models[i].midr, i == 0 ? " (default)" : "");
    if (used < sizeof text)
        snprintf(text + used, sizeof text - used,
                 "Their ID registers advertise only what emu models (docs/virt-platform.md).\n");
    return text;
}
