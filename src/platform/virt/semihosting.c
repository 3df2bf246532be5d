/*
 * Semihosting operations (semihosting specification v2.0, chapter 5). In
 * A64 the parameter block holds 64-bit fields. What emu answers:
 *
 * - console output (SYS_WRITEC, SYS_WRITE0, SYS_WRITE to handles 1 and 2);
 *   console input is not modelled: SYS_READ from standard input reads
 *   nothing (end of file), SYS_READC stops the machine naming itself;
 * - SYS_OPEN of ":tt" (the console) gives a console handle; any other name
 *   fails with -1 and SYS_ERRNO = EACCES: emu grants semihosting no host
 *   files, so a guest can never read or write the host's file system.
 *   SYS_REMOVE, SYS_RENAME, SYS_TMPNAM and SYS_SYSTEM fail the same way;
 * - SYS_EXIT / SYS_EXIT_EXTENDED with ADP_Stopped_ApplicationExit end the
 *   run with the given status (any other reason: status 1, as QEMU);
 * - SYS_CLOCK, SYS_ELAPSED, SYS_TICKFREQ from modelled cycles (the modelled
 *   core runs at 1 GHz); SYS_TIME would be host time and stops the machine;
 * - a parameter block the guest cannot read returns -1 with EFAULT.
 */
#include "platform/virt/semihosting.h"

#include <string.h>

#define SEMIHOST_FAIL           ((uint64_t)-1)
#define SEMIHOST_MAX_STRING     4096u       /* SYS_WRITE0 / SYS_OPEN name bound */
#define SEMIHOST_CHUNK          256u
/* One SYS_WRITE copies at most this much and reports the rest as not
 * written (a partial write the caller retries), so a huge length over
 * aliased mappings cannot keep emu busy for ever. */
#define SEMIHOST_MAX_WRITE      (1u << 20)
#define SEMIHOST_TICK_HZ        1000000000ull   /* one tick per modelled cycle */
#define SEMIHOST_CYCLES_PER_CS  10000000ull     /* centiseconds for SYS_CLOCK */
#define SEMIHOST_EXIT_FAILURE   1
#define SEMIHOST_OPEN_MODE_APPEND_FIRST 8u      /* "a" .. "a+b" */
#define SEMIHOST_OPEN_MODE_WRITE_FIRST  4u      /* "w" .. "w+b" */
#define SEMIHOST_OPEN_MODE_LAST 11u

void semihost_init(semihost *s, bool enabled, semihost_io io)
{
    memset(s, 0, sizeof *s);
    s->enabled = enabled;
    s->io = io;
}

const char *semihost_op_name(uint32_t op)
{
    switch (op) {
    case SYS_OPEN: return "SYS_OPEN";
    case SYS_CLOSE: return "SYS_CLOSE";
    case SYS_WRITEC: return "SYS_WRITEC";
    case SYS_WRITE0: return "SYS_WRITE0";
    case SYS_WRITE: return "SYS_WRITE";
    case SYS_READ: return "SYS_READ";
    case SYS_READC: return "SYS_READC";
    case SYS_ISERROR: return "SYS_ISERROR";
    case SYS_ISTTY: return "SYS_ISTTY";
    case SYS_SEEK: return "SYS_SEEK";
    case SYS_FLEN: return "SYS_FLEN";
    case SYS_TMPNAM: return "SYS_TMPNAM";
    case SYS_REMOVE: return "SYS_REMOVE";
    case SYS_RENAME: return "SYS_RENAME";
    case SYS_CLOCK: return "SYS_CLOCK";
    case SYS_TIME: return "SYS_TIME";
    case SYS_SYSTEM: return "SYS_SYSTEM";
    case SYS_ERRNO: return "SYS_ERRNO";
    case SYS_GET_CMDLINE: return "SYS_GET_CMDLINE";
    case SYS_HEAPINFO: return "SYS_HEAPINFO";
    case SYS_EXIT: return "SYS_EXIT";
    case SYS_EXIT_EXTENDED: return "SYS_EXIT_EXTENDED";
    case SYS_ELAPSED: return "SYS_ELAPSED";
    case SYS_TICKFREQ: return "SYS_TICKFREQ";
    default: return "an unknown semihosting operation";
    }
}

static bool sh_read(semihost *s, uint64_t va, void *buf, size_t len)
{
    return s->io.read && s->io.read(s->io.ctx, va, buf, len);
}

static bool sh_write(semihost *s, uint64_t va, const void *buf, size_t len)
{
    return s->io.write && s->io.write(s->io.ctx, va, buf, len);
}

/* Field n of the parameter block at param. */
static bool sh_arg(semihost *s, uint64_t param, unsigned n, uint64_t *val)
{
    return sh_read(s, param + 8ull * n, val, sizeof *val);
}

static void sh_console(semihost *s, const uint8_t *bytes, size_t len)
{
    if (s->io.console && len)
        s->io.console(s->io.ctx, bytes, len);
}

static uint64_t sh_fail(semihost *s, int err)
{
    s->last_errno = err;
    return SEMIHOST_FAIL;
}

static bool sh_is_console_out(uint64_t handle)
{
    return handle == SEMIHOST_HANDLE_STDOUT || handle == SEMIHOST_HANDLE_STDERR;
}

static bool sh_is_console(uint64_t handle)
{
    return sh_is_console_out(handle) || handle == SEMIHOST_HANDLE_STDIN;
}

/* SYS_WRITE0: a NUL-terminated string, bounded so a missing NUL cannot run
 * through all of memory. */
static uint64_t sh_write0(semihost *s, uint64_t va)
{
    uint8_t chunk[SEMIHOST_CHUNK];
    size_t n = 0;
    for (unsigned total = 0; total < SEMIHOST_MAX_STRING; total++) {
        uint8_t c;
        if (!sh_read(s, va + total, &c, 1)) {
            sh_console(s, chunk, n);
            return sh_fail(s, SEMIHOST_EFAULT);
        }
        if (c == 0)
            break;
        chunk[n++] = c;
        if (n == sizeof chunk) {
            sh_console(s, chunk, n);
            n = 0;
        }
    }
    sh_console(s, chunk, n);
    return 0;
}

/* SYS_WRITE: returns the number of bytes not written (0 on success). */
static uint64_t sh_write_op(semihost *s, uint64_t param)
{
    uint64_t handle = 0, buf = 0, len = 0;
    if (!sh_arg(s, param, 0, &handle) || !sh_arg(s, param, 1, &buf) || !sh_arg(s, param, 2, &len))
        return sh_fail(s, SEMIHOST_EFAULT);
    if (!sh_is_console_out(handle)) {
        s->last_errno = SEMIHOST_EBADF;
        return len;
    }
    uint8_t chunk[SEMIHOST_CHUNK];
    uint64_t todo = len < SEMIHOST_MAX_WRITE ? len : SEMIHOST_MAX_WRITE;
    for (uint64_t done = 0; done < todo;) {
        size_t n = (size_t)(todo - done < sizeof chunk ? todo - done : sizeof chunk);
        if (!sh_read(s, buf + done, chunk, n)) {
            s->last_errno = SEMIHOST_EFAULT;
            return len - done;
        }
        sh_console(s, chunk, n);
        done += n;
    }
    return len - todo;
}

/* SYS_READ: only standard input exists, and it is at end of file. */
static uint64_t sh_read_op(semihost *s, uint64_t param)
{
    uint64_t handle = 0, len = 0;
    if (!sh_arg(s, param, 0, &handle) || !sh_arg(s, param, 2, &len))
        return sh_fail(s, SEMIHOST_EFAULT);
    if (handle != SEMIHOST_HANDLE_STDIN)
        return sh_fail(s, SEMIHOST_EBADF);
    return len;     /* nothing read: "the number of bytes not filled" */
}

static uint64_t sh_open(semihost *s, uint64_t param)
{
    uint64_t name = 0, mode = 0, len = 0;
    if (!sh_arg(s, param, 0, &name) || !sh_arg(s, param, 1, &mode) || !sh_arg(s, param, 2, &len))
        return sh_fail(s, SEMIHOST_EFAULT);
    char tt[4] = { 0 };
    if (len == 3 && sh_read(s, name, tt, 3) && memcmp(tt, ":tt", 3) == 0 && mode <= SEMIHOST_OPEN_MODE_LAST) {
        if (mode >= SEMIHOST_OPEN_MODE_APPEND_FIRST)
            return SEMIHOST_HANDLE_STDERR;
        return mode >= SEMIHOST_OPEN_MODE_WRITE_FIRST ? SEMIHOST_HANDLE_STDOUT : SEMIHOST_HANDLE_STDIN;
    }
    return sh_fail(s, SEMIHOST_EACCES);   /* no host file access is granted */
}

static uint64_t sh_heapinfo(semihost *s, uint64_t param)
{
    uint64_t block = 0;
    if (!sh_arg(s, param, 0, &block))
        return sh_fail(s, SEMIHOST_EFAULT);
    uint64_t info[4] = { s->heap_base, s->heap_limit, s->stack_base, s->stack_limit };
    if (!sh_write(s, block, info, sizeof info))
        return sh_fail(s, SEMIHOST_EFAULT);
    return 0;
}

static uint64_t sh_get_cmdline(semihost *s, uint64_t param)
{
    uint64_t buf = 0, size = 0;
    if (!sh_arg(s, param, 0, &buf) || !sh_arg(s, param, 1, &size))
        return sh_fail(s, SEMIHOST_EFAULT);
    const char *cmd = s->cmdline ? s->cmdline : "";
    uint64_t len = strlen(cmd);
    if (len + 1 > size)
        return sh_fail(s, SEMIHOST_EFAULT);
    if (!sh_write(s, buf, cmd, len + 1) || !sh_write(s, param + 8, &len, sizeof len))
        return sh_fail(s, SEMIHOST_EFAULT);
    return 0;
}

static semihost_status sh_exit(semihost *s, uint64_t param, semihost_result *r)
{
    uint64_t reason = 0, subcode = 0;
    if (!sh_arg(s, param, 0, &reason) || !sh_arg(s, param, 1, &subcode)) {
        r->x0 = sh_fail(s, SEMIHOST_EFAULT);
        return SEMIHOST_DONE;
    }
    r->exit_reason = reason;
    r->exit_status = reason == ADP_STOPPED_APPLICATION_EXIT ? (int)(subcode & 0xff) : SEMIHOST_EXIT_FAILURE;
    return SEMIHOST_EXIT;
}

semihost_status semihost_call(semihost *s, uint32_t op, uint64_t param, uint64_t cycles,
                              semihost_result *r)
{
    memset(r, 0, sizeof *r);
    uint64_t arg = 0;
    switch (op) {
    case SYS_WRITEC: {
        uint8_t c;
        if (!sh_read(s, param, &c, 1))
            r->x0 = sh_fail(s, SEMIHOST_EFAULT);
        else
            sh_console(s, &c, 1);
        return SEMIHOST_DONE;
    }
    case SYS_WRITE0: r->x0 = sh_write0(s, param); return SEMIHOST_DONE;
    case SYS_WRITE: r->x0 = sh_write_op(s, param); return SEMIHOST_DONE;
    case SYS_READ: r->x0 = sh_read_op(s, param); return SEMIHOST_DONE;
    case SYS_OPEN: r->x0 = sh_open(s, param); return SEMIHOST_DONE;
    case SYS_CLOSE:
    case SYS_ISTTY:
        if (!sh_arg(s, param, 0, &arg))
            r->x0 = sh_fail(s, SEMIHOST_EFAULT);
        else if (!sh_is_console(arg))
            r->x0 = op == SYS_ISTTY ? 0 : sh_fail(s, SEMIHOST_EBADF);
        else
            r->x0 = op == SYS_ISTTY ? 1 : 0;
        return SEMIHOST_DONE;
    case SYS_SEEK:
    case SYS_FLEN:
        r->x0 = sh_fail(s, SEMIHOST_EBADF);     /* the console has no position or length */
        return SEMIHOST_DONE;
    case SYS_TMPNAM:
    case SYS_REMOVE:
    case SYS_RENAME:
    case SYS_SYSTEM:
        r->x0 = sh_fail(s, SEMIHOST_EACCES);    /* host files and commands are never granted */
        return SEMIHOST_DONE;
    case SYS_ISERROR:
        if (!sh_arg(s, param, 0, &arg))
            r->x0 = sh_fail(s, SEMIHOST_EFAULT);
        else
            r->x0 = (int64_t)arg < 0;
        return SEMIHOST_DONE;
    case SYS_ERRNO: r->x0 = (uint64_t)s->last_errno; return SEMIHOST_DONE;
    case SYS_HEAPINFO: r->x0 = sh_heapinfo(s, param); return SEMIHOST_DONE;
    case SYS_GET_CMDLINE: r->x0 = sh_get_cmdline(s, param); return SEMIHOST_DONE;
    case SYS_CLOCK: r->x0 = cycles / SEMIHOST_CYCLES_PER_CS; return SEMIHOST_DONE;
    case SYS_TICKFREQ: r->x0 = SEMIHOST_TICK_HZ; return SEMIHOST_DONE;
    case SYS_ELAPSED:
        r->x0 = sh_write(s, param, &cycles, sizeof cycles) ? 0 : sh_fail(s, SEMIHOST_EFAULT);
        return SEMIHOST_DONE;
    case SYS_EXIT:
    case SYS_EXIT_EXTENDED:
        return sh_exit(s, param, r);
    default:
        /* SYS_READC (no console input), SYS_TIME (host time) and unknown
         * operations are not modelled. */
        r->op_name = semihost_op_name(op);
        return SEMIHOST_UNSUPPORTED;
    }
}
