/*
 * The virt machine's wiring and address decoding (virt.c): each device at
 * its QEMU address, the GICv2 CPU interface or GICv3 redistributor only
 * with its version, the UART and timers reaching the GIC on QEMU's
 * interrupt numbers, and stop messages that name the register.
 */
#include <check.h>
#include <string.h>

#include "emu_test.h"
#include "platform/virt/virt.h"
#include "platform/virt/virt_map.h"

static virt_platform vp;
static char out[64];
static size_t out_len;

static void console(void *ctx, const uint8_t *bytes, size_t len)
{
    (void)ctx;
    for (size_t i = 0; i < len && out_len + 1 < sizeof out; i++)
        out[out_len++] = (char)bytes[i];
}

static void setup(gic_version version)
{
    memset(out, 0, sizeof out);
    out_len = 0;
    virt_config cfg = { .gic_version = version, .console = console };
    virt_platform_init(&vp, &cfg);
}

static uint64_t rd(uint64_t paddr)
{
    uint64_t v = 0;
    ck_assert_msg(virt_mmio_read(&vp, paddr, 4, &v) == VIRT_MMIO_OK, "read 0x%llx", (unsigned long long)paddr);
    return v;
}

static void wr(uint64_t paddr, uint64_t v)
{
    ck_assert_msg(virt_mmio_write(&vp, paddr, 4, v) == VIRT_MMIO_OK, "write 0x%llx", (unsigned long long)paddr);
}

START_TEST(devices_at_qemu_addresses)
{
    setup(GIC_V2);
    ck_assert_uint_eq(rd(0x08000004), 0x8);            /* GICD_TYPER */
    ck_assert_uint_eq(rd(0x080100fc), 0x2043b);        /* GICC_IIDR */
    ck_assert_uint_eq(rd(0x09000018), 0x90);           /* UARTFR */
    wr(0x09000000, 'o');
    wr(0x09000000, 'k');
    ck_assert_str_eq(out, "ok");
    uint64_t v = 0;
    ck_assert_int_eq(virt_mmio_read(&vp, 0x080a0014, 4, &v), VIRT_MMIO_UNMAPPED);  /* no GICR on v2 */
    ck_assert_int_eq(virt_mmio_read(&vp, 0x0a000000, 4, &v), VIRT_MMIO_UNMAPPED);  /* virtio-mmio */
    ck_assert_int_eq(virt_mmio_read(&vp, 0x09000044, 4, &v), VIRT_MMIO_UNMODELLED); /* UARTICR */

    setup(GIC_V3);
    ck_assert_uint_eq(rd(0x080a0014), 6);              /* GICR_WAKER */
    ck_assert_uint_eq(rd(0x080b0c00), 0xaaaaaaaa);     /* GICR_ICFGR0 */
    ck_assert_int_eq(virt_mmio_read(&vp, 0x0801000c, 4, &v), VIRT_MMIO_UNMAPPED);  /* no GICC on v3 */
    ck_assert_int_eq(virt_mmio_read(&vp, 0x080c0000, 4, &v), VIRT_MMIO_UNMAPPED);  /* CPU 1's frames */
}
END_TEST

START_TEST(interrupts_are_wired_as_qemu)
{
    setup(GIC_V2);
    wr(0x08000000, 1);                      /* GICD_CTLR */
    wr(0x08010000, 1);                      /* GICC_CTLR */
    wr(0x08010004, 0xff);                   /* GICC_PMR */
    wr(0x08000104, 1u << 1);                /* enable INTID 33 */
    wr(0x08000100, 1u << 30);               /* enable INTID 30 */
    wr(0x09000038, 1u << 4);                /* UARTIMSC.RXIM */
    ck_assert(pl011_receive(&vp.uart, 'x'));
    ck_assert(gic_irq_pending(&vp.gic));
    ck_assert_uint_eq(rd(0x0801000c), VIRT_IRQ_UART);
    ck_assert_uint_eq(rd(0x09000000), 'x');
    wr(0x08010010, VIRT_IRQ_UART);
    ck_assert(!gic_irq_pending(&vp.gic));
    gtimer_write_cval(&vp.timer, GTIMER_PHYS, 100, 0);
    gtimer_write_ctl(&vp.timer, GTIMER_PHYS, 100, GTIMER_CTL_ENABLE);
    ck_assert_uint_eq(rd(0x0801000c), VIRT_IRQ_TIMER_NS_EL1);
}
END_TEST

START_TEST(stop_messages_name_the_register)
{
    char buf[96];
    setup(GIC_V2);
    virt_mmio_describe(&vp, 0x08000104, buf, sizeof buf);
    ck_assert_str_eq(buf, "GICD_ISENABLER (0x08000104)");
    virt_mmio_describe(&vp, 0x09000044, buf, sizeof buf);
    ck_assert_str_eq(buf, "UARTICR (0x09000044)");
    virt_mmio_describe(&vp, 0x09000100, buf, sizeof buf);
    ck_assert_str_eq(buf, "PL011 offset 0x100 (0x09000100)");
    virt_mmio_describe(&vp, 0x08010020, buf, sizeof buf);
    ck_assert_str_eq(buf, "GICv2 CPU interface offset 0x20 (0x08010020)");
    virt_mmio_describe(&vp, 0x0a000000, buf, sizeof buf);
    ck_assert_str_eq(buf, "no device at 0x0a000000");
}
END_TEST

static Suite *virt_suite(void)
{
    Suite *s = suite_create("virt");
    TCase *tc = tcase_create("virt");
    tcase_add_test(tc, devices_at_qemu_addresses);
    tcase_add_test(tc, interrupts_are_wired_as_qemu);
    tcase_add_test(tc, stop_messages_name_the_register);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return t_run_suite(virt_suite());
}
