/*
 * RDPKRU and WRPKRU (SDM vol. 2 instruction pages; vol. 3, 2.7): the
 * protection-key rights register for user pages, at any privilege level.
 * Both are #UD while CR4.PKE = 0 (the decoder already refuses LOCK).
 * RDPKRU needs ECX = 0 and WRPKRU ECX = EDX = 0, else #GP(0); the upper
 * halves of RCX and RDX are ignored. The key check itself is
 * mmu/x86_pkeys.c.
 */
#include "cpu/x86/system.h"
#include "mmu/x86_pkeys.h"

#define LOW32 0xffffffffull

x86_status x86_rdpkru(x86_cpu *cpu, const x86_insn *insn)
{
    (void)insn;
    if (!(cpu->cr4 & X86_CR4_PKE))
        return x86_ud(cpu);
    if (cpu->gpr[X86_RCX] & LOW32)
        return x86_gp0(cpu);
    cpu->gpr[X86_RAX] = cpu->pkru;
    cpu->gpr[X86_RDX] = 0;
    return X86_OK;
}

x86_status x86_wrpkru(x86_cpu *cpu, const x86_insn *insn)
{
    (void)insn;
    if (!(cpu->cr4 & X86_CR4_PKE))
        return x86_ud(cpu);
    if ((cpu->gpr[X86_RCX] & LOW32) || (cpu->gpr[X86_RDX] & LOW32))
        return x86_gp0(cpu);
    x86_set_pkru(cpu, (uint32_t)cpu->gpr[X86_RAX]);
    return X86_OK;
}
