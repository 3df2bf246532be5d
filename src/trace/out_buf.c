/* The trace formatters' bounded buffer (out_buf.h). */
#include "trace/out_buf.h"

#include <stdarg.h>
#include <stdio.h>

out_buf out_buf_init(char *buf, size_t len)
{
    if (len)
        buf[0] = '\0';
    return (out_buf){ buf, len, 0, len == 0 };
}

void out_put(out_buf *o, const char *fmt, ...)
{
    if (o->truncated)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(o->buf + o->used, o->len - o->used, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= o->len - o->used) {
        o->truncated = true;
        return;
    }
    o->used += (size_t)n;
}

size_t out_finish(out_buf *o)
{
    if (o->truncated) {
        if (o->len)
            o->buf[0] = '\0';
        return 0;
    }
    return o->used;
}
