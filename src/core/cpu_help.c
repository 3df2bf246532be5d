/* `--cpu help`: the CPU models, from the same table CPUID answers from. */
#include <stdio.h>
#include <string.h>

#include "cpu/x86/cpu_model.h"
#include "emu/emu.h"

const char *emu_x86_cpu_help(void)
{
    static char text[4096];
    if (text[0])
        return text;
    size_t n = 0, used = 0;
    const x86_cpu_model *models = x86_cpu_models(&n);
    used += (size_t)snprintf(text + used, sizeof text - used, "Available CPU models (--cpu MODEL):\n");
    for (size_t i = 0; i < n && used < sizeof text; i++)
        used += (size_t)snprintf(text + used, sizeof text - used, "  %-18s %s\n", models[i].name,
                                 models[i].description ? models[i].description : "");
    if (used < sizeof text)
        snprintf(text + used, sizeof text - used,
                 "\nFeatures are switched with +name / -name / name=on|off, and the vendor with\n"
                 "vendor=GenuineIntel|AuthenticAMD; docs/cpu-models.md lists every feature.\n");
    return text;
}
