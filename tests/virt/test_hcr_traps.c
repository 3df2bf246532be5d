/*
 * HCR_EL2's register, cache and TLB trap controls (Arm ARM DDI 0487, HCR_EL2
 * in D17.2, and the accessibility pseudocode of each register and
 * instruction), on a machine entered at EL2 (emu --el 2): EL2 code sets
 * HCR_EL2 and SCTLR_EL1 and ERETs to one EL1 or EL0 instruction, whose
 * exception (if any) shows which rule applied. A trap to EL2 is EC 0x18 with
 * the instruction's Op0/Op2/Op1/CRn/Rt/CRm/Direction (Direction 0 for SYS),
 * ELR the instruction; UNDEFINED and the SCTLR_EL1 EL0 traps come first and
 * go to EL1. Also: DCZID_EL0.DZP reads as 1 where DC ZVA would trap, EL2's own
 * accesses are never trapped (the direct MRS/MSR path must not skip the
 * check for EL1 nor apply it at EL2), and the controls emu does not model
 * still stop the MSR that sets them.
 */
#include <check.h>
#include <string.h>

#include "emu/emu.h"
#include "emu_test.h"

#define RAM T_A64_RAM
#define LOWER_CODE (RAM + 0x1000)
#define VBAR_EL2 (RAM + 0x2000)
#define VBAR_EL1 (RAM + 0x3000)
#define DATA (RAM + 0x4000)     /* the address the DC/IC by VA name */
#define SLOT_CURRENT_SPX_SYNC 0x200
#define SLOT_LOWER_A64_SYNC 0x400
#define STEPS 20

/* A64 encodings of MRS, MSR (register) and SYS (C6.2), from their fields. */
#define SYSREG_FIELDS(op1, crn, crm, op2, rt) \
    (((uint32_t)(op1) << 16) | ((uint32_t)(crn) << 12) | ((uint32_t)(crm) << 8) | ((uint32_t)(op2) << 5) | (rt))
#define MRS(op0, op1, crn, crm, op2) (0xd5300000u | (((op0) - 2u) << 19) | SYSREG_FIELDS(op1, crn, crm, op2, 0))
#define MSR(op0, op1, crn, crm, op2) (0xd5100000u | (((op0) - 2u) << 19) | SYSREG_FIELDS(op1, crn, crm, op2, 0))
#define SYS(op1, crn, crm, op2) (0xd5080000u | SYSREG_FIELDS(op1, crn, crm, op2, 0))

/* ESR_ELx for EC 0x18 (D17.2.37, ISS encoding for an exception from MSR, MRS or System instruction
 * execution): Op0 21:20, Op2 19:17, Op1 16:14, CRn 13:10, Rt 9:5, CRm 4:1, Direction 0 (1: read). */
#define ESR_EC_SHIFT 26
#define ESR_IL (1u << 25)
#define EC_UNKNOWN 0x00u
#define EC_SYSREG 0x18u
#define ISS_SYS(op0, op1, crn, crm, op2, read) \
    (((uint32_t)(op0) << 20) | ((uint32_t)(op2) << 17) | ((uint32_t)(op1) << 14) | ((uint32_t)(crn) << 10) | \
     ((uint32_t)(crm) << 1) | (read))
#define ESR_SYSREG(iss) ((EC_SYSREG << ESR_EC_SHIFT) | ESR_IL | (iss))
#define ESR_UNDEF ((EC_UNKNOWN << ESR_EC_SHIFT) | ESR_IL)
/* A case's instruction and the ESR of its trap, for a register or instruction named below (the
 * outer macros expand the name into its fields). Rt is X0 in every access (ISS.Rt = 0). */
#define RD_(op0, op1, crn, crm, op2) MRS(op0, op1, crn, crm, op2), ESR_SYSREG(ISS_SYS(op0, op1, crn, crm, op2, 1))
#define WR_(op0, op1, crn, crm, op2) MSR(op0, op1, crn, crm, op2), ESR_SYSREG(ISS_SYS(op0, op1, crn, crm, op2, 0))
#define OP_(op1, crn, crm, op2) SYS(op1, crn, crm, op2), ESR_SYSREG(ISS_SYS(1, op1, crn, crm, op2, 0))
#define MRS_(...) MRS(__VA_ARGS__)
#define RD(reg) RD_(reg)
#define WR(reg) WR_(reg)
#define OP(insn) OP_(insn)

/* The registers and instructions, as op0, op1, CRn, CRm, op2 (or op1, CRn, CRm, op2 for SYS). */
#define REVIDR_EL1 3, 0, 0, 0, 6
#define AIDR_EL1 3, 1, 0, 0, 7
#define MIDR_EL1 3, 0, 0, 0, 0
#define CTR_EL0 3, 3, 0, 0, 1
#define CCSIDR_EL1 3, 1, 0, 0, 0
#define CLIDR_EL1 3, 1, 0, 0, 1
#define CSSELR_EL1 3, 2, 0, 0, 0
#define DCZID_EL0 3, 3, 0, 0, 7
#define ID_AA64PFR0_EL1 3, 0, 0, 4, 0
#define ID_AA64MMFR2_EL1 3, 0, 0, 7, 2
#define ID_RESERVED_C3_7 3, 0, 0, 3, 7         /* reserved, RAZ */
#define IMPDEF_C15 3, 0, 15, 0, 0              /* IMPLEMENTATION DEFINED, none implemented */
#define IMPDEF_C11 3, 1, 11, 0, 2
#define VBAR_EL1_REG 3, 0, 12, 0, 0
#define ACTLR_EL1 3, 0, 1, 0, 1
#define CPACR_EL1 3, 0, 1, 0, 2
#define SCTLR_EL1 3, 0, 1, 0, 0
#define TTBR1_EL1 3, 0, 2, 0, 1
#define ESR_EL1 3, 0, 5, 2, 0
#define FAR_EL1 3, 0, 6, 0, 0
#define AMAIR_EL1 3, 0, 10, 3, 0
#define CONTEXTIDR_EL1 3, 0, 13, 0, 1
#define TPIDR_EL1 3, 0, 13, 0, 4
#define IC_IALLUIS 0, 7, 1, 0
#define IC_IALLU 0, 7, 5, 0
#define IC_IVAU 3, 7, 5, 1
#define DC_IVAC 0, 7, 6, 1
#define DC_ISW 0, 7, 6, 2
#define DC_CSW 0, 7, 10, 2
#define DC_CISW 0, 7, 14, 2
#define DC_ZVA 3, 7, 4, 1
#define DC_CVAC 3, 7, 10, 1
#define DC_CVAU 3, 7, 11, 1
#define DC_CIVAC 3, 7, 14, 1
#define AT_S1E1R 0, 7, 8, 0
#define TLBI_VMALLE1 0, 8, 7, 0
#define TLBI_VAE1IS 0, 8, 3, 1
#define TLBI_ALLE1 4, 8, 7, 4
#define IMPDEF_SYS_C15 0, 15, 0, 0

#define HCR_TID0 (1ull << 15)
#define HCR_TID1 (1ull << 16)
#define HCR_TID2 (1ull << 17)
#define HCR_TID3 (1ull << 18)
#define HCR_TIDCP (1ull << 20)
#define HCR_TACR (1ull << 21)
#define HCR_TSW (1ull << 22)
#define HCR_TPC (1ull << 23)
#define HCR_TPU (1ull << 24)
#define HCR_TTLB (1ull << 25)
#define HCR_TVM (1ull << 26)
#define HCR_TGE (1ull << 27)
#define HCR_TDZ (1ull << 28)
#define HCR_TRVM (1ull << 30)
#define HCR_RW (1ull << 31)
#define HCR_PTW (1ull << 2)
#define HCR_DC (1ull << 12)
#define SCTLR_RES1 0x30d00800ull
#define SCTLR_DZE (1ull << 14)
#define SCTLR_UCT (1ull << 15)
#define SCTLR_UCI (1ull << 26)
#define SCTLR_EL0_ALL (SCTLR_RES1 | SCTLR_DZE | SCTLR_UCT | SCTLR_UCI)
#define SPSR_EL1H_MASKED 0x3c5u
#define SPSR_EL0T 0x0u
#define DCZID_DZP 0x10u
#define I_B_SELF 0x14000000u

/* Encodings (GNU as, -march=armv8-a). */
static const uint32_t el2_prologue[] = {
    0xd51cc004u, /* msr vbar_el2, x4 */
    0xd51c1101u, /* msr hcr_el2, x1 */
    0xd51c4002u, /* msr spsr_el2, x2 */
    0xd51c4023u, /* msr elr_el2, x3 */
    0xd5181005u, /* msr sctlr_el1, x5 */
    0xd518c006u, /* msr vbar_el1, x6 */
    0xd5033fdfu, /* isb */
    0xd69f03e0u, /* eret */
};

/* An EL2 machine whose prologue sets hcr and sctlr (SCTLR_EL1) and ERETs with spsr to `lower`. */
static emu_machine *el2_machine(t_trap_log *log, uint64_t hcr, uint64_t spsr, uint64_t sctlr, uint32_t lower)
{
    emu_machine *m = t_a64_el2_machine(log, el2_prologue, sizeof el2_prologue);
    const uint32_t lower_code[] = { lower, I_B_SELF };
    const uint32_t loop = I_B_SELF;
    ck_assert_int_eq(emu_mem_write_phys(m, LOWER_CODE, lower_code, sizeof lower_code), EMU_OK);
    const uint64_t vbars[] = { VBAR_EL1, VBAR_EL2 };
    for (unsigned i = 0; i < 2; i++) {
        ck_assert_int_eq(emu_mem_write_phys(m, vbars[i] + SLOT_CURRENT_SPX_SYNC, &loop, 4), EMU_OK);
        ck_assert_int_eq(emu_mem_write_phys(m, vbars[i] + SLOT_LOWER_A64_SYNC, &loop, 4), EMU_OK);
    }
    t_set_reg(m, EMU_A64_X0, DATA);
    t_set_reg(m, EMU_A64_X1, hcr);
    t_set_reg(m, EMU_A64_X2, spsr);
    t_set_reg(m, EMU_A64_X3, LOWER_CODE);
    t_set_reg(m, EMU_A64_X4, VBAR_EL2);
    t_set_reg(m, EMU_A64_X5, sctlr);
    t_set_reg(m, EMU_A64_X6, VBAR_EL1);
    return m;
}

static emu_stop run(emu_machine *m)
{
    emu_stop s;
    ck_assert_int_eq(emu_run(m, STEPS, &s), EMU_OK);
    return s;
}

typedef struct trap_case {
    const char *name;
    uint64_t hcr;           /* besides RW */
    unsigned el;            /* 0 or 1: where the instruction runs */
    uint64_t sctlr;
    uint32_t insn;
    uint32_t trap_esr;      /* the ESR a trap reports (unused when to_el is 0) */
    unsigned to_el;         /* 0: no exception; 1 or 2: the EL the exception is taken to */
    uint32_t esr;           /* 0: trap_esr; else the ESR taken (UNDEFINED, say) */
} trap_case;

#define EL1 1, SCTLR_EL0_ALL
#define EL0 0, SCTLR_EL0_ALL
#define EL0_WITHOUT(bit) 0, (SCTLR_EL0_ALL & ~(bit))
#define NO_TRAP 0, 0
#define TO_EL2 2, 0
#define TO_EL1 1, 0
#define UNDEF 1, ESR_UNDEF

static const trap_case cases[] = {
    /* TID1: EL1 reads of REVIDR_EL1 and AIDR_EL1, not MIDR_EL1. */
    { "TID1 EL1 MRS REVIDR_EL1", HCR_TID1, EL1, RD(REVIDR_EL1), TO_EL2 },
    { "TID1 EL1 MRS AIDR_EL1", HCR_TID1, EL1, RD(AIDR_EL1), TO_EL2 },
    { "TID1 EL1 MRS MIDR_EL1", HCR_TID1, EL1, RD(MIDR_EL1), NO_TRAP },
    { "TID1 clear, EL1 MRS REVIDR_EL1", 0, EL1, RD(REVIDR_EL1), NO_TRAP },
    { "TID1 EL0 MRS REVIDR_EL1: UNDEFINED first", HCR_TID1, EL0, RD(REVIDR_EL1), UNDEF },
    /* TID2: the cache ID registers at EL1, CTR_EL0 at EL0 too, after SCTLR_EL1.UCT. */
    { "TID2 EL1 MRS CTR_EL0", HCR_TID2, EL1, RD(CTR_EL0), TO_EL2 },
    { "TID2 EL1 MRS CCSIDR_EL1", HCR_TID2, EL1, RD(CCSIDR_EL1), TO_EL2 },
    { "TID2 EL1 MRS CLIDR_EL1", HCR_TID2, EL1, RD(CLIDR_EL1), TO_EL2 },
    { "TID2 EL1 MSR CSSELR_EL1", HCR_TID2, EL1, WR(CSSELR_EL1), TO_EL2 },
    { "TID2 EL1 MRS CSSELR_EL1", HCR_TID2, EL1, RD(CSSELR_EL1), TO_EL2 },
    { "TID2 EL0 MRS CTR_EL0 with UCT", HCR_TID2, EL0, RD(CTR_EL0), TO_EL2 },
    { "TID2 EL0 MRS CTR_EL0 without UCT: UCT first", HCR_TID2, EL0_WITHOUT(SCTLR_UCT), RD(CTR_EL0), TO_EL1 },
    { "TID2 EL0 MRS CCSIDR_EL1: UNDEFINED first", HCR_TID2, EL0, RD(CCSIDR_EL1), UNDEF },
    { "TID2 EL1 MSR CCSIDR_EL1 (read-only): UNDEFINED first", HCR_TID2, EL1, WR(CCSIDR_EL1), UNDEF },
    { "TID2 EL1 MRS DCZID_EL0", HCR_TID2, EL1, RD(DCZID_EL0), NO_TRAP },
    { "TID2 clear, EL1 MRS CSSELR_EL1", 0, EL1, RD(CSSELR_EL1), NO_TRAP },
    /* TID3: EL1 reads of ID group 3, reserved encodings included. */
    { "TID3 EL1 MRS ID_AA64PFR0_EL1", HCR_TID3, EL1, RD(ID_AA64PFR0_EL1), TO_EL2 },
    { "TID3 EL1 MRS ID_AA64MMFR2_EL1", HCR_TID3, EL1, RD(ID_AA64MMFR2_EL1), TO_EL2 },
    { "TID3 EL1 MRS reserved S3_0_C0_C3_7", HCR_TID3, EL1, RD(ID_RESERVED_C3_7), TO_EL2 },
    { "TID3 EL1 MRS MIDR_EL1 (CRm 0)", HCR_TID3, EL1, RD(MIDR_EL1), NO_TRAP },
    { "TID3 EL1 MSR ID_AA64PFR0_EL1 (read-only): UNDEFINED first", HCR_TID3, EL1, WR(ID_AA64PFR0_EL1), UNDEF },
    { "TID3 EL0 MRS ID_AA64PFR0_EL1: UNDEFINED first", HCR_TID3, EL0, RD(ID_AA64PFR0_EL1), UNDEF },
    { "TID3 clear, EL1 MRS reserved S3_0_C0_C3_7", 0, EL1, RD(ID_RESERVED_C3_7), NO_TRAP },
    /* TID0 traps AArch32 registers only. */
    { "TID0 EL1 MRS MIDR_EL1", HCR_TID0, EL1, RD(MIDR_EL1), NO_TRAP },
    /* TIDCP: the IMPLEMENTATION DEFINED space at EL1 (none implemented: UNDEFINED otherwise). */
    { "TIDCP EL1 MRS S3_0_C15_C0_0", HCR_TIDCP, EL1, RD(IMPDEF_C15), TO_EL2 },
    { "TIDCP EL1 MSR S3_1_C11_C0_2", HCR_TIDCP, EL1, WR(IMPDEF_C11), TO_EL2 },
    { "TIDCP EL1 SYS #0, C15, C0, #0", HCR_TIDCP, EL1, OP(IMPDEF_SYS_C15), TO_EL2 },
    { "TIDCP EL1 MRS VBAR_EL1 (CRn 12)", HCR_TIDCP, EL1, RD(VBAR_EL1_REG), NO_TRAP },
    { "TIDCP EL0 MRS S3_0_C15_C0_0: UNDEFINED, not trapped", HCR_TIDCP, EL0, RD(IMPDEF_C15), UNDEF },
    { "TIDCP clear, EL1 MRS S3_0_C15_C0_0: UNDEFINED", 0, EL1, RD(IMPDEF_C15), UNDEF },
    /* TACR: ACTLR_EL1 at EL1. */
    { "TACR EL1 MRS ACTLR_EL1", HCR_TACR, EL1, RD(ACTLR_EL1), TO_EL2 },
    { "TACR EL1 MSR ACTLR_EL1", HCR_TACR, EL1, WR(ACTLR_EL1), TO_EL2 },
    { "TACR EL1 MRS CPACR_EL1", HCR_TACR, EL1, RD(CPACR_EL1), NO_TRAP },
    { "TACR clear, EL1 MSR ACTLR_EL1", 0, EL1, WR(ACTLR_EL1), NO_TRAP },
    /* TVM: EL1 writes of the virtual memory controls; TRVM: their reads. */
    { "TVM EL1 MSR SCTLR_EL1", HCR_TVM, EL1, WR(SCTLR_EL1), TO_EL2 },
    { "TVM EL1 MSR ESR_EL1", HCR_TVM, EL1, WR(ESR_EL1), TO_EL2 },
    { "TVM EL1 MSR CONTEXTIDR_EL1", HCR_TVM, EL1, WR(CONTEXTIDR_EL1), TO_EL2 },
    { "TVM EL1 MRS ESR_EL1", HCR_TVM, EL1, RD(ESR_EL1), NO_TRAP },
    { "TVM EL1 MSR TPIDR_EL1", HCR_TVM, EL1, WR(TPIDR_EL1), NO_TRAP },
    { "TRVM EL1 MRS FAR_EL1", HCR_TRVM, EL1, RD(FAR_EL1), TO_EL2 },
    { "TRVM EL1 MRS TTBR1_EL1", HCR_TRVM, EL1, RD(TTBR1_EL1), TO_EL2 },
    { "TRVM EL1 MRS AMAIR_EL1", HCR_TRVM, EL1, RD(AMAIR_EL1), TO_EL2 },
    { "TRVM EL1 MSR FAR_EL1", HCR_TRVM, EL1, WR(FAR_EL1), NO_TRAP },
    { "TRVM EL0 MRS ESR_EL1: UNDEFINED first", HCR_TRVM, EL0, RD(ESR_EL1), UNDEF },
    { "TVM and TRVM clear, EL1 MRS ESR_EL1", 0, EL1, RD(ESR_EL1), NO_TRAP },
    /* TSW: DC by set/way at EL1. */
    { "TSW EL1 DC CISW", HCR_TSW, EL1, OP(DC_CISW), TO_EL2 },
    { "TSW EL1 DC ISW", HCR_TSW, EL1, OP(DC_ISW), TO_EL2 },
    { "TSW EL1 DC CVAC", HCR_TSW, EL1, OP(DC_CVAC), NO_TRAP },
    { "TSW EL0 DC CSW: UNDEFINED first", HCR_TSW, EL0, OP(DC_CSW), UNDEF },
    { "TSW clear, EL1 DC CSW", 0, EL1, OP(DC_CSW), NO_TRAP },
    /* TPC: DC to the Point of Coherency, at EL0 when SCTLR_EL1.UCI lets it run. */
    { "TPC EL1 DC IVAC", HCR_TPC, EL1, OP(DC_IVAC), TO_EL2 },
    { "TPC EL1 DC CVAC", HCR_TPC, EL1, OP(DC_CVAC), TO_EL2 },
    { "TPC EL1 DC CIVAC", HCR_TPC, EL1, OP(DC_CIVAC), TO_EL2 },
    { "TPC EL1 DC CVAU", HCR_TPC, EL1, OP(DC_CVAU), NO_TRAP },
    { "TPC EL0 DC CVAC with UCI", HCR_TPC, EL0, OP(DC_CVAC), TO_EL2 },
    { "TPC EL0 DC CVAC without UCI: UCI first", HCR_TPC, EL0_WITHOUT(SCTLR_UCI), OP(DC_CVAC), TO_EL1 },
    { "TPC EL0 DC IVAC: UNDEFINED first", HCR_TPC, EL0, OP(DC_IVAC), UNDEF },
    { "TPC clear, EL1 DC CIVAC", 0, EL1, OP(DC_CIVAC), NO_TRAP },
    /* TPU: IC and DC CVAU, at EL0 when SCTLR_EL1.UCI lets them run. */
    { "TPU EL1 IC IALLU", HCR_TPU, EL1, OP(IC_IALLU), TO_EL2 },
    { "TPU EL1 IC IALLUIS", HCR_TPU, EL1, OP(IC_IALLUIS), TO_EL2 },
    { "TPU EL1 IC IVAU", HCR_TPU, EL1, OP(IC_IVAU), TO_EL2 },
    { "TPU EL1 DC CVAU", HCR_TPU, EL1, OP(DC_CVAU), TO_EL2 },
    { "TPU EL1 DC CIVAC", HCR_TPU, EL1, OP(DC_CIVAC), NO_TRAP },
    { "TPU EL0 IC IVAU with UCI", HCR_TPU, EL0, OP(IC_IVAU), TO_EL2 },
    { "TPU EL0 DC CVAU without UCI: UCI first", HCR_TPU, EL0_WITHOUT(SCTLR_UCI), OP(DC_CVAU), TO_EL1 },
    { "TPU EL0 IC IALLU: UNDEFINED first", HCR_TPU, EL0, OP(IC_IALLU), UNDEF },
    { "TPU clear, EL1 IC IALLU", 0, EL1, OP(IC_IALLU), NO_TRAP },
    /* TTLB: the EL1 TLBIs at EL1. */
    { "TTLB EL1 TLBI VMALLE1", HCR_TTLB, EL1, OP(TLBI_VMALLE1), TO_EL2 },
    { "TTLB EL1 TLBI VAE1IS", HCR_TTLB, EL1, OP(TLBI_VAE1IS), TO_EL2 },
    { "TTLB EL1 TLBI ALLE1 (EL2's): UNDEFINED first", HCR_TTLB, EL1, OP(TLBI_ALLE1), UNDEF },
    { "TTLB EL1 AT S1E1R", HCR_TTLB, EL1, OP(AT_S1E1R), NO_TRAP },
    { "TTLB EL0 TLBI VMALLE1: UNDEFINED first", HCR_TTLB, EL0, OP(TLBI_VMALLE1), UNDEF },
    { "TTLB clear, EL1 TLBI VMALLE1", 0, EL1, OP(TLBI_VMALLE1), NO_TRAP },
    /* TDZ: DC ZVA at EL1, and at EL0 after SCTLR_EL1.DZE. */
    { "TDZ EL1 DC ZVA", HCR_TDZ, EL1, OP(DC_ZVA), TO_EL2 },
    { "TDZ EL0 DC ZVA with DZE", HCR_TDZ, EL0, OP(DC_ZVA), TO_EL2 },
    { "TDZ EL0 DC ZVA without DZE: DZE first", HCR_TDZ, EL0_WITHOUT(SCTLR_DZE), OP(DC_ZVA), TO_EL1 },
    { "TDZ EL0 DC ZVA without DZE under TGE: to EL2", HCR_TDZ | HCR_TGE, EL0_WITHOUT(SCTLR_DZE), OP(DC_ZVA),
      TO_EL2 },
    { "TDZ EL1 DC CVAC", HCR_TDZ, EL1, OP(DC_CVAC), NO_TRAP },
};

START_TEST(hcr_el2_trap_table)
{
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const trap_case *c = &cases[i];
        t_trap_log log;
        emu_machine *m = el2_machine(&log, HCR_RW | c->hcr, c->el ? SPSR_EL1H_MASKED : SPSR_EL0T, c->sctlr,
                                     c->insn);
        emu_stop s = run(m);
        ck_assert_msg(s.kind == EMU_STOP_INSN_LIMIT, "%s: stopped (%d): %s", c->name, (int)s.kind, s.message);
        if (c->to_el == 0) {
            ck_assert_msg(log.n == 1, "%s: %u records, want only the ERET (to EL%u, ESR 0x%llx)", c->name, log.n,
                          log.n > 1 ? log.recs[1].to_priv : 0, log.n > 1 ? (unsigned long long)log.recs[1].esr : 0);
        } else {
            uint32_t esr = c->esr ? c->esr : c->trap_esr;
            ck_assert_msg(log.n >= 2, "%s: %u records, want the ERET and the exception", c->name, log.n);
            const emu_trap *t = &log.recs[1];
            ck_assert_msg(t->to_priv == c->to_el && t->from_priv == c->el && t->esr == esr &&
                          t->from_pc == LOWER_CODE,
                          "%s: EL%u to EL%u, ESR 0x%llx, from 0x%llx; want EL%u to EL%u, ESR 0x%x, from 0x%llx",
                          c->name, t->from_priv, t->to_priv, (unsigned long long)t->esr,
                          (unsigned long long)t->from_pc, c->el, c->to_el, esr, (unsigned long long)LOWER_CODE);
        }
        emu_close(m);
    }
}
END_TEST

/* DCZID_EL0.DZP reads as 1 where DC ZVA would trap (DCZID_EL0, HCR_EL2.TDZ, SCTLR_EL1.DZE). */
START_TEST(dczid_dzp_follows_the_dc_zva_traps)
{
    static const struct {
        const char *name;
        uint64_t hcr;
        unsigned el;
        uint64_t sctlr;
        bool dzp;
    } reads[] = {
        { "EL1, TDZ", HCR_TDZ, EL1, true },
        { "EL1, TDZ clear", 0, EL1, false },
        { "EL0, DZE, TDZ", HCR_TDZ, EL0, true },
        { "EL0, DZE, TDZ clear", 0, EL0, false },
        { "EL0, DZE clear", 0, EL0_WITHOUT(SCTLR_DZE), true },
    };
    for (unsigned i = 0; i < sizeof reads / sizeof reads[0]; i++) {
        t_trap_log log;
        emu_machine *m = el2_machine(&log, HCR_RW | reads[i].hcr, reads[i].el ? SPSR_EL1H_MASKED : SPSR_EL0T,
                                     reads[i].sctlr, MRS_(DCZID_EL0));
        run(m);
        ck_assert_msg(log.n == 1, "DCZID_EL0 %s: %u records, want only the ERET", reads[i].name, log.n);
        uint64_t v = t_reg(m, EMU_A64_X0);
        ck_assert_msg(((v & DCZID_DZP) != 0) == reads[i].dzp, "DCZID_EL0 %s: read 0x%llx, want DZP %d",
                      reads[i].name, (unsigned long long)v, reads[i].dzp);
        emu_close(m);
    }
}
END_TEST

/* EL2's own accesses: every control set, none traps, and the registers that take the direct MRS/MSR
 * path at EL1 read and write as usual. */
START_TEST(el2_is_never_trapped)
{
    static const uint32_t el2_code[] = {
        0xd51c1101u, /* msr hcr_el2, x1 */
        0xd5033fdfu, /* isb */
        0xd50b7e20u, /* dc civac, x0 */
        0xd508871fu, /* tlbi vmalle1 */
        0xd5385202u, /* mrs x2, esr_el1 */
        0xd5186003u, /* msr far_el1, x3 */
        0xd5386004u, /* mrs x4, far_el1 */
        0xd53b00e0u, /* mrs x0, dczid_el0 */
        0x14000000u, /* b . */
    };
    const uint64_t all = HCR_RW | HCR_TID0 | HCR_TID1 | HCR_TID2 | HCR_TID3 | HCR_TIDCP | HCR_TACR | HCR_TSW |
                         HCR_TPC | HCR_TPU | HCR_TTLB | HCR_TVM | HCR_TDZ | HCR_TRVM;
    t_trap_log log;
    emu_machine *m = t_a64_el2_machine(&log, el2_code, sizeof el2_code);
    t_set_reg(m, EMU_A64_X0, DATA);
    t_set_reg(m, EMU_A64_X1, all);
    t_set_reg(m, EMU_A64_X3, 0xfa0ull);
    emu_stop s = run(m);
    ck_assert_msg(s.kind == EMU_STOP_INSN_LIMIT && log.n == 0,
                  "EL2 with every trap set: stop %d '%s', %u records, the first ESR 0x%llx from 0x%llx",
                  (int)s.kind, s.message, log.n, log.n ? (unsigned long long)log.recs[0].esr : 0,
                  log.n ? (unsigned long long)log.recs[0].from_pc : 0);
    ck_assert_msg((t_reg(m, EMU_A64_X0) & DCZID_DZP) == 0, "EL2 with TDZ: DCZID_EL0 0x%llx, want DZP 0",
                  (unsigned long long)t_reg(m, EMU_A64_X0));
    T_EXPECT_REG(m, EMU_A64_X4, 0xfa0ull, "EL2 with TVM and TRVM: FAR_EL1 written and read back");
    emu_close(m);
}
END_TEST

/* The HCR_EL2 controls emu does not model still stop the MSR that sets them. */
START_TEST(unmodelled_controls_still_stop)
{
    static const struct {
        const char *name;
        uint64_t bit;
    } bits[] = { { "PTW", HCR_PTW }, { "DC", HCR_DC } };
    for (unsigned i = 0; i < sizeof bits / sizeof bits[0]; i++) {
        t_trap_log log;
        emu_machine *m = el2_machine(&log, HCR_RW | HCR_TVM | bits[i].bit, SPSR_EL1H_MASKED, SCTLR_EL0_ALL,
                                     I_B_SELF);
        emu_stop s = run(m);
        ck_assert_msg(s.kind == EMU_STOP_ERROR && strstr(s.message, "HCR_EL2") && s.pc == RAM + 4,
                      "HCR_EL2.%s: stop %d '%s' at 0x%llx, want the MSR to stop", bits[i].name, (int)s.kind,
                      s.message, (unsigned long long)s.pc);
        emu_close(m);
    }
}
END_TEST

static Suite *hcr_traps_suite(void)
{
    Suite *s = suite_create("virt HCR_EL2 traps");
    TCase *tc = tcase_create("hcr_el2_traps");
    tcase_add_test(tc, hcr_el2_trap_table);
    tcase_add_test(tc, dczid_dzp_follows_the_dc_zva_traps);
    tcase_add_test(tc, el2_is_never_trapped);
    tcase_add_test(tc, unmodelled_controls_still_stop);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return t_run_suite(hcr_traps_suite());
}
