/*
 * Loading on the virt machine as QEMU's -kernel does, through emu_open_image:
 * a raw binary at RAM + 0x80000 with the device tree's address in X0, a
 * Linux arm64 Image at its text_offset, an ELF at its addresses; the entry
 * state (EL1 or --el 2, MMU off, DAIF masked); --cpu and --gic as the ID
 * registers show them; PSCI's conduit following the entry EL.
 */
#include <check.h>
#include <libfdt.h>
#include <string.h>

#include "emu/emu.h"
#include "emu_test.h"

#define RAM 0x40000000ull

static const uint32_t probe[] = {
    0xd5380000u, /* mrs x0, midr_el1 */
    0xd5380401u, /* mrs x1, id_aa64pfr0_el1 */
    0xd5384242u, /* mrs x2, currentel */
    0xd53800a3u, /* mrs x3, mpidr_el1 */
    0x14000000u, /* b . */
};

static emu_machine *open_with(const void *img, size_t len, emu_arch arch, const char *cpu, int gic, unsigned el)
{
    emu_options o;
    emu_options_init(&o);
    o.arch = arch;
    o.cpu_model = cpu;
    o.gic_version = gic;
    o.start_el = el;
    o.append = "console=ttyAMA0";
    emu_machine *m = NULL;
    char why[256];
    emu_err err = emu_open_image(img, len, &o, &m, why, sizeof why);
    ck_assert_msg(err == EMU_OK, "open: %s", why);
    return m;
}

START_TEST(raw_binary_at_0x80000_with_dtb_in_x0)
{
    emu_machine *m = open_with(probe, sizeof probe, EMU_ARCH_AARCH64, NULL, 0, 0);
    T_EXPECT_REG(m, EMU_A64_PC, RAM + 0x80000, "raw binary: entry at RAM + 0x80000");
    T_EXPECT_REG(m, EMU_A64_PSTATE, 0x3c5, "EL1h, DAIF masked");
    T_EXPECT_REG(m, EMU_A64_SCTLR_EL1, 0x30d00800, "MMU and caches off");
    uint64_t dtb = t_reg(m, EMU_A64_X0);
    ck_assert_msg(dtb > RAM + 0x80000 && (dtb & 0x1fffff) == 0, "DTB on a 2 MiB boundary above the image: 0x%llx",
                  (unsigned long long)dtb);
    static uint8_t blob[64 << 10];
    ck_assert_int_eq(emu_mem_read_phys(m, dtb, blob, 64), EMU_OK);
    ck_assert_int_eq(fdt_check_header(blob), 0);
    ck_assert_int_eq(emu_mem_read_phys(m, dtb, blob, fdt_totalsize(blob)), EMU_OK);
    int chosen = fdt_path_offset(blob, "/chosen");
    ck_assert_int_ge(chosen, 0);
    ck_assert_str_eq(fdt_getprop(blob, chosen, "bootargs", NULL), "console=ttyAMA0");
    int psci = fdt_path_offset(blob, "/psci");
    ck_assert_str_eq(fdt_getprop(blob, psci, "method", NULL), "hvc");
    emu_stop s;
    ck_assert_int_eq(emu_run(m, 4, &s), EMU_OK);
    T_EXPECT_REG(m, EMU_A64_X0, 0x411fd070, "cortex-a57 MIDR_EL1 by default");
    T_EXPECT_REG(m, EMU_A64_X1, 0x11, "ID_AA64PFR0_EL1: EL0/EL1 AArch64 only, no EL2/EL3, GICv2");
    T_EXPECT_REG(m, EMU_A64_X2, 1u << 2, "CurrentEL");
    T_EXPECT_REG(m, EMU_A64_X3, 0x80000000, "MPIDR_EL1 of virt CPU 0");
    emu_close(m);
}
END_TEST

START_TEST(image_at_text_offset)
{
    /* The header's code0 branches over it (booting.rst), to the probe at 0x40. */
    uint8_t img[0x100] = { 0 };
    const uint32_t b_over_header = 0x14000010u;     /* b .+0x40 */
    memcpy(img, &b_over_header, 4);
    memcpy(img + 0x40, probe, sizeof probe);
    uint64_t text_offset = 0x200000, image_size = 0x100;
    memcpy(img + 8, &text_offset, 8);
    memcpy(img + 16, &image_size, 8);
    memcpy(img + 0x38, "ARM\x64", 4);
    emu_machine *m = open_with(img, sizeof img, EMU_ARCH_NONE, "cortex-a72", 3, 2);
    T_EXPECT_REG(m, EMU_A64_PC, RAM + 0x200000, "Image: entry at RAM + text_offset");
    emu_stop s;
    ck_assert_int_eq(emu_run(m, 5, &s), EMU_OK);
    T_EXPECT_REG(m, EMU_A64_X0, 0x410fd083, "cortex-a72 MIDR_EL1");
    T_EXPECT_REG(m, EMU_A64_X1, 0x01000111, "ID_AA64PFR0_EL1 with EL2 and the GICv3 system registers");
    T_EXPECT_REG(m, EMU_A64_X2, 2u << 2, "--el 2 enters at EL2");
    emu_close(m);
}
END_TEST

START_TEST(psci_over_smc_when_entered_at_el2)
{
    const uint32_t code[] = { 0xd4000003u /* smc #0 */, 0x14000000u };
    emu_machine *m = open_with(code, sizeof code, EMU_ARCH_AARCH64, NULL, 2, 2);
    t_set_reg(m, EMU_A64_X0, 0x84000000);
    emu_stop s;
    ck_assert_int_eq(emu_run(m, 1, &s), EMU_OK);
    T_EXPECT_REG(m, EMU_A64_X0, 0x10000, "PSCI_VERSION over SMC");
    emu_close(m);
}
END_TEST

START_TEST(bad_options_are_refused)
{
    emu_options o;
    emu_options_init(&o);
    o.arch = EMU_ARCH_AARCH64;
    emu_machine *m = NULL;
    char why[256];
    o.cpu_model = "cortex-a53";
    ck_assert_int_eq(emu_open_image(probe, sizeof probe, &o, &m, why, sizeof why), EMU_ERR_INVALID_ARG);
    ck_assert_msg(strstr(why, "cortex-a57") != NULL, "why: %s", why);
    o.cpu_model = NULL;
    o.gic_version = 4;
    ck_assert_int_eq(emu_open_image(probe, sizeof probe, &o, &m, why, sizeof why), EMU_ERR_INVALID_ARG);
    o.gic_version = 2;
    o.start_el = 3;
    ck_assert_int_eq(emu_open_image(probe, sizeof probe, &o, &m, why, sizeof why), EMU_ERR_INVALID_ARG);
    ck_assert_ptr_null(m);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("virt_boot");
    TCase *tc = tcase_create("boot");
    tcase_add_test(tc, raw_binary_at_0x80000_with_dtb_in_x0);
    tcase_add_test(tc, image_at_text_offset);
    tcase_add_test(tc, psci_over_smc_when_entered_at_el2);
    tcase_add_test(tc, bad_options_are_refused);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
