/*
 * The EL2 debug firmware: self-hosted debug routed to EL2 (Arm ARM D2.3.1,
 * MDCR_EL2 in D17.3.17), on virt with virtualization=on, where QEMU's
 * -kernel and `emu --el 2` enter at EL2.
 *
 * EL2 clears the OS Lock, arms a breakpoint on an EL1 instruction and a
 * watchpoint on an EL1 store, sets MDCR_EL2.TDE (debug exceptions go to
 * EL2, and EL1's accesses to the debug and OS Lock registers trap there) and
 * ERETs to EL1 with every DAIF bit set, PSTATE.D included: debug exceptions
 * from below the target are not masked by it. EL1 then hits the breakpoint,
 * makes the watched store, reads MDSCR_EL1 and OSLSR_EL1 (EL2 answers both
 * reads for it), takes an SVC itself (TDE routes debug exceptions only), and
 * asks EL2 over HVC to single-step its next instruction; a last HVC powers
 * off through PSCI over SMC. Every EL2 entry prints ESR, ELR, SPSR and, for
 * the watchpoint, FAR. The output is compared between QEMU and emu
 * (tests/firmware/aarch64/).
 */
#include <stdint.h>

#include "boot/frame.h"
#include "lib/psci.h"
#include "lib/sysreg.h"
#include "lib/uart.h"

/* Per-CPU state (boot/start.S points TPIDR_EL1 at it). */
typedef struct percpu {
    unsigned el2_entries;
} percpu;

percpu percpu_state;

int main(void);
void el1_main(void) __attribute__((noreturn));

extern uint8_t vectors_el2[];
extern const uint32_t bkpt_site[];   /* the NOP in el1_main that breakpoint 0 watches */

#define HCR_EL2_RW (1ull << 31)
#define MDCR_EL2_TDE (1ull << 8)
#define MDSCR_EL1_SS (1ull << 0)
#define MDSCR_EL1_MDE (1ull << 15)
#define SPSR_EL1H_MASKED 0x3c5ull       /* D, A, I, F masked; M = EL1h */
#define SPSR_SS (1ull << 21)

/* DBGBCR/DBGWCR (D17.3.2, D17.3.8): enable, EL1 only (PMC/PAC = 0b01), all bytes. */
#define DBGBCR_EL1_A64 (1ull | (1ull << 1) | (0xfull << 5))
#define DBGWCR_EL1_STORE_DWORD (1ull | (1ull << 1) | (2ull << 3) | (0xffull << 5))

#define ESR_EC_SHIFT 26
#define ESR_EC_MASK 0x3fu
#define ESR_ISS_MASK 0x1ffffffu
#define EC_SVC64 0x15
#define EC_HVC64 0x16
#define EC_SYSREG 0x18
#define EC_BREAKPT_LOWER 0x30
#define EC_SOFTSTP_LOWER 0x32
#define EC_WATCHPT_LOWER 0x34
#define ISS_SYSREG_READ 1u
#define ISS_SYSREG_RT_SHIFT 5
#define ISS_SYSREG_RT_MASK 0x1fu
#define ISS_SYSREG_CRN_SHIFT 10
#define ISS_SYSREG_CRN_MASK 0xfu
#define HVC_POWER_OFF 1u
#define HVC_STEP_NEXT 2u
#define INSN_BYTES 4
#define EXPECTED_EL2_ENTRIES 7u

#define EL1_STACK_BYTES 4096
static uint8_t el1_stack[EL1_STACK_BYTES] __attribute__((aligned(16)));

static volatile uint64_t watched;

int main(void)
{
    uart_puts("ringside el2debug: entered at EL");
    uart_dec(current_el());
    uart_puts("\n");
    write_sysreg(vbar_el2, (uint64_t)(uintptr_t)vectors_el2);
    write_sysreg(hcr_el2, HCR_EL2_RW);
    write_sysreg(oslar_el1, 0);
    write_sysreg(dbgbvr0_el1, (uint64_t)(uintptr_t)bkpt_site);
    write_sysreg(dbgbcr0_el1, DBGBCR_EL1_A64);
    write_sysreg(dbgwvr0_el1, (uint64_t)(uintptr_t)&watched);
    write_sysreg(dbgwcr0_el1, DBGWCR_EL1_STORE_DWORD);
    write_sysreg(mdscr_el1, MDSCR_EL1_MDE);
    write_sysreg(mdcr_el2, MDCR_EL2_TDE);
    write_sysreg(sp_el1, (uint64_t)(uintptr_t)(el1_stack + EL1_STACK_BYTES));
    write_sysreg(spsr_el2, SPSR_EL1H_MASKED);
    write_sysreg(elr_el2, (uint64_t)(uintptr_t)el1_main);
    isb();
    uart_field("OSLSR_EL1", read_sysreg(oslsr_el1), 1);
    uart_field("MDSCR_EL1", read_sysreg(mdscr_el1), 1);
    uart_field("MDCR_EL2", read_sysreg(mdcr_el2), 1);
    uart_puts(", ERET to EL1 with DAIF masked\n");
    __asm__ volatile("eret");
    __builtin_unreachable();
}

void el1_main(void)
{
    uart_puts("at EL");
    uart_dec(current_el());
    uart_puts("\n");
    __asm__ volatile(".global bkpt_site\nbkpt_site: nop" : : : "memory");
    watched = 0x5a;
    uart_puts("EL1: watched=");
    uart_hex(watched, 1);
    uart_puts("\n");
    uint64_t mdscr = read_sysreg(mdscr_el1);
    uint64_t oslsr = read_sysreg(oslsr_el1);
    uart_puts("EL1: MDSCR_EL1 read as ");
    uart_hex(mdscr, 1);
    uart_puts(", OSLSR_EL1 read as ");
    uart_hex(oslsr, 1);
    uart_puts("\n");
    __asm__ volatile("svc #5" : : : "memory");
    __asm__ volatile("hvc %0\n\tadd x9, x9, #1\n\tnop" : : "i"(HVC_STEP_NEXT) : "x9", "memory");
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
}

/* EL1's own exceptions (VBAR_EL1, installed by boot/start.S): the SVC. */
void exception_dispatch(uint64_t slot, frame *f)
{
    uint64_t esr = read_sysreg(esr_el1);
    uart_puts("  [EL");
    uart_dec(current_el());
    uart_puts(" slot ");
    uart_dec(slot);
    uart_puts("]");
    show(" EL1 handler", esr, f->elr, f->spsr);
    uart_puts("\n");
    if ((esr >> ESR_EC_SHIFT & ESR_EC_MASK) != EC_SVC64) {
        uart_puts("unexpected at EL1: stopping\n");
        psci_smc(PSCI_SYSTEM_OFF);
    }
}

/* A trapped MRS of a debug register: EL2 reads the register for EL1 and steps over the MRS. */
static void emulate_debug_read(uint64_t esr, frame *f)
{
    unsigned rt = (unsigned)(esr >> ISS_SYSREG_RT_SHIFT & ISS_SYSREG_RT_MASK);
    unsigned crn = (unsigned)(esr >> ISS_SYSREG_CRN_SHIFT & ISS_SYSREG_CRN_MASK);
    if (!(esr & ISS_SYSREG_READ) || rt == 31) {
        uart_puts("unexpected trapped access: stopping\n");
        psci_smc(PSCI_SYSTEM_OFF);
    }
    /* The two the firmware reads: MDSCR_EL1 (CRn 0) and OSLSR_EL1 (CRn 1). */
    f->x[rt] = crn == 0 ? read_sysreg(mdscr_el1) : read_sysreg(oslsr_el1);
    uart_puts(", EL2 answers for it");
    f->elr += INSN_BYTES;
}

/* What EL2 takes from EL1: the debug exceptions and register traps TDE routes here, and HVC. */
void exception_dispatch_el2(uint64_t slot, frame *f)
{
    percpu_state.el2_entries++;
    uint64_t esr = read_sysreg(esr_el2);
    unsigned ec = (unsigned)(esr >> ESR_EC_SHIFT & ESR_EC_MASK);
    uart_puts("  [EL");
    uart_dec(current_el());
    uart_puts(" slot ");
    uart_dec(slot);
    uart_puts("]");
    show(" EL2 handler", esr, f->elr, f->spsr);
    switch (ec) {
    case EC_BREAKPT_LOWER:
        write_sysreg(dbgbcr0_el1, 0);   /* disarm, and return to the instruction */
        uart_puts(", breakpoint disarmed");
        break;
    case EC_WATCHPT_LOWER:
        uart_field("FAR", read_sysreg(far_el2), 1);
        write_sysreg(dbgwcr0_el1, 0);   /* disarm, and let the store happen */
        uart_puts(", watchpoint disarmed");
        break;
    case EC_SYSREG:
        emulate_debug_read(esr, f);
        break;
    case EC_HVC64:
        if ((esr & ESR_ISS_MASK) == HVC_STEP_NEXT) {
            write_sysreg(mdscr_el1, MDSCR_EL1_MDE | MDSCR_EL1_SS);
            f->spsr |= SPSR_SS;
            uart_puts(", stepping EL1's next instruction");
        } else if ((esr & ESR_ISS_MASK) == HVC_POWER_OFF) {
            uart_puts("\n");
            uart_puts(percpu_state.el2_entries == EXPECTED_EL2_ENTRIES ? "seven EL2 entries" : "EL2 entries missing");
            uart_puts(". PSCI SYSTEM_OFF over SMC\n");
            psci_smc(PSCI_SYSTEM_OFF);
        }
        break;
    case EC_SOFTSTP_LOWER:
        write_sysreg(mdscr_el1, MDSCR_EL1_MDE);
        uart_puts(", stepping off");
        break;
    default:
        uart_puts("\nunexpected: stopping\n");
        psci_smc(PSCI_SYSTEM_OFF);
    }
    uart_puts("\n");
}
