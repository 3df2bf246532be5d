/*
 * The PL011 model (DDI 0183G chapter 3): reset values and PrimeCell IDs as
 * QEMU 7.2 returns them (UARTFR 0x90, UARTCR 0x300, IDs 11 10 14 00 0d f0
 * 05 b1), transmit to the console, the receive FIFO and its flags, and the
 * interrupt line to the GIC (SPI 1, INTID 33).
 */
#include <check.h>
#include <string.h>

#include "emu_test.h"
#include "apic/gic.h"
#include "platform/virt/pl011.h"
#include "platform/virt/virt_map.h"

typedef struct sink {
    char text[64];
    size_t len;
    bool level;
    unsigned intid;
} sink;

static void console(void *ctx, const uint8_t *bytes, size_t len)
{
    sink *s = ctx;
    for (size_t i = 0; i < len && s->len + 1 < sizeof s->text; i++)
        s->text[s->len++] = (char)bytes[i];
}

static void line(void *ctx, unsigned intid, bool level)
{
    sink *s = ctx;
    s->level = level;
    s->intid = intid;
}

static pl011 u;
static sink out;

static void setup(void)
{
    memset(&out, 0, sizeof out);
    pl011_init(&u, console, &out, (irq_line){ line, &out, VIRT_IRQ_UART });
}

static uint64_t rd(uint64_t off)
{
    uint64_t v = 0xdead;
    ck_assert_msg(pl011_read(&u, off, 4, &v), "read 0x%llx refused", (unsigned long long)off);
    return v;
}

static void wr(uint64_t off, uint64_t v)
{
    ck_assert_msg(pl011_write(&u, off, 4, v), "write 0x%llx refused", (unsigned long long)off);
}

START_TEST(reset_and_ids_match_qemu)
{
    setup();
    static const uint8_t id[8] = { 0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };
    for (unsigned i = 0; i < 8; i++)
        ck_assert_msg(rd(0xfe0 + 4 * i) == id[i], "ID register 0x%x", 0xfe0 + 4 * i);
    ck_assert_uint_eq(rd(0x18), 0x90);     /* TXFE | RXFE */
    ck_assert_uint_eq(rd(0x30), 0x300);    /* TXE | RXE */
    ck_assert_uint_eq(rd(0x2c), 0);
    ck_assert_uint_eq(rd(0x3c), 0);
    ck_assert_uint_eq(rd(0x34), 0x12);
    ck_assert_str_eq(pl011_reg_name(0x18), "UARTFR");
    ck_assert_str_eq(pl011_reg_name(0xfe8), "UARTPeriphID2");
}
END_TEST

START_TEST(transmit_reaches_the_console)
{
    setup();
    wr(0x00, 'h');
    ck_assert(pl011_write(&u, 0x00, 1, 'i'));
    ck_assert_str_eq(out.text, "hi");
    ck_assert_msg((rd(0x18) & (1u << 3)) == 0, "never BUSY: transmission is immediate");
    ck_assert_msg(rd(0x3c) & (1u << 5), "TXRIS after a transmit");
    ck_assert_msg(!out.level, "masked: line low");
    wr(0x38, 1u << 5);                     /* TXIM */
    ck_assert_msg(out.level && out.intid == 33, "TX interrupt on INTID 33");
    ck_assert_uint_eq(rd(0x40), 1u << 5);
    wr(0x44, 1u << 5);                     /* ICR */
    ck_assert_msg(!out.level, "cleared through UARTICR");
}
END_TEST

START_TEST(receive_fifo_and_flags)
{
    setup();
    wr(0x38, 1u << 4);                     /* RXIM */
    ck_assert(pl011_receive(&u, 'a'));
    ck_assert_msg(out.level, "RX interrupt");
    ck_assert_uint_eq(rd(0x18) & 0x50, 0x40);        /* RXFF (1-deep holding register), not RXFE */
    ck_assert_msg(!pl011_receive(&u, 'b'), "FIFO off: one character only");
    ck_assert_msg(rd(0x04) & 0x8, "overrun in UARTRSR");
    ck_assert_msg(rd(0x3c) & (1u << 10), "OERIS");
    ck_assert_uint_eq(rd(0x00), 'a');
    ck_assert_msg(rd(0x18) & (1u << 4), "RXFE after reading");
    wr(0x44, 0x7ff);
    ck_assert_msg(!out.level, "all cleared");
    wr(0x2c, 1u << 4);                     /* FEN */
    for (int i = 0; i < PL011_FIFO_DEPTH; i++)
        ck_assert(pl011_receive(&u, (uint8_t)('0' + i)));
    ck_assert(!pl011_can_receive(&u));
    ck_assert_uint_eq(rd(0x00), '0');
    ck_assert_uint_eq(rd(0x00), '1');
    ck_assert_uint_eq(rd(0x00), '2');
}
END_TEST

START_TEST(registers_and_refusals)
{
    setup();
    wr(0x24, 0x1234);
    ck_assert_uint_eq(rd(0x24), 0x1234);
    wr(0x28, 0xff);
    ck_assert_uint_eq(rd(0x28), 0x3f);
    wr(0x30, 0x301);
    ck_assert_uint_eq(rd(0x30), 0x301);
    wr(0x18, 0);                            /* FR is read-only: ignored */
    ck_assert_uint_eq(rd(0x18), 0x90);
    uint64_t v = 0;
    ck_assert_msg(!pl011_read(&u, 0x44, 4, &v), "UARTICR is write-only");
    ck_assert_msg(!pl011_read(&u, 0x80, 4, &v), "reserved");
    ck_assert_msg(!pl011_read(&u, 0x02, 4, &v), "misaligned");
    ck_assert_msg(!pl011_read(&u, 0x00, 8, &v), "64-bit access");
    ck_assert_msg(!pl011_write(&u, 0x100, 4, 0), "reserved write");
    ck_assert_ptr_null(pl011_reg_name(0x100));
}
END_TEST

/* Through a GICv2 to the CPU: the UART's SPI. */
START_TEST(uart_interrupt_reaches_the_cpu)
{
    gic g;
    gic_init(&g, GIC_V2);
    memset(&out, 0, sizeof out);
    pl011_init(&u, console, &out, (irq_line){ gic_set_irq, &g, VIRT_IRQ_UART });
    ck_assert(gic_dist_write(&g, 0x000, 4, 1));
    ck_assert(gic_dist_write(&g, 0x104, 4, 1u << 1));
    ck_assert(gicv2_cpu_write(&g, 0x00, 4, 1));
    ck_assert(gicv2_cpu_write(&g, 0x04, 4, 0xf0));
    wr(0x38, 1u << 4);
    ck_assert(pl011_receive(&u, 'x'));
    ck_assert(gic_irq_pending(&g));
    uint64_t iar = 0;
    ck_assert(gicv2_cpu_read(&g, 0x0c, 4, &iar));
    ck_assert_uint_eq(iar, 33);
    ck_assert_uint_eq(rd(0x00), 'x');
    ck_assert(gicv2_cpu_write(&g, 0x10, 4, 33));
    ck_assert_msg(!gic_irq_pending(&g), "read the FIFO empty: line low");
}
END_TEST

static Suite *pl011_suite(void)
{
    Suite *s = suite_create("pl011");
    TCase *tc = tcase_create("pl011");
    tcase_add_test(tc, reset_and_ids_match_qemu);
    tcase_add_test(tc, transmit_reaches_the_console);
    tcase_add_test(tc, receive_fifo_and_flags);
    tcase_add_test(tc, registers_and_refusals);
    tcase_add_test(tc, uart_interrupt_reaches_the_cpu);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return t_run_suite(pl011_suite());
}
