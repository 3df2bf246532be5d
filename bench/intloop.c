/*
 * intloop: the integer-loop benchmark firmware. Booted by the shared
 * multiboot entry (firmware/x86_64/boot), it runs BENCH_ITERATIONS rounds of
 * a 64-bit LCG step, a table update in memory, a data-dependent branch and
 * some ALU work, prints a checksum of everything it computed (so emu and QEMU
 * can be compared, and so the compiler cannot drop the loop) and exits
 * through isa-debug-exit with DEBUG_EXIT_SUCCESS.
 */
#include <stdint.h>

#include "boot/boot.h"
#include "lib/exit.h"
#include "lib/serial.h"

#define BENCH_ITERATIONS    60000000u
#define BENCH_TABLE_SIZE    256

/* Knuth's MMIX linear congruential generator constants. */
#define LCG_MULT            6364136223846793005ull
#define LCG_INCR            1442695040888963407ull

#define LCG_BRANCH_BIT      40
#define TABLE_INDEX_SHIFT   56

static uint32_t table[BENCH_TABLE_SIZE];

__attribute__((noinline)) static uint64_t run_loop(uint32_t iterations)
{
    uint64_t x = 1, acc = 0;

    for (uint32_t i = 0; i < iterations; i++) {
        x = x * LCG_MULT + LCG_INCR;
        table[x >> TABLE_INDEX_SHIFT] += i;
        if (x & (1ull << LCG_BRANCH_BIT))
            acc += x >> 17;
        else
            acc ^= (x << 11) | (x >> 53);
        acc -= i;
    }
    return acc;
}

void kmain(uint32_t magic, uint32_t info_addr)
{
    (void)magic;
    (void)info_addr;
    serial_init();
    serial_puts("ringside intloop: ");
    serial_put_u64(BENCH_ITERATIONS);
    serial_puts(" iterations\n");

    uint64_t acc = run_loop(BENCH_ITERATIONS);
    uint64_t table_sum = 0;
    for (unsigned i = 0; i < BENCH_TABLE_SIZE; i++)
        table_sum = table_sum * 31 + table[i];

    serial_puts("intloop: acc ");
    serial_put_hex(acc);
    serial_puts(" table ");
    serial_put_hex(table_sum);
    serial_puts("\n");
    debug_exit(DEBUG_EXIT_SUCCESS);
}
