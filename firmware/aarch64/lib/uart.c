/* PL011 transmit: poll UARTFR.TXFF, write UARTDR (PL011 TRM DDI 0183, 3.3). */
#include "lib/uart.h"

#include "lib/sysreg.h"

#define UART_BASE 0x09000000ull
#define UARTDR 0x00
#define UARTFR 0x18
#define UARTFR_TXFF (1u << 5)

void uart_putc(char c)
{
    while (mmio_read32(UART_BASE + UARTFR) & UARTFR_TXFF)
        ;
    mmio_write32(UART_BASE + UARTDR, (uint8_t)c);
}

void uart_puts(const char *s)
{
    while (*s)
        uart_putc(*s++);
}

void uart_hex(uint64_t v, unsigned digits)
{
    char buf[16];
    unsigned n = 0;
    do {
        buf[n++] = "0123456789abcdef"[v & 0xf];
        v >>= 4;
    } while (v && n < 16);
    while (n < digits && n < 16)
        buf[n++] = '0';
    uart_puts("0x");
    while (n)
        uart_putc(buf[--n]);
}

void uart_dec(uint64_t v)
{
    char buf[20];
    unsigned n = 0;
    do {
        buf[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        uart_putc(buf[--n]);
}
