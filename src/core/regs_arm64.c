/*
 * AArch64 registers for front ends and tests (EMU_A64_*): the general
 * registers, SP, PC, PSTATE and the EL1 system registers firmware tests
 * inspect. Writes that change translation drop the MMU's cached walks.
 */
#include <string.h>

#include "core/machine.h"
#include "core/regs_arm64.h"
#include "platform/virt/virt_machine.h"

static const char *const a64_names[] = {
    "sp", "pc", "pstate", "nzcv", "currentel", "sp_el0", "sp_el1",
    "elr_el1", "spsr_el1", "esr_el1", "far_el1", "vbar_el1",
    "sctlr_el1", "tcr_el1", "ttbr0_el1", "ttbr1_el1", "mair_el1",
    "cpacr_el1", "tpidr_el1", "tpidr_el0", "cntkctl_el1",
};

const char *a64_reg_name(emu_reg reg)
{
    static const char *const x[31] = {
        "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15",
        "x16", "x17", "x18", "x19", "x20", "x21", "x22", "x23", "x24", "x25", "x26", "x27", "x28", "x29", "x30",
    };
    if (reg >= EMU_A64_X0 && reg <= EMU_A64_X30)
        return x[reg - EMU_A64_X0];
    if (reg >= EMU_A64_SP && reg < EMU_A64_REG_END)
        return a64_names[reg - EMU_A64_SP];
    return NULL;
}

/* The system register behind an identifier, or NULL. */
static uint64_t *sysreg_of(a64_cpu *cpu, emu_reg reg)
{
    switch (reg) {
    case EMU_A64_SP_EL0: return &cpu->sp_el[0];
    case EMU_A64_SP_EL1: return &cpu->sp_el[1];
    case EMU_A64_ELR_EL1: return &cpu->sys.elr_el1;
    case EMU_A64_SPSR_EL1: return &cpu->sys.spsr_el1;
    case EMU_A64_ESR_EL1: return &cpu->sys.esr_el1;
    case EMU_A64_FAR_EL1: return &cpu->sys.far_el1;
    case EMU_A64_VBAR_EL1: return &cpu->sys.vbar_el1;
    case EMU_A64_SCTLR_EL1: return &cpu->sys.sctlr_el1;
    case EMU_A64_TCR_EL1: return &cpu->sys.tcr_el1;
    case EMU_A64_TTBR0_EL1: return &cpu->sys.ttbr0_el1;
    case EMU_A64_TTBR1_EL1: return &cpu->sys.ttbr1_el1;
    case EMU_A64_MAIR_EL1: return &cpu->sys.mair_el1;
    case EMU_A64_CPACR_EL1: return &cpu->sys.cpacr_el1;
    case EMU_A64_TPIDR_EL1: return &cpu->sys.tpidr_el1;
    case EMU_A64_TPIDR_EL0: return &cpu->sys.tpidr_el0;
    case EMU_A64_CNTKCTL_EL1: return &cpu->sys.cntkctl_el1;
    default: return NULL;
    }
}

emu_err a64_reg_read(emu_machine *m, emu_reg reg, uint64_t *value)
{
    a64_cpu *cpu = &m->virt->cpu;
    if (reg >= EMU_A64_X0 && reg <= EMU_A64_X30) {
        *value = cpu->x[reg - EMU_A64_X0];
        return EMU_OK;
    }
    uint64_t *r = sysreg_of(cpu, reg);
    if (r) {
        *value = *r;
        return EMU_OK;
    }
    switch (reg) {
    case EMU_A64_SP: *value = *a64_sp(cpu); return EMU_OK;
    case EMU_A64_PC: *value = cpu->pc; return EMU_OK;
    case EMU_A64_PSTATE: *value = a64_pstate_to_spsr(&cpu->pstate); return EMU_OK;
    case EMU_A64_NZCV: *value = (uint64_t)cpu->pstate.nzcv << A64_SPSR_NZCV_SHIFT; return EMU_OK;
    case EMU_A64_CURRENTEL: *value = (uint64_t)cpu->pstate.el << A64_SPSR_M_EL_SHIFT; return EMU_OK;
    default: return EMU_ERR_BAD_REG;
    }
}

emu_err a64_reg_write(emu_machine *m, emu_reg reg, uint64_t value)
{
    virt_machine *v = m->virt;
    a64_cpu *cpu = &v->cpu;
    if (reg >= EMU_A64_X0 && reg <= EMU_A64_X30) {
        cpu->x[reg - EMU_A64_X0] = value;
        return EMU_OK;
    }
    uint64_t *r = sysreg_of(cpu, reg);
    if (r) {
        *r = value;
        if (reg == EMU_A64_SCTLR_EL1 || reg == EMU_A64_TCR_EL1 || reg == EMU_A64_TTBR0_EL1 ||
            reg == EMU_A64_TTBR1_EL1 || reg == EMU_A64_MAIR_EL1)
        {
            a64_mmu_flush(&v->mmu);
            virt_fetch_flush(v);
        }
        return EMU_OK;
    }
    switch (reg) {
    case EMU_A64_SP: *a64_sp(cpu) = value; return EMU_OK;
    case EMU_A64_PC:
        /* Moving the PC abandons an exception held by break_on_exception, as on x86. */
        cpu->pc = value;
        v->wfi = false;
        m->delivery_pending = false;
        return EMU_OK;
    case EMU_A64_PSTATE: {
        a64_pstate ps = cpu->pstate;
        a64_pstate_from_spsr(&ps, value);
        if (ps.el > (v->el.el2 ? 2u : 1u))
            return EMU_ERR_INVALID_ARG;     /* an EL this machine does not implement */
        cpu->pstate = ps;
        return EMU_OK;
    }
    case EMU_A64_NZCV: cpu->pstate.nzcv = (uint8_t)((value >> A64_SPSR_NZCV_SHIFT) & 0xf); return EMU_OK;
    default: return EMU_ERR_BAD_REG;
    }
}
