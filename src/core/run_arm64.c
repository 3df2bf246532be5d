/*
 * The AArch64 run loop: a64_run_batch as many instructions as may run before
 * anything needs looking at, and act on what the last one reports. A
 * synchronous exception is delivered through the vector table
 * (entry/arm64), unless the platform answers it itself: HVC or SMC as the
 * PSCI conduit when no EL2/EL3 firmware exists to take it, HLT #0xF000 with
 * --semihosting. IRQ and FIQ from the GIC, and the virtual IRQ, FIQ and
 * SError HCR_EL2 makes pending, are taken at instruction boundaries when
 * PSTATE.I/F/A allow; WFI sleeps, the modelled clock jumping to the next
 * timer deadline, until an interrupt is pending.
 */
#include <stdio.h>
#include <string.h>

#include "core/machine.h"
#include "core/memory.h"
#include "platform/virt/virt_machine.h"

/* Deliveries in a row with no instruction completing before emu calls it a livelock (as on x86). */
#define A64_TRAP_STORM_LIMIT 100000
/* Timer deadlines a WFI may sleep through without an interrupt becoming pending. */
#define A64_IDLE_EVENT_LIMIT 1000000

static void fill_insn_bytes(emu_machine *m, emu_stop *stop)
{
    stop->n_bytes = 0;
    uint64_t pa;
    if (virt_translate_debug(m, stop->pc, &pa) != 0)
        return;
    uint8_t *p = mem_ram_ptr(m, pa, 4);
    if (!p)
        return;
    memcpy(stop->bytes, p, 4);
    stop->n_bytes = 4;
}

/*
 * Is an interrupt of this kind taken now? Its target is EL2 when HCR_EL2 routes it there, else EL1.
 * An interrupt targeting the current EL (or EL1 from EL0) is masked by PSTATE's bit; one targeting a
 * higher EL is always taken, and one targeting a lower EL never (Arm ARM D1.3.6, table D1-5).
 */
static bool interrupt_taken(const virt_machine *v, bool pending, uint8_t mask_bit, uint64_t route_bit,
                            unsigned *target)
{
    if (!pending)
        return false;
    const a64_cpu *cpu = &v->cpu;
    *target = (v->el.el2 && (cpu->sys.hcr_el2 & (route_bit | A64_HCR_EL2_TGE))) ? 2 : 1;
    if (*target < cpu->pstate.el)
        return false;
    if (*target > cpu->pstate.el && *target == 2)
        return true;
    return !(cpu->pstate.daif & mask_bit);
}

/*
 * Take a pending physical FIQ or IRQ from the GIC, else a virtual IRQ, FIQ or SError from HCR_EL2
 * (virt_vintr.c). A virtual one exists only below EL2 and targets EL1, so PSTATE's bit masks it. A
 * virtual SError writes ESR_EL1 with EC 0x2F and ISS 0: without RAS there is no VSESR_EL2 to supply
 * one, and taking it clears HCR_EL2.VSE (D1.3.4).
 */
static bool take_interrupt(emu_machine *m)
{
    virt_machine *v = m->virt;
    a64_cpu *cpu = &v->cpu;
    unsigned target = 1;
    a64_exc_type type;
    const char *source;
    const unsigned virtual_pending = virt_virtual_pending(v);
    if (interrupt_taken(v, gic_fiq_pending(&v->dev.gic), A64_DAIF_F, A64_HCR_EL2_FMO, &target))
        type = A64_EXC_FIQ, source = "GIC FIQ";
    else if (interrupt_taken(v, gic_irq_pending(&v->dev.gic), A64_DAIF_I, A64_HCR_EL2_IMO, &target))
        type = A64_EXC_IRQ, source = "GIC IRQ";
    else if ((virtual_pending & VIRT_VIRQ) && !(cpu->pstate.daif & A64_DAIF_I))
        type = A64_EXC_IRQ, source = "virtual IRQ (HCR_EL2.VI)";
    else if ((virtual_pending & VIRT_VFIQ) && !(cpu->pstate.daif & A64_DAIF_F))
        type = A64_EXC_FIQ, source = "virtual FIQ (HCR_EL2.VF)";
    else if ((virtual_pending & VIRT_VSERROR) && !(cpu->pstate.daif & A64_DAIF_A))
        type = A64_EXC_SERROR, source = "virtual SError (HCR_EL2.VSE)";
    else
        return false;
    const a64_exception serror = { .ec = ESR_EC_SERROR, .il = true, .iss = 0 };
    if (type == A64_EXC_SERROR)
        cpu->sys.hcr_el2 &= ~A64_HCR_EL2_VSE;
    emu_trap rec;
    a64_take_exception(cpu, type == A64_EXC_SERROR ? &serror : NULL, type, target, m->cycles,
                       m->cost->delivery_step, &rec);
    snprintf(rec.source, sizeof rec.source, "%s", source);
    machine_trap_record(m, &rec);
    return true;
}

/* Anything that may be taken at the next boundary or wake a WFI: a GIC output or a virtual interrupt
 * (looked for only when HCR_EL2 holds one: this runs between every two batches). */
static bool interrupt_signalled(const virt_machine *v)
{
    const uint64_t virtual_bits = A64_HCR_EL2_VI | A64_HCR_EL2_VF | A64_HCR_EL2_VSE;
    return v->dev.gic.irq_out || v->dev.gic.fiq_out || ((v->cpu.sys.hcr_el2 & virtual_bits) && virt_virtual_pending(v));
}

/* WFI wakes on a pending interrupt whatever PSTATE's masks say (Arm ARM D1.6.2), virtual ones included. */
static bool wfi_wakes(const virt_machine *v)
{
    return gic_irq_pending(&v->dev.gic) || gic_fiq_pending(&v->dev.gic) || virt_virtual_pending(v);
}

/* The exception an instruction would raise if it were UNDEFINED here (HVC without EL2, SMC without EL3). */
static void make_undefined(a64_cpu *cpu)
{
    cpu->exc.ec = ESR_EC_UNKNOWN;
    cpu->exc.il = true;
    cpu->exc.iss = 0;
    cpu->exc.preferred_return = cpu->pc;
    cpu->exc.far_valid = false;
}

/* PSCI through its conduit (DEN0022D 5.2): function ID in W0, arguments in X1-X3, result in X0. */
static void psci_conduit(emu_machine *m)
{
    a64_cpu *cpu = &m->virt->cpu;
    cpu->x[0] = (uint64_t)psci_call(&m->virt->dev.psci, (uint32_t)cpu->x[0], cpu->x[1], cpu->x[2], cpu->x[3]);
    cpu->pc = cpu->exc.preferred_return;
}

static void semihosting_call(emu_machine *m)
{
    a64_cpu *cpu = &m->virt->cpu;
    semihost_result r;
    switch (semihost_call(&m->virt->dev.semihost, (uint32_t)cpu->x[0], cpu->x[1], m->cycles, &r)) {
    case SEMIHOST_DONE:
        cpu->x[0] = r.x0;
        cpu->pc += 4;
        break;
    case SEMIHOST_EXIT:
        cpu->pc += 4;
        machine_stop(m, EMU_STOP_EXIT, "semihosting exit with status %d (reason 0x%llx)", r.exit_status,
                     (unsigned long long)r.exit_reason);
        m->stop.exit_code = r.exit_status;
        break;
    case SEMIHOST_UNSUPPORTED:
        machine_stop(m, EMU_STOP_ERROR, "semihosting operation %s (0x%x) at pc 0x%llx is not modelled", r.op_name,
                     (unsigned)(uint32_t)cpu->x[0], (unsigned long long)cpu->pc);
        break;
    }
}

/* Deliver cpu->exc through the vector table. */
static void deliver_sync(emu_machine *m)
{
    a64_cpu *cpu = &m->virt->cpu;
    unsigned target = a64_sync_target_el(cpu, &m->virt->el, &cpu->exc);
    emu_trap rec;
    a64_take_exception(cpu, &cpu->exc, A64_EXC_SYNC, target, m->cycles, m->cost->delivery_step, &rec);
    machine_trap_record(m, &rec);
}

/*
 * A synchronous exception from the interpreter. Returns true if an instruction completed (the
 * platform answered it), false if the exception was delivered.
 */
static bool handle_sync(emu_machine *m)
{
    virt_machine *v = m->virt;
    a64_cpu *cpu = &v->cpu;
    a64_exception *exc = &cpu->exc;
    if ((exc->ec == ESR_EC_HVC64 || exc->ec == ESR_EC_SMC64) && !exc->to_el2) {
        /* HVC with no EL2 and SMC with no EL3 are UNDEFINED (C6.2.104, C6.2.243); the one the
         * device tree names as PSCI's method reaches emu's PSCI instead, as QEMU's firmware does. */
        bool conduit = exc->ec == (v->psci_smc ? ESR_EC_SMC64 : ESR_EC_HVC64);
        bool higher_el_exists = exc->ec == ESR_EC_HVC64 && v->el.el2 && cpu->pstate.el < 2;
        if (conduit && !higher_el_exists) {
            psci_conduit(m);
            return true;
        }
        if (!higher_el_exists)
            make_undefined(cpu);
    } else if (v->dev.semihost.enabled && a64_exc_is_semihosting(exc)) {
        semihosting_call(m);
        return true;
    }
    if (m->opts.break_on_exception) {
        /* Stop before delivering; the next run (or step) delivers cpu->exc unless the PC is moved. */
        m->delivery_pending = true;
        machine_stop(m, EMU_STOP_EXCEPTION, "%s (EC 0x%02x, ISS 0x%07x) at pc 0x%llx: stopped before delivery "
                     "(break on exception)", esr_ec_name(exc->ec), (unsigned)exc->ec, (unsigned)exc->iss,
                     (unsigned long long)cpu->pc);
        return false;
    }
    deliver_sync(m);
    return false;
}

/*
 * How many instructions may run before this loop must look again: all the budget allows, since the
 * rest of what it checks reaches the interpreter through the clock and next_event (a64_batch) --
 * a timer's deadline, a stop, and a device access (virt_access, virt_sysreg ask for attention, as a
 * GIC output may have risen). One at a time while breakpoints are set (checked at every PC), a GIC
 * output is up or a virtual interrupt pending (masked now, it is taken at the boundary after an
 * instruction unmasks it), or an injection waits for a PC. HCR_EL2 changes only at EL2, where no
 * virtual interrupt is taken: the ERET that leaves EL2 ends the batch.
 */
static uint64_t batch_limit(const emu_machine *m, uint64_t budget_left)
{
    if (m->n_breakpoints || m->n_pc_injections || interrupt_signalled(m->virt))
        return 1;
    return budget_left;
}

static bool stop_is_final(emu_stop_kind kind)
{
    return kind == EMU_STOP_EXIT || kind == EMU_STOP_SHUTDOWN || kind == EMU_STOP_RESET;
}

/* WFI: sleep, the clock jumping from deadline to deadline, until an interrupt is pending. */
static void sleep_in_wfi(emu_machine *m)
{
    virt_machine *v = m->virt;
    for (uint64_t idle = 0;; idle++) {
        machine_run_timers(m);
        if (m->stop_pending)
            return;
        if (wfi_wakes(v)) {
            v->wfi = false;
            return;
        }
        uint64_t deadline = machine_next_deadline(m);
        if (deadline == UINT64_MAX) {
            machine_stop(m, EMU_STOP_HALT, "WFI at 0x%llx with no timer armed and no interrupt pending: "
                         "nothing can wake the CPU", (unsigned long long)v->wfi_pc);
            m->stop.pc = v->wfi_pc;
            return;
        }
        if (idle == A64_IDLE_EVENT_LIMIT) {
            machine_stop(m, EMU_STOP_HALT, "WFI at 0x%llx while 1000000 timer events passed without an "
                         "interrupt becoming pending", (unsigned long long)v->wfi_pc);
            m->stop.pc = v->wfi_pc;
            return;
        }
        if (deadline > m->cycles)
            m->cycles = deadline;       /* modelled sleep */
    }
}

static void finish(emu_machine *m, emu_stop *stop, bool stopped)
{
    a64_cpu *cpu = &m->virt->cpu;
    if (stopped) {
        *stop = m->stop;
        if (stop->n_bytes == 0)
            fill_insn_bytes(m, stop);
    } else {
        memset(stop, 0, sizeof *stop);
        stop->vector = -1;
        stop->kind = EMU_STOP_INSN_LIMIT;
        stop->pc = cpu->pc;
        snprintf(stop->message, sizeof stop->message, "instruction limit reached after %llu instructions, pc 0x%llx",
                 (unsigned long long)m->insns, (unsigned long long)cpu->pc);
    }
    m->stop = *stop;
    if (stop_is_final(stop->kind))
        m->stopped_for_good = true;
}

emu_err arm64_run(emu_machine *m, uint64_t max_insns, emu_stop *stop)
{
    virt_machine *v = m->virt;
    a64_cpu *cpu = &v->cpu;
    memset(stop, 0, sizeof *stop);
    stop->vector = -1;
    if (m->stopped_for_good) {
        *stop = m->stop;
        return EMU_ERR_STOPPED;
    }
    if (m->stop.kind == EMU_STOP_BREAKPOINT && m->stop.pc == cpu->pc) {
        m->skip_breakpoint = true;
        m->skip_breakpoint_at = cpu->pc;
    }
    m->stop_pending = false;
    memset(&m->stop, 0, sizeof m->stop);
    m->stop.vector = -1;
    machine_attention(m);
    /* Between runs a debugger or test may have changed what the CPU's page hints stand for. */
    a64_clear_page_hints(cpu);

    const uint32_t insn_cost = m->cost->insn_base;
    /* Instructions retired in this call, added to m->insns when it returns (nothing reads that count
     * during a run), so the loop's only store to the machine per instruction is the clock. */
    uint64_t budget = max_insns ? max_insns : UINT64_MAX, done = 0, storm = 0, retired = 0;
    if (m->delivery_pending) {
        m->delivery_pending = false;
        deliver_sync(m);
        done++;
    }
    while (!m->stop_pending) {
        if (m->cycles >= m->next_event) {
            machine_run_timers(m);
            if (m->stop_pending)
                break;
        }
        if (v->wfi) {
            sleep_in_wfi(m);
            if (m->stop_pending)
                break;
        }
        /* Checked at every boundary: the GIC's output is a flag it recomputes on every change. */
        if (interrupt_signalled(v) && take_interrupt(m))
            continue;
        if (done >= budget)
            break;
        if (m->n_breakpoints && !(m->skip_breakpoint && m->skip_breakpoint_at == cpu->pc)) {
            bool hit = false;
            for (unsigned i = 0; i < m->n_breakpoints; i++)
                hit |= m->breakpoints[i] == cpu->pc;
            if (hit) {
                machine_stop(m, EMU_STOP_BREAKPOINT, "breakpoint at pc 0x%llx", (unsigned long long)cpu->pc);
                break;
            }
        }
        /* An injection at this PC makes its INTID pending before the instruction: look again. */
        if (m->n_pc_injections && machine_inject_at_pc(m, cpu->pc))
            continue;
        if (m->skip_breakpoint)
            m->skip_breakpoint = false;
        a64_batch batch = { .max = batch_limit(m, budget - done), .clock = &m->cycles,
                            .deadline = &m->next_event, .cost = insn_cost };
        a64_status st = a64_run_batch(cpu, &batch);
        done += batch.done;
        retired += batch.done;
        if (batch.done)
            storm = 0;
        const uint64_t pc = batch.pc;
        switch (st) {
        case A64_OK:
            continue;   /* each one counted and clocked by a64_run_batch */
        case A64_WFE:
            break;      /* no event modelled beyond SEV: WFE completes at once, a permitted spurious wake-up */
        case A64_WFI:
            if (!wfi_wakes(v)) {
                v->wfi = true;
                v->wfi_pc = pc;
            }
            break;
        case A64_ERET: {
            emu_trap rec;
            a64_eret(cpu, &v->el, m->cycles, m->cost->delivery_step, &rec);
            machine_trap_record(m, &rec);
            break;
        }
        case A64_EXCEPTION:
            if (m->stop_pending)
                continue;   /* the access stopped the machine (an unmodelled MMU setup): report that */
            if (!handle_sync(m)) {
                done++;
                if (m->delivery_pending)
                    continue;   /* stop_pending ends the loop */
                if (++storm > A64_TRAP_STORM_LIMIT) {
                    machine_stop(m, EMU_STOP_ERROR,
                                 "trap storm: %llu exceptions delivered in a row without an instruction completing "
                                 "(the last %s, ISS 0x%x, at pc 0x%llx)", (unsigned long long)storm - 1,
                                 esr_ec_name(cpu->exc.ec), (unsigned)cpu->exc.iss, (unsigned long long)pc);
                }
                continue;
            }
            break;
        case A64_UNSUPPORTED:
            machine_stop(m, EMU_STOP_ERROR, "unsupported A64 instruction at pc 0x%llx: %s", (unsigned long long)pc,
                         cpu->unsupported);
            m->stop.pc = pc;
            continue;
        }
        storm = 0;
        done++;
        retired++;
        m->cycles += insn_cost;
    }
    m->insns += retired;
    m->skip_breakpoint = false;
    finish(m, stop, m->stop_pending);
    return EMU_OK;
}

emu_err arm64_step(emu_machine *m, emu_stop *stop)
{
    emu_err err = arm64_run(m, 1, stop);
    if (err == EMU_OK && stop->kind == EMU_STOP_INSN_LIMIT) {
        stop->kind = EMU_STOP_NONE;
        stop->message[0] = '\0';
        m->stop.kind = EMU_STOP_NONE;
    }
    return err;
}
