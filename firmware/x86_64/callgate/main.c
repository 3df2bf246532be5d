/*
 * callgate: a far CALL through a 64-bit call gate from ring 3 to ring 0 and
 * REX.W RETF back (SDM vol. 3, 5.8.3.1, 5.8.5, 5.8.6), as the kernel sees
 * it. kmain installs page tables with a user page (entry/paging.c), a GDT
 * with a 64-bit TSS and a DPL-3 call gate, and enters ring 3 with IRETQ;
 * ring 3 calls through the gate twice. Each line printed is a value the SDM
 * prescribes, checked; a difference prints MISMATCH and fails the run.
 */
#include "boot/boot.h"
#include "callgate/callgate.h"
#include "entry/desc.h"
#include "lib/exit.h"
#include "lib/serial.h"
#include "entry/paging.h"

#define STACK_SIZE 0x1000
#define FRAME_RIP 0
#define FRAME_CS  1
#define FRAME_RSP 2
#define FRAME_SS  3
#define FRAME_SLOTS 4

enum { GDT_NULL, GDT_KCODE, GDT_KDATA, GDT_UDATA, GDT_UCODE, GDT_TSS_LO, GDT_TSS_HI, GDT_GATE_LO, GDT_GATE_HI,
       GDT_ENTRIES };

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

struct __attribute__((packed)) pseudo_descriptor {
    uint16_t limit;
    uint64_t base;
};

static uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(16)));
static struct tss64 tss __attribute__((aligned(16)));
static uint8_t rsp0_stack[STACK_SIZE] __attribute__((aligned(16)));
static uint8_t user_stack[STACK_SIZE] __attribute__((aligned(16)));
static uint64_t user_rsp_at_call;
static unsigned mismatches;

/* A 16-byte system descriptor: TSS or 64-bit call gate (3.5, figures 5-9 and 8-4). */
static void set_tss(void)
{
    uint64_t base = (uint64_t)(uintptr_t)&tss, limit = sizeof tss - 1;
    gdt[GDT_TSS_LO] = (limit & 0xffff) | ((base & 0xffffff) << 16) | DESC_TYPE(DESC_TYPE_TSS64) | DESC_P |
                      (((base >> 24) & 0xff) << 56);
    gdt[GDT_TSS_HI] = base >> 32;
}

static void set_gate(void)
{
    uint64_t offset = (uint64_t)(uintptr_t)gate_entry;
    gdt[GDT_GATE_LO] = (offset & 0xffff) | ((uint64_t)SEL_KERNEL_CS << 16) | DESC_TYPE(DESC_TYPE_GATE64) |
                       DESC_DPL(3) | DESC_P | (((offset >> 16) & 0xffff) << 48);
    gdt[GDT_GATE_HI] = offset >> 32;    /* the upper type field stays 0 */
}

static void gdt_init(void)
{
    gdt[GDT_KCODE] = CODE64(0);
    gdt[GDT_KDATA] = DATA(0);
    gdt[GDT_UDATA] = DATA(3);
    gdt[GDT_UCODE] = CODE64(3);
    tss.rsp[0] = (uint64_t)(uintptr_t)(rsp0_stack + STACK_SIZE);
    tss.iomap_base = sizeof tss;
    set_tss();
    set_gate();
    struct pseudo_descriptor gdtr = { sizeof gdt - 1, (uint64_t)(uintptr_t)gdt };
    __asm__ volatile(
        "lgdt %[gdtr]\n\t"
        "mov %[ds], %%ds\n\t"
        "mov %[ds], %%es\n\t"
        "mov %[ds], %%ss\n\t"
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

static void check(const char *what, uint64_t got, uint64_t want)
{
    serial_puts(" ");
    serial_puts(what);
    serial_puts(" ");
    serial_put_hex(got);
    if (got != want) {
        serial_puts(" MISMATCH want ");
        serial_put_hex(want);
        mismatches++;
    }
}

static uint16_t read_cs(void)
{
    uint16_t v;
    __asm__ volatile("mov %%cs, %0" : "=r"(v));
    return v;
}

void gate_report(uint64_t which, uint64_t user_value, const uint64_t *frame, uint64_t gate_ss)
{
    if (which == CALL_FIRST) {
        user_rsp_at_call = user_value;
        uint64_t rsp0 = tss.rsp[0];
        serial_puts("call gate: in ring 0:");
        check("cs", read_cs(), SEL_KERNEL_CS);
        /* SS is the null selector with RPL = the new CPL (5.8.5). */
        check("ss", gate_ss, 0);
        /* Four 8-byte slots below TSS.RSP0, no 16-byte alignment (unlike an interrupt). */
        check("rsp0-rsp", rsp0 - (uint64_t)(uintptr_t)frame, 8 * FRAME_SLOTS);
        serial_puts("\nframe:");
        check("rip-return", frame[FRAME_RIP] - (uint64_t)(uintptr_t)user_after_call, 0);
        check("cs", frame[FRAME_CS], SEL_USER_CS);
        check("rsp-caller", frame[FRAME_RSP] - user_rsp_at_call, 0);
        check("ss", frame[FRAME_SS], SEL_USER_DS);
        serial_puts("\n");
        return;
    }
    /* The RETFQ to ring 3 nulled DS, which held the DPL-0 data selector (5.8.6). */
    serial_puts("after retfq: ring 3 saw");
    check("ds", user_value, 0);
    check("rsp-caller", frame[FRAME_RSP] - user_rsp_at_call, 0);
    serial_puts("\ncallgate: ");
    serial_puts(mismatches ? "MISMATCH\n" : "all checks passed\n");
    debug_exit(mismatches ? DEBUG_EXIT_FAILURE : DEBUG_EXIT_SUCCESS);
}

void kmain(uint32_t magic, uint32_t info_addr)
{
    (void)magic;
    (void)info_addr;
    serial_init();
    serial_puts("ringside callgate: far CALL through a 64-bit call gate, RETFQ back\n");
    if (!paging_init()) {
        serial_puts("image does not fit in the first 2 MiB\n");
        debug_exit(DEBUG_EXIT_FAILURE);
    }
    gdt_init();
    serial_puts("gdt: kernel cs 0x8, user cs 0x23 ss 0x1b, tss 0x28, call gate 0x3b (DPL 3 -> 0x8:gate_entry)\n");
    enter_user(user_main, (uint64_t)(uintptr_t)(user_stack + STACK_SIZE));
}
