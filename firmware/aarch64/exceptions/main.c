/*
 * The exceptions firmware (README.md): EL1 sets up its vectors, per-CPU
 * state and an identity map, drops to an EL0 program that takes one
 * exception of each kind, then takes the generic timer's interrupt through
 * the GICv2 and powers off through PSCI. Every line it prints is compared
 * between QEMU, the Arm ARM and emu (tests/firmware/aarch64/).
 */
#include "exceptions/exceptions.h"
#include "lib/psci.h"
#include "lib/sysreg.h"
#include "lib/uart.h"

percpu percpu_state;

/* GICv2 on QEMU's virt (IHI 0048B, 4.3 and 4.4). */
#define GICD_BASE 0x08000000ull
#define GICC_BASE 0x08010000ull
#define GICD_CTLR 0x000
#define GICD_TYPER 0x004
#define GICD_ISENABLER0 0x100
#define GICC_CTLR 0x000
#define GICC_PMR 0x004
#define GICC_IAR 0x00c
#define GICC_EOIR 0x010
#define GIC_INTID_MASK 0x3ff
#define INTID_TIMER_NS_EL1 30           /* the EL1 physical timer's PPI on virt */

#define CNT_CTL_ENABLE 1u
#define CNT_CTL_IMASK 2u
#define CNT_CTL_ISTATUS 4u
#define TIMER_TICKS 1000

int main(void);

int main(void)
{
    uart_puts("exceptions: AArch64 exception model on virt\n");
    uart_puts("CurrentEL=");
    uart_hex(read_sysreg(CurrentEL) >> 2, 1);
    uart_puts(" MIDR_EL1=");
    uart_hex(read_sysreg(midr_el1), 8);
    uart_puts(" VBAR_EL1=");
    uart_hex(read_sysreg(vbar_el1), 16);
    uart_puts(" TPIDR_EL1=");
    uart_hex(read_sysreg(tpidr_el1), 16);
    /* The major version only: QEMU 7.2 reports 1.1, emu 1.0 (tests/firmware/aarch64/README.md). */
    uart_puts("\nPSCI major version ");
    uart_dec(psci_call(PSCI_VERSION, 0, 0, 0) >> 16);
    uart_puts("\n");

    write_sysreg(cpacr_el1, 0);         /* FP and SIMD trap at EL0 and EL1 until the handler enables them */
    mmu_enable();
    uart_puts("MMU on: SCTLR_EL1=");
    uart_hex(read_sysreg(sctlr_el1), 8);
    uart_puts("\nentering EL0 at ");
    uart_hex((uint64_t)(uintptr_t)el0_main, 16);
    uart_puts("\n");

    write_sysreg(sp_el0, (uint64_t)(uintptr_t)el0_stack_top);
    write_sysreg(elr_el1, (uint64_t)(uintptr_t)el0_main);
    write_sysreg(spsr_el1, 0);          /* EL0t, NZCV clear, nothing masked */
    __asm__ volatile("eret" : : : "memory");
    __builtin_unreachable();
}

void irq_handler(void)
{
    uint32_t iar = mmio_read32(GICC_BASE + GICC_IAR);
    percpu_state.irqs++;
    uart_puts("[");
    uart_dec(percpu_state.exceptions);
    uart_puts("] EL1h IRQ: GICC_IAR INTID=");
    uart_dec(iar & GIC_INTID_MASK);
    uart_puts(" CNTP_CTL_EL0=");
    uart_hex(read_sysreg(cntp_ctl_el0), 1);
    uart_puts("\n     ELR=");
    uart_hex(read_sysreg(elr_el1), 16);
    uart_puts(" SPSR=");
    uart_hex(read_sysreg(spsr_el1), 8);
    uart_puts("\n");
    write_sysreg(cntp_ctl_el0, CNT_CTL_ENABLE | CNT_CTL_IMASK);     /* drop the PPI before EOI */
    isb();
    mmio_write32(GICC_BASE + GICC_EOIR, iar);
}

void el1_after_el0(void)
{
    uart_puts("back at EL1: EL0's FP round trip gave ");
    uart_hex(percpu_state.fp_result, 4);
    uart_puts(", exceptions so far ");
    uart_dec(percpu_state.exceptions);
    uart_puts("\n");

    /* An unaligned load from Device memory (the GIC distributor's GICD_TYPER, one byte in) is an
     * Alignment fault whatever SCTLR_EL1.A says (Arm ARM B2.5.2); the handler steps over it. */
    uint32_t typer;
    __asm__ volatile("ldr %w0, [%1]" : "=r"(typer) : "r"(GICD_BASE + GICD_TYPER + 1) : "memory");
    (void)typer;

    mmio_write32(GICD_BASE + GICD_CTLR, 1);
    mmio_write32(GICD_BASE + GICD_ISENABLER0, 1u << INTID_TIMER_NS_EL1);
    mmio_write32(GICC_BASE + GICC_PMR, 0xff);
    mmio_write32(GICC_BASE + GICC_CTLR, 1);
    uart_puts("CNTFRQ_EL0=");
    uart_dec(read_sysreg(cntfrq_el0));
    uart_puts(", timer armed for ");
    uart_dec(TIMER_TICKS);
    uart_puts(" ticks\n");
    /* Wait with IRQs masked (WFI still wakes on the pending interrupt, Arm ARM D1.6.2) and unmask only
     * once the timer has fired, so the IRQ is taken at the same instruction however fast the host is:
     * QEMU's timer runs on host time. */
    write_sysreg(cntp_tval_el0, TIMER_TICKS);
    write_sysreg(cntp_ctl_el0, CNT_CTL_ENABLE);
    isb();
    while (!(read_sysreg(cntp_ctl_el0) & CNT_CTL_ISTATUS))
        __asm__ volatile("wfi");
    __asm__ volatile("msr daifclr, #2\n\tisb" : : : "memory");
    __asm__ volatile("msr daifset, #2" : : : "memory");
    if (percpu_state.irqs != 1)
        uart_puts("the timer's IRQ was not taken when unmasked\n");
    uart_puts("timer interrupt handled; ");
    uart_dec(percpu_state.exceptions);
    uart_puts(" exceptions in all. PSCI SYSTEM_OFF\n");
    psci_system_off();
}
