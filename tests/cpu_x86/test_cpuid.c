/*
 * CPUID and --cpu (docs/cpu-models.md): each model's vendor, version and
 * brand, feature words, +/- and =on|off switches and aliases, vendor=,
 * unknown leaves (Intel: highest basic leaf; AMD: zeros), address sizes,
 * and parse errors with their reasons.
 */
#include <string.h>

#include "sys_test.h"

enum { EAX, EBX, ECX, EDX };

static void cpuid(emu_machine *m, uint32_t leaf, uint32_t sub, uint32_t out[4], const char *what)
{
    static const uint8_t code[] = { 0x0f, 0xa2 };
    t_load_code(m, code, sizeof code);
    t_set_reg(m, EMU_X86_RAX, leaf);
    t_set_reg(m, EMU_X86_RCX, sub);
    st_ok(m, what);
    out[EAX] = (uint32_t)t_reg(m, EMU_X86_RAX);
    out[EBX] = (uint32_t)t_reg(m, EMU_X86_RBX);
    out[ECX] = (uint32_t)t_reg(m, EMU_X86_RCX);
    out[EDX] = (uint32_t)t_reg(m, EMU_X86_RDX);
}

static void vendor_of(const uint32_t r[4], char out[13])
{
    memcpy(out, &r[EBX], 4);
    memcpy(out + 4, &r[EDX], 4);
    memcpy(out + 8, &r[ECX], 4);
    out[12] = '\0';
}

static const struct {
    const char *model, *vendor, *brand;
    uint32_t version;
} models[] = {
    { "max", "AuthenticAMD", "ringside max CPU", 0x00060fb1 },   /* QEMU 7.2: max signs as qemu64 */
    { "qemu64", "AuthenticAMD", "QEMU Virtual CPU version 2.5+", 0x00060fb1 },
    { "Skylake-Client", "GenuineIntel", "Intel Core Processor (Skylake)", 0x000506e3 },
    { "EPYC", "AuthenticAMD", "AMD EPYC Processor", 0x00800f12 },
};

START_TEST(models_identify_themselves)
{
    for (unsigned i = 0; i < sizeof models / sizeof models[0]; i++) {
        emu_machine *m = st_machine(EMU_X86_START_LONG64, models[i].model);
        uint32_t r[4];
        char vendor[13];
        cpuid(m, 0, 0, r, models[i].model);
        vendor_of(r, vendor);
        ck_assert_msg(strcmp(vendor, models[i].vendor) == 0, "%s: vendor want %s got %s",
                      models[i].model, models[i].vendor, vendor);
        ck_assert_msg(r[EAX] == 0xd, "%s: max basic leaf want 0xd got 0x%x", models[i].model, r[EAX]);
        cpuid(m, 1, 0, r, models[i].model);
        ck_assert_msg(r[EAX] == models[i].version, "%s: CPUID.1:EAX want 0x%x got 0x%x",
                      models[i].model, models[i].version, r[EAX]);
        ck_assert_msg(r[EBX] == 0x800, "%s: CPUID.1:EBX want CLFLUSH 8 qwords, APIC ID 0, got 0x%x",
                      models[i].model, r[EBX]);
        cpuid(m, 0x80000000, 0, r, models[i].model);
        ck_assert_msg(r[EAX] == 0x80000008, "%s: max extended leaf 0x%x", models[i].model, r[EAX]);
        char brand[49] = { 0 };
        for (uint32_t l = 0; l < 3; l++) {
            cpuid(m, 0x80000002 + l, 0, r, models[i].model);
            memcpy(brand + 16 * l, r, 16);
        }
        ck_assert_msg(strcmp(brand, models[i].brand) == 0, "%s: brand want '%s' got '%s'",
                      models[i].model, models[i].brand, brand);
        cpuid(m, 0x80000008, 0, r, models[i].model);
        ck_assert_msg(r[EAX] == 0x3028, "%s: address sizes want 40 physical, 48 linear, got 0x%x",
                      models[i].model, r[EAX]);
        emu_close(m);
    }
}
END_TEST

START_TEST(qemu64_feature_words)
{
    emu_machine *m = st_machine(EMU_X86_START_LONG64, "qemu64");
    uint32_t r[4];
    cpuid(m, 1, 0, r, "qemu64 leaf 1");
    ck_assert_msg(r[EDX] == 0x078bfbfd, "qemu64 CPUID.1:EDX want 0x078bfbfd got 0x%x", r[EDX]);
    ck_assert_msg(r[ECX] == 0x00002001, "qemu64 CPUID.1:ECX want SSE3|CX16 got 0x%x", r[ECX]);
    cpuid(m, 0x80000001, 0, r, "qemu64 leaf 80000001");
    /* LM, NX, SYSCALL plus the 1.EDX bits AMD repeats here. */
    ck_assert_msg(r[EDX] == (0x20100800u | (0x078bfbfdu & 0x0183f3ffu)),
                  "qemu64 CPUID.80000001:EDX got 0x%x", r[EDX]);
    ck_assert_msg(r[ECX] == 1, "qemu64 CPUID.80000001:ECX want LAHF_LM got 0x%x", r[ECX]);
    cpuid(m, 7, 0, r, "qemu64 leaf 7");
    ck_assert_msg(r[EBX] == 0 && r[ECX] == 0, "qemu64 leaf 7 should be empty: 0x%x 0x%x", r[EBX],
                  r[ECX]);
    emu_close(m);

    m = st_machine(EMU_X86_START_LONG64, "Skylake-Client");
    cpuid(m, 0x80000001, 0, r, "Skylake leaf 80000001");
    ck_assert_msg(!(r[EDX] & 1), "Intel models do not repeat FPU in 80000001H:EDX");
    cpuid(m, 7, 0, r, "Skylake leaf 7");
    ck_assert_msg(r[EBX] & (1u << 7) && r[EBX] & (1u << 20), "Skylake-Client has SMEP and SMAP");
    emu_close(m);
}
END_TEST

static uint32_t reg_bit(const char *spec, uint32_t leaf, int reg, unsigned bit)
{
    emu_machine *m = st_machine(EMU_X86_START_LONG64, spec);
    uint32_t r[4];
    cpuid(m, leaf, 0, r, spec);
    emu_close(m);
    return (r[reg] >> bit) & 1;
}

START_TEST(feature_switches)
{
    static const struct { const char *spec; uint32_t leaf; int reg; unsigned bit; uint32_t want; } cases[] = {
        { "qemu64,+smep", 7, EBX, 7, 1 },
        { "qemu64", 7, EBX, 7, 0 },
        { "max,-nx", 0x80000001, EDX, 20, 0 },
        { "max,nx=off", 0x80000001, EDX, 20, 0 },
        { "qemu64,xd=off", 0x80000001, EDX, 20, 0 },
        { "qemu64,-nx,nx=on", 0x80000001, EDX, 20, 1 },
        { "Skylake-Client,-x2apic", 1, ECX, 21, 0 },
        { "qemu64,x2apic", 1, ECX, 21, 1 },
        { "qemu64,+pdpe1gb", 0x80000001, EDX, 26, 1 },
        { "qemu64,+lzcnt", 0x80000001, ECX, 5, 1 },
        { "max,-umip", 7, ECX, 2, 0 },
        { "max", 7, ECX, 3, 1 },
        { "EPYC,+tsc-deadline", 1, ECX, 24, 1 },
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint32_t got = reg_bit(cases[i].spec, cases[i].leaf, cases[i].reg, cases[i].bit);
        ck_assert_msg(got == cases[i].want, "%s: leaf 0x%x reg %d bit %u want %u got %u",
                      cases[i].spec, cases[i].leaf, cases[i].reg, cases[i].bit, cases[i].want, got);
    }

    emu_machine *m = st_machine(EMU_X86_START_LONG64, "qemu64,vendor=GenuineIntel");
    uint32_t r[4];
    char vendor[13];
    cpuid(m, 0, 0, r, "vendor=GenuineIntel");
    vendor_of(r, vendor);
    ck_assert_msg(strcmp(vendor, "GenuineIntel") == 0, "vendor= override: got %s", vendor);
    emu_close(m);
}
END_TEST

START_TEST(unknown_leaves)
{
    uint32_t top[4], r[4];
    emu_machine *m = st_machine(EMU_X86_START_LONG64, "Skylake-Client");
    cpuid(m, 0xd, 0, top, "Intel leaf 0xd");
    ck_assert_msg(top[EAX] == 1 && top[EBX] == 576, "leaf 0xd: x87 only, 576 bytes");
    cpuid(m, 0x20, 0, r, "Intel leaf 0x20");
    ck_assert_msg(memcmp(r, top, sizeof r) == 0, "Intel: leaf above the maximum returns leaf 0xd");
    cpuid(m, 0x80000009, 0, r, "Intel leaf 0x80000009");
    ck_assert_msg(memcmp(r, top, sizeof r) == 0, "Intel: extended leaf above the maximum returns leaf 0xd");
    emu_close(m);

    m = st_machine(EMU_X86_START_LONG64, "EPYC");
    cpuid(m, 0x20, 0, r, "AMD leaf 0x20");
    ck_assert_msg(!r[EAX] && !r[EBX] && !r[ECX] && !r[EDX], "AMD: leaf above the maximum is zeros");
    cpuid(m, 0x80000009, 0, r, "AMD leaf 0x80000009");
    ck_assert_msg(!r[EAX] && !r[EBX] && !r[ECX] && !r[EDX], "AMD: extended leaf above the maximum is zeros");
    emu_close(m);
}
END_TEST

START_TEST(bad_specs_are_refused)
{
    static const char *const bad[] = {
        "bogus", "max,+bogus", "max,nx=maybe", "max,vendor=CyrixInstead", "max,,nx", "qemu64,-",
    };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        emu_options opts;
        emu_options_init(&opts);
        opts.arch = EMU_ARCH_X86_64;
        opts.cpu_model = bad[i];
        emu_machine *m = NULL;
        emu_err err = emu_create(&opts, &m);
        ck_assert_msg(err == EMU_ERR_BAD_CPU_MODEL && m == NULL, "--cpu %s: want BAD_CPU_MODEL, got %s",
                      bad[i], emu_strerror(err));
    }
}
END_TEST

/* A minimal ELF64 x86-64 executable (one PT_LOAD, a HLT), to see emu_open's reasons. */
static size_t tiny_elf(uint8_t *img)
{
    memset(img, 0, 121);
    const uint8_t ident[] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 };
    memcpy(img, ident, sizeof ident);
    uint16_t h16[] = { 2, 62 };                          /* ET_EXEC, EM_X86_64 */
    memcpy(img + 16, h16, 4);
    uint32_t version = 1;
    memcpy(img + 20, &version, 4);
    uint64_t entry = 0x100078, phoff = 64;
    memcpy(img + 24, &entry, 8);
    memcpy(img + 32, &phoff, 8);
    uint16_t sizes[] = { 64, 56, 1, 64, 0, 0 };          /* ehsize, phentsize, phnum, shentsize */
    memcpy(img + 52, sizes, sizeof sizes);
    uint32_t ptype[] = { 1, 5 };                         /* PT_LOAD, R+X */
    memcpy(img + 64, ptype, 8);
    uint64_t ph[] = { 0, 0x100000, 0x100000, 121, 121, 0x1000 };
    memcpy(img + 72, ph, sizeof ph);
    img[120] = 0xf4;
    return 121;
}

START_TEST(parse_errors_name_the_choices)
{
    uint8_t img[121];
    size_t len = tiny_elf(img);
    static const struct { const char *spec, *want1, *want2; } cases[] = {
        { "bogus", "bogus", "qemu64" },
        { "max,+bogus", "bogus", "fpu" },
        { "max,vendor=CyrixInstead", "CyrixInstead", "GenuineIntel" },
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        emu_options opts;
        emu_options_init(&opts);
        opts.cpu_model = cases[i].spec;
        emu_machine *m = NULL;
        char why[1024] = "";
        emu_err err = emu_open_image(img, len, &opts, &m, why, sizeof why);
        ck_assert_msg(err == EMU_ERR_BAD_CPU_MODEL, "--cpu %s: want BAD_CPU_MODEL, got %s (%s)",
                      cases[i].spec, emu_strerror(err), why);
        ck_assert_msg(strstr(why, cases[i].want1) && strstr(why, cases[i].want2),
                      "--cpu %s: reason should name '%s' and '%s': %s", cases[i].spec,
                      cases[i].want1, cases[i].want2, why);
    }
}
END_TEST

static Suite *cpuid_suite(void)
{
    Suite *s = suite_create("cpuid");
    TCase *tc = tcase_create("x86");
    tcase_add_test(tc, models_identify_themselves);
    tcase_add_test(tc, qemu64_feature_words);
    tcase_add_test(tc, feature_switches);
    tcase_add_test(tc, unknown_leaves);
    tcase_add_test(tc, bad_specs_are_refused);
    tcase_add_test(tc, parse_errors_name_the_choices);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return t_run_suite(cpuid_suite());
}
