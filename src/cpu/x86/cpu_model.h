/*
 * CPU models for CPUID, selected with --cpu in QEMU's -cpu syntax:
 * MODEL[,+feature|-feature|feature=on|off|vendor=STRING]... (docs/cpu-models.md).
 */
#ifndef EMU_CPU_X86_CPU_MODEL_H
#define EMU_CPU_X86_CPU_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Feature words: where each CPUID feature bit lives. */
enum x86_feature_word {
    X86_FW_1_EDX,       /* CPUID.1:EDX */
    X86_FW_1_ECX,       /* CPUID.1:ECX */
    X86_FW_7_EBX,       /* CPUID.(7,0):EBX */
    X86_FW_7_ECX,       /* CPUID.(7,0):ECX */
    X86_FW_7_EDX,       /* CPUID.(7,0):EDX */
    X86_FW_80000001_EDX,
    X86_FW_80000001_ECX,
    X86_FW_COUNT,
};

typedef enum x86_vendor { X86_VENDOR_INTEL, X86_VENDOR_AMD } x86_vendor;

typedef struct x86_cpu_model {
    const char *name;           /* QEMU's name: "max", "qemu64", ... */
    const char *description;
    x86_vendor vendor;
    char vendor_string[13];     /* CPUID.0 EBX:EDX:ECX */
    uint32_t family, model, stepping;
    uint32_t max_leaf, max_ext_leaf;
    uint32_t features[X86_FW_COUNT];
    char brand[49];
    /* AMD's L1 (0x80000005) and L2/L3 (0x80000006) cache and TLB descriptors, EAX..EDX. */
    uint32_t cache_l1[4];
    uint32_t cache_l2[4];
} x86_cpu_model;

/* The resolved model of one CPU: a base model plus per-run changes. */
typedef struct x86_cpu_config {
    const x86_cpu_model *base;
    x86_vendor vendor;
    char vendor_string[13];
    uint32_t features[X86_FW_COUNT];
} x86_cpu_config;

/* Parse spec (NULL: "max"). Returns 0, or -1 with a one-line reason in why. */
int x86_cpu_config_parse(const char *spec, x86_cpu_config *out, char *why, size_t why_len);

/* Does the configuration have feature `name` (QEMU's spelling, e.g. "x2apic")? */
bool x86_cpu_has(const x86_cpu_config *cfg, enum x86_feature_word word, uint32_t bit);

/* Table of models and features for --help and docs. */
const x86_cpu_model *x86_cpu_models(size_t *count);

#endif
