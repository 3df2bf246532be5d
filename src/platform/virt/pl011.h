/*
 * The PL011 UART of the virt machine (Arm PrimeCell UART (PL011) Technical
 * Reference Manual, DDI 0183G). Transmit goes straight to a console callback;
 * receive is a FIFO the platform fills with pl011_receive(). The interrupt
 * output is one line to the GIC (QEMU wires SPI 1, INTID 33).
 */
#ifndef EMU_PLATFORM_VIRT_PL011_H
#define EMU_PLATFORM_VIRT_PL011_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "apic/irq_line.h"

#define PL011_FIFO_DEPTH 16     /* DDI 0183G 2.4.2: 16-entry FIFOs when FEN is set, else 1 */

typedef void (*pl011_console_fn)(void *ctx, const uint8_t *bytes, size_t len);

typedef struct pl011 {
    uint16_t ibrd;              /* integer baud rate divisor */
    uint8_t fbrd;               /* fractional baud rate divisor (6 bits) */
    uint8_t lcr_h;              /* line control */
    uint16_t cr;                /* control */
    uint8_t ifls;               /* FIFO interrupt level select */
    uint16_t imsc;              /* interrupt mask set/clear */
    uint16_t ris;               /* raw interrupt status */
    uint8_t ilpr;               /* IrDA low-power counter */
    uint8_t dmacr;              /* DMA control (stored only: no DMA) */
    uint8_t rsr;                /* receive status / error clear */
    uint8_t rx_fifo[PL011_FIFO_DEPTH];
    unsigned rx_head, rx_count;

    pl011_console_fn console;
    void *console_ctx;
    irq_line irq;
    bool irq_level;             /* the line as last driven */
} pl011;

void pl011_init(pl011 *u, pl011_console_fn console, void *console_ctx, irq_line irq);

/* MMIO at offset from the device base. size is the access width in bytes
 * (1, 2 or 4; the PL011 is a 32-bit peripheral). false: no register there,
 * or a width the device does not decode: the caller stops the machine
 * naming pl011_reg_name(offset). */
bool pl011_read(pl011 *u, uint64_t offset, unsigned size, uint64_t *val);
bool pl011_write(pl011 *u, uint64_t offset, unsigned size, uint64_t val);

/* A byte arrives on the receive line. false: the FIFO was full and the byte
 * is lost (an overrun, reported in UARTRSR.OE and UARTRIS.OERIS). */
bool pl011_receive(pl011 *u, uint8_t byte);

/* Whether the receiver has room (so the platform knows when to feed input). */
bool pl011_can_receive(const pl011 *u);

/* The register's name in the TRM ("UARTDR", ...), or NULL. */
const char *pl011_reg_name(uint64_t offset);

#endif
