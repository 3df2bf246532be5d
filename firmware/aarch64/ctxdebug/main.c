/*
 * The ctxdebug firmware: context-aware breakpoints (Arm ARM D2.8.2, the
 * breakpoint types) as a debugger uses them for per-process breakpoints.
 * EL1 runs the same EL0 program as three "processes", each with its own
 * CONTEXTIDR_EL1 (1, 2, 3). Breakpoint 0 is an address breakpoint linked to
 * breakpoint 4, a linked Context ID breakpoint for process 2; watchpoint 0
 * is a store watchpoint linked to breakpoint 5, the Context ID of process 1.
 * So process 1 hits only the watchpoint, process 2 only the breakpoint and
 * process 3 neither. Each debug exception prints ESR, ELR and (for the
 * watchpoint) FAR, then disarms what fired; EL1 re-arms both before the next
 * process. The output is compared between QEMU and emu
 * (tests/firmware/aarch64/).
 */
#include <stdint.h>

#include "boot/frame.h"
#include "lib/psci.h"
#include "lib/sysreg.h"
#include "lib/uart.h"

typedef struct percpu {
    uint64_t exceptions;
    uint64_t pid;               /* the running process: its CONTEXTIDR_EL1 */
} percpu;

percpu percpu_state;

int main(void);
void el1_next_process(void) __attribute__((noreturn));

/* The EL0 program (el0.S). */
void el0_main(void);
extern uint8_t el0_marked[];
extern volatile uint64_t el0_counter[];

#define PROCESSES 3u
#define PID_BREAKPOINT 2u               /* breakpoint 4's Context ID */
#define PID_WATCHPOINT 1u               /* breakpoint 5's Context ID */

/* ESR_EL1 (D17.2.37). */
#define ESR_EC_SHIFT 26
#define ESR_EC_MASK 0x3fu
#define EC_SVC64 0x15
#define EC_BREAKPT_LOWER 0x30
#define EC_WATCHPT_LOWER 0x34

/* Debug registers (D17.3): DBGBCR/DBGWCR fields. */
#define MDSCR_MDE (1ull << 15)
#define DBGCR_E 1ull
#define DBGCR_EL0_ONLY (2ull << 1)      /* PMC/PAC = 0b10 */
#define DBGBCR_BAS_A64 (0xfull << 5)
#define DBGBCR_BT_LINKED_ADDR (1ull << 20)
#define DBGBCR_BT_LINKED_CID (3ull << 20)
#define DBGCR_LBN(n) ((uint64_t)(n) << 16)
#define DBGWCR_LSC_STORE (2ull << 3)
#define DBGWCR_BAS_ALL (0xffull << 5)
#define DBGWCR_WT (1ull << 20)

static void arm_comparators(void)
{
    write_sysreg(dbgbcr0_el1, DBGCR_E | DBGCR_EL0_ONLY | DBGBCR_BAS_A64 | DBGBCR_BT_LINKED_ADDR | DBGCR_LBN(4));
    write_sysreg(dbgwcr0_el1, DBGCR_E | DBGCR_EL0_ONLY | DBGWCR_LSC_STORE | DBGWCR_BAS_ALL | DBGWCR_WT | DBGCR_LBN(5));
    isb();
}

static void __attribute__((noreturn)) run_process(uint64_t pid)
{
    percpu_state.pid = pid;
    write_sysreg(contextidr_el1, pid);
    arm_comparators();
    uart_puts("process ");
    uart_dec(pid);
    uart_puts(": CONTEXTIDR_EL1=");
    uart_hex(read_sysreg(contextidr_el1), 1);
    uart_puts("\n");
    write_sysreg(elr_el1, (uint64_t)(uintptr_t)el0_main);
    write_sysreg(spsr_el1, 0);          /* EL0t, nothing masked */
    __asm__ volatile("eret" : : : "memory");
    __builtin_unreachable();
}

int main(void)
{
    uart_puts("ctxdebug: per-process breakpoints through CONTEXTIDR_EL1\n");
    write_sysreg(oslar_el1, 0);         /* clear the OS Lock, locked at reset (D2.5) */
    write_sysreg(dbgbvr0_el1, (uint64_t)(uintptr_t)el0_marked);
    write_sysreg(dbgbvr4_el1, PID_BREAKPOINT);
    write_sysreg(dbgbcr4_el1, DBGCR_E | DBGCR_EL0_ONLY | DBGBCR_BAS_A64 | DBGBCR_BT_LINKED_CID);
    write_sysreg(dbgwvr0_el1, (uint64_t)(uintptr_t)el0_counter);
    write_sysreg(dbgbvr5_el1, PID_WATCHPOINT);
    write_sysreg(dbgbcr5_el1, DBGCR_E | DBGCR_EL0_ONLY | DBGBCR_BAS_A64 | DBGBCR_BT_LINKED_CID);
    write_sysreg(mdscr_el1, MDSCR_MDE);
    arm_comparators();
    uart_field("DBGBCR0_EL1", read_sysreg(dbgbcr0_el1), 1);
    uart_field("DBGBCR4_EL1", read_sysreg(dbgbcr4_el1), 1);
    uart_field("DBGWCR0_EL1", read_sysreg(dbgwcr0_el1), 1);
    uart_field("DBGBCR5_EL1", read_sysreg(dbgbcr5_el1), 1);
    uart_puts("\n");
    run_process(1);
}

void el1_next_process(void)
{
    uart_puts("process ");
    uart_dec(percpu_state.pid);
    uart_puts(" done: counter=");
    uart_hex(el0_counter[0], 1);
    uart_puts("\n");
    if (percpu_state.pid < PROCESSES)
        run_process(percpu_state.pid + 1);
    uart_dec(percpu_state.exceptions);
    uart_puts(" exceptions in all. PSCI SYSTEM_OFF\n");
    psci_system_off();
}

void exception_dispatch(uint64_t slot, frame *f)
{
    (void)slot;
    percpu_state.exceptions++;
    uint64_t esr = read_sysreg(esr_el1);
    unsigned ec = (unsigned)(esr >> ESR_EC_SHIFT) & ESR_EC_MASK;
    switch (ec) {
    case EC_BREAKPT_LOWER:
    case EC_WATCHPT_LOWER:
        uart_puts(ec == EC_BREAKPT_LOWER ? "  breakpoint:" : "  watchpoint:");
        uart_field("ESR", esr, 1);
        uart_field("ELR", f->elr, 1);
        if (ec == EC_WATCHPT_LOWER)
            uart_field("FAR", read_sysreg(far_el1), 1);
        uart_puts(", disarmed, retrying\n");
        if (ec == EC_BREAKPT_LOWER)
            write_sysreg(dbgbcr0_el1, 0);
        else
            write_sysreg(dbgwcr0_el1, 0);
        isb();
        break;
    case EC_SVC64:
        f->elr = (uint64_t)(uintptr_t)el1_next_process;
        f->spsr = 0x3c5;                /* EL1h, DAIF masked */
        break;
    default:
        uart_puts("  unexpected:");
        uart_field("ESR", esr, 1);
        uart_field("ELR", f->elr, 1);
        uart_puts(": stopping\n");
        psci_system_off();
    }
}
