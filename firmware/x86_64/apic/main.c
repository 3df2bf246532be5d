/*
 * apic: the interrupt-controller lesson. In xAPIC mode (the page at
 * 0xfee00000): periodic timer interrupts acknowledged by an MMIO EOI,
 * self-IPIs at three priority classes showing nesting and TPR masking, an
 * NMI sent through the ICR, and device interrupts raised with pc-testdev's
 * ISA IRQ ports, once through the 8259 (LINT0 in ExtINT mode) and once
 * through the I/O APIC, edge and level. Then, where CPUID advertises
 * x2APIC: the same timer and nesting with WRMSR to the EOI and SELF IPI
 * MSRs, and TSC-deadline mode where advertised. Every line is what the
 * handlers observed; README.md gives the expected output and why.
 */
#include "apic/apic.h"
#include "boot/boot.h"
#include "lib/exit.h"
#include "lib/io.h"
#include "lib/serial.h"
#include "entry/frame.h"
#include "entry/gdt.h"
#include "entry/idt.h"
#include "lib/x86.h"

#define VEC_TIMER     0x30
#define VEC_LOW       0x45      /* class 4 */
#define VEC_MID       0x40      /* class 4: its handler sends VEC_HIGH and VEC_LOW */
#define VEC_MASKED_A  0x55      /* class 5: held by TPR 0x50 */
#define VEC_HIGH      0x80      /* class 8: nests inside class 4 */
#define VEC_PIC_BASE  0x20      /* the 8259 master's IR0 after our ICW2 */
#define VEC_PIC_IRQ5  (VEC_PIC_BASE + 5)
#define VEC_IOAPIC_EDGE  0x5a
#define VEC_IOAPIC_LEVEL 0x5b
#define VEC_SPURIOUS  0xff

#define PIC_MASTER_CMD 0x20
#define PIC_MASTER_DATA 0x21
#define PIC_SLAVE_CMD  0xa0
#define PIC_SLAVE_DATA 0xa1
#define PIC_EOI        0x20
#define TESTDEV_IRQ(n) ((uint16_t)(0x2000 + (n)))
#define IOAPIC_BASE    0xfec00000ul
#define IOAPIC_REDIR(pin) (0x10u + 2u * (pin))
#define IOAPIC_LEVEL   (1u << 15)
#define IOAPIC_REMOTE_IRR (1u << 14)
#define IOAPIC_MASKED  (1u << 16)

#define TIMER_TICKS    3
#define SPIN_LIMIT     1000000u  /* waits for a delivery end as soon as it happens: QEMU's TCG takes a while */
#define HOLD_SPINS     1000u     /* how long a held request is watched not being delivered */
#define LOG_MAX        16

static volatile unsigned depth, ticks, nmis, spurious;
static volatile unsigned log_n;
static volatile uint8_t log_vec[LOG_MAX], log_depth[LOG_MAX];
static volatile bool low_waited, high_seen;
static volatile uint32_t level_redir_in_handler;

static void ioapic_write(unsigned index, uint32_t value)
{
    *(volatile uint32_t *)IOAPIC_BASE = index;
    *(volatile uint32_t *)(IOAPIC_BASE + 0x10) = value;
}

static uint32_t ioapic_read(unsigned index)
{
    *(volatile uint32_t *)IOAPIC_BASE = index;
    return *(volatile uint32_t *)(IOAPIC_BASE + 0x10);
}

static void note(uint8_t vector)
{
    if (log_n < LOG_MAX) {
        log_vec[log_n] = vector;
        log_depth[log_n] = (uint8_t)depth;
        log_n++;
    }
}

static void spin_until(volatile bool *flag)
{
    for (unsigned i = 0; i < SPIN_LIMIT && !*flag; i++)
        __asm__ volatile("pause");
}

static void fail(const char *why)
{
    serial_puts("FAILED: ");
    serial_puts(why);
    serial_putc('\n');
    debug_exit(DEBUG_EXIT_FAILURE);
}

/* Class 4's handler: a class-8 IPI nests at once; another class-4 IPI waits for this EOI (11.8.3). */
static void mid_handler(void)
{
    __asm__ volatile("sti");
    apic_self_ipi(VEC_HIGH);
    spin_until(&high_seen);
    apic_self_ipi(VEC_LOW);
    for (unsigned i = 0; i < HOLD_SPINS; i++)
        __asm__ volatile("pause");
    low_waited = apic_irr_has(VEC_LOW);
    __asm__ volatile("cli");
    apic_eoi();
}

void trap_dispatch(struct trap_frame *frame)
{
    uint8_t vector = (uint8_t)frame->vector;
    depth++;
    switch (vector) {
    case VEC_TIMER:
        /*
         * The periodic timer stops here, at the last tick counted (IF = 0): under QEMU, whose
         * APIC timer follows host time, a busy host can deliver a late tick between the waiting
         * loop's wake-up and its CLI, and the count would vary from run to run.
         */
        if (ticks < TIMER_TICKS && ++ticks == TIMER_TICKS)
            apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | VEC_TIMER);
        apic_eoi();
        break;
    case X86_VEC_NMI:
        nmis++;
        break;
    case VEC_MID:
        note(vector);
        mid_handler();
        break;
    case VEC_HIGH:
        high_seen = true;
        note(vector);
        apic_eoi();
        break;
    case VEC_LOW:
    case VEC_MASKED_A:
    case VEC_IOAPIC_EDGE:
        note(vector);
        apic_eoi();
        break;
    case VEC_IOAPIC_LEVEL:
        note(vector);
        level_redir_in_handler = ioapic_read(IOAPIC_REDIR(11));
        outb(TESTDEV_IRQ(11), 0);       /* the device stops asserting before the EOI */
        apic_eoi();
        break;
    case VEC_PIC_IRQ5:
        note(vector);
        outb(PIC_MASTER_CMD, PIC_EOI);  /* ExtINT: no ISR bit in the local APIC, the 8259 wants the EOI */
        break;
    case VEC_SPURIOUS:
        spurious++;                     /* no EOI for the spurious vector (11.9) */
        break;
    default:
        serial_puts("unexpected vector ");
        serial_put_hex(vector);
        serial_puts(" at rip ");
        serial_put_hex(frame->rip);
        serial_putc('\n');
        debug_exit(DEBUG_EXIT_FAILURE);
    }
    depth--;
}

/*
 * Called with IF = 0 after a check of what the handler counts: STI's one-instruction shadow holds
 * the interrupt off until HLT is waiting (SDM vol. 3, 6.8.3), so it cannot land between the check
 * and the HLT and leave the HLT waiting for one more. Returns with IF = 0.
 */
static void wait_for_interrupt(void)
{
    __asm__ volatile("sti; hlt; cli" ::: "memory");
}

static void print_log(const char *what)
{
    serial_puts(what);
    for (unsigned i = 0; i < log_n; i++) {
        serial_putc(' ');
        serial_put_hex(log_vec[i]);
        serial_putc('/');
        serial_put_u64(log_depth[i]);
    }
    serial_putc('\n');
    log_n = 0;
}

static void timer_lesson(const char *eoi_how)
{
    ticks = 0;
    apic_write(APIC_TIMER_DIVIDE, APIC_DIVIDE_16);
    apic_write(APIC_LVT_TIMER, APIC_TIMER_PERIODIC | VEC_TIMER);
    apic_write(APIC_TIMER_INITIAL, 20000);
    while (ticks < TIMER_TICKS)
        wait_for_interrupt();
    apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | VEC_TIMER);
    apic_write(APIC_TIMER_INITIAL, 0);
    serial_puts("  periodic timer: ");
    serial_put_u64(ticks);
    serial_puts(" interrupts at vector 0x30, EOI by ");
    serial_puts(eoi_how);
    serial_puts(", current count after stop ");
    serial_put_u64(apic_read(APIC_TIMER_CURRENT));
    serial_putc('\n');
}

static void nesting_lesson(void)
{
    high_seen = low_waited = false;
    apic_self_ipi(VEC_MID);
    __asm__ volatile("sti; nop; nop; cli");
    print_log("  self-IPIs (vector/depth):");
    serial_puts(low_waited ? "  0x45 waited in IRR while 0x40 was in service\n"
                           : "  0x45 did not wait for 0x40's EOI\n");

    apic_write(APIC_TPR, 0x50);
    apic_self_ipi(VEC_LOW);
    apic_self_ipi(VEC_MASKED_A);
    __asm__ volatile("sti");
    for (unsigned i = 0; i < HOLD_SPINS; i++)
        __asm__ volatile("pause");
    serial_puts("  TPR 0x50: PPR ");
    serial_put_hex(apic_read(APIC_PPR));
    serial_puts(", held in IRR:");
    serial_puts(apic_irr_has(VEC_LOW) ? " 0x45" : "");
    serial_puts(apic_irr_has(VEC_MASKED_A) ? " 0x55" : "");
    serial_puts(log_n ? ", delivered early\n" : ", none delivered\n");
    apic_write(APIC_TPR, 0);
    for (unsigned i = 0; i < SPIN_LIMIT && log_n < 2; i++)
        __asm__ volatile("pause");
    __asm__ volatile("cli");
    print_log("  TPR 0: delivered");
}

static void nmi_lesson(void)
{
    nmis = 0;
    if (apic_x2)
        wrmsr(X2APIC_MSR(APIC_ICR), APIC_SHORTHAND_SELF | APIC_DELMODE_NMI);
    else
        apic_write(APIC_ICR, APIC_SHORTHAND_SELF | APIC_DELMODE_NMI);
    for (unsigned i = 0; i < SPIN_LIMIT && !nmis; i++)
        __asm__ volatile("pause");
    serial_puts("  NMI through the ICR: ");
    serial_put_u64(nmis);
    serial_puts(" taken with IF=0\n");
}

static void pic_lesson(void)
{
    /* ICW1-ICW4 for both chips, then mask everything but IRQ5 (the PIT's IRQ0 stays masked). */
    outb(PIC_MASTER_CMD, 0x11); outb(PIC_MASTER_DATA, VEC_PIC_BASE); outb(PIC_MASTER_DATA, 0x04);
    outb(PIC_MASTER_DATA, 0x01);
    outb(PIC_SLAVE_CMD, 0x11); outb(PIC_SLAVE_DATA, VEC_PIC_BASE + 8); outb(PIC_SLAVE_DATA, 0x02);
    outb(PIC_SLAVE_DATA, 0x01);
    outb(PIC_MASTER_DATA, (uint8_t)~(1u << 5));
    outb(PIC_SLAVE_DATA, 0xff);
    apic_write(APIC_LVT_LINT0, APIC_DELMODE_EXTINT);
    outb(TESTDEV_IRQ(5), 1);
    outb(TESTDEV_IRQ(5), 0);
    __asm__ volatile("sti");
    for (unsigned i = 0; i < SPIN_LIMIT && !log_n; i++)
        __asm__ volatile("pause");
    __asm__ volatile("cli");
    apic_write(APIC_LVT_LINT0, APIC_LVT_MASKED | APIC_DELMODE_EXTINT);
    outb(PIC_MASTER_DATA, 0xff);
    print_log("  8259 IRQ5 through LINT0 (ExtINT):");
}

static void ioapic_lesson(void)
{
    serial_puts("  I/O APIC version ");
    serial_put_hex(ioapic_read(0x01));
    serial_putc('\n');
    ioapic_write(IOAPIC_REDIR(10) + 1, 0);
    ioapic_write(IOAPIC_REDIR(10), VEC_IOAPIC_EDGE);
    ioapic_write(IOAPIC_REDIR(11) + 1, 0);
    ioapic_write(IOAPIC_REDIR(11), IOAPIC_LEVEL | VEC_IOAPIC_LEVEL);
    outb(TESTDEV_IRQ(10), 1);
    outb(TESTDEV_IRQ(10), 0);
    outb(TESTDEV_IRQ(11), 1);
    __asm__ volatile("sti");
    for (unsigned i = 0; i < SPIN_LIMIT && log_n < 2; i++)
        __asm__ volatile("pause");
    __asm__ volatile("cli");
    print_log("  pin 10 (edge) and pin 11 (level):");
    serial_puts("  pin 11 remote IRR in the handler ");
    serial_put_u64((level_redir_in_handler & IOAPIC_REMOTE_IRR) != 0);
    serial_puts(", after the EOI ");
    serial_put_u64((ioapic_read(IOAPIC_REDIR(11)) & IOAPIC_REMOTE_IRR) != 0);
    serial_putc('\n');
    ioapic_write(IOAPIC_REDIR(10), IOAPIC_MASKED);
    ioapic_write(IOAPIC_REDIR(11), IOAPIC_MASKED);
}

static void enable_apic(void)
{
    apic_write(APIC_SVR, APIC_SVR_ENABLE | VEC_SPURIOUS);
    apic_write(APIC_LVT_LINT0, APIC_LVT_MASKED);
    apic_write(APIC_LVT_LINT1, APIC_LVT_MASKED);
    apic_write(APIC_LVT_ERROR, APIC_LVT_MASKED);
    apic_write(APIC_TPR, 0);
}

static void cpuid1(uint32_t *ecx)
{
    uint32_t a = 1, b, c = 0, d;
    __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    *ecx = c;
}

#define CPUID1_ECX_X2APIC (1u << 21)
#define CPUID1_ECX_TSC_DEADLINE (1u << 24)

static uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

static void deadline_lesson(void)
{
    ticks = 0;
    apic_write(APIC_LVT_TIMER, APIC_TIMER_DEADLINE | VEC_TIMER);
    wrmsr(MSR_TSC_DEADLINE, rdtsc() + 100000);
    while (!ticks)
        wait_for_interrupt();
    serial_puts("  TSC-deadline: ");
    serial_put_u64(ticks);
    serial_puts(" interrupt, IA32_TSC_DEADLINE then reads ");
    serial_put_u64(rdmsr(MSR_TSC_DEADLINE));
    serial_putc('\n');
}

void kmain(uint32_t magic, uint32_t info_addr)
{
    (void)magic;
    (void)info_addr;
    serial_init();
    serial_puts("ringside apic: local APIC, I/O APIC and 8259 delivery\n");
    gdt_init();
    idt_init();
    map_high_io();

    apic_x2 = false;
    serial_puts("xAPIC mode: IA32_APIC_BASE ");
    serial_put_hex(rdmsr(MSR_APIC_BASE) & ~0xffful & ~0ul);
    serial_puts(", version ");
    serial_put_hex(apic_read(APIC_VERSION));
    serial_putc('\n');
    enable_apic();
    timer_lesson("a store to the EOI register");
    nesting_lesson();
    nmi_lesson();
    pic_lesson();
    ioapic_lesson();

    uint32_t ecx;
    cpuid1(&ecx);
    if (!(ecx & CPUID1_ECX_X2APIC)) {
        serial_puts("x2APIC: not advertised by CPUID\n");
    } else {
        wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | APIC_BASE_EXTD);
        apic_x2 = true;
        serial_puts("x2APIC mode: ID ");
        serial_put_hex(apic_read(APIC_ID));
        serial_puts(", LDR ");
        serial_put_hex(apic_read(APIC_LDR));
        serial_putc('\n');
        timer_lesson("WRMSR to MSR 0x80b");
        nesting_lesson();
        nmi_lesson();
        if (ecx & CPUID1_ECX_TSC_DEADLINE)
            deadline_lesson();
        else
            serial_puts("  TSC-deadline: not advertised by CPUID\n");
    }
    if (spurious)
        fail("spurious interrupts");
    serial_puts("done\n");
    debug_exit(DEBUG_EXIT_SUCCESS);
}
