/* The command line: the kernel path (skipped), then LOOP [ITERATIONS]. */
#include "args.h"

#include "lib/serial.h"
#include "lib/string.h"

#define WORD_MAX 16

static const char *const loop_names[LOOP_COUNT] = {
    [LOOP_INT] = "int", [LOOP_PF] = "pf", [LOOP_SYSCALL] = "syscall",
};

const char *args_loop_name(enum bench_loop loop)
{
    return loop_names[loop];
}

/* Copy the next space-separated word into buf (empty at the end); return what follows. */
static const char *next_word(const char *s, char *buf)
{
    while (*s == ' ')
        s++;
    unsigned n = 0;
    while (*s && *s != ' ') {
        if (n + 1 < WORD_MAX)
            buf[n++] = *s;
        s++;
    }
    buf[n] = '\0';
    return s;
}

static bool parse_u64(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    if (!*s)
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9) / 10)
            return false;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return true;
}

static bool usage(const char *why)
{
    serial_puts("traploop: ");
    serial_puts(why);
    serial_puts("; boot argument: int|pf|syscall [ITERATIONS]\n");
    return false;
}

bool args_parse(const char *cmdline, struct bench_args *out)
{
    char word[WORD_MAX];
    const char *s = next_word(cmdline, word);   /* the kernel path */
    s = next_word(s, word);
    unsigned loop = 0;
    while (loop < LOOP_COUNT && strcmp(word, loop_names[loop]) != 0)
        loop++;
    if (loop == LOOP_COUNT)
        return usage("no loop named");
    out->loop = (enum bench_loop)loop;
    s = next_word(s, word);
    out->iterations_given = word[0] != '\0';
    if (out->iterations_given && !parse_u64(word, &out->iterations))
        return usage("bad iteration count");
    next_word(s, word);
    if (word[0])
        return usage("too many arguments");
    return true;
}
