/*
 * QEMU's pc-testdev latch ports and 64 KiB window (hw/misc/pc-testdev.c)
 * and fw_cfg's port interface (docs/specs/fw_cfg.rst): the bytes each
 * access returns.
 */
#include "../apic/apic_test.h"

static void out_port(emu_machine *m, uint16_t port, unsigned size, uint32_t val)
{
    static const uint8_t out8[] = { 0xee }, out16[] = { 0x66, 0xef }, out32[] = { 0xef };
    const uint8_t *insn = size == 1 ? out8 : size == 2 ? out16 : out32;
    t_load_code(m, insn, size == 2 ? 2 : 1);
    t_set_reg(m, EMU_X86_RDX, port);
    t_set_reg(m, EMU_X86_RAX, val);
    ck_assert_msg(a_step(m, "out") < 0, "out 0x%x", port);
}

static uint32_t in_port(emu_machine *m, uint16_t port, unsigned size)
{
    static const uint8_t in8[] = { 0xec }, in16[] = { 0x66, 0xed }, in32[] = { 0xed };
    const uint8_t *insn = size == 1 ? in8 : size == 2 ? in16 : in32;
    t_load_code(m, insn, size == 2 ? 2 : 1);
    t_set_reg(m, EMU_X86_RDX, port);
    t_set_reg(m, EMU_X86_RAX, 0);
    ck_assert_msg(a_step(m, "in") < 0, "in 0x%x", port);
    uint64_t mask = (1ull << (8 * size)) - 1;
    return (uint32_t)(t_reg(m, EMU_X86_RAX) & mask);
}

START_TEST(testdev_latch)
{
    emu_machine *m = a_bare(NULL);
    out_port(m, 0xe0, 4, 0x12345678);
    ck_assert_msg(in_port(m, 0xe0, 4) == 0x12345678, "32-bit latch reads back");
    ck_assert_msg(in_port(m, 0xe2, 2) == 0x1234, "word at 0xe2: the high half");
    ck_assert_msg(in_port(m, 0xe8, 1) == 0x78, "byte latch 0xe8: byte 0");
    ck_assert_msg(in_port(m, 0xeb, 1) == 0x12, "byte latch 0xeb: byte 3");
    out_port(m, 0xea, 1, 0xab);
    ck_assert_msg(in_port(m, 0xe0, 4) == 0x12ab5678, "a byte write replaces one byte");
    out_port(m, 0xe4, 4, 0x100000);                          /* flush-page: accepted */
    emu_close(m);
}
END_TEST

START_TEST(testdev_iomem)
{
    emu_machine *m = a_bare(NULL);
    a_mmio_write(m, 0xff000010u, 0xdeadbeef);
    ck_assert_msg(a_mmio_read(m, 0xff000010u) == 0xdeadbeef, "window holds what was written");
    ck_assert_msg(a_mmio_read(m, 0xff00fffcu) == 0, "last dword of the 64 KiB window, zero at start");
    emu_close(m);
}
END_TEST

static void fw_cfg_read(emu_machine *m, uint16_t key, uint8_t *buf, unsigned n)
{
    out_port(m, 0x510, 2, key);
    for (unsigned i = 0; i < n; i++)
        buf[i] = (uint8_t)in_port(m, 0x511, 1);
}

START_TEST(fw_cfg_items)
{
    emu_machine *m = a_bare(NULL);
    uint8_t b[9] = { 0 };
    fw_cfg_read(m, 0x0000, b, 5);
    ck_assert_msg(memcmp(b, "QEMU\0", 5) == 0, "signature 'QEMU', then 0 past the end");
    fw_cfg_read(m, 0x0001, b, 4);
    ck_assert_msg(b[0] == 1 && b[1] == 0 && b[2] == 0 && b[3] == 0, "ID: traditional interface, no DMA");
    fw_cfg_read(m, 0x0003, b, 8);
    uint64_t ram = 0;
    for (unsigned i = 0; i < 8; i++)
        ram |= (uint64_t)b[i] << (8 * i);
    ck_assert_msg(ram == 128ull << 20, "RAM size 128 MiB (the default): got 0x%llx", (unsigned long long)ram);
    fw_cfg_read(m, 0x0005, b, 2);
    ck_assert_msg(b[0] == 1 && b[1] == 0, "NB_CPUS 1");
    fw_cfg_read(m, 0x000f, b, 2);
    ck_assert_msg(b[0] == 1 && b[1] == 0, "MAX_CPUS 1");
    fw_cfg_read(m, 0x0019, b, 2);
    ck_assert_msg(b[0] == 0 && b[1] == 0, "an item emu lacks reads as zeros");
    emu_close(m);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("testdev_fwcfg");
    TCase *tc = tcase_create("devices");
    tcase_add_test(tc, testdev_latch);
    tcase_add_test(tc, testdev_iomem);
    tcase_add_test(tc, fw_cfg_items);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
