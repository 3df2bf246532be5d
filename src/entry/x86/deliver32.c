/*
 * Exception and interrupt delivery in protected mode outside IA-32e mode
 * (SDM vol. 3, 6.12; vol. 2, INT n: PROTECTED-MODE, INTER-PRIVILEGE-LEVEL-
 * INTERRUPT and INTRA-PRIVILEGE-LEVEL-INTERRUPT): 8-byte interrupt and trap
 * gates (32-bit, and 16-bit with 2-byte pushes), a stack switch to
 * TSS.SSn:ESPn of a 32-bit TSS when the handler is more privileged, segment
 * limit checks on the pushes, no stack alignment. Same shape as
 * deliver64.c: validate, stage the frame, write it once, then commit.
 * Task gates and virtual-8086 mode are not modelled and stop the run.
 */
#include <stdio.h>
#include <string.h>

#include "core/machine.h"
#include "cpu/x86/system.h"
#include "entry/x86/entry.h"
#include "entry/x86/handler_cs.h"
#include "mmu/x86_paging.h"

#define IDT_GATE32_BYTES   8
#define GATE_TYPE_TASK     0x5u
#define GATE_TYPE_INT16    0x6u
#define GATE_TYPE_TRAP16   0x7u
#define GATE_TYPE_INT32    0xeu
#define GATE_TYPE_TRAP32   0xfu
#define GATE_32BIT         0x8u     /* type bit 3: 32-bit gate */
#define GATE_TRAP          0x1u     /* type bit 0: trap gate (IF kept) */
#define FRAME_MAX_SLOTS    6

typedef struct gate32 {
    uint32_t offset;
    uint16_t selector;
    unsigned type, dpl;
    bool present;
} gate32;

static gate32 decode_gate(uint64_t g)
{
    return (gate32){
        .offset = (uint32_t)((g & 0xffff) | ((g >> 32) & 0xffff0000u)),
        .selector = (uint16_t)(g >> 16),
        .type = (unsigned)(g >> X86_DESC_TYPE_SHIFT) & X86_DESC_TYPE_MASK,
        .dpl = (unsigned)(g >> X86_DESC_DPL_SHIFT) & 3,
        .present = (g & X86_DESC_P) != 0,
    };
}

x86_status x86_deliver32(x86_cpu *cpu, const x86_fault *ev, emu_trap *rec)
{
    const unsigned vector = ev->vector;
    const uint32_t ext = ev->software ? 0 : X86_ERR_EXT;
    const uint32_t idt_err = vector * 8 + X86_ERR_IDT + ext;
    x86_status st;

    if (vector == X86_VEC_PF) {
        cpu->cr2 = ev->cr2;
        x86_trap_step(cpu, rec, "write CR2", 0, ev->cr2);
    }
    if (cpu->rflags & X86_FLAG_VM) {
        machine_stop(cpu->machine, EMU_STOP_ERROR, "delivery from virtual-8086 mode is not modelled");
        return X86_STOP;
    }

    /* ---- Validate: the gate ---- */
    uint64_t gate_addr = cpu->idtr.base + (uint64_t)vector * IDT_GATE32_BYTES;
    x86_trap_step(cpu, rec, "check IDT limit", cpu->idtr.base, cpu->idtr.limit);
    if ((uint64_t)vector * IDT_GATE32_BYTES + IDT_GATE32_BYTES - 1 > cpu->idtr.limit)
        return x86_raise_error(cpu, X86_VEC_GP, idt_err);
    uint8_t raw[IDT_GATE32_BYTES];
    st = x86_sys_read_buf(cpu, gate_addr, raw, sizeof raw);
    if (st != X86_OK)
        return st;
    gate32 gate = decode_gate(x86_load_le(raw, 8));
    x86_trap_step(cpu, rec, "read IDT gate", gate_addr, x86_load_le(raw, 8));
    x86_trap_step(cpu, rec, "check gate type/present/DPL", gate_addr, gate.type);
    if (gate.type == GATE_TYPE_TASK) {
        machine_stop(cpu->machine, EMU_STOP_ERROR, "vector %u goes through a task gate: task switches are not modelled",
                     vector);
        return X86_STOP;
    }
    if (gate.type != GATE_TYPE_INT32 && gate.type != GATE_TYPE_TRAP32 && gate.type != GATE_TYPE_INT16 &&
        gate.type != GATE_TYPE_TRAP16)
        return x86_raise_error(cpu, X86_VEC_GP, idt_err);
    if (ev->software && gate.dpl < cpu->cpl)
        return x86_raise_error(cpu, X86_VEC_GP, vector * 8 + X86_ERR_IDT);
    if (!gate.present)
        return x86_raise_error(cpu, X86_VEC_NP, idt_err);

    /* ---- Validate: the target code segment ---- */
    uint16_t sel = gate.selector;
    x86_segment cs;
    unsigned new_cpl = 0;
    st = x86_handler_cs(cpu, rec, sel, ext, false, &cs, &new_cpl);
    if (st != X86_OK)
        return st;
    if (gate.offset > cs.limit)
        return x86_raise_error(cpu, X86_VEC_GP, ext);

    /* ---- Validate: the stack ---- */
    x86_segment ss = cpu->seg[X86_SS];
    uint32_t esp = (uint32_t)cpu->gpr[X86_RSP];
    bool switch_stack = new_cpl < cpu->cpl;
    if (switch_stack) {
        st = x86_tss32_stack(cpu, rec, new_cpl, ext, &ss, &esp, NULL);
        if (st != X86_OK)
            return st;
        static const char *const tss_stack_names[] = { "SS0:ESP0", "SS1:ESP1", "SS2:ESP2" };
        x86_trap_stack(rec, tss_stack_names[new_cpl]);
    } else {
        if (!(ss.attr & X86_SEG_ATTR_DB))
            esp &= 0xffff;          /* a 16-bit stack uses SP */
        x86_trap_stack(rec, "current");
    }

    /* ---- Stage: the frame, lowest address first ---- */
    static const char *const slot_names[FRAME_MAX_SLOTS] = {
        "push error code", "push EIP", "push CS", "push EFLAGS", "push ESP", "push SS",
    };
    unsigned width = (gate.type & GATE_32BIT) ? 4 : 2;
    uint64_t eflags = x86_rflags(cpu);
    bool pushes_rf = (ev->kind == X86_EVENT_FAULT && !ev->software && !ev->instruction_breakpoint) ||
                     ev->string_iteration;
    uint64_t eflags_image = pushes_rf ? (eflags | X86_FLAG_RF) : (eflags & ~X86_FLAG_RF);
    uint64_t frame[FRAME_MAX_SLOTS] = {
        ev->error_code, cpu->rip, cpu->seg[X86_CS].selector, eflags_image,
        cpu->gpr[X86_RSP], cpu->seg[X86_SS].selector,
    };
    unsigned first = ev->has_error_code ? 0 : 1;
    unsigned last = switch_stack ? FRAME_MAX_SLOTS : FRAME_MAX_SLOTS - 2;
    unsigned n = last - first;
    if (!x86_stack_has_room(&ss, esp, n * width))
        return x86_raise_error(cpu, X86_VEC_SS, switch_stack ? ((ss.selector & X86_SEL_INDEX_MASK) | ext) : ext);
    uint32_t frame_esp = esp - n * width;
    uint8_t image[4 * FRAME_MAX_SLOTS];
    for (unsigned i = 0; i < n; i++)
        x86_store_le(image + width * i, width, frame[first + i]);
    st = x86_write_frame(cpu, (uint32_t)(ss.base + frame_esp), image, width, n, new_cpl == 3, true);
    if (st != X86_OK)
        return st;
    for (unsigned i = n; i-- > 0;)
        x86_trap_step(cpu, rec, slot_names[first + i], ss.base + frame_esp + width * i, frame[first + i]);

    /* ---- Commit ---- */
    cs.selector = (uint16_t)((sel & ~X86_SEL_RPL_MASK) | new_cpl);
    cpu->seg[X86_CS] = cs;
    x86_trap_step(cpu, rec, "load CS:EIP", gate.offset, cs.selector);
    if (switch_stack) {
        cpu->seg[X86_SS] = ss;
        x86_trap_step(cpu, rec, "load SS", 0, ss.selector);
    }
    if (ss.attr & X86_SEG_ATTR_DB)
        cpu->gpr[X86_RSP] = frame_esp;
    else
        cpu->gpr[X86_RSP] = (cpu->gpr[X86_RSP] & ~0xffffull) | (frame_esp & 0xffff);
    cpu->rip = gate.offset;
    uint64_t clear = X86_FLAG_TF | X86_FLAG_NT | X86_FLAG_RF | X86_FLAG_VM;
    if (!(gate.type & GATE_TRAP))
        clear |= X86_FLAG_IF;
    cpu->rflags = eflags & ~clear;
    x86_trap_step(cpu, rec, (gate.type & GATE_TRAP) ? "clear TF NT RF" : "clear TF NT RF IF", 0, cpu->rflags);
    cpu->interrupt_shadow = 0;
    x86_update_mode(cpu);
    rec->to_pc = cpu->rip;
    rec->to_sp = cpu->gpr[X86_RSP];
    rec->to_priv = cpu->cpl;
    return X86_OK;
}
