/*
 * Segment registers and far transfers (SDM vol. 3, chapter 3 and 5.5-5.8;
 * vol. 2: MOV, POP, PUSH, LDS/LES/LFS/LGS/LSS, JMP, CALL, RET, LAR, LSL).
 *
 * Every load reads the descriptor, applies the SDM's checks in its order
 * (null selector, table limit, type, privilege, present), sets the accessed
 * bit, and only then writes the register, so a fault leaves the CPU as it
 * was. Far CALL/JMP through a call gate and a far RET to an outer privilege
 * level change privilege and are modelled with trap delivery
 * (src/entry/x86/callgate.c, retf.c); task gates and TSS descriptors stop as
 * unsupported outside IA-32e mode (in IA-32e mode they are #GP).
 */
#include "core/machine.h"
#include "cpu/x86/handlers.h"
#include "cpu/x86/system.h"
#include "entry/x86/entry.h"
#include "entry/x86/return_segments.h"
#include "mmu/x86_paging.h"

#define DESC_L            (1ull << 53)
#define DESC_DB           (1ull << 54)

/* LAR result masks (vol. 2, LAR). */
#define LAR_MASK_32 0x00f0ff00ull
#define LAR_MASK_16 0xff00ull

#define REAL_MODE_SHIFT 4

/* ---- Descriptor decoding ---- */

static bool d_code(const x86_descriptor *d) { return x86_desc_s(d) && (x86_desc_type(d) & X86_TYPE_CODE); }
static bool d_data(const x86_descriptor *d) { return x86_desc_s(d) && !(x86_desc_type(d) & X86_TYPE_CODE); }
static bool d_conforming(const x86_descriptor *d) { return d_code(d) && (x86_desc_type(d) & X86_TYPE_CONFORMING); }

static uint16_t sel_err(uint16_t sel) { return sel & (X86_SEL_INDEX_MASK | X86_SEL_TI); }
static unsigned sel_rpl(uint16_t sel) { return sel & X86_SEL_RPL_MASK; }
static bool sel_null(uint16_t sel) { return (sel & (X86_SEL_INDEX_MASK | X86_SEL_TI)) == 0; }

x86_status x86_read_descriptor_full(x86_cpu *cpu, uint16_t sel, bool wide, x86_descriptor *d,
                                    uint64_t *addr)
{
    uint64_t base, limit;
    if (sel & X86_SEL_TI) {
        /* An LDT reference needs a usable LDTR (3.5.1). */
        if (sel_null(cpu->ldtr.selector) || !(cpu->ldtr.attr & X86_SEG_ATTR_P))
            return x86_raise_error(cpu, X86_VEC_GP, sel_err(sel));
        base = cpu->ldtr.base;
        limit = cpu->ldtr.limit;
    } else {
        base = cpu->gdtr.base;
        limit = cpu->gdtr.limit;
    }
    uint64_t index = sel & X86_SEL_INDEX_MASK;
    unsigned len = wide ? 16 : 8;
    if (index + len - 1 > limit)
        return x86_raise_error(cpu, X86_VEC_GP, sel_err(sel));
    *addr = base + index;
    const uint8_t *host = x86_cached_read_ptr(cpu, base + index, len, false);
    if (X86_LIKELY(host)) {
        d->lo = x86_load_le(host, 8);
        d->hi = wide ? x86_load_le(host + 8, 8) : 0;
        return X86_OK;
    }
    uint8_t raw[16];
    x86_status st = x86_sys_read_buf(cpu, base + index, raw, len);
    if (st != X86_OK)
        return st;
    d->lo = x86_load_le(raw, 8);
    d->hi = wide ? x86_load_le(raw + 8, 8) : 0;
    return X86_OK;
}

/* Set the accessed bit of a code/data descriptor the CPU is loading (3.4.5.1). */
static x86_status set_accessed(x86_cpu *cpu, x86_descriptor *d, uint64_t addr)
{
    if (x86_desc_type(d) & X86_TYPE_ACCESSED)
        return X86_OK;
    d->lo |= (uint64_t)X86_TYPE_ACCESSED << X86_DESC_TYPE_SHIFT;
    uint8_t byte = (uint8_t)(d->lo >> (X86_DESC_TYPE_BYTE * 8));
    return x86_sys_write_buf(cpu, addr + X86_DESC_TYPE_BYTE, &byte, 1);
}

x86_status x86_segment_set_accessed(x86_cpu *cpu, x86_segment *s, uint64_t desc_addr)
{
    /* Descriptor byte 5 (type, S, DPL, P) is the low byte of attr. */
    x86_descriptor d = { .lo = (uint64_t)(s->attr & 0xff) << (X86_DESC_TYPE_BYTE * 8) };
    x86_status st = set_accessed(cpu, &d, desc_addr);
    if (st == X86_OK)
        s->attr |= X86_TYPE_ACCESSED;
    return st;
}

static void commit_sreg(x86_cpu *cpu, unsigned sreg, const x86_segment *s)
{
    cpu->seg[sreg] = *s;
    if (sreg == X86_CS || sreg == X86_SS)
        x86_update_mode(cpu);
}

static void real_mode_segment(const x86_cpu *cpu, unsigned sreg, uint16_t sel, x86_segment *s)
{
    *s = cpu->seg[sreg];
    s->selector = sel;
    s->base = (uint64_t)sel << REAL_MODE_SHIFT;
}

/*
 * A null selector in DS/ES/FS/GS (or SS in 64-bit mode) leaves the register
 * unusable. Intel zeroes the base; AMD keeps the old base and limit.
 */
static void null_segment(const x86_cpu *cpu, unsigned sreg, uint16_t sel, x86_segment *s)
{
    *s = cpu->seg[sreg];
    s->selector = sel;
    s->attr = 0;
    if (cpu->config.vendor == X86_VENDOR_INTEL) {
        s->base = 0;
        s->limit = 0;
    }
}

/* ---- Data and stack segment loads (MOV/POP Sreg, LDS/LES/LFS/LGS/LSS) ---- */

/* Build the cache for a load of sel into sreg (not CS), raising what the SDM raises. */
static x86_status prepare_data_load(x86_cpu *cpu, unsigned sreg, uint16_t sel, x86_segment *out)
{
    if (cpu->mode == X86_MODE_REAL) {
        real_mode_segment(cpu, sreg, sel, out);
        return X86_OK;
    }
    unsigned cpl = cpu->cpl;
    if (sel_null(sel)) {
        /* SS may be null only in 64-bit mode, below CPL 3, with RPL = CPL (vol. 2, MOV). */
        if (sreg == X86_SS && (!x86_long64(cpu) || cpl == 3 || sel_rpl(sel) != cpl))
            return x86_gp0(cpu);
        null_segment(cpu, sreg, sel, out);
        if (sreg == X86_SS)
            out->attr = (uint16_t)(cpl << X86_SEG_ATTR_DPL_SHIFT);
        return X86_OK;
    }
    x86_descriptor d = { 0 };
    uint64_t addr = 0;
    x86_status st = x86_read_descriptor(cpu, sel, false, &d, &addr);
    if (st != X86_OK)
        return st;
    if (sreg == X86_SS) {
        if (sel_rpl(sel) != cpl || !d_data(&d) || !(x86_desc_type(&d) & X86_TYPE_WRITABLE) || x86_desc_dpl(&d) != cpl)
            return x86_raise_error(cpu, X86_VEC_GP, sel_err(sel));
        if (!x86_desc_p(&d))
            return x86_raise_error(cpu, X86_VEC_SS, sel_err(sel));
    } else {
        bool readable_code = d_code(&d) && (x86_desc_type(&d) & X86_TYPE_READABLE);
        if (!d_data(&d) && !readable_code)
            return x86_raise_error(cpu, X86_VEC_GP, sel_err(sel));
        if (!d_conforming(&d) && (sel_rpl(sel) > x86_desc_dpl(&d) || cpl > x86_desc_dpl(&d)))
            return x86_raise_error(cpu, X86_VEC_GP, sel_err(sel));
        if (!x86_desc_p(&d))
            return x86_raise_error(cpu, X86_VEC_NP, sel_err(sel));
    }
    st = set_accessed(cpu, &d, addr);
    if (st != X86_OK)
        return st;
    x86_descriptor_to_segment(&d, false, sel, out);
    return X86_OK;
}

/* ---- Code segment loads (far JMP/CALL/RET) ---- */

/*
 * Check a far JMP/CALL target code segment at the current privilege
 * (vol. 2, JMP: conforming DPL <= CPL; non-conforming RPL <= CPL and
 * DPL = CPL). A call gate (legacy 16/32-bit, or 64-bit in IA-32e mode,
 * where no other system type is valid) sets *gate_lo and *gate_addr for
 * the caller to transfer through; task gates and TSSs stop as unsupported.
 */
static x86_status prepare_far_target(x86_cpu *cpu, const x86_insn *insn, uint16_t sel,
                                     x86_segment *out, bool *via_gate, uint64_t *gate_lo, uint64_t *gate_addr)
{
    *via_gate = false;
    if (sel_null(sel))
        return x86_gp0(cpu);
    x86_descriptor d = { 0 };
    uint64_t addr = 0;
    x86_status st = x86_read_descriptor(cpu, sel, false, &d, &addr);
    if (st != X86_OK)
        return st;
    unsigned cpl = cpu->cpl;
    if (!x86_desc_s(&d)) {
        unsigned t = x86_desc_type(&d);
        bool ia32e = (cpu->efer & X86_EFER_LMA) != 0;
        if (t == X86_SYS_CALL_GATE || (t == X86_SYS_CALL_GATE16 && !ia32e)) {
            *via_gate = true;
            *gate_lo = d.lo;
            *gate_addr = addr;
            return X86_OK;
        }
        /* IA-32e mode knows only 64-bit call gates among system descriptors here (vol. 3, 5.8.3.1). */
        if (ia32e)
            return x86_raise_error(cpu, X86_VEC_GP, sel_err(sel));
        if (t == X86_SYS_TASK_GATE)
            return x86_unsupported(cpu, insn, "far transfer through a task gate (task switch)");
        if (t == X86_SYS_TSS16_AVAIL || t == X86_SYS_TSS16_BUSY || t == X86_SYS_TSS_AVAIL ||
            t == X86_SYS_TSS_BUSY)
            return x86_unsupported(cpu, insn, "far transfer to a TSS (task switch)");
        return x86_raise_error(cpu, X86_VEC_GP, sel_err(sel));
    }
    if (!d_code(&d))
        return x86_raise_error(cpu, X86_VEC_GP, sel_err(sel));
    if (d_conforming(&d) ? x86_desc_dpl(&d) > cpl : (sel_rpl(sel) > cpl || x86_desc_dpl(&d) != cpl))
        return x86_raise_error(cpu, X86_VEC_GP, sel_err(sel));
    if (!x86_desc_p(&d))
        return x86_raise_error(cpu, X86_VEC_NP, sel_err(sel));
    /* L and D together are reserved in IA-32e mode (5.2.1). */
    if ((cpu->efer & X86_EFER_LMA) && (d.lo & DESC_L) && (d.lo & DESC_DB))
        return x86_raise_error(cpu, X86_VEC_GP, sel_err(sel));
    st = set_accessed(cpu, &d, addr);
    if (st != X86_OK)
        return st;
    /* CS.RPL is always the CPL (5.8.1). */
    x86_descriptor_to_segment(&d, false, (uint16_t)((sel & ~X86_SEL_RPL_MASK) | cpl), out);
    return X86_OK;
}

/* Would this CS make the CPU execute 64-bit code? */
static bool cs_is_64(const x86_cpu *cpu, const x86_segment *cs)
{
    return (cpu->efer & X86_EFER_LMA) && (cs->attr & X86_SEG_ATTR_L);
}

/* The target offset must be canonical (64-bit code) or within the limit (#GP(0)). */
static x86_status check_target_ip(x86_cpu *cpu, const x86_segment *cs, uint64_t ip)
{
    if (cs_is_64(cpu, cs))
        return x86_canonical(ip) ? X86_OK : x86_gp0(cpu);
    return ip <= cs->limit ? X86_OK : x86_gp0(cpu);
}

x86_status x86_load_sreg(x86_cpu *cpu, unsigned sreg, uint16_t selector)
{
    x86_segment s;
    x86_status st;
    if (sreg >= X86_SREG_COUNT)
        return x86_ud(cpu);
    if (cpu->mode == X86_MODE_REAL) {
        real_mode_segment(cpu, sreg, selector, &s);
        commit_sreg(cpu, sreg, &s);
        return X86_OK;
    }
    if (sreg != X86_CS) {
        st = prepare_data_load(cpu, sreg, selector, &s);
        if (st != X86_OK)
            return st;
        commit_sreg(cpu, sreg, &s);
        return X86_OK;
    }
    /* CS from the API: a present code segment, at whatever privilege it names. */
    if (sel_null(selector))
        return x86_gp0(cpu);
    x86_descriptor d = { 0 };
    uint64_t addr = 0;
    st = x86_read_descriptor(cpu, selector, false, &d, &addr);
    if (st != X86_OK)
        return st;
    if (!d_code(&d))
        return x86_raise_error(cpu, X86_VEC_GP, sel_err(selector));
    if (!x86_desc_p(&d))
        return x86_raise_error(cpu, X86_VEC_NP, sel_err(selector));
    st = set_accessed(cpu, &d, addr);
    if (st != X86_OK)
        return st;
    x86_descriptor_to_segment(&d, false, selector, &s);
    commit_sreg(cpu, X86_CS, &s);
    return X86_OK;
}

/* ---- Stack helpers for far CALL/RET and POP Sreg (validate, then commit RSP) ---- */

static uint64_t width_mask(unsigned bytes)
{
    return bytes == 8 ? UINT64_MAX : bytes == 4 ? 0xffffffffull : 0xffffull;
}

static uint64_t sp_offset(const x86_cpu *cpu, int64_t delta)
{
    return (cpu->gpr[X86_RSP] + (uint64_t)delta) & width_mask(cpu->stack_size);
}

/* Write RSP at the current stack width (16-bit stacks change SP only). */
static void sp_commit(x86_cpu *cpu, uint64_t v)
{
    uint64_t m = width_mask(cpu->stack_size);
    if (cpu->stack_size == 2)
        cpu->gpr[X86_RSP] = (cpu->gpr[X86_RSP] & ~m) | (v & m);
    else
        cpu->gpr[X86_RSP] = v & m;
}

static x86_status stack_read(x86_cpu *cpu, int64_t delta, unsigned size, uint64_t *val)
{
    return x86_seg_read(cpu, X86_SS, sp_offset(cpu, delta), size, val);
}

static unsigned sreg_of_push_pop(const x86_insn *insn)
{
    if (insn->map == 0)
        return (insn->opcode >> 3) & 3;             /* 06/07 ES, 0E CS, 16/17 SS, 1E/1F DS */
    return (insn->opcode & 0x08) ? X86_GS : X86_FS; /* 0F A0/A1 FS, 0F A8/A9 GS */
}

/* ---- Handlers ---- */

X86_HANDLER(x86_op_mov_sreg_rm)
{
    unsigned sreg = insn->reg & 7;
    if (sreg == X86_CS || sreg >= X86_SREG_COUNT)
        return x86_ud(cpu);
    uint64_t sel = 0;
    x86_status st = x86_rm_read(cpu, insn, 2, &sel);
    if (st != X86_OK)
        return st;
    x86_segment s;
    st = prepare_data_load(cpu, sreg, (uint16_t)sel, &s);
    if (st != X86_OK)
        return st;
    commit_sreg(cpu, sreg, &s);
    /* MOV SS blocks interrupts and debug traps until after the next instruction (6.8.3). */
    if (sreg == X86_SS)
        cpu->interrupt_shadow = X86_SHADOW_MOV_SS;
    return X86_OK;
}

X86_HANDLER(x86_op_mov_rm_sreg)
{
    unsigned sreg = insn->reg & 7;
    if (sreg >= X86_SREG_COUNT)
        return x86_ud(cpu);
    /* A register destination takes the zero-extended selector; memory gets 16 bits. */
    unsigned size = insn->mod == 3 ? insn->opsize : 2;
    return x86_rm_write(cpu, insn, size, cpu->seg[sreg].selector);
}

X86_HANDLER(x86_op_push_sreg)
{
    if (insn->map == 0 && x86_long64(cpu))
        return x86_ud(cpu);
    return x86_push(cpu, insn->opsize, cpu->seg[sreg_of_push_pop(insn)].selector);
}

X86_HANDLER(x86_op_pop_sreg)
{
    unsigned sreg = sreg_of_push_pop(insn);
    if ((insn->map == 0 && x86_long64(cpu)) || sreg == X86_CS)
        return x86_ud(cpu);
    uint64_t sel = 0;
    x86_status st = stack_read(cpu, 0, insn->opsize, &sel);
    if (st != X86_OK)
        return st;
    x86_segment s;
    st = prepare_data_load(cpu, sreg, (uint16_t)sel, &s);
    if (st != X86_OK)
        return st;
    uint64_t new_sp = sp_offset(cpu, insn->opsize);
    commit_sreg(cpu, sreg, &s);
    sp_commit(cpu, new_sp);
    if (sreg == X86_SS)
        cpu->interrupt_shadow = X86_SHADOW_MOV_SS;
    return X86_OK;
}

/*
 * Read a far pointer m16:16/32/64 (offset first, then the selector). #AC
 * wants the pointer aligned like its offset: a 32-bit (16:16) far pointer to
 * 2, a 48-bit (16:32) one to 4 (vol. 3, table 6-7), and 16:64 to 8.
 */
static x86_status read_far_pointer(x86_cpu *cpu, const x86_insn *insn, uint64_t *offset,
                                   uint16_t *sel)
{
    if (insn->mod == 3)
        return x86_ud(cpu);
    uint64_t ea = x86_effective_address(cpu, insn);
    uint64_t lin, s;
    x86_status st = x86_seg_linear_aligned(cpu, insn->seg, ea, insn->opsize + 2u, X86_ACC_READ, insn->opsize,
                                           &lin);
    if (st == X86_OK)
        st = x86_seg_read(cpu, insn->seg, ea, insn->opsize, offset);
    if (st == X86_OK)
        st = x86_seg_read(cpu, insn->seg, (ea + insn->opsize) & width_mask(insn->addrsize), 2, &s);
    if (st != X86_OK)
        return st;
    *sel = (uint16_t)s;
    return X86_OK;
}

X86_HANDLER(x86_op_load_far_ptr)
{
    unsigned sreg;
    if (insn->map == 0) {
        if (x86_long64(cpu))
            return x86_ud(cpu);
        sreg = insn->opcode == 0xc4 ? X86_ES : X86_DS;
    } else {
        sreg = insn->opcode == 0xb2 ? X86_SS : insn->opcode == 0xb4 ? X86_FS : X86_GS;
    }
    uint64_t offset;
    uint16_t sel = 0;
    x86_status st = read_far_pointer(cpu, insn, &offset, &sel);
    if (st != X86_OK)
        return st;
    x86_segment s;
    st = prepare_data_load(cpu, sreg, sel, &s);
    if (st != X86_OK)
        return st;
    commit_sreg(cpu, sreg, &s);
    x86_reg_write(cpu, insn, insn->reg, insn->opsize, offset);
    return X86_OK;
}

/* Far JMP to sel:offset (vol. 2, JMP); a call gate's target keeps the CPL too. */
static x86_status far_jump(x86_cpu *cpu, const x86_insn *insn, uint16_t sel, uint64_t offset)
{
    x86_segment cs;
    if (cpu->mode == X86_MODE_REAL) {
        real_mode_segment(cpu, X86_CS, sel, &cs);
    } else {
        bool via_gate = false;
        uint64_t gate_lo = 0, gate_addr = 0;
        x86_status st = prepare_far_target(cpu, insn, sel, &cs, &via_gate, &gate_lo, &gate_addr);
        if (st != X86_OK)
            return st;
        if (via_gate)
            return x86_jmp_through_gate(cpu, sel, gate_lo, gate_addr);
    }
    x86_status st = check_target_ip(cpu, &cs, offset);
    if (st != X86_OK)
        return st;
    commit_sreg(cpu, X86_CS, &cs);
    cpu->next_rip = offset;
    return X86_OK;
}

/* Far CALL: push CS and the return offset at the operand size, then jump. */
static x86_status far_call(x86_cpu *cpu, const x86_insn *insn, uint16_t sel, uint64_t offset)
{
    x86_segment cs;
    x86_status st;
    if (cpu->mode == X86_MODE_REAL) {
        real_mode_segment(cpu, X86_CS, sel, &cs);
    } else {
        bool via_gate = false;
        uint64_t gate_lo = 0, gate_addr = 0;
        st = prepare_far_target(cpu, insn, sel, &cs, &via_gate, &gate_lo, &gate_addr);
        if (st != X86_OK)
            return st;
        if (via_gate)
            return x86_call_through_gate(cpu, sel, gate_lo, gate_addr);
    }
    st = check_target_ip(cpu, &cs, offset);
    if (st != X86_OK)
        return st;
    int64_t n = insn->opsize;
    uint64_t cs_at = sp_offset(cpu, -n), ip_at = sp_offset(cpu, -2 * n);
    uint64_t lin = 0;
    /* Both slots must be writable before either is written. */
    st = x86_seg_linear(cpu, X86_SS, cs_at, insn->opsize, X86_ACC_WRITE, &lin);
    if (st == X86_OK)
        st = x86_seg_linear(cpu, X86_SS, ip_at, insn->opsize, X86_ACC_WRITE, &lin);
    if (st == X86_OK)
        st = x86_seg_write(cpu, X86_SS, cs_at, insn->opsize, cpu->seg[X86_CS].selector);
    if (st == X86_OK)
        st = x86_seg_write(cpu, X86_SS, ip_at, insn->opsize, cpu->next_rip);
    if (st != X86_OK)
        return st;
    sp_commit(cpu, ip_at);
    commit_sreg(cpu, X86_CS, &cs);
    cpu->next_rip = offset;
    return X86_OK;
}

X86_HANDLER(x86_op_jmp_far)
{
    if (x86_long64(cpu))
        return x86_ud(cpu);
    return far_jump(cpu, insn, (uint16_t)insn->imm2, insn->imm);
}

X86_HANDLER(x86_op_call_far)
{
    if (x86_long64(cpu))
        return x86_ud(cpu);
    return far_call(cpu, insn, (uint16_t)insn->imm2, insn->imm);
}

X86_HANDLER(x86_op_jmp_far_ind)
{
    uint64_t offset;
    uint16_t sel = 0;
    x86_status st = read_far_pointer(cpu, insn, &offset, &sel);
    if (st != X86_OK)
        return st;
    return far_jump(cpu, insn, sel, offset);
}

X86_HANDLER(x86_op_call_far_ind)
{
    uint64_t offset;
    uint16_t sel = 0;
    x86_status st = read_far_pointer(cpu, insn, &offset, &sel);
    if (st != X86_OK)
        return st;
    return far_call(cpu, insn, sel, offset);
}

X86_HANDLER(x86_op_ret_far)
{
    unsigned n = insn->opsize;
    uint64_t release = insn->opcode == 0xca ? (insn->imm & 0xffff) : 0;
    uint64_t ip, cs_val;
    x86_status st = stack_read(cpu, 0, n, &ip);
    if (st == X86_OK)
        st = stack_read(cpu, n, n, &cs_val);
    if (st != X86_OK)
        return st;
    uint16_t sel = (uint16_t)cs_val;

    x86_segment cs;
    if (cpu->mode == X86_MODE_REAL) {
        real_mode_segment(cpu, X86_CS, sel, &cs);
        st = check_target_ip(cpu, &cs, ip);
        if (st != X86_OK)
            return st;
        uint64_t new_sp = sp_offset(cpu, (int64_t)(2 * n + release));
        commit_sreg(cpu, X86_CS, &cs);
        sp_commit(cpu, new_sp);
        cpu->next_rip = ip;
        return X86_OK;
    }

    /* A return to an outer level switches stacks: the privilege-changing half lives with IRET. */
    if (!sel_null(sel) && sel_rpl(sel) > cpu->cpl)
        return x86_retf_outer(cpu, insn);
    uint64_t desc_addr = 0;
    st = x86_return_cs(cpu, NULL, sel, &cs, &desc_addr);
    if (st == X86_OK)
        st = check_target_ip(cpu, &cs, ip);
    if (st == X86_OK)
        st = x86_segment_set_accessed(cpu, &cs, desc_addr);
    if (st != X86_OK)
        return st;
    uint64_t new_sp = sp_offset(cpu, (int64_t)(2 * n + release));
    commit_sreg(cpu, X86_CS, &cs);
    sp_commit(cpu, new_sp);
    cpu->next_rip = ip;
    return X86_OK;
}

x86_status x86_probe_descriptor(x86_cpu *cpu, uint16_t sel, x86_descriptor *d, bool *found)
{
    bool ldt = (sel & X86_SEL_TI) != 0;
    uint64_t base = ldt ? cpu->ldtr.base : cpu->gdtr.base;
    uint64_t limit = ldt ? cpu->ldtr.limit : cpu->gdtr.limit;
    uint64_t index = sel & X86_SEL_INDEX_MASK;
    *found = false;
    if (sel_null(sel) || (ldt && !(cpu->ldtr.attr & X86_SEG_ATTR_P)) || index + 7 > limit)
        return X86_OK;
    uint8_t raw[8];
    x86_status st = x86_sys_read_buf(cpu, base + index, raw, sizeof raw);
    if (st != X86_OK)
        return st;
    d->lo = x86_load_le(raw, 8);
    d->hi = 0;
    *found = true;
    return X86_OK;
}

x86_status x86_verify_segment(x86_cpu *cpu, const x86_insn *insn, bool write)
{
    uint64_t v;
    x86_status st = x86_rm_read(cpu, insn, 2, &v);
    if (st != X86_OK)
        return st;
    uint16_t sel = (uint16_t)v;
    x86_descriptor d = { 0 };
    bool found;
    st = x86_probe_descriptor(cpu, sel, &d, &found);
    if (st != X86_OK)
        return st;
    bool ok = false;
    if (found && x86_desc_s(&d) &&
        (d_conforming(&d) || (x86_desc_dpl(&d) >= cpu->cpl && x86_desc_dpl(&d) >= sel_rpl(sel)))) {
        bool writable_data = d_data(&d) && (x86_desc_type(&d) & X86_TYPE_WRITABLE);
        bool readable = d_data(&d) || (x86_desc_type(&d) & X86_TYPE_READABLE);
        ok = write ? writable_data : readable;
    }
    x86_flags_sync(cpu);
    if (ok)
        cpu->rflags |= X86_FLAG_ZF;
    else
        cpu->rflags &= ~X86_FLAG_ZF;
    return X86_OK;
}

/* Is a system descriptor type valid for LAR (lar = true) or LSL in this mode (vol. 2, LAR/LSL)? */
static bool lar_lsl_system_type_ok(const x86_cpu *cpu, unsigned type, bool lar)
{
    bool ia32e = (cpu->efer & X86_EFER_LMA) != 0;
    switch (type) {
    case X86_SYS_LDT: case X86_SYS_TSS_AVAIL: case X86_SYS_TSS_BUSY:
        return true;
    case X86_SYS_TSS16_AVAIL: case X86_SYS_TSS16_BUSY:
        return !ia32e;
    case X86_SYS_CALL_GATE:
        return lar;
    case X86_SYS_CALL_GATE16: case X86_SYS_TASK_GATE:
        return lar && !ia32e;
    default:
        return false;
    }
}

X86_HANDLER(x86_op_lar_lsl)
{
    if (cpu->mode == X86_MODE_REAL)
        return x86_ud(cpu);
    bool lar = insn->opcode == 0x02;
    uint64_t sel_val;
    x86_status st = x86_rm_read(cpu, insn, 2, &sel_val);
    if (st != X86_OK)
        return st;
    uint16_t sel = (uint16_t)sel_val;
    x86_descriptor d = { 0 };
    bool found;
    st = x86_probe_descriptor(cpu, sel, &d, &found);
    if (st != X86_OK)
        return st;
    bool ok = found && (x86_desc_s(&d) || lar_lsl_system_type_ok(cpu, x86_desc_type(&d), lar)) &&
              (d_conforming(&d) || (x86_desc_dpl(&d) >= cpu->cpl && x86_desc_dpl(&d) >= sel_rpl(sel)));
    if (!ok) {
        x86_flags_sync(cpu);
        cpu->rflags &= ~X86_FLAG_ZF;
        return X86_OK;
    }
    uint64_t result;
    if (lar) {
        result = (d.lo >> 32) & (insn->opsize == 2 ? LAR_MASK_16 : LAR_MASK_32);
    } else {
        x86_segment s;
        x86_descriptor_to_segment(&d, false, sel, &s);
        result = s.limit;
    }
    x86_reg_write(cpu, insn, insn->reg, insn->opsize, result);
    x86_flags_sync(cpu);
    cpu->rflags |= X86_FLAG_ZF;
    return X86_OK;
}
