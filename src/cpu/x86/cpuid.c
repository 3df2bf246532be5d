/*
 * CPUID (SDM vol. 2A, CPUID; AMD APM vol. 3, appendix E) answered from the
 * CPU model (cpu_model.c). Modelled leaves: 0, 1, 7.0, 0DH (x87 state only),
 * 80000000H-80000008H. Leaves up to the maximum that ringside does not
 * model (2-6, 8-0CH, 80000005H-80000007H) read as zeros.
 *
 * A leaf above the maximum of its range: on Intel, the data of the highest
 * basic leaf (SDM: "the data for the highest basic information leaf is
 * returned"); on AMD, zeros (reserved leaves return 0). docs/cpu-models.md
 * lists every bit.
 */
#include "core/machine.h"
#include "cpu/x86/cpu_features.h"
#include "cpu/x86/handlers.h"
#include "cpu/x86/system.h"
#include "mmu/x86_paging.h"

#define LEAF_VENDOR      0x0u
#define LEAF_VERSION     0x1u
#define LEAF_EXT_FEATURE 0x7u
#define LEAF_XSAVE       0xdu
#define LEAF_EXT_BASE    0x80000000u
#define LEAF_EXT_VERSION 0x80000001u
#define LEAF_BRAND_FIRST 0x80000002u
#define LEAF_BRAND_LAST  0x80000004u
#define LEAF_L1_CACHE    0x80000005u
#define LEAF_L2_CACHE    0x80000006u
#define LEAF_ADDR_SIZES  0x80000008u

/* CPUID.1:EAX version fields (SDM vol. 2A, figure 3-6). */
#define VERSION_FAMILY_MAX_BASE 0xfu
#define VERSION_EXT_MODEL_FAMILY 6u     /* family 6 uses the extended model too */

/* CPUID.1:EBX: CLFLUSH line size in 8-byte units [15:8], initial APIC ID [31:24]. */
#define CLFLUSH_LINE_BYTES 64u
#define CLFLUSH_UNIT 8u
#define EBX_CLFLUSH_SHIFT 8
#define EBX_APIC_ID_SHIFT 24
#define BSP_APIC_ID 0u

/* Leaf 0DH: x87 state only, in the legacy area plus the XSAVE header. */
#define XCR0_X87 1u
#define XSAVE_LEGACY_AREA 512u
#define XSAVE_HEADER 64u

/* 1.EDX bits AMD repeats in 80000001H:EDX (AMD APM vol. 3, E.4.2): FPU VME DE PSE
 * TSC MSR PAE MCE CX8 APIC MTRR PGE MCA CMOV PAT PSE36 MMX FXSR. */
#define AMD_ALIAS_MASK                                                                   \
    ((1u << 0) | (1u << 1) | (1u << 2) | (1u << 3) | (1u << 4) | (1u << 5) | (1u << 6) | \
     (1u << 7) | (1u << 8) | (1u << 9) | (1u << 12) | (1u << 13) | (1u << 14) |          \
     (1u << 15) | (1u << 16) | (1u << 17) | (1u << 23) | (1u << 24))

enum { EAX, EBX, ECX, EDX };

static uint32_t str4(const char *s)
{
    return (uint32_t)(uint8_t)s[0] | (uint32_t)(uint8_t)s[1] << 8 |
           (uint32_t)(uint8_t)s[2] << 16 | (uint32_t)(uint8_t)s[3] << 24;
}

static void vendor_regs(const x86_cpu_config *c, uint32_t out[4])
{
    out[EBX] = str4(c->vendor_string);
    out[EDX] = str4(c->vendor_string + 4);
    out[ECX] = str4(c->vendor_string + 8);
}

/* Family/model/stepping, with the extended fields as the SDM composes them. */
static uint32_t version_eax(const x86_cpu_model *m)
{
    uint32_t family = m->family < VERSION_FAMILY_MAX_BASE ? m->family : VERSION_FAMILY_MAX_BASE;
    uint32_t ext_family = m->family > VERSION_FAMILY_MAX_BASE ? m->family - VERSION_FAMILY_MAX_BASE : 0;
    uint32_t model = m->model & 0xf;
    uint32_t ext_model = (m->model >> 4) & 0xf;
    return (m->stepping & 0xf) | model << 4 | family << 8 | ext_model << 16 | ext_family << 20;
}

static void basic_leaf(const x86_cpu *cpu, uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
    const x86_cpu_config *c = &cpu->config;
    switch (leaf) {
    case LEAF_VENDOR:
        out[EAX] = c->base->max_leaf;
        vendor_regs(c, out);
        return;
    case LEAF_VERSION:
        out[EAX] = version_eax(c->base);
        out[EBX] = BSP_APIC_ID << EBX_APIC_ID_SHIFT;
        if (x86_cpu_has(c, X86_FEAT_CLFLUSH))
            out[EBX] |= (CLFLUSH_LINE_BYTES / CLFLUSH_UNIT) << EBX_CLFLUSH_SHIFT;
        out[ECX] = c->features[X86_FW_1_ECX];
        out[EDX] = c->features[X86_FW_1_EDX];
        /* The APIC flag follows IA32_APIC_BASE's global enable (SDM vol. 3, 11.4.3). */
        if (!(cpu->msr.apic_base & X86_APIC_BASE_ENABLE))
            out[EDX] &= ~X86_FEAT_MASK(X86_FEAT_APIC);
        return;
    case LEAF_EXT_FEATURE:
        if (subleaf != 0)
            return;
        out[EBX] = c->features[X86_FW_7_EBX];
        out[ECX] = c->features[X86_FW_7_ECX] & ~X86_FEAT_MASK(X86_FEAT_OSPKE);
        /* OSPKE mirrors CR4.PKE. */
        if (cpu->cr4 & X86_CR4_PKE)
            out[ECX] |= X86_FEAT_MASK(X86_FEAT_OSPKE);
        out[EDX] = c->features[X86_FW_7_EDX];
        return;
    case LEAF_XSAVE:
        if (subleaf != 0)
            return;
        out[EAX] = XCR0_X87;
        out[EBX] = XSAVE_LEGACY_AREA + XSAVE_HEADER;
        out[ECX] = XSAVE_LEGACY_AREA + XSAVE_HEADER;
        return;
    default:
        return;
    }
}

static void ext_leaf(const x86_cpu *cpu, uint32_t leaf, uint32_t out[4])
{
    const x86_cpu_config *c = &cpu->config;
    bool amd = c->vendor == X86_VENDOR_AMD;
    switch (leaf) {
    case LEAF_EXT_BASE:
        out[EAX] = c->base->max_ext_leaf;
        /* AMD repeats the vendor string here; Intel reserves these registers. */
        if (amd)
            vendor_regs(c, out);
        return;
    case LEAF_EXT_VERSION:
        if (amd)
            out[EAX] = version_eax(c->base);
        out[ECX] = c->features[X86_FW_80000001_ECX];
        out[EDX] = c->features[X86_FW_80000001_EDX];
        if (amd)
            out[EDX] |= c->features[X86_FW_1_EDX] & AMD_ALIAS_MASK;
        return;
    case LEAF_L1_CACHE:
        /* AMD defines the L1 descriptors; Intel reserves the leaf (SDM vol. 2, CPUID: 80000005H). */
        if (amd)
            memcpy(out, c->base->cache_l1, sizeof c->base->cache_l1);
        return;
    case LEAF_L2_CACHE:
        /* Intel defines only ECX (L2 line size, associativity, size); AMD all four. */
        if (amd)
            memcpy(out, c->base->cache_l2, sizeof c->base->cache_l2);
        else
            out[ECX] = c->base->cache_l2[ECX];
        return;
    case LEAF_ADDR_SIZES:
        out[EAX] = X86_MAXPHYADDR | X86_LINEAR_BITS << 8;
        return;
    default:
        if (leaf >= LEAF_BRAND_FIRST && leaf <= LEAF_BRAND_LAST) {
            const char *b = c->base->brand;
            char part[16] = { 0 };
            size_t off = (leaf - LEAF_BRAND_FIRST) * sizeof part;
            size_t len = strlen(b);
            if (off < len)
                memcpy(part, b + off, len - off < sizeof part ? len - off : sizeof part);
            for (unsigned i = 0; i < 4; i++)
                out[i] = str4(part + 4 * i);
        }
        return;
    }
}

void x86_cpuid(const x86_cpu *cpu, uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
    const x86_cpu_model *m = cpu->config.base;
    out[EAX] = out[EBX] = out[ECX] = out[EDX] = 0;
    bool ext = leaf >= LEAF_EXT_BASE;
    bool in_range = ext ? leaf <= m->max_ext_leaf : leaf <= m->max_leaf;
    if (!in_range) {
        if (cpu->config.vendor == X86_VENDOR_INTEL)
            basic_leaf(cpu, m->max_leaf, subleaf, out);
        return;
    }
    if (ext)
        ext_leaf(cpu, leaf, out);
    else
        basic_leaf(cpu, leaf, subleaf, out);
}

X86_HANDLER(x86_op_cpuid)
{
    uint32_t out[4];
    x86_cpuid(cpu, (uint32_t)cpu->gpr[X86_RAX], (uint32_t)cpu->gpr[X86_RCX], out);
    cpu->gpr[X86_RAX] = out[EAX];
    cpu->gpr[X86_RBX] = out[EBX];
    cpu->gpr[X86_RCX] = out[ECX];
    cpu->gpr[X86_RDX] = out[EDX];
    /* CPUID is serializing (SDM vol. 3, 10.3). */
    cpu->machine->cycles += cpu->machine->cost->serializing;
    return X86_OK;
}
