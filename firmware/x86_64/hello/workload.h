/*
 * hello's self-checking workload: freestanding integer C (loops, calls,
 * recursion, 64-bit multiply and divide, bit scans, string instructions)
 * whose every result is checked by the program itself.
 */
#ifndef FW_HELLO_WORKLOAD_H
#define FW_HELLO_WORKLOAD_H

#include <stdbool.h>
#include <stdint.h>

/* Run every check, printing one line each; true if all passed. */
bool workload_run(uint64_t *checksum);

#endif
