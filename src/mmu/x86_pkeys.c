/*
 * The protection-key check (x86_pkeys.h). It comes after the rights that
 * U/S, R/W, SMAP and CR0.WP give (4.6.1 lists a key's permission as one more
 * condition on the same access), and it is reported apart from them: the
 * #PF error code's PK flag says a key denied the access whether or not
 * another right also did (4.7).
 */
#include "mmu/x86_pkeys.h"

#include "cpu/x86/x86.h"

bool x86_pkey_denies(const x86_cpu *cpu, const x86_xlate *xl, x86_access acc, bool user)
{
    /* Keys exist only under IA-32e paging, and govern data accesses alone. */
    if (!xl->paging || !(cpu->efer & X86_EFER_LMA) || acc == X86_ACC_EXEC)
        return false;
    uint32_t rights;
    if (xl->user) {
        if (!(cpu->cr4 & X86_CR4_PKE))
            return false;
        rights = cpu->pkru;
    } else {
        if (!(cpu->cr4 & X86_CR4_PKS))
            return false;
        rights = (uint32_t)cpu->msr.pkrs;
    }
    rights >>= X86_PKR_BITS_PER_KEY * xl->pkey;
    if (rights & X86_PKR_AD)
        return true;
    bool write = acc == X86_ACC_WRITE || acc == X86_ACC_RMW;
    /* WD binds supervisor-mode writes only when CR0.WP = 1, as R/W does. */
    return write && (rights & X86_PKR_WD) && (user || (cpu->cr0 & X86_CR0_WP));
}

void x86_set_pkru(x86_cpu *cpu, uint32_t val)
{
    if (cpu->pkru == val)
        return;
    cpu->pkru = val;
    x86_tlb_flush_all(cpu);
}

void x86_set_pkrs(x86_cpu *cpu, uint32_t val)
{
    if (cpu->msr.pkrs == val)
        return;
    cpu->msr.pkrs = val;
    x86_tlb_flush_all(cpu);
}
