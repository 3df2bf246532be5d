/*
 * The GIC model, driven through its MMIO and system-register entry points
 * as a guest would. Reset values marked "QEMU" were read back with LDR/MRS
 * from QEMU 7.2 -M virt,gic-version=2|3 -cpu cortex-a57 (see the report in
 * docs/virt-platform.md); the flows follow IHI 0048B chapter 3 and IHI
 * 0069 chapter 4.
 */
#include <check.h>
#include <string.h>

#include "emu_test.h"
#include "apic/gic.h"

static gic g;

#define GICD_CTLR 0x000
#define GICD_TYPER 0x004
#define GICD_IIDR 0x008
#define GICD_IGROUPR 0x080
#define GICD_ISENABLER 0x100
#define GICD_ICENABLER 0x180
#define GICD_ISPENDR 0x200
#define GICD_ICPENDR 0x280
#define GICD_ISACTIVER 0x300
#define GICD_IPRIORITYR 0x400
#define GICD_ITARGETSR 0x800
#define GICD_ICFGR 0xc00
#define GICD_SGIR 0xf00
#define GICD_IROUTER 0x6000
#define GICC_CTLR 0x00
#define GICC_PMR 0x04
#define GICC_BPR 0x08
#define GICC_IAR 0x0c
#define GICC_EOIR 0x10
#define GICC_RPR 0x14
#define GICC_HPPIR 0x18
#define GICC_ABPR 0x1c
#define GICC_IIDR 0xfc
#define GICC_DIR 0x1000
#define GICR_TYPER 0x0008
#define GICR_WAKER 0x0014
#define GICR_SGI 0x10000

#define UART_IRQ 33
#define TIMER_IRQ 30

static uint64_t dr(uint64_t off)
{
    uint64_t v = 0xdeadbeef;
    ck_assert_msg(gic_dist_read(&g, off, 4, &v), "GICD read 0x%llx refused", (unsigned long long)off);
    return v;
}

static void dw(uint64_t off, uint64_t v)
{
    ck_assert_msg(gic_dist_write(&g, off, 4, v), "GICD write 0x%llx refused", (unsigned long long)off);
}

static uint64_t cr(uint64_t off)
{
    uint64_t v = 0xdeadbeef;
    ck_assert_msg(gicv2_cpu_read(&g, off, 4, &v), "GICC read 0x%llx refused", (unsigned long long)off);
    return v;
}

static void cw(uint64_t off, uint64_t v)
{
    ck_assert_msg(gicv2_cpu_write(&g, off, 4, v), "GICC write 0x%llx refused", (unsigned long long)off);
}

static uint64_t rr(uint64_t off, unsigned size)
{
    uint64_t v = 0xdeadbeef;
    ck_assert_msg(gicv3_redist_read(&g, off, size, &v), "GICR read 0x%llx refused", (unsigned long long)off);
    return v;
}

static void rw(uint64_t off, uint64_t v)
{
    ck_assert_msg(gicv3_redist_write(&g, off, 4, v), "GICR write 0x%llx refused", (unsigned long long)off);
}

#define EXPECT(what, got, want) \
    ck_assert_msg((uint64_t)(got) == (uint64_t)(want), "%s: want 0x%llx got 0x%llx", what, \
                  (unsigned long long)(want), (unsigned long long)(got))

/* GICv2 with both groups enabled everywhere, PMR open. */
static void v2_ready(void)
{
    gic_init(&g, GIC_V2);
    dw(GICD_CTLR, 3);
    cw(GICC_CTLR, 1);
    cw(GICC_PMR, 0xff);
}

static void v2_enable(unsigned intid, uint8_t prio)
{
    dw(GICD_ISENABLER + 4 * (intid / 32), 1u << (intid % 32));
    ck_assert(gic_dist_write(&g, GICD_IPRIORITYR + intid, 1, prio));
}

START_TEST(v2_reset_values_match_qemu)
{
    gic_init(&g, GIC_V2);
    EXPECT("GICD_CTLR", dr(GICD_CTLR), 0);
    EXPECT("GICD_TYPER", dr(GICD_TYPER), 0x8);
    EXPECT("GICD_IIDR", dr(GICD_IIDR), 0x43b);
    EXPECT("GICD_ISENABLER0", dr(GICD_ISENABLER), 0xffff);
    EXPECT("GICD_ICFGR0", dr(GICD_ICFGR), 0xaaaaaaaa);
    EXPECT("GICD_ICFGR1", dr(GICD_ICFGR + 4), 0);
    EXPECT("GICD_ITARGETSR0", dr(GICD_ITARGETSR), 0);
    EXPECT("GICD_PIDR2", dr(0xfe8), 0x2b);
    EXPECT("GICD_PIDR4", dr(0xfd0), 0x04);
    EXPECT("GICD_PIDR0", dr(0xfe0), 0x90);
    EXPECT("GICC_CTLR", cr(GICC_CTLR), 0);
    EXPECT("GICC_PMR", cr(GICC_PMR), 0);
    EXPECT("GICC_BPR", cr(GICC_BPR), 0);
    EXPECT("GICC_ABPR", cr(GICC_ABPR), 1);
    EXPECT("GICC_IAR", cr(GICC_IAR), 1023);
    EXPECT("GICC_RPR", cr(GICC_RPR), 0xff);
    EXPECT("GICC_HPPIR", cr(GICC_HPPIR), 1023);
    EXPECT("GICC_IIDR", cr(GICC_IIDR), 0x2043b);
    cw(GICC_PMR, 0xff);
    EXPECT("GICC_PMR all 8 bits", cr(GICC_PMR), 0xff);
    dw(GICD_IPRIORITYR, 0xffffffff);
    EXPECT("GICD_IPRIORITYR0 all 8 bits", dr(GICD_IPRIORITYR), 0xffffffff);
    ck_assert(!gic_irq_pending(&g) && !gic_fiq_pending(&g));
}
END_TEST

START_TEST(v2_level_spi_acknowledge_and_eoi)
{
    v2_ready();
    v2_enable(UART_IRQ, 0xa0);
    gic_set_irq(&g, UART_IRQ, true);
    ck_assert_msg(gic_irq_pending(&g), "raised SPI 33 signals IRQ");
    EXPECT("GICD_ISPENDR1", dr(GICD_ISPENDR + 4), 1u << 1);
    EXPECT("HPPIR", cr(GICC_HPPIR), UART_IRQ);
    EXPECT("IAR", cr(GICC_IAR), UART_IRQ);
    ck_assert_msg(!gic_irq_pending(&g), "active interrupt is not signalled again");
    EXPECT("RPR while active", cr(GICC_RPR), 0xa0);
    EXPECT("GICD_ISACTIVER1", dr(GICD_ISACTIVER + 4), 1u << 1);
    cw(GICC_EOIR, UART_IRQ);
    EXPECT("RPR after EOI", cr(GICC_RPR), 0xff);
    ck_assert_msg(gic_irq_pending(&g), "line still high: level interrupt pends again");
    gic_set_irq(&g, UART_IRQ, false);
    ck_assert_msg(!gic_irq_pending(&g), "line low: nothing pending");
    EXPECT("IAR with nothing pending", cr(GICC_IAR), 1023);
}
END_TEST

START_TEST(v2_disabled_masked_and_distributor_off)
{
    v2_ready();
    gic_set_irq(&g, UART_IRQ, true);
    ck_assert_msg(!gic_irq_pending(&g), "disabled SPI does not signal");
    v2_enable(UART_IRQ, 0x80);
    ck_assert(gic_irq_pending(&g));
    cw(GICC_PMR, 0x80);
    ck_assert_msg(!gic_irq_pending(&g), "priority equal to PMR is masked");
    EXPECT("IAR when masked", cr(GICC_IAR), 1023);
    EXPECT("HPPIR hides a masked interrupt, as QEMU", cr(GICC_HPPIR), 1023);
    cw(GICC_PMR, 0x90);
    ck_assert(gic_irq_pending(&g));
    dw(GICD_CTLR, 0);
    ck_assert_msg(!gic_irq_pending(&g), "distributor disabled");
    dw(GICD_CTLR, 1);
    dw(GICD_ICENABLER + 4, 1u << 1);
    ck_assert_msg(!gic_irq_pending(&g), "ICENABLER disables");
    EXPECT("ISENABLER1 after clear", dr(GICD_ISENABLER + 4), 0);
}
END_TEST

START_TEST(v2_preemption_by_group_priority)
{
    v2_ready();
    v2_enable(34, 0xa0);
    v2_enable(35, 0x40);
    v2_enable(36, 0xa0);
    gic_set_irq(&g, 34, true);
    EXPECT("first IAR", cr(GICC_IAR), 34);
    gic_set_irq(&g, 36, true);
    ck_assert_msg(!gic_irq_pending(&g), "same priority does not preempt");
    gic_set_irq(&g, 35, true);
    ck_assert_msg(gic_irq_pending(&g), "higher priority preempts");
    EXPECT("nested IAR", cr(GICC_IAR), 35);
    EXPECT("RPR nested", cr(GICC_RPR), 0x40);
    gic_set_irq(&g, 35, false);
    cw(GICC_EOIR, 35);
    EXPECT("RPR back to the outer handler", cr(GICC_RPR), 0xa0);
    gic_set_irq(&g, 34, false);
    cw(GICC_EOIR, 34);
    EXPECT("RPR idle", cr(GICC_RPR), 0xff);
    EXPECT("now the waiting one", cr(GICC_IAR), 36);
}
END_TEST

START_TEST(v2_binary_point_groups_priorities)
{
    v2_ready();
    cw(GICC_BPR, 5);    /* group priority bits [7:6] */
    v2_enable(40, 0x50);
    v2_enable(41, 0x48);
    gic_set_irq(&g, 40, true);
    EXPECT("IAR", cr(GICC_IAR), 40);
    EXPECT("RPR is the group priority", cr(GICC_RPR), 0x40);
    gic_set_irq(&g, 41, true);
    ck_assert_msg(!gic_irq_pending(&g), "0x48 has the same group priority as 0x50 with BPR 5");
    cw(GICC_BPR, 0);
    EXPECT("BPR minimum", cr(GICC_BPR), 0);
    cw(GICC_ABPR, 0);
    EXPECT("ABPR minimum is 1", cr(GICC_ABPR), 1);
}
END_TEST

START_TEST(v2_edge_spi_latches)
{
    v2_ready();
    v2_enable(UART_IRQ, 0x10);
    dw(GICD_ICFGR + 8, 2u << 2);    /* INTID 33: edge */
    EXPECT("ICFGR2", dr(GICD_ICFGR + 8), 2u << 2);
    gic_set_irq(&g, UART_IRQ, true);
    gic_set_irq(&g, UART_IRQ, false);
    ck_assert_msg(gic_irq_pending(&g), "edge stays latched after the line drops");
    EXPECT("IAR", cr(GICC_IAR), UART_IRQ);
    cw(GICC_EOIR, UART_IRQ);
    ck_assert_msg(!gic_irq_pending(&g), "acknowledged edge is consumed");
    dw(GICD_ISPENDR + 4, 1u << 1);
    ck_assert_msg(gic_irq_pending(&g), "ISPENDR sets pending");
    dw(GICD_ICPENDR + 4, 1u << 1);
    ck_assert_msg(!gic_irq_pending(&g), "ICPENDR clears it");
}
END_TEST

START_TEST(v2_sgi_through_sgir)
{
    v2_ready();
    ck_assert(gic_dist_write(&g, GICD_IPRIORITYR + 3, 1, 0x20));
    dw(GICD_SGIR, (1u << 24) | 3);      /* all but self: nobody */
    ck_assert(!gic_irq_pending(&g));
    dw(GICD_SGIR, (2u << 24) | 3);      /* self */
    ck_assert(gic_irq_pending(&g));
    EXPECT("SGI IAR, source CPU 0", cr(GICC_IAR), 3);
    cw(GICC_EOIR, 3);
    dw(GICD_SGIR, (0u << 24) | (1u << 16) | 5);  /* target list CPU 0 */
    EXPECT("SPENDSGIR byte for SGI 5", dr(0xf24), 1u << 8);
    EXPECT("IAR", cr(GICC_IAR), 5);
    dw(GICD_ICENABLER, 0xffff);
    EXPECT("SGI enables are RAO/WI", dr(GICD_ISENABLER), 0xffff);
}
END_TEST

START_TEST(v2_groups_ackctl_fiq_and_eoimode)
{
    v2_ready();
    v2_enable(UART_IRQ, 0x10);
    dw(GICD_IGROUPR + 4, 1u << 1);      /* group 1 */
    gic_set_irq(&g, UART_IRQ, true);
    ck_assert_msg(!gic_irq_pending(&g), "group 1 not enabled at the CPU interface");
    cw(GICC_CTLR, 3);
    ck_assert(gic_irq_pending(&g));
    EXPECT("group 1 with AckCtl=0 reads 1022", cr(GICC_IAR), 1022);
    EXPECT("HPPIR too", cr(GICC_HPPIR), 1022);
    cw(GICC_CTLR, 3 | (1u << 2));
    EXPECT("AckCtl=1 acknowledges", cr(GICC_IAR), UART_IRQ);
    cw(GICC_EOIR, UART_IRQ);
    gic_set_irq(&g, UART_IRQ, false);

    dw(GICD_IGROUPR + 4, 0);
    cw(GICC_CTLR, 1 | (1u << 3) | (1u << 9));    /* FIQEn, EOImode */
    gic_set_irq(&g, UART_IRQ, true);
    ck_assert_msg(gic_fiq_pending(&g) && !gic_irq_pending(&g), "group 0 with FIQEn is an FIQ");
    EXPECT("IAR", cr(GICC_IAR), UART_IRQ);
    gic_set_irq(&g, UART_IRQ, false);
    cw(GICC_EOIR, UART_IRQ);
    EXPECT("EOImode: priority dropped", cr(GICC_RPR), 0xff);
    EXPECT("EOImode: still active", dr(GICD_ISACTIVER + 4), 1u << 1);
    cw(GICC_DIR, UART_IRQ);
    EXPECT("DIR deactivates", dr(GICD_ISACTIVER + 4), 0);
}
END_TEST

START_TEST(v2_unmodelled_registers_are_refused)
{
    gic_init(&g, GIC_V2);
    uint64_t v = 0;
    ck_assert_msg(!gic_dist_read(&g, 0xf00, 4, &v), "GICD_SGIR is write-only");
    ck_assert_msg(!gic_dist_read(&g, 0x010, 4, &v), "reserved GICD offset");
    ck_assert_msg(!gic_dist_read(&g, GICD_CTLR, 2, &v), "halfword GICD_CTLR");
    ck_assert_msg(!gicv2_cpu_read(&g, 0x20, 4, &v), "GICC_AIAR is not modelled");
    ck_assert_msg(!gicv3_redist_read(&g, 0, 4, &v), "no redistributor on GICv2");
    ck_assert_str_eq(gic_dist_reg_name(&g, 0x104), "GICD_ISENABLER");
    ck_assert_str_eq(gic_dist_reg_name(&g, 0xf00), "GICD_SGIR");
    gic_set_irq(&g, 5000, true);    /* out of range: ignored */
    ck_assert(!gic_irq_pending(&g));
}
END_TEST

/* GICv3: woken redistributor, group 1 enabled everywhere, PMR open. */
static void v3_ready(void)
{
    gic_init(&g, GIC_V3);
    rw(GICR_WAKER, 0);
    dw(GICD_CTLR, 2);
    gicv3_icc_igrpen1_write(&g, 1);
    gicv3_icc_pmr_write(&g, 0xff);
}

START_TEST(v3_reset_values_match_qemu)
{
    gic_init(&g, GIC_V3);
    EXPECT("GICD_CTLR (ARE, DS)", dr(GICD_CTLR), 0x50);
    EXPECT("GICD_TYPER (QEMU's but LPIS)", dr(GICD_TYPER), 0x03780007);
    EXPECT("GICD_IIDR", dr(GICD_IIDR), 0x43b);
    EXPECT("GICD_PIDR2", dr(0xffe8), 0x3b);
    EXPECT("GICD_PIDR0", dr(0xffe0), 0x92);
    EXPECT("GICD_IGROUPR0 RAZ under ARE", dr(GICD_IGROUPR), 0);
    EXPECT("GICR_TYPER (QEMU's but PLPIS)", rr(GICR_TYPER, 8), 0x10);
    EXPECT("GICR_WAKER", rr(GICR_WAKER, 4), 6);
    EXPECT("GICR_IIDR", rr(0x4, 4), 0x43b);
    EXPECT("GICR_PIDR0", rr(0xffe0, 4), 0x93);
    EXPECT("GICR_ISENABLER0", rr(GICR_SGI + 0x100, 4), 0);
    EXPECT("GICR_ICFGR0", rr(GICR_SGI + 0xc00, 4), 0xaaaaaaaa);
    EXPECT("GICR_ICFGR1", rr(GICR_SGI + 0xc04, 4), 0);
    EXPECT("ICC_SRE_EL1", gicv3_icc_sre_read(&g), 7);
    EXPECT("ICC_CTLR_EL1", gicv3_icc_ctlr_read(&g), 0x8c00);
    EXPECT("ICC_PMR_EL1", gicv3_icc_pmr_read(&g), 0);
    EXPECT("ICC_BPR1_EL1", gicv3_icc_bpr1_read(&g), 3);
    EXPECT("ICC_IAR1_EL1", gicv3_icc_iar1_read(&g), 1023);
    EXPECT("ICC_RPR_EL1", gicv3_icc_rpr_read(&g), 0xff);
    EXPECT("ICC_IGRPEN1_EL1", gicv3_icc_igrpen1_read(&g), 0);
    gicv3_icc_pmr_write(&g, 0xff);
    EXPECT("ICC_PMR_EL1 five bits", gicv3_icc_pmr_read(&g), 0xf8);
    dw(GICD_CTLR, 2);
    EXPECT("GICD_CTLR EnableGrp1", dr(GICD_CTLR), 0x52);
    rw(GICR_WAKER, 0);
    EXPECT("GICR_WAKER awake", rr(GICR_WAKER, 4), 0);
    gicv3_icc_sre_write(&g, 0);
    EXPECT("ICC_SRE_EL1 RAO/WI", gicv3_icc_sre_read(&g), 7);
}
END_TEST

START_TEST(v3_timer_ppi_through_the_redistributor)
{
    v3_ready();
    rw(GICR_SGI + 0x080, 1u << TIMER_IRQ);          /* group 1 */
    rw(GICR_SGI + 0x100, 1u << TIMER_IRQ);          /* enable */
    ck_assert(gicv3_redist_write(&g, GICR_SGI + 0x400 + TIMER_IRQ, 1, 0x80));
    gic_set_irq(&g, TIMER_IRQ, true);
    ck_assert_msg(gic_irq_pending(&g), "PPI 30 level signals IRQ");
    EXPECT("HPPIR1", gicv3_icc_hppir1_read(&g), TIMER_IRQ);
    EXPECT("HPPIR0 sees a group 1 interrupt as spurious", gicv3_icc_hppir0_read(&g), 1023);
    EXPECT("GICR_ISPENDR0", rr(GICR_SGI + 0x200, 4), 1u << TIMER_IRQ);
    EXPECT("IAR1", gicv3_icc_iar1_read(&g), TIMER_IRQ);
    EXPECT("RPR", gicv3_icc_rpr_read(&g), 0x80);
    gic_set_irq(&g, TIMER_IRQ, false);
    gicv3_icc_eoir1_write(&g, TIMER_IRQ);
    EXPECT("RPR idle", gicv3_icc_rpr_read(&g), 0xff);
    EXPECT("GICR_ISACTIVER0", rr(GICR_SGI + 0x300, 4), 0);
    ck_assert(!gic_irq_pending(&g));
}
END_TEST

START_TEST(v3_group0_is_fiq_and_iar1_refuses_it)
{
    v3_ready();
    gicv3_icc_igrpen0_write(&g, 1);
    dw(GICD_CTLR, 3);
    dw(GICD_ISENABLER + 4, 1u << 1);                 /* INTID 33, group 0 */
    gic_set_irq(&g, UART_IRQ, true);
    ck_assert_msg(gic_fiq_pending(&g) && !gic_irq_pending(&g), "group 0 is an FIQ");
    EXPECT("IAR1 for a group 0 interrupt", gicv3_icc_iar1_read(&g), 1023);
    EXPECT("IAR0", gicv3_icc_iar0_read(&g), UART_IRQ);
    gicv3_icc_eoir1_write(&g, UART_IRQ);
    EXPECT("EOIR1 for a group 0 interrupt is ignored", gicv3_icc_rpr_read(&g), 0);
    gicv3_icc_eoir0_write(&g, UART_IRQ);
    EXPECT("EOIR0 drops it", gicv3_icc_rpr_read(&g), 0xff);
    dw(GICD_IGROUPR + 4, 1u << 1);
    ck_assert_msg(gic_irq_pending(&g), "moved to group 1: an IRQ");
}
END_TEST

START_TEST(v3_spi_routing_and_sgi1r)
{
    v3_ready();
    dw(GICD_IGROUPR + 4, 1u << 1);
    dw(GICD_ISENABLER + 4, 1u << 1);
    ck_assert(gic_dist_write(&g, GICD_IROUTER + 8 * UART_IRQ, 8, 1ull << 8));   /* Aff1 = 1 */
    gic_set_irq(&g, UART_IRQ, true);
    ck_assert_msg(!gic_irq_pending(&g), "routed to a PE that does not exist");
    ck_assert(gic_dist_write(&g, GICD_IROUTER + 8 * UART_IRQ, 8, 0));
    ck_assert_msg(gic_irq_pending(&g), "routed to affinity 0.0.0.0");
    gic_set_irq(&g, UART_IRQ, false);

    rw(GICR_SGI + 0x080, 0xffff);                   /* SGIs group 1 */
    rw(GICR_SGI + 0x100, 1u << 7);
    gicv3_icc_sgi1r_write(&g, (1ull << 40) | (7ull << 24));     /* IRM: others */
    ck_assert(!gic_irq_pending(&g));
    gicv3_icc_sgi1r_write(&g, (7ull << 24) | 2);    /* target list names CPU 1 only */
    ck_assert(!gic_irq_pending(&g));
    gicv3_icc_sgi1r_write(&g, (7ull << 24) | 1);
    ck_assert(gic_irq_pending(&g));
    EXPECT("SGI 7", gicv3_icc_iar1_read(&g), 7);
}
END_TEST

START_TEST(v3_bpr_cbpr_and_eoimode)
{
    v3_ready();
    gicv3_icc_bpr1_write(&g, 0);
    EXPECT("BPR1 minimum", gicv3_icc_bpr1_read(&g), 3);
    gicv3_icc_bpr0_write(&g, 0);
    EXPECT("BPR0 minimum", gicv3_icc_bpr0_read(&g), 2);
    gicv3_icc_ctlr_write(&g, 1);            /* CBPR */
    EXPECT("BPR1 with CBPR is BPR0+1", gicv3_icc_bpr1_read(&g), 3);
    gicv3_icc_ctlr_write(&g, 2);            /* EOImode */
    rw(GICR_SGI + 0x080, 1u << TIMER_IRQ);
    rw(GICR_SGI + 0x100, 1u << TIMER_IRQ);
    gic_set_irq(&g, TIMER_IRQ, true);
    EXPECT("IAR1", gicv3_icc_iar1_read(&g), TIMER_IRQ);
    gic_set_irq(&g, TIMER_IRQ, false);
    gicv3_icc_eoir1_write(&g, TIMER_IRQ);
    EXPECT("active until DIR", rr(GICR_SGI + 0x300, 4), 1u << TIMER_IRQ);
    gicv3_icc_dir_write(&g, TIMER_IRQ);
    EXPECT("DIR deactivates", rr(GICR_SGI + 0x300, 4), 0);
    uint64_t v = 0;
    ck_assert_msg(!gicv2_cpu_read(&g, GICC_IAR, 4, &v), "no GICC on GICv3");
    ck_assert_msg(!gicv3_redist_read(&g, 0x70, 8, &v), "GICR_PROPBASER is not modelled");
}
END_TEST

static Suite *gic_suite(void)
{
    Suite *s = suite_create("gic");
    TCase *tc = tcase_create("gic");
    tcase_add_test(tc, v2_reset_values_match_qemu);
    tcase_add_test(tc, v2_level_spi_acknowledge_and_eoi);
    tcase_add_test(tc, v2_disabled_masked_and_distributor_off);
    tcase_add_test(tc, v2_preemption_by_group_priority);
    tcase_add_test(tc, v2_binary_point_groups_priorities);
    tcase_add_test(tc, v2_edge_spi_latches);
    tcase_add_test(tc, v2_sgi_through_sgir);
    tcase_add_test(tc, v2_groups_ackctl_fiq_and_eoimode);
    tcase_add_test(tc, v2_unmodelled_registers_are_refused);
    tcase_add_test(tc, v3_reset_values_match_qemu);
    tcase_add_test(tc, v3_timer_ppi_through_the_redistributor);
    tcase_add_test(tc, v3_group0_is_fiq_and_iar1_refuses_it);
    tcase_add_test(tc, v3_spi_routing_and_sgi1r);
    tcase_add_test(tc, v3_bpr_cbpr_and_eoimode);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return t_run_suite(gic_suite());
}
