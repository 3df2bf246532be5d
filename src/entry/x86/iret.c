/*
 * IRET in 64-bit mode, the inverse of x86_deliver64 (SDM vol. 2, IRET, the
 * IA-32e branch of its pseudocode): pop RIP, CS, RFLAGS, RSP and SS (all five
 * always in 64-bit mode), check the return code segment and, when needed,
 * the stack segment, then load them and update RFLAGS as the CPL and IOPL
 * allow. A return to an outer privilege level nulls data segment registers
 * the new level may not use. The frame is read and checked before anything
 * is written.
 */
#include <stdio.h>

#include "core/machine.h"
#include "cpu/x86/handlers.h"
#include "cpu/x86/system.h"
#include "entry/x86/entry.h"
#include "mmu/x86_paging.h"

#define IRET_SLOTS 5

/* The RFLAGS bits IRET may change at any privilege (the rest by CPL and IOPL below). */
#define IRET_FLAGS_ALWAYS (X86_FLAGS_ARITH | X86_FLAG_TF | X86_FLAG_DF | X86_FLAG_NT | \
                           X86_FLAG_RF | X86_FLAG_AC | X86_FLAG_ID)

static uint16_t sel_index(uint16_t sel)
{
    return sel & (X86_SEL_INDEX_MASK | X86_SEL_TI);
}

/* The return CS: code, DPL per conformity, present (vol. 2, IRET: RETURN-TO-SAME/OUTER-PRIVILEGE). */
static x86_status check_return_cs(x86_cpu *cpu, emu_trap *rec, uint16_t sel, x86_segment *cs)
{
    unsigned rpl = sel & X86_SEL_RPL_MASK;
    if (sel_index(sel) == 0)
        return x86_gp0(cpu);
    if (rpl < cpu->cpl)
        return x86_raise_error(cpu, X86_VEC_GP, sel_index(sel));
    x86_descriptor d;
    uint64_t addr;
    x86_status st = x86_read_descriptor(cpu, sel, false, &d, &addr);
    if (st != X86_OK)
        return st;
    x86_trap_step(cpu, rec, "read return CS descriptor", addr, d.lo);
    bool is_code = x86_desc_s(&d) && (x86_desc_type(&d) & X86_TYPE_CODE);
    bool conforming = is_code && (x86_desc_type(&d) & X86_TYPE_CONFORMING);
    if (!is_code || (conforming ? x86_desc_dpl(&d) > rpl : x86_desc_dpl(&d) != rpl))
        return x86_raise_error(cpu, X86_VEC_GP, sel_index(sel));
    if (!x86_desc_p(&d))
        return x86_raise_error(cpu, X86_VEC_NP, sel_index(sel));
    x86_descriptor_to_segment(&d, false, sel, cs);
    return X86_OK;
}

/* The return SS: writable data at DPL = RPL = the new CPL, present; null allowed for 64-bit CPL < 3. */
static x86_status check_return_ss(x86_cpu *cpu, emu_trap *rec, uint16_t sel, unsigned new_cpl,
                                  bool to_64bit, x86_segment *ss)
{
    if (sel_index(sel) == 0) {
        if (!to_64bit || new_cpl == 3)
            return x86_gp0(cpu);
        *ss = (x86_segment){ .selector = sel };
        return X86_OK;
    }
    if ((sel & X86_SEL_RPL_MASK) != new_cpl)
        return x86_raise_error(cpu, X86_VEC_GP, sel_index(sel));
    x86_descriptor d;
    uint64_t addr;
    x86_status st = x86_read_descriptor(cpu, sel, false, &d, &addr);
    if (st != X86_OK)
        return st;
    x86_trap_step(cpu, rec, "read return SS descriptor", addr, d.lo);
    bool writable_data = x86_desc_s(&d) && !(x86_desc_type(&d) & X86_TYPE_CODE) &&
                         (x86_desc_type(&d) & X86_TYPE_WRITABLE);
    if (!writable_data || x86_desc_dpl(&d) != new_cpl)
        return x86_raise_error(cpu, X86_VEC_GP, sel_index(sel));
    if (!x86_desc_p(&d))
        return x86_raise_error(cpu, X86_VEC_SS, sel_index(sel));
    x86_descriptor_to_segment(&d, false, sel, ss);
    return X86_OK;
}

/* On a return to an outer level, data segments the new CPL may not use become null (vol. 2, IRET). */
static void null_inaccessible_segments(x86_cpu *cpu, emu_trap *rec)
{
    static const unsigned data_sregs[] = { X86_ES, X86_DS, X86_FS, X86_GS };
    for (unsigned i = 0; i < sizeof data_sregs / sizeof data_sregs[0]; i++) {
        x86_segment *s = &cpu->seg[data_sregs[i]];
        unsigned dpl = (s->attr & X86_SEG_ATTR_DPL_MASK) >> X86_SEG_ATTR_DPL_SHIFT;
        bool data_or_nonconforming = !(s->attr & X86_TYPE_CODE) || !(s->attr & X86_TYPE_CONFORMING);
        if ((s->attr & X86_SEG_ATTR_S) && data_or_nonconforming && dpl < cpu->cpl) {
            s->selector = 0;
            s->attr = 0;
            x86_trap_step(cpu, rec, "null data segment the new CPL may not use", 0, data_sregs[i]);
        }
    }
}

x86_status x86_iret64(x86_cpu *cpu, const x86_insn *insn, emu_trap *rec)
{
    static const char *const slot_names[IRET_SLOTS] = { "pop RIP", "pop CS", "pop RFLAGS", "pop RSP", "pop SS" };
    const unsigned size = insn->opsize;
    uint64_t slot[IRET_SLOTS];
    uint64_t rsp = cpu->gpr[X86_RSP];
    for (unsigned i = 0; i < IRET_SLOTS; i++) {
        x86_status st = x86_seg_read(cpu, X86_SS, rsp + (uint64_t)size * i, size, &slot[i]);
        if (st != X86_OK)
            return st;
        x86_trap_step(cpu, rec, slot_names[i], rsp + (uint64_t)size * i, slot[i]);
    }
    uint16_t cs_sel = (uint16_t)slot[1], ss_sel = (uint16_t)slot[4];
    x86_segment cs, ss;
    x86_status st = check_return_cs(cpu, rec, cs_sel, &cs);
    if (st != X86_OK)
        return st;
    unsigned new_cpl = cs_sel & X86_SEL_RPL_MASK;
    bool to_64bit = (cs.attr & X86_SEG_ATTR_L) != 0;
    uint64_t new_rip = to_64bit ? slot[0] : (uint32_t)slot[0];
    x86_trap_step(cpu, rec, "check return CS and RIP", new_rip, cs_sel);
    if (to_64bit ? !x86_canonical(new_rip) : new_rip > cs.limit)
        return x86_gp0(cpu);
    st = check_return_ss(cpu, rec, ss_sel, new_cpl, to_64bit, &ss);
    if (st != X86_OK)
        return st;

    /* RFLAGS: IF only if CPL <= IOPL, IOPL and VIF/VIP only at CPL 0; VM stays clear in IA-32e mode. */
    uint64_t old = x86_rflags(cpu);
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
    cpu->gpr[X86_RSP] = size == 2 ? (cpu->gpr[X86_RSP] & ~0xffffull) | (slot[3] & 0xffff) : slot[3];
    cpu->rflags = new_rflags;
    x86_update_mode(cpu);
    x86_trap_step(cpu, rec, "load CS:RIP, SS:RSP, RFLAGS", new_rip, new_rflags);
    if (cpu->cpl > old_cpl)
        null_inaccessible_segments(cpu, rec);
    rec->to_pc = new_rip;
    rec->to_sp = cpu->gpr[X86_RSP];
    rec->to_priv = cpu->cpl;
    return X86_OK;
}

X86_HANDLER(x86_op_iret)
{
    if (!x86_long64(cpu))
        return x86_unsupported(cpu, insn, "IRET outside 64-bit mode");
    emu_trap rec = {
        .kind = EMU_TRAP_RETURN, .vector = -1, .cycle_start = cpu->machine->cycles,
        .from_pc = cpu->rip, .from_sp = cpu->gpr[X86_RSP], .from_priv = cpu->cpl,
    };
    x86_status st = x86_iret64(cpu, insn, &rec);
    if (st == X86_OK)
        machine_trap_record(cpu->machine, &rec);
    return st;
}
