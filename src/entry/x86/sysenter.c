/*
 * SYSENTER and SYSEXIT (SDM vol. 2, SYSENTER and SYSEXIT): the other fast
 * system-call pair, driven by IA32_SYSENTER_CS/ESP/EIP. Like SYSCALL they
 * load fixed flat segments (selectors from IA32_SYSENTER_CS) without reading
 * the GDT. AMD processors reserve both in long mode (#UD), which the AMD
 * vendor profile follows (AMD64 APM vol. 3, SYSENTER).
 */
#include <stdio.h>

#include "core/machine.h"
#include "cpu/x86/handlers.h"
#include "cpu/x86/system.h"
#include "entry/x86/entry.h"
#include "mmu/x86_paging.h"

#define SYSENTER_SS_OFFSET    8
#define SYSEXIT32_CS_OFFSET   16
#define SYSEXIT32_SS_OFFSET   24
#define SYSEXIT64_CS_OFFSET   32
#define SYSEXIT64_SS_OFFSET   40

#define ATTR_CODE  (0x0b | X86_SEG_ATTR_S | X86_SEG_ATTR_P | X86_SEG_ATTR_G)
#define ATTR_DATA  (0x03 | X86_SEG_ATTR_S | X86_SEG_ATTR_P | X86_SEG_ATTR_DB | X86_SEG_ATTR_G)
#define DPL3       (3u << X86_SEG_ATTR_DPL_SHIFT)

static void flat(x86_segment *s, uint16_t selector, uint16_t attr)
{
    *s = (x86_segment){ .selector = selector, .base = 0, .limit = 0xffffffffu, .attr = attr };
}

/* Shared checks: #UD where the instruction does not exist, #GP(0) without a SYSENTER_CS. */
static x86_status usable(x86_cpu *cpu)
{
    if (cpu->config.vendor == X86_VENDOR_AMD && (cpu->efer & X86_EFER_LMA))
        return x86_ud(cpu);
    if (!(cpu->cr0 & X86_CR0_PE) || (cpu->msr.sysenter_cs & X86_SEL_INDEX_MASK) == 0)
        return x86_gp0(cpu);
    return X86_OK;
}

static void finish(x86_cpu *cpu, emu_trap *rec)
{
    x86_update_mode(cpu);
    rec->to_pc = cpu->next_rip;
    rec->to_sp = cpu->gpr[X86_RSP];
    rec->to_priv = cpu->cpl;
    x86_trap_stack(rec, "SYSENTER_ESP");
    machine_trap_record(cpu->machine, rec);
}

X86_HANDLER(x86_op_sysenter)
{
    x86_status st = usable(cpu);
    if (st != X86_OK)
        return st;
    emu_trap rec;
    x86_trap_begin(cpu, &rec, EMU_TRAP_SYSCALL, -1);
    bool ia32e = (cpu->efer & X86_EFER_LMA) != 0;
    uint16_t cs = (uint16_t)cpu->msr.sysenter_cs & ~X86_SEL_RPL_MASK;
    x86_flags_sync(cpu);
    cpu->rflags &= ~(X86_FLAG_VM | X86_FLAG_IF | X86_FLAG_RF);
    x86_trap_step(cpu, &rec, "clear VM IF RF", 0, cpu->rflags);
    flat(&cpu->seg[X86_CS], cs, ia32e ? (ATTR_CODE | X86_SEG_ATTR_L) : (ATTR_CODE | X86_SEG_ATTR_DB));
    flat(&cpu->seg[X86_SS], (uint16_t)(cs + SYSENTER_SS_OFFSET), ATTR_DATA);
    x86_trap_step(cpu, &rec, "load CS, SS from IA32_SYSENTER_CS", 0, cs);
    cpu->gpr[X86_RSP] = ia32e ? cpu->msr.sysenter_esp : (uint32_t)cpu->msr.sysenter_esp;
    x86_trap_step(cpu, &rec, "RSP = IA32_SYSENTER_ESP", 0, cpu->gpr[X86_RSP]);
    cpu->next_rip = ia32e ? cpu->msr.sysenter_eip : (uint32_t)cpu->msr.sysenter_eip;
    x86_trap_step(cpu, &rec, "RIP = IA32_SYSENTER_EIP", 0, cpu->next_rip);
    finish(cpu, &rec);
    return X86_OK;
}

X86_HANDLER(x86_op_sysexit)
{
    x86_status st = usable(cpu);
    if (st != X86_OK)
        return st;
    if (cpu->cpl != 0)
        return x86_gp0(cpu);
    bool to_64bit = insn->opsize == 8;
    uint64_t rip = to_64bit ? cpu->gpr[X86_RDX] : (uint32_t)cpu->gpr[X86_RDX];
    uint64_t rsp = to_64bit ? cpu->gpr[X86_RCX] : (uint32_t)cpu->gpr[X86_RCX];
    if (to_64bit && (!x86_canonical(rip) || !x86_canonical(rsp)))
        return x86_gp0(cpu);
    emu_trap rec;
    x86_trap_begin(cpu, &rec, EMU_TRAP_RETURN, -1);
    uint16_t base = (uint16_t)cpu->msr.sysenter_cs;
    if (to_64bit) {
        flat(&cpu->seg[X86_CS], (uint16_t)((base + SYSEXIT64_CS_OFFSET) | 3), ATTR_CODE | X86_SEG_ATTR_L | DPL3);
        flat(&cpu->seg[X86_SS], (uint16_t)((base + SYSEXIT64_SS_OFFSET) | 3), ATTR_DATA | DPL3);
    } else {
        flat(&cpu->seg[X86_CS], (uint16_t)((base + SYSEXIT32_CS_OFFSET) | 3), ATTR_CODE | X86_SEG_ATTR_DB | DPL3);
        flat(&cpu->seg[X86_SS], (uint16_t)((base + SYSEXIT32_SS_OFFSET) | 3), ATTR_DATA | DPL3);
    }
    x86_trap_step(cpu, &rec, "load CS, SS from IA32_SYSENTER_CS", 0, cpu->seg[X86_CS].selector);
    cpu->gpr[X86_RSP] = rsp;
    x86_trap_step(cpu, &rec, "RSP = RCX", 0, rsp);
    cpu->next_rip = rip;
    x86_trap_step(cpu, &rec, "RIP = RDX", 0, rip);
    finish(cpu, &rec);
    return X86_OK;
}
