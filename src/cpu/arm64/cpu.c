/*
 * CPU reset state and the PSTATE helpers the exception entry code shares:
 * the stack pointer selected by PSTATE.SPSel, and PSTATE as an SPSR_ELx
 * image (Arm ARM D1.4 "Process state", C5.2.18 "SPSR_EL1").
 */
#include <string.h>

#include "cpu/arm64/a64_internal.h"
#include "cpu/arm64/debug.h"

/* Identification values of the modelled core: an Armv8.0 core with LSE
 * atomics, CRC32, FP and Advanced SIMD, EL0-EL2 in AArch64 only, no EL3. */
#define MIDR_IMPLEMENTER_ARM 0x41ull
#define MIDR_ARCH_AARCH64 0xfull
#define MIDR_VALUE ((MIDR_IMPLEMENTER_ARM << 24) | (MIDR_ARCH_AARCH64 << 16) | (0xd07ull << 4))
#define MPIDR_RES1_U (1ull << 31)
#define MPIDR_UP (1ull << 30)          /* uniprocessor system */
#define PFR0_EL0_AARCH64 (1ull << 0)
#define PFR0_EL1_AARCH64 (1ull << 4)
#define PFR0_EL2_AARCH64 (1ull << 8)
#define PFR0_GIC_SYSREGS (1ull << 24)  /* GICv3 CPU interface system registers */
#define ISAR0_ATOMIC_LSE (2ull << 20)
#define ISAR0_CRC32 (1ull << 16)
#define MMFR0_PARANGE_40 2ull
#define MMFR0_ASIDBITS_16 (2ull << 4)
#define MMFR0_TGRAN16_NI (0ull << 20)  /* 16 KB granule not implemented */
#define CTR_IMINLINE_16W 4ull          /* log2 words of the smallest I-cache line */
#define CTR_DMINLINE_16W (4ull << 16)
#define CTR_L1IP_PIPT (3ull << 14)
#define CTR_RES1 (1ull << 31)
#define DCZID_BS_64B 4ull              /* 16 words = 64 bytes */
#define SCTLR_EL1_RES1 0x30d00800ull   /* bits 29:28, 23:22, 20, 11 */
/* ID_AA64DFR0_EL1 (D17.2.59): Armv8.0 debug, 6 breakpoints, 4 watchpoints, 2 context-aware
 * (QEMU's cortex-a57 value 0x10305106 without its PMUVer, since no PMU is modelled). */
#define DFR0_DEBUGVER_V8 6ull
#define DFR0_BRPS_SHIFT 12
#define DFR0_WRPS_SHIFT 20
#define DFR0_CTX_CMPS_SHIFT 28
#define SPSR_M_EL1H ((1ull << A64_SPSR_M_EL_SHIFT) | A64_SPSR_M_SP)

uint64_t a64_hint_serial(void)
{
    static uint64_t last;
    return ++last;      /* 2^64 hints: no wrap in any run */
}

void a64_cpu_init(a64_cpu *cpu, const a64_ops *ops)
{
    memset(cpu, 0, sizeof *cpu);
    if (ops)
        cpu->ops = *ops;
    /* Reset into the highest implemented EL using SP_ELx, all of DAIF masked
     * (Arm ARM D1.9 "Reset"): EL2 is the highest here, but firmware for QEMU's
     * virt without virtualization starts at EL1, so the platform chooses by
     * writing pstate.el; EL1h is the default. */
    cpu->pstate.el = 1;
    cpu->pstate.sp = 1;
    cpu->pstate.daif = A64_DAIF_D | A64_DAIF_A | A64_DAIF_I | A64_DAIF_F;
    cpu->sys.sctlr_el1 = SCTLR_EL1_RES1;
    cpu->sys.midr_el1 = MIDR_VALUE;
    cpu->sys.mpidr_el1 = MPIDR_RES1_U | MPIDR_UP;
    cpu->sys.id_aa64pfr0_el1 = PFR0_EL0_AARCH64 | PFR0_EL1_AARCH64 | PFR0_EL2_AARCH64 | PFR0_GIC_SYSREGS;
    cpu->sys.id_aa64isar0_el1 = ISAR0_ATOMIC_LSE | ISAR0_CRC32;
    cpu->sys.id_aa64dfr0_el1 = DFR0_DEBUGVER_V8 | ((uint64_t)(A64_DBG_NUM_BRPS - 1) << DFR0_BRPS_SHIFT) |
                               ((uint64_t)(A64_DBG_NUM_WRPS - 1) << DFR0_WRPS_SHIFT) |
                               ((uint64_t)(A64_DBG_NUM_CTX_CMPS - 1) << DFR0_CTX_CMPS_SHIFT);
    cpu->sys.oslsr_el1 = A64_OSLSR_OSLM_IMPLEMENTED | A64_OSLSR_OSLK; /* the OS Lock is locked at cold reset */
    cpu->sys.id_aa64mmfr0_el1 = MMFR0_PARANGE_40 | MMFR0_ASIDBITS_16 | MMFR0_TGRAN16_NI;
    cpu->sys.ctr_el0 = CTR_RES1 | CTR_L1IP_PIPT | CTR_DMINLINE_16W | CTR_IMINLINE_16W;
    cpu->sys.dczid_el0 = DCZID_BS_64B;
    cpu->sys.vpidr_el2 = MIDR_VALUE;
    cpu->sys.vmpidr_el2 = cpu->sys.mpidr_el1;
    cpu->sys.spsr_el1 = SPSR_M_EL1H;
    a64_clear_page_hints(cpu);      /* no hints, and the fast paths' keys say so */
}

const char *a64_status_name(a64_status st)
{
    switch (st) {
    case A64_OK: return "ok";
    case A64_EXCEPTION: return "exception";
    case A64_WFI: return "wfi";
    case A64_WFE: return "wfe";
    case A64_ERET: return "eret";
    case A64_UNSUPPORTED: return "unsupported";
    }
    return "?";
}
