/*
 * IRET in protected mode, the inverse of x86_deliver64 and x86_deliver32
 * (SDM vol. 2, IRET: PROTECTED-MODE, RETURN-TO-SAME/OUTER-PRIVILEGE-LEVEL
 * and the IA-32e branch): pop RIP, CS and RFLAGS, and RSP and SS too when
 * returning to an outer level or (always) in 64-bit mode; check the return
 * code segment and the stack segment, then load them and update RFLAGS as
 * the CPL and IOPL allow. A return to an outer privilege level nulls data
 * segment registers the new level may not use (the segment checks and the
 * nulling are shared with far RET: return_segments.c). The frame is read and checked
 * before anything is written. Task returns (NT = 1) and returns to
 * virtual-8086 mode are not modelled and stop the run, naming them.
 */
#include <stdio.h>

#include "core/machine.h"
#include "cpu/x86/handlers.h"
#include "cpu/x86/system.h"
#include "entry/x86/entry.h"
#include "entry/x86/return_segments.h"
#include "mmu/x86_paging.h"

#define IRET_SLOTS 5

/* The RFLAGS bits IRET may change at any privilege (the rest by CPL and IOPL below). */
#define IRET_FLAGS_ALWAYS (X86_FLAGS_ARITH | X86_FLAG_TF | X86_FLAG_DF | X86_FLAG_NT | \
                           X86_FLAG_RF | X86_FLAG_AC | X86_FLAG_ID)

/*
 * IRETQ in 64-bit mode pops five 8-byte slots at linear addresses: when one
 * cached page holds them all and RSP is aligned (so no #AC), they can all be
 * read at once and no pop can fault. NULL otherwise: each pop then takes the
 * checked path, which reports a fault at its slot.
 */
static const uint8_t *iretq_cached_frame(const x86_cpu *cpu, unsigned size)
{
    uint64_t rsp = cpu->gpr[X86_RSP];
    if (cpu->mode != X86_MODE_LONG64 || size != 8 || (rsp & 7) || !x86_canonical(rsp) ||
        !x86_canonical(rsp + 8ull * IRET_SLOTS - 1))
        return NULL;
    return x86_cached_read_ptr(cpu, rsp, 8 * IRET_SLOTS, cpu->cpl == 3);
}

/* Pop slots [from, to) of the IRET frame at the stack pointer (wrapping at the stack's width). */
static x86_status pop_slots(x86_cpu *cpu, emu_trap *rec, unsigned size, unsigned from, unsigned to,
                            const uint8_t *cached, uint64_t *slot)
{
    static const char *const slot_names[IRET_SLOTS] = { "pop RIP", "pop CS", "pop RFLAGS", "pop RSP", "pop SS" };
    if (cached) {
        for (unsigned i = from; i < to; i++)
            slot[i] = x86_load_le(cached + 8 * i, 8);
        x86_trap_slot_steps(cpu, rec, slot_names, slot, cpu->gpr[X86_RSP], from, to, false);
        return X86_OK;
    }
    uint64_t stack_mask = x86_width_mask(cpu->stack_size);
    for (unsigned i = from; i < to; i++) {
        uint64_t offset = (cpu->gpr[X86_RSP] + (uint64_t)size * i) & stack_mask;
        x86_status st = x86_seg_read(cpu, X86_SS, offset, size, &slot[i]);
        if (st != X86_OK)
            return st;
        x86_trap_step(cpu, rec, slot_names[i], offset, slot[i]);
    }
    return X86_OK;
}

/* IRET in protected mode: IRETQ/IRETD/IRETW in 64-bit mode, IRETD/IRETW elsewhere. */
static x86_status x86_iret_protected(x86_cpu *cpu, const x86_insn *insn, emu_trap *rec)
{
    const unsigned size = insn->opsize;
    const bool long64 = x86_long64(cpu);
    if (!long64 && (x86_rflags(cpu) & X86_FLAG_NT))
        return x86_unsupported(cpu, insn, "IRET with NT set (a task return)");
    uint64_t slot[IRET_SLOTS] = { 0 };
    const uint8_t *cached = iretq_cached_frame(cpu, size);
    x86_status st = pop_slots(cpu, rec, size, 0, 3, cached, slot);
    if (st != X86_OK)
        return st;
    if (!long64 && size == 4 && (slot[2] & X86_FLAG_VM) && cpu->cpl == 0)
        return x86_unsupported(cpu, insn, "IRET to virtual-8086 mode");
    uint16_t cs_sel = (uint16_t)slot[1];
    x86_segment cs, ss;
    uint64_t desc_addr = 0;
    st = x86_return_cs(cpu, rec, cs_sel, &cs, &desc_addr);
    if (st != X86_OK)
        return st;
    unsigned new_cpl = cs_sel & X86_SEL_RPL_MASK;
    bool to_64bit = long64 && (cs.attr & X86_SEG_ATTR_L) != 0;
    uint64_t new_rip = to_64bit ? slot[0] : (uint32_t)slot[0];
    x86_trap_step(cpu, rec, "check return CS and RIP", new_rip, cs_sel);
    if (to_64bit ? !x86_canonical(new_rip) : new_rip > cs.limit)
        return x86_gp0(cpu);
    /* 64-bit mode always pops SS:RSP; elsewhere only a return to an outer level does. */
    bool pops_stack = long64 || new_cpl > cpu->cpl;
    uint64_t new_rsp;
    if (pops_stack) {
        st = pop_slots(cpu, rec, size, 3, IRET_SLOTS, cached, slot);
        if (st == X86_OK)
            st = x86_return_ss(cpu, rec, (uint16_t)slot[4], new_cpl, to_64bit, &ss, &desc_addr);
        if (st != X86_OK)
            return st;
        new_rsp = size == 2 ? (cpu->gpr[X86_RSP] & ~0xffffull) | (slot[3] & 0xffff) : slot[3];
    } else {
        ss = cpu->seg[X86_SS];
        uint64_t stack_mask = x86_width_mask(cpu->stack_size);
        new_rsp = (cpu->gpr[X86_RSP] & ~stack_mask) | ((cpu->gpr[X86_RSP] + 3ull * size) & stack_mask);
    }

    /* RFLAGS: IF only if CPL <= IOPL, IOPL and VIF/VIP only at CPL 0; VM stays clear in IA-32e mode. */
    /* IRET replaces all six arithmetic flags: the pending ones need not be computed. */
    x86_flags_discard(cpu);
    uint64_t old = cpu->rflags;
    uint64_t changeable = IRET_FLAGS_ALWAYS;
    unsigned iopl = (unsigned)((old & X86_FLAG_IOPL) >> X86_FLAG_IOPL_SHIFT);
    if (cpu->cpl <= iopl)
        changeable |= X86_FLAG_IF;
    if (cpu->cpl == 0)
        changeable |= X86_FLAG_IOPL | X86_FLAG_VIF | X86_FLAG_VIP;
    if (size == 2)
        changeable &= 0xffff;
    uint64_t new_rflags = (old & ~changeable) | (slot[2] & changeable) | X86_FLAG_FIXED1;

    /* ---- Commit ---- */
    unsigned old_cpl = cpu->cpl;
    cpu->seg[X86_CS] = cs;
    cpu->seg[X86_SS] = ss;
    cpu->rip = new_rip;
    cpu->next_rip = new_rip;
    cpu->gpr[X86_RSP] = new_rsp;
    cpu->rflags = new_rflags;
    x86_update_mode(cpu);
    x86_trap_step(cpu, rec, "load CS:RIP, SS:RSP, RFLAGS", new_rip, new_rflags);
    if (cpu->cpl > old_cpl)
        x86_null_inaccessible_segments(cpu, rec);
    rec->to_pc = new_rip;
    rec->to_sp = cpu->gpr[X86_RSP];
    rec->to_priv = cpu->cpl;
    return X86_OK;
}

X86_HANDLER(x86_op_iret)
{
    if (!(cpu->cr0 & X86_CR0_PE))
        return x86_unsupported(cpu, insn, "IRET in real mode");
    /* IRET ends NMI blocking even when it then faults: the VMX exit qualification has a bit,
     * "NMI unblocking due to IRET", for exactly that case (SDM vol. 3, 6.7.1 and 28.2.3). */
    if (cpu->nmi_blocked) {
        cpu->nmi_blocked = false;
        if (cpu->machine->nmi_latched)
            machine_attention(cpu->machine);
    }
    emu_trap rec;
    x86_trap_begin(cpu, &rec, EMU_TRAP_RETURN, -1);
    x86_status st = x86_iret_protected(cpu, insn, &rec);
    if (st == X86_OK)
        machine_trap_record(cpu->machine, &rec);
    else
        x86_trap_abandon(cpu, &rec);
    return st;
}
