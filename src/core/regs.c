/*
 * Register access for front ends and tests. Writes that change how the CPU
 * translates or decodes (control registers, EFER, segment registers) go
 * through the same derived-state rebuild as the instructions that write them.
 */
#include <string.h>

#include "core/machine.h"
#include "core/memory.h"

static const char *const reg_names[EMU_X86_REG_COUNT] = {
    "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
    "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
    "rip", "rflags",
    "es", "cs", "ss", "ds", "fs", "gs",
    "es_base", "cs_base", "ss_base", "ds_base", "fs_base", "gs_base", "kernel_gs_base",
    "cr0", "cr2", "cr3", "cr4", "cr8",
    "dr0", "dr1", "dr2", "dr3", "dr6", "dr7",
    "efer",
    "gdtr_base", "gdtr_limit", "idtr_base", "idtr_limit",
    "ldtr", "tr", "cpl",
};

const char *emu_reg_name(emu_reg reg)
{
    return (unsigned)reg < EMU_X86_REG_COUNT ? reg_names[reg] : "invalid";
}

static const unsigned sreg_of[6] = { X86_ES, X86_CS, X86_SS, X86_DS, X86_FS, X86_GS };
static const unsigned dr_of[6] = { 0, 1, 2, 3, 6, 7 };

emu_err emu_reg_read(emu_machine *m, emu_reg reg, uint64_t *value)
{
    x86_cpu *cpu = &m->cpu;
    if (reg <= EMU_X86_R15) {
        *value = cpu->gpr[reg - EMU_X86_RAX];
        return EMU_OK;
    }
    if (reg >= EMU_X86_ES && reg <= EMU_X86_GS) {
        *value = cpu->seg[sreg_of[reg - EMU_X86_ES]].selector;
        return EMU_OK;
    }
    if (reg >= EMU_X86_ES_BASE && reg <= EMU_X86_GS_BASE) {
        *value = cpu->seg[sreg_of[reg - EMU_X86_ES_BASE]].base;
        return EMU_OK;
    }
    if (reg >= EMU_X86_DR0 && reg <= EMU_X86_DR7) {
        *value = cpu->dr[dr_of[reg - EMU_X86_DR0]];
        return EMU_OK;
    }
    switch (reg) {
    case EMU_X86_RIP: *value = cpu->rip; return EMU_OK;
    case EMU_X86_RFLAGS: *value = x86_rflags(cpu); return EMU_OK;
    case EMU_X86_KERNEL_GS_BASE: *value = cpu->msr.kernel_gs_base; return EMU_OK;
    case EMU_X86_CR0: *value = cpu->cr0; return EMU_OK;
    case EMU_X86_CR2: *value = cpu->cr2; return EMU_OK;
    case EMU_X86_CR3: *value = cpu->cr3; return EMU_OK;
    case EMU_X86_CR4: *value = cpu->cr4; return EMU_OK;
    case EMU_X86_CR8: *value = cpu->cr8; return EMU_OK;
    case EMU_X86_EFER: *value = cpu->efer; return EMU_OK;
    case EMU_X86_GDTR_BASE: *value = cpu->gdtr.base; return EMU_OK;
    case EMU_X86_GDTR_LIMIT: *value = cpu->gdtr.limit; return EMU_OK;
    case EMU_X86_IDTR_BASE: *value = cpu->idtr.base; return EMU_OK;
    case EMU_X86_IDTR_LIMIT: *value = cpu->idtr.limit; return EMU_OK;
    case EMU_X86_LDTR: *value = cpu->ldtr.selector; return EMU_OK;
    case EMU_X86_TR: *value = cpu->tr.selector; return EMU_OK;
    case EMU_X86_CPL: *value = cpu->cpl; return EMU_OK;
    default: return EMU_ERR_BAD_REG;
    }
}

/* Load a segment register's cache from the GDT entry its selector names (no privilege checks). */
static emu_err load_segment(emu_machine *m, unsigned sreg, uint64_t selector)
{
    x86_cpu *cpu = &m->cpu;
    if (selector > 0xffff)
        return EMU_ERR_INVALID_ARG;
    x86_segment s = { .selector = (uint16_t)selector };
    if ((selector & ~3ull) != 0) {
        uint64_t index = selector & ~7ull;
        uint64_t pa;
        uint8_t *p;
        if ((selector & 4) || index + 7 > cpu->gdtr.limit ||
            x86_translate_debug(cpu, cpu->gdtr.base + index, &pa) != 0 || !(p = mem_ram_ptr(m, pa, 8)))
            return EMU_ERR_INVALID_ARG;
        uint64_t d;
        memcpy(&d, p, 8);
        s.base = ((d >> 16) & 0xffffff) | (((d >> 56) & 0xff) << 24);
        uint32_t limit = (uint32_t)((d & 0xffff) | (((d >> 48) & 0xf) << 16));
        s.attr = (uint16_t)(((d >> 40) & 0xff) | (((d >> 52) & 0xf) << 12));
        s.limit = (s.attr & X86_SEG_ATTR_G) ? (limit << 12) | 0xfff : limit;
    }
    cpu->seg[sreg] = s;
    x86_update_mode(cpu);
    return EMU_OK;
}

emu_err emu_reg_write(emu_machine *m, emu_reg reg, uint64_t value)
{
    x86_cpu *cpu = &m->cpu;
    if (reg <= EMU_X86_R15) {
        cpu->gpr[reg - EMU_X86_RAX] = value;
        return EMU_OK;
    }
    if (reg >= EMU_X86_ES && reg <= EMU_X86_GS)
        return load_segment(m, sreg_of[reg - EMU_X86_ES], value);
    if (reg >= EMU_X86_ES_BASE && reg <= EMU_X86_GS_BASE) {
        cpu->seg[sreg_of[reg - EMU_X86_ES_BASE]].base = value;
        return EMU_OK;
    }
    if (reg >= EMU_X86_DR0 && reg <= EMU_X86_DR7) {
        cpu->dr[dr_of[reg - EMU_X86_DR0]] = value;
        return x86_debug_update(cpu) == X86_OK ? EMU_OK : EMU_ERR_UNSUPPORTED;
    }
    switch (reg) {
    case EMU_X86_RIP:
        /* Moving the PC abandons an exception held by break_on_exception. */
        cpu->rip = value;
        m->delivery_pending = false;
        return EMU_OK;
    case EMU_X86_RFLAGS:
        /* Bit 1 always reads as 1; reserved bits 3, 5, 15 and 22-63 read as 0 (SDM vol. 1, 3.4.3). */
        x86_flags_sync(cpu);
        cpu->rflags = (value & 0x3f7fd5ull) | X86_FLAG_FIXED1;
        return EMU_OK;
    case EMU_X86_KERNEL_GS_BASE: cpu->msr.kernel_gs_base = value; return EMU_OK;
    case EMU_X86_CR2: cpu->cr2 = value; return EMU_OK;
    case EMU_X86_CR8: cpu->cr8 = value & 0xf; return EMU_OK;
    case EMU_X86_CR0: cpu->cr0 = value; break;
    case EMU_X86_CR3: cpu->cr3 = value; break;
    case EMU_X86_CR4: cpu->cr4 = value; break;
    case EMU_X86_EFER: cpu->efer = value; break;
    case EMU_X86_GDTR_BASE: cpu->gdtr.base = value; return EMU_OK;
    case EMU_X86_GDTR_LIMIT: cpu->gdtr.limit = (uint16_t)value; return EMU_OK;
    case EMU_X86_IDTR_BASE: cpu->idtr.base = value; return EMU_OK;
    case EMU_X86_IDTR_LIMIT: cpu->idtr.limit = (uint16_t)value; return EMU_OK;
    default: return EMU_ERR_BAD_REG;
    }
    /* Paging and mode inputs changed: rebuild derived state and drop cached translations. */
    x86_update_mode(cpu);
    x86_tlb_flush_all(cpu);
    /* CR4.DE decides what DR7's R/W = 10 means. */
    if (reg == EMU_X86_CR4)
        return x86_debug_update(cpu) == X86_OK ? EMU_OK : EMU_ERR_UNSUPPORTED;
    return EMU_OK;
}
