/* Number formatting into caller buffers (no libc in firmware). */
#ifndef FW_FORMAT_H
#define FW_FORMAT_H

#include <stdint.h>

/* Buffer sizes, terminating NUL included. */
#define FORMAT_U64_MAX 21   /* 18446744073709551615 */
#define FORMAT_I64_MAX 21   /* -9223372036854775808 */
#define FORMAT_HEX_MAX 19   /* 0x + 16 digits */

/* Each writes a NUL-terminated string and returns its length. */
unsigned format_u64(char *buf, uint64_t value);
unsigned format_i64(char *buf, int64_t value);
unsigned format_hex(char *buf, uint64_t value);

#endif
