/*
 * GDT and 64-bit TSS (SDM vol. 3, 3.4.5 and 8.7). Code descriptors have L=1,
 * D=0; data descriptors are writable. Base and limit are ignored in 64-bit
 * mode except for the TSS, whose limit must cover the 104-byte structure.
 */
#include "traps/gdt.h"

#define DESC_TYPE_DATA_RW  0x2
#define DESC_TYPE_CODE_XR  0xa
#define DESC_TYPE_TSS64    0x9      /* available 64-bit TSS */
#define DESC_S             (1ull << 44)
#define DESC_DPL(n)        ((uint64_t)(n) << 45)
#define DESC_P             (1ull << 47)
#define DESC_L             (1ull << 53)
#define DESC_G             (1ull << 55)
#define DESC_LIMIT_4G      (0xffffull | (0xfull << 48))
#define DESC_TYPE(t)       ((uint64_t)(t) << 40)

#define CODE64(dpl) (DESC_LIMIT_4G | DESC_TYPE(DESC_TYPE_CODE_XR) | DESC_S | DESC_DPL(dpl) | DESC_P | DESC_L | DESC_G)
#define DATA(dpl)   (DESC_LIMIT_4G | DESC_TYPE(DESC_TYPE_DATA_RW) | DESC_S | DESC_DPL(dpl) | DESC_P | DESC_G)

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

_Static_assert(sizeof(struct tss64) == 104, "64-bit TSS is 104 bytes");

enum { GDT_NULL, GDT_KCODE, GDT_KDATA, GDT_UDATA, GDT_UCODE, GDT_TSS_LO, GDT_TSS_HI, GDT_ENTRIES };

static uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(16)));
static struct tss64 tss __attribute__((aligned(16)));
uint8_t rsp0_stack[TRAP_STACK_SIZE] __attribute__((aligned(16)));
uint8_t ist1_stack[TRAP_STACK_SIZE] __attribute__((aligned(16)));

uint64_t gdt_rsp0(void)
{
    return (uint64_t)(uintptr_t)(rsp0_stack + TRAP_STACK_SIZE) - TSS_STACK_SKEW;
}

uint64_t gdt_ist1(void)
{
    return (uint64_t)(uintptr_t)(ist1_stack + TRAP_STACK_SIZE) - TSS_STACK_SKEW;
}

struct __attribute__((packed)) pseudo_descriptor {
    uint16_t limit;
    uint64_t base;
};

/* System descriptors are 16 bytes in IA-32e mode (3.5, figure 8-4). */
static void set_tss_descriptor(void)
{
    uint64_t base = (uint64_t)(uintptr_t)&tss;
    uint64_t limit = sizeof tss - 1;
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
    tss.rsp[0] = gdt_rsp0();
    tss.ist[0] = gdt_ist1();
    /* An I/O map base beyond the limit: no I/O permission bitmap. */
    tss.iomap_base = sizeof tss;
    set_tss_descriptor();

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
