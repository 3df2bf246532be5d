/*
 * COM1 driver: programs the 16550 the way an operating system does (divisor
 * latch, line control, FIFO control, modem control) and transmits by polling
 * the line status register's THRE bit, never by interrupt.
 */
#include "lib/serial.h"

#include "lib/io.h"
#include "lib/format.h"

#define COM1_BASE       0x3f8

/* Register offsets from the base (DLAB selects DLL/DLM at offsets 0 and 1). */
#define UART_THR        0   /* transmit holding (write) */
#define UART_DLL        0   /* divisor latch low (DLAB = 1) */
#define UART_IER        1   /* interrupt enable */
#define UART_DLM        1   /* divisor latch high (DLAB = 1) */
#define UART_FCR        2   /* FIFO control (write) */
#define UART_LCR        3   /* line control */
#define UART_MCR        4   /* modem control */
#define UART_LSR        5   /* line status */

#define LCR_8N1         0x03    /* 8 data bits, no parity, 1 stop bit */
#define LCR_DLAB        0x80    /* divisor latch access */
#define FCR_ENABLE      0x01
#define FCR_CLEAR_RX    0x02
#define FCR_CLEAR_TX    0x04
#define MCR_DTR         0x01
#define MCR_RTS         0x02
#define LSR_THRE        0x20    /* transmit holding register empty */

/* 115200 baud from the 1.8432 MHz reference clock: divisor 1. */
#define BAUD_DIVISOR    1

void serial_init(void)
{
    outb(COM1_BASE + UART_IER, 0);
    outb(COM1_BASE + UART_LCR, LCR_DLAB);
    outb(COM1_BASE + UART_DLL, BAUD_DIVISOR & 0xff);
    outb(COM1_BASE + UART_DLM, BAUD_DIVISOR >> 8);
    outb(COM1_BASE + UART_LCR, LCR_8N1);
    outb(COM1_BASE + UART_FCR, FCR_ENABLE | FCR_CLEAR_RX | FCR_CLEAR_TX);
    outb(COM1_BASE + UART_MCR, MCR_DTR | MCR_RTS);
}

void serial_putc(char c)
{
    while (!(inb(COM1_BASE + UART_LSR) & LSR_THRE))
        ;
    outb(COM1_BASE + UART_THR, (uint8_t)c);
}

void serial_puts(const char *s)
{
    while (*s)
        serial_putc(*s++);
}

void serial_put_u64(uint64_t value)
{
    char buf[FORMAT_U64_MAX];
    format_u64(buf, value);
    serial_puts(buf);
}

void serial_put_i64(int64_t value)
{
    char buf[FORMAT_I64_MAX];
    format_i64(buf, value);
    serial_puts(buf);
}

void serial_put_hex(uint64_t value)
{
    char buf[FORMAT_HEX_MAX];
    format_hex(buf, value);
    serial_puts(buf);
}

void serial_put_offset(const char *label, uint64_t value, uint64_t ref)
{
    serial_puts(label);
    serial_puts(value >= ref ? "+" : "-");
    serial_put_hex(value >= ref ? value - ref : ref - value);
}
