/*
 * compat_syscall: SYSCALL from compatibility mode on the AMD profile (AMD
 * APM vol. 3, SYSCALL; emu's default model and QEMU's qemu64 are
 * AuthenticAMD). The kernel sets IA32_STAR, LSTAR, CSTAR and FMASK and
 * EFER.SCE, returns to 32-bit ring-3 code with SYSRETL, and that code runs
 * SYSCALL: the CPU must enter 64-bit mode at CPL 0 at IA32_CSTAR, with RCX
 * the 32-bit return address, R11 the RFLAGS it had, RFLAGS masked by FMASK,
 * CS/SS from STAR[47:32]. The entry prints what it found and ends the run.
 */
#include <stdbool.h>

#include "boot/boot.h"
#include "lib/exit.h"
#include "lib/serial.h"
#include "entry/frame.h"
#include "entry/gdt.h"
#include "entry/idt.h"
#include "entry/paging.h"

#define MSR_EFER   0xc0000080u
#define MSR_STAR   0xc0000081u
#define MSR_LSTAR  0xc0000082u
#define MSR_CSTAR  0xc0000083u
#define MSR_FMASK  0xc0000084u
#define EFER_SCE   (1ull << 0)
#define STAR_SYSCALL_CS_SHIFT 32
#define STAR_SYSRET_BASE_SHIFT 48
#define SYSRET_BASE 0x10            /* SYSRETL: CS 0x13 (32-bit), SS 0x1b; SYSRETQ: CS 0x23 */
#define FMASK_DF_TF (1ull << 10 | 1ull << 8)
#define USER_STACK_SIZE 0x1000

void sysret_to_compat(uint32_t eip, uint64_t esp) __attribute__((noreturn));
void compat_user(void);
void compat_cstar_entry(void);
void compat_lstar_entry(void);
void syscall_report(int via_cstar);
extern const char compat_syscall_insn[];

volatile uint64_t syscall_rcx, syscall_r11, syscall_rbx, syscall_user_esp, syscall_rflags;
volatile uint16_t syscall_cs, syscall_ss;

static uint8_t user_stack[USER_STACK_SIZE] __attribute__((aligned(16)));

static void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return (uint64_t)hi << 32 | lo;
}

/* Any exception ends the run: on the Intel profile, SYSCALL outside 64-bit mode is #UD. */
void trap_dispatch(struct trap_frame *frame)
{
    serial_puts("exception: vector ");
    serial_put_u64(frame->vector);
    serial_puts(" at syscall insn+");
    serial_put_hex(frame->rip - (uint64_t)(uintptr_t)compat_syscall_insn);
    serial_puts(", cs ");
    serial_put_hex(frame->cs);
    serial_puts("\n");
    debug_exit(DEBUG_EXIT_FAILURE);
}

static void field(const char *name, uint64_t value)
{
    serial_puts(name);
    serial_put_hex(value);
}

void syscall_report(int via_cstar)
{
    const uint64_t next = (uint64_t)(uintptr_t)compat_syscall_insn + 2;
    serial_puts(via_cstar ? "SYSCALL from compatibility mode entered at IA32_CSTAR\n"
                          : "SYSCALL from compatibility mode entered at IA32_LSTAR\n");
    field("rcx - next insn ", syscall_rcx - next);
    field(", rcx >> 32 ", syscall_rcx >> 32);
    field(", r11 ", syscall_r11);
    field(", rflags ", syscall_rflags);
    serial_puts("\n");
    field("cs ", syscall_cs);
    field(", ss ", syscall_ss);
    field(", ebx ", syscall_rbx);
    field(", eax (esp - 1, by a one-byte DEC) - stack top ",
          syscall_user_esp - (uint64_t)(uintptr_t)(user_stack + USER_STACK_SIZE));
    serial_puts("\n");
    bool ok = via_cstar && syscall_rcx == next && syscall_r11 == 0x2 && syscall_cs == SEL_KERNEL_CS &&
              syscall_ss == SEL_KERNEL_DS && syscall_rbx == 0x1234 &&
              syscall_user_esp == (uint64_t)(uintptr_t)(user_stack + USER_STACK_SIZE) - 1;
    serial_puts(ok ? "compat_syscall: as the AMD APM says\n" : "compat_syscall: not as the AMD APM says\n");
    debug_exit(ok ? DEBUG_EXIT_SUCCESS : DEBUG_EXIT_FAILURE);
}

void kmain(uint32_t magic, uint32_t info_addr)
{
    (void)magic;
    (void)info_addr;
    serial_init();
    serial_puts("ringside compat_syscall: SYSCALL from 32-bit ring-3 code (AMD: IA32_CSTAR)\n");
    if (!paging_init()) {
        serial_puts("image does not fit in the first 2 MiB\n");
        debug_exit(DEBUG_EXIT_FAILURE);
    }
    gdt_init();
    idt_init();
    wrmsr(MSR_STAR, (uint64_t)SYSRET_BASE << STAR_SYSRET_BASE_SHIFT |
                        (uint64_t)SEL_KERNEL_CS << STAR_SYSCALL_CS_SHIFT);
    wrmsr(MSR_LSTAR, (uint64_t)(uintptr_t)compat_lstar_entry);
    wrmsr(MSR_CSTAR, (uint64_t)(uintptr_t)compat_cstar_entry);
    wrmsr(MSR_FMASK, FMASK_DF_TF);
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
    serial_puts("sysretl to 32-bit ring-3 code, cs 0x13 ss 0x1b\n");
    sysret_to_compat((uint32_t)(uintptr_t)compat_user, (uint64_t)(uintptr_t)(user_stack + USER_STACK_SIZE));
}
