/* Local APIC access in both modes, and the mapping of the APIC pages (apic.h). */
#include "apic/apic.h"

bool apic_x2;

uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return (uint64_t)hi << 32 | lo;
}

void wrmsr(uint32_t msr, uint64_t value)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)value), "d"((uint32_t)(value >> 32)) : "memory");
}

static volatile uint32_t *xapic_reg(unsigned reg)
{
    return (volatile uint32_t *)(XAPIC_BASE + 16ul * reg);
}

uint32_t apic_read(unsigned reg)
{
    return apic_x2 ? (uint32_t)rdmsr(X2APIC_MSR(reg)) : *xapic_reg(reg);
}

void apic_write(unsigned reg, uint32_t value)
{
    if (apic_x2)
        wrmsr(X2APIC_MSR(reg), value);
    else
        *xapic_reg(reg) = value;
}

/* x2APIC: WRMSR to EOI (not serialising, SDM 11.12.3); xAPIC: a store to the EOI register. */
void apic_eoi(void)
{
    apic_write(APIC_EOI, 0);
}

void apic_self_ipi(uint8_t vector)
{
    if (apic_x2)
        wrmsr(X2APIC_MSR(APIC_SELF_IPI), vector);
    else
        apic_write(APIC_ICR, APIC_SHORTHAND_SELF | vector);
}

bool apic_irr_has(uint8_t vector)
{
    return (apic_read(APIC_IRR + vector / 32) >> (vector % 32)) & 1u;
}

#define PTE_P   0x1ul
#define PTE_RW  0x2ul
#define PTE_PWT 0x8ul
#define PTE_PCD 0x10ul
#define PTE_PS  0x80ul
#define ADDR_MASK 0x000ffffffffff000ul
#define GIB3 3ul

static uint64_t high_pd[512] __attribute__((aligned(4096)));

void map_high_io(void)
{
    uint64_t cr3;
    __asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
    uint64_t *pml4 = (uint64_t *)(cr3 & ADDR_MASK);
    uint64_t *pdpt = (uint64_t *)(pml4[0] & ADDR_MASK);
    for (unsigned i = 0; i < 512; i++)
        high_pd[i] = ((GIB3 << 30) + ((uint64_t)i << 21)) | PTE_P | PTE_RW | PTE_PS | PTE_PCD | PTE_PWT;
    pdpt[GIB3] = (uint64_t)(uintptr_t)high_pd | PTE_P | PTE_RW;
    __asm__ volatile("mov %0, %%cr3" : : "r"(cr3) : "memory");
}
