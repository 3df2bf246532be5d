/*
 * Run control: emu_run/emu_step drive the interpreter, deliver the
 * exceptions it raises (src/entry/x86), and turn the outcome into an
 * emu_stop. With break_on_exception an exception stops the run first, and
 * the next emu_run delivers it.
 */
#include <stdio.h>
#include <string.h>

#include "core/machine.h"
#include "core/memory.h"
#include "cpu/x86/vectors.h"
#include "entry/x86/entry.h"

static void fill_insn_bytes(emu_machine *m, emu_stop *stop)
{
    stop->n_bytes = 0;
    uint64_t pa;
    for (unsigned i = 0; i < 15; i++) {
        uint64_t lin = m->cpu.seg[X86_CS].base + stop->pc + i;
        if (x86_translate_debug(&m->cpu, lin, &pa) != 0)
            break;
        uint8_t *p = mem_ram_ptr(m, pa, 1);
        if (!p)
            break;
        stop->bytes[stop->n_bytes++] = *p;
    }
}

static void describe_exception(emu_machine *m, emu_stop *stop)
{
    const x86_fault *f = &m->cpu.fault;
    memset(stop, 0, sizeof *stop);
    stop->kind = EMU_STOP_EXCEPTION;
    stop->vector = f->vector;
    stop->error_code = f->has_error_code ? f->error_code : 0;
    stop->pc = m->cpu.rip;
    fill_insn_bytes(m, stop);
    char detail[64] = "";
    if (f->has_error_code)
        snprintf(detail, sizeof detail, "(0x%x)", f->error_code);
    char cr2[48] = "";
    if (f->vector == X86_VEC_PF)
        snprintf(cr2, sizeof cr2, ", linear address 0x%llx", (unsigned long long)f->cr2);
    snprintf(stop->message, sizeof stop->message,
             "%s%s (vector %u) %s rip 0x%llx%s: stopped before delivery (break on exception)",
             x86_vector_mnemonic(f->vector), detail, f->vector,
             f->kind == X86_EVENT_TRAP ? "after the instruction at" : "at",
             (unsigned long long)m->cpu.rip, cr2);
}

/* Deliver cpu->fault through the IDT; X86_STOP if the machine stopped (triple fault, unmodelled). */
static x86_status deliver_pending(emu_machine *m)
{
    return x86_deliver_recorded(&m->cpu);
}

/* Deliveries in a row with no instruction completing before emu calls it a livelock. */
#define EMU_TRAP_STORM_LIMIT 100000
/* Timer deadlines a halted CPU may sleep through without accepting an interrupt. */
#define EMU_IDLE_EVENT_LIMIT 1000000

static bool stop_is_final(emu_stop_kind kind)
{
    return kind == EMU_STOP_EXIT || kind == EMU_STOP_SHUTDOWN || kind == EMU_STOP_RESET;
}

/* Could an NMI still arrive that nothing has requested yet? Only an injection at a future cycle. */
static bool nmi_may_come(const emu_machine *m)
{
    for (unsigned i = 0; i < m->n_injections; i++)
        if (!m->injections[i].done && m->injections[i].req.nmi && m->injections[i].req.when == EMU_INJECT_AT_CYCLE)
            return true;
    return false;
}

static x86_status stop_halted(emu_machine *m, const char *why)
{
    machine_stop(m, EMU_STOP_HALT, "HLT at 0x%llx %s: nothing can wake the CPU",
                 (unsigned long long)m->cpu.halt_rip, why);
    m->stop.pc = m->cpu.halt_rip;
    return X86_STOP;
}

/*
 * An instruction boundary where something asked for attention: run the
 * timers that are due, then accept an NMI or interrupt (entry/x86/interrupt.c).
 * A halted CPU sleeps: the clock jumps to the next timer deadline until an
 * interrupt wakes it, or the machine stops when nothing can.
 */
static x86_status service_events(emu_machine *m)
{
    x86_cpu *cpu = &m->cpu;
    for (uint64_t idle = 0;; idle++) {
        if (m->stop_pending)
            return X86_STOP;
        machine_run_timers(m);
        if (m->stop_pending)
            return X86_STOP;
        emu_trap rec;
        bool accepted = false;
        x86_status st = x86_accept_interrupt(cpu, &rec, &accepted);
        if (accepted)
            machine_trap_record(m, &rec);
        /* A request held back by IF or a shadow: look again after the next instruction. A latched
         * NMI held by NMI blocking waits for IRET, which asks for attention itself. */
        if (st == X86_OK && ((m->nmi_latched && !cpu->nmi_blocked) || machine_intr_requested(m)))
            machine_attention(m);
        if (st != X86_OK || !cpu->halted)
            return st;
        if (!(cpu->rflags & X86_FLAG_IF) && !m->nmi_latched && !nmi_may_come(m))
            return stop_halted(m, "with interrupts disabled");
        uint64_t deadline = machine_next_deadline(m);
        if (deadline == UINT64_MAX)
            return stop_halted(m, "with no timer armed and no interrupt pending");
        if (idle == EMU_IDLE_EVENT_LIMIT)
            return stop_halted(m, "while 1000000 timer events passed without an interrupt being accepted");
        if (deadline > m->cycles)
            m->cycles = deadline;       /* modelled sleep: nothing runs until the deadline */
    }
}

emu_err emu_run(emu_machine *m, uint64_t max_insns, emu_stop *stop)
{
    if (m->arch == EMU_ARCH_AARCH64)
        return arm64_run(m, max_insns, stop);
    memset(stop, 0, sizeof *stop);
    stop->vector = -1;
    if (m->stopped_for_good) {
        *stop = m->stop;
        return EMU_ERR_STOPPED;
    }
    /* Resuming from a breakpoint executes the instruction it stopped before. */
    if (m->stop.kind == EMU_STOP_BREAKPOINT && m->stop.pc == m->cpu.rip) {
        m->skip_breakpoint = true;
        m->skip_breakpoint_at = m->cpu.rip;
    }
    m->stop_pending = false;
    memset(&m->stop, 0, sizeof m->stop);
    m->stop.vector = -1;
    machine_attention(m);       /* a front end may have changed state between runs */

    uint64_t budget = max_insns ? max_insns : UINT64_MAX, done = 0;
    x86_status st = X86_OK;
    if (m->delivery_pending) {
        m->delivery_pending = false;
        st = deliver_pending(m);
    }
    uint64_t storm = 0;
    while (st == X86_OK) {
        if (m->cycles >= m->next_event) {
            st = service_events(m);
            if (st != X86_OK)
                break;
        }
        if (done >= budget)
            break;
        uint64_t retired = 0;
        st = x86_run(&m->cpu, budget - done, &retired);
        done += retired;
        if (st != X86_FAULT)
            continue;
        if (m->opts.break_on_exception) {
            m->delivery_pending = true;
            break;
        }
        /* A handler whose first instruction faults again would deliver forever without retiring anything.
         * Deliveries x86_run made itself came after an instruction retired, each leaving the count at 1. */
        if (m->cpu.run_delivered)
            storm = 1;
        storm = m->insns != m->cpu.run_delivery_mark ? 1 : storm + 1;
        if (storm > EMU_TRAP_STORM_LIMIT) {
            char name[32];
            x86_event_name(&m->cpu.fault, name, sizeof name);
            machine_stop(m, EMU_STOP_ERROR,
                         "trap storm: %llu exceptions delivered in a row without an instruction completing "
                         "(the last %s at rip 0x%llx)",
                         (unsigned long long)storm - 1, name, (unsigned long long)m->cpu.rip);
            st = X86_STOP;
            break;
        }
        /* A request still pending after the delivery keeps next_event at 0 itself (service_events). */
        st = deliver_pending(m);
    }
    m->skip_breakpoint = false;
    switch (st) {
    case X86_OK:
        stop->kind = EMU_STOP_INSN_LIMIT;
        stop->pc = m->cpu.rip;
        snprintf(stop->message, sizeof stop->message, "instruction limit reached after %llu instructions, rip 0x%llx",
                 (unsigned long long)m->insns, (unsigned long long)m->cpu.rip);
        break;
    case X86_FAULT:
        describe_exception(m, stop);
        break;
    case X86_STOP:
        *stop = m->stop;
        if (stop->n_bytes == 0)
            fill_insn_bytes(m, stop);
        break;
    }
    m->stop = *stop;
    if (stop_is_final(stop->kind))
        m->stopped_for_good = true;
    return EMU_OK;
}

emu_err emu_step(emu_machine *m, emu_stop *stop)
{
    if (m->arch == EMU_ARCH_AARCH64)
        return arm64_step(m, stop);
    /* A step after break-on-exception is the delivery itself: it ends at the handler's first instruction. */
    if (m->delivery_pending && !m->stopped_for_good) {
        memset(stop, 0, sizeof *stop);
        stop->vector = -1;
        m->delivery_pending = false;
        m->stop_pending = false;
        if (deliver_pending(m) == X86_STOP) {
            *stop = m->stop;
            if (stop_is_final(stop->kind))
                m->stopped_for_good = true;
        }
        m->stop = *stop;
        return EMU_OK;
    }
    emu_err err = emu_run(m, 1, stop);
    if (err == EMU_OK && stop->kind == EMU_STOP_INSN_LIMIT) {
        stop->kind = EMU_STOP_NONE;
        stop->message[0] = '\0';
        m->stop.kind = EMU_STOP_NONE;
    }
    return err;
}

uint64_t emu_insn_count(const emu_machine *m)
{
    return m->insns;
}

uint64_t emu_cycle_count(const emu_machine *m)
{
    return m->cycles;
}

emu_err emu_breakpoint_add(emu_machine *m, uint64_t pc)
{
    for (unsigned i = 0; i < m->n_breakpoints; i++)
        if (m->breakpoints[i] == pc)
            return EMU_OK;
    if (m->n_breakpoints == EMU_MAX_BREAKPOINTS)
        return EMU_ERR_INVALID_ARG;
    m->breakpoints[m->n_breakpoints++] = pc;
    return EMU_OK;
}

emu_err emu_breakpoint_remove(emu_machine *m, uint64_t pc)
{
    for (unsigned i = 0; i < m->n_breakpoints; i++) {
        if (m->breakpoints[i] == pc) {
            m->breakpoints[i] = m->breakpoints[--m->n_breakpoints];
            return EMU_OK;
        }
    }
    return EMU_ERR_INVALID_ARG;
}
