/*
 * ring3: every exception kind of SDM vol. 3, table 6-1 that a CPL3 program
 * can provoke in IA-32e mode, plus system calls by SYSCALL/SYSRET and by
 * INT 0x80, each printed as the handler saw it (README.md). kmain sets up
 * paging (with a read-only and an execute-disable user page and the kernel
 * alias of the per-CPU area), the GDT and TSS, the IDT, the per-CPU area and
 * the SYSCALL MSRs, then enters ring 3 (cases.S), which ends the run.
 */
#include "boot/boot.h"
#include "entry/gdt.h"
#include "entry/idt.h"
#include "entry/paging.h"
#include "entry/percpu.h"
#include "entry/user.h"
#include "lib/exit.h"
#include "lib/serial.h"
#include "lib/x86.h"
#include "ring3/cases.h"

#define USER_STACK_SIZE 0x1000

/*
 * STAR[47:32]: SYSCALL loads CS from it and SS = CS + 8. STAR[63:48]: 64-bit
 * SYSRET loads CS = base + 16 and SS = base + 8, with RPL 3 (vol. 2, SYSRET).
 */
#define STAR_SYSRET_BASE SEL_KERNEL_DS
_Static_assert(STAR_SYSRET_BASE + 8 == (SEL_USER_DS & ~3) && STAR_SYSRET_BASE + 16 == (SEL_USER_CS & ~3),
               "SYSRET selectors follow from STAR");
/* The kernel runs with IF, TF, DF and AC clear whatever ring 3 had. */
#define SYSCALL_FMASK (X86_RFLAGS_IF | X86_RFLAGS_TF | X86_RFLAGS_DF | X86_RFLAGS_AC)

extern const char entry_syscall[], entry_nmi_paranoid[];

static uint8_t user_stack[USER_STACK_SIZE] __attribute__((aligned(16)));

static void install_gates(void)
{
    idt_init();
    /* INT3, INTO and INT 0x80 are usable from ring 3; INT1 needs no DPL (6.12.1.1). */
    idt_set(X86_VEC_BP, GATE_TRAP, 3, 0);
    idt_set(X86_VEC_OF, GATE_TRAP, 3, 0);
    idt_set(VEC_SYSCALL_INT, GATE_TRAP, 3, 0);
    idt_set(VEC_IST7, GATE_INTERRUPT, 3, 7);
    idt_set(X86_VEC_DF, GATE_INTERRUPT, 0, IST_DF);
    idt_set_handler(X86_VEC_NMI, (uint64_t)(uintptr_t)entry_nmi_paranoid, GATE_INTERRUPT, 0,
                    IST_NMI);
}

static void enable_syscall(void)
{
    x86_wrmsr(MSR_STAR, (uint64_t)STAR_SYSRET_BASE << 48 | (uint64_t)SEL_KERNEL_CS << 32);
    x86_wrmsr(MSR_LSTAR, (uint64_t)(uintptr_t)entry_syscall);
    x86_wrmsr(MSR_FMASK, SYSCALL_FMASK);
    x86_wrmsr(MSR_EFER, x86_rdmsr(MSR_EFER) | X86_EFER_SCE | X86_EFER_NXE);
}

void kmain(uint32_t magic, uint32_t info_addr)
{
    (void)magic;
    (void)info_addr;
    serial_init();
    serial_puts("ringside ring3: every exception kind from CPL3, and system calls\n");
    if (!paging_init()) {
        serial_puts("image does not fit in the first 2 MiB\n");
        debug_exit(DEBUG_EXIT_FAILURE);
    }
    enable_syscall();
    paging_set_large_page(READ_ONLY_PAGE, X86_PTE_P | X86_PTE_US);
    paging_set_large_page(NX_PAGE, X86_PTE_P | X86_PTE_RW | X86_PTE_US | X86_PTE_XD);
    gdt_init();
    install_gates();
    percpu_init((uint64_t)(uintptr_t)user_gs_area);
    serial_puts("per-CPU area at a kernel address: ");
    serial_puts((int64_t)percpu_base() < 0 ? "yes" : "no");
    serial_puts("; entering ring 3 with swapgs, iretq\n");
    entry_enter_user(ring3_main, (uint64_t)(uintptr_t)(user_stack + USER_STACK_SIZE));
}
