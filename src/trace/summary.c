/*
 * The trap summary (`emu --summary`, and part of `--stats`): how many
 * records of each kind, and of each vector within a kind, and their modelled
 * cycles. It adds up the records' own fields; rows come in a fixed order
 * (kind, then vector) so the same run prints the same table.
 */
#include "cpu/x86/vectors.h"
#include "emu/emu.h"
#include "trace/out_buf.h"

#define SUMMARY_VECTORS 256
#define FIRST_INT_N_VECTOR 32   /* vectors 0-31 are the architecture's exceptions (SDM vol. 3, table 6-1) */

void emu_trap_summary_add(emu_trap_summary *s, const emu_trap *t)
{
    if ((unsigned)t->kind >= EMU_TRAP_KIND_COUNT)
        return;
    s->count[t->kind]++;
    s->cycles[t->kind] += t->cycles;
    if (t->vector >= 0 && t->vector < SUMMARY_VECTORS) {
        s->vector_count[t->kind][t->vector]++;
        s->vector_cycles[t->kind][t->vector] += t->cycles;
    }
}

/* "#GP", "INT 0x80" for a software interrupt, "" for other vectors from 32 up. */
static void vector_label(emu_trap_kind kind, unsigned vector, char *buf, size_t len)
{
    out_buf o = out_buf_init(buf, len);
    if (vector < FIRST_INT_N_VECTOR)
        out_put(&o, "%s", x86_vector_mnemonic(vector));
    else if (kind == EMU_TRAP_SOFTWARE)
        out_put(&o, "INT 0x%x", vector);
    out_finish(&o);
}

size_t emu_trap_summary_to_text(const emu_trap_summary *s, char *buf, size_t len)
{
    out_buf o = out_buf_init(buf, len);
    unsigned long long total = 0, total_cycles = 0;
    out_put(&o, "%-10s %-6s %-12s %8s %10s\n", "kind", "vector", "", "count", "cycles");
    for (unsigned k = 0; k < EMU_TRAP_KIND_COUNT; k++) {
        if (!s->count[k])
            continue;
        out_put(&o, "%-10s %-6s %-12s %8llu %10llu\n", emu_trap_kind_name((emu_trap_kind)k), "", "",
                (unsigned long long)s->count[k], (unsigned long long)s->cycles[k]);
        for (unsigned v = 0; v < SUMMARY_VECTORS; v++) {
            if (!s->vector_count[k][v])
                continue;
            char label[16];
            vector_label((emu_trap_kind)k, v, label, sizeof label);
            out_put(&o, "%-10s %6u %-12s %8llu %10llu\n", "", v, label, (unsigned long long)s->vector_count[k][v],
                    (unsigned long long)s->vector_cycles[k][v]);
        }
        total += s->count[k];
        total_cycles += s->cycles[k];
    }
    out_put(&o, "%-10s %-6s %-12s %8llu %10llu", "total", "", "", total, total_cycles);
    return out_finish(&o);
}
