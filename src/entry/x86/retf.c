/*
 * Far RET to an outer privilege level, the inverse of a CALL through a call
 * gate to a more privileged level (SDM vol. 2, RET: RETURN-TO-OUTER-
 * PRIVILEGE-LEVEL and its IA-32e branch; vol. 3, 5.8.6): pop RIP and CS,
 * release imm16 bytes (the parameters the gate copied), pop RSP and SS, and
 * release imm16 bytes again on the caller's stack. The return CS and SS get
 * the same checks as IRET's (return_segments.c); a return to 64-bit code
 * below CPL 3 may load a null SS. Data segment registers the outer level
 * may not use are nulled. Everything is read and checked before anything
 * is written; the return is a record of kind EMU_TRAP_RETURN.
 */
#include "core/machine.h"
#include "cpu/x86/system.h"
#include "entry/x86/entry.h"
#include "entry/x86/return_segments.h"
#include "mmu/x86_paging.h"

#define RET_IMM16 0xca      /* RET imm16 (far): releases imm16 bytes */

/* Read the slot `delta` bytes above the stack pointer, as step `name`. */
static x86_status pop_slot(x86_cpu *cpu, emu_trap *rec, const char *name, uint64_t delta, unsigned size,
                           uint64_t *val)
{
    uint64_t offset = (cpu->gpr[X86_RSP] + delta) & x86_width_mask(cpu->stack_size);
    x86_status st = x86_seg_read(cpu, X86_SS, offset, size, val);
    if (st == X86_OK)
        x86_trap_step(cpu, rec, name, offset, *val);
    return st;
}

static x86_status retf_outer(x86_cpu *cpu, const x86_insn *insn, emu_trap *rec)
{
    const unsigned n = insn->opsize;
    const uint64_t release = insn->opcode == RET_IMM16 ? (insn->imm & 0xffff) : 0;

    /* ---- Validate: the return address and its code segment ---- */
    uint64_t ip = 0, cs_slot = 0;
    x86_status st = pop_slot(cpu, rec, "pop RIP", 0, n, &ip);
    if (st == X86_OK)
        st = pop_slot(cpu, rec, "pop CS", n, n, &cs_slot);
    if (st != X86_OK)
        return st;
    uint16_t cs_sel = (uint16_t)cs_slot;
    x86_segment cs = { 0 }, ss = { 0 };
    uint64_t cs_addr = 0, ss_addr = 0;
    st = x86_return_cs(cpu, rec, cs_sel, &cs, &cs_addr);
    if (st != X86_OK)
        return st;
    unsigned new_cpl = cs_sel & X86_SEL_RPL_MASK;
    bool to_64bit = (cpu->efer & X86_EFER_LMA) && (cs.attr & X86_SEG_ATTR_L);

    /* ---- Validate: the caller's stack, above the released parameters ---- */
    if (release)
        x86_trap_step(cpu, rec, "release imm16 bytes of parameters", 0, release);
    uint64_t new_sp = 0, ss_slot = 0;
    st = pop_slot(cpu, rec, "pop RSP", 2 * n + release, n, &new_sp);
    if (st == X86_OK)
        st = pop_slot(cpu, rec, "pop SS", 3 * n + release, n, &ss_slot);
    if (st == X86_OK)
        st = x86_return_ss(cpu, rec, (uint16_t)ss_slot, new_cpl, to_64bit, &ss, &ss_addr);
    if (st != X86_OK)
        return st;
    x86_trap_step(cpu, rec, "check return CS and RIP", ip, cs_sel);
    if (to_64bit ? !x86_canonical(ip) : ip > cs.limit)
        return x86_gp0(cpu);

    /* ---- Stage: the accessed bits of the loaded descriptors ---- */
    st = x86_segment_set_accessed(cpu, &cs, cs_addr);
    if (st == X86_OK && ss_addr)
        st = x86_segment_set_accessed(cpu, &ss, ss_addr);
    if (st != X86_OK)
        return st;

    /* ---- Commit: no fault is possible past this line ---- */
    cpu->seg[X86_CS] = cs;
    cpu->seg[X86_SS] = ss;
    x86_update_mode(cpu);
    /* The popped stack pointer plus the release, at the new stack's width (a 16-bit SS loads SP only), as QEMU. */
    uint64_t mask = x86_width_mask(cpu->stack_size);
    cpu->gpr[X86_RSP] = (cpu->gpr[X86_RSP] & ~mask) | ((new_sp + release) & mask);
    cpu->next_rip = ip;
    x86_trap_step(cpu, rec, "load CS:RIP, SS:RSP", ip, cpu->gpr[X86_RSP]);
    x86_null_inaccessible_segments(cpu, rec);
    rec->to_pc = ip;
    rec->to_sp = cpu->gpr[X86_RSP];
    rec->to_priv = cpu->cpl;
    return X86_OK;
}

x86_status x86_retf_outer(x86_cpu *cpu, const x86_insn *insn)
{
    emu_trap rec;
    x86_trap_begin(cpu, &rec, EMU_TRAP_RETURN, -1);
    x86_status st = retf_outer(cpu, insn, &rec);
    if (st == X86_OK)
        machine_trap_record(cpu->machine, &rec);
    return st;
}
