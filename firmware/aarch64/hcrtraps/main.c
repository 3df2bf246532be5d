/*
 * The HCR_EL2 trap firmware: HCR_EL2's register, cache and TLB trap controls
 * (Arm ARM DDI 0487, HCR_EL2 in D17.2, and the accessibility pseudocode of
 * each register and instruction), on virt with virtualization=on, where
 * QEMU's -kernel and `emu --el 2` enter at EL2.
 *
 * EL2 installs its vector table and ERETs to EL1. Before each group of
 * accesses EL1 asks EL2, over HVC, to set one control (EL2 prints HCR_EL2 as
 * it reads back); EL1 then makes an access the control traps and one it does
 * not. EL2's handler prints EC, ISS and ELR of every trap, answers a trapped
 * MRS with a marker value in the saved Rt, and steps over the instruction.
 * An access that is UNDEFINED is taken by EL1 itself, which prints it and
 * steps over it. The output is compared between QEMU and emu
 * (tests/firmware/aarch64/).
 */
#include <stdint.h>

#include "boot/frame.h"
#include "lib/psci.h"
#include "lib/sysreg.h"
#include "lib/uart.h"

typedef struct percpu {
    unsigned el2_traps;
} percpu;

percpu percpu_state;

int main(void);
void el1_main(void) __attribute__((noreturn));

extern uint8_t vectors_el2[];

#define HCR_EL2_TID0 (1ull << 15)
#define HCR_EL2_TID1 (1ull << 16)
#define HCR_EL2_TID2 (1ull << 17)
#define HCR_EL2_TID3 (1ull << 18)
#define HCR_EL2_TIDCP (1ull << 20)
#define HCR_EL2_TACR (1ull << 21)
#define HCR_EL2_TSW (1ull << 22)
#define HCR_EL2_TPC (1ull << 23)
#define HCR_EL2_TPU (1ull << 24)
#define HCR_EL2_TTLB (1ull << 25)
#define HCR_EL2_TVM (1ull << 26)
#define HCR_EL2_TDZ (1ull << 28)
#define HCR_EL2_TRVM (1ull << 30)
#define HCR_EL2_RW (1ull << 31)
#define SPSR_EL1H_MASKED 0x3c5ull       /* D, A, I, F masked; M = EL1h */

#define ESR_EC_SHIFT 26
#define ESR_EC_MASK 0x3fu
#define ESR_ISS_MASK 0x1ffffffu
#define EC_UNKNOWN 0x00
#define EC_HVC64 0x16
#define EC_SYSREG 0x18
#define ISS_SYSREG_READ 1u
#define ISS_SYSREG_RT_SHIFT 5
#define ISS_SYSREG_RT_MASK 0x1fu
#define RT_XZR 31u
#define HVC_SET_CONTROLS 1u     /* X0: the HCR_EL2 trap controls to set, beside RW */
#define HVC_POWER_OFF 2u
#define INSN_BYTES 4
#define TRAPPED_READ_MARKER 0x5eedull   /* what EL2 answers for a trapped MRS */
#define EXPECTED_EL2_TRAPS 21u

#define EL1_STACK_BYTES 4096
static uint8_t el1_stack[EL1_STACK_BYTES] __attribute__((aligned(16)));

/* A line for the cache maintenance by VA to name. */
static volatile uint64_t cache_line[8] __attribute__((aligned(64)));

int main(void)
{
    uart_puts("ringside hcrtraps: entered at EL");
    uart_dec(current_el());
    uart_puts("\n");
    write_sysreg(vbar_el2, (uint64_t)(uintptr_t)vectors_el2);
    write_sysreg(hcr_el2, HCR_EL2_RW);
    write_sysreg(sp_el1, (uint64_t)(uintptr_t)(el1_stack + EL1_STACK_BYTES));
    write_sysreg(spsr_el2, SPSR_EL1H_MASKED);
    write_sysreg(elr_el2, (uint64_t)(uintptr_t)el1_main);
    isb();
    uart_puts("ERET to EL1\n");
    __asm__ volatile("eret");
    __builtin_unreachable();
}

/* EL1 asks EL2 to set HCR_EL2 to RW and `controls`. */
static void set_controls(const char *name, uint64_t controls)
{
    uart_puts("EL1: ");
    uart_puts(name);
    register uint64_t x0 __asm__("x0") = controls;
    __asm__ volatile("hvc %1" : "+r"(x0) : "i"(HVC_SET_CONTROLS) : "memory");
}

static void show_read(const char *name, uint64_t v)
{
    uart_puts("EL1: ");
    uart_puts(name);
    uart_puts(" read as ");
    uart_hex(v, 1);
    uart_puts("\n");
}

static void identification_traps(void)
{
    set_controls("TID1", HCR_EL2_TID1);
    show_read("REVIDR_EL1", read_sysreg(revidr_el1));
    show_read("AIDR_EL1", read_sysreg(aidr_el1));
    (void)read_sysreg(midr_el1);                /* not a TID1 register */

    set_controls("TID2", HCR_EL2_TID2);
    show_read("CTR_EL0", read_sysreg(ctr_el0));
    show_read("CLIDR_EL1", read_sysreg(clidr_el1));
    write_sysreg(csselr_el1, 0);
    (void)read_sysreg(revidr_el1);              /* TID1 is clear again */

    set_controls("TID3", HCR_EL2_TID3);
    show_read("ID_AA64MMFR0_EL1", read_sysreg(id_aa64mmfr0_el1));
    show_read("reserved S3_0_C0_C3_7", read_sysreg(s3_0_c0_c3_7));
    (void)read_sysreg(ctr_el0);                 /* TID2 is clear again */

    set_controls("TID0 (AArch32 only)", HCR_EL2_TID0);
    (void)read_sysreg(id_aa64pfr0_el1);
}

static void control_register_traps(void)
{
    set_controls("TIDCP", HCR_EL2_TIDCP);
    /* Neither exists here: TIDCP traps them all the same (their values are not printed, as an
     * UNDEFINED MRS leaves its Rt as it was). */
    (void)read_sysreg(s3_0_c15_c0_0);
    __asm__ volatile("sys #0, c15, c0, #0, x1" : : : "memory");

    set_controls("TACR", HCR_EL2_TACR);
    show_read("ACTLR_EL1", read_sysreg(actlr_el1));
    write_sysreg(actlr_el1, 0);

    set_controls("TVM", HCR_EL2_TVM);
    uint64_t sctlr = read_sysreg(sctlr_el1);    /* TVM traps writes only */
    write_sysreg(sctlr_el1, sctlr);
    write_sysreg(contextidr_el1, 0);

    set_controls("TRVM", HCR_EL2_TRVM);
    show_read("TTBR0_EL1", read_sysreg(ttbr0_el1));
    show_read("ESR_EL1", read_sysreg(esr_el1));
    write_sysreg(far_el1, 0);                   /* TRVM traps reads only */
}

static void cache_and_tlb_traps(void)
{
    uint64_t line = (uint64_t)(uintptr_t)cache_line;

    set_controls("TSW", HCR_EL2_TSW);
    __asm__ volatile("dc cisw, xzr" : : : "memory");
    __asm__ volatile("dc cvac, %0" : : "r"(line) : "memory");

    set_controls("TPC", HCR_EL2_TPC);
    __asm__ volatile("dc civac, %0" : : "r"(line) : "memory");
    __asm__ volatile("dc cvau, %0" : : "r"(line) : "memory");

    set_controls("TPU", HCR_EL2_TPU);
    __asm__ volatile("ic iallu" : : : "memory");
    __asm__ volatile("dc cvau, %0" : : "r"(line) : "memory");
    __asm__ volatile("dc isw, xzr" : : : "memory");

    set_controls("TTLB", HCR_EL2_TTLB);
    __asm__ volatile("tlbi vmalle1" : : : "memory");
    __asm__ volatile("ic ialluis" : : : "memory");

    set_controls("TDZ", HCR_EL2_TDZ);
    show_read("DCZID_EL0", read_sysreg(dczid_el0));
    cache_line[0] = 1;
    __asm__ volatile("dc zva, %0" : : "r"(line) : "memory");
    show_read("the line after the trapped DC ZVA", cache_line[0]);

    /* No DC ZVA untrapped: with EL1's MMU off the line is Device memory, where DC ZVA takes an
     * Alignment fault (emu) and QEMU zeroes it; tests/firmware/aarch64/README.md. */
    set_controls("nothing", 0);
    show_read("DCZID_EL0", read_sysreg(dczid_el0));
    (void)read_sysreg(s3_0_c15_c0_0);          /* UNDEFINED, to EL1 */
}

void el1_main(void)
{
    uart_puts("at EL");
    uart_dec(current_el());
    uart_puts("\n");
    identification_traps();
    control_register_traps();
    cache_and_tlb_traps();
    __asm__ volatile("hvc %0" : : "i"(HVC_POWER_OFF) : "memory");
    uart_puts("not reached: EL2 powers off\n");
    for (;;)
        __asm__ volatile("wfi");
}

static void show(const char *where, uint64_t esr, uint64_t elr)
{
    uart_puts(where);
    uart_puts(": EC=");
    uart_hex(esr >> ESR_EC_SHIFT & ESR_EC_MASK, 2);
    uart_field("ISS", esr & ESR_ISS_MASK, 1);
    uart_field("ELR", elr, 1);
}

/* EL1's own exceptions (VBAR_EL1, installed by boot/start.S): an UNDEFINED access, stepped over. */
void exception_dispatch(uint64_t slot, frame *f)
{
    uint64_t esr = read_sysreg(esr_el1);
    uart_puts("  [EL");
    uart_dec(current_el());
    uart_puts(" slot ");
    uart_dec(slot);
    uart_puts("]");
    show(" EL1 handler", esr, f->elr);
    uart_puts("\n");
    if ((esr >> ESR_EC_SHIFT & ESR_EC_MASK) != EC_UNKNOWN) {
        uart_puts("unexpected at EL1: stopping\n");
        psci_smc(PSCI_SYSTEM_OFF);
    }
    f->elr += INSN_BYTES;
}

/* A trapped access: a read gets the marker in its Rt; either way EL2 steps over the instruction. */
static void emulate_trapped_access(uint64_t esr, frame *f)
{
    unsigned rt = (unsigned)(esr >> ISS_SYSREG_RT_SHIFT & ISS_SYSREG_RT_MASK);
    if ((esr & ISS_SYSREG_READ) && rt != RT_XZR)
        f->x[rt] = TRAPPED_READ_MARKER;
    f->elr += INSN_BYTES;
}

/* What EL2 takes from EL1: the trapped accesses, and the HVCs that set the controls and power off. */
void exception_dispatch_el2(uint64_t slot, frame *f)
{
    uint64_t esr = read_sysreg(esr_el2);
    unsigned ec = (unsigned)(esr >> ESR_EC_SHIFT & ESR_EC_MASK);
    if (ec == EC_HVC64 && (esr & ESR_ISS_MASK) == HVC_SET_CONTROLS) {
        write_sysreg(hcr_el2, HCR_EL2_RW | f->x[0]);
        isb();
        uart_field("HCR_EL2", read_sysreg(hcr_el2), 1);
        uart_puts("\n");
        return;
    }
    if (ec == EC_HVC64 && (esr & ESR_ISS_MASK) == HVC_POWER_OFF) {
        uart_puts(percpu_state.el2_traps == EXPECTED_EL2_TRAPS ? "all traps taken" : "traps missing or extra");
        uart_puts(". PSCI SYSTEM_OFF over SMC\n");
        psci_smc(PSCI_SYSTEM_OFF);
    }
    percpu_state.el2_traps++;
    uart_puts("  [EL");
    uart_dec(current_el());
    uart_puts(" slot ");
    uart_dec(slot);
    uart_puts("]");
    show(" EL2 handler", esr, f->elr);
    uart_puts("\n");
    if (ec != EC_SYSREG) {
        uart_puts("unexpected: stopping\n");
        psci_smc(PSCI_SYSTEM_OFF);
    }
    emulate_trapped_access(esr, f);
}
