/*
 * GDT and 64-bit TSS (SDM vol. 3, 3.4.5 and 8.7). 64-bit code descriptors
 * have L=1, D=0, the compatibility-mode one L=0, D=1; data descriptors are
 * writable. Base and limit are ignored in 64-bit mode except for the TSS,
 * whose limit normally covers the 104-byte structure.
 */
#include "entry/desc.h"
#include "entry/gdt.h"

/* Figure 8-11: the 64-bit TSS. */
struct tss64 {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} __attribute__((packed));

_Static_assert(sizeof(struct tss64) == TSS64_SIZE, "64-bit TSS is 104 bytes");

enum {
    GDT_NULL, GDT_KCODE, GDT_KDATA, GDT_UDATA, GDT_UCODE, GDT_TSS_LO, GDT_TSS_HI, GDT_UCODE32,
    GDT_UDATA_NP, GDT_ENTRIES
};

static uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(16)));
static struct tss64 tss __attribute__((aligned(16)));
uint8_t rsp0_stack[TRAP_STACK_SIZE] __attribute__((aligned(16)));
uint8_t ist1_stack[TRAP_STACK_SIZE] __attribute__((aligned(16)));
uint8_t ist_nmi_stack[TRAP_STACK_SIZE] __attribute__((aligned(16)));
uint8_t ist_df_stack[TRAP_STACK_SIZE] __attribute__((aligned(16)));

static uint8_t *const ist_stacks[IST_COUNT + 1] = {
    [IST_GP] = ist1_stack, [IST_NMI] = ist_nmi_stack, [IST_DF] = ist_df_stack,
};

static uint64_t stack_top(const uint8_t *stack)
{
    return (uint64_t)(uintptr_t)(stack + TRAP_STACK_SIZE) - TSS_STACK_SKEW;
}

uint64_t gdt_rsp0(void)
{
    return stack_top(rsp0_stack);
}

uint64_t gdt_ist(unsigned n)
{
    return stack_top(ist_stacks[n]);
}

uint64_t gdt_ist1(void)
{
    return gdt_ist(IST_GP);
}

struct __attribute__((packed)) pseudo_descriptor {
    uint16_t limit;
    uint64_t base;
};

/* System descriptors are 16 bytes in IA-32e mode (3.5, figure 8-4). */
static void set_tss_descriptor(uint64_t limit)
{
    uint64_t base = (uint64_t)(uintptr_t)&tss;
    gdt[GDT_TSS_LO] = (limit & 0xffff) | ((base & 0xffffff) << 16) | DESC_TYPE(DESC_TYPE_TSS64) |
                      DESC_P | (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    gdt[GDT_TSS_HI] = base >> 32;
}

void gdt_init(void)
{
    gdt[GDT_NULL] = 0;
    gdt[GDT_KCODE] = CODE64(0);
    gdt[GDT_KDATA] = DATA(0);
    gdt[GDT_UDATA] = DATA(3);
    gdt[GDT_UCODE] = CODE64(3);
    gdt[GDT_UCODE32] = CODE32(3);
    gdt[GDT_UDATA_NP] = DATA(3) & ~DESC_P;
    tss.rsp[0] = gdt_rsp0();
    for (unsigned n = 1; n <= IST_COUNT; n++)
        tss.ist[n - 1] = gdt_ist(n);
    /* An I/O map base beyond the limit: no I/O permission bitmap. */
    tss.iomap_base = sizeof tss;
    set_tss_descriptor(sizeof tss - 1);

    struct pseudo_descriptor gdtr = { sizeof gdt - 1, (uint64_t)(uintptr_t)gdt };
    /* CS can only be reloaded by a far transfer: push CS:RIP and LRETQ. */
    __asm__ volatile(
        "lgdt %[gdtr]\n\t"
        "mov %[ds], %%ds\n\t"
        "mov %[ds], %%es\n\t"
        "mov %[ds], %%ss\n\t"
        "mov %[ds], %%fs\n\t"
        "mov %[ds], %%gs\n\t"
        "pushq %[cs]\n\t"
        "leaq 1f(%%rip), %%rax\n\t"
        "pushq %%rax\n\t"
        "lretq\n"
        "1:\n\t"
        "ltr %w[tr]"
        :
        : [gdtr] "m"(gdtr), [ds] "r"(SEL_KERNEL_DS), [cs] "i"(SEL_KERNEL_CS), [tr] "r"(SEL_TSS)
        : "rax", "memory");
}

void gdt_set_tss_limit(uint32_t limit)
{
    /* Writing the descriptor afresh also turns the busy type back to available. */
    set_tss_descriptor(limit);
    __asm__ volatile("ltr %w0" : : "r"(SEL_TSS) : "memory");
}
