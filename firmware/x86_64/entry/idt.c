/* 64-bit IDT gates (SDM vol. 3, figure 6-8): 16 bytes, offset split in three. */
#include "entry/idt.h"

#include "entry/gdt.h"
#include "lib/x86.h"

struct gate64 {
    uint16_t offset_lo;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attr;      /* P, DPL, 0, type */
    uint16_t offset_mid;
    uint32_t offset_hi;
    uint32_t reserved;
} __attribute__((packed));

_Static_assert(sizeof(struct gate64) == 16, "64-bit gates are 16 bytes");

#define GATE_P 0x80
#define GATE_DPL_SHIFT 5

static struct gate64 idt[X86_VEC_COUNT] __attribute__((aligned(16)));

void idt_set_handler(unsigned vector, uint64_t offset, enum gate_type type, unsigned dpl,
                     unsigned ist)
{
    idt[vector] = (struct gate64){
        .offset_lo = (uint16_t)offset,
        .selector = SEL_KERNEL_CS,
        .ist = (uint8_t)ist,
        .type_attr = (uint8_t)(GATE_P | (dpl << GATE_DPL_SHIFT) | type),
        .offset_mid = (uint16_t)(offset >> 16),
        .offset_hi = (uint32_t)(offset >> 32),
    };
}

void idt_set(unsigned vector, enum gate_type type, unsigned dpl, unsigned ist)
{
    idt_set_handler(vector, trap_stub_table[vector], type, dpl, ist);
}

void idt_set_present(unsigned vector, bool present)
{
    if (present)
        idt[vector].type_attr |= GATE_P;
    else
        idt[vector].type_attr &= (uint8_t)~GATE_P;
}

void idt_init(void)
{
    for (unsigned v = 0; v < X86_VEC_COUNT; v++)
        idt_set(v, GATE_INTERRUPT, 0, 0);
    struct __attribute__((packed)) {
        uint16_t limit;
        uint64_t base;
    } idtr = { sizeof idt - 1, (uint64_t)(uintptr_t)idt };
    __asm__ volatile("lidt %0" : : "m"(idtr) : "memory");
}
