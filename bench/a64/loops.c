/*
 * AArch64 benchmark firmware (bench/README.md), one binary per mode:
 * - INT_ITERATIONS: an integer loop at EL1 (mixing, shifts, multiplies,
 *   branches), its checksum printed so emu and QEMU can be compared;
 * - SVC_ITERATIONS: EL0 -> EL1 -> ERET round trips, SVC #1 each, through
 *   the shared vectors (full frame save and restore), then SVC #0 ends it.
 * Both power off through PSCI.
 */
#include "boot/frame.h"
#include "lib/psci.h"
#include "lib/sysreg.h"
#include "lib/uart.h"

typedef struct percpu {
    uint64_t svcs;
} percpu;

percpu percpu_state;

int main(void);
void el0_loop(void);
void el1_done(void) __attribute__((noreturn));

#ifdef SVC_ITERATIONS
/* The EL0 side: X19 counts down; SVC #1 per round trip, SVC #0 when done. */
__asm__(".text\n"
        ".global el0_loop\n"
        "el0_loop:\n"
        "    cbz x19, 2f\n"
        "1:  svc #1\n"
        "    subs x19, x19, #1\n"
        "    b.ne 1b\n"
        "2:  svc #0\n");

void exception_dispatch(uint64_t slot, frame *f)
{
    (void)slot;
    uint64_t esr = read_sysreg(esr_el1);
    if ((esr & 0xffff) == 1) {
        percpu_state.svcs++;
        return;                         /* ELR is already past the SVC */
    }
    f->elr = (uint64_t)(uintptr_t)el1_done;
    f->spsr = 0x3c5;                    /* EL1h, DAIF masked */
}

void el1_done(void)
{
    uart_puts("a64bench svc: ");
    uart_dec(percpu_state.svcs);
    uart_puts(" round trips\n");
    psci_system_off();
}

int main(void)
{
    register uint64_t n __asm__("x19") = SVC_ITERATIONS;
    write_sysreg(elr_el1, (uint64_t)(uintptr_t)el0_loop);
    write_sysreg(spsr_el1, 0);          /* EL0t */
    __asm__ volatile("eret" : : "r"(n) : "memory");
    __builtin_unreachable();
}
#else
void exception_dispatch(uint64_t slot, frame *f)
{
    (void)f;
    uart_puts("a64bench: unexpected exception in slot ");
    uart_dec(slot);
    uart_puts("\n");
    psci_system_off();
}

int main(void)
{
    uint64_t x = 0x9e3779b97f4a7c15ull, sum = 0;
    for (uint64_t i = 0; i < INT_ITERATIONS; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        sum += (x & 0xff) * 3 + (i & 1 ? x >> 32 : 0);
    }
    uart_puts("a64bench int: checksum ");
    uart_hex(sum, 16);
    uart_puts("\n");
    psci_system_off();
}
#endif
