/*
 * Exception and interrupt delivery in IA-32e mode (SDM vol. 3, 6.14, and the
 * INT n pseudocode in vol. 2): read the 16-byte gate, check it, check the
 * target code segment, choose the stack (IST, RSPn on a privilege change, or
 * the current one), align it to 16 bytes, push SS, RSP, RFLAGS, CS, RIP and
 * the error code, and only then load CS:RIP, SS:RSP and RFLAGS.
 *
 * Validate -> stage -> commit: every read and check comes first and may
 * fault (the fault returns to x86_deliver, which escalates); the frame is
 * written in one checked write; the registers change only after that.
 */
#include <stdio.h>
#include <string.h>

#include "core/machine.h"
#include "cpu/x86/system.h"
#include "entry/x86/entry.h"
#include "entry/x86/handler_cs.h"
#include "mmu/x86_paging.h"

#define IDT_GATE64_BYTES   16
#define GATE_TYPE_INT64    0xeu     /* 64-bit interrupt gate: clears IF */
#define GATE_TYPE_TRAP64   0xfu     /* 64-bit trap gate: leaves IF */
#define GATE_IST_MASK      0x7u
#define TSS64_IST1         0x24u    /* ISTn at 0x24 + 8(n-1) */
#define STACK_ALIGN_MASK   0xfull   /* 16-byte alignment in IA-32e mode (6.14.2) */
#define FRAME_MAX_SLOTS    6

typedef struct gate64 {
    uint64_t offset;
    uint16_t selector;
    unsigned ist, type, dpl;
    bool present;
} gate64;

static gate64 decode_gate(uint64_t lo, uint64_t hi)
{
    return (gate64){
        .offset = (lo & 0xffff) | ((lo >> 32) & 0xffff0000ull) | ((hi & 0xffffffffull) << 32),
        .selector = (uint16_t)(lo >> 16),
        .ist = (unsigned)(lo >> 32) & GATE_IST_MASK,
        .type = (unsigned)(lo >> X86_DESC_TYPE_SHIFT) & X86_DESC_TYPE_MASK,
        .dpl = (unsigned)(lo >> X86_DESC_DPL_SHIFT) & 3,
        .present = (lo & X86_DESC_P) != 0,
    };
}

/*
 * Faults push RF = 1, except the instruction-breakpoint #DB, whose handler
 * decides; so does a trap between REP string iterations (18.3.1.1).
 */
static bool pushes_rf(const x86_fault *ev)
{
    return (ev->kind == X86_EVENT_FAULT && !ev->software && !ev->instruction_breakpoint) ||
           ev->string_iteration;
}

x86_status x86_deliver64(x86_cpu *cpu, const x86_fault *ev, emu_trap *rec)
{
    const unsigned vector = ev->vector;
    /* EXT: the event is external to the program (not INT n / INT3 / INTO) (6.13). */
    const uint32_t ext = ev->software ? 0 : X86_ERR_EXT;
    const uint32_t idt_err = vector * 8 + X86_ERR_IDT + ext;
    x86_status st;

    /* CR2 is loaded before delivery begins, so it holds even if delivery faults (6.15, #PF). */
    if (vector == X86_VEC_PF) {
        cpu->cr2 = ev->cr2;
        x86_trap_step(cpu, rec, "write CR2", 0, ev->cr2);
    }

    /* ---- Validate: the gate ---- */
    uint64_t gate_addr = cpu->idtr.base + (uint64_t)vector * IDT_GATE64_BYTES;
    x86_trap_step(cpu, rec, "check IDT limit", cpu->idtr.base, cpu->idtr.limit);
    if ((uint64_t)vector * IDT_GATE64_BYTES + IDT_GATE64_BYTES - 1 > cpu->idtr.limit)
        return x86_raise_error(cpu, X86_VEC_GP, idt_err);
    uint8_t raw[IDT_GATE64_BYTES];
    const uint8_t *gate_bytes = x86_cached_read_ptr(cpu, gate_addr, IDT_GATE64_BYTES, false);
    if (!gate_bytes) {
        st = x86_sys_read_buf(cpu, gate_addr, raw, sizeof raw);
        if (st != X86_OK)
            return st;
        gate_bytes = raw;
    }
    gate64 gate = decode_gate(x86_load_le(gate_bytes, 8), x86_load_le(gate_bytes + 8, 8));
    x86_trap_step(cpu, rec, "read IDT gate", gate_addr, x86_load_le(gate_bytes, 8));

    x86_trap_step(cpu, rec, "check gate type/present/DPL", gate_addr, gate.type);
    if (gate.type != GATE_TYPE_INT64 && gate.type != GATE_TYPE_TRAP64)
        return x86_raise_error(cpu, X86_VEC_GP, idt_err);
    /* Only software interrupts are checked against the gate's DPL (6.12.1.1). */
    if (ev->software && gate.dpl < cpu->cpl)
        return x86_raise_error(cpu, X86_VEC_GP, vector * 8 + X86_ERR_IDT);
    if (!gate.present)
        return x86_raise_error(cpu, X86_VEC_NP, idt_err);

    /* ---- Validate: the target code segment ---- */
    uint16_t sel = gate.selector;
    x86_segment cs;
    unsigned new_cpl = 0;
    st = x86_handler_cs(cpu, rec, sel, ext, true, &cs, &new_cpl);
    if (st != X86_OK)
        return st;
    if (!x86_canonical(gate.offset))
        return x86_raise_error(cpu, X86_VEC_GP, ext);

    /* ---- Validate: the stack (6.14.4, 6.14.5) ---- */
    uint64_t new_rsp = 0;
    if (gate.ist != 0) {
        st = x86_tss64_read(cpu, rec, "read TSS.IST", TSS64_IST1 + 8 * (gate.ist - 1), ext, &new_rsp);
        static const x86_stack_name ist_names[] = { "", "IST1", "IST2", "IST3", "IST4", "IST5", "IST6", "IST7" };
        x86_trap_stack_padded(rec, ist_names[gate.ist]);
    } else if (new_cpl < cpu->cpl) {
        st = x86_tss64_read(cpu, rec, "read TSS.RSPn", X86_TSS64_RSP0 + 8 * new_cpl, ext, &new_rsp);
        static const x86_stack_name rsp_names[] = { "RSP0", "RSP1", "RSP2" };
        x86_trap_stack_padded(rec, rsp_names[new_cpl]);
    } else {
        new_rsp = cpu->gpr[X86_RSP];
        x86_trap_stack(rec, "current");
    }
    if (st != X86_OK)
        return st;
    new_rsp &= ~STACK_ALIGN_MASK;
    x86_trap_step(cpu, rec, "align RSP to 16 bytes", 0, new_rsp);

    /* ---- Stage: the frame, lowest address first (slot 0, the error code, only if the event has one) ---- */
    static const char *const slot_names[FRAME_MAX_SLOTS] = {
        "push error code", "push RIP", "push CS", "push RFLAGS", "push RSP", "push SS",
    };
    uint64_t rflags = x86_rflags(cpu);
    /* Faults push RF = 1 so the restarted instruction is not hit by its own breakpoint (18.3.1.1). */
    uint64_t rflags_image = pushes_rf(ev) ? (rflags | X86_FLAG_RF) : (rflags & ~X86_FLAG_RF);
    uint64_t frame[FRAME_MAX_SLOTS] = {
        ev->error_code, cpu->rip, cpu->seg[X86_CS].selector, rflags_image,
        cpu->gpr[X86_RSP], cpu->seg[X86_SS].selector,
    };
    unsigned first = ev->has_error_code ? 0 : 1;
    unsigned n = FRAME_MAX_SLOTS - first;
    uint64_t frame_rsp = new_rsp - 8ull * n;
    if (!x86_canonical(frame_rsp) || !x86_canonical(new_rsp - 1))
        return x86_raise_error(cpu, X86_VEC_SS, ext);
    uint8_t image[8 * FRAME_MAX_SLOTS];
    for (unsigned i = 0; i < FRAME_MAX_SLOTS; i++)
        x86_store_le(image + 8 * i, 8, frame[i]);
    st = x86_write_frame(cpu, frame_rsp, image + 8 * first, 8, n, new_cpl == 3, false);
    if (st != X86_OK)
        return st;
    /* Recorded in push order, SS first; slot i lies at slot_base + 8i. */
    uint64_t slot_base = new_rsp - 8ull * FRAME_MAX_SLOTS;
    x86_trap_slot_steps(cpu, rec, slot_names, frame, slot_base, 1, FRAME_MAX_SLOTS, true);
    if (ev->has_error_code)
        x86_trap_step(cpu, rec, slot_names[0], slot_base, frame[0]);

    /* ---- Commit: no fault is possible past this line ---- */
    cs.selector = (uint16_t)((sel & ~X86_SEL_RPL_MASK) | new_cpl);
    cpu->seg[X86_CS] = cs;
    x86_trap_step(cpu, rec, "load CS:RIP", gate.offset, cs.selector);
    if (new_cpl != cpu->cpl) {
        /* A privilege change loads SS with a null selector whose RPL is the new CPL (6.14.4). */
        cpu->seg[X86_SS] = (x86_segment){ .selector = (uint16_t)new_cpl };
        x86_trap_step(cpu, rec, "load SS with null selector", 0, new_cpl);
    }
    cpu->gpr[X86_RSP] = frame_rsp;
    cpu->rip = gate.offset;
    uint64_t clear = X86_FLAG_TF | X86_FLAG_NT | X86_FLAG_RF | X86_FLAG_VM;
    if (gate.type == GATE_TYPE_INT64)
        clear |= X86_FLAG_IF;
    cpu->rflags = rflags & ~clear;
    x86_trap_step(cpu, rec, gate.type == GATE_TYPE_INT64 ? "clear TF NT RF IF" : "clear TF NT RF",
                  0, cpu->rflags);
    cpu->interrupt_shadow = 0;
    x86_update_mode(cpu);
    rec->to_pc = cpu->rip;
    rec->to_sp = frame_rsp;
    rec->to_priv = cpu->cpl;
    return X86_OK;
}
