/*
 * Architectural constants the traps firmware uses, named as in the Intel SDM
 * (vol. 3: table 6-1 for vectors, 2.3 for RFLAGS, 3.4 for selectors and
 * descriptors, 4.5 and 4.7 for paging). Usable from C and assembly.
 */
#ifndef FW_TRAPS_X86_H
#define FW_TRAPS_X86_H

/* Exception vectors (table 6-1). */
#define X86_VEC_DE  0
#define X86_VEC_DB  1
#define X86_VEC_NMI 2
#define X86_VEC_BP  3
#define X86_VEC_OF  4
#define X86_VEC_BR  5
#define X86_VEC_UD  6
#define X86_VEC_NM  7
#define X86_VEC_DF  8
#define X86_VEC_TS  10
#define X86_VEC_NP  11
#define X86_VEC_SS  12
#define X86_VEC_GP  13
#define X86_VEC_PF  14
#define X86_VEC_MF  16
#define X86_VEC_AC  17
#define X86_VEC_MC  18
#define X86_VEC_XM  19
#define X86_VEC_VE  20
#define X86_VEC_CP  21
#define X86_VEC_COUNT 256

/* Selector fields (3.4.2). */
#define X86_SEL_RPL_MASK 0x3

/* Error code bits for an exception tied to a selector or IDT entry (6.13). */
#define X86_ERR_EXT 0x1
#define X86_ERR_IDT 0x2

/* #PF error code bits (4.7). */
#define X86_PF_P 0x1
#define X86_PF_W 0x2
#define X86_PF_U 0x4

/* RFLAGS (2.3). */
#define X86_RFLAGS_FIXED1 (1 << 1)
#define X86_RFLAGS_TF     (1 << 8)
#define X86_RFLAGS_IF     (1 << 9)
#define X86_RFLAGS_RF     (1 << 16)

/* Paging-structure entry bits (tables 4-15 to 4-18). */
#define X86_PTE_P  (1 << 0)
#define X86_PTE_RW (1 << 1)
#define X86_PTE_US (1 << 2)
#define X86_PTE_PS (1 << 7)

#ifndef __ASSEMBLER__
#include <stdint.h>

static inline uint64_t x86_read_cr2(void)
{
    uint64_t v;
    __asm__ volatile("mov %%cr2, %0" : "=r"(v));
    return v;
}

static inline void x86_write_cr3(uint64_t v)
{
    __asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}

static inline uint16_t x86_read_ss(void)
{
    uint16_t v;
    __asm__ volatile("mov %%ss, %0" : "=r"(v));
    return v;
}
#endif

#endif
