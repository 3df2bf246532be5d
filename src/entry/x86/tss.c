/*
 * The stacks a transfer to a more privileged level takes from the current
 * TSS (SDM vol. 3, 8.2.1 figure 8-2 and 8.7 figure 8-11; 6.12.1, 6.14.4,
 * 6.14.5; 5.8.5): RSPn and ISTn of a 64-bit TSS, SSn:ESPn of a 32-bit TSS
 * with the checks on the new stack segment. Shared by interrupt delivery
 * and far CALL through a call gate; each read is a step of the record.
 */
#include "core/machine.h"
#include "cpu/x86/system.h"
#include "entry/x86/entry.h"
#include "mmu/x86_paging.h"

#define TSS32_ESP0 0x04u    /* ESPn at 4 + 8n, SSn at 8 + 8n (figure 8-2) */
#define TSS32_SS0  0x08u

x86_status x86_tss32_stack(x86_cpu *cpu, emu_trap *rec, unsigned new_cpl, uint32_t ext, x86_segment *ss,
                           uint32_t *esp, uint64_t *ss_desc_addr)
{
    unsigned esp_off = TSS32_ESP0 + 8 * new_cpl, ss_off = TSS32_SS0 + 8 * new_cpl;
    unsigned tss_type = cpu->tr.attr & X86_SEG_ATTR_TYPE_MASK;
    uint16_t tr_err = (cpu->tr.selector & X86_SEL_INDEX_MASK) | ext;
    if (tss_type != X86_SYS_TSS_BUSY) {
        machine_stop(cpu->machine, EMU_STOP_ERROR, "stack switch through a 16-bit TSS is not modelled");
        return X86_STOP;
    }
    if (ss_off + 1 > cpu->tr.limit)
        return x86_raise_error(cpu, X86_VEC_TS, tr_err);
    uint8_t raw[8];
    x86_status st = x86_sys_read_buf(cpu, cpu->tr.base + esp_off, raw, sizeof raw);
    if (st != X86_OK)
        return st;
    *esp = (uint32_t)x86_load_le(raw, 4);
    uint16_t ss_sel = (uint16_t)x86_load_le(raw + 4, 2);
    x86_trap_step(cpu, rec, "read TSS.ESPn", cpu->tr.base + esp_off, *esp);
    x86_trap_step(cpu, rec, "read TSS.SSn", cpu->tr.base + ss_off, ss_sel);
    uint32_t ss_err = (ss_sel & (X86_SEL_INDEX_MASK | X86_SEL_TI)) | ext;
    if ((ss_sel & ~X86_SEL_RPL_MASK) == 0)
        return x86_raise_error(cpu, X86_VEC_TS, ext);
    if ((ss_sel & X86_SEL_RPL_MASK) != new_cpl)
        return x86_raise_error(cpu, X86_VEC_TS, ss_err);
    x86_descriptor d = { 0 };
    uint64_t addr = 0;
    st = x86_read_descriptor(cpu, ss_sel, false, &d, &addr);
    if (st == X86_FAULT && cpu->fault.vector == X86_VEC_GP)
        return x86_raise_error(cpu, X86_VEC_TS, ss_err);   /* beyond the table: #TS, not #GP */
    if (st != X86_OK)
        return st;
    x86_trap_step(cpu, rec, "read new SS descriptor", addr, d.lo);
    bool writable_data = x86_desc_s(&d) && !(x86_desc_type(&d) & X86_TYPE_CODE) &&
                         (x86_desc_type(&d) & X86_TYPE_WRITABLE);
    if (!writable_data || x86_desc_dpl(&d) != new_cpl)
        return x86_raise_error(cpu, X86_VEC_TS, ss_err);
    if (!x86_desc_p(&d))
        return x86_raise_error(cpu, X86_VEC_SS, ss_err);
    x86_descriptor_to_segment(&d, false, ss_sel, ss);
    if (ss_desc_addr)
        *ss_desc_addr = addr;
    return X86_OK;
}
