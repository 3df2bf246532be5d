/* Output on the virt machine's PL011 at 0x09000000 (QEMU and emu alike). */
#ifndef FW_A64_UART_H
#define FW_A64_UART_H

#include <stdint.h>

void uart_putc(char c);
void uart_puts(const char *s);
/* "0x" and value in hex, at least `digits` digits. */
void uart_hex(uint64_t v, unsigned digits);
void uart_dec(uint64_t v);

/* " NAME=0x..." (at least `digits` hex digits): one field of a line of output. */
static inline void uart_field(const char *name, uint64_t v, unsigned digits)
{
    uart_puts(" ");
    uart_puts(name);
    uart_puts("=");
    uart_hex(v, digits);
}

#endif
