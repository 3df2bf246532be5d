/* Decimal and hexadecimal formatting of 64-bit integers. */
#include "lib/format.h"

#define DECIMAL_DIGITS_MAX 20

unsigned format_u64(char *buf, uint64_t value)
{
    char digits[DECIMAL_DIGITS_MAX];
    unsigned n = 0;

    do {
        digits[n++] = (char)('0' + value % 10);
        value /= 10;
    } while (value != 0);
    for (unsigned i = 0; i < n; i++)
        buf[i] = digits[n - 1 - i];
    buf[n] = '\0';
    return n;
}

unsigned format_i64(char *buf, int64_t value)
{
    if (value >= 0)
        return format_u64(buf, (uint64_t)value);
    /* Negate in unsigned arithmetic so INT64_MIN needs no special case. */
    buf[0] = '-';
    return 1 + format_u64(buf + 1, 0 - (uint64_t)value);
}

unsigned format_hex(char *buf, uint64_t value)
{
    static const char hex_digits[] = "0123456789abcdef";
    unsigned n = 0;
    int shift = 60;

    buf[n++] = '0';
    buf[n++] = 'x';
    /* Skip leading zero nibbles, keeping at least one digit. */
    while (shift > 0 && ((value >> shift) & 0xf) == 0)
        shift -= 4;
    for (; shift >= 0; shift -= 4)
        buf[n++] = hex_digits[(value >> shift) & 0xf];
    buf[n] = '\0';
    return n;
}
