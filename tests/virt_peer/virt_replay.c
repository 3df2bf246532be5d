/*
 * Replay a register script (README.md) against emu's virt devices (the
 * GIC, the PL011 and the generic timer, wired by virt_platform_init) and
 * print each read the way the QEMU probe does, so the two outputs can
 * be compared line by line. A register the model refuses prints
 * "refused <address>", which never matches QEMU's output.
 *
 * usage: virt_replay 2|3 SCRIPT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/virt/virt.h"

/* The probe runs a few thousand instructions before its timer accesses:
 * any time with a positive count behaves the same for CVAL = 0. */
#define REPLAY_CYCLES (1ull << 20)

static virt_platform vp;

static bool mmio(uint64_t addr, unsigned size, bool write, uint64_t *val)
{
    virt_mmio_status st = write ? virt_mmio_write(&vp, addr, size, *val) : virt_mmio_read(&vp, addr, size, val);
    return st == VIRT_MMIO_OK;
}

/* The QEMU probe prints each value through the PL011, which sets TXRIS
 * there: print through the model's UARTDR too, so the UART's interrupt
 * state follows the same history. */
static void print_value(const char *fmt, uint64_t v)
{
    char text[32];
    int n = snprintf(text, sizeof text, fmt, (unsigned long long)v);
    fputs(text, stdout);
    for (int i = 0; i < n; i++)
        pl011_write(&vp.uart, 0, 4, (uint8_t)text[i]);
}

static bool sysreg(const char *name, bool write, uint64_t *val)
{
    uint64_t v = *val;
    uint64_t now = REPLAY_CYCLES;
#define RD(n, expr) if (!write && strcmp(name, n) == 0) { *val = (expr); return true; }
#define WR(n, stmt) if (write && strcmp(name, n) == 0) { stmt; return true; }
    RD("ICC_IAR0_EL1", gicv3_icc_iar0_read(&vp.gic))
    RD("ICC_IAR1_EL1", gicv3_icc_iar1_read(&vp.gic))
    RD("ICC_HPPIR0_EL1", gicv3_icc_hppir0_read(&vp.gic))
    RD("ICC_HPPIR1_EL1", gicv3_icc_hppir1_read(&vp.gic))
    RD("ICC_BPR0_EL1", gicv3_icc_bpr0_read(&vp.gic))
    RD("ICC_BPR1_EL1", gicv3_icc_bpr1_read(&vp.gic))
    RD("ICC_CTLR_EL1", gicv3_icc_ctlr_read(&vp.gic))
    RD("ICC_SRE_EL1", gicv3_icc_sre_read(&vp.gic))
    RD("ICC_IGRPEN0_EL1", gicv3_icc_igrpen0_read(&vp.gic))
    RD("ICC_IGRPEN1_EL1", gicv3_icc_igrpen1_read(&vp.gic))
    RD("ICC_PMR_EL1", gicv3_icc_pmr_read(&vp.gic))
    RD("ICC_RPR_EL1", gicv3_icc_rpr_read(&vp.gic))
    RD("CNTP_CTL_EL0", gtimer_read_ctl(&vp.timer, GTIMER_PHYS, now))
    RD("CNTV_CTL_EL0", gtimer_read_ctl(&vp.timer, GTIMER_VIRT, now))
    RD("CNTP_CVAL_EL0", gtimer_read_cval(&vp.timer, GTIMER_PHYS))
    RD("CNTV_CVAL_EL0", gtimer_read_cval(&vp.timer, GTIMER_VIRT))
    RD("CNTFRQ_EL0", vp.timer.cntfrq)
    WR("ICC_EOIR0_EL1", gicv3_icc_eoir0_write(&vp.gic, v))
    WR("ICC_EOIR1_EL1", gicv3_icc_eoir1_write(&vp.gic, v))
    WR("ICC_DIR_EL1", gicv3_icc_dir_write(&vp.gic, v))
    WR("ICC_BPR0_EL1", gicv3_icc_bpr0_write(&vp.gic, v))
    WR("ICC_BPR1_EL1", gicv3_icc_bpr1_write(&vp.gic, v))
    WR("ICC_CTLR_EL1", gicv3_icc_ctlr_write(&vp.gic, v))
    WR("ICC_SRE_EL1", gicv3_icc_sre_write(&vp.gic, v))
    WR("ICC_IGRPEN0_EL1", gicv3_icc_igrpen0_write(&vp.gic, v))
    WR("ICC_IGRPEN1_EL1", gicv3_icc_igrpen1_write(&vp.gic, v))
    WR("ICC_PMR_EL1", gicv3_icc_pmr_write(&vp.gic, v))
    WR("ICC_SGI1R_EL1", gicv3_icc_sgi1r_write(&vp.gic, v))
    WR("CNTP_CTL_EL0", gtimer_write_ctl(&vp.timer, GTIMER_PHYS, now, v))
    WR("CNTV_CTL_EL0", gtimer_write_ctl(&vp.timer, GTIMER_VIRT, now, v))
    WR("CNTP_CVAL_EL0", gtimer_write_cval(&vp.timer, GTIMER_PHYS, now, v))
    WR("CNTV_CVAL_EL0", gtimer_write_cval(&vp.timer, GTIMER_VIRT, now, v))
#undef RD
#undef WR
    return false;
}

int main(int argc, char **argv)
{
    if (argc != 3 || (strcmp(argv[1], "2") != 0 && strcmp(argv[1], "3") != 0)) {
        fprintf(stderr, "usage: virt_replay 2|3 SCRIPT\n");
        return 2;
    }
    virt_config cfg = { .gic_version = argv[1][0] == '3' ? GIC_V3 : GIC_V2 };
    virt_platform_init(&vp, &cfg);

    FILE *f = fopen(argv[2], "r");
    if (!f) {
        perror(argv[2]);
        return 2;
    }
    char line[256];
    int number = 0;
    while (fgets(line, sizeof line, f)) {
        number++;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char op[16], a[64], b[64];
        int n = sscanf(line, "%15s %63s %63s", op, a, b);
        if (n < 1)
            continue;
        uint64_t addr = n >= 2 ? strtoull(a, NULL, 0) : 0;
        uint64_t val = n >= 3 ? strtoull(b, NULL, 0) : 0;
        bool ok = true;
        if (strcmp(op, "r32") == 0 || strcmp(op, "r8") == 0) {
            ok = mmio(addr, op[1] == '3' ? 4 : 1, false, &val);
            if (ok)
                print_value("%08llx\n", val);
        } else if (strcmp(op, "w32") == 0 || strcmp(op, "w8") == 0) {
            ok = mmio(addr, op[1] == '3' ? 4 : 1, true, &val);
        } else if (strcmp(op, "mrs") == 0) {
            ok = sysreg(a, false, &val);
            if (ok)
                print_value("%016llx\n", val);
        } else if (strcmp(op, "msr") == 0) {
            val = strtoull(b, NULL, 0);
            ok = sysreg(a, true, &val);
        } else {
            fprintf(stderr, "%s:%d: unknown operation %s\n", argv[2], number, op);
            return 2;
        }
        if (!ok)
            printf("refused %s (line %d)\n", n >= 2 ? a : op, number);
    }
    fclose(f);
    return 0;
}
