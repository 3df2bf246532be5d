/*
 * traploop: trap round-trip benchmark firmware (bench/README.md). It sets up
 * paging, GDT, TSS and IDT with the traps firmware's code
 * (firmware/x86_64/traps), enables SYSCALL, drops to ring 3 and runs the one
 * loop the boot argument names (args.h). Ring 3 then ends the run through
 * INT VEC_BENCH_DONE, whose handler prints the count and exits.
 */
#include "args.h"
#include "boot/boot.h"
#include "lib/exit.h"
#include "lib/multiboot.h"
#include "lib/serial.h"
#include "loops.h"
#include "entry/frame.h"
#include "entry/gdt.h"
#include "entry/idt.h"
#include "entry/paging.h"
#include "lib/x86.h"

/* Defaults: about two seconds each under emu and under QEMU TCG (bench/README.md). */
static const uint64_t default_iterations[LOOP_COUNT] = {
    [LOOP_INT] = 6000000, [LOOP_PF] = 5000000, [LOOP_SYSCALL] = 20000000,
};

static void (*const user_loops[LOOP_COUNT])(void) = {
    [LOOP_INT] = user_int_loop, [LOOP_PF] = user_pf_loop, [LOOP_SYSCALL] = user_syscall_loop,
};

/*
 * STAR[47:32]: SYSCALL loads CS from it and SS = CS + 8. STAR[63:48]: 64-bit
 * SYSRET loads CS = base + 16 and SS = base + 8, with RPL 3: the user data
 * and code descriptors that follow kernel data in the GDT.
 */
#define STAR_SYSRET_BASE (SEL_KERNEL_DS)
_Static_assert((STAR_SYSRET_BASE + 8) == (SEL_USER_DS & ~3) && (STAR_SYSRET_BASE + 16) == (SEL_USER_CS & ~3),
               "SYSRET selectors follow from STAR");
/* The handler runs with IF and TF clear whatever ring 3 had. */
#define SYSCALL_FMASK (X86_RFLAGS_IF | X86_RFLAGS_TF)

#define USER_STACK_SIZE 0x1000

volatile uint64_t bench_iterations;
volatile uint64_t bench_handled;

static enum bench_loop chosen_loop;
static uint8_t user_stack[USER_STACK_SIZE] __attribute__((aligned(16)));

static void enable_syscall(void)
{
    x86_wrmsr(MSR_STAR, (uint64_t)STAR_SYSRET_BASE << 48 | (uint64_t)SEL_KERNEL_CS << 32);
    x86_wrmsr(MSR_LSTAR, (uint64_t)(uintptr_t)bench_syscall_handler);
    x86_wrmsr(MSR_FMASK, SYSCALL_FMASK);
    x86_wrmsr(MSR_EFER, x86_rdmsr(MSR_EFER) | X86_EFER_SCE);
}

static void install_gates(void)
{
    idt_init();
    idt_set_handler(VEC_BENCH_INT, (uint64_t)(uintptr_t)bench_int_handler, GATE_TRAP, 3, 0);
    idt_set_handler(X86_VEC_PF, (uint64_t)(uintptr_t)bench_pf_handler, GATE_INTERRUPT, 0, 0);
    idt_set(VEC_BENCH_DONE, GATE_INTERRUPT, 3, 0);
}

static const char *boot_cmdline(uint32_t magic, uint32_t info_addr)
{
    const struct multiboot_info *info = (const struct multiboot_info *)(uintptr_t)info_addr;
    if (magic != MB_BOOT_MAGIC || !(info->flags & MB_INFO_CMDLINE))
        return "";
    return (const char *)(uintptr_t)info->cmdline;
}

/* Every vector not given a handler of its own, VEC_BENCH_DONE included, lands here. */
void trap_dispatch(struct trap_frame *f)
{
    if (f->vector != VEC_BENCH_DONE) {
        serial_puts("traploop: unexpected vector ");
        serial_put_u64(f->vector);
        serial_puts(" error ");
        serial_put_hex(f->error);
        serial_puts(" rip ");
        serial_put_hex(f->rip);
        serial_puts("\n");
        debug_exit(DEBUG_EXIT_FAILURE);
    }
    serial_puts("traploop ");
    serial_puts(args_loop_name(chosen_loop));
    serial_puts(": ");
    serial_put_u64(bench_iterations);
    serial_puts(" round trips, ");
    serial_put_u64(bench_handled);
    serial_puts(" handled\n");
    debug_exit(bench_handled == bench_iterations ? DEBUG_EXIT_SUCCESS : DEBUG_EXIT_FAILURE);
}

void kmain(uint32_t magic, uint32_t info_addr)
{
    serial_init();
    struct bench_args args;
    if (!args_parse(boot_cmdline(magic, info_addr), &args))
        debug_exit(DEBUG_EXIT_FAILURE);
    if (!paging_init()) {
        serial_puts("traploop: image does not fit in the first 2 MiB\n");
        debug_exit(DEBUG_EXIT_FAILURE);
    }
    gdt_init();
    install_gates();
    enable_syscall();

    chosen_loop = args.loop;
    bench_iterations = args.iterations_given ? args.iterations : default_iterations[args.loop];
    bench_enter_user(user_loops[args.loop], (uint64_t)(uintptr_t)(user_stack + USER_STACK_SIZE));
}
