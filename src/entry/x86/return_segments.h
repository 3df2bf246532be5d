/*
 * The segments a return to another privilege level loads, checked the same
 * way for IRET and far RET (SDM vol. 2, IRET: PROTECTED-MODE-RETURN and
 * RETURN-TO-OUTER-PRIVILEGE-LEVEL; RET: the far-return branches; vol. 3,
 * 5.8.6), and the data segment registers such a return nulls. Checks only:
 * the callers load what these return after all their checks pass.
 *
 * Inline: each return runs them once, and their steps then join the
 * return's own.
 */
#ifndef EMU_ENTRY_X86_RETURN_SEGMENTS_H
#define EMU_ENTRY_X86_RETURN_SEGMENTS_H

#include "cpu/x86/system.h"
#include "entry/x86/entry.h"

static inline uint16_t x86_return_sel_index(uint16_t sel)
{
    return sel & (X86_SEL_INDEX_MASK | X86_SEL_TI);
}

/* A step of the record, when the caller keeps one. */
static inline void x86_return_step(x86_cpu *cpu, emu_trap *rec, const char *name, uint64_t addr, uint64_t value)
{
    if (rec)
        x86_trap_step(cpu, rec, name, addr, value);
}

/*
 * The code segment a return loads (vol. 2, RET and IRET): not null (#GP(0)),
 * within its table, code, RPL >= CPL, DPL = RPL (conforming: DPL <= RPL), no
 * L and D together in IA-32e mode (#GP(sel)), present (#NP(sel)). rec may be
 * NULL (a same-privilege far RET keeps no record). *desc_addr: for the
 * accessed bit.
 */
static inline X86_MUST_CHECK x86_status x86_return_cs(x86_cpu *cpu, emu_trap *rec, uint16_t sel, x86_segment *cs,
                                                      uint64_t *desc_addr)
{
    unsigned rpl = sel & X86_SEL_RPL_MASK;
    if (x86_return_sel_index(sel) == 0)
        return x86_gp0(cpu);
    x86_descriptor d = { 0 };
    x86_status st = x86_read_descriptor(cpu, sel, false, &d, desc_addr);
    if (st != X86_OK)
        return st;
    x86_return_step(cpu, rec, "read return CS descriptor", *desc_addr, d.lo);
    bool is_code = x86_desc_s(&d) && (x86_desc_type(&d) & X86_TYPE_CODE);
    bool conforming = is_code && (x86_desc_type(&d) & X86_TYPE_CONFORMING);
    if (!is_code || rpl < cpu->cpl || (conforming ? x86_desc_dpl(&d) > rpl : x86_desc_dpl(&d) != rpl))
        return x86_raise_error(cpu, X86_VEC_GP, x86_return_sel_index(sel));
    if (!x86_desc_p(&d))
        return x86_raise_error(cpu, X86_VEC_NP, x86_return_sel_index(sel));
    x86_descriptor_to_segment(&d, false, sel, cs);
    /* L and D together are reserved in IA-32e mode (vol. 3, 5.2.1). */
    if ((cpu->efer & X86_EFER_LMA) && (cs->attr & X86_SEG_ATTR_L) && (cs->attr & X86_SEG_ATTR_DB))
        return x86_raise_error(cpu, X86_VEC_GP, x86_return_sel_index(sel));
    return X86_OK;
}

/*
 * The stack segment a return to new_cpl loads: writable data with RPL = DPL
 * = new_cpl (#GP(sel)), present (#SS(sel)); null only returning to 64-bit
 * code below CPL 3 (else #GP(0)). *desc_addr is 0 for a null SS.
 */
static inline X86_MUST_CHECK x86_status x86_return_ss(x86_cpu *cpu, emu_trap *rec, uint16_t sel, unsigned new_cpl,
                                                      bool to_64bit, x86_segment *ss, uint64_t *desc_addr)
{
    *desc_addr = 0;
    if (x86_return_sel_index(sel) == 0) {
        if (!to_64bit || new_cpl == 3)
            return x86_gp0(cpu);
        *ss = (x86_segment){ .selector = sel };
        x86_return_step(cpu, rec, "return SS is null (64-bit, CPL < 3)", 0, sel);
        return X86_OK;
    }
    if ((sel & X86_SEL_RPL_MASK) != new_cpl)
        return x86_raise_error(cpu, X86_VEC_GP, x86_return_sel_index(sel));
    x86_descriptor d = { 0 };
    x86_status st = x86_read_descriptor(cpu, sel, false, &d, desc_addr);
    if (st != X86_OK)
        return st;
    x86_return_step(cpu, rec, "read return SS descriptor", *desc_addr, d.lo);
    bool writable_data = x86_desc_s(&d) && !(x86_desc_type(&d) & X86_TYPE_CODE) &&
                         (x86_desc_type(&d) & X86_TYPE_WRITABLE);
    if (!writable_data || x86_desc_dpl(&d) != new_cpl)
        return x86_raise_error(cpu, X86_VEC_GP, x86_return_sel_index(sel));
    if (!x86_desc_p(&d))
        return x86_raise_error(cpu, X86_VEC_SS, x86_return_sel_index(sel));
    x86_descriptor_to_segment(&d, false, sel, ss);
    return X86_OK;
}

/*
 * After the return committed: null ES/DS/FS/GS holding data or
 * non-conforming code with DPL < CPL. The selector and attributes go; the
 * base stays, as in QEMU, so a 64-bit FS/GS base a kernel set survives (the
 * SDM says only "SegReg <- NULL").
 */
static inline void x86_null_inaccessible_segments(x86_cpu *cpu, emu_trap *rec)
{
    /* 64-bit kernels mostly leave all four null (bases come from MSRs): then none needs a look. */
    uint16_t any_attr = cpu->seg[X86_ES].attr | cpu->seg[X86_DS].attr | cpu->seg[X86_FS].attr |
                        cpu->seg[X86_GS].attr;
    if (!(any_attr & X86_SEG_ATTR_S))
        return;
    static const unsigned data_sregs[] = { X86_ES, X86_DS, X86_FS, X86_GS };
    for (unsigned i = 0; i < sizeof data_sregs / sizeof data_sregs[0]; i++) {
        x86_segment *s = &cpu->seg[data_sregs[i]];
        unsigned dpl = (s->attr & X86_SEG_ATTR_DPL_MASK) >> X86_SEG_ATTR_DPL_SHIFT;
        bool data_or_nonconforming = !(s->attr & X86_TYPE_CODE) || !(s->attr & X86_TYPE_CONFORMING);
        if ((s->attr & X86_SEG_ATTR_S) && data_or_nonconforming && dpl < cpu->cpl) {
            s->selector = 0;
            s->attr = 0;
            x86_return_step(cpu, rec, "null data segment the new CPL may not use", 0, data_sregs[i]);
        }
    }
}

#endif
