/*
 * x86 trap delivery and return (SDM vol. 3, chapter 6; vol. 2, IRET): the
 * long-mode IDT delivery with its TSS stack selection, the double-fault and
 * triple-fault escalation, and IRETQ. Each builds an emu_trap record of its
 * steps as it works; nothing architectural changes before the commit point.
 */
#ifndef EMU_ENTRY_X86_ENTRY_H
#define EMU_ENTRY_X86_ENTRY_H

#include <string.h>

#include "core/machine.h"
#include "cpu/x86/x86.h"
#include "emu/emu.h"

/* #GP/#NP/#TS/#SS error code bits (SDM vol. 3, 6.13). */
#define X86_ERR_EXT 0x1u    /* the event was external to the program */
#define X86_ERR_IDT 0x2u    /* the index refers to the IDT */

/*
 * Deliver the event in cpu->fault, escalating faults met on the way (#DF,
 * triple fault). X86_OK: the handler's first instruction is next. X86_STOP:
 * the machine stopped (shutdown after a triple fault, or a delivery emu does
 * not model, named in the stop). rec receives the record.
 */
X86_MUST_CHECK x86_status x86_deliver(x86_cpu *cpu, emu_trap *rec);

/*
 * At an instruction boundary: accept a latched NMI or a requested maskable
 * interrupt if the CPU's state allows it, and deliver it. *accepted says
 * whether one was; rec receives its record. X86_STOP if the machine stopped.
 */
X86_MUST_CHECK x86_status x86_accept_interrupt(x86_cpu *cpu, emu_trap *rec, bool *accepted);

/* Could anything be accepted now (for waking from HLT)? */
bool x86_interrupt_deliverable(const x86_cpu *cpu);

/* One delivery attempt in IA-32e mode; a fault on the way returns X86_FAULT with cpu->fault set. */
X86_MUST_CHECK x86_status x86_deliver64(x86_cpu *cpu, const x86_fault *ev, emu_trap *rec);

/* Check the gate's target code segment (handler_cs.c); *new_cpl is the handler's privilege. */
X86_MUST_CHECK x86_status x86_handler_cs(x86_cpu *cpu, emu_trap *rec, uint16_t sel, uint32_t ext, bool ia32e,
                                         x86_segment *cs, unsigned *new_cpl);

/* One delivery attempt in protected mode outside IA-32e mode (8-byte gates, 32-bit TSS). */
X86_MUST_CHECK x86_status x86_deliver32(x86_cpu *cpu, const x86_fault *ev, emu_trap *rec);

/* IRET in protected mode: IRETQ/IRETD/IRETW in 64-bit mode, IRETD/IRETW elsewhere. */
X86_MUST_CHECK x86_status x86_iret_protected(x86_cpu *cpu, const x86_insn *insn, emu_trap *rec);

/* Start a record: header from the CPU's current state, no steps yet. */
void x86_trap_begin(const x86_cpu *cpu, emu_trap *rec, emu_trap_kind kind, int vector);

/* Append a step to rec and add its cost to the record's; the clock is charged with the record's
 * total when it completes (machine_trap_record) or is abandoned (x86_trap_abandon). */
static inline void x86_trap_step(x86_cpu *cpu, emu_trap *rec, const char *name, uint64_t addr, uint64_t value)
{
    const uint32_t cost = cpu->trap_step_cost;
    const unsigned n = rec->n_steps;
    rec->cycles += cost;
    if (X86_LIKELY(n < EMU_TRAP_MAX_STEPS)) {
        rec->steps[n] = (emu_trap_step){ name, addr, value, cost };
        rec->n_steps = n + 1;
    } else {
        rec->steps[EMU_TRAP_MAX_STEPS - 1].cycles += cost;  /* keep the sum exact */
    }
}

/* A record whose operation faulted part-way (IRET, SYSRET): no record, but the work was done. */
static inline void x86_trap_abandon(x86_cpu *cpu, const emu_trap *rec)
{
    cpu->machine->cycles += rec->cycles;
}

/* Name the stack a delivery used ("current", "RSP0", "IST3", ...): a copy, no formatting. */
static inline void x86_trap_stack(emu_trap *rec, const char *name)
{
    size_t n = strlen(name);
    if (n >= sizeof rec->stack)
        n = sizeof rec->stack - 1;
    memcpy(rec->stack, name, n);
    rec->stack[n] = '\0';
}

/* The mnemonic with error code, e.g. "#GP(0x6a)", for records and messages. */
void x86_event_name(const x86_fault *ev, char *buf, size_t len);

#endif
