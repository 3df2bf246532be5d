/*
 * A bounded text buffer for the trace formatters: appends stop at the first
 * one that does not fit, and finishing a truncated buffer yields an empty
 * string and length 0, the contract of emu_trap_to_text and its kin.
 */
#ifndef EMU_TRACE_OUT_BUF_H
#define EMU_TRACE_OUT_BUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct out_buf {
    char *buf;
    size_t len, used;
    bool truncated;
} out_buf;

/* An empty buffer over buf[0..len); len 0 is truncated from the start. */
out_buf out_buf_init(char *buf, size_t len);

void out_put(out_buf *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The text's length, or 0 with an empty string if anything was cut. */
size_t out_finish(out_buf *o);

#endif
