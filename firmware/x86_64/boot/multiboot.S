/*
 * Multiboot v1 entry shared by every x86-64 firmware image.
 *
 * The loader (QEMU's -kernel, or emu) enters mb_entry in 32-bit protected
 * mode with flat segments, paging off, EAX = MB_BOOT_MAGIC and EBX = the
 * physical address of the multiboot information structure (Multiboot
 * Specification 0.6.96, section 3.2). From there we enter long mode the
 * architectural way (Intel SDM Vol. 3A, 10.8.5 "Initializing IA-32e Mode"):
 * our own GDT, an identity map, CR4.PAE, EFER.LME, CR0.PG, then a far jump
 * to a 64-bit code segment. kmain(magic, info) is called in 64-bit mode and
 * never returns.
 */

#include "boot/boot.h"

/* Multiboot header: flags ask for page-aligned modules and the memory fields. */
#define MB_HEADER_MAGIC     0x1BADB002
#define MB_HEADER_FLAGS     (MB_HEADER_PAGE_ALIGN | MB_HEADER_MEMORY_INFO)
#define MB_HEADER_PAGE_ALIGN  (1 << 0)
#define MB_HEADER_MEMORY_INFO (1 << 1)

/* Control register and MSR bits (SDM Vol. 3A, 2.5 and 2.2.1). */
#define CR0_PG              (1 << 31)
#define CR4_PAE             (1 << 5)
#define MSR_EFER            0xC0000080
#define EFER_LME            (1 << 8)

/* CPUID leaves that tell whether long mode exists (SDM Vol. 2A, CPUID). */
#define CPUID_EXT_MAX       0x80000000
#define CPUID_EXT_FEATURES  0x80000001
#define CPUID_EXT_EDX_LM    (1 << 29)

/* Paging-structure entry bits (SDM Vol. 3A, 4.5, tables 4-15 to 4-18). */
#define PTE_P               (1 << 0)
#define PTE_RW              (1 << 1)
#define PTE_PS              (1 << 7)
#define PAGE_SIZE           4096
#define LARGE_PAGE_SIZE     0x200000
#define ENTRIES_PER_TABLE   512

/* EFLAGS with only the always-one bit 1 set: IF and DF clear. */
#define EFLAGS_RESERVED_ONE 0x2

    .section .multiboot, "a"
    .balign 4
mb_header:
    .long MB_HEADER_MAGIC
    .long MB_HEADER_FLAGS
    .long -(MB_HEADER_MAGIC + MB_HEADER_FLAGS)

    .section .text.boot, "ax"
    .code32
    .globl mb_entry
mb_entry:
    /* The loader gives no stack; EFLAGS other than IF and VM are undefined. */
    movl $boot_stack_top, %esp
    pushl $EFLAGS_RESERVED_ONE
    popfl
    movl %eax, %edi                 /* kmain's first argument: the magic */
    movl %ebx, %esi                 /* second: the information structure */

    lgdt gdt_pointer
    ljmp $GDT_CODE32, $flat32
flat32:
    movl $GDT_DATA, %eax
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %ss
    movl %eax, %fs
    movl %eax, %gs

    /* Clear .bss (page tables included): the loader need not have. */
    movl %edi, %ebp
    movl $__bss_start, %edi
    movl $__bss_end, %ecx
    subl %edi, %ecx
    shrl $2, %ecx
    xorl %eax, %eax
    rep stosl
    movl %ebp, %edi

    /* Without long mode there is nothing to print with: exit at once. */
    movl $CPUID_EXT_MAX, %eax
    cpuid
    cmpl $CPUID_EXT_FEATURES, %eax
    jb no_long_mode
    movl $CPUID_EXT_FEATURES, %eax
    cpuid
    testl $CPUID_EXT_EDX_LM, %edx
    jz no_long_mode

    /* Identity-map the first GiB with 2 MiB pages: PML4[0] -> PDPT[0] -> PD. */
    movl $boot_pdpt, %eax
    orl $(PTE_P | PTE_RW), %eax
    movl %eax, boot_pml4
    movl $boot_pd, %eax
    orl $(PTE_P | PTE_RW), %eax
    movl %eax, boot_pdpt
    xorl %ecx, %ecx
    movl $(PTE_P | PTE_RW | PTE_PS), %eax
fill_pd:
    movl %eax, boot_pd(, %ecx, 8)
    addl $LARGE_PAGE_SIZE, %eax
    incl %ecx
    cmpl $ENTRIES_PER_TABLE, %ecx
    jb fill_pd

    /* SDM 10.8.5: PAE on, CR3 loaded, EFER.LME set, then paging on. */
    movl %cr4, %eax
    orl $CR4_PAE, %eax
    movl %eax, %cr4
    movl $boot_pml4, %eax
    movl %eax, %cr3
    movl $MSR_EFER, %ecx
    rdmsr
    orl $EFER_LME, %eax
    wrmsr
    movl %cr0, %eax
    orl $CR0_PG, %eax
    movl %eax, %cr0

    /* Paging is on and EFER.LMA set; the far jump enters 64-bit mode. */
    ljmp $GDT_CODE64, $long_mode

no_long_mode:
    movl $DEBUG_EXIT_NO_LONG_MODE, %eax
    outl %eax, $DEBUG_EXIT_PORT
halt32:
    hlt
    jmp halt32

    .code64
long_mode:
    movl $GDT_DATA, %eax
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %ss
    movl %eax, %fs
    movl %eax, %gs
    movq $boot_stack_top, %rsp
    /* SDM 3.4.1.1: upper halves are undefined after the mode switch. */
    movl %edi, %edi
    movl %esi, %esi
    call kmain
    /* kmain must not return; if it does, report it as a failure. */
    movl $DEBUG_EXIT_FAILURE, %eax
    outl %eax, $DEBUG_EXIT_PORT
halt64:
    hlt
    jmp halt64

    .data
    .balign 8
/* Descriptors (SDM Vol. 3A, 3.4.5): base 0, limit 4 GiB, present, DPL 0. */
gdt:
    .quad 0                         /* null */
    .quad 0x00AF9A000000FFFF        /* GDT_CODE64: execute/read, L=1, D=0 */
    .quad 0x00CF92000000FFFF        /* GDT_DATA: read/write, B=1 */
    .quad 0x00CF9A000000FFFF        /* GDT_CODE32: execute/read, D=1 */
gdt_end:
gdt_pointer:
    .word gdt_end - gdt - 1
    .long gdt

    .section .bss.boot, "aw", @nobits
    .balign PAGE_SIZE
boot_pml4:
    .skip PAGE_SIZE
boot_pdpt:
    .skip PAGE_SIZE
boot_pd:
    .skip PAGE_SIZE
boot_stack:
    .skip BOOT_STACK_SIZE
boot_stack_top:
