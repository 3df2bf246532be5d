/*
 * The device tree for -M virt, written with libfdt's sequential-write API
 * (nodes in a fixed order, so the same configuration gives the same bytes).
 * Bindings: Documentation/devicetree/bindings in Linux (arm/psci.yaml,
 * serial/pl011.yaml, timer/arm,arch_timer.yaml, interrupt-controller/
 * arm,gic.yaml and arm,gic-v3.yaml). Differences from QEMU's tree, on
 * purpose: only modelled devices appear (no flash, fw-cfg, RTC, GPIO,
 * virtio-mmio, PCIe, PMU, v2m/ITS); the CPU has enable-method = "psci"
 * (QEMU adds it only with more than one CPU); there is no cpu-map; and no
 * rng-seed/kaslr-seed, which QEMU fills from the host's randomness.
 */
#include "loader/fdt_virt.h"

#include <libfdt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "platform/virt/virt_map.h"
#include "platform/virt/psci.h"

/* Interrupt specifier cells (arm,gic.yaml): type, number, flags. */
#define GIC_FDT_IRQ_TYPE_SPI        0
#define GIC_FDT_IRQ_TYPE_PPI        1
#define IRQ_TYPE_LEVEL_HIGH         4
/* GICv2 PPI flags carry a CPU mask in bits [15:8]: one CPU. */
#define GIC_FDT_IRQ_PPI_CPU_SHIFT   8
#define GIC_FDT_ONE_CPU_MASK        0x1u

typedef struct fdt_writer {
    void *fdt;
    int err;                /* first libfdt error */
} fdt_writer;

static void w_check(fdt_writer *w, int rc)
{
    if (rc < 0 && w->err == 0)
        w->err = rc;
}

static void w_begin(fdt_writer *w, const char *name) { w_check(w, fdt_begin_node(w->fdt, name)); }
static void w_end(fdt_writer *w) { w_check(w, fdt_end_node(w->fdt)); }
static void w_string(fdt_writer *w, const char *name, const char *s) { w_check(w, fdt_property_string(w->fdt, name, s)); }
static void w_u32(fdt_writer *w, const char *name, uint32_t v) { w_check(w, fdt_property_u32(w->fdt, name, v)); }
static void w_u64(fdt_writer *w, const char *name, uint64_t v) { w_check(w, fdt_property_u64(w->fdt, name, v)); }
static void w_empty(fdt_writer *w, const char *name) { w_check(w, fdt_property(w->fdt, name, NULL, 0)); }

/* A property of NUL-separated strings ("arm,pl011\0arm,primecell"). */
static void w_strings(fdt_writer *w, const char *name, const char *const *list, size_t n)
{
    char buf[256];
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(list[i]) + 1;
        if (len + l > sizeof buf) {
            w_check(w, -FDT_ERR_NOSPACE);
            return;
        }
        memcpy(buf + len, list[i], l);
        len += l;
    }
    w_check(w, fdt_property(w->fdt, name, buf, (int)len));
}

static void w_cells(fdt_writer *w, const char *name, const uint32_t *cells, size_t n)
{
    fdt32_t be[16];
    if (n > 16) {
        w_check(w, -FDT_ERR_NOSPACE);
        return;
    }
    for (size_t i = 0; i < n; i++)
        be[i] = cpu_to_fdt32(cells[i]);
    w_check(w, fdt_property(w->fdt, name, be, (int)(n * sizeof be[0])));
}

/* reg = <base size ...> with #address-cells = #size-cells = 2. */
static void w_reg64(fdt_writer *w, const uint64_t *pairs, size_t n_pairs)
{
    uint32_t cells[16];
    for (size_t i = 0; i < n_pairs * 2 && i < 8; i++) {
        cells[2 * i] = (uint32_t)(pairs[i] >> 32);
        cells[2 * i + 1] = (uint32_t)pairs[i];
    }
    w_cells(w, "reg", cells, n_pairs * 4);
}

static void node_psci(fdt_writer *w, const fdt_virt_config *cfg)
{
    static const char *const compat[] = { "arm,psci-1.0", "arm,psci-0.2", "arm,psci" };
    w_begin(w, "psci");
    w_strings(w, "compatible", compat, 3);
    w_string(w, "method", cfg->psci_method);
    /* The PSCI 0.1 function IDs QEMU also lists (arm/psci.yaml). */
    w_u32(w, "cpu_suspend", PSCI_CPU_SUSPEND_64);
    w_u32(w, "cpu_off", PSCI_CPU_OFF);
    w_u32(w, "cpu_on", PSCI_CPU_ON_64);
    w_u32(w, "migrate", PSCI_MIGRATE_64);
    w_end(w);
}

static void node_memory(fdt_writer *w, const fdt_virt_config *cfg)
{
    char name[40];
    snprintf(name, sizeof name, "memory@%llx", (unsigned long long)cfg->ram_base);
    w_begin(w, name);
    w_string(w, "device_type", "memory");
    uint64_t reg[2] = { cfg->ram_base, cfg->ram_size };
    w_reg64(w, reg, 1);
    w_end(w);
}

static void node_pl011(fdt_writer *w)
{
    static const char *const compat[] = { "arm,pl011", "arm,primecell" };
    static const char *const clock_names[] = { "uartclk", "apb_pclk" };
    char name[40];
    snprintf(name, sizeof name, "pl011@%llx", (unsigned long long)VIRT_UART_BASE);
    w_begin(w, name);
    w_strings(w, "compatible", compat, 2);
    uint64_t reg[2] = { VIRT_UART_BASE, VIRT_UART_SIZE };
    w_reg64(w, reg, 1);
    uint32_t irq[3] = { GIC_FDT_IRQ_TYPE_SPI, VIRT_SPI_UART, IRQ_TYPE_LEVEL_HIGH };
    w_cells(w, "interrupts", irq, 3);
    uint32_t clocks[2] = { FDT_VIRT_PHANDLE_APB_PCLK, FDT_VIRT_PHANDLE_APB_PCLK };
    w_cells(w, "clocks", clocks, 2);
    w_strings(w, "clock-names", clock_names, 2);
    w_end(w);
}

static void node_gic(fdt_writer *w, const fdt_virt_config *cfg)
{
    char name[40];
    snprintf(name, sizeof name, "intc@%llx", (unsigned long long)VIRT_GIC_DIST_BASE);
    w_begin(w, name);
    w_u32(w, "phandle", FDT_VIRT_PHANDLE_GIC);
    if (cfg->gic_version == 3) {
        w_string(w, "compatible", "arm,gic-v3");
        uint64_t reg[4] = { VIRT_GIC_DIST_BASE, VIRT_GIC_DIST_SIZE, VIRT_GIC_REDIST_BASE, VIRT_GIC_REDIST_SIZE };
        w_reg64(w, reg, 2);
        w_u32(w, "#redistributor-regions", 1);
    } else {
        w_string(w, "compatible", "arm,cortex-a15-gic");
        uint64_t reg[4] = { VIRT_GIC_DIST_BASE, VIRT_GIC_DIST_SIZE, VIRT_GIC_CPU_BASE, VIRT_GIC_CPU_SIZE };
        w_reg64(w, reg, 2);
    }
    w_u32(w, "#interrupt-cells", 3);
    w_empty(w, "interrupt-controller");
    w_u32(w, "#address-cells", 2);
    w_u32(w, "#size-cells", 2);
    w_empty(w, "ranges");
    w_end(w);
}

static void node_cpus(fdt_writer *w, const fdt_virt_config *cfg)
{
    w_begin(w, "cpus");
    w_u32(w, "#address-cells", 1);
    w_u32(w, "#size-cells", 0);
    char name[40];
    snprintf(name, sizeof name, "cpu@%llx", (unsigned long long)cfg->mpidr);
    w_begin(w, name);
    w_string(w, "device_type", "cpu");
    w_string(w, "compatible", cfg->cpu_compatible ? cfg->cpu_compatible : "arm,cortex-a57");
    w_u32(w, "reg", (uint32_t)cfg->mpidr);
    w_string(w, "enable-method", "psci");
    w_u32(w, "phandle", FDT_VIRT_PHANDLE_CPU0);
    w_end(w);
    w_end(w);
}

static void node_timer(fdt_writer *w, const fdt_virt_config *cfg)
{
    static const char *const compat[] = { "arm,armv8-timer", "arm,armv7-timer" };
    uint32_t flags = IRQ_TYPE_LEVEL_HIGH;
    if (cfg->gic_version == 2)
        flags |= GIC_FDT_ONE_CPU_MASK << GIC_FDT_IRQ_PPI_CPU_SHIFT;
    /* Order fixed by the binding: secure phys, non-secure phys, virt, hyp. */
    uint32_t irqs[12] = {
        GIC_FDT_IRQ_TYPE_PPI, VIRT_PPI_TIMER_S_EL1, flags,
        GIC_FDT_IRQ_TYPE_PPI, VIRT_PPI_TIMER_NS_EL1, flags,
        GIC_FDT_IRQ_TYPE_PPI, VIRT_PPI_TIMER_VIRT, flags,
        GIC_FDT_IRQ_TYPE_PPI, VIRT_PPI_TIMER_NS_EL2, flags,
    };
    w_begin(w, "timer");
    w_strings(w, "compatible", compat, 2);
    w_cells(w, "interrupts", irqs, 12);
    w_empty(w, "always-on");
    w_end(w);
}

static void node_apb_pclk(fdt_writer *w)
{
    w_begin(w, "apb-pclk");
    w_string(w, "compatible", "fixed-clock");
    w_u32(w, "#clock-cells", 0);
    w_u32(w, "clock-frequency", VIRT_APB_PCLK_HZ);
    w_string(w, "clock-output-names", "clk24mhz");
    w_u32(w, "phandle", FDT_VIRT_PHANDLE_APB_PCLK);
    w_end(w);
}

static void node_chosen(fdt_writer *w, const fdt_virt_config *cfg)
{
    char path[40];
    snprintf(path, sizeof path, "/pl011@%llx", (unsigned long long)VIRT_UART_BASE);
    w_begin(w, "chosen");
    w_string(w, "stdout-path", path);
    if (cfg->bootargs)
        w_string(w, "bootargs", cfg->bootargs);
    if (cfg->initrd_end != cfg->initrd_start) {
        /* 64-bit values, as root #address-cells is 2 (QEMU does the same). */
        w_u64(w, "linux,initrd-start", cfg->initrd_start);
        w_u64(w, "linux,initrd-end", cfg->initrd_end);
    }
    w_end(w);
}

emu_err fdt_virt_build(const fdt_virt_config *cfg, void *buf, size_t buf_size, size_t *size,
                       char *why, size_t why_len)
{
    *size = 0;
    if (cfg->gic_version != 2 && cfg->gic_version != 3) {
        snprintf(why, why_len, "GIC version %d: the virt machine has GICv2 or GICv3", cfg->gic_version);
        return EMU_ERR_INVALID_ARG;
    }
    if (!cfg->psci_method || (strcmp(cfg->psci_method, "hvc") != 0 && strcmp(cfg->psci_method, "smc") != 0)) {
        snprintf(why, why_len, "PSCI method must be \"hvc\" or \"smc\"");
        return EMU_ERR_INVALID_ARG;
    }
    if (cfg->initrd_end < cfg->initrd_start) {
        snprintf(why, why_len, "initrd ends before it starts");
        return EMU_ERR_INVALID_ARG;
    }
    if (buf_size > INT32_MAX)
        buf_size = INT32_MAX;
    fdt_writer w = { .fdt = buf, .err = 0 };
    w_check(&w, fdt_create(buf, (int)buf_size));
    if (w.err == 0)
        w_check(&w, fdt_finish_reservemap(buf));
    if (w.err) {
        snprintf(why, why_len, "building the device tree: %s", fdt_strerror(w.err));
        return EMU_ERR_INVALID_ARG;
    }
    w_begin(&w, "");
    w_u32(&w, "interrupt-parent", FDT_VIRT_PHANDLE_GIC);
    w_string(&w, "model", "linux,dummy-virt");
    w_u32(&w, "#size-cells", 2);
    w_u32(&w, "#address-cells", 2);
    w_string(&w, "compatible", "linux,dummy-virt");
    node_psci(&w, cfg);
    node_memory(&w, cfg);
    node_pl011(&w);
    node_gic(&w, cfg);
    node_cpus(&w, cfg);
    node_timer(&w, cfg);
    node_apb_pclk(&w);
    node_chosen(&w, cfg);
    w_end(&w);
    w_check(&w, fdt_finish(buf));
    if (w.err) {
        snprintf(why, why_len, "building the device tree: %s", fdt_strerror(w.err));
        return EMU_ERR_INVALID_ARG;
    }
    *size = fdt_totalsize(buf);
    return EMU_OK;
}
