/*
 * Trap records as text: one human line (--trace-traps) and one JSON object
 * per line (--trace, docs/trace.md). Both read the record; neither
 * re-derives anything. 64-bit values are hex strings in JSON, since JSON
 * readers such as jq hold numbers as doubles.
 */
#include "emu/emu.h"
#include "trace/out_buf.h"

/* JSON string contents: the record's text is ASCII, but escape what JSON requires anyway. */
static void put_json_string(out_buf *o, const char *s)
{
    out_put(o, "\"");
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            out_put(o, "\\%c", c);
        else if (c < 0x20)
            out_put(o, "\\u%04x", c);
        else
            out_put(o, "%c", c);
    }
    out_put(o, "\"");
}

size_t emu_trap_to_text(const emu_trap *t, char *buf, size_t len)
{
    out_buf o = out_buf_init(buf, len);
    if (t->kind == EMU_TRAP_RETURN) {
        out_put(&o, "trap %llu: return cpl%u rip 0x%llx -> cpl%u rip 0x%llx rsp 0x%llx, %llu cycles",
            (unsigned long long)t->seq, t->from_priv, (unsigned long long)t->from_pc, t->to_priv,
            (unsigned long long)t->to_pc, (unsigned long long)t->to_sp, (unsigned long long)t->cycles);
        return out_finish(&o);
    }
    out_put(&o, "trap %llu: %s", (unsigned long long)t->seq, emu_trap_kind_name(t->kind));
    if (t->vector >= 0)
        out_put(&o, " vector %d", t->vector);
    if (t->has_error_code)
        out_put(&o, " error 0x%x", t->error_code);
    if (t->vector == 14)
        out_put(&o, " cr2 0x%llx", (unsigned long long)t->cr2);
    out_put(&o, " cpl%u rip 0x%llx -> cpl%u rip 0x%llx stack %s rsp 0x%llx, %llu cycles", t->from_priv,
        (unsigned long long)t->from_pc, t->to_priv, (unsigned long long)t->to_pc, t->stack,
        (unsigned long long)t->to_sp, (unsigned long long)t->cycles);
    if (t->source[0])
        out_put(&o, " from %s", t->source);
    if (t->escalation[0])
        out_put(&o, " (%s)", t->escalation);
    return out_finish(&o);
}

size_t emu_trap_to_json(const emu_trap *t, char *buf, size_t len)
{
    out_buf o = out_buf_init(buf, len);
    out_put(&o, "{\"seq\":%llu,\"arch\":\"x86_64\",\"kind\":\"%s\",\"vector\":%d,", (unsigned long long)t->seq,
        emu_trap_kind_name(t->kind), t->vector);
    if (t->has_error_code)
        out_put(&o, "\"error_code\":%u,", t->error_code);
    else
        out_put(&o, "\"error_code\":null,");
    out_put(&o, "\"cr2\":\"0x%llx\",\"cycle_start\":%llu,\"cycles\":%llu,", (unsigned long long)t->cr2,
        (unsigned long long)t->cycle_start, (unsigned long long)t->cycles);
    out_put(&o, "\"from\":{\"pc\":\"0x%llx\",\"sp\":\"0x%llx\",\"priv\":%u},", (unsigned long long)t->from_pc,
        (unsigned long long)t->from_sp, t->from_priv);
    out_put(&o, "\"to\":{\"pc\":\"0x%llx\",\"sp\":\"0x%llx\",\"priv\":%u,\"stack\":", (unsigned long long)t->to_pc,
        (unsigned long long)t->to_sp, t->to_priv);
    put_json_string(&o, t->stack);
    out_put(&o, "},\"gs_base\":\"0x%llx\",\"kernel_gs_base\":\"0x%llx\",\"source\":", (unsigned long long)t->gs_base,
        (unsigned long long)t->kernel_gs_base);
    put_json_string(&o, t->source);
    out_put(&o, ",\"escalation\":");
    put_json_string(&o, t->escalation);
    out_put(&o, ",\"steps\":[");
    for (unsigned i = 0; i < t->n_steps; i++) {
        const emu_trap_step *s = &t->steps[i];
        out_put(&o, "%s{\"name\":", i ? "," : "");
        put_json_string(&o, s->name);
        out_put(&o, ",\"addr\":\"0x%llx\",\"value\":\"0x%llx\",\"cycles\":%u}", (unsigned long long)s->addr,
            (unsigned long long)s->value, s->cycles);
    }
    out_put(&o, "]}");
    return out_finish(&o);
}
