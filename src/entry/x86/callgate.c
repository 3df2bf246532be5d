/*
 * Far CALL and far JMP through a call gate (SDM vol. 3, 5.8.3 and 5.8.3.1
 * call gates, 5.8.4 access checks, 5.8.5 stack switching; vol. 2, CALL and
 * JMP: CALL-GATE, MORE-PRIVILEGE, SAME-PRIVILEGE). The gate names a target
 * code segment and offset; CALL may go to a more privileged non-conforming
 * segment, switching to the stack the TSS holds for the new level and
 * pushing the caller's SS:ESP (and, outside IA-32e mode, copying the
 * gate's parameter count of stack slots) before CS:EIP. JMP keeps the CPL.
 *
 * Outside IA-32e mode gates are 8 bytes: type 0xC (32-bit: 4-byte slots)
 * or 0x4 (16-bit: 2-byte slots), with a 32-bit TSS's SSn:ESPn. In IA-32e
 * mode type 0xC is a 16-byte 64-bit gate whose upper type field must be 0,
 * the target must be 64-bit code, slots are 8 bytes, nothing is copied, and
 * a more privileged CALL takes TSS.RSPn with a null SS (RPL = new CPL).
 *
 * Validate -> stage -> commit, as a delivery: every read and check first,
 * the frame written in one checked write, registers only after that. Each
 * transfer is a record of kind EMU_TRAP_CALL_GATE.
 */
#include "core/machine.h"
#include "cpu/x86/system.h"
#include "entry/x86/entry.h"
#include "mmu/x86_paging.h"

#define GATE_PARAM_COUNT_SHIFT 32
#define GATE_PARAM_COUNT_MASK  0x1fu    /* bits 36:32 of a legacy gate (figure 5-8) */
#define GATE64_OFFSET_HI_MASK  0xffffffffull
#define FRAME_MAX_SLOTS        (4 + GATE_PARAM_COUNT_MASK)  /* SS, ESP, parameters, CS, EIP */

typedef struct call_gate {
    uint16_t selector;      /* the gate's own selector, for its error codes */
    uint16_t target_sel;    /* the code segment it names */
    uint64_t offset;
    unsigned type, dpl, params;
    unsigned width;         /* bytes per stack slot: 2, 4, or 8 for a 64-bit gate */
    bool present;
} call_gate;

static uint16_t sel_err(uint16_t sel)
{
    return sel & (X86_SEL_INDEX_MASK | X86_SEL_TI);
}

static bool ia32e(const x86_cpu *cpu)
{
    return (cpu->efer & X86_EFER_LMA) != 0;
}

static call_gate decode_gate(const x86_cpu *cpu, uint16_t sel, uint64_t lo)
{
    call_gate g = {
        .selector = sel,
        .target_sel = (uint16_t)(lo >> 16),
        .offset = (lo & 0xffff) | ((lo >> 32) & 0xffff0000ull),
        .type = (unsigned)(lo >> X86_DESC_TYPE_SHIFT) & X86_DESC_TYPE_MASK,
        .dpl = (unsigned)(lo >> X86_DESC_DPL_SHIFT) & 3,
        .params = (unsigned)(lo >> GATE_PARAM_COUNT_SHIFT) & GATE_PARAM_COUNT_MASK,
        .present = (lo & X86_DESC_P) != 0,
    };
    if (ia32e(cpu)) {
        g.width = 8;
        g.params = 0;       /* no parameter copying through 64-bit gates (5.8.3.1) */
    } else if (g.type == X86_SYS_CALL_GATE16) {
        g.width = 2;
        g.offset &= 0xffff;
    } else {
        g.width = 4;
    }
    return g;
}

/* The gate itself (vol. 2, CALL: CALL-GATE; vol. 3, 5.8.3.1 for the upper half of a 64-bit gate). */
static x86_status check_gate(x86_cpu *cpu, emu_trap *rec, call_gate *g, uint64_t lo, uint64_t addr)
{
    x86_trap_step(cpu, rec, "read call gate", addr, lo);
    x86_trap_step(cpu, rec, "check gate DPL >= CPL and RPL, present", addr, g->dpl);
    if (g->dpl < cpu->cpl || g->dpl < (g->selector & X86_SEL_RPL_MASK))
        return x86_raise_error(cpu, X86_VEC_GP, sel_err(g->selector));
    if (!g->present)
        return x86_raise_error(cpu, X86_VEC_NP, sel_err(g->selector));
    if (!ia32e(cpu))
        return X86_OK;
    /* The whole 16-byte gate lies within the table, and its upper type field is 0. */
    x86_descriptor wide = { 0 };
    uint64_t wide_addr = 0;
    x86_status st = x86_read_descriptor(cpu, g->selector, true, &wide, &wide_addr);
    if (st != X86_OK)
        return st;
    x86_trap_step(cpu, rec, "read call gate upper 8 bytes", wide_addr + 8, wide.hi);
    if ((wide.hi >> X86_DESC_HI_TYPE_SHIFT) & X86_DESC_HI_TYPE_MASK)
        return x86_raise_error(cpu, X86_VEC_GP, sel_err(g->selector));
    g->offset |= (wide.hi & GATE64_OFFSET_HI_MASK) << 32;
    return X86_OK;
}

/*
 * The gate's target code segment: not null (#GP(0)), within its table, code,
 * and for CALL DPL <= CPL, for JMP the same privilege (conforming DPL <= CPL,
 * else DPL = CPL), all #GP(sel); 64-bit code in IA-32e mode (#GP(sel));
 * present (#NP(sel)). *new_cpl: the DPL of a more privileged non-conforming
 * segment (CALL only), else the CPL.
 */
static x86_status check_target(x86_cpu *cpu, emu_trap *rec, const call_gate *g, bool call, x86_segment *cs,
                               uint64_t *desc_addr, unsigned *new_cpl)
{
    uint16_t sel = g->target_sel;
    if (sel_err(sel) == 0)
        return x86_gp0(cpu);
    x86_descriptor d = { 0 };
    x86_status st = x86_read_descriptor(cpu, sel, false, &d, desc_addr);
    if (st != X86_OK)
        return st;
    x86_trap_step(cpu, rec, "read target CS descriptor", *desc_addr, d.lo);
    x86_descriptor_to_segment(&d, false, sel, cs);
    x86_trap_step(cpu, rec, call ? "check target CS (DPL <= CPL)" : "check target CS (same privilege)",
                  *desc_addr, cs->attr);
    bool is_code = x86_desc_s(&d) && (x86_desc_type(&d) & X86_TYPE_CODE);
    bool conforming = is_code && (x86_desc_type(&d) & X86_TYPE_CONFORMING);
    unsigned dpl = x86_desc_dpl(&d);
    /* JMP never changes privilege: an inward jump through a gate is refused (vol. 2, JMP). */
    bool dpl_ok = (call || conforming) ? dpl <= cpu->cpl : dpl == cpu->cpl;
    if (!is_code || !dpl_ok)
        return x86_raise_error(cpu, X86_VEC_GP, sel_err(sel));
    if (ia32e(cpu) && (!(cs->attr & X86_SEG_ATTR_L) || (cs->attr & X86_SEG_ATTR_DB)))
        return x86_raise_error(cpu, X86_VEC_GP, sel_err(sel));
    if (!x86_desc_p(&d))
        return x86_raise_error(cpu, X86_VEC_NP, sel_err(sel));
    *new_cpl = (!conforming && dpl < cpu->cpl) ? dpl : cpu->cpl;
    return X86_OK;
}

/* The gate's offset in the target: canonical for 64-bit code, else within the limit (#GP(0)). */
static x86_status check_offset(x86_cpu *cpu, emu_trap *rec, const call_gate *g, const x86_segment *cs)
{
    x86_trap_step(cpu, rec, ia32e(cpu) ? "check offset canonical" : "check offset within CS limit", 0, g->offset);
    bool ok = ia32e(cpu) ? x86_canonical(g->offset) : g->offset <= cs->limit;
    return ok ? X86_OK : x86_gp0(cpu);
}

/* The gate and its target, in the order of the CALL-GATE pseudocode. */
static x86_status validate(x86_cpu *cpu, emu_trap *rec, uint16_t gate_sel, uint64_t gate_lo, uint64_t gate_addr,
                           bool call, call_gate *g, x86_segment *cs, uint64_t *cs_addr, unsigned *new_cpl)
{
    *g = decode_gate(cpu, gate_sel, gate_lo);
    x86_status st = check_gate(cpu, rec, g, gate_lo, gate_addr);
    if (st == X86_OK)
        st = check_target(cpu, rec, g, call, cs, cs_addr, new_cpl);
    return st;
}

/* Load CS:RIP (CS.RPL = the new CPL, 5.8.1) and close the record. */
static void commit_cs(x86_cpu *cpu, emu_trap *rec, const call_gate *g, x86_segment *cs, unsigned new_cpl)
{
    cs->selector = (uint16_t)((g->target_sel & ~X86_SEL_RPL_MASK) | new_cpl);
    cpu->seg[X86_CS] = *cs;
    cpu->next_rip = g->offset;
    x86_trap_step(cpu, rec, "load CS:RIP", g->offset, cs->selector);
}

static void finish(x86_cpu *cpu, emu_trap *rec)
{
    x86_update_mode(cpu);
    rec->to_pc = cpu->next_rip;
    rec->to_sp = cpu->gpr[X86_RSP];
    rec->to_priv = cpu->cpl;
    machine_trap_record(cpu->machine, rec);
}

x86_status x86_jmp_through_gate(x86_cpu *cpu, uint16_t gate_sel, uint64_t gate_lo, uint64_t gate_addr)
{
    emu_trap rec;
    x86_trap_begin(cpu, &rec, EMU_TRAP_CALL_GATE, -1);
    call_gate g = { 0 };
    x86_segment cs = { 0 };
    uint64_t cs_addr = 0;
    unsigned new_cpl = cpu->cpl;
    x86_status st = validate(cpu, &rec, gate_sel, gate_lo, gate_addr, false, &g, &cs, &cs_addr, &new_cpl);
    if (st == X86_OK)
        st = check_offset(cpu, &rec, &g, &cs);
    if (st == X86_OK)
        st = x86_segment_set_accessed(cpu, &cs, cs_addr);
    if (st != X86_OK)
        return st;
    /* ---- Commit ---- */
    commit_cs(cpu, &rec, &g, &cs, new_cpl);
    x86_trap_stack(&rec, "current");
    finish(cpu, &rec);
    return X86_OK;
}

/* ---- CALL to the same privilege: CS and the return offset on the current stack ---- */

static x86_status call_same_privilege(x86_cpu *cpu, emu_trap *rec, call_gate *g, x86_segment *cs,
                                      uint64_t cs_addr)
{
    const unsigned w = g->width;
    uint64_t slot[2] = { cpu->next_rip, cpu->seg[X86_CS].selector };
    uint8_t image[16];
    for (unsigned i = 0; i < 2; i++)
        x86_store_le(image + w * i, w, slot[i]);
    uint64_t new_sp = 0, lin[2] = { 0, 0 };
    x86_status st;
    x86_trap_stack(rec, "current");
    if (ia32e(cpu)) {
        /* The target is 64-bit code: 8-byte pushes at RSP, no segment base or limit (5.8.3.1). */
        new_sp = cpu->gpr[X86_RSP] - 2 * w;
        if (!x86_canonical(new_sp) || !x86_canonical(cpu->gpr[X86_RSP] - 1))
            return x86_raise_error(cpu, X86_VEC_SS, 0);
        lin[0] = new_sp;
        lin[1] = new_sp + w;
    } else {
        /* Room for two slots within SS's limit (#SS(0)), at the stack's own width. */
        uint64_t mask = x86_width_mask(cpu->stack_size);
        new_sp = (cpu->gpr[X86_RSP] - 2 * w) & mask;
        for (unsigned i = 0; i < 2; i++) {
            st = x86_seg_linear(cpu, X86_SS, (new_sp + w * i) & mask, w, X86_ACC_WRITE, &lin[i]);
            if (st != X86_OK)
                return st;
        }
    }
    st = check_offset(cpu, rec, g, cs);
    /* Both slots translate (a 16-bit stack may wrap between them) before either is written. */
    for (unsigned i = 0; i < 2 && st == X86_OK; i++)
        st = x86_lin_check(cpu, lin[i], w, X86_ACC_WRITE);
    if (st == X86_OK)
        st = x86_segment_set_accessed(cpu, cs, cs_addr);
    /* ---- Stage: the two slots, written as the current privilege ---- */
    for (unsigned i = 0; i < 2 && st == X86_OK; i++)
        st = x86_lin_write_buf_as(cpu, lin[i], image + w * i, w, cpu->cpl == 3);
    if (st != X86_OK)
        return st;
    x86_trap_step(cpu, rec, "push CS", lin[1], slot[1]);
    x86_trap_step(cpu, rec, "push RIP", lin[0], slot[0]);
    /* ---- Commit ---- */
    if (ia32e(cpu) || cpu->stack_size != 2)
        cpu->gpr[X86_RSP] = new_sp;
    else
        cpu->gpr[X86_RSP] = (cpu->gpr[X86_RSP] & ~0xffffull) | new_sp;
    commit_cs(cpu, rec, g, cs, cpu->cpl);
    return X86_OK;
}

/* ---- CALL to a more privileged level: switch stacks (5.8.5) ---- */

typedef struct new_stack {
    x86_segment ss;
    uint64_t sp;            /* RSPn, or ESPn in the new SS */
    uint64_t ss_desc_addr;  /* 0: a null SS (IA-32e) */
} new_stack;

/* TSS.RSPn with a null SS whose RPL is the new CPL (IA-32e), or TSS.SSn:ESPn checked (legacy). */
static x86_status read_new_stack(x86_cpu *cpu, emu_trap *rec, unsigned new_cpl, new_stack *ns)
{
    static const char *const rsp_names[] = { "RSP0", "RSP1", "RSP2" };
    static const char *const ss_esp_names[] = { "SS0:ESP0", "SS1:ESP1", "SS2:ESP2" };
    x86_status st;
    if (ia32e(cpu)) {
        st = x86_tss64_read(cpu, rec, "read TSS.RSPn", X86_TSS64_RSP0 + 8 * new_cpl, 0, &ns->sp);
        ns->ss = (x86_segment){ .selector = (uint16_t)new_cpl };
        ns->ss_desc_addr = 0;
        x86_trap_stack(rec, rsp_names[new_cpl]);
        return st;
    }
    uint32_t esp = 0;
    st = x86_tss32_stack(cpu, rec, new_cpl, 0, &ns->ss, &esp, &ns->ss_desc_addr);
    ns->sp = esp;
    x86_trap_stack(rec, ss_esp_names[new_cpl]);
    return st;
}

/* Copy the gate's parameter count of slots from the caller's stack (5.8.3: legacy gates only). */
static x86_status read_parameters(x86_cpu *cpu, emu_trap *rec, const call_gate *g, uint64_t *params)
{
    uint64_t mask = x86_width_mask(cpu->stack_size);
    for (unsigned i = 0; i < g->params; i++) {
        x86_status st = x86_seg_read(cpu, X86_SS, (cpu->gpr[X86_RSP] + g->width * i) & mask, g->width, &params[i]);
        if (st != X86_OK)
            return st;
    }
    if (g->params)
        x86_trap_step(cpu, rec, "copy parameters from the caller's stack",
                      cpu->seg[X86_SS].base + (cpu->gpr[X86_RSP] & mask), g->params);
    return X86_OK;
}

static x86_status call_more_privileged(x86_cpu *cpu, emu_trap *rec, call_gate *g, x86_segment *cs,
                                       uint64_t cs_addr, unsigned new_cpl)
{
    const unsigned w = g->width;
    new_stack ns = { 0 };
    x86_status st = read_new_stack(cpu, rec, new_cpl, &ns);
    if (st != X86_OK)
        return st;

    /* The frame, lowest address first: return RIP, CS, the parameters, the caller's RSP and SS. */
    const unsigned n = 4 + g->params;
    uint64_t frame[FRAME_MAX_SLOTS] = { 0 };
    frame[0] = cpu->next_rip;
    frame[1] = cpu->seg[X86_CS].selector;
    frame[2 + g->params] = cpu->gpr[X86_RSP];
    frame[3 + g->params] = cpu->seg[X86_SS].selector;
    uint64_t frame_sp = 0, frame_lin = 0;
    if (ia32e(cpu)) {
        frame_sp = ns.sp - (uint64_t)w * n;
        x86_trap_step(cpu, rec, "check new stack canonical", 0, frame_sp);
        /* #SS(new SS): the null selector's index, 0. */
        if (!x86_canonical(frame_sp) || !x86_canonical(ns.sp - 1))
            return x86_raise_error(cpu, X86_VEC_SS, 0);
        frame_lin = frame_sp;
    } else {
        x86_trap_step(cpu, rec, "check new stack room", ns.ss.base + ns.sp, (uint64_t)w * n);
        if (!x86_stack_has_room(&ns.ss, (uint32_t)ns.sp, w * n))
            return x86_raise_error(cpu, X86_VEC_SS, sel_err(ns.ss.selector));
        frame_sp = ns.sp - (uint64_t)w * n;
        frame_lin = (ns.ss.base + frame_sp) & 0xffffffffull;
    }
    st = check_offset(cpu, rec, g, cs);
    if (st == X86_OK)
        st = read_parameters(cpu, rec, g, frame + 2);
    if (st == X86_OK)
        st = x86_segment_set_accessed(cpu, cs, cs_addr);
    if (st == X86_OK && ns.ss_desc_addr)
        st = x86_segment_set_accessed(cpu, &ns.ss, ns.ss_desc_addr);
    if (st != X86_OK)
        return st;

    /* ---- Stage: one write at the new privilege ---- */
    uint8_t image[8 * FRAME_MAX_SLOTS];
    for (unsigned i = 0; i < n; i++)
        x86_store_le(image + w * i, w, frame[i]);
    st = x86_write_frame(cpu, frame_lin, image, w, n, new_cpl == 3, !ia32e(cpu));
    if (st != X86_OK)
        return st;
    x86_trap_step(cpu, rec, "push SS", frame_lin + w * (n - 1), frame[n - 1]);
    x86_trap_step(cpu, rec, "push RSP", frame_lin + w * (n - 2), frame[n - 2]);
    if (g->params)
        x86_trap_step(cpu, rec, "push parameters", frame_lin + 2 * w, g->params);
    x86_trap_step(cpu, rec, "push CS", frame_lin + w, frame[1]);
    x86_trap_step(cpu, rec, "push RIP", frame_lin, frame[0]);

    /* ---- Commit: no fault is possible past this line ---- */
    cpu->seg[X86_SS] = ns.ss;
    if (ia32e(cpu) || (ns.ss.attr & X86_SEG_ATTR_DB))
        cpu->gpr[X86_RSP] = frame_sp;
    else
        cpu->gpr[X86_RSP] = (cpu->gpr[X86_RSP] & ~0xffffull) | (frame_sp & 0xffff);
    x86_trap_step(cpu, rec, ia32e(cpu) ? "load SS with null selector, RSP" : "load SS:ESP", frame_sp,
                  ns.ss.selector);
    commit_cs(cpu, rec, g, cs, new_cpl);
    return X86_OK;
}

x86_status x86_call_through_gate(x86_cpu *cpu, uint16_t gate_sel, uint64_t gate_lo, uint64_t gate_addr)
{
    emu_trap rec;
    x86_trap_begin(cpu, &rec, EMU_TRAP_CALL_GATE, -1);
    call_gate g = { 0 };
    x86_segment cs = { 0 };
    uint64_t cs_addr = 0;
    unsigned new_cpl = cpu->cpl;
    x86_status st = validate(cpu, &rec, gate_sel, gate_lo, gate_addr, true, &g, &cs, &cs_addr, &new_cpl);
    if (st != X86_OK)
        return st;
    if (new_cpl < cpu->cpl)
        st = call_more_privileged(cpu, &rec, &g, &cs, cs_addr, new_cpl);
    else
        st = call_same_privilege(cpu, &rec, &g, &cs, cs_addr);
    if (st != X86_OK)
        return st;
    finish(cpu, &rec);
    return X86_OK;
}
