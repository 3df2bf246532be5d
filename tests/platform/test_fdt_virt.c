/*
 * The generated virt device tree: it parses with libfdt, has the nodes and
 * properties the bindings need, carries /chosen from the configuration,
 * and describes every modelled device exactly as QEMU 7.2 does: each
 * property we emit is compared, in dtc's text form, with QEMU's own dump
 * (tests/platform/virt*.qemu.dts, see README.md there).
 */
#include <check.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu_test.h"
#include "loader/fdt_virt.h"

static uint8_t blob[FDT_VIRT_MAX_SIZE];

static fdt_virt_config base_config(int gic)
{
    return (fdt_virt_config){
        .ram_base = 0x40000000, .ram_size = 128ull << 20, .gic_version = gic,
        .psci_method = "hvc", .mpidr = 0,
    };
}

static void build(const fdt_virt_config *cfg)
{
    char why[256] = "";
    size_t size = 0;
    ck_assert_msg(fdt_virt_build(cfg, blob, sizeof blob, &size, why, sizeof why) == EMU_OK, "build: %s", why);
    ck_assert_msg(fdt_check_header(blob) == 0, "fdt_check_header");
    ck_assert_msg(size == fdt_totalsize(blob) && size < sizeof blob, "size %zu", size);
}

static const void *prop(const char *path, const char *name, int *len)
{
    int node = fdt_path_offset(blob, path);
    ck_assert_msg(node >= 0, "node %s missing", path);
    const void *p = fdt_getprop(blob, node, name, len);
    ck_assert_msg(p != NULL, "%s:%s missing", path, name);
    return p;
}

static uint32_t cell(const char *path, const char *name, int index)
{
    int len = 0;
    const fdt32_t *p = prop(path, name, &len);
    ck_assert_msg(len >= 4 * (index + 1), "%s:%s too short", path, name);
    return fdt32_to_cpu(p[index]);
}

static void expect_string(const char *path, const char *name, const char *want)
{
    int len = 0;
    const char *p = prop(path, name, &len);
    ck_assert_msg(len == (int)strlen(want) + 1 && memcmp(p, want, (size_t)len) == 0,
                  "%s:%s want \"%s\" got \"%.*s\"", path, name, want, len, p);
}

START_TEST(tree_has_the_expected_nodes)
{
    fdt_virt_config cfg = base_config(2);
    build(&cfg);
    expect_string("/", "compatible", "linux,dummy-virt");
    ck_assert_uint_eq(cell("/", "#address-cells", 0), 2);
    ck_assert_uint_eq(cell("/", "interrupt-parent", 0), FDT_VIRT_PHANDLE_GIC);
    ck_assert_uint_eq(cell("/memory@40000000", "reg", 1), 0x40000000);
    ck_assert_uint_eq(cell("/memory@40000000", "reg", 3), 128u << 20);
    expect_string("/cpus/cpu@0", "enable-method", "psci");
    expect_string("/cpus/cpu@0", "device_type", "cpu");
    ck_assert_uint_eq(cell("/cpus/cpu@0", "reg", 0), 0);
    expect_string("/psci", "method", "hvc");
    expect_string("/chosen", "stdout-path", "/pl011@9000000");
    ck_assert_uint_eq(cell("/pl011@9000000", "interrupts", 1), 1);      /* SPI 1 */
    ck_assert_uint_eq(cell("/intc@8000000", "#interrupt-cells", 0), 3);
    ck_assert_uint_eq(cell("/intc@8000000", "reg", 5), 0x08010000);     /* GICC */
    ck_assert_uint_eq(cell("/timer", "interrupts", 4), 14);              /* NS EL1 physical */
    ck_assert_uint_eq(cell("/timer", "interrupts", 5), 0x104);
    int len = 0;
    prop("/intc@8000000", "interrupt-controller", &len);
    ck_assert_int_eq(len, 0);
    ck_assert_msg(fdt_path_offset(blob, "/chosen") >= 0 &&
                  fdt_getprop(blob, fdt_path_offset(blob, "/chosen"), "bootargs", NULL) == NULL,
                  "no bootargs unless configured");
}
END_TEST

START_TEST(gicv3_and_smc_and_chosen)
{
    fdt_virt_config cfg = base_config(3);
    cfg.psci_method = "smc";
    cfg.bootargs = "console=ttyAMA0 earlycon";
    cfg.initrd_start = 0x44000000;
    cfg.initrd_end = 0x44001234;
    build(&cfg);
    expect_string("/intc@8000000", "compatible", "arm,gic-v3");
    ck_assert_uint_eq(cell("/intc@8000000", "reg", 5), 0x080a0000);
    ck_assert_uint_eq(cell("/intc@8000000", "reg", 7), 0x00f60000);
    ck_assert_uint_eq(cell("/timer", "interrupts", 2), 4);               /* no CPU mask on v3 */
    expect_string("/psci", "method", "smc");
    expect_string("/chosen", "bootargs", "console=ttyAMA0 earlycon");
    ck_assert_uint_eq(cell("/chosen", "linux,initrd-start", 1), 0x44000000);
    ck_assert_uint_eq(cell("/chosen", "linux,initrd-end", 1), 0x44001234);
}
END_TEST

START_TEST(bad_configurations_are_refused)
{
    char why[256] = "";
    size_t size = 0;
    fdt_virt_config cfg = base_config(4);
    ck_assert_int_eq(fdt_virt_build(&cfg, blob, sizeof blob, &size, why, sizeof why), EMU_ERR_INVALID_ARG);
    ck_assert_msg(strstr(why, "GIC") != NULL, "why: %s", why);
    cfg = base_config(2);
    cfg.psci_method = "svc";
    ck_assert_int_eq(fdt_virt_build(&cfg, blob, sizeof blob, &size, why, sizeof why), EMU_ERR_INVALID_ARG);
    cfg = base_config(2);
    ck_assert_int_eq(fdt_virt_build(&cfg, blob, 200, &size, why, sizeof why), EMU_ERR_INVALID_ARG);
    ck_assert_msg(strstr(why, "device tree") != NULL, "too small a buffer: %s", why);
}
END_TEST

/* --- comparison with QEMU's dump ------------------------------------- */

/* A property rendered as dtc -O dts prints it. */
static void render(const uint8_t *v, int len, char *out, size_t out_len)
{
    bool strings = len > 0 && v[len - 1] == 0;
    for (int i = 0; strings && i < len; i++) {
        if (v[i] == 0 && (i == 0 || v[i - 1] == 0))
            strings = false;
        else if (v[i] != 0 && (v[i] < 0x20 || v[i] > 0x7e))
            strings = false;
    }
    size_t n = 0;
    if (len == 0) {
        snprintf(out, out_len, "<empty>");
    } else if (strings) {
        n += (size_t)snprintf(out + n, out_len - n, "\"");
        for (int i = 0; i < len - 1 && n + 3 < out_len; i++)
            n += (size_t)snprintf(out + n, out_len - n, v[i] ? "%c" : "\\0", v[i]);
        snprintf(out + n, out_len - n, "\"");
    } else if (len % 4 == 0) {
        n += (size_t)snprintf(out + n, out_len - n, "<");
        for (int i = 0; i < len && n + 12 < out_len; i += 4) {
            uint32_t c = (uint32_t)v[i] << 24 | (uint32_t)v[i + 1] << 16 | (uint32_t)v[i + 2] << 8 | v[i + 3];
            n += (size_t)snprintf(out + n, out_len - n, "%s0x%02x", i ? " " : "", c);
        }
        snprintf(out + n, out_len - n, ">");
    } else {
        snprintf(out, out_len, "<bytes>");
    }
}

static char *read_text(const char *name)
{
    const char *src = getenv("EMU_SOURCE_DIR");
    ck_assert_msg(src != NULL, "EMU_SOURCE_DIR not set (run through ctest)");
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/platform/%s", src, name);
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    static char text[64 << 10];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    return text;
}

/* The value text of `prop` in node `path` of a dtc-printed tree, or NULL.
 * dtc prints one property per line and one node per "name {" line. */
static bool dts_lookup(const char *dts, const char *path, const char *name, char *out, size_t out_len)
{
    char cur[256] = "";
    const char *line = dts;
    while (*line) {
        const char *end = strchr(line, '\n');
        size_t l = end ? (size_t)(end - line) : strlen(line);
        char buf[4096];
        size_t k = l < sizeof buf - 1 ? l : sizeof buf - 1;
        memcpy(buf, line, k);
        buf[k] = '\0';
        char *s = buf;
        while (*s == '\t' || *s == ' ')
            s++;
        size_t sl = strlen(s);
        if (sl >= 2 && strcmp(s + sl - 2, " {") == 0) {
            s[sl - 2] = '\0';
            if (strcmp(s, "/") != 0) {
                size_t cl = strlen(cur);
                snprintf(cur + cl, sizeof cur - cl, "/%s", s);
            }
        } else if (strcmp(s, "};") == 0) {
            char *slash = strrchr(cur, '/');
            if (slash)
                *slash = '\0';
        } else if (strcmp(cur[0] ? cur : "/", path) == 0) {
            size_t nl = strlen(name);
            if (strncmp(s, name, nl) == 0 && (strcmp(s + nl, ";") == 0)) {
                snprintf(out, out_len, "<empty>");
                return true;
            }
            if (strncmp(s, name, nl) == 0 && strncmp(s + nl, " = ", 3) == 0) {
                snprintf(out, out_len, "%s", s + nl + 3);
                size_t ol = strlen(out);
                if (ol && out[ol - 1] == ';')
                    out[ol - 1] = '\0';
                return true;
            }
        }
        line = end ? end + 1 : line + l;
    }
    return false;
}

/* Properties emu adds on purpose (fdt_virt.c header says why). */
static bool known_extra(const char *path, const char *name)
{
    return strcmp(path, "/cpus/cpu@0") == 0 && strcmp(name, "enable-method") == 0;
}

static void compare_with_qemu(int gic, const char *dts_name)
{
    fdt_virt_config cfg = base_config(gic);
    build(&cfg);
    const char *dts = read_text(dts_name);
    unsigned compared = 0;
    for (int node = 0; node >= 0; node = fdt_next_node(blob, node, NULL)) {
        char path[256];
        ck_assert_int_eq(fdt_get_path(blob, node, path, sizeof path), 0);
        int p;
        fdt_for_each_property_offset(p, blob, node) {
            const char *name = NULL;
            int len = 0;
            const uint8_t *v = fdt_getprop_by_offset(blob, p, &name, &len);
            if (known_extra(path, name))
                continue;
            char ours[4096], theirs[4096];
            render(v, len, ours, sizeof ours);
            ck_assert_msg(dts_lookup(dts, path, name, theirs, sizeof theirs),
                          "%s (GICv%d): QEMU has no %s:%s (ours %s)", dts_name, gic, path, name, ours);
            ck_assert_msg(strcmp(ours, theirs) == 0, "%s (GICv%d) %s:%s: ours %s, QEMU %s",
                          dts_name, gic, path, name, ours, theirs);
            compared++;
        }
    }
    ck_assert_msg(compared >= 40, "only %u properties compared", compared);
}

START_TEST(matches_qemu_gicv2)
{
    compare_with_qemu(2, "virt.qemu.dts");
}
END_TEST

START_TEST(matches_qemu_gicv3)
{
    compare_with_qemu(3, "virt-gicv3.qemu.dts");
}
END_TEST

/* QEMU's properties for the nodes we model are all ours too. */
START_TEST(qemu_properties_of_modelled_nodes_are_present)
{
    static const struct { const char *path, *name; } want[] = {
        { "/pl011@9000000", "clock-names" }, { "/pl011@9000000", "clocks" },
        { "/pl011@9000000", "interrupts" }, { "/pl011@9000000", "reg" },
        { "/pl011@9000000", "compatible" }, { "/timer", "always-on" },
        { "/timer", "interrupts" }, { "/timer", "compatible" },
        { "/apb-pclk", "clock-frequency" }, { "/apb-pclk", "clock-output-names" },
        { "/psci", "cpu_on" }, { "/psci", "cpu_off" }, { "/psci", "migrate" }, { "/psci", "cpu_suspend" },
        { "/intc@8000000", "ranges" }, { "/intc@8000000", "#interrupt-cells" },
        { "/memory@40000000", "device_type" }, { "/chosen", "stdout-path" },
    };
    fdt_virt_config cfg = base_config(2);
    build(&cfg);
    const char *dts = read_text("virt.qemu.dts");
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        char theirs[4096];
        ck_assert_msg(dts_lookup(dts, want[i].path, want[i].name, theirs, sizeof theirs),
                      "reference dump lacks %s:%s", want[i].path, want[i].name);
        int node = fdt_path_offset(blob, want[i].path);
        ck_assert_msg(node >= 0 && fdt_getprop(blob, node, want[i].name, NULL) != NULL,
                      "ours lacks %s:%s", want[i].path, want[i].name);
    }
}
END_TEST

static Suite *fdt_virt_suite(void)
{
    Suite *s = suite_create("fdt_virt");
    TCase *tc = tcase_create("fdt_virt");
    tcase_add_test(tc, tree_has_the_expected_nodes);
    tcase_add_test(tc, gicv3_and_smc_and_chosen);
    tcase_add_test(tc, bad_configurations_are_refused);
    tcase_add_test(tc, matches_qemu_gicv2);
    tcase_add_test(tc, matches_qemu_gicv3);
    tcase_add_test(tc, qemu_properties_of_modelled_nodes_are_present);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return t_run_suite(fdt_virt_suite());
}
