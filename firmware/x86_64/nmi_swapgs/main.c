/*
 * nmi_swapgs: why an NMI entry must not trust the saved CS to decide on
 * SWAPGS (docs/lessons/nmi-swapgs.md). Ring 3 makes one SYSCALL. SYSCALL
 * moves to CPL0 without touching GS, and the entry's first instruction,
 * SWAPGS, is what loads the kernel's per-CPU base. An NMI delivered before
 * that instruction (emu --inject nmi@entry_syscall) interrupts CPL0 code, so
 * its frame holds the kernel CS, yet GS base is still the user's.
 *
 * The multiboot command line chooses the NMI gate's handler: "naive", the
 * ordinary vector-2 stub whose common path swaps only for a user CS
 * (entry/vectors.S), or "paranoid", the entry that reads MSR_GS_BASE
 * (entry/nmi.S). The handler prints the GS base it runs with and what
 * %gs:0 holds there.
 */
#include "boot/boot.h"
#include "entry/frame.h"
#include "entry/gdt.h"
#include "entry/idt.h"
#include "entry/paging.h"
#include "entry/percpu.h"
#include "entry/user.h"
#include "lib/exit.h"
#include "lib/multiboot.h"
#include "lib/serial.h"
#include "lib/string.h"
#include "lib/x86.h"
#include "nmi_swapgs/lesson.h"

#define USER_STACK_SIZE 0x1000

/* SYSRET's selectors follow kernel data in the GDT (vol. 2, SYSRET). */
#define STAR_SYSRET_BASE SEL_KERNEL_DS
#define SYSCALL_FMASK (X86_RFLAGS_IF | X86_RFLAGS_TF | X86_RFLAGS_DF | X86_RFLAGS_AC)

enum nmi_entry { NMI_NAIVE, NMI_PARANOID };

extern const char entry_syscall[], entry_nmi_paranoid[];

static uint8_t user_stack[USER_STACK_SIZE] __attribute__((aligned(16)));
static unsigned nmis_seen;

static const char *const entry_names[] = { [NMI_NAIVE] = "naive", [NMI_PARANOID] = "paranoid" };

/* The word after the kernel's path: QEMU and emu pass "PATH APPEND". */
static bool choose_entry(uint32_t magic, uint32_t info_addr, enum nmi_entry *entry)
{
    const struct multiboot_info *info = (const struct multiboot_info *)(uintptr_t)info_addr;
    if (magic != MB_BOOT_MAGIC || !(info->flags & MB_INFO_CMDLINE))
        return false;
    const char *arg = (const char *)(uintptr_t)info->cmdline;
    while (*arg && *arg != ' ')
        arg++;
    while (*arg == ' ')
        arg++;
    for (unsigned e = NMI_NAIVE; e <= NMI_PARANOID; e++) {
        if (strcmp(arg, entry_names[e]) == 0) {
            *entry = (enum nmi_entry)e;
            return true;
        }
    }
    return false;
}

static void put_gs_base(const char *label, uint64_t base)
{
    serial_puts(label);
    if (base == percpu_base())
        serial_puts("percpu");
    else if (base == (uint64_t)(uintptr_t)lesson_user_gs_area)
        serial_puts("user");
    else
        serial_put_hex(base);
}

static uint64_t read_gs0(void)
{
    uint64_t v;
    __asm__ volatile("movq %%gs:0, %0" : "=r"(v));
    return v;
}

static void report_nmi(const struct trap_frame *f)
{
    uint64_t gs_base = percpu_read_gs_base();
    nmis_seen++;
    serial_puts("NMI: interrupted");
    serial_put_offset(" rip entry_syscall", f->rip, (uint64_t)(uintptr_t)entry_syscall);
    serial_puts(" cs ");
    serial_put_hex(f->cs);
    serial_put_offset(" rsp user", f->rsp, lesson_user_rsp);
    serial_puts("\n");
    put_gs_base("  handler: gs ", gs_base);
    put_gs_base(" kernel-gs ", percpu_read_kernel_gs_base());
    /* The per-CPU area starts with its own address (entry/percpu.h). */
    uint64_t gs0 = read_gs0();
    serial_puts(" gs:0 ");
    if (gs0 == percpu_base())
        serial_puts("percpu.self");
    else
        serial_put_hex(gs0);
    serial_puts("\n");
    serial_puts(gs_base == percpu_base()
                    ? "  the kernel's per-CPU base: yes, %gs: reaches kernel data\n"
                    : "  the kernel's per-CPU base: no, %gs: reaches the user's memory\n");
}

static void report_syscall(const struct trap_frame *f)
{
    serial_puts("SYSCALL:");
    serial_put_offset(" rcx insn", f->rcx, (uint64_t)(uintptr_t)lesson_syscall_insn);
    put_gs_base(" gs ", percpu_read_gs_base());
    put_gs_base(" kernel-gs ", percpu_read_kernel_gs_base());
    serial_puts("\n");
}

__attribute__((noreturn)) static void finish(void)
{
    if (nmis_seen == 0)
        serial_puts("no NMI arrived (emu: --inject nmi@entry_syscall)\n");
    serial_puts("nmi_swapgs: ");
    serial_put_u64(nmis_seen);
    serial_puts(nmis_seen == 1 ? " NMI\n" : " NMIs\n");
    debug_exit(DEBUG_EXIT_SUCCESS);
}

void trap_dispatch(struct trap_frame *f)
{
    if (f->vector == X86_VEC_NMI) {
        report_nmi(f);
        return;
    }
    if (f->vector != FRAME_VEC_SYSCALL) {
        serial_puts("unexpected: vector ");
        serial_put_u64(f->vector);
        serial_puts(" rip ");
        serial_put_hex(f->rip);
        serial_puts("\n");
        debug_exit(DEBUG_EXIT_FAILURE);
    }
    switch (f->rax) {
    case SYS_HELLO:
        report_syscall(f);
        return;
    case SYS_SHOW:
        serial_puts("  after sysretq: gs:0 ");
        serial_put_hex(f->rdi);
        serial_puts(f->rdi == USER_GS_MAGIC ? " (the user's)\n" : " (not the user's)\n");
        return;
    default:
        finish();
    }
}

void kmain(uint32_t magic, uint32_t info_addr)
{
    serial_init();
    serial_puts("ringside nmi_swapgs: an NMI between SYSCALL and its SWAPGS\n");
    enum nmi_entry entry = NMI_NAIVE;
    if (!choose_entry(magic, info_addr, &entry)) {
        serial_puts("usage: append \"naive\" or \"paranoid\" to the command line\n");
        debug_exit(DEBUG_EXIT_FAILURE);
    }
    if (!paging_init()) {
        serial_puts("image does not fit in the first 2 MiB\n");
        debug_exit(DEBUG_EXIT_FAILURE);
    }
    gdt_init();
    idt_init();
    if (entry == NMI_PARANOID)
        idt_set_handler(X86_VEC_NMI, (uint64_t)(uintptr_t)entry_nmi_paranoid, GATE_INTERRUPT, 0,
                        IST_NMI);
    else
        idt_set(X86_VEC_NMI, GATE_INTERRUPT, 0, IST_NMI);
    percpu_init((uint64_t)(uintptr_t)lesson_user_gs_area);
    x86_wrmsr(MSR_STAR, (uint64_t)STAR_SYSRET_BASE << 48 | (uint64_t)SEL_KERNEL_CS << 32);
    x86_wrmsr(MSR_LSTAR, (uint64_t)(uintptr_t)entry_syscall);
    x86_wrmsr(MSR_FMASK, SYSCALL_FMASK);
    x86_wrmsr(MSR_EFER, x86_rdmsr(MSR_EFER) | X86_EFER_SCE);
    serial_puts("nmi entry: ");
    serial_puts(entry_names[entry]);
    serial_puts(entry == NMI_PARANOID ? " (swapgs unless MSR_GS_BASE is negative)\n"
                                      : " (swapgs if the saved CS is a user selector)\n");
    entry_enter_user(lesson_user_main, (uint64_t)(uintptr_t)(user_stack + USER_STACK_SIZE));
}
