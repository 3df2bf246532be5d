/*
 * memcpy/memset/strlen use the string instructions (REP MOVSB, REP STOSB,
 * REPNE SCASB; SDM Vol. 2B): the entry code leaves EFLAGS.DF clear, as the
 * SysV ABI requires at every call.
 */
#include "lib/string.h"

#include <stdint.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
    void *d = dst;
    __asm__ volatile("rep movsb"
                     : "+D"(d), "+S"(src), "+c"(n)
                     :
                     : "memory");
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;

    /* A forward copy is safe unless dst starts inside [src, src + n). */
    if ((uintptr_t)d - (uintptr_t)s >= n)
        return memcpy(dst, src, n);
    while (n-- > 0)
        d[n] = s[n];
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    void *d = dst;
    __asm__ volatile("rep stosb"
                     : "+D"(d), "+c"(n)
                     : "a"(c)
                     : "memory");
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;

    for (size_t i = 0; i < n; i++) {
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    }
    return 0;
}

size_t strlen(const char *s)
{
    /* REPNE SCASB counts RCX down from all-ones past the terminating NUL. */
    size_t count = SIZE_MAX;
    __asm__ volatile("repne scasb"
                     : "+D"(s), "+c"(count)
                     : "a"(0), "m"(*(const char(*)[])s));
    return SIZE_MAX - count - 1;
}

int strcmp(const char *a, const char *b)
{
    while (*a != '\0' && *a == *b) {
        a++;
        b++;
    }
    return (unsigned char)*a - (unsigned char)*b;
}
