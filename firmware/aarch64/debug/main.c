/*
 * The debug firmware: AArch64 self-hosted debug (Arm ARM chapter D2) on
 * virt. EL1 reads ID_AA64DFR0_EL1, clears the OS Lock, arms a breakpoint
 * and two watchpoints on an EL0 program (MMU off) and then single-steps part
 * of it; every debug exception prints ESR, ELR, SPSR and FAR. The output is
 * compared between QEMU, the Arm ARM and emu (tests/firmware/aarch64/).
 */
#include "boot/frame.h"
#include "debug/debug.h"
#include "lib/psci.h"
#include "lib/sysreg.h"
#include "lib/uart.h"

percpu percpu_state;

/* ESR_EL1 (D17.2.37). */
#define ESR_EC_SHIFT 26
#define ESR_EC_MASK 0x3fu
#define EC_SVC64 0x15
#define EC_BREAKPT_LOWER 0x30
#define EC_SOFTSTP_LOWER 0x32
#define EC_WATCHPT_LOWER 0x34
#define ESR_ISS_IMM16_MASK 0xffffu
#define ESR_ISS_SS_ISV (1u << 24)
#define ESR_ISS_WNR (1u << 6)

/* Debug registers (D17.3). */
#define DFR0_BRPS_SHIFT 12
#define DFR0_WRPS_SHIFT 20
#define DFR0_FIELD_MASK 0xfu
#define MDSCR_SS (1ull << 0)
#define MDSCR_MDE (1ull << 15)
#define DBGCR_E 1ull
#define DBGCR_EL0_ONLY (2ull << 1)      /* PMC/PAC = 0b10 */
#define DBGBCR_BAS_A64 (0xfull << 5)
#define DBGWCR_LSC_LOAD (1ull << 3)
#define DBGWCR_LSC_STORE (2ull << 3)
#define DBGWCR_BAS_SHIFT 5
#define DBGWCR_BAS_ALL (0xffull << DBGWCR_BAS_SHIFT)
#define SPSR_SS (1ull << 21)
#define SPSR_EL1H_MASKED 0x3c5ull

int main(void);

static percpu *this_cpu(void)
{
    return (percpu *)read_sysreg(tpidr_el1);
}

static void field(const char *name, uint64_t v, unsigned digits)
{
    uart_puts(" ");
    uart_puts(name);
    uart_puts("=");
    uart_hex(v, digits);
}

int main(void)
{
    uint64_t dfr0 = read_sysreg(id_aa64dfr0_el1);
    uart_puts("debug: AArch64 self-hosted debug on virt\n");
    field("BRPs", ((dfr0 >> DFR0_BRPS_SHIFT) & DFR0_FIELD_MASK) + 1, 1);
    field("WRPs", ((dfr0 >> DFR0_WRPS_SHIFT) & DFR0_FIELD_MASK) + 1, 1);
    field("OSLSR_EL1", read_sysreg(oslsr_el1), 1);
    write_sysreg(oslar_el1, 0);         /* clear the OS Lock, locked at reset (D2.5) */
    isb();
    field("after OSLAR_EL1=0", read_sysreg(oslsr_el1), 1);
    uart_puts("\n");

    write_sysreg(dbgbvr0_el1, (uint64_t)(uintptr_t)el0_breakpoint);
    write_sysreg(dbgbcr0_el1, DBGCR_E | DBGCR_EL0_ONLY | DBGBCR_BAS_A64);
    write_sysreg(dbgwvr0_el1, (uint64_t)(uintptr_t)el0_watch_store);
    write_sysreg(dbgwcr0_el1, DBGCR_E | DBGCR_EL0_ONLY | DBGWCR_LSC_STORE | DBGWCR_BAS_ALL);
    write_sysreg(dbgwvr1_el1, (uint64_t)(uintptr_t)el0_watch_load);
    write_sysreg(dbgwcr1_el1, DBGCR_E | DBGCR_EL0_ONLY | DBGWCR_LSC_LOAD | (1ull << (DBGWCR_BAS_SHIFT + 2)));
    write_sysreg(mdscr_el1, MDSCR_MDE);
    isb();
    uart_puts("MDSCR_EL1=");
    uart_hex(read_sysreg(mdscr_el1), 8);
    field("DBGBCR0_EL1", read_sysreg(dbgbcr0_el1), 8);
    field("DBGWCR1_EL1", read_sysreg(dbgwcr1_el1), 8);
    uart_puts("\nentering EL0 at ");
    uart_hex((uint64_t)(uintptr_t)el0_main, 16);
    uart_puts("\n");

    write_sysreg(elr_el1, (uint64_t)(uintptr_t)el0_main);
    write_sysreg(spsr_el1, 0);          /* EL0t, nothing masked */
    __asm__ volatile("eret" : : : "memory");
    __builtin_unreachable();
}

static void sync_exception(frame *f)
{
    uint64_t esr = read_sysreg(esr_el1);
    unsigned ec = (unsigned)(esr >> ESR_EC_SHIFT) & ESR_EC_MASK;
    uart_puts("[");
    uart_dec(this_cpu()->exceptions);
    uart_puts("] EC=");
    uart_hex(ec, 2);
    field("ESR", esr, 8);
    field("ELR", f->elr, 16);
    field("SPSR", f->spsr, 8);
    /* FAR_EL1 is written by watchpoints, UNKNOWN after the other debug exceptions. */
    if (ec == EC_WATCHPT_LOWER)
        field("FAR", read_sysreg(far_el1), 16);
    uart_puts("\n");

    switch (ec) {
    case EC_BREAKPT_LOWER:
        uart_puts("     breakpoint: disabled, retrying the instruction\n");
        write_sysreg(dbgbcr0_el1, 0);
        break;
    case EC_WATCHPT_LOWER:
        uart_puts((esr & ESR_ISS_WNR) ? "     store watchpoint: the location still holds " :
                                        "     load watchpoint: disabled, retrying\n");
        if (esr & ESR_ISS_WNR) {
            uart_hex(*el0_watch_store, 1);
            uart_puts("; disabled, retrying\n");
            write_sysreg(dbgwcr0_el1, 0);
        } else {
            write_sysreg(dbgwcr1_el1, 0);
        }
        break;
    case EC_SVC64:
        if ((esr & ESR_ISS_IMM16_MASK) == 1) {
            uart_puts("     stepping EL0: MDSCR_EL1.SS=1, SPSR_EL1.SS=1\n");
            write_sysreg(mdscr_el1, MDSCR_MDE | MDSCR_SS);
            f->spsr |= SPSR_SS;
        } else if ((esr & ESR_ISS_IMM16_MASK) == 0) {
            this_cpu()->loaded = f->x[0];
            f->elr = (uint64_t)(uintptr_t)el1_after_el0;
            f->spsr = SPSR_EL1H_MASKED;
        }
        break;                          /* SVC #2: returned with SPSR.SS as the step left it */
    case EC_SOFTSTP_LOWER:
        this_cpu()->steps++;
        if (esr & ESR_ISS_SS_ISV) {
            f->spsr |= SPSR_SS;         /* an instruction was stepped: step the next one too */
        } else {
            uart_puts("     no instruction stepped (after SVC #2): stepping off\n");
            write_sysreg(mdscr_el1, MDSCR_MDE);
            f->spsr &= ~SPSR_SS;
        }
        break;
    default:
        uart_puts("     unexpected: stopping\n");
        for (;;)
            __asm__ volatile("wfi");
    }
    isb();
}

void exception_dispatch(uint64_t slot, frame *f)
{
    (void)slot;
    this_cpu()->exceptions++;
    sync_exception(f);
}

void el1_after_el0(void)
{
    uart_puts("back at EL1: stored ");
    uart_hex(*el0_watch_store, 1);
    uart_puts(", loaded ");
    uart_hex(this_cpu()->loaded, 1);
    uart_puts(", ");
    uart_dec(this_cpu()->steps);
    uart_puts(" step exceptions, ");
    uart_dec(this_cpu()->exceptions);
    uart_puts(" exceptions in all. PSCI SYSTEM_OFF\n");
    psci_system_off();
}
