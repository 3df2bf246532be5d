/*
 * The GICv3 firmware: interrupts on virt with gic-version=3 (ARM IHI 0069).
 * EL1 enables the system register CPU interface (ICC_SRE_EL1), the
 * distributor with affinity routing, wakes its redistributor (GICR_WAKER),
 * puts SGI 1 and the EL1 physical timer's PPI 30 in Group 1 and enables them,
 * then sends itself SGI 1 through ICC_SGI1R_EL1 and takes the timer's
 * interrupt. Each IRQ is acknowledged through ICC_IAR1_EL1 and ended
 * through ICC_EOIR1_EL1; the handler prints the INTID, the running priority
 * and ELR. Run with `qemu-system-aarch64 -M virt,gic-version=3` and
 * `emu --gic 3`; the output is compared (tests/firmware/aarch64/).
 */
#include <stdint.h>

#include "boot/frame.h"
#include "lib/psci.h"
#include "lib/sysreg.h"
#include "lib/uart.h"

typedef struct percpu {
    uint64_t exceptions;
    uint64_t irqs;
} percpu;

percpu percpu_state;

int main(void);

#define GICD_BASE 0x08000000ull
#define GICR_BASE 0x080a0000ull         /* the first redistributor: RD_base, then SGI_base */
#define GICR_SGI_BASE (GICR_BASE + 0x10000)

#define GICD_CTLR 0x0
#define GICD_TYPER 0x4
#define GICD_CTLR_ENABLE_GRP1 (1u << 1)
#define GICD_CTLR_ARE (1u << 4)
#define GICD_CTLR_RWP (1u << 31)
#define GICR_WAKER 0x14
#define GICR_WAKER_PROCESSOR_SLEEP (1u << 1)
#define GICR_WAKER_CHILDREN_ASLEEP (1u << 2)
#define GICR_IGROUPR0 0x80
#define GICR_ISENABLER0 0x100
#define GICR_IPRIORITYR(n) (0x400 + (n))

#define ICC_SRE_SRE 1ull
#define ICC_IGRPEN1_ENABLE 1ull
#define ICC_SGI1R_INTID_SHIFT 24
#define ICC_SGI1R_TARGET_CPU0 1ull      /* TargetList bit 0: Aff0 = 0, this CPU (MPIDR 0) */
#define GIC_INTID_MASK 0xffffffull

#define PFR0_GIC_SHIFT 24
#define PFR0_FIELD_MASK 0xfull
#define ISR_I (1ull << 7)

#define SGI_SELF 1u
#define INTID_TIMER_NS_EL1 30u
#define PRIORITY_SGI 0x80u
#define PRIORITY_TIMER 0xa0u
#define PRIORITY_MASK_ALL 0xffu

#define CNT_CTL_ENABLE 1ull
#define CNT_CTL_IMASK 2ull
#define CNT_CTL_ISTATUS 4ull
#define TIMER_TICKS 1000u

/* The GICv3 CPU interface registers by encoding: the assembler of the cross toolchain may not
 * know their names. */
#define ICC_SRE_EL1 "S3_0_C12_C12_5"
#define ICC_PMR_EL1 "S3_0_C4_C6_0"
#define ICC_IGRPEN1_EL1 "S3_0_C12_C12_7"
#define ICC_SGI1R_EL1 "S3_0_C12_C11_5"
#define ICC_IAR1_EL1 "S3_0_C12_C12_0"
#define ICC_EOIR1_EL1 "S3_0_C12_C12_1"
#define ICC_HPPIR1_EL1 "S3_0_C12_C12_2"
#define ICC_RPR_EL1 "S3_0_C12_C11_3"
#define read_icc(enc) ({ uint64_t v_; __asm__ volatile("mrs %0, " enc : "=r"(v_)); v_; })
#define write_icc(enc, v) __asm__ volatile("msr " enc ", %0" : : "r"((uint64_t)(v)) : "memory")

static void field(const char *name, uint64_t v)
{
    uart_puts(" ");
    uart_puts(name);
    uart_puts("=");
    uart_hex(v, 1);
}

static void set_priority(unsigned intid, uint8_t priority)
{
    *(volatile uint8_t *)(GICR_SGI_BASE + GICR_IPRIORITYR(intid)) = priority;
}

int main(void)
{
    uart_puts("ringside gicv3: SGI and timer PPI through the GICv3 system register interface\n");
    uart_puts("ID_AA64PFR0_EL1.GIC=");
    uart_dec(read_sysreg(id_aa64pfr0_el1) >> PFR0_GIC_SHIFT & PFR0_FIELD_MASK);
    write_icc(ICC_SRE_EL1, read_icc(ICC_SRE_EL1) | ICC_SRE_SRE);
    isb();
    field("ICC_SRE_EL1", read_icc(ICC_SRE_EL1));
    uart_puts("\n");

    mmio_write32(GICD_BASE + GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_ENABLE_GRP1);
    while (mmio_read32(GICD_BASE + GICD_CTLR) & GICD_CTLR_RWP)
        ;
    mmio_write32(GICR_BASE + GICR_WAKER, mmio_read32(GICR_BASE + GICR_WAKER) & ~GICR_WAKER_PROCESSOR_SLEEP);
    while (mmio_read32(GICR_BASE + GICR_WAKER) & GICR_WAKER_CHILDREN_ASLEEP)
        ;
    uart_puts("GICD_CTLR");
    uart_puts("=");
    uart_hex(mmio_read32(GICD_BASE + GICD_CTLR), 1);
    field("GICR_WAKER", mmio_read32(GICR_BASE + GICR_WAKER));
    uart_puts("\n");

    mmio_write32(GICR_SGI_BASE + GICR_IGROUPR0, (1u << SGI_SELF) | (1u << INTID_TIMER_NS_EL1));
    set_priority(SGI_SELF, PRIORITY_SGI);
    set_priority(INTID_TIMER_NS_EL1, PRIORITY_TIMER);
    mmio_write32(GICR_SGI_BASE + GICR_ISENABLER0, (1u << SGI_SELF) | (1u << INTID_TIMER_NS_EL1));
    write_icc(ICC_PMR_EL1, PRIORITY_MASK_ALL);
    write_icc(ICC_IGRPEN1_EL1, ICC_IGRPEN1_ENABLE);
    isb();
    uart_puts("GICR_ISENABLER0=");
    uart_hex(mmio_read32(GICR_SGI_BASE + GICR_ISENABLER0), 1);
    field("ICC_PMR_EL1", read_icc(ICC_PMR_EL1));
    field("ICC_RPR_EL1", read_icc(ICC_RPR_EL1));
    uart_puts("\n");

    /* SGI 1 to this CPU, IRQs still masked: pending, the highest priority pending, seen by ISR_EL1. */
    write_icc(ICC_SGI1R_EL1, ((uint64_t)SGI_SELF << ICC_SGI1R_INTID_SHIFT) | ICC_SGI1R_TARGET_CPU0);
    isb();
    uart_puts("after ICC_SGI1R_EL1:");
    field("ICC_HPPIR1_EL1", read_icc(ICC_HPPIR1_EL1));
    field("ISR_EL1", read_sysreg(isr_el1));
    uart_puts("\n");
    __asm__ volatile("msr daifclr, #2\n\tisb\n\tmsr daifset, #2" : : : "memory");

    /* The timer: wait with IRQs masked until it fires (QEMU's timer runs on host time), then unmask. */
    write_sysreg(cntp_tval_el0, TIMER_TICKS);
    write_sysreg(cntp_ctl_el0, CNT_CTL_ENABLE);
    isb();
    while (!(read_sysreg(cntp_ctl_el0) & CNT_CTL_ISTATUS))
        __asm__ volatile("wfi");
    uart_puts("timer fired:");
    field("ICC_HPPIR1_EL1", read_icc(ICC_HPPIR1_EL1));
    field("ISR_EL1", read_sysreg(isr_el1));
    uart_puts("\n");
    __asm__ volatile("msr daifclr, #2\n\tisb\n\tmsr daifset, #2" : : : "memory");

    uart_puts(percpu_state.irqs == 2 ? "two IRQs taken" : "IRQs missing");
    field("ICC_RPR_EL1", read_icc(ICC_RPR_EL1));
    field("ICC_HPPIR1_EL1", read_icc(ICC_HPPIR1_EL1));
    uart_puts(". PSCI SYSTEM_OFF\n");
    psci_system_off();
}

#define SLOT_EL1H_IRQ 5

static void irq(frame *f)
{
    uint64_t iar = read_icc(ICC_IAR1_EL1);
    percpu_state.irqs++;
    uart_puts("  IRQ: ICC_IAR1_EL1 INTID=");
    uart_dec(iar & GIC_INTID_MASK);
    field("ICC_RPR_EL1", read_icc(ICC_RPR_EL1));
    field("ELR", f->elr);
    uart_puts("\n");
    if ((iar & GIC_INTID_MASK) == INTID_TIMER_NS_EL1) {
        write_sysreg(cntp_ctl_el0, CNT_CTL_ENABLE | CNT_CTL_IMASK);   /* drop the PPI before the EOI */
        isb();
    }
    write_icc(ICC_EOIR1_EL1, iar);
    isb();
}

void exception_dispatch(uint64_t slot, frame *f)
{
    percpu_state.exceptions++;
    if (slot == SLOT_EL1H_IRQ) {
        irq(f);
        return;
    }
    uart_puts("unexpected exception, vector slot ");
    uart_dec(slot);
    field("ESR_EL1", read_sysreg(esr_el1));
    field("ELR", f->elr);
    uart_puts("\n");
    psci_system_off();
}
