/*
 * Each check prints "workload: NAME ... ok" or "... FAILED" with the values
 * it saw. Expected values are either published constants (the CRC-32 check
 * value, the count of primes below 100000, Fibonacci numbers) or identities
 * the results must satisfy (q * d + r == n, sorted order, preserved sums).
 * Inputs come from a fixed-seed xorshift64* generator, so every run prints
 * the same bytes.
 */
#include "hello/workload.h"

#include <stddef.h>

#include "lib/format.h"
#include "lib/serial.h"
#include "lib/string.h"

#define RNG_SEED            0x9E3779B97F4A7C15ull
#define XORSHIFT64S_MULT    0x2545F4914F6CDD1Dull

#define CRC32_POLY          0xEDB88320u     /* reflected IEEE 802.3 */
#define CRC32_CHECK_INPUT   "123456789"
#define CRC32_CHECK_VALUE   0xCBF43926u     /* the published check value */

#define SORT_COUNT          2048
#define SORT_SMALL          12              /* insertion sort below this */

#define SIEVE_LIMIT         100000
#define PRIMES_BELOW_LIMIT  9592            /* pi(100000) */

#define FIB_ITER_N          90
#define FIB_90              2880067194370816120ull
#define FIB_REC_N           24
#define FIB_24              46368ull

#define DIV_PAIRS           1000
#define BITSCAN_WORDS       256

static uint64_t rng_state;

static uint64_t rng_next(void)
{
    uint64_t x = rng_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng_state = x;
    return x * XORSHIFT64S_MULT;
}

static uint64_t rotl64(uint64_t x, unsigned n)
{
    return (x << n) | (x >> (64 - n));
}

static bool report(bool ok)
{
    serial_puts(ok ? " ok\n" : " FAILED\n");
    return ok;
}

static void label(const char *name)
{
    serial_puts("workload: ");
    serial_puts(name);
}

/* CRC-32 ----------------------------------------------------------------- */

static uint32_t crc_table[256];

static void crc32_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int bit = 0; bit < 8; bit++)
            c = (c & 1) ? (c >> 1) ^ CRC32_POLY : c >> 1;
        crc_table[i] = c;
    }
}

static uint32_t crc32(const void *data, size_t len)
{
    const uint8_t *p = data;
    uint32_t c = 0xFFFFFFFFu;

    while (len-- > 0)
        c = crc_table[(c ^ *p++) & 0xff] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

static bool check_crc32(uint64_t *checksum)
{
    crc32_init();
    uint32_t got = crc32(CRC32_CHECK_INPUT, strlen(CRC32_CHECK_INPUT));
    label("crc32(\"" CRC32_CHECK_INPUT "\") = ");
    serial_put_hex(got);
    *checksum = rotl64(*checksum, 7) ^ got;
    return report(got == CRC32_CHECK_VALUE);
}

/* Quicksort -------------------------------------------------------------- */

static uint64_t sort_data[SORT_COUNT];
static uint64_t sort_copy[SORT_COUNT];

static void insertion_sort(uint64_t *a, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        uint64_t v = a[i];
        size_t j = i;
        while (j > 0 && a[j - 1] > v) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = v;
    }
}

static void swap_u64(uint64_t *a, uint64_t *b)
{
    uint64_t t = *a;
    *a = *b;
    *b = t;
}

/* Median-of-three Hoare partition; recurse on the smaller side. */
__attribute__((noinline)) static void quicksort(uint64_t *a, size_t n)
{
    while (n >= SORT_SMALL) {
        size_t mid = n / 2;
        if (a[mid] < a[0])
            swap_u64(&a[mid], &a[0]);
        if (a[n - 1] < a[0])
            swap_u64(&a[n - 1], &a[0]);
        if (a[n - 1] < a[mid])
            swap_u64(&a[n - 1], &a[mid]);
        uint64_t pivot = a[mid];
        size_t i = 0, j = n - 1;
        for (;;) {
            while (a[i] < pivot)
                i++;
            while (a[j] > pivot)
                j--;
            if (i >= j)
                break;
            swap_u64(&a[i], &a[j]);
            i++;
            j--;
        }
        size_t left = j + 1;
        if (left < n - left) {
            quicksort(a, left);
            a += left;
            n -= left;
        } else {
            quicksort(a + left, n - left);
            n = left;
        }
    }
    insertion_sort(a, n);
}

static bool check_sort(uint64_t *checksum)
{
    uint64_t sum_before = 0, xor_before = 0, sum_after = 0, xor_after = 0;
    bool ordered = true;

    for (size_t i = 0; i < SORT_COUNT; i++) {
        /* Narrow some values so duplicates occur. */
        uint64_t v = rng_next();
        sort_data[i] = (i % 4 == 0) ? v % 64 : v;
        sum_before += sort_data[i];
        xor_before ^= sort_data[i];
    }
    memcpy(sort_copy, sort_data, sizeof sort_copy);
    quicksort(sort_data, SORT_COUNT);
    for (size_t i = 0; i < SORT_COUNT; i++) {
        sum_after += sort_data[i];
        xor_after ^= sort_data[i];
        if (i > 0 && sort_data[i - 1] > sort_data[i])
            ordered = false;
    }
    uint32_t crc = crc32(sort_data, sizeof sort_data);
    bool moved = memcmp(sort_copy, sort_data, sizeof sort_data) != 0;

    label("quicksort 2048 words: min ");
    serial_put_hex(sort_data[0]);
    serial_puts(" max ");
    serial_put_hex(sort_data[SORT_COUNT - 1]);
    serial_puts(" crc32 ");
    serial_put_hex(crc);
    *checksum = rotl64(*checksum, 7) ^ crc ^ sum_after;
    return report(ordered && moved && sum_before == sum_after &&
                  xor_before == xor_after);
}

/* Sieve of Eratosthenes -------------------------------------------------- */

static uint8_t composite[SIEVE_LIMIT];

static bool check_primes(uint64_t *checksum)
{
    unsigned count = 0;
    uint64_t prime_sum = 0;

    memset(composite, 0, sizeof composite);
    for (uint32_t i = 2; i < SIEVE_LIMIT; i++) {
        if (composite[i])
            continue;
        count++;
        prime_sum += i;
        for (uint64_t j = (uint64_t)i * i; j < SIEVE_LIMIT; j += i)
            composite[j] = 1;
    }
    label("primes below 100000: ");
    serial_put_u64(count);
    serial_puts(", sum ");
    serial_put_u64(prime_sum);
    *checksum = rotl64(*checksum, 7) ^ prime_sum;
    return report(count == PRIMES_BELOW_LIMIT);
}

/* Fibonacci -------------------------------------------------------------- */

__attribute__((noinline)) static uint64_t fib_recursive(unsigned n)
{
    return n < 2 ? n : fib_recursive(n - 1) + fib_recursive(n - 2);
}

static uint64_t fib_iterative(unsigned n)
{
    uint64_t a = 0, b = 1;

    for (unsigned i = 0; i < n; i++) {
        uint64_t t = a + b;
        a = b;
        b = t;
    }
    return a;
}

static bool check_fibonacci(uint64_t *checksum)
{
    uint64_t big = fib_iterative(FIB_ITER_N);
    uint64_t small = fib_recursive(FIB_REC_N);

    label("fib(90) = ");
    serial_put_u64(big);
    serial_puts(", fib(24) = ");
    serial_put_u64(small);
    *checksum = rotl64(*checksum, 7) ^ big ^ small;
    return report(big == FIB_90 && small == FIB_24);
}

/* 64-bit division -------------------------------------------------------- */

static bool check_division(uint64_t *checksum)
{
    uint64_t mix = 0;
    bool ok = true;

    for (unsigned i = 0; i < DIV_PAIRS; i++) {
        uint64_t n = rng_next();
        /* Divisors of every magnitude, never zero. */
        uint64_t d = (rng_next() >> (rng_next() % 64)) | 1;
        uint64_t q = n / d, r = n % d;
        if (q * d + r != n || r >= d)
            ok = false;

        int64_t sn = (int64_t)rng_next();
        int64_t sd = (int64_t)((rng_next() >> (1 + rng_next() % 62)) | 1);
        if (i & 1)
            sd = -sd;
        int64_t sq = sn / sd, sr = sn % sd;
        /* C99 6.5.5: truncation toward zero; the remainder takes n's sign. */
        uint64_t abs_r = sr < 0 ? 0 - (uint64_t)sr : (uint64_t)sr;
        uint64_t abs_d = sd < 0 ? 0 - (uint64_t)sd : (uint64_t)sd;
        if (sq * sd + sr != sn || abs_r >= abs_d || (sr != 0 && (sr < 0) != (sn < 0)))
            ok = false;

        uint32_t n32 = (uint32_t)n, d32 = (uint32_t)d | 1;
        if ((n32 / d32) * d32 + n32 % d32 != n32)
            ok = false;

        mix = rotl64(mix, 9) ^ q ^ r ^ (uint64_t)sq ^ (uint64_t)sr ^ (n32 / d32);
    }
    label("1000 unsigned/signed divisions: mix ");
    serial_put_hex(mix);
    *checksum = rotl64(*checksum, 7) ^ mix;
    return report(ok);
}

/* Bit scans -------------------------------------------------------------- */

static bool check_bitscan(uint64_t *checksum)
{
    uint64_t total_tz = 0, total_lz = 0;
    bool ok = true;

    for (unsigned i = 0; i < BITSCAN_WORDS; i++) {
        /* Shift right by a random amount so leading zeros vary too. */
        uint64_t v = (rng_next() >> (rng_next() % 63)) | (1ull << (i % 8));
        unsigned tz = (unsigned)__builtin_ctzll(v);
        unsigned lz = (unsigned)__builtin_clzll(v);
        unsigned slow_tz = 0, slow_lz = 0;
        while (!((v >> slow_tz) & 1))
            slow_tz++;
        while (!((v << slow_lz) >> 63))
            slow_lz++;
        if (tz != slow_tz || lz != slow_lz)
            ok = false;
        total_tz += tz;
        total_lz += lz;
    }
    label("bit scans: trailing zeros ");
    serial_put_u64(total_tz);
    serial_puts(", leading zeros ");
    serial_put_u64(total_lz);
    *checksum = rotl64(*checksum, 7) ^ (total_tz << 32) ^ total_lz;
    return report(ok);
}

/* Strings ---------------------------------------------------------------- */

static void reverse(char *s, size_t n)
{
    for (size_t i = 0; i < n / 2; i++) {
        char t = s[i];
        s[i] = s[n - 1 - i];
        s[n - 1 - i] = t;
    }
}

static bool check_strings(uint64_t *checksum)
{
    char buf[64], copy[64];
    bool ok = true;

    format_i64(buf, INT64_MIN);
    ok &= strcmp(buf, "-9223372036854775808") == 0;
    format_u64(buf, UINT64_MAX);
    ok &= strcmp(buf, "18446744073709551615") == 0;
    format_hex(buf, 0xdeadbeefcafeull);
    ok &= strcmp(buf, "0xdeadbeefcafe") == 0;

    /* "ringside" reversed twice is itself; once, it is "edisgnir". */
    memset(buf, 0, sizeof buf);
    memcpy(buf, "ringside", 8);
    memcpy(copy, buf, sizeof buf);
    size_t len = strlen(buf);
    reverse(buf, len);
    ok &= strcmp(buf, "edisgnir") == 0;
    reverse(buf, len);
    ok &= memcmp(buf, copy, sizeof buf) == 0;

    /* Overlapping moves both ways. */
    memcpy(buf, "0123456789", 11);
    memmove(buf + 2, buf, 8);
    ok &= memcmp(buf, "0101234567", 10) == 0;
    memmove(buf, buf + 3, 7);
    ok &= memcmp(buf, "1234567567", 10) == 0;

    label("strings: ");
    serial_puts(copy);
    serial_puts(" length ");
    serial_put_u64(len);
    *checksum = rotl64(*checksum, 7) ^ crc32(buf, 10);
    return report(ok);
}

bool workload_run(uint64_t *checksum)
{
    bool ok = true;

    rng_state = RNG_SEED;
    *checksum = 0;
    ok &= check_crc32(checksum);
    ok &= check_sort(checksum);
    ok &= check_primes(checksum);
    ok &= check_fibonacci(checksum);
    ok &= check_division(checksum);
    ok &= check_bitscan(checksum);
    ok &= check_strings(checksum);
    return ok;
}
