/*
 * The I/O APIC's registers and its pin-to-message logic (82093AA data
 * sheet, sections 3.1-3.2.4). Edge-triggered entries send one message per
 * active edge; level-triggered entries send while the pin is active and
 * remote IRR is clear, set remote IRR, and wait for the local APIC's EOI of
 * that vector (SDM vol. 3, 11.8.5) before sending again.
 */
#include "apic/ioapic.h"

#include <stdio.h>

#include "apic/lapic.h"
#include "core/intr.h"
#include "core/machine.h"

#define IOREGSEL 0x00
#define IOWIN    0x10
#define IOAPIC_REG_ID      0x00
#define IOAPIC_REG_VERSION 0x01
#define IOAPIC_REG_ARB     0x02
#define IOAPIC_REG_REDIR0  0x10
#define IOAPIC_ID_MASK     0x0f000000u
#define IOAPIC_VERSION     0x20u            /* QEMU's default; 0x11 on the 82093AA */
#define IOAPIC_MAX_REDIR_SHIFT 16
#define IOAPIC_VERSION_VALUE (IOAPIC_VERSION | ((IOAPIC_PINS - 1u) << IOAPIC_MAX_REDIR_SHIFT))

/* Redirection entry fields (82093AA, 3.2.4). */
#define REDIR_VECTOR      0xffull
#define REDIR_DELMODE_SHIFT 8
#define REDIR_DELMODE     (7ull << REDIR_DELMODE_SHIFT)
#define REDIR_DESTMODE    (1ull << 11)
#define REDIR_DELIVS      (1ull << 12)
#define REDIR_POLARITY_LOW (1ull << 13)
#define REDIR_REMOTE_IRR  (1ull << 14)
#define REDIR_LEVEL       (1ull << 15)
#define REDIR_MASKED      (1ull << 16)
#define REDIR_DEST_SHIFT  56
#define REDIR_READ_ONLY   (REDIR_DELIVS | REDIR_REMOTE_IRR)
#define REDIR_WRITABLE    (REDIR_VECTOR | REDIR_DELMODE | REDIR_DESTMODE | REDIR_POLARITY_LOW | REDIR_LEVEL | \
                           REDIR_MASKED | (0xffull << REDIR_DEST_SHIFT))

static bool pin_active(const ioapic *io, unsigned pin)
{
    bool low = (io->redir[pin] & REDIR_POLARITY_LOW) != 0;
    return io->pin_level[pin] != low;
}

/* Send the entry's message (82093AA 3.2.4: delivery modes). */
static void send(ioapic *io, unsigned pin)
{
    uint64_t e = io->redir[pin];
    uint32_t mode = (uint32_t)((e & REDIR_DELMODE) >> REDIR_DELMODE_SHIFT);
    uint32_t dest = (uint32_t)(e >> REDIR_DEST_SHIFT);
    bool logical = (e & REDIR_DESTMODE) != 0;
    bool level = (e & REDIR_LEVEL) != 0;
    if (!lapic_selected_by(io->lapic, dest, logical))
        return;                                 /* no CPU with that destination: the message is lost */
    switch (mode) {
    case LAPIC_DELMODE_FIXED:
    case LAPIC_DELMODE_LOWEST:
        if (level)
            io->redir[pin] |= REDIR_REMOTE_IRR;
        lapic_accept(io->lapic, (uint8_t)(e & REDIR_VECTOR), level, io->source[pin]);
        return;
    case LAPIC_DELMODE_NMI:
        machine_raise_nmi(io->m, "I/O APIC NMI");
        return;
    default:
        machine_stop(io->m, EMU_STOP_ERROR, "I/O APIC pin %u: delivery mode %u (SMI, INIT or ExtINT) is not modelled",
                     pin, mode);
        return;
    }
}

/* A level entry sends while active, unmasked and not waiting for EOI. */
static void level_check(ioapic *io, unsigned pin)
{
    uint64_t e = io->redir[pin];
    if ((e & REDIR_LEVEL) && !(e & (REDIR_MASKED | REDIR_REMOTE_IRR)) && pin_active(io, pin))
        send(io, pin);
}

void ioapic_set_pin(ioapic *io, unsigned pin, bool level)
{
    if (pin >= IOAPIC_PINS)
        return;
    bool was_active = pin_active(io, pin);
    io->pin_level[pin] = level;
    bool active = pin_active(io, pin);
    uint64_t e = io->redir[pin];
    if (e & REDIR_LEVEL)
        level_check(io, pin);
    else if (active && !was_active && !(e & REDIR_MASKED))
        send(io, pin);                          /* edge: the inactive-to-active transition */
}

void ioapic_eoi(void *ctx, uint8_t vector)
{
    ioapic *io = ctx;
    for (unsigned pin = 0; pin < IOAPIC_PINS; pin++) {
        if ((io->redir[pin] & REDIR_VECTOR) == vector && (io->redir[pin] & REDIR_REMOTE_IRR)) {
            io->redir[pin] &= ~REDIR_REMOTE_IRR;
            level_check(io, pin);               /* still asserted: it comes again */
        }
    }
}

static uint32_t reg_read(const ioapic *io)
{
    unsigned r = io->regsel;
    switch (r) {
    case IOAPIC_REG_ID:
    case IOAPIC_REG_ARB:                        /* the arbitration ID reads as the ID, as in QEMU */
        return io->id;
    case IOAPIC_REG_VERSION:
        return IOAPIC_VERSION_VALUE;
    default:
        if (r >= IOAPIC_REG_REDIR0 && r < IOAPIC_REG_REDIR0 + 2 * IOAPIC_PINS) {
            uint64_t e = io->redir[(r - IOAPIC_REG_REDIR0) / 2];
            return (r & 1) ? (uint32_t)(e >> 32) : (uint32_t)e;
        }
        return 0;                               /* unimplemented index: reads 0 */
    }
}

static void reg_write(ioapic *io, uint32_t val)
{
    unsigned r = io->regsel;
    if (r == IOAPIC_REG_ID) {
        io->id = val & IOAPIC_ID_MASK;
        return;
    }
    if (r < IOAPIC_REG_REDIR0 || r >= IOAPIC_REG_REDIR0 + 2 * IOAPIC_PINS)
        return;                                 /* version, arbitration: read-only */
    unsigned pin = (r - IOAPIC_REG_REDIR0) / 2;
    uint64_t e = io->redir[pin];
    uint64_t v = (r & 1) ? (e & 0xffffffffull) | (uint64_t)val << 32 : (e & ~0xffffffffull) | val;
    io->redir[pin] = (v & REDIR_WRITABLE) | (e & REDIR_READ_ONLY);
    if (!(io->redir[pin] & REDIR_LEVEL))
        io->redir[pin] &= ~REDIR_REMOTE_IRR;    /* remote IRR is defined for level entries only */
    level_check(io, pin);                       /* unmasking an active level pin delivers it */
}

static int bad_access(ioapic *io, const char *what, uint64_t offset, unsigned size)
{
    machine_stop(io->m, EMU_STOP_ERROR, "I/O APIC: %u-byte %s at offset 0x%llx: only 32-bit IOREGSEL (0x00) and "
                 "IOWIN (0x10) accesses are modelled", size, what, (unsigned long long)offset);
    return -1;
}

static int mmio_read(struct emu_machine *m, void *ctx, uint64_t offset, unsigned size, uint64_t *val)
{
    (void)m;
    ioapic *io = ctx;
    if (size != 4)
        return bad_access(io, "read", offset, size);
    if (offset == IOREGSEL)
        *val = io->regsel;
    else if (offset == IOWIN)
        *val = reg_read(io);
    else
        return bad_access(io, "read", offset, size);
    return 0;
}

static int mmio_write(struct emu_machine *m, void *ctx, uint64_t offset, unsigned size, uint64_t val)
{
    (void)m;
    ioapic *io = ctx;
    if (size != 4)
        return bad_access(io, "write", offset, size);
    if (offset == IOREGSEL)
        io->regsel = (uint8_t)val;
    else if (offset == IOWIN)
        reg_write(io, (uint32_t)val);
    else
        return bad_access(io, "write", offset, size);
    return 0;
}

int ioapic_init(ioapic *io, struct emu_machine *m, struct lapic *apic)
{
    *io = (ioapic){ .m = m, .lapic = apic };
    for (unsigned pin = 0; pin < IOAPIC_PINS; pin++) {
        io->redir[pin] = REDIR_MASKED;          /* all masked after reset (82093AA 3.2.4) */
        snprintf(io->source[pin], sizeof io->source[pin], "I/O APIC pin %u", pin);
    }
    apic->eoi_broadcast = ioapic_eoi;
    apic->eoi_ctx = io;
    return machine_mmio_register(m, &io->mmio, "I/O APIC", IOAPIC_BASE, IOAPIC_MMIO_SIZE, mmio_read, mmio_write, io);
}
