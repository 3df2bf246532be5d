/*
 * The target code segment of an interrupt or trap gate, checked the same way
 * in IA-32e and legacy protected mode (SDM vol. 2, INT n: the checks on the
 * gate's selector; vol. 3, 6.12.1): not null, within its table, a code
 * segment no less privileged than the CPL, present; in IA-32e mode also
 * 64-bit code (L = 1, D = 0, 6.14.1). The handler runs at the segment's DPL,
 * or at the CPL for a conforming segment.
 *
 * Inline: one per delivery, and the record's two steps then join the
 * delivery's own.
 */
#ifndef EMU_ENTRY_X86_HANDLER_CS_H
#define EMU_ENTRY_X86_HANDLER_CS_H

#include "cpu/x86/system.h"
#include "entry/x86/entry.h"

/* Check the gate's target code segment; *new_cpl is the handler's privilege. */
static inline X86_MUST_CHECK x86_status x86_handler_cs(x86_cpu *cpu, emu_trap *rec, uint16_t sel, uint32_t ext,
                                                       bool ia32e, x86_segment *cs, unsigned *new_cpl)
{
    uint32_t sel_err = (sel & (X86_SEL_INDEX_MASK | X86_SEL_TI)) | ext;
    if ((sel & ~X86_SEL_RPL_MASK) == 0)
        return x86_raise_error(cpu, X86_VEC_GP, ext);
    uint64_t table_limit = (sel & X86_SEL_TI) ? cpu->ldtr.limit : cpu->gdtr.limit;
    if ((sel & X86_SEL_INDEX_MASK) + 7u > table_limit)
        return x86_raise_error(cpu, X86_VEC_GP, sel_err);
    x86_descriptor d;
    uint64_t addr;
    x86_status st = x86_read_descriptor(cpu, sel, false, &d, &addr);
    if (st != X86_OK)
        return st;
    x86_trap_step(cpu, rec, "read target CS descriptor", addr, d.lo);
    x86_descriptor_to_segment(&d, false, sel, cs);
    bool is_code = x86_desc_s(&d) && (x86_desc_type(&d) & X86_TYPE_CODE);
    x86_trap_step(cpu, rec, "check target CS", addr, cs->attr);
    if (!is_code || x86_desc_dpl(&d) > cpu->cpl)
        return x86_raise_error(cpu, X86_VEC_GP, sel_err);
    if (!x86_desc_p(&d))
        return x86_raise_error(cpu, X86_VEC_NP, sel_err);
    if (ia32e && (!(cs->attr & X86_SEG_ATTR_L) || (cs->attr & X86_SEG_ATTR_DB)))
        return x86_raise_error(cpu, X86_VEC_GP, sel_err);
    *new_cpl = (x86_desc_type(&d) & X86_TYPE_CONFORMING) ? cpu->cpl : x86_desc_dpl(&d);
    return X86_OK;
}

#endif
