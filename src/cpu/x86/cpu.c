/*
 * CPU lifecycle and the derived mode state. x86_update_mode() is the one
 * place that turns CR0.PE, EFER.LMA and the CS/SS descriptor caches into
 * mode, CPL, default code size and stack width (SDM vol. 3, 2.2 and 9.8.5;
 * vol. 1, 3.6), so no caller keeps its own copy.
 */
#include <stdio.h>
#include <string.h>

#include "core/machine.h"
#include "cpu/x86/dcache.h"
#include "cpu/x86/system.h"

int x86_cpu_init(x86_cpu *cpu, struct emu_machine *m, const char *cpu_model, char *why, size_t why_len)
{
    memset(cpu, 0, sizeof *cpu);
    cpu->machine = m;
    cpu->trap_step_cost = m->cost->delivery_step;
    if (x86_cpu_config_parse(cpu_model, &cpu->config, why, why_len) != 0)
        return -1;
    cpu->dcache = x86_dcache_new();
    if (!cpu->dcache) {
        if (why && why_len)
            snprintf(why, why_len, "out of host memory for the predecode cache");
        return -1;
    }
    cpu->rflags = X86_FLAG_FIXED1;
    x86_msr_init(cpu);
    x86_tlb_flush_all(cpu);
    x86_update_mode(cpu);
    return 0;
}

void x86_cpu_destroy(x86_cpu *cpu)
{
    x86_dcache_free(cpu->dcache);
    cpu->dcache = NULL;
}

void x86_update_mode_slow(x86_cpu *cpu)
{
    const uint16_t cs_attr = cpu->seg[X86_CS].attr;
    const uint8_t legacy_size = (cs_attr & X86_SEG_ATTR_DB) ? 4 : 2;
    const uint8_t legacy_stack = (cpu->seg[X86_SS].attr & X86_SEG_ATTR_DB) ? 4 : 2;

    if (!(cpu->cr0 & X86_CR0_PE)) {
        cpu->mode = X86_MODE_REAL;
        cpu->cpl = 0;
        cpu->code_size = legacy_size;
        cpu->stack_size = legacy_stack;
        cpu->code_size_tag = X86_CODE_SIZE_TAG(cpu->code_size);
        return;
    }
    cpu->cpl = cpu->seg[X86_CS].selector & X86_SEL_RPL_MASK;
    if ((cpu->efer & X86_EFER_LMA) && (cs_attr & X86_SEG_ATTR_L)) {
        /* 64-bit mode: CS.D must be 0 with L=1; the stack is always 64-bit (SDM vol. 3, 5.2.1). */
        cpu->mode = X86_MODE_LONG64;
        cpu->code_size = 8;
        cpu->stack_size = 8;
        cpu->code_size_tag = X86_CODE_SIZE_TAG(8);
        return;
    }
    if (cpu->efer & X86_EFER_LMA)
        cpu->mode = legacy_size == 4 ? X86_MODE_COMPAT32 : X86_MODE_COMPAT16;
    else
        cpu->mode = legacy_size == 4 ? X86_MODE_PROT32 : X86_MODE_PROT16;
    cpu->code_size = legacy_size;
    cpu->stack_size = legacy_stack;
    cpu->code_size_tag = X86_CODE_SIZE_TAG(legacy_size);
}
