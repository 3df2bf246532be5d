/*
 * The EL2 firmware: the exception model with EL2 (Arm ARM D1) on virt with
 * virtualization=on, where QEMU's -kernel and `emu --el 2` enter at EL2.
 * EL2 installs its own vector table, sets HCR_EL2 (EL1 in AArch64, SMC and
 * WFI trapped to EL2, CNTHCTL_EL2 closing the physical counter to EL1 and
 * CPTR_EL2 trapping FP) and ERETs to EL1, which takes an SVC itself and then
 * executes HVC, a trapped WFI, a trapped SMC, a trapped read of CNTPCT_EL0
 * and a trapped FP instruction, each taken to EL2; a last HVC asks EL2 to power off through PSCI over SMC, the conduit
 * when EL2 is implemented. Every handler prints the EL it runs at and ESR, ELR, SPSR.
 * The output is compared between QEMU and emu (tests/firmware/aarch64/).
 */
#include <stdint.h>

#include "boot/frame.h"
#include "lib/psci.h"
#include "lib/sysreg.h"
#include "lib/uart.h"

typedef struct percpu {
    uint64_t exceptions;
} percpu;

percpu percpu_state;

int main(void);
void el1_main(void) __attribute__((noreturn));

extern uint8_t vectors_el2[];

#define HCR_EL2_TWI (1ull << 13)
#define HCR_EL2_TSC (1ull << 19)
#define HCR_EL2_RW (1ull << 31)
#define CNTHCTL_EL2_EL1PCEN (1ull << 1)     /* EL1PCTEN (bit 0) clear: CNTPCT_EL0 traps */
#define CPTR_EL2_RES1 0x33ffull
#define CPTR_EL2_TFP (1ull << 10)
#define CPACR_EL1_FPEN_ALL (3ull << 20)         /* EL1 itself does not trap FP */
#define SPSR_EL1H_MASKED 0x3c5ull       /* D, A, I, F masked; M = EL1h */

#define ESR_EC_SHIFT 26
#define ESR_EC_MASK 0x3fu
#define ESR_ISS_MASK 0x1ffffffu
#define EC_WFX 0x01
#define EC_FP_ACCESS 0x07
#define EC_SVC64 0x15
#define EC_HVC64 0x16
#define EC_SMC64 0x17
#define EC_SYSREG 0x18
#define HVC_POWER_OFF 1u
#define INSN_BYTES 4

#define EL1_STACK_BYTES 4096
static uint8_t el1_stack[EL1_STACK_BYTES] __attribute__((aligned(16)));

int main(void)
{
    uart_puts("ringside el2: entered at EL");
    uart_dec(current_el());
    uart_field("HCR_EL2", read_sysreg(hcr_el2), 1);
    uart_field("CNTHCTL_EL2", read_sysreg(cnthctl_el2), 1);
    uart_puts("\n");
    uart_puts("PSCI_VERSION over SMC: major ");
    uart_dec(psci_smc(PSCI_VERSION) >> 16);
    uart_puts("\n");
    write_sysreg(vbar_el2, (uint64_t)(uintptr_t)vectors_el2);
    write_sysreg(hcr_el2, HCR_EL2_RW | HCR_EL2_TSC | HCR_EL2_TWI);
    write_sysreg(cnthctl_el2, CNTHCTL_EL2_EL1PCEN);
    write_sysreg(cpacr_el1, CPACR_EL1_FPEN_ALL);
    write_sysreg(cptr_el2, CPTR_EL2_RES1 | CPTR_EL2_TFP);
    write_sysreg(sp_el1, (uint64_t)(uintptr_t)(el1_stack + EL1_STACK_BYTES));
    write_sysreg(spsr_el2, SPSR_EL1H_MASKED);
    write_sysreg(elr_el2, (uint64_t)(uintptr_t)el1_main);
    isb();
    uart_field("HCR_EL2", read_sysreg(hcr_el2), 1);
    uart_field("CNTHCTL_EL2", read_sysreg(cnthctl_el2), 1);
    uart_field("CPTR_EL2", read_sysreg(cptr_el2), 1);
    uart_puts(", ERET to EL1\n");
    __asm__ volatile("eret");
    __builtin_unreachable();
}

void el1_main(void)
{
    uart_puts("at EL");
    uart_dec(current_el());
    uart_puts("\n");
    __asm__ volatile("svc #3" : : : "memory");
    __asm__ volatile("hvc #0x42" : : : "memory");
    __asm__ volatile("wfi" : : : "memory");
    __asm__ volatile("smc #7" : : : "x0", "x1", "x2", "x3", "memory");
    __asm__ volatile("mrs x0, cntpct_el0" : : : "x0", "memory");
    __asm__ volatile("fmov d0, xzr" : : : "d0", "memory");
    __asm__ volatile("hvc %0" : : "i"(HVC_POWER_OFF) : "memory");
    uart_puts("not reached: EL2 powers off\n");
    for (;;)
        __asm__ volatile("wfi");
}

static void show(const char *where, uint64_t esr, uint64_t elr, uint64_t spsr)
{
    uart_puts(where);
    uart_puts(": EC=");
    uart_hex(esr >> ESR_EC_SHIFT & ESR_EC_MASK, 2);
    uart_field("ISS", esr & ESR_ISS_MASK, 1);
    uart_field("ELR", elr, 1);
    uart_field("SPSR", spsr, 1);
    uart_puts("\n");
}

/* EL1's own exceptions (VBAR_EL1, installed by boot/start.S): the SVC. */
void exception_dispatch(uint64_t slot, frame *f)
{
    percpu_state.exceptions++;
    uint64_t esr = read_sysreg(esr_el1);
    uart_puts("  [EL");
    uart_dec(current_el());
    uart_puts(" slot ");
    uart_dec(slot);
    uart_puts("]");
    show(" EL1 handler", esr, f->elr, f->spsr);
}

/* What EL2 takes from EL1: HVC (the next instruction to return to), trapped WFI, SMC and MRS (the
 * instruction itself: step over it), and the trapped FP instruction (enable FP, run it again). */
void exception_dispatch_el2(uint64_t slot, frame *f)
{
    percpu_state.exceptions++;
    uint64_t esr = read_sysreg(esr_el2);
    unsigned ec = (unsigned)(esr >> ESR_EC_SHIFT & ESR_EC_MASK);
    uart_puts("  [EL");
    uart_dec(current_el());
    uart_puts(" slot ");
    uart_dec(slot);
    uart_puts("]");
    show(" EL2 handler", esr, f->elr, f->spsr);
    if (ec == EC_WFX || ec == EC_SMC64 || ec == EC_SYSREG)
        f->elr += INSN_BYTES;
    if (ec == EC_FP_ACCESS)
        write_sysreg(cptr_el2, CPTR_EL2_RES1);
    if (ec == EC_HVC64 && (esr & ESR_ISS_MASK) == HVC_POWER_OFF) {
        uart_puts(percpu_state.exceptions == 7 ? "seven exceptions" : "exceptions missing");
        uart_puts(". PSCI SYSTEM_OFF over SMC\n");
        psci_smc(PSCI_SYSTEM_OFF);
    }
    if (ec != EC_HVC64 && ec != EC_WFX && ec != EC_SMC64 && ec != EC_SYSREG && ec != EC_FP_ACCESS) {
        uart_puts("unexpected: stopping\n");
        psci_smc(PSCI_SYSTEM_OFF);
    }
}
