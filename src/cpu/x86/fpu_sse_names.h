/*
 * Which x87, MMX and SSE instruction an encoding is, and the CPUID feature
 * that introduced it (SDM vol. 2, appendix A opcode maps, tables
 * and for the x87 escapes). fpu_sse.c applies the CR0/CR4 checks
 * of the feature's class; these tables only name.
 */
#ifndef EMU_CPU_X86_FPU_SSE_NAMES_H
#define EMU_CPU_X86_FPU_SSE_NAMES_H

#include <stddef.h>

#include "cpu/x86/x86.h"

typedef enum x86_simd_feature {
    X86_SIMD_UNDEFINED = 0,     /* no such instruction: #UD */
    /* MMX registers: the MMX checks (CR0.EM #UD, CR0.TS #NM; vol. 3, table 2-2). */
    X86_SIMD_MMX,
    X86_SIMD_MMX_SSE,           /* MMX-register forms added with SSE (PSHUFW, PMINUB, ...) */
    X86_SIMD_MMX_SSE2,          /* PADDQ, PSUBQ, PMULUDQ on MMX registers */
    X86_SIMD_MMX_SSSE3,         /* PSHUFB, PALIGNR, ... on MMX registers */
    /* XMM registers and MXCSR: the SSE checks (also CR4.OSFXSR; vol. 3, 13.1, 13.2). */
    X86_SIMD_SSE,
    X86_SIMD_SSE2,
    X86_SIMD_SSE3,
    X86_SIMD_SSSE3,
    X86_SIMD_SSE41,
    X86_SIMD_SSE42,
    X86_SIMD_AES,
    X86_SIMD_PCLMULQDQ,
    X86_SIMD_SHA,
} x86_simd_feature;

/* Operand constraint of a form: some are defined only with a register or a memory r/m. */
enum { X86_SIMD_RM_ANY, X86_SIMD_RM_MEM, X86_SIMD_RM_REG };

typedef struct x86_simd_form {
    const char *name;           /* upper case, as the SDM's instruction pages */
    uint8_t feature;            /* x86_simd_feature */
    uint8_t rm;                 /* X86_SIMD_RM_* */
} x86_simd_form;

/* The mandatory-prefix column: none, 66, F3, F2 (F2/F3 win over 66; SDM vol. 2, 2.1.2). */
enum { X86_SIMD_NP, X86_SIMD_66, X86_SIMD_F3, X86_SIMD_F2, X86_SIMD_COLUMNS };

/* The form of a legacy-encoded SIMD instruction (map 0F, 0F 38, 0F 3A), or NULL if undefined. */
const x86_simd_form *x86_simd_lookup(const x86_insn *insn);

/* Class name of a feature for messages: "MMX", "SSE", "SSE4.1", ... */
const char *x86_simd_feature_name(x86_simd_feature f);

/* The x87 instruction an escape (D8-DF with ModRM) encodes, or NULL for reserved encodings. */
const char *x87_name(const x86_insn *insn);

#endif
