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
#include "cpu/x86/system.h"
#include "cpu/x86/x86.h"
#include "emu/emu.h"
#include "mmu/x86_paging.h"

/* #GP/#NP/#TS/#SS error code bits (SDM vol. 3, 6.13). */
#define X86_ERR_EXT 0x1u    /* the event was external to the program */
#define X86_ERR_IDT 0x2u    /* the index refers to the IDT */

/* ---- Trap records: the steps appended as delivery works, each with its modelled cost ---- */

/* Start a record: header from the CPU's current state, no steps yet (inline: two per round trip). */
static inline void x86_trap_begin(const x86_cpu *cpu, emu_trap *rec, emu_trap_kind kind, int vector)
{
    /* Field by field: the steps array is large and filled as delivery goes, so it is not zeroed. */
    rec->seq = 0;
    rec->arch = EMU_ARCH_X86_64;
    rec->esr = 0;
    rec->far = 0;
    rec->far_valid = false;
    rec->spsr = 0;
    rec->vbar = 0;
    rec->cycle_start = cpu->machine->cycles;
    rec->cycles = 0;
    rec->kind = kind;
    rec->vector = vector;
    rec->has_error_code = false;
    rec->error_code = 0;
    rec->cr2 = 0;
    rec->from_pc = cpu->rip;
    rec->from_sp = cpu->gpr[X86_RSP];
    rec->from_priv = cpu->cpl;
    rec->to_pc = rec->to_sp = 0;
    rec->to_priv = 0;
    rec->stack[0] = '\0';
    rec->gs_base = cpu->seg[X86_GS].base;
    rec->kernel_gs_base = cpu->msr.kernel_gs_base;
    rec->source[0] = '\0';
    rec->escalation[0] = '\0';
    rec->n_steps = 0;
}

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

/*
 * The steps of slots [first, end) of an 8-byte-slot stack frame, slot i
 * holding values[i] at base + 8i, named names[i]: pushes are recorded from
 * the top slot down, pops from the bottom up. They happen together (one
 * frame write or read, nothing can fault between them), so one room check
 * serves them all; the record is the same as one x86_trap_step per slot.
 */
static inline void x86_trap_slot_steps(x86_cpu *cpu, emu_trap *rec, const char *const *names,
                                       const uint64_t *values, uint64_t base, unsigned first, unsigned end,
                                       bool pushes)
{
    const unsigned k = end - first, n = rec->n_steps;
    if (X86_UNLIKELY(n + k > EMU_TRAP_MAX_STEPS)) {
        for (unsigned j = 0; j < k; j++) {
            unsigned i = pushes ? end - 1 - j : first + j;
            x86_trap_step(cpu, rec, names[i], base + 8ull * i, values[i]);
        }
        return;
    }
    const uint32_t cost = cpu->trap_step_cost;
    for (unsigned j = 0; j < k; j++) {
        unsigned i = pushes ? end - 1 - j : first + j;
        rec->steps[n + j] = (emu_trap_step){ names[i], base + 8ull * i, values[i], cost };
    }
    rec->n_steps = n + k;
    rec->cycles += (uint64_t)k * cost;
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

/* A stack name from a table padded to the record's field: one fixed-size copy, no strlen. */
typedef char x86_stack_name[sizeof ((emu_trap *)0)->stack];
static inline void x86_trap_stack_padded(emu_trap *rec, const x86_stack_name name)
{
    memcpy(rec->stack, name, sizeof rec->stack);
}

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

/*
 * Deliver the exception in cpu->fault with its trap record (kind fault, CR2
 * for #PF), passed to machine_trap_record: what emu_run does with an
 * exception an instruction raised. Real mode stops the machine, naming it.
 */
X86_MUST_CHECK x86_status x86_deliver_recorded(x86_cpu *cpu);

/* Could anything be accepted now (for waking from HLT)? */
bool x86_interrupt_deliverable(const x86_cpu *cpu);

/* One delivery attempt in IA-32e mode; a fault on the way returns X86_FAULT with cpu->fault set. */
X86_MUST_CHECK x86_status x86_deliver64(x86_cpu *cpu, const x86_fault *ev, emu_trap *rec);

/* One delivery attempt in protected mode outside IA-32e mode (8-byte gates, 32-bit TSS). */
X86_MUST_CHECK x86_status x86_deliver32(x86_cpu *cpu, const x86_fault *ev, emu_trap *rec);

/* ---- The TSS stacks of a transfer to a more privileged level (tss.c; the 64-bit read inline) ---- */

#define X86_TSS64_RSP0 0x04u    /* 64-bit TSS: RSPn at 4 + 8n (SDM vol. 3, figure 8-11) */

/*
 * Read the 8-byte field at offset of a 64-bit TSS as step `name`; beyond TR's limit is #TS(TR + ext).
 * Inline: an outward delivery reads one, and its step then joins the delivery's own.
 */
static inline X86_MUST_CHECK x86_status x86_tss64_read(x86_cpu *cpu, emu_trap *rec, const char *name,
                                                       unsigned offset, uint32_t ext, uint64_t *val)
{
    if (!(cpu->tr.attr & X86_SEG_ATTR_P) || offset + 7 > cpu->tr.limit)
        return x86_raise_error(cpu, X86_VEC_TS, (cpu->tr.selector & X86_SEL_INDEX_MASK) | ext);
    const uint64_t lin = cpu->tr.base + offset;
    const uint8_t *host = x86_cached_read_ptr(cpu, lin, 8, false);
    if (host) {
        *val = x86_load_le(host, 8);
    } else {
        uint8_t raw[8];
        x86_status st = x86_sys_read_buf(cpu, lin, raw, sizeof raw);
        if (st != X86_OK)
            return st;
        *val = x86_load_le(raw, 8);
    }
    x86_trap_step(cpu, rec, name, lin, *val);
    return X86_OK;
}

/*
 * SSn:ESPn of a 32-bit TSS for new_cpl, the new SS checked: #TS(TR or SS +
 * ext), #SS(SS + ext). *ss_desc_addr (if not NULL): SS's descriptor.
 */
X86_MUST_CHECK x86_status x86_tss32_stack(x86_cpu *cpu, emu_trap *rec, unsigned new_cpl, uint32_t ext,
                                          x86_segment *ss, uint32_t *esp, uint64_t *ss_desc_addr);

/* Room for `bytes` below esp in a stack segment (expand-down: all of it above the limit). */
static inline bool x86_stack_has_room(const x86_segment *ss, uint32_t esp, unsigned bytes)
{
    bool expand_down = (ss->attr & X86_TYPE_EXPAND_DN) != 0;
    if (esp < bytes)
        return false;
    return expand_down ? esp - bytes > ss->limit : esp - 1 <= ss->limit;
}

/* ---- Far transfers through call gates (callgate.c) and far RET outward (retf.c) ---- */

/*
 * Far CALL / far JMP whose selector named a call gate: gate (raw descriptor
 * gate_lo at gate_addr) and target checks, the stack switch of a CALL to a
 * more privileged level, a record of kind EMU_TRAP_CALL_GATE. Nothing
 * changes unless every check passes.
 */
X86_MUST_CHECK x86_status x86_call_through_gate(x86_cpu *cpu, uint16_t gate_sel, uint64_t gate_lo,
                                                uint64_t gate_addr);
X86_MUST_CHECK x86_status x86_jmp_through_gate(x86_cpu *cpu, uint16_t gate_sel, uint64_t gate_lo, uint64_t gate_addr);

/* Far RET (CB, or CA with imm16) whose return CS has RPL > CPL: pops SS:RSP too; an EMU_TRAP_RETURN record. */
X86_MUST_CHECK x86_status x86_retf_outer(x86_cpu *cpu, const x86_insn *insn);

/*
 * Write a frame of n slots (image holds the lowest slot first) at linear
 * address lin, slot by slot (frame.c). The CPU pushes from the highest slot
 * down (SS first), so when the frame cannot be written at once, slots go one
 * by one from the top and a fault names the push it met (CR2 = that slot),
 * as the SDM's push sequence would. wrap32: addresses wrap at 4 GiB (outside
 * IA-32e mode).
 */
X86_MUST_CHECK x86_status x86_write_frame_slow(x86_cpu *cpu, uint64_t lin, const uint8_t *image, unsigned slot,
                                               unsigned n, bool user, bool wrap32);
/* The same, with the common case inline (one cached page holds the whole frame: one copy, no fault possible). */
static inline X86_MUST_CHECK x86_status x86_write_frame(x86_cpu *cpu, uint64_t lin, const uint8_t *image,
                                                        unsigned slot, unsigned n, bool user, bool wrap32)
{
    uint8_t *host = wrap32 ? NULL : x86_cached_write_ptr(cpu, lin, slot * n, user);
    if (X86_LIKELY(host)) {
        memcpy(host, image, (size_t)slot * n);
        return X86_OK;
    }
    return x86_write_frame_slow(cpu, lin, image, slot, n, user, wrap32);
}

/* The mnemonic with error code, e.g. "#GP(0x6a)", for records and messages. */
void x86_event_name(const x86_fault *ev, char *buf, size_t len);

#endif
