/*
 * CPU models and --cpu parsing in QEMU's -cpu syntax (docs/cpu-models.md):
 *     MODEL[,+feat][,-feat][,feat][,feat=on|off][,vendor=GenuineIntel|AuthenticAMD]
 * Changes apply left to right; a bare feature name means feat=on, as QEMU's
 * legacy syntax has it.
 *
 * Each model lists the feature bits QEMU gives it that ringside knows (the
 * table below); bits of vector and other extensions ringside does not model
 * (AVX, AES, XSAVE, PCID, SVM, ...) are left out, as QEMU's TCG filters the
 * bits it cannot provide. The extended leaves stop at 80000008H.
 */
#include "cpu/x86/cpu_model.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cpu/x86/cpu_features.h"

typedef struct feature_name {
    const char *name;
    enum x86_feature_word word;
    uint32_t bit;
    bool alias;         /* another spelling of the row above, not listed on its own */
} feature_name;

#define FEATURE(n, f) { n, f, false }
#define ALIAS(n, f)   { n, f, true }

static const feature_name features[] = {
    FEATURE("fpu", X86_FEAT_FPU),
    FEATURE("de", X86_FEAT_DE),
    FEATURE("pse", X86_FEAT_PSE),
    FEATURE("tsc", X86_FEAT_TSC),
    FEATURE("msr", X86_FEAT_MSR),
    FEATURE("pae", X86_FEAT_PAE),
    FEATURE("mce", X86_FEAT_MCE),
    FEATURE("cx8", X86_FEAT_CX8),
    FEATURE("apic", X86_FEAT_APIC),
    FEATURE("sep", X86_FEAT_SEP),
    FEATURE("mtrr", X86_FEAT_MTRR),
    FEATURE("pge", X86_FEAT_PGE),
    FEATURE("mca", X86_FEAT_MCA),
    FEATURE("cmov", X86_FEAT_CMOV),
    FEATURE("pat", X86_FEAT_PAT),
    FEATURE("pse36", X86_FEAT_PSE36),
    FEATURE("clflush", X86_FEAT_CLFLUSH),
    FEATURE("mmx", X86_FEAT_MMX),
    FEATURE("fxsr", X86_FEAT_FXSR),
    FEATURE("sse", X86_FEAT_SSE),
    FEATURE("sse2", X86_FEAT_SSE2),
    FEATURE("pni", X86_FEAT_SSE3),
    ALIAS("sse3", X86_FEAT_SSE3),
    FEATURE("ssse3", X86_FEAT_SSSE3),
    FEATURE("cx16", X86_FEAT_CX16),
    FEATURE("sse4.1", X86_FEAT_SSE41),
    ALIAS("sse4_1", X86_FEAT_SSE41),
    FEATURE("sse4.2", X86_FEAT_SSE42),
    ALIAS("sse4_2", X86_FEAT_SSE42),
    FEATURE("x2apic", X86_FEAT_X2APIC),
    FEATURE("popcnt", X86_FEAT_POPCNT),
    FEATURE("tsc-deadline", X86_FEAT_TSC_DEADLINE),
    FEATURE("fsgsbase", X86_FEAT_FSGSBASE),
    FEATURE("tsc-adjust", X86_FEAT_TSC_ADJUST),
    ALIAS("tsc_adjust", X86_FEAT_TSC_ADJUST),
    FEATURE("bmi1", X86_FEAT_BMI1),
    FEATURE("smep", X86_FEAT_SMEP),
    FEATURE("erms", X86_FEAT_ERMS),
    FEATURE("smap", X86_FEAT_SMAP),
    FEATURE("umip", X86_FEAT_UMIP),
    FEATURE("pku", X86_FEAT_PKU),
    FEATURE("pks", X86_FEAT_PKS),
    FEATURE("spec-ctrl", X86_FEAT_SPEC_CTRL),
    FEATURE("syscall", X86_FEAT_SYSCALL),
    FEATURE("nx", X86_FEAT_NX),
    ALIAS("xd", X86_FEAT_NX),
    FEATURE("pdpe1gb", X86_FEAT_PDPE1GB),
    FEATURE("rdtscp", X86_FEAT_RDTSCP),
    FEATURE("lm", X86_FEAT_LM),
    ALIAS("i64", X86_FEAT_LM),
    FEATURE("lahf_lm", X86_FEAT_LAHF_LM),
    FEATURE("abm", X86_FEAT_ABM),
    ALIAS("lzcnt", X86_FEAT_ABM),
};

#define N_FEATURES (sizeof features / sizeof features[0])

static inline uint32_t mask(uint32_t bit) { return 1u << bit; }
#define W X86_FEAT_MASK

/* CPUID.01H:EDX of every model here: QEMU's PPRO_FEATURES plus MTRR, CLFLUSH, MCA, PSE36. */
#define BASE_1_EDX                                                                          \
    (W(X86_FEAT_FPU) | W(X86_FEAT_DE) | W(X86_FEAT_PSE) | W(X86_FEAT_TSC) | W(X86_FEAT_MSR) | \
     W(X86_FEAT_PAE) | W(X86_FEAT_MCE) | W(X86_FEAT_CX8) | W(X86_FEAT_APIC) |                \
     W(X86_FEAT_SEP) | W(X86_FEAT_MTRR) | W(X86_FEAT_PGE) | W(X86_FEAT_MCA) |                \
     W(X86_FEAT_CMOV) | W(X86_FEAT_PAT) | W(X86_FEAT_PSE36) | W(X86_FEAT_CLFLUSH) |          \
     W(X86_FEAT_MMX) | W(X86_FEAT_FXSR) | W(X86_FEAT_SSE) | W(X86_FEAT_SSE2))

/* The max model: every row of the feature table. */
#define MAX_1_ECX                                                                           \
    (W(X86_FEAT_SSE3) | W(X86_FEAT_SSSE3) | W(X86_FEAT_CX16) | W(X86_FEAT_SSE41) |          \
     W(X86_FEAT_SSE42) | W(X86_FEAT_X2APIC) | W(X86_FEAT_POPCNT) | W(X86_FEAT_TSC_DEADLINE))
#define MAX_7_EBX                                                                           \
    (W(X86_FEAT_FSGSBASE) | W(X86_FEAT_TSC_ADJUST) | W(X86_FEAT_BMI1) | W(X86_FEAT_SMEP) |  \
     W(X86_FEAT_ERMS) | W(X86_FEAT_SMAP))
#define MAX_7_ECX (W(X86_FEAT_UMIP) | W(X86_FEAT_PKU) | W(X86_FEAT_PKS))
#define MAX_7_EDX W(X86_FEAT_SPEC_CTRL)
#define MAX_80000001_EDX                                                                    \
    (W(X86_FEAT_SYSCALL) | W(X86_FEAT_NX) | W(X86_FEAT_PDPE1GB) | W(X86_FEAT_RDTSCP) |      \
     W(X86_FEAT_LM))
#define MAX_80000001_ECX (W(X86_FEAT_LAHF_LM) | W(X86_FEAT_ABM))

/*
 * Cache and TLB descriptors (AMD CPUID Specification, Fn8000_0005/6), the
 * values QEMU 7.2 reports: its legacy 64 KiB L1 caches and 512 KiB L2 for
 * most models, EPYC's own for EPYC. emu models no caches; these only tell
 * firmware that probes them the same story QEMU does.
 */
#define QEMU_CACHE_L1 { 0x01ff01ff, 0x01ff01ff, 0x40020140, 0x40020140 }
#define QEMU_CACHE_L2 { 0x00000000, 0x42004200, 0x02008140, 0x00808140 }
#define EPYC_CACHE_L1 { 0x01ff01ff, 0x01ff01ff, 0x20080140, 0x40040140 }
#define EPYC_CACHE_L2 { 0x00000000, 0x42004200, 0x02006140, 0x00408140 }

static const x86_cpu_model models[] = {
    {
        .name = "max",
        .description = "every feature ringside models",
        .vendor = X86_VENDOR_AMD,
        .vendor_string = "AuthenticAMD",
        .family = 15, .model = 107, .stepping = 1,    /* QEMU's max under TCG signs as qemu64 */
        .max_leaf = 0xd, .max_ext_leaf = 0x80000008,
        .brand = "ringside max CPU",
        .cache_l1 = QEMU_CACHE_L1,
        .cache_l2 = QEMU_CACHE_L2,
        .features = {
            [X86_FW_1_EDX] = BASE_1_EDX,
            [X86_FW_1_ECX] = MAX_1_ECX,
            [X86_FW_7_EBX] = MAX_7_EBX,
            [X86_FW_7_ECX] = MAX_7_ECX,
            [X86_FW_7_EDX] = MAX_7_EDX,
            [X86_FW_80000001_EDX] = MAX_80000001_EDX,
            [X86_FW_80000001_ECX] = MAX_80000001_ECX,
        },
    },
    {
        .name = "qemu64",
        .description = "QEMU's default 64-bit CPU",
        .vendor = X86_VENDOR_AMD,
        .vendor_string = "AuthenticAMD",
        .family = 15, .model = 107, .stepping = 1,
        .max_leaf = 0xd, .max_ext_leaf = 0x80000008,
        .brand = "QEMU Virtual CPU version 2.5+",
        .cache_l1 = QEMU_CACHE_L1,
        .cache_l2 = QEMU_CACHE_L2,
        .features = {
            [X86_FW_1_EDX] = BASE_1_EDX,
            [X86_FW_1_ECX] = W(X86_FEAT_SSE3) | W(X86_FEAT_CX16),
            [X86_FW_80000001_EDX] = W(X86_FEAT_SYSCALL) | W(X86_FEAT_NX) | W(X86_FEAT_LM),
            [X86_FW_80000001_ECX] = W(X86_FEAT_LAHF_LM),
        },
    },
    {
        .name = "Skylake-Client",
        .description = "Intel Core Processor (Skylake)",
        .vendor = X86_VENDOR_INTEL,
        .vendor_string = "GenuineIntel",
        .family = 6, .model = 94, .stepping = 3,
        .max_leaf = 0xd, .max_ext_leaf = 0x80000008,
        .brand = "Intel Core Processor (Skylake)",
        .cache_l2 = QEMU_CACHE_L2,
        .features = {
            [X86_FW_1_EDX] = BASE_1_EDX,
            [X86_FW_1_ECX] = W(X86_FEAT_SSE3) | W(X86_FEAT_SSSE3) | W(X86_FEAT_CX16) |
                             W(X86_FEAT_SSE41) | W(X86_FEAT_SSE42) | W(X86_FEAT_X2APIC) |
                             W(X86_FEAT_POPCNT) | W(X86_FEAT_TSC_DEADLINE),
            [X86_FW_7_EBX] = W(X86_FEAT_FSGSBASE) | W(X86_FEAT_BMI1) | W(X86_FEAT_SMEP) |
                             W(X86_FEAT_ERMS) | W(X86_FEAT_SMAP),
            [X86_FW_80000001_EDX] = W(X86_FEAT_SYSCALL) | W(X86_FEAT_NX) |
                                    W(X86_FEAT_RDTSCP) | W(X86_FEAT_LM),
            [X86_FW_80000001_ECX] = W(X86_FEAT_LAHF_LM) | W(X86_FEAT_ABM),
        },
    },
    {
        .name = "EPYC",
        .description = "AMD EPYC Processor",
        .vendor = X86_VENDOR_AMD,
        .vendor_string = "AuthenticAMD",
        .family = 23, .model = 1, .stepping = 2,
        .max_leaf = 0xd, .max_ext_leaf = 0x80000008,
        .brand = "AMD EPYC Processor",
        .cache_l1 = EPYC_CACHE_L1,
        .cache_l2 = EPYC_CACHE_L2,
        .features = {
            [X86_FW_1_EDX] = BASE_1_EDX,
            [X86_FW_1_ECX] = W(X86_FEAT_SSE3) | W(X86_FEAT_SSSE3) | W(X86_FEAT_CX16) |
                             W(X86_FEAT_SSE41) | W(X86_FEAT_SSE42) | W(X86_FEAT_POPCNT),
            [X86_FW_7_EBX] = W(X86_FEAT_FSGSBASE) | W(X86_FEAT_BMI1) | W(X86_FEAT_SMEP) |
                             W(X86_FEAT_SMAP),
            [X86_FW_80000001_EDX] = W(X86_FEAT_SYSCALL) | W(X86_FEAT_NX) |
                                    W(X86_FEAT_PDPE1GB) | W(X86_FEAT_RDTSCP) | W(X86_FEAT_LM),
            [X86_FW_80000001_ECX] = W(X86_FEAT_LAHF_LM) | W(X86_FEAT_ABM),
        },
    },
};

#define N_MODELS (sizeof models / sizeof models[0])
#define MAX_MODEL_INDEX 0

const x86_cpu_model *x86_cpu_models(size_t *count)
{
    *count = N_MODELS;
    return models;
}

bool x86_cpu_has(const x86_cpu_config *cfg, enum x86_feature_word word, uint32_t bit)
{
    return (cfg->features[word] >> bit) & 1;
}

/* Append "a, b, c" of the model or feature names to buf. */
static void list_models(char *buf, size_t len)
{
    size_t used = strlen(buf);
    for (size_t i = 0; i < N_MODELS && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "", models[i].name);
}

static void list_features(char *buf, size_t len)
{
    size_t used = strlen(buf);
    bool first = true;
    for (size_t i = 0; i < N_FEATURES && used < len; i++) {
        if (features[i].alias)
            continue;
        used += (size_t)snprintf(buf + used, len - used, "%s%s", first ? "" : ", ",
                                 features[i].name);
        first = false;
    }
}

static void say(char *why, size_t why_len, const char *fmt, const char *arg)
{
    if (why && why_len)
        snprintf(why, why_len, fmt, arg);
}

static const feature_name *find_feature(const char *name, size_t len)
{
    for (size_t i = 0; i < N_FEATURES; i++)
        if (strlen(features[i].name) == len && strncmp(features[i].name, name, len) == 0)
            return &features[i];
    return NULL;
}

static const x86_cpu_model *find_model(const char *name, size_t len)
{
    for (size_t i = 0; i < N_MODELS; i++)
        if (strlen(models[i].name) == len && strncasecmp(models[i].name, name, len) == 0)
            return &models[i];
    return NULL;
}

static int bad_feature(const char *tok, size_t len, char *why, size_t why_len)
{
    if (why && why_len) {
        snprintf(why, why_len, "unknown CPU feature '%.*s'; known features: ", (int)len, tok);
        list_features(why, why_len);
    }
    return -1;
}

/* One comma-separated option after the model name. */
static int apply_option(x86_cpu_config *cfg, const char *tok, size_t len, char *why,
                        size_t why_len)
{
    static const char vendor_key[] = "vendor=";
    const size_t vendor_key_len = sizeof vendor_key - 1;
    if (len > vendor_key_len && strncmp(tok, vendor_key, vendor_key_len) == 0) {
        const char *v = tok + vendor_key_len;
        size_t vlen = len - vendor_key_len;
        if (vlen == strlen("GenuineIntel") && strncmp(v, "GenuineIntel", vlen) == 0)
            cfg->vendor = X86_VENDOR_INTEL;
        else if (vlen == strlen("AuthenticAMD") && strncmp(v, "AuthenticAMD", vlen) == 0)
            cfg->vendor = X86_VENDOR_AMD;
        else {
            if (why && why_len)
                snprintf(why, why_len, "unknown CPU vendor '%.*s'; use GenuineIntel or AuthenticAMD",
                         (int)vlen, v);
            return -1;
        }
        memcpy(cfg->vendor_string, v, vlen);
        cfg->vendor_string[vlen] = '\0';
        return 0;
    }

    bool on = true;
    const char *name = tok;
    size_t name_len = len;
    const char *eq = memchr(tok, '=', len);
    if (tok[0] == '+' || tok[0] == '-') {
        on = tok[0] == '+';
        name++;
        name_len--;
    } else if (eq) {
        const char *val = eq + 1;
        size_t val_len = len - (size_t)(val - tok);
        name_len = (size_t)(eq - tok);
        if (val_len == 2 && strncmp(val, "on", 2) == 0)
            on = true;
        else if (val_len == 3 && strncmp(val, "off", 3) == 0)
            on = false;
        else {
            if (why && why_len)
                snprintf(why, why_len, "CPU feature '%.*s': value must be on or off, not '%.*s'",
                         (int)name_len, name, (int)val_len, val);
            return -1;
        }
    }
    const feature_name *f = find_feature(name, name_len);
    if (!f)
        return bad_feature(name, name_len, why, why_len);
    if (on)
        cfg->features[f->word] |= mask(f->bit);
    else
        cfg->features[f->word] &= ~mask(f->bit);
    return 0;
}

int x86_cpu_config_parse(const char *spec, x86_cpu_config *out, char *why, size_t why_len)
{
    if (!spec || !*spec)
        spec = models[MAX_MODEL_INDEX].name;
    const char *comma = strchr(spec, ',');
    size_t model_len = comma ? (size_t)(comma - spec) : strlen(spec);
    const x86_cpu_model *model = find_model(spec, model_len);
    if (!model) {
        if (why && why_len) {
            snprintf(why, why_len, "unknown CPU model '%.*s'; known models: ", (int)model_len, spec);
            list_models(why, why_len);
        }
        return -1;
    }

    x86_cpu_config cfg = { .base = model, .vendor = model->vendor };
    memcpy(cfg.vendor_string, model->vendor_string, sizeof cfg.vendor_string);
    memcpy(cfg.features, model->features, sizeof cfg.features);

    const char *p = comma;
    while (p) {
        const char *tok = p + 1;
        const char *next = strchr(tok, ',');
        size_t len = next ? (size_t)(next - tok) : strlen(tok);
        if (len == 0) {
            say(why, why_len, "empty option in CPU specification '%s'", spec);
            return -1;
        }
        if (apply_option(&cfg, tok, len, why, why_len) < 0)
            return -1;
        p = next;
    }
    *out = cfg;
    return 0;
}
