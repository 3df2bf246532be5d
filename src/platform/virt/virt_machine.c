/*
 * The virt machine's wiring: the CPU and its MMU, the devices (virt.c) with
 * the generic timer on the machine clock, PSCI and semihosting on the stop
 * mechanism, and the CPU's memory callback (virt_mem.c) and system-register
 * hook (virt_sysreg.c).
 */
#include "platform/virt/virt_machine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/memory.h"
#include "platform/virt/virt_map.h"
#include "platform/virt/virt_mem.h"

/* ID_AA64PFR0_EL1 fields that describe this machine (Arm ARM D17.2.64): AArch64 only, no EL3. */
#define PFR0_EL0_AARCH64_ONLY (1ull << 0)
#define PFR0_EL1_AARCH64_ONLY (1ull << 4)
#define PFR0_EL2_AARCH64_ONLY (1ull << 8)
#define PFR0_GIC_V3_SYSREGS (1ull << 24)
/* MPIDR_EL1 of QEMU's virt CPU 0: bit 31 RES1, U = 0 (a multiprocessor system of one), Aff0 = 0. */
#define VIRT_MPIDR (1ull << 31)
#define VIRT_CNTHCTL_RESET 0x3ull  /* CNTHCTL_EL2.EL1PCEN | EL1PCTEN */

static void virt_console(void *ctx, const uint8_t *bytes, size_t len)
{
    machine_console_write(ctx, bytes, len);
}

static void virt_psci_stop(void *ctx, psci_stop why)
{
    emu_machine *m = ctx;
    switch (why) {
    case PSCI_STOP_SYSTEM_OFF:
        /* A clean power-off: exit status 0, as QEMU exits. */
        machine_stop(m, EMU_STOP_EXIT, "PSCI SYSTEM_OFF: the guest powered the machine off");
        m->stop.exit_code = 0;
        break;
    case PSCI_STOP_SYSTEM_RESET:
        machine_stop(m, EMU_STOP_RESET, "PSCI SYSTEM_RESET: the guest asked for a reset (emu stops, as QEMU -no-reboot)");
        break;
    case PSCI_STOP_CPU_OFF:
        machine_stop(m, EMU_STOP_HALT, "PSCI CPU_OFF on the only CPU: nothing is left to run");
        break;
    }
}

static void virt_timer_fire(emu_machine *m, void *ctx)
{
    (void)ctx;
    gtimer_update(&m->virt->dev.timer, m->cycles);
    virt_timer_rearm(m);
}

void virt_timer_rearm(emu_machine *m)
{
    virt_machine *v = m->virt;
    /* gtimer_next_event answers "now" for a timer whose condition already holds; its PPI is already
     * asserted, so only the timers still counting towards their compare value set the deadline. */
    gtimer counting = v->dev.timer;
    for (unsigned i = 0; i < GTIMER_COUNT; i++)
        if (gtimer_read_ctl(&v->dev.timer, (gtimer_index)i, m->cycles) & GTIMER_CTL_ISTATUS)
            counting.ch[i].ctl &= ~GTIMER_CTL_ENABLE;
    uint64_t deadline = gtimer_next_event(&counting, m->cycles);
    if (deadline == UINT64_MAX)
        machine_timer_disarm(m, &v->timer_event);
    else
        machine_timer_arm(m, &v->timer_event, deadline);
    gtimer_update(&v->dev.timer, m->cycles);
}

static void virt_sys_op(void *ctx, const a64_sys_op *op)
{
    emu_machine *m = ctx;
    if (!strncmp(op->name, "TLBI ", 5)) {
        a64_mmu_tlbi(&m->virt->mmu, &m->virt->cpu, op);
        virt_fetch_flush(m->virt);
    }
    /* IC and DC by set/way: emu keeps no caches, so there is nothing to clean or invalidate. */
}

/* AT: the stage-1 MMU's answer; a walk through a configuration emu does not model stops the run. */
static uint64_t virt_at(void *ctx, const a64_access *acc)
{
    emu_machine *m = ctx;
    uint64_t par = a64_mmu_at(&m->virt->mmu, &m->virt->cpu, acc);
    if (m->virt->mmu.unsupported)
        machine_stop(m, EMU_STOP_ERROR, "AT of 0x%llx at pc 0x%llx: %s is not modelled",
                     (unsigned long long)acc->va, (unsigned long long)m->virt->cpu.pc, m->virt->mmu.unsupported);
    return par;
}

static bool semihost_read(void *ctx, uint64_t va, void *buf, size_t len)
{
    return virt_copy_virt(ctx, va, buf, len, true) == EMU_OK;
}

static bool semihost_write(void *ctx, uint64_t va, const void *buf, size_t len)
{
    return virt_copy_virt(ctx, va, (void *)(uintptr_t)buf, len, false) == EMU_OK;
}

int virt_create(emu_machine *m, const emu_options *o, char *why, size_t why_len)
{
    int gic_ver = o->gic_version ? o->gic_version : 2;
    unsigned start_el = o->start_el ? o->start_el : 1;
    if (gic_ver != 2 && gic_ver != 3) {
        snprintf(why, why_len, "--gic %d: the virt machine has GICv2 or GICv3", gic_ver);
        return -1;
    }
    if (start_el != 1 && start_el != 2) {
        snprintf(why, why_len, "--el %u: emu enters at EL1 or EL2 (EL3 is not modelled)", start_el);
        return -1;
    }
    virt_machine *v = calloc(1, sizeof *v);
    if (!v) {
        snprintf(why, why_len, "out of host memory");
        return -1;
    }
    m->virt = v;
    a64_ops ops = { .ctx = m, .access = virt_access, .sys_op = virt_sys_op, .at = virt_at,
                   .sysreg = virt_sysreg };
    a64_cpu_init(&v->cpu, &ops);
    if (virt_cpu_model_apply(&v->cpu, o->cpu_model, &v->cpu_name) != 0) {
        snprintf(why, why_len, "--cpu %s: the virt machine's models are cortex-a57 (default), cortex-a72 and max",
                 o->cpu_model);
        return -1;
    }
    v->el.el2 = start_el == 2;
    v->cpu.sys.id_aa64pfr0_el1 = PFR0_EL0_AARCH64_ONLY | PFR0_EL1_AARCH64_ONLY |
                                 (v->el.el2 ? PFR0_EL2_AARCH64_ONLY : 0) |
                                 (gic_ver == 3 ? PFR0_GIC_V3_SYSREGS : 0);
    /* CNTHCTL_EL2's EL1PCEN and EL1PCTEN reset to UNKNOWN values (D19.6.4); QEMU's virt sets both
     * (EL1 reaches the physical counter and timer until EL2 firmware says otherwise), and so does emu. */
    v->cpu.sys.cnthctl_el2 = v->el.el2 ? VIRT_CNTHCTL_RESET : 0;
    v->cpu.sys.mpidr_el1 = VIRT_MPIDR;
    v->cpu.sys.vmpidr_el2 = VIRT_MPIDR;
    a64_mmu_init(&v->mmu, virt_read_pte, m);

    /* QEMU's -kernel boot: PSCI over HVC at EL1; with EL2 (virtualization=on) the conduit is SMC. */
    v->psci_smc = v->el.el2;
    v->input_fd = o->console_input_fd;
    virt_platform_init(&v->dev, &(virt_config){
        .gic_version = gic_ver == 3 ? GIC_V3 : GIC_V2, .mpidr = VIRT_MPIDR & 0xffffff,
        .console = virt_console, .console_ctx = m, .stop = virt_psci_stop, .stop_ctx = m,
        .semihosting = o->semihosting,
        .semihost_io = { semihost_read, semihost_write, virt_console, m },
    });
    machine_set_intc(m, &(machine_intc){ .inject = gic_inject, .ctx = &v->dev.gic });
    if (machine_timer_register(m, &v->timer_event, "generic timer", virt_timer_fire, NULL) != 0) {
        snprintf(why, why_len, "machine timer table full");
        return -1;
    }
    return 0;
}

void virt_destroy(emu_machine *m)
{
    free(m->virt);
    m->virt = NULL;
}

void virt_reset_state(emu_machine *m, uint64_t entry, uint64_t x0)
{
    a64_cpu *cpu = &m->virt->cpu;
    cpu->pc = entry;
    cpu->x[0] = x0;
    cpu->pstate.el = m->virt->el.el2 ? 2 : 1;
    cpu->pstate.sp = 1;
    cpu->pstate.daif = A64_DAIF_D | A64_DAIF_A | A64_DAIF_I | A64_DAIF_F;
}
