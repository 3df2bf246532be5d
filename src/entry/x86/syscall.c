/*
 * SYSCALL and SYSRET (SDM vol. 2, SYSCALL and SYSRET; AMD APM vol. 3,
 * SYSCALL and SYSRET), the fast system-call pair: no IDT, no stack switch,
 * flat segments loaded from fixed values selected by IA32_STAR rather than
 * read from the GDT. Each is a trap record like any other delivery.
 *
 * Vendor profiles differ in two places (docs/traps.md):
 * - Where the pair may run. Intel allows both only in 64-bit mode (#UD
 *   elsewhere). AMD allows them anywhere in long mode: SYSCALL from
 *   compatibility mode enters 64-bit mode at IA32_CSTAR, and SYSRET from
 *   compatibility mode returns like one from 64-bit mode. AMD's legacy-mode
 *   forms (STAR[31:0] as the target) are not modelled and stop naming it.
 * - SYSRET to a non-canonical RCX: Intel raises #GP(0) at CPL 0 before
 *   anything changes; AMD completes the SYSRET and the fetch at CPL 3
 *   faults instead.
 */
#include <stdio.h>

#include "core/machine.h"
#include "cpu/x86/handlers.h"
#include "cpu/x86/system.h"
#include "entry/x86/entry.h"
#include "mmu/x86_paging.h"

#define STAR_SYSCALL_CS_SHIFT 32
#define STAR_SYSRET_CS_SHIFT  48
#define SEL_MASK              0xffffu
/* SYSRET's RFLAGS: R11 less RF, VM and the reserved bits (vol. 2, SYSRET). */
#define SYSRET_RFLAGS_MASK    0x3c7fd7ull

/* The fixed flat descriptors SYSCALL/SYSRET load (no GDT read). */
#define ATTR_FLAT_CODE64 (0x0b | X86_SEG_ATTR_S | X86_SEG_ATTR_P | X86_SEG_ATTR_L | X86_SEG_ATTR_G)
#define ATTR_FLAT_CODE32 (0x0b | X86_SEG_ATTR_S | X86_SEG_ATTR_P | X86_SEG_ATTR_DB | X86_SEG_ATTR_G)
#define ATTR_FLAT_DATA   (0x03 | X86_SEG_ATTR_S | X86_SEG_ATTR_P | X86_SEG_ATTR_DB | X86_SEG_ATTR_G)
#define DPL3             (3u << X86_SEG_ATTR_DPL_SHIFT)
#define FLAT_LIMIT       0xffffffffu

/* Intel: 64-bit mode only (vol. 2, SYSCALL: "IF (CS.L != 1) or (IA32_EFER.LMA != 1) ... #UD"). */
static bool intel_mode_ok(const x86_cpu *cpu)
{
    return x86_long64(cpu);
}

/* AMD: anywhere in long mode; LONG_MODE in the APM's pseudocode is EFER.LMA, not CS.L. */
static bool amd_long_mode(const x86_cpu *cpu)
{
    return cpu->mode != X86_MODE_REAL && (cpu->efer & X86_EFER_LMA);
}

/*
 * Is the SYSCALL/SYSRET pair available here? #UD when EFER.SCE is clear or
 * (Intel) outside 64-bit mode; X86_STOP naming AMD's legacy-mode form.
 */
static x86_status syscall_available(x86_cpu *cpu, const x86_insn *insn, const char *legacy_form)
{
    if (!(cpu->efer & X86_EFER_SCE))
        return x86_ud(cpu);
    if (cpu->config.vendor == X86_VENDOR_INTEL)
        return intel_mode_ok(cpu) ? X86_OK : x86_ud(cpu);
    if (amd_long_mode(cpu))
        return X86_OK;
    return x86_unsupported(cpu, insn, legacy_form);
}

static void flat(x86_segment *s, uint16_t selector, uint16_t attr)
{
    *s = (x86_segment){ .selector = selector, .base = 0, .limit = FLAT_LIMIT, .attr = attr };
}

static void end_record(x86_cpu *cpu, emu_trap *rec)
{
    rec->to_pc = cpu->next_rip;
    rec->to_sp = cpu->gpr[X86_RSP];
    rec->to_priv = cpu->cpl;
    x86_trap_stack(rec, "current");
    machine_trap_record(cpu->machine, rec);
}

X86_HANDLER(x86_op_syscall)
{
    x86_status avail = syscall_available(cpu, insn, "SYSCALL in legacy mode (AMD: to IA32_STAR[31:0])");
    if (avail != X86_OK)
        return avail;
    /* AMD, compatibility mode: the entry point is IA32_CSTAR and RCX gets the 32-bit return EIP. */
    const bool from_compat = !x86_long64(cpu);
    emu_trap rec;
    x86_trap_begin(cpu, &rec, EMU_TRAP_SYSCALL, -1);
    uint64_t rflags = x86_rflags(cpu);
    uint16_t cs_sel = (uint16_t)(cpu->msr.star >> STAR_SYSCALL_CS_SHIFT) & SEL_MASK;
    /* Outside 64-bit mode next_rip is already the 32-bit EIP, so RCX is zero-extended. */
    cpu->gpr[X86_RCX] = cpu->next_rip;
    x86_trap_step(cpu, &rec, "RCX = return RIP", 0, cpu->next_rip);
    cpu->gpr[X86_R11] = rflags & ~X86_FLAG_RF;
    x86_trap_step(cpu, &rec, "R11 = RFLAGS", 0, cpu->gpr[X86_R11]);
    cpu->rflags = rflags & ~((uint32_t)cpu->msr.sfmask | X86_FLAG_RF);
    x86_trap_step(cpu, &rec, "RFLAGS &= ~IA32_FMASK", cpu->msr.sfmask, cpu->rflags);
    flat(&cpu->seg[X86_CS], cs_sel & ~X86_SEL_RPL_MASK, ATTR_FLAT_CODE64);
    flat(&cpu->seg[X86_SS], (uint16_t)(cs_sel + 8), ATTR_FLAT_DATA);
    x86_trap_step(cpu, &rec, "load CS, SS from IA32_STAR[47:32]", 0, cs_sel);
    if (from_compat) {
        cpu->next_rip = cpu->msr.cstar;
        x86_trap_step(cpu, &rec, "RIP = IA32_CSTAR", 0, cpu->msr.cstar);
    } else {
        cpu->next_rip = cpu->msr.lstar;
        x86_trap_step(cpu, &rec, "RIP = IA32_LSTAR", 0, cpu->msr.lstar);
    }
    x86_update_mode(cpu);
    end_record(cpu, &rec);
    return X86_OK;
}

X86_HANDLER(x86_op_sysret)
{
    x86_status avail = syscall_available(cpu, insn, "SYSRET in legacy mode (AMD)");
    if (avail != X86_OK)
        return avail;
    if (cpu->cpl != 0)
        return x86_gp0(cpu);
    bool to_64bit = insn->opsize == 8;
    uint64_t rip = to_64bit ? cpu->gpr[X86_RCX] : (uint32_t)cpu->gpr[X86_RCX];
    /* Intel checks RCX at CPL 0 (vol. 2, SYSRET); AMD leaves the fault to the CPL-3 fetch. */
    if (to_64bit && !x86_canonical(rip) && cpu->config.vendor == X86_VENDOR_INTEL)
        return x86_gp0(cpu);
    emu_trap rec;
    x86_trap_begin(cpu, &rec, EMU_TRAP_RETURN, -1);
    uint16_t base = (uint16_t)(cpu->msr.star >> STAR_SYSRET_CS_SHIFT) & SEL_MASK;
    x86_flags_discard(cpu);     /* RFLAGS comes whole from R11 */
    cpu->rflags = (cpu->gpr[X86_R11] & SYSRET_RFLAGS_MASK) | X86_FLAG_FIXED1;
    x86_trap_step(cpu, &rec, "RFLAGS = R11", 0, cpu->rflags);
    if (to_64bit)
        flat(&cpu->seg[X86_CS], (uint16_t)((base + 16) | 3), ATTR_FLAT_CODE64 | DPL3);
    else
        flat(&cpu->seg[X86_CS], (uint16_t)(base | 3), ATTR_FLAT_CODE32 | DPL3);
    flat(&cpu->seg[X86_SS], (uint16_t)((base + 8) | 3), ATTR_FLAT_DATA | DPL3);
    x86_trap_step(cpu, &rec, "load CS, SS from IA32_STAR[63:48]", 0, cpu->seg[X86_CS].selector);
    cpu->next_rip = rip;
    x86_trap_step(cpu, &rec, "RIP = RCX", 0, rip);
    x86_update_mode(cpu);
    end_record(cpu, &rec);
    return X86_OK;
}
