/*
 * Protection keys (SDM vol. 3, 4.6.2; PKRU 2.7; IA32_PKRS): under IA-32e
 * paging each page carries a 4-bit key, bits 62:59 of the entry that maps
 * it. CR4.PKE puts user-mode pages under PKRU, CR4.PKS puts supervisor-mode
 * pages under IA32_PKRS. For key i, ADi (bit 2i) denies every data access
 * and WDi (bit 2i+1) denies writes: user-mode writes always, supervisor-mode
 * writes only while CR0.WP = 1. Instruction fetches are never key-checked.
 */
#ifndef EMU_MMU_X86_PKEYS_H
#define EMU_MMU_X86_PKEYS_H

#include <stdbool.h>
#include <stdint.h>

#include "mmu/x86_paging.h"

#define X86_PTE_PKEY_SHIFT 59
#define X86_PTE_PKEY_MASK  0xfull
#define X86_PKR_AD 0x1u             /* ADi: access disable, bit 2i of PKRU / IA32_PKRS */
#define X86_PKR_WD 0x2u             /* WDi: write disable, bit 2i + 1 */
#define X86_PKR_BITS_PER_KEY 2

/* Do the protection keys deny this access to the translated page (4.6.2)? */
bool x86_pkey_denies(const x86_cpu *cpu, const x86_xlate *xl, x86_access acc, bool user);

/*
 * The writers of PKRU (WRPKRU) and IA32_PKRS (WRMSR). The TLB's fast-path
 * pointers are granted with the key rights in force when an entry is filled
 * (x86_page_access_ok), so a change of those rights flushes it here and the
 * next access is checked against the new value.
 */
void x86_set_pkru(x86_cpu *cpu, uint32_t val);
void x86_set_pkrs(x86_cpu *cpu, uint32_t val);

#endif
