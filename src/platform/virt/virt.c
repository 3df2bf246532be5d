/*
 * Wiring and address decoding of the virt machine's devices (virt.h). The
 * GICv3 redistributor region is sized for 123 CPUs as QEMU's; with one CPU
 * only its first 128 KiB frame pair exists, the rest is unmapped.
 */
#include "platform/virt/virt.h"

#include <stdio.h>

#include "platform/virt/virt_map.h"

void virt_platform_init(virt_platform *v, const virt_config *cfg)
{
    gic_init(&v->gic, cfg->gic_version);
    irq_line timer_lines[GTIMER_COUNT] = {
        [GTIMER_PHYS] = { gic_set_irq, &v->gic, VIRT_IRQ_TIMER_NS_EL1 },
        [GTIMER_VIRT] = { gic_set_irq, &v->gic, VIRT_IRQ_TIMER_VIRT },
        [GTIMER_HYP] = { gic_set_irq, &v->gic, VIRT_IRQ_TIMER_NS_EL2 },
        [GTIMER_SEC] = { gic_set_irq, &v->gic, VIRT_IRQ_TIMER_S_EL1 },
    };
    gtimer_init(&v->timer, timer_lines);
    pl011_init(&v->uart, cfg->console, cfg->console_ctx, (irq_line){ gic_set_irq, &v->gic, VIRT_IRQ_UART });
    psci_init(&v->psci, cfg->mpidr, cfg->stop, cfg->stop_ctx);
    semihost_init(&v->semihost, cfg->semihosting, cfg->semihost_io);
}

typedef enum virt_device {
    VIRT_DEV_NONE,
    VIRT_DEV_GICD,
    VIRT_DEV_GICC,
    VIRT_DEV_GICR,
    VIRT_DEV_UART,
} virt_device;

static bool in(uint64_t paddr, uint64_t base, uint64_t size, uint64_t *offset)
{
    if (paddr < base || paddr - base >= size)
        return false;
    *offset = paddr - base;
    return true;
}

static virt_device virt_decode(const virt_platform *v, uint64_t paddr, uint64_t *offset)
{
    if (in(paddr, VIRT_GIC_DIST_BASE, VIRT_GIC_DIST_SIZE, offset))
        return VIRT_DEV_GICD;
    if (v->gic.version == GIC_V2 && in(paddr, VIRT_GIC_CPU_BASE, VIRT_GIC_CPU_SIZE, offset))
        return VIRT_DEV_GICC;
    if (v->gic.version == GIC_V3 && in(paddr, VIRT_GIC_REDIST_BASE, VIRT_GIC_REDIST_STRIDE, offset))
        return VIRT_DEV_GICR;
    if (in(paddr, VIRT_UART_BASE, VIRT_UART_SIZE, offset))
        return VIRT_DEV_UART;
    return VIRT_DEV_NONE;
}

static virt_mmio_status virt_access(virt_platform *v, uint64_t paddr, unsigned size, bool write, uint64_t *val)
{
    uint64_t off = 0;
    bool ok = false;
    switch (virt_decode(v, paddr, &off)) {
    case VIRT_DEV_NONE:
        return VIRT_MMIO_UNMAPPED;
    case VIRT_DEV_GICD:
        ok = write ? gic_dist_write(&v->gic, off, size, *val) : gic_dist_read(&v->gic, off, size, val);
        break;
    case VIRT_DEV_GICC:
        ok = write ? gicv2_cpu_write(&v->gic, off, size, *val) : gicv2_cpu_read(&v->gic, off, size, val);
        break;
    case VIRT_DEV_GICR:
        ok = write ? gicv3_redist_write(&v->gic, off, size, *val) : gicv3_redist_read(&v->gic, off, size, val);
        break;
    case VIRT_DEV_UART:
        ok = write ? pl011_write(&v->uart, off, size, *val) : pl011_read(&v->uart, off, size, val);
        break;
    }
    return ok ? VIRT_MMIO_OK : VIRT_MMIO_UNMODELLED;
}

virt_mmio_status virt_mmio_read(virt_platform *v, uint64_t paddr, unsigned size, uint64_t *val)
{
    return virt_access(v, paddr, size, false, val);
}

virt_mmio_status virt_mmio_write(virt_platform *v, uint64_t paddr, unsigned size, uint64_t val)
{
    return virt_access(v, paddr, size, true, &val);
}

void virt_mmio_describe(const virt_platform *v, uint64_t paddr, char *buf, size_t len)
{
    uint64_t off = 0;
    const char *name = NULL;
    const char *device = NULL;
    switch (virt_decode(v, paddr, &off)) {
    case VIRT_DEV_NONE:
        snprintf(buf, len, "no device at 0x%08llx", (unsigned long long)paddr);
        return;
    case VIRT_DEV_GICD: device = "GIC distributor"; name = gic_dist_reg_name(&v->gic, off); break;
    case VIRT_DEV_GICC: device = "GICv2 CPU interface"; break;
    case VIRT_DEV_GICR: device = "GICv3 redistributor"; break;
    case VIRT_DEV_UART: device = "PL011"; name = pl011_reg_name(off); break;
    }
    if (name)
        snprintf(buf, len, "%s (0x%08llx)", name, (unsigned long long)paddr);
    else
        snprintf(buf, len, "%s offset 0x%llx (0x%08llx)", device, (unsigned long long)off,
                 (unsigned long long)paddr);
}
