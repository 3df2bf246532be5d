/*
 * Entry states. Both are built the way the architecture would reach them
 * (descriptor caches consistent with a real GDT in guest memory), so the
 * first far jump or segment load by firmware finds what it expects.
 */
#include "platform/pc/boot.h"

#include <string.h>

#include "core/memory.h"

/* GDT selectors of both entry states. */
#define BOOT_SEL_CODE64 0x08
#define BOOT_SEL_CODE32 0x10
#define BOOT_SEL_DATA   0x18

/* Flat descriptors (SDM vol. 3, 3.4.5): base 0, limit 0xfffff with G. */
#define DESC_CODE64 0x00af9b000000ffffull
#define DESC_CODE32 0x00cf9b000000ffffull
#define DESC_DATA   0x00cf93000000ffffull

/* The same descriptors as descriptor-cache attributes (x86_segment.attr). */
#define ATTR_CODE64 (0x0b | X86_SEG_ATTR_S | X86_SEG_ATTR_P | X86_SEG_ATTR_L | X86_SEG_ATTR_G)
#define ATTR_CODE32 (0x0b | X86_SEG_ATTR_S | X86_SEG_ATTR_P | X86_SEG_ATTR_DB | X86_SEG_ATTR_G)
#define ATTR_DATA   (0x03 | X86_SEG_ATTR_S | X86_SEG_ATTR_P | X86_SEG_ATTR_DB | X86_SEG_ATTR_G)
#define ATTR_LDT_UNUSABLE 0
#define FLAT_LIMIT 0xffffffffu

/* Multiboot: GDT and the initial stack just below QEMU's multiboot structures. */
#define MB_GDT_ADDR   0x8f00u
#define MB_STACK_TOP  0x8f00u

/* Paging-structure entry bits (SDM vol. 3, 4.5). */
#define PTE_P  (1ull << 0)
#define PTE_RW (1ull << 1)
#define PTE_US (1ull << 2)
#define PTE_PS (1ull << 7)
#define BOOT_IDENTITY_GIB 4

static void set_segment(x86_segment *s, uint16_t selector, uint16_t attr)
{
    s->selector = selector;
    s->base = 0;
    s->limit = FLAT_LIMIT;
    s->attr = attr;
}

static void write_gdt(emu_machine *m, uint64_t gdt)
{
    uint64_t desc[4] = { 0, DESC_CODE64, DESC_CODE32, DESC_DATA };
    memcpy(mem_ram_ptr(m, gdt, sizeof desc), desc, sizeof desc);
    m->cpu.gdtr.base = gdt;
    m->cpu.gdtr.limit = sizeof desc - 1;
}

static void reset_common(x86_cpu *cpu)
{
    memset(cpu->gpr, 0, sizeof cpu->gpr);
    x86_flags_sync(cpu);
    cpu->rflags = X86_FLAG_FIXED1;
    cpu->idtr.base = 0;
    cpu->idtr.limit = 0;
    memset(&cpu->ldtr, 0, sizeof cpu->ldtr);
    memset(&cpu->tr, 0, sizeof cpu->tr);
    cpu->ldtr.attr = ATTR_LDT_UNUSABLE;
    cpu->cr2 = 0;
    cpu->cr8 = 0;
    memset(cpu->dr, 0, sizeof cpu->dr);
    cpu->dr[6] = 0xffff0ff0;    /* DR6 and DR7 reset values (SDM vol. 3, table 10-1) */
    cpu->dr[7] = 0x400;
    cpu->halted = false;
    cpu->interrupt_shadow = 0;
}

void pc_boot_multiboot_state(emu_machine *m, uint64_t entry, uint32_t info_addr)
{
    x86_cpu *cpu = &m->cpu;
    reset_common(cpu);
    write_gdt(m, MB_GDT_ADDR);
    cpu->cr0 = X86_CR0_PE | X86_CR0_ET;
    cpu->cr3 = 0;
    cpu->cr4 = 0;
    cpu->efer = 0;
    set_segment(&cpu->seg[X86_CS], BOOT_SEL_CODE32, ATTR_CODE32);
    for (unsigned s = 0; s < X86_SREG_COUNT; s++)
        if (s != X86_CS)
            set_segment(&cpu->seg[s], BOOT_SEL_DATA, ATTR_DATA);
    cpu->gpr[X86_RAX] = MULTIBOOT_BOOTLOADER_MAGIC;
    cpu->gpr[X86_RBX] = info_addr;
    cpu->gpr[X86_RSP] = MB_STACK_TOP;
    cpu->rip = entry;
    x86_update_mode(cpu);
    x86_tlb_flush_all(cpu);
}

int pc_boot_long64_state(emu_machine *m, uint64_t entry)
{
    x86_cpu *cpu = &m->cpu;
    if (m->ram_size < 2 * PC_BOOT64_RESERVED)
        return -1;
    uint64_t base = m->ram_size - PC_BOOT64_RESERVED;
    uint64_t pml4 = base + 0x1000, pdpt = base + 0x2000, pd = base + 0x3000;
    uint8_t *tables = mem_ram_ptr(m, base, PC_BOOT64_RESERVED);
    memset(tables, 0, PC_BOOT64_RESERVED);

    reset_common(cpu);
    write_gdt(m, base);
    uint64_t *pml4e = (uint64_t *)(void *)(tables + 0x1000);
    uint64_t *pdpte = (uint64_t *)(void *)(tables + 0x2000);
    uint64_t *pde = (uint64_t *)(void *)(tables + 0x3000);
    pml4e[0] = pdpt | PTE_P | PTE_RW | PTE_US;
    for (unsigned g = 0; g < BOOT_IDENTITY_GIB; g++) {
        pdpte[g] = (pd + 0x1000ull * g) | PTE_P | PTE_RW | PTE_US;
        for (unsigned i = 0; i < 512; i++)
            pde[512 * g + i] = (((uint64_t)g << 30) + ((uint64_t)i << 21)) | PTE_P | PTE_RW | PTE_US | PTE_PS;
    }
    cpu->cr3 = pml4;
    cpu->cr4 = X86_CR4_PAE;
    cpu->efer = X86_EFER_LME | X86_EFER_LMA;
    cpu->cr0 = X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE | X86_CR0_WP | X86_CR0_PG;
    set_segment(&cpu->seg[X86_CS], BOOT_SEL_CODE64, ATTR_CODE64);
    for (unsigned s = 0; s < X86_SREG_COUNT; s++)
        if (s != X86_CS)
            set_segment(&cpu->seg[s], BOOT_SEL_DATA, ATTR_DATA);
    cpu->gpr[X86_RSP] = base;
    cpu->rip = entry;
    x86_update_mode(cpu);
    x86_tlb_flush_all(cpu);
    return 0;
}
