/*
 * PL011 UART (DDI 0183G, chapter 3: programmers model). Transmission is
 * instantaneous in modelled time: a UARTDR write reaches the console at once,
 * so the transmit FIFO is always empty (UARTFR.TXFE=1, BUSY=0). As QEMU does,
 * characters are sent whether or not UARTCR.UARTEN/TXE are set: bare-metal
 * firmware commonly writes UARTDR without enabling the UART first, and the
 * same binary must print on both (docs/virt-platform.md).
 *
 * Interrupts follow QEMU's model: TXRIS is raised by every transmitted
 * character (the FIFO has just drained below any trigger level) and cleared
 * through UARTICR; RXRIS is raised when a character arrives and cleared when
 * the receive FIFO is read empty or through UARTICR. The receive timeout
 * (RTRIS) would need a bit-time clock and is never raised.
 */
#include "platform/virt/pl011.h"

#include <string.h>

/* Register offsets (DDI 0183G table 3-1). */
enum {
    UARTDR = 0x000,
    UARTRSR_ECR = 0x004,
    UARTFR = 0x018,
    UARTILPR = 0x020,
    UARTIBRD = 0x024,
    UARTFBRD = 0x028,
    UARTLCR_H = 0x02c,
    UARTCR = 0x030,
    UARTIFLS = 0x034,
    UARTIMSC = 0x038,
    UARTRIS = 0x03c,
    UARTMIS = 0x040,
    UARTICR = 0x044,
    UARTDMACR = 0x048,
    UARTPeriphID0 = 0xfe0,
    UARTPCellID3 = 0xffc,
};

/* UARTFR bits (3.3.3). */
#define PL011_FR_BUSY   (1u << 3)
#define PL011_FR_RXFE   (1u << 4)
#define PL011_FR_TXFF   (1u << 5)
#define PL011_FR_RXFF   (1u << 6)
#define PL011_FR_TXFE   (1u << 7)
/* UARTLCR_H.FEN (3.3.7). */
#define PL011_LCR_H_FEN (1u << 4)
/* UARTCR reset value: TXE and RXE set (3.3.8). */
#define PL011_CR_RESET  0x0300u
#define PL011_CR_MASK   0xff87u     /* bits 6:3 are reserved */
/* UARTIFLS reset value: both triggers at 1/2 full (3.3.9). */
#define PL011_IFLS_RESET 0x12u
/* Interrupt bits in IMSC/RIS/MIS/ICR (3.3.10-3.3.13). */
#define PL011_INT_RX    (1u << 4)
#define PL011_INT_TX    (1u << 5)
#define PL011_INT_OE    (1u << 10)
#define PL011_INT_MASK  0x7ffu
#define PL011_FBRD_MASK 0x3fu      /* 6-bit fractional divisor (3.3.6) */
#define PL011_IFLS_MASK 0x3fu      /* TXIFLSEL and RXIFLSEL (3.3.9) */
#define PL011_DMACR_MASK 0x7u      /* RXDMAE, TXDMAE, DMAONERR (3.3.14) */
/* UARTRSR.OE (3.3.2) */
#define PL011_RSR_OE    (1u << 3)

/* PrimeCell identification registers 0xfe0-0xffc, one byte each: PL011
 * r1p5 (part 0x011, designer 0x41 'A') and the PrimeCell ID B105F00D, the
 * values QEMU's pl011 returns (read back from QEMU 7.2 -M virt). */
static const uint8_t pl011_id[8] = { 0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

void pl011_init(pl011 *u, pl011_console_fn console, void *console_ctx, irq_line irq)
{
    memset(u, 0, sizeof *u);
    u->cr = PL011_CR_RESET;
    u->ifls = PL011_IFLS_RESET;
    u->console = console;
    u->console_ctx = console_ctx;
    u->irq = irq;
}

static unsigned pl011_rx_capacity(const pl011 *u)
{
    return (u->lcr_h & PL011_LCR_H_FEN) ? PL011_FIFO_DEPTH : 1;
}

/* UARTINTR is the OR of the masked interrupts (3.4): a level to the GIC. */
static void pl011_update_irq(pl011 *u)
{
    bool level = (u->ris & u->imsc) != 0;
    if (level != u->irq_level) {
        u->irq_level = level;
        irq_line_drive(&u->irq, level);
    }
}

bool pl011_can_receive(const pl011 *u)
{
    return u->rx_count < pl011_rx_capacity(u);
}

bool pl011_receive(pl011 *u, uint8_t byte)
{
    if (!pl011_can_receive(u)) {
        u->rsr |= PL011_RSR_OE;
        u->ris |= PL011_INT_OE;
        pl011_update_irq(u);
        return false;
    }
    u->rx_fifo[(u->rx_head + u->rx_count) % PL011_FIFO_DEPTH] = byte;
    u->rx_count++;
    u->ris |= PL011_INT_RX;
    pl011_update_irq(u);
    return true;
}

static uint32_t pl011_read_dr(pl011 *u)
{
    if (u->rx_count == 0)
        return 0;
    uint8_t byte = u->rx_fifo[u->rx_head];
    u->rx_head = (u->rx_head + 1) % PL011_FIFO_DEPTH;
    u->rx_count--;
    if (u->rx_count == 0)
        u->ris &= (uint16_t)~PL011_INT_RX;
    pl011_update_irq(u);
    return byte;
}

static uint32_t pl011_flags(const pl011 *u)
{
    uint32_t fr = PL011_FR_TXFE;
    if (u->rx_count == 0)
        fr |= PL011_FR_RXFE;
    if (u->rx_count >= pl011_rx_capacity(u))
        fr |= PL011_FR_RXFF;
    return fr;
}

const char *pl011_reg_name(uint64_t offset)
{
    static const char *const ids[8] = {
        "UARTPeriphID0", "UARTPeriphID1", "UARTPeriphID2", "UARTPeriphID3",
        "UARTPCellID0", "UARTPCellID1", "UARTPCellID2", "UARTPCellID3",
    };
    switch (offset) {
    case UARTDR: return "UARTDR";
    case UARTRSR_ECR: return "UARTRSR/UARTECR";
    case UARTFR: return "UARTFR";
    case UARTILPR: return "UARTILPR";
    case UARTIBRD: return "UARTIBRD";
    case UARTFBRD: return "UARTFBRD";
    case UARTLCR_H: return "UARTLCR_H";
    case UARTCR: return "UARTCR";
    case UARTIFLS: return "UARTIFLS";
    case UARTIMSC: return "UARTIMSC";
    case UARTRIS: return "UARTRIS";
    case UARTMIS: return "UARTMIS";
    case UARTICR: return "UARTICR";
    case UARTDMACR: return "UARTDMACR";
    default:
        if (offset >= UARTPeriphID0 && offset <= UARTPCellID3 && offset % 4 == 0)
            return ids[(offset - UARTPeriphID0) / 4];
        return NULL;
    }
}

static bool pl011_access_ok(uint64_t offset, unsigned size)
{
    return (size == 1 || size == 2 || size == 4) && offset % 4 == 0;
}

bool pl011_read(pl011 *u, uint64_t offset, unsigned size, uint64_t *val)
{
    if (!pl011_access_ok(offset, size))
        return false;
    uint32_t v;
    switch (offset) {
    case UARTDR: v = pl011_read_dr(u); break;
    case UARTRSR_ECR: v = u->rsr; break;
    case UARTFR: v = pl011_flags(u); break;
    case UARTILPR: v = u->ilpr; break;
    case UARTIBRD: v = u->ibrd; break;
    case UARTFBRD: v = u->fbrd; break;
    case UARTLCR_H: v = u->lcr_h; break;
    case UARTCR: v = u->cr; break;
    case UARTIFLS: v = u->ifls; break;
    case UARTIMSC: v = u->imsc; break;
    case UARTRIS: v = u->ris; break;
    case UARTMIS: v = (uint32_t)(u->ris & u->imsc); break;
    case UARTDMACR: v = u->dmacr; break;
    default:
        if (offset >= UARTPeriphID0 && offset <= UARTPCellID3) {
            v = pl011_id[(offset - UARTPeriphID0) / 4];
            break;
        }
        return false;   /* UARTICR is write-only; anything else is reserved */
    }
    *val = v;
    return true;
}

bool pl011_write(pl011 *u, uint64_t offset, unsigned size, uint64_t val)
{
    if (!pl011_access_ok(offset, size))
        return false;
    uint32_t v = (uint32_t)val;
    switch (offset) {
    case UARTDR: {
        uint8_t byte = (uint8_t)v;
        if (u->console)
            u->console(u->console_ctx, &byte, 1);
        u->ris |= PL011_INT_TX;
        break;
    }
    case UARTRSR_ECR: u->rsr = 0; break;   /* any write clears the error flags (3.3.2) */
    case UARTILPR: u->ilpr = (uint8_t)v; break;
    case UARTIBRD: u->ibrd = (uint16_t)v; break;
    case UARTFBRD: u->fbrd = (uint8_t)(v & PL011_FBRD_MASK); break;
    case UARTLCR_H:
        /* Disabling the FIFOs leaves a one-character holding register; keep
         * the oldest byte as the receiver would. */
        u->lcr_h = (uint8_t)v;
        if (!(u->lcr_h & PL011_LCR_H_FEN) && u->rx_count > 1)
            u->rx_count = 1;
        break;
    case UARTCR: u->cr = (uint16_t)(v & PL011_CR_MASK); break;
    case UARTIFLS: u->ifls = (uint8_t)(v & PL011_IFLS_MASK); break;
    case UARTIMSC: u->imsc = (uint16_t)(v & PL011_INT_MASK); break;
    case UARTICR: u->ris &= (uint16_t)~(v & PL011_INT_MASK); break;
    case UARTDMACR: u->dmacr = (uint8_t)(v & PL011_DMACR_MASK); break;
    case UARTFR:
    case UARTRIS:
    case UARTMIS:
        break;          /* read-only: writes are ignored */
    default:
        if (offset >= UARTPeriphID0 && offset <= UARTPCellID3)
            break;
        return false;   /* reserved */
    }
    pl011_update_irq(u);
    return true;
}
