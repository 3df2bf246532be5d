/*
 * ESR_ELx syndrome encodings, shared by the A64 interpreter (which fills an
 * exception record) and the exception entry code (which writes ESR_ELx).
 * Names and layouts follow the Arm ARM, section D17.2.37 "ESR_EL1, Exception
 * Syndrome Register (EL1)" (ESR_ELx.EC, IL, ISS) and the per-class ISS
 * encodings listed there.
 */
#ifndef EMU_CPU_ARM64_ESR_H
#define EMU_CPU_ARM64_ESR_H

#include <stdbool.h>
#include <stdint.h>

/* ESR_ELx.EC: exception classes this emulator can raise (Arm ARM D17.2.37). */
typedef enum esr_ec {
    ESR_EC_UNKNOWN = 0x00,          /* unallocated / UNDEFINED encoding */
    ESR_EC_WFX = 0x01,              /* trapped WFI or WFE */
    ESR_EC_FP_ACCESS = 0x07,        /* SVE, Advanced SIMD or FP access trap (CPACR_ELx.FPEN) */
    ESR_EC_ILLEGAL_STATE = 0x0e,    /* illegal execution state (PSTATE.IL) */
    ESR_EC_SVC64 = 0x15,
    ESR_EC_HVC64 = 0x16,
    ESR_EC_SMC64 = 0x17,
    ESR_EC_SYSREG = 0x18,           /* trapped MSR, MRS or System instruction */
    ESR_EC_IABT_LOWER = 0x20,       /* instruction abort from a lower EL */
    ESR_EC_IABT_CUR = 0x21,         /* instruction abort taken without a change in EL */
    ESR_EC_PC_ALIGN = 0x22,
    ESR_EC_DABT_LOWER = 0x24,
    ESR_EC_DABT_CUR = 0x25,
    ESR_EC_SP_ALIGN = 0x26,
    ESR_EC_FP_EXC64 = 0x2c,
    ESR_EC_SERROR = 0x2f,
    ESR_EC_BREAKPT_LOWER = 0x30,
    ESR_EC_BREAKPT_CUR = 0x31,
    ESR_EC_SOFTSTP_LOWER = 0x32,
    ESR_EC_SOFTSTP_CUR = 0x33,
    ESR_EC_WATCHPT_LOWER = 0x34,
    ESR_EC_WATCHPT_CUR = 0x35,
    ESR_EC_BRK64 = 0x3c,
} esr_ec;

/* ESR_ELx field positions. */
#define ESR_EC_SHIFT 26
#define ESR_IL (1u << 25)               /* 32-bit instruction trapped */
#define ESR_ISS_MASK 0x1ffffffu

/* ISS for data and instruction aborts (Arm ARM D17.2.37, "ISS encoding for an
 * exception from a Data Abort"). */
#define ESR_ISS_DABT_ISV (1u << 24)     /* bits 23:14 hold a valid syndrome */
#define ESR_ISS_DABT_SAS_SHIFT 22       /* access size: 0 byte .. 3 doubleword */
#define ESR_ISS_DABT_SSE (1u << 21)     /* sign-extended load */
#define ESR_ISS_DABT_SRT_SHIFT 16       /* register transferred */
#define ESR_ISS_DABT_SF (1u << 15)      /* 64-bit register */
#define ESR_ISS_DABT_AR (1u << 14)      /* acquire/release semantics */
#define ESR_ISS_DABT_FNV (1u << 10)     /* FAR not valid */
#define ESR_ISS_DABT_CM (1u << 8)       /* cache maintenance */
#define ESR_ISS_DABT_S1PTW (1u << 7)    /* fault on a stage-2 walk for stage 1 */
#define ESR_ISS_DABT_WNR (1u << 6)      /* write, not read */
#define ESR_ISS_FSC_MASK 0x3fu          /* DFSC / IFSC */

/* Fault status codes (DFSC/IFSC) that a memory callback may report. */
#define ESR_FSC_ADDR_SIZE_L0 0x00       /* + level */
#define ESR_FSC_TRANSLATION_L0 0x04     /* + level */
#define ESR_FSC_ACCESS_FLAG_L0 0x08     /* + level */
#define ESR_FSC_PERMISSION_L0 0x0c      /* + level */
#define ESR_FSC_SYNC_EXTERNAL 0x10
#define ESR_FSC_ALIGNMENT 0x21
#define ESR_FSC_TLB_CONFLICT 0x30

/* ISS for a trapped MSR/MRS/System instruction (EC 0x18). */
#define ESR_ISS_SYS_OP0_SHIFT 20
#define ESR_ISS_SYS_OP2_SHIFT 17
#define ESR_ISS_SYS_OP1_SHIFT 14
#define ESR_ISS_SYS_CRN_SHIFT 10
#define ESR_ISS_SYS_RT_SHIFT 5
#define ESR_ISS_SYS_CRM_SHIFT 1
#define ESR_ISS_SYS_READ 1u             /* Direction: 1 = MRS (read) */

/* ISS for a trapped WFI/WFE (EC 0x01). */
#define ESR_ISS_WFX_CV (1u << 24)
#define ESR_ISS_WFX_COND_SHIFT 20
#define ESR_ISS_WFX_TI_WFE 1u           /* TI: 0 WFI, 1 WFE */

/* ISS for an FP/SIMD access trap (EC 0x07) with a valid condition field. */
#define ESR_ISS_FP_CV (1u << 24)
#define ESR_ISS_FP_COND_SHIFT 20
#define A64_COND_AL 0xeu

/* ISS for SVC/HVC/SMC/BRK/HLT: the 16-bit immediate. */
#define ESR_ISS_IMM16_MASK 0xffffu

static inline uint32_t esr_value(esr_ec ec, bool il, uint32_t iss)
{
    return ((uint32_t)ec << ESR_EC_SHIFT) | (il ? ESR_IL : 0) | (iss & ESR_ISS_MASK);
}

static inline uint32_t esr_iss_sysreg(unsigned op0, unsigned op1, unsigned crn, unsigned crm,
                                      unsigned op2, unsigned rt, bool is_read)
{
    return ((uint32_t)op0 << ESR_ISS_SYS_OP0_SHIFT) | ((uint32_t)op2 << ESR_ISS_SYS_OP2_SHIFT) |
           ((uint32_t)op1 << ESR_ISS_SYS_OP1_SHIFT) | ((uint32_t)crn << ESR_ISS_SYS_CRN_SHIFT) |
           ((uint32_t)rt << ESR_ISS_SYS_RT_SHIFT) | ((uint32_t)crm << ESR_ISS_SYS_CRM_SHIFT) |
           (is_read ? ESR_ISS_SYS_READ : 0);
}

/* The Arm ARM's name for an exception class, for logs ("SVC64", "DABT_CUR"). */
const char *esr_ec_name(unsigned ec);

#endif
