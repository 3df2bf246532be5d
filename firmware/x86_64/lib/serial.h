/* COM1 (a 16550 UART at 0x3f8): polled transmit and number formatting. */
#ifndef FW_SERIAL_H
#define FW_SERIAL_H

#include <stdint.h>

/* Program 115200 baud, 8N1, FIFOs on, interrupts off. */
void serial_init(void);

void serial_putc(char c);
void serial_puts(const char *s);

/* Unsigned decimal, signed decimal, and 0x-prefixed lower-case hex. */
void serial_put_u64(uint64_t value);
void serial_put_i64(int64_t value);
void serial_put_hex(uint64_t value);

/* label, then value as a signed hex distance from ref: "rsp0-0x30", "insn+0x0". */
void serial_put_offset(const char *label, uint64_t value, uint64_t ref);

#endif
