/*
 * traps: long-mode exception and interrupt delivery, seen from the handlers.
 * kmain installs its own page tables (with a user page), GDT with TSS, and
 * IDT, provokes five exceptions at CPL0, then drops to ring 3 and provokes
 * three more events there; the last, INT 0x82, ends the run. Each handler
 * invocation prints one line (dispatch.c); README.md describes the output.
 */
#include "boot/boot.h"
#include "lib/exit.h"
#include "lib/serial.h"
#include "traps/cases.h"
#include "entry/gdt.h"
#include "entry/idt.h"
#include "entry/paging.h"
#include "lib/x86.h"

#define USER_STACK_SIZE 0x1000

static uint8_t user_stack[USER_STACK_SIZE] __attribute__((aligned(16)));

static void install_gates(void)
{
    idt_init();
    /* INT3 must be usable from any ring, and a trap gate leaves IF alone. */
    idt_set(X86_VEC_BP, GATE_TRAP, 3, 0);
    /* #GP runs on its own stack, whatever stack the fault happened on. */
    idt_set(X86_VEC_GP, GATE_INTERRUPT, 0, 1);
    idt_set(VEC_USER_CALL, GATE_TRAP, 3, 0);
    idt_set(VEC_KERNEL_ONLY, GATE_INTERRUPT, 0, 0);
    idt_set(VEC_FINISH, GATE_INTERRUPT, 3, 0);
}

void kmain(uint32_t magic, uint32_t info_addr)
{
    (void)magic;
    (void)info_addr;
    serial_init();
    serial_puts("ringside traps: IA-32e exception delivery through a 64-bit IDT\n");
    if (!paging_init()) {
        serial_puts("image does not fit in the first 2 MiB\n");
        debug_exit(DEBUG_EXIT_FAILURE);
    }
    gdt_init();
    install_gates();
    serial_puts("gdt: kernel cs 0x8 ss 0x10, user cs 0x23 ss 0x1b, tss 0x28 (rsp0, ist1 set)\n");

    case_ud();
    case_bp();
    case_gp();
    case_pf();
    case_de();

    serial_puts("entering ring 3 with iretq\n");
    enter_user(user_main, (uint64_t)(uintptr_t)(user_stack + USER_STACK_SIZE));
}
