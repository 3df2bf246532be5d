/*
 * The AT firmware: the address translation instructions (Arm ARM C5.5) on
 * virt. EL1 asks AT S1E1R/W and S1E0R/W about addresses whose translations
 * differ in one thing each (MMU off; Normal write-back, Non-cacheable and
 * Device memory; EL1-only, EL0 read-only, access flag clear; no entry at
 * level 3, at level 1, and beyond the 39-bit VA range) and prints PAR_EL1
 * after each. Nothing is accessed and no exception is taken: a fault is
 * reported in PAR_EL1 (F = 1 with its status code). The output is compared
 * between QEMU, the Arm ARM and emu (tests/firmware/aarch64/).
 */
#include <stdint.h>

#include "boot/frame.h"
#include "lib/psci.h"
#include "lib/sysreg.h"
#include "lib/uart.h"

typedef struct percpu {
    uint64_t exceptions;
} percpu;

percpu percpu_state;

int main(void);

#define PTE_VALID (1ull << 0)
#define PTE_TABLE (1ull << 1)           /* levels 0-2: next-level table; level 3: a page */
#define PTE_PAGE (1ull << 1)
#define PTE_ATTR(i) ((uint64_t)(i) << 2)
#define PTE_AP_EL0 (1ull << 6)          /* AP[1]: EL0 access */
#define PTE_AP_RO (1ull << 7)           /* AP[2]: read-only */
#define PTE_SH_INNER (3ull << 8)
#define PTE_AF (1ull << 10)
#define PTE_PXN (1ull << 53)
#define PTE_UXN (1ull << 54)

#define MAIR_DEVICE_IDX 0               /* 0x00: Device-nGnRnE */
#define MAIR_NORMAL_IDX 1               /* 0xff: Normal, write-back */
#define MAIR_NC_IDX 2                   /* 0x44: Normal, Inner and Outer Non-cacheable */
#define MAIR_VALUE 0x44ff00ull

#define TCR_T0SZ_39 25ull
#define TCR_IRGN0_WB (1ull << 8)
#define TCR_ORGN0_WB (1ull << 10)
#define TCR_SH0_INNER (3ull << 12)
#define TCR_EPD1 (1ull << 23)           /* no TTBR1 walks */
#define TCR_IPS_36 (1ull << 32)

#define SCTLR_M (1ull << 0)
#define SCTLR_C (1ull << 2)
#define SCTLR_I (1ull << 12)
#define SCTLR_RES1 0x30d00800ull

#define RAM_BASE 0x40000000ull
#define UART_BASE 0x09000000ull
#define PAGE 0x1000ull
#define UNMAPPED_L1 0x80000000ull       /* l1[2]: no entry */
#define BEYOND_VA_RANGE 0x8000000000ull /* bit 39 set with T0SZ = 25 */

static uint64_t l1[512] __attribute__((aligned(4096)));
static uint64_t l2[512] __attribute__((aligned(4096)));
static uint64_t l3[512] __attribute__((aligned(4096)));

/* Pages whose level-3 entries the lesson rewrites, and one it leaves without an entry. */
enum { PAGE_EL0_RO, PAGE_NC, PAGE_NO_AF, PAGE_UNMAPPED, TEST_PAGES };
static uint8_t test_page[TEST_PAGES][PAGE] __attribute__((aligned(4096)));

extern uint8_t __image_end[];

static uint64_t *l3_entry(const void *p)
{
    return &l3[((uint64_t)(uintptr_t)p - RAM_BASE) / PAGE];
}

static void map_identity(void)
{
    l1[0] = 0x0 | PTE_VALID | PTE_AF | PTE_ATTR(MAIR_DEVICE_IDX) | PTE_PXN | PTE_UXN;   /* 1 GiB block */
    l1[1] = (uint64_t)(uintptr_t)l2 | PTE_VALID | PTE_TABLE;
    l2[0] = (uint64_t)(uintptr_t)l3 | PTE_VALID | PTE_TABLE;
    for (uint64_t pa = RAM_BASE; pa < (uint64_t)(uintptr_t)__image_end; pa += PAGE)
        *l3_entry((void *)(uintptr_t)pa) = pa | PTE_VALID | PTE_PAGE | PTE_AF | PTE_SH_INNER |
                                            PTE_ATTR(MAIR_NORMAL_IDX);
    uint64_t pa = (uint64_t)(uintptr_t)test_page[PAGE_EL0_RO];
    *l3_entry(test_page[PAGE_EL0_RO]) = pa | PTE_VALID | PTE_PAGE | PTE_AF | PTE_SH_INNER | PTE_AP_EL0 | PTE_AP_RO |
                                       PTE_ATTR(MAIR_NORMAL_IDX) | PTE_PXN | PTE_UXN;
    pa = (uint64_t)(uintptr_t)test_page[PAGE_NC];
    *l3_entry(test_page[PAGE_NC]) = pa | PTE_VALID | PTE_PAGE | PTE_AF | PTE_SH_INNER | PTE_ATTR(MAIR_NC_IDX);
    pa = (uint64_t)(uintptr_t)test_page[PAGE_NO_AF];
    *l3_entry(test_page[PAGE_NO_AF]) = pa | PTE_VALID | PTE_PAGE | PTE_SH_INNER | PTE_ATTR(MAIR_NORMAL_IDX);
    *l3_entry(test_page[PAGE_UNMAPPED]) = 0;
}

static void mmu_enable(void)
{
    map_identity();
    dsb_sy();
    write_sysreg(mair_el1, MAIR_VALUE);
    write_sysreg(tcr_el1, TCR_T0SZ_39 | TCR_IRGN0_WB | TCR_ORGN0_WB | TCR_SH0_INNER | TCR_EPD1 | TCR_IPS_36);
    write_sysreg(ttbr0_el1, (uint64_t)(uintptr_t)l1);
    isb();
    __asm__ volatile("tlbi vmalle1\n\tdsb nsh" : : : "memory");
    write_sysreg(sctlr_el1, SCTLR_RES1 | SCTLR_M | SCTLR_C | SCTLR_I);
    isb();
}

/* One AT and the PAR_EL1 it leaves; the ISB makes the result visible to the MRS (C5.5). */
#define AT(op, va) ({                                                       \
    __asm__ volatile("at " #op ", %0\n\tisb" : : "r"((uint64_t)(va)) : "memory"); \
    read_sysreg(par_el1);                                                   \
})

static void show(const char *op, const char *what, uint64_t va, uint64_t par)
{
    uart_puts(op);
    uart_puts(" ");
    uart_hex(va, 1);
    uart_puts(" (");
    uart_puts(what);
    uart_puts("): PAR_EL1=");
    uart_hex(par, 16);
    uart_puts("\n");
}

int main(void)
{
    uart_puts("ringside at: AArch64 address translation instructions\n");
    uint64_t code = (uint64_t)(uintptr_t)&main;
    show("AT S1E1R", "MMU off, RAM", code, AT(s1e1r, code));
    show("AT S1E1W", "MMU off, UART", UART_BASE, AT(s1e1w, UART_BASE));

    mmu_enable();
    uint64_t ro = (uint64_t)(uintptr_t)test_page[PAGE_EL0_RO];
    uint64_t nc = (uint64_t)(uintptr_t)test_page[PAGE_NC];
    uint64_t no_af = (uint64_t)(uintptr_t)test_page[PAGE_NO_AF];
    uint64_t unmapped = (uint64_t)(uintptr_t)test_page[PAGE_UNMAPPED];
    show("AT S1E1R", "EL1 code, write-back", code + 0x14, AT(s1e1r, code + 0x14));
    show("AT S1E1W", "EL1 code, write-back", code, AT(s1e1w, code));
    show("AT S1E0R", "EL1-only page", code, AT(s1e0r, code));
    show("AT S1E0R", "EL0 read-only page", ro, AT(s1e0r, ro));
    show("AT S1E0W", "EL0 read-only page", ro, AT(s1e0w, ro));
    show("AT S1E1W", "EL0 read-only page", ro, AT(s1e1w, ro));
    show("AT S1E1R", "Non-cacheable page", nc, AT(s1e1r, nc));
    show("AT S1E1R", "UART, Device block", UART_BASE + 0x18, AT(s1e1r, UART_BASE + 0x18));
    show("AT S1E1R", "access flag clear", no_af, AT(s1e1r, no_af));
    show("AT S1E1R", "no level-3 entry", unmapped, AT(s1e1r, unmapped));
    show("AT S1E1R", "no level-1 entry", UNMAPPED_L1, AT(s1e1r, UNMAPPED_L1));
    show("AT S1E1R", "beyond the VA range", BEYOND_VA_RANGE, AT(s1e1r, BEYOND_VA_RANGE));
    uart_puts("exceptions taken: ");
    uart_dec(percpu_state.exceptions);
    uart_puts(". PSCI SYSTEM_OFF\n");
    psci_system_off();
}

/* AT reports faults in PAR_EL1: any exception here is a failure of the lesson. */
void exception_dispatch(uint64_t slot, frame *f)
{
    percpu_state.exceptions++;
    uart_puts("unexpected exception, vector slot ");
    uart_dec(slot);
    uart_puts(" ESR_EL1=");
    uart_hex(read_sysreg(esr_el1), 8);
    uart_puts(" ELR=");
    uart_hex(f->elr, 16);
    uart_puts("\n");
    psci_system_off();
}
