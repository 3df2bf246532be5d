/*
 * Architectural constants the x86-64 firmware uses, named as in the Intel SDM
 * (vol. 3: table 6-1 for vectors, 2.3 for RFLAGS, 2.5 for control registers,
 * 3.4 for selectors and descriptors, 4.5 and 4.7 for paging; vol. 4 for
 * MSRs). Usable from C and assembly.
 */
#ifndef FW_LIB_X86_H
#define FW_LIB_X86_H

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
#define X86_VEC_VC  29
#define X86_VEC_SX  30
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
#define X86_PF_I 0x10

/* RFLAGS (2.3). */
#define X86_RFLAGS_FIXED1 (1 << 1)
#define X86_RFLAGS_TF     (1 << 8)
#define X86_RFLAGS_IF     (1 << 9)
#define X86_RFLAGS_DF     (1 << 10)
#define X86_RFLAGS_OF     (1 << 11)
#define X86_RFLAGS_RF     (1 << 16)
#define X86_RFLAGS_AC     (1 << 18)

/* Control register bits (2.5). */
#define X86_CR0_TS (1 << 3)
#define X86_CR0_AM (1 << 18)
#define X86_CR4_OSFXSR (1 << 9)

/* DR6 (18.2.3): BS, single step. */
#define X86_DR6_BS (1 << 14)

/* MSRs (vol. 4, table 2-2) and their bits. */
#define MSR_EFER           0xc0000080
#define MSR_STAR           0xc0000081
#define MSR_LSTAR          0xc0000082
#define MSR_FMASK          0xc0000084
#define MSR_GS_BASE        0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102
#define X86_EFER_SCE (1 << 0)
#define X86_EFER_NXE (1 << 11)

/* Paging-structure entry bits (tables 4-15 to 4-18). */
#define X86_PTE_P  (1 << 0)
#define X86_PTE_RW (1 << 1)
#define X86_PTE_US (1 << 2)
#define X86_PTE_PS (1 << 7)
#define X86_PTE_XD (1ull << 63)

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

static inline uint64_t x86_rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return (uint64_t)hi << 32 | lo;
}

static inline void x86_wrmsr(uint32_t msr, uint64_t value)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)value), "d"((uint32_t)(value >> 32))
                     : "memory");
}

static inline uint64_t x86_read_cr0(void)
{
    uint64_t v;
    __asm__ volatile("mov %%cr0, %0" : "=r"(v));
    return v;
}

static inline void x86_write_cr0(uint64_t v)
{
    __asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

static inline uint64_t x86_read_cr4(void)
{
    uint64_t v;
    __asm__ volatile("mov %%cr4, %0" : "=r"(v));
    return v;
}

static inline void x86_write_cr4(uint64_t v)
{
    __asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

static inline uint64_t x86_read_dr6(void)
{
    uint64_t v;
    __asm__ volatile("mov %%dr6, %0" : "=r"(v));
    return v;
}

static inline void x86_write_dr6(uint64_t v)
{
    __asm__ volatile("mov %0, %%dr6" : : "r"(v));
}

static inline uint16_t x86_read_ss(void)
{
    uint16_t v;
    __asm__ volatile("mov %%ss, %0" : "=r"(v));
    return v;
}
#endif

#endif
