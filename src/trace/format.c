/*
 * Trap records as text: one human line (--log-traps) and one JSON object
 * per line (--trace, docs/trace.md). Both read the record; neither
 * re-derives anything. 64-bit values are hex strings in JSON, since JSON
 * readers such as jq hold numbers as doubles.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "emu/emu.h"

typedef struct out_buf {
    char *buf;
    size_t len, used;
    bool truncated;
} out_buf;

static void put(out_buf *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(out_buf *o, const char *fmt, ...)
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

/* JSON string contents: the record's text is ASCII, but escape what JSON requires anyway. */
static void put_json_string(out_buf *o, const char *s)
{
    put(o, "\"");
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            put(o, "\\%c", c);
        else if (c < 0x20)
            put(o, "\\u%04x", c);
        else
            put(o, "%c", c);
    }
    put(o, "\"");
}

static size_t finish(out_buf *o)
{
    if (o->truncated) {
        if (o->len)
            o->buf[0] = '\0';
        return 0;
    }
    return o->used;
}

size_t emu_trap_to_text(const emu_trap *t, char *buf, size_t len)
{
    out_buf o = { buf, len, 0, len == 0 };
    if (t->kind == EMU_TRAP_RETURN) {
        put(&o, "trap %llu: return cpl%u rip 0x%llx -> cpl%u rip 0x%llx rsp 0x%llx, %llu cycles",
            (unsigned long long)t->seq, t->from_priv, (unsigned long long)t->from_pc, t->to_priv,
            (unsigned long long)t->to_pc, (unsigned long long)t->to_sp, (unsigned long long)t->cycles);
        return finish(&o);
    }
    put(&o, "trap %llu: %s", (unsigned long long)t->seq, emu_trap_kind_name(t->kind));
    if (t->vector >= 0)
        put(&o, " vector %d", t->vector);
    if (t->has_error_code)
        put(&o, " error 0x%x", t->error_code);
    if (t->vector == 14)
        put(&o, " cr2 0x%llx", (unsigned long long)t->cr2);
    put(&o, " cpl%u rip 0x%llx -> cpl%u rip 0x%llx stack %s rsp 0x%llx, %llu cycles", t->from_priv,
        (unsigned long long)t->from_pc, t->to_priv, (unsigned long long)t->to_pc, t->stack,
        (unsigned long long)t->to_sp, (unsigned long long)t->cycles);
    if (t->source[0])
        put(&o, " from %s", t->source);
    if (t->escalation[0])
        put(&o, " (%s)", t->escalation);
    return finish(&o);
}

size_t emu_trap_to_json(const emu_trap *t, char *buf, size_t len)
{
    out_buf o = { buf, len, 0, len == 0 };
    put(&o, "{\"seq\":%llu,\"arch\":\"x86_64\",\"kind\":\"%s\",\"vector\":%d,", (unsigned long long)t->seq,
        emu_trap_kind_name(t->kind), t->vector);
    if (t->has_error_code)
        put(&o, "\"error_code\":%u,", t->error_code);
    else
        put(&o, "\"error_code\":null,");
    put(&o, "\"cr2\":\"0x%llx\",\"cycle_start\":%llu,\"cycles\":%llu,", (unsigned long long)t->cr2,
        (unsigned long long)t->cycle_start, (unsigned long long)t->cycles);
    put(&o, "\"from\":{\"pc\":\"0x%llx\",\"sp\":\"0x%llx\",\"priv\":%u},", (unsigned long long)t->from_pc,
        (unsigned long long)t->from_sp, t->from_priv);
    put(&o, "\"to\":{\"pc\":\"0x%llx\",\"sp\":\"0x%llx\",\"priv\":%u,\"stack\":", (unsigned long long)t->to_pc,
        (unsigned long long)t->to_sp, t->to_priv);
    put_json_string(&o, t->stack);
    put(&o, "},\"gs_base\":\"0x%llx\",\"kernel_gs_base\":\"0x%llx\",\"source\":", (unsigned long long)t->gs_base,
        (unsigned long long)t->kernel_gs_base);
    put_json_string(&o, t->source);
    put(&o, ",\"escalation\":");
    put_json_string(&o, t->escalation);
    put(&o, ",\"steps\":[");
    for (unsigned i = 0; i < t->n_steps; i++) {
        const emu_trap_step *s = &t->steps[i];
        put(&o, "%s{\"name\":", i ? "," : "");
        put_json_string(&o, s->name);
        put(&o, ",\"addr\":\"0x%llx\",\"value\":\"0x%llx\",\"cycles\":%u}", (unsigned long long)s->addr,
            (unsigned long long)s->value, s->cycles);
    }
    put(&o, "]}");
    return finish(&o);
}
