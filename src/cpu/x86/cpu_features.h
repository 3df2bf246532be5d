/*
 * CPUID feature bits that ringside models, by QEMU's names, as the
 * (word, bit number) pairs x86_cpu_has() takes:
 *     if (x86_cpu_has(&cpu->config, X86_FEAT_SMEP)) ...
 * Bit numbers are those of the SDM vol. 2A CPUID tables 3-10, 3-11 and the
 * leaf 07H / 80000001H descriptions (docs/cpu-models.md).
 */
#ifndef EMU_CPU_X86_CPU_FEATURES_H
#define EMU_CPU_X86_CPU_FEATURES_H

#include "cpu/x86/cpu_model.h"

/* A feature's mask within its word: X86_FEAT_MASK(X86_FEAT_SMEP). */
#define X86_FEAT_MASK(feature) X86_FEAT_MASK_(feature)
#define X86_FEAT_MASK_(word, bit) (1u << (bit))

/* CPUID.01H:EDX */
#define X86_FEAT_FPU          X86_FW_1_EDX, 0
#define X86_FEAT_DE           X86_FW_1_EDX, 2
#define X86_FEAT_PSE          X86_FW_1_EDX, 3
#define X86_FEAT_TSC          X86_FW_1_EDX, 4
#define X86_FEAT_MSR          X86_FW_1_EDX, 5
#define X86_FEAT_PAE          X86_FW_1_EDX, 6
#define X86_FEAT_MCE          X86_FW_1_EDX, 7
#define X86_FEAT_CX8          X86_FW_1_EDX, 8
#define X86_FEAT_APIC         X86_FW_1_EDX, 9
#define X86_FEAT_SEP          X86_FW_1_EDX, 11
#define X86_FEAT_MTRR         X86_FW_1_EDX, 12
#define X86_FEAT_PGE          X86_FW_1_EDX, 13
#define X86_FEAT_MCA          X86_FW_1_EDX, 14
#define X86_FEAT_CMOV         X86_FW_1_EDX, 15
#define X86_FEAT_PAT          X86_FW_1_EDX, 16
#define X86_FEAT_PSE36        X86_FW_1_EDX, 17
#define X86_FEAT_CLFLUSH      X86_FW_1_EDX, 19
#define X86_FEAT_MMX          X86_FW_1_EDX, 23
#define X86_FEAT_FXSR         X86_FW_1_EDX, 24
#define X86_FEAT_SSE          X86_FW_1_EDX, 25
#define X86_FEAT_SSE2         X86_FW_1_EDX, 26

/* CPUID.01H:ECX */
#define X86_FEAT_SSE3         X86_FW_1_ECX, 0
#define X86_FEAT_SSSE3        X86_FW_1_ECX, 9
#define X86_FEAT_CX16         X86_FW_1_ECX, 13
#define X86_FEAT_SSE41        X86_FW_1_ECX, 19
#define X86_FEAT_SSE42        X86_FW_1_ECX, 20
#define X86_FEAT_X2APIC       X86_FW_1_ECX, 21
#define X86_FEAT_POPCNT       X86_FW_1_ECX, 23
#define X86_FEAT_TSC_DEADLINE X86_FW_1_ECX, 24

/* CPUID.(07H,0):EBX */
#define X86_FEAT_FSGSBASE     X86_FW_7_EBX, 0
#define X86_FEAT_TSC_ADJUST   X86_FW_7_EBX, 1
#define X86_FEAT_BMI1         X86_FW_7_EBX, 3
#define X86_FEAT_SMEP         X86_FW_7_EBX, 7
#define X86_FEAT_ERMS         X86_FW_7_EBX, 9
#define X86_FEAT_SMAP         X86_FW_7_EBX, 20

/* CPUID.(07H,0):ECX */
#define X86_FEAT_UMIP         X86_FW_7_ECX, 2
#define X86_FEAT_PKU          X86_FW_7_ECX, 3
#define X86_FEAT_OSPKE        X86_FW_7_ECX, 4
#define X86_FEAT_PKS          X86_FW_7_ECX, 31

/* CPUID.(07H,0):EDX */
#define X86_FEAT_SPEC_CTRL    X86_FW_7_EDX, 26

/* CPUID.80000001H:EDX */
#define X86_FEAT_SYSCALL      X86_FW_80000001_EDX, 11
#define X86_FEAT_NX           X86_FW_80000001_EDX, 20
#define X86_FEAT_PDPE1GB      X86_FW_80000001_EDX, 26
#define X86_FEAT_RDTSCP       X86_FW_80000001_EDX, 27
#define X86_FEAT_LM           X86_FW_80000001_EDX, 29

/* CPUID.80000001H:ECX */
#define X86_FEAT_LAHF_LM      X86_FW_80000001_ECX, 0
#define X86_FEAT_ABM          X86_FW_80000001_ECX, 5

#endif
