/*
 * Fuzz the virt devices as a guest would drive them: any sequence of MMIO
 * reads and writes (any offset and width) to the GIC distributor, GICv2
 * CPU interface or GICv3 redistributor and the PL011, ICC system register
 * accesses, timer register writes and device input lines must neither crash
 * nor break the GIC's invariants. Each operation takes 12 input bytes: kind,
 * width, a 16-bit offset and a 64-bit value; the first byte picks the GIC
 * version.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "apic/gic.h"
#include "apic/gtimer.h"
#include "platform/virt/pl011.h"
#include "platform/virt/virt_map.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define OP_BYTES 12

static void sink(void *ctx, const uint8_t *bytes, size_t len)
{
    (void)ctx;
    (void)bytes;
    (void)len;
}

static void sysreg(gic *g, unsigned which, uint64_t v)
{
    switch (which % 16) {
    case 0: gicv3_icc_iar1_read(g); break;
    case 1: gicv3_icc_iar0_read(g); break;
    case 2: gicv3_icc_eoir1_write(g, v); break;
    case 3: gicv3_icc_eoir0_write(g, v); break;
    case 4: gicv3_icc_dir_write(g, v); break;
    case 5: gicv3_icc_pmr_write(g, v); break;
    case 6: gicv3_icc_bpr0_write(g, v); break;
    case 7: gicv3_icc_bpr1_write(g, v); break;
    case 8: gicv3_icc_ctlr_write(g, v); break;
    case 9: gicv3_icc_igrpen0_write(g, v); break;
    case 10: gicv3_icc_igrpen1_write(g, v); break;
    case 11: gicv3_icc_sgi1r_write(g, v); break;
    case 12: gicv3_icc_sre_write(g, v); break;
    case 13: (void)gicv3_icc_hppir1_read(g); (void)gicv3_icc_hppir0_read(g); break;
    case 14: (void)gicv3_icc_rpr_read(g); (void)gicv3_icc_bpr1_read(g); break;
    default: (void)gicv3_icc_ctlr_read(g); break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static gic g;
    static gtimer t;
    static pl011 u;
    gic_init(&g, (data[0] & 1) ? GIC_V3 : GIC_V2);
    irq_line lines[GTIMER_COUNT];
    for (unsigned i = 0; i < GTIMER_COUNT; i++)
        lines[i] = (irq_line){ gic_set_irq, &g, GIC_PPI_BASE + 10 + i };
    gtimer_init(&t, lines);
    pl011_init(&u, sink, NULL, (irq_line){ gic_set_irq, &g, VIRT_IRQ_UART });
    uint64_t cycles = 0;
    for (size_t at = 1; at + OP_BYTES <= size; at += OP_BYTES) {
        const uint8_t *op = data + at;
        unsigned kind = op[0] % 8;
        unsigned width = 1u << (op[1] % 4);
        uint64_t offset = (uint64_t)op[2] | (uint64_t)op[3] << 8 | (uint64_t)(op[1] >> 4) << 16;
        uint64_t value = 0;
        memcpy(&value, op + 4, sizeof value);
        bool write = op[0] & 0x80;
        uint64_t v = value;
        cycles += op[0];
        switch (kind) {
        case 0: write ? gic_dist_write(&g, offset, width, v) : gic_dist_read(&g, offset, width, &v); break;
        case 1: write ? gicv2_cpu_write(&g, offset, width, v) : gicv2_cpu_read(&g, offset, width, &v); break;
        case 2: write ? gicv3_redist_write(&g, offset, width, v) : gicv3_redist_read(&g, offset, width, &v); break;
        case 3: write ? pl011_write(&u, offset, width, v) : pl011_read(&u, offset, width, &v); break;
        case 4: if (g.version == GIC_V3) sysreg(&g, op[2], value); break;
        case 5: gic_set_irq(&g, (unsigned)offset, value & 1); break;
        case 6: pl011_receive(&u, (uint8_t)value); break;
        default: {
            gtimer_index i = (gtimer_index)(op[2] % GTIMER_COUNT);
            if (op[3] & 1)
                gtimer_write_ctl(&t, i, cycles, value);
            else if (op[3] & 2)
                gtimer_write_tval(&t, i, cycles, value);
            else
                gtimer_write_cval(&t, i, cycles, value);
            uint64_t next = gtimer_next_event(&t, cycles);
            if (next < cycles)
                abort();
            gtimer_update(&t, cycles);
            break;
        }
        }
        /* Invariant: an asserted output has a real interrupt behind it,
         * enabled, pending and not active. */
        if (g.irq_out || g.fiq_out) {
            unsigned hp = 0;
            for (hp = 0; hp < g.num_irqs; hp++) {
                const gic_irq *irq = &g.irq[hp];
                if (irq->enabled && !irq->active && (irq->pending_latch || (!irq->edge && irq->line)))
                    break;
            }
            if (hp == g.num_irqs)
                abort();
        }
    }
    return 0;
}
