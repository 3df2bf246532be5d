/*
 * The vintr firmware: virtual interrupts (Arm ARM D1.3.4, HCR_EL2.VI, VF and
 * VSE) on virt with virtualization=on, entered at EL2 (QEMU -kernel, `emu
 * --el 2`). EL2 routes physical IRQ, FIQ and SError to itself (IMO, FMO,
 * AMO), which enables the virtual ones for EL1, and ERETs to EL1 with DAIF
 * masked. EL1 asks EL2 over HVC to make a virtual IRQ pending, reads
 * ISR_EL1, unmasks IRQs and takes it at its own IRQ vector; the handler asks
 * EL2 to retract it (clear VI), as a hypervisor does once the guest has
 * acknowledged it. The same for a virtual FIQ, then a virtual SError, which
 * EL2 does not need to clear (taking it clears VSE). Last, a virtual IRQ
 * made pending while EL1 is masked wakes EL1 from WFI, and an HVC powers
 * off. Each handler prints what it saw; the output is compared between QEMU
 * and emu (tests/firmware/aarch64/).
 */
#include <stdint.h>

#include "boot/frame.h"
#include "lib/psci.h"
#include "lib/sysreg.h"
#include "lib/uart.h"

typedef struct percpu {
    unsigned el1_interrupts;
} percpu;

percpu percpu_state;

int main(void);
void el1_main(void) __attribute__((noreturn));

extern uint8_t vectors_el2[];

#define HCR_EL2_RW (1ull << 31)
#define HCR_EL2_FMO (1ull << 3)
#define HCR_EL2_IMO (1ull << 4)
#define HCR_EL2_AMO (1ull << 5)
#define HCR_EL2_VF (1ull << 6)
#define HCR_EL2_VI (1ull << 7)
#define HCR_EL2_VSE (1ull << 8)
#define SPSR_EL1H_MASKED 0x3c5ull       /* D, A, I, F masked; M = EL1h */

#define ESR_EC_SHIFT 26
#define ESR_EC_MASK 0x3fu
#define ESR_ISS_MASK 0x1ffffffu
#define EC_HVC64 0x16

/* The HVC calls EL1 makes; each sets or clears one HCR_EL2 bit. */
enum { HVC_POWER_OFF = 0, HVC_SET_VI, HVC_CLEAR_VI, HVC_SET_VF, HVC_CLEAR_VF, HVC_SET_VSE };

/* The vector slots boot/vectors.S numbers 0-15: current EL with SP_ELx IRQ, FIQ, SError. */
#define SLOT_CUR_SPX_IRQ 5
#define SLOT_CUR_SPX_FIQ 6
#define SLOT_CUR_SPX_SERROR 7

#define EL1_STACK_BYTES 4096
static uint8_t el1_stack[EL1_STACK_BYTES] __attribute__((aligned(16)));

#define hvc(imm) __asm__ volatile("hvc %0" : : "i"(imm) : "memory")

int main(void)
{
    uart_puts("ringside vintr: entered at EL");
    uart_dec(current_el());
    uart_puts("\n");
    write_sysreg(vbar_el2, (uint64_t)(uintptr_t)vectors_el2);
    write_sysreg(hcr_el2, HCR_EL2_RW | HCR_EL2_IMO | HCR_EL2_FMO | HCR_EL2_AMO);
    write_sysreg(sp_el1, (uint64_t)(uintptr_t)(el1_stack + EL1_STACK_BYTES));
    write_sysreg(spsr_el2, SPSR_EL1H_MASKED);
    write_sysreg(elr_el2, (uint64_t)(uintptr_t)el1_main);
    isb();
    uart_field("HCR_EL2", read_sysreg(hcr_el2), 1);
    uart_puts(", ERET to EL1 with DAIF masked\n");
    __asm__ volatile("eret");
    __builtin_unreachable();
}

static void show_isr(const char *when)
{
    uart_puts("EL1 ");
    uart_puts(when);
    uart_field("ISR_EL1", read_sysreg(isr_el1), 1);
    uart_puts("\n");
}

void el1_main(void)
{
    show_isr("before");
    hvc(HVC_SET_VI);
    show_isr("VI set, IRQs masked:");
    __asm__ volatile("msr daifclr, #2\n\tnop" : : : "memory");     /* taken after the MSR */
    __asm__ volatile("msr daifset, #2" : : : "memory");
    hvc(HVC_SET_VF);
    show_isr("VF set, FIQs masked:");
    __asm__ volatile("msr daifclr, #1\n\tnop" : : : "memory");
    __asm__ volatile("msr daifset, #1" : : : "memory");
    hvc(HVC_SET_VSE);
    show_isr("VSE set, SError masked:");
    __asm__ volatile("msr daifclr, #4\n\tnop" : : : "memory");
    __asm__ volatile("msr daifset, #4" : : : "memory");
    show_isr("after the SError");
    hvc(HVC_SET_VI);
    __asm__ volatile("wfi" : : : "memory");
    uart_puts("EL1 woke from WFI with IRQs masked");
    uart_field("ISR_EL1", read_sysreg(isr_el1), 1);
    uart_puts("\n");
    hvc(HVC_CLEAR_VI);
    uart_dec(percpu_state.el1_interrupts);
    uart_puts(" virtual interrupts taken at EL1\n");
    hvc(HVC_POWER_OFF);
    uart_puts("not reached: EL2 powers off\n");
    for (;;)
        __asm__ volatile("wfi");
}

/* EL1's vector table (boot/start.S): the virtual IRQ, FIQ and SError. */
void exception_dispatch(uint64_t slot, frame *f)
{
    percpu_state.el1_interrupts++;
    uart_puts("  [EL");
    uart_dec(current_el());
    uart_puts(" slot ");
    uart_dec(slot);
    uart_puts("]");
    uart_field("ELR", f->elr, 1);
    uart_field("SPSR", f->spsr, 1);
    uart_field("ISR_EL1", read_sysreg(isr_el1), 1);
    switch (slot) {
    case SLOT_CUR_SPX_IRQ:
        uart_puts(": virtual IRQ, EL2 retracts it\n");
        hvc(HVC_CLEAR_VI);
        break;
    case SLOT_CUR_SPX_FIQ:
        uart_puts(": virtual FIQ, EL2 retracts it\n");
        hvc(HVC_CLEAR_VF);
        break;
    case SLOT_CUR_SPX_SERROR:
        uart_field("ESR_EL1", read_sysreg(esr_el1), 1);
        uart_puts(": virtual SError\n");
        break;
    default:
        uart_field("ESR_EL1", read_sysreg(esr_el1), 1);
        uart_puts(": unexpected, stopping\n");
        psci_system_off();
    }
}

/* EL2 takes EL1's HVC calls. */
void exception_dispatch_el2(uint64_t slot, frame *f)
{
    (void)f;
    uint64_t esr = read_sysreg(esr_el2);
    unsigned ec = (unsigned)(esr >> ESR_EC_SHIFT & ESR_EC_MASK);
    unsigned call = (unsigned)(esr & ESR_ISS_MASK);
    if (ec != EC_HVC64) {
        uart_puts("  EL2: unexpected");
        uart_field("slot", slot, 1);
        uart_field("ESR_EL2", esr, 1);
        uart_puts(", stopping\n");
        psci_smc(PSCI_SYSTEM_OFF);
    }
    uint64_t hcr = read_sysreg(hcr_el2);
    switch (call) {
    case HVC_SET_VI: hcr |= HCR_EL2_VI; break;
    case HVC_CLEAR_VI: hcr &= ~HCR_EL2_VI; break;
    case HVC_SET_VF: hcr |= HCR_EL2_VF; break;
    case HVC_CLEAR_VF: hcr &= ~HCR_EL2_VF; break;
    case HVC_SET_VSE: hcr |= HCR_EL2_VSE; break;
    default:
        uart_puts("  EL2: PSCI SYSTEM_OFF over SMC\n");
        psci_smc(PSCI_SYSTEM_OFF);
    }
    write_sysreg(hcr_el2, hcr);
    isb();
    uart_puts("  EL2: HVC #");
    uart_dec(call);
    uart_field("HCR_EL2", read_sysreg(hcr_el2), 1);
    uart_puts("\n");
}
