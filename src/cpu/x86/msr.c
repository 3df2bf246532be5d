/*
 * RDMSR/WRMSR over a table of modelled MSRs (docs/msrs.md; SDM vol. 4,
 * table 2-2, and the RDMSR/WRMSR pages of vol. 2). An MSR the table lacks,
 * or one whose CPUID feature the model does not have, is #GP(0) as on
 * hardware; so are reserved bits and non-canonical addresses in a write.
 * IA32_APIC_BASE, the x2APIC MSRs and IA32_TSC_DEADLINE belong to the
 * local APIC (src/apic/lapic_msr.c).
 */
#include "apic/lapic.h"
#include "core/machine.h"
#include "cpu/x86/cpu_features.h"
#include "cpu/x86/handlers.h"
#include "cpu/x86/system.h"
#include "mmu/x86_paging.h"
#include "mmu/x86_pkeys.h"

/* Power-on values (SDM vol. 3, table 9-1; vol. 4 for MISC_ENABLE). */
#define PAT_POWER_ON 0x0007040600070406ull
#define MISC_ENABLE_FAST_STRINGS (1ull << 0)
#define MISC_ENABLE_BTS_UNAVAIL  (1ull << 11)
#define MISC_ENABLE_PEBS_UNAVAIL (1ull << 12)

/* IA32_MTRRCAP: eight variable ranges, fixed ranges and write-combining (vol. 3, 12.11.1). */
#define MTRRCAP_VCNT 8ull
#define MTRRCAP_FIX  (1ull << 8)
#define MTRRCAP_WC   (1ull << 10)
/* IA32_MTRR_DEF_TYPE: type[7:0], FE[10], E[11]. */
#define MTRR_DEF_TYPE_VALID (0xffull | (1ull << 10) | (1ull << 11))

#define LOW32_ONLY 0xffffffffull
#define APIC_BASE_ADDR_MASK (((1ull << X86_MAXPHYADDR) - 1) & ~0xfffull)
/* IA32_SPEC_CTRL: IBRS[0], STIBP[1], SSBD[2]. */
#define SPEC_CTRL_VALID 0x7ull

/* Memory types (vol. 3, table 12-8): UC, WC, WT, WP, WB and, for PAT, UC-. */
static bool memory_type_ok(uint64_t t, bool pat)
{
    return t == 0 || t == 1 || t == 4 || t == 5 || t == 6 || (pat && t == 7);
}

static bool pat_ok(uint64_t v)
{
    for (unsigned i = 0; i < 8; i++)
        if (!memory_type_ok((v >> (i * 8)) & 0xff, true))
            return false;
    return true;
}

void x86_msr_init(x86_cpu *cpu)
{
    cpu->msr.pat = PAT_POWER_ON;
    cpu->msr.apic_base = X86_APIC_BASE_DEFAULT | X86_APIC_BASE_BSP | X86_APIC_BASE_ENABLE;
    cpu->msr.misc_enable = MISC_ENABLE_FAST_STRINGS | MISC_ENABLE_BTS_UNAVAIL |
                           MISC_ENABLE_PEBS_UNAVAIL;
}

uint64_t x86_tsc(const x86_cpu *cpu)
{
    return cpu->machine->cycles + cpu->msr.tsc_adjust;
}

/* Valid IA32_EFER bits for the model (vol. 3, 2.2.1). */
static uint64_t efer_valid(const x86_cpu *cpu)
{
    const x86_cpu_config *c = &cpu->config;
    uint64_t v = 0;
    if (x86_cpu_has(c, X86_FEAT_SYSCALL))
        v |= X86_EFER_SCE;
    if (x86_cpu_has(c, X86_FEAT_LM))
        v |= X86_EFER_LME | X86_EFER_LMA;
    if (x86_cpu_has(c, X86_FEAT_NX))
        v |= X86_EFER_NXE;
    return v;
}

static bool has_long_mode(const x86_cpu *cpu)
{
    return x86_cpu_has(&cpu->config, X86_FEAT_LM);
}

static bool has_syscall_msrs(const x86_cpu *cpu)
{
    return x86_cpu_has(&cpu->config, X86_FEAT_SYSCALL) || has_long_mode(cpu);
}

x86_status x86_msr_read(x86_cpu *cpu, uint32_t index, uint64_t *val)
{
    const x86_cpu_config *c = &cpu->config;
    const x86_msrs *r = &cpu->msr;
    switch (index) {
    case X86_MSR_IA32_TSC:
        if (!x86_cpu_has(c, X86_FEAT_TSC))
            break;
        *val = x86_tsc(cpu);
        return X86_OK;
    case X86_MSR_IA32_APIC_BASE:
        if (!x86_cpu_has(c, X86_FEAT_APIC))
            break;
        *val = r->apic_base;
        return X86_OK;
    case X86_MSR_IA32_TSC_ADJUST:
        if (!x86_cpu_has(c, X86_FEAT_TSC_ADJUST))
            break;
        *val = r->tsc_adjust;
        return X86_OK;
    case X86_MSR_IA32_SPEC_CTRL:
        if (!x86_cpu_has(c, X86_FEAT_SPEC_CTRL))
            break;
        *val = r->spec_ctrl;
        return X86_OK;
    case X86_MSR_IA32_MTRRCAP:
        if (!x86_cpu_has(c, X86_FEAT_MTRR))
            break;
        *val = MTRRCAP_VCNT | MTRRCAP_FIX | MTRRCAP_WC;
        return X86_OK;
    case X86_MSR_IA32_MTRR_DEF_TYPE:
        if (!x86_cpu_has(c, X86_FEAT_MTRR))
            break;
        *val = r->mtrr_def_type;
        return X86_OK;
    case X86_MSR_IA32_SYSENTER_CS:
    case X86_MSR_IA32_SYSENTER_ESP:
    case X86_MSR_IA32_SYSENTER_EIP:
        if (!x86_cpu_has(c, X86_FEAT_SEP))
            break;
        *val = index == X86_MSR_IA32_SYSENTER_CS ? r->sysenter_cs
             : index == X86_MSR_IA32_SYSENTER_ESP ? r->sysenter_esp : r->sysenter_eip;
        return X86_OK;
    case X86_MSR_IA32_MISC_ENABLE:
        *val = r->misc_enable;
        return X86_OK;
    case X86_MSR_IA32_PAT:
        if (!x86_cpu_has(c, X86_FEAT_PAT))
            break;
        *val = r->pat;
        return X86_OK;
    case X86_MSR_IA32_PKRS:
        if (!x86_cpu_has(c, X86_FEAT_PKS))
            break;
        *val = r->pkrs;
        return X86_OK;
    case X86_MSR_IA32_EFER:
        if (!efer_valid(cpu))
            break;
        *val = cpu->efer;
        return X86_OK;
    case X86_MSR_IA32_STAR:
        if (!has_syscall_msrs(cpu))
            break;
        *val = r->star;
        return X86_OK;
    case X86_MSR_IA32_LSTAR:
    case X86_MSR_IA32_CSTAR:
    case X86_MSR_IA32_FMASK:
        if (!has_long_mode(cpu))
            break;
        *val = index == X86_MSR_IA32_LSTAR ? r->lstar
             : index == X86_MSR_IA32_CSTAR ? r->cstar : r->sfmask;
        return X86_OK;
    case X86_MSR_IA32_FS_BASE:
    case X86_MSR_IA32_GS_BASE:
    case X86_MSR_IA32_KERNEL_GS_BASE:
        if (!has_long_mode(cpu))
            break;
        *val = index == X86_MSR_IA32_FS_BASE ? cpu->seg[X86_FS].base
             : index == X86_MSR_IA32_GS_BASE ? cpu->seg[X86_GS].base : r->kernel_gs_base;
        return X86_OK;
    case X86_MSR_IA32_TSC_AUX:
        if (!x86_cpu_has(c, X86_FEAT_RDTSCP))
            break;
        *val = r->tsc_aux;
        return X86_OK;
    case X86_MSR_IA32_TSC_DEADLINE:
        if (!x86_cpu_has(c, X86_FEAT_TSC_DEADLINE) || !cpu->apic)
            break;
        return lapic_tsc_deadline_read(cpu->apic, val) == 0 ? X86_OK : x86_gp0(cpu);
    default:
        if (x86_is_x2apic_msr(index) && cpu->apic && lapic_msr_read(cpu->apic, index, val) == 0)
            return X86_OK;
        break;
    }
    return x86_gp0(cpu);
}

/* IA32_EFER: reserved bits, LMA read-only, LME frozen while paging is on (vol. 3, 9.8.5). */
static x86_status write_efer(x86_cpu *cpu, uint64_t val)
{
    if (val & ~efer_valid(cpu))
        return x86_gp0(cpu);
    if ((cpu->cr0 & X86_CR0_PG) && ((val ^ cpu->efer) & X86_EFER_LME))
        return x86_gp0(cpu);
    uint64_t old = cpu->efer;
    cpu->efer = (val & ~X86_EFER_LMA) | (old & X86_EFER_LMA);
    if ((old ^ cpu->efer) & X86_EFER_NXE)
        x86_tlb_flush_all(cpu);
    x86_update_mode(cpu);
    return X86_OK;
}

static x86_status write_canonical(x86_cpu *cpu, uint64_t *field, uint64_t val)
{
    if (!x86_canonical(val))
        return x86_gp0(cpu);
    *field = val;
    return X86_OK;
}

x86_status x86_msr_write(x86_cpu *cpu, uint32_t index, uint64_t val)
{
    const x86_cpu_config *c = &cpu->config;
    x86_msrs *r = &cpu->msr;
    switch (index) {
    case X86_MSR_IA32_TSC:
        if (!x86_cpu_has(c, X86_FEAT_TSC))
            break;
        r->tsc_adjust = val - cpu->machine->cycles;
        return X86_OK;
    case X86_MSR_IA32_APIC_BASE: {
        if (!x86_cpu_has(c, X86_FEAT_APIC))
            break;
        uint64_t valid = APIC_BASE_ADDR_MASK | X86_APIC_BASE_BSP | X86_APIC_BASE_ENABLE;
        if (x86_cpu_has(c, X86_FEAT_X2APIC))
            valid |= X86_APIC_BASE_EXTD;
        if (val & ~valid)
            return x86_gp0(cpu);
        if (!cpu->apic) {
            r->apic_base = val;
            return X86_OK;
        }
        return lapic_write_apic_base(cpu->apic, val) == 0 ? X86_OK : x86_gp0(cpu);
    }
    case X86_MSR_IA32_TSC_ADJUST:
        if (!x86_cpu_has(c, X86_FEAT_TSC_ADJUST))
            break;
        r->tsc_adjust = val;
        return X86_OK;
    case X86_MSR_IA32_SPEC_CTRL:
        if (!x86_cpu_has(c, X86_FEAT_SPEC_CTRL))
            break;
        if (val & ~SPEC_CTRL_VALID)
            return x86_gp0(cpu);
        r->spec_ctrl = val;
        return X86_OK;
    case X86_MSR_IA32_MTRR_DEF_TYPE:
        if (!x86_cpu_has(c, X86_FEAT_MTRR))
            break;
        if ((val & ~MTRR_DEF_TYPE_VALID) || !memory_type_ok(val & 0xff, false))
            return x86_gp0(cpu);
        r->mtrr_def_type = val;
        return X86_OK;
    case X86_MSR_IA32_SYSENTER_CS:
        if (!x86_cpu_has(c, X86_FEAT_SEP))
            break;
        r->sysenter_cs = val;
        return X86_OK;
    case X86_MSR_IA32_SYSENTER_ESP:
        if (!x86_cpu_has(c, X86_FEAT_SEP))
            break;
        return write_canonical(cpu, &r->sysenter_esp, val);
    case X86_MSR_IA32_SYSENTER_EIP:
        if (!x86_cpu_has(c, X86_FEAT_SEP))
            break;
        return write_canonical(cpu, &r->sysenter_eip, val);
    case X86_MSR_IA32_MISC_ENABLE:
        r->misc_enable = val;
        return X86_OK;
    case X86_MSR_IA32_PAT:
        if (!x86_cpu_has(c, X86_FEAT_PAT))
            break;
        if (!pat_ok(val))
            return x86_gp0(cpu);
        r->pat = val;
        return X86_OK;
    case X86_MSR_IA32_PKRS:
        if (!x86_cpu_has(c, X86_FEAT_PKS))
            break;
        if (val & ~LOW32_ONLY)
            return x86_gp0(cpu);
        x86_set_pkrs(cpu, (uint32_t)val);  /* flushes cached rights (x86_pkeys.h) */
        return X86_OK;
    case X86_MSR_IA32_EFER:
        if (!efer_valid(cpu))
            break;
        return write_efer(cpu, val);
    case X86_MSR_IA32_STAR:
        if (!has_syscall_msrs(cpu))
            break;
        r->star = val;
        return X86_OK;
    case X86_MSR_IA32_LSTAR:
        if (!has_long_mode(cpu))
            break;
        return write_canonical(cpu, &r->lstar, val);
    case X86_MSR_IA32_CSTAR:
        if (!has_long_mode(cpu))
            break;
        return write_canonical(cpu, &r->cstar, val);
    case X86_MSR_IA32_FMASK:
        if (!has_long_mode(cpu))
            break;
        if (val & ~LOW32_ONLY)
            return x86_gp0(cpu);
        r->sfmask = val;
        return X86_OK;
    case X86_MSR_IA32_FS_BASE:
        if (!has_long_mode(cpu))
            break;
        return write_canonical(cpu, &cpu->seg[X86_FS].base, val);
    case X86_MSR_IA32_GS_BASE:
        if (!has_long_mode(cpu))
            break;
        return write_canonical(cpu, &cpu->seg[X86_GS].base, val);
    case X86_MSR_IA32_KERNEL_GS_BASE:
        if (!has_long_mode(cpu))
            break;
        return write_canonical(cpu, &r->kernel_gs_base, val);
    case X86_MSR_IA32_TSC_AUX:
        if (!x86_cpu_has(c, X86_FEAT_RDTSCP))
            break;
        if (val & ~LOW32_ONLY)
            return x86_gp0(cpu);
        r->tsc_aux = val;
        return X86_OK;
    case X86_MSR_IA32_TSC_DEADLINE:
        if (!x86_cpu_has(c, X86_FEAT_TSC_DEADLINE) || !cpu->apic)
            break;
        return lapic_tsc_deadline_write(cpu->apic, val) == 0 ? X86_OK : x86_gp0(cpu);
    default:
        if (x86_is_x2apic_msr(index) && cpu->apic)
            return lapic_msr_write(cpu->apic, index, val) == 0 ? X86_OK : x86_gp0(cpu);
        break;
    }
    return x86_gp0(cpu);
}

/* RDMSR/WRMSR: CPL 0 only (#GP(0)); #UD without the MSR feature. */
static x86_status msr_insn_check(x86_cpu *cpu)
{
    if (!x86_cpu_has(&cpu->config, X86_FEAT_MSR))
        return x86_ud(cpu);
    if (cpu->cpl != 0)
        return x86_gp0(cpu);
    return X86_OK;
}

X86_HANDLER(x86_op_rdmsr)
{
    x86_status st = msr_insn_check(cpu);
    if (st != X86_OK)
        return st;
    uint64_t val;
    st = x86_msr_read(cpu, (uint32_t)cpu->gpr[X86_RCX], &val);
    if (st != X86_OK)
        return st;
    cpu->gpr[X86_RAX] = (uint32_t)val;
    cpu->gpr[X86_RDX] = val >> 32;
    return X86_OK;
}

X86_HANDLER(x86_op_wrmsr)
{
    x86_status st = msr_insn_check(cpu);
    if (st != X86_OK)
        return st;
    uint64_t val = ((cpu->gpr[X86_RDX] & LOW32_ONLY) << 32) | (cpu->gpr[X86_RAX] & LOW32_ONLY);
    uint32_t index = (uint32_t)cpu->gpr[X86_RCX];
    st = x86_msr_write(cpu, index, val);
    if (st != X86_OK)
        return st;
    /* WRMSR is serializing (SDM vol. 3, 10.3), except to the x2APIC MSRs, whose cost the APIC charged
     * ("the serializing semantics of WRMSR are relaxed when writing to the APIC registers", 11.12.3). */
    if (!x86_is_x2apic_msr(index))
        cpu->machine->cycles += cpu->machine->cost->serializing;
    return X86_OK;
}
