/*
 * Faults met while delivering a fault (SDM vol. 3, 6.15, "Interrupt 8 -
 * Double Fault Exception", tables 6-4 and 6-5). Each exception has a class;
 * a contributory fault during a contributory one, or a contributory fault or
 * page fault during a page fault, becomes #DF; any contributory fault or page
 * fault while delivering #DF is a triple fault, which shuts the machine
 * down. Any other second fault is simply delivered instead of the first.
 * The loop is bounded by that table: at most four attempts.
 */
#include <stdio.h>
#include <string.h>

#include "core/machine.h"
#include "entry/x86/entry.h"

typedef enum fault_class {
    CLASS_BENIGN,
    CLASS_CONTRIBUTORY,
    CLASS_PAGE_FAULT,
    CLASS_DOUBLE_FAULT,
} fault_class;

/* Table 6-4: the contributory exceptions; everything not listed is benign. */
static const fault_class vector_class[32] = {
    [X86_VEC_DE] = CLASS_CONTRIBUTORY, [X86_VEC_TS] = CLASS_CONTRIBUTORY,
    [X86_VEC_NP] = CLASS_CONTRIBUTORY, [X86_VEC_SS] = CLASS_CONTRIBUTORY,
    [X86_VEC_GP] = CLASS_CONTRIBUTORY, [X86_VEC_PF] = CLASS_PAGE_FAULT,
    [X86_VEC_DF] = CLASS_DOUBLE_FAULT,
};

static bool is_exception(const x86_fault *ev)
{
    return ev->vector < 32 && !ev->software && ev->kind != X86_EVENT_INTERRUPT && ev->kind != X86_EVENT_NMI;
}

/* External interrupts and NMI are benign whatever their vector (table 6-4). */
static fault_class class_of(const x86_fault *ev)
{
    return is_exception(ev) ? vector_class[ev->vector] : CLASS_BENIGN;
}

/* Table 6-5: does `second`, raised while delivering `first`, become #DF? */
static bool makes_double_fault(fault_class first, fault_class second)
{
    bool serious = second == CLASS_CONTRIBUTORY || second == CLASS_PAGE_FAULT;
    return (first == CLASS_CONTRIBUTORY && second == CLASS_CONTRIBUTORY) ||
           (first == CLASS_PAGE_FAULT && serious);
}

#define MAX_ATTEMPTS 4

static emu_trap_kind record_kind(const x86_fault *ev)
{
    if (ev->software)
        return EMU_TRAP_SOFTWARE;
    if (ev->kind == X86_EVENT_INTERRUPT)
        return EMU_TRAP_INTERRUPT;
    if (ev->kind == X86_EVENT_NMI)
        return EMU_TRAP_NMI;
    if (class_of(ev) == CLASS_DOUBLE_FAULT)
        return EMU_TRAP_ABORT;
    return ev->kind == X86_EVENT_TRAP ? EMU_TRAP_TRAP : EMU_TRAP_FAULT;
}

static void append(char *chain, size_t len, const char *text)
{
    size_t used = strlen(chain);
    if (used < len)
        snprintf(chain + used, len - used, "%s", text);
}

/* One attempt at delivering ev; X86_FAULT with cpu->fault set if it met a fault. */
static x86_status attempt(x86_cpu *cpu, const x86_fault *ev, emu_trap *rec)
{
    return (cpu->efer & X86_EFER_LMA) ? x86_deliver64(cpu, ev, rec) : x86_deliver32(cpu, ev, rec);
}

/* The record describes the event finally delivered and the RIP it saved. */
static void record_delivered(emu_trap *rec, const x86_fault *ev, uint64_t saved_rip, const char *chain)
{
    rec->kind = record_kind(ev);
    rec->from_pc = saved_rip;
    rec->vector = ev->vector;
    rec->has_error_code = ev->has_error_code;
    rec->error_code = ev->error_code;
    /* The chain is empty on the common path: copy only when there is one. */
    rec->escalation[0] = '\0';
    if (chain[0])
        snprintf(rec->escalation, sizeof rec->escalation, "%s", chain);
}

/*
 * Delivering event met the fault in cpu->fault: escalate it as table 6-5
 * says and try again, at most MAX_ATTEMPTS attempts in all. Out of line:
 * most deliveries never get here.
 */
static __attribute__((noinline)) x86_status escalate(x86_cpu *cpu, emu_trap *rec, x86_fault event)
{
    char name[32], chain[sizeof rec->escalation];
    chain[0] = '\0';      /* not "" as an initialiser, which would clear all of it on every delivery */
    for (unsigned attempts = 1;; attempts++) {
        x86_fault second = cpu->fault;
        /* A fault while delivering INT n / INT3 / INTO reports the instruction itself (6.5). */
        if (event.kind == X86_EVENT_TRAP && second.kind == X86_EVENT_FAULT)
            cpu->rip = event.insn_rip;
        fault_class first_class = class_of(&event), second_class = class_of(&second);
        x86_event_name(&second, name, sizeof name);
        append(chain, sizeof chain, chain[0] ? " -> " : "");
        if (!chain[0]) {
            char first_name[32];
            x86_event_name(&event, first_name, sizeof first_name);
            append(chain, sizeof chain, first_name);
            append(chain, sizeof chain, " -> ");
        }
        append(chain, sizeof chain, name);
        if (first_class == CLASS_DOUBLE_FAULT && second_class != CLASS_BENIGN) {
            append(chain, sizeof chain, " -> triple fault");
            snprintf(rec->escalation, sizeof rec->escalation, "%s", chain);
            machine_stop(cpu->machine, EMU_STOP_SHUTDOWN, "shutdown: %s at rip 0x%llx", chain,
                         (unsigned long long)cpu->rip);
            return X86_STOP;
        }
        if (makes_double_fault(first_class, second_class)) {
            append(chain, sizeof chain, " -> #DF");
            /* #DF pushes an error code of zero and is an abort (6.15, interrupt 8). */
            event = (x86_fault){ .vector = X86_VEC_DF, .has_error_code = true, .error_code = 0,
                                 .kind = X86_EVENT_FAULT };
        } else {
            event = second;     /* handled serially: the second event is delivered instead */
        }
        if (attempts == MAX_ATTEMPTS)
            break;
        uint64_t saved_rip = cpu->rip;
        x86_status st = attempt(cpu, &event, rec);
        if (st != X86_FAULT) {
            record_delivered(rec, &event, saved_rip, chain);
            return st;
        }
    }
    machine_stop(cpu->machine, EMU_STOP_SHUTDOWN, "shutdown: %s did not settle", chain);
    return X86_STOP;
}

/* The first attempt, and escalation only if it faulted. Inline: x86_deliver_recorded's path. */
static inline x86_status deliver(x86_cpu *cpu, emu_trap *rec)
{
    const x86_fault event = cpu->fault;
    uint64_t saved_rip = cpu->rip;
    x86_status st = attempt(cpu, &event, rec);
    if (X86_LIKELY(st != X86_FAULT)) {
        record_delivered(rec, &event, saved_rip, "");
        return st;
    }
    return escalate(cpu, rec, event);
}

x86_status x86_deliver(x86_cpu *cpu, emu_trap *rec)
{
    return deliver(cpu, rec);
}

x86_status x86_deliver_recorded(x86_cpu *cpu)
{
    if (!(cpu->cr0 & X86_CR0_PE)) {
        char name[32];
        x86_event_name(&cpu->fault, name, sizeof name);
        machine_stop(cpu->machine, EMU_STOP_ERROR,
                     "%s at rip 0x%llx: real-mode delivery (the IVT) is not modelled yet", name,
                     (unsigned long long)cpu->rip);
        return X86_STOP;
    }
    emu_trap rec;
    x86_trap_begin(cpu, &rec, EMU_TRAP_FAULT, cpu->fault.vector);
    if (cpu->fault.vector == X86_VEC_PF)
        rec.cr2 = cpu->fault.cr2;
    x86_status st = deliver(cpu, &rec);
    machine_trap_record(cpu->machine, &rec);
    return st;
}
