/*
 * System registers reached by MRS and MSR (register), Arm ARM C5.3 and D17.
 * One row per register: encoding (op0, op1, CRn, CRm, op2), name, the lowest
 * EL that may access it, the EL0 enable bit in SCTLR_EL1 for the few that EL0
 * may reach under control (a disabled access traps with EC 0x18), and where
 * the value lives. The rules applied, from Arm ARM D1.7 and each register's
 * "Accessibility" pseudocode:
 *   - an encoding in no row and not provided by the platform's sysreg hook
 *     is UNDEFINED (EC 0x00);
 *   - a register of a higher EL than the current one is UNDEFINED (EC 0x00);
 *   - an EL0 access that SCTLR_EL1.UMA/UCT disables traps (EC 0x18);
 *   - FPCR/FPSR obey CPACR_EL1.FPEN and CPTR_EL2.TFP (EC 0x07);
 *   - EL1 accesses to the debug and OS Lock registers trap to EL2 (EC 0x18)
 *     under MDCR_EL2.TDA and TDOSA, which MDCR_EL2.TDE and HCR_EL2.TGE imply,
 *     and those to CPACR_EL1 under CPTR_EL2.TCPAC;
 *   - writes to read-only and reads of write-only registers are UNDEFINED;
 *   - HCR_EL2's register traps (TID1, TID2, TID3, TIDCP, TACR, TVM, TRVM)
 *     take EL1's accesses, and EL0's of CTR_EL0, to EL2 (EC 0x18), after
 *     the UNDEFINED cases and the traps above;
 *   - unallocated encodings in the ID space (op0=3, op1=0, CRn=0, CRm=1..7)
 *     read as zero at EL1 and above (D17.1.3 "reserved ID registers: RAZ").
 */
#include <stddef.h>
#include <stdio.h>

#include "cpu/arm64/sysreg.h"
#include "cpu/arm64/debug.h"

typedef enum sr_kind {
    SR_FIELD,       /* a uint64_t in a64_sysregs at `offset` */
    SR_NZCV,
    SR_DAIF,
    SR_CURRENTEL,
    SR_SPSEL,
    SR_SP_EL0,
    SR_SP_EL1,
    SR_FPCR,
    SR_FPSR,
    SR_MIDR,        /* reads VPIDR_EL2 at EL1 (D17.2.101) */
    SR_MPIDR,       /* reads VMPIDR_EL2 at EL1 */
    SR_OSLAR,
    SR_DEBUG,       /* a field whose write changes cpu->debug_attention */
    SR_OS_FIELD,    /* an OS Lock register held as a field (MDCR_EL2.TDOSA traps it) */
    SR_CPACR,       /* CPACR_EL1, held as a field (CPTR_EL2.TCPAC traps it) */
    SR_DCZID,       /* DCZID_EL0, held as a field; DZP reads as 1 where DC ZVA would trap */
    SR_RAZ,
} sr_kind;

enum { SR_RW = 0, SR_RO = 1, SR_WO = 2 };

typedef struct sr_row {
    uint32_t enc;
    const char *name;
    sr_kind kind;
    uint8_t min_el;
    uint8_t dir;            /* SR_RW, SR_RO, SR_WO */
    uint64_t el0_enable;    /* SCTLR_EL1 bit enabling EL0 access; 0 when min_el decides */
    size_t offset;
} sr_row;

#define E(op0, op1, crn, crm, op2) A64_SYSREG_ENC(op0, op1, crn, crm, op2)

/* Rows: encoding, name, where, min EL, direction, EL0 enable. */
#define FIELD(enc, name, field, min_el, dir) { enc, name, SR_FIELD, min_el, dir, 0, offsetof(a64_sysregs, field) }
#define DEBUGREG(enc, name, field) { enc, name, SR_DEBUG, 1, SR_RW, 0, offsetof(a64_sysregs, field) }
#define DBG_BP(n) DEBUGREG(E(2, 0, 0, n, 4), "DBGBVR" #n "_EL1", dbgbvr_el1[n]), \
                  DEBUGREG(E(2, 0, 0, n, 5), "DBGBCR" #n "_EL1", dbgbcr_el1[n])
#define DBG_WP(n) DEBUGREG(E(2, 0, 0, n, 6), "DBGWVR" #n "_EL1", dbgwvr_el1[n]), \
                  DEBUGREG(E(2, 0, 0, n, 7), "DBGWCR" #n "_EL1", dbgwcr_el1[n])
#define SPECIAL(enc, name, kind, min_el, dir, en) { enc, name, kind, min_el, dir, en, 0 }

static const sr_row table[] = {
    /* Special-purpose registers (C5.2) */
    SPECIAL(E(3, 3, 4, 2, 0), "NZCV", SR_NZCV, 0, SR_RW, 0),
    SPECIAL(E(3, 3, 4, 2, 1), "DAIF", SR_DAIF, 1, SR_RW, A64_SCTLR_UMA),
    SPECIAL(E(3, 0, 4, 2, 2), "CurrentEL", SR_CURRENTEL, 1, SR_RO, 0),
    SPECIAL(E(3, 0, 4, 2, 0), "SPSel", SR_SPSEL, 1, SR_RW, 0),
    SPECIAL(E(3, 0, 4, 1, 0), "SP_EL0", SR_SP_EL0, 1, SR_RW, 0),
    SPECIAL(E(3, 4, 4, 1, 0), "SP_EL1", SR_SP_EL1, 2, SR_RW, 0),
    SPECIAL(E(3, 3, 4, 4, 0), "FPCR", SR_FPCR, 0, SR_RW, 0),
    SPECIAL(E(3, 3, 4, 4, 1), "FPSR", SR_FPSR, 0, SR_RW, 0),
    FIELD(E(3, 0, 4, 0, 0), "SPSR_EL1", spsr_el1, 1, SR_RW),
    FIELD(E(3, 0, 4, 0, 1), "ELR_EL1", elr_el1, 1, SR_RW),
    FIELD(E(3, 4, 4, 0, 0), "SPSR_EL2", spsr_el2, 2, SR_RW),
    FIELD(E(3, 4, 4, 0, 1), "ELR_EL2", elr_el2, 2, SR_RW),

    /* Identification (D17.2) */
    SPECIAL(E(3, 0, 0, 0, 0), "MIDR_EL1", SR_MIDR, 1, SR_RO, 0),
    SPECIAL(E(3, 0, 0, 0, 5), "MPIDR_EL1", SR_MPIDR, 1, SR_RO, 0),
    FIELD(E(3, 0, 0, 0, 6), "REVIDR_EL1", revidr_el1, 1, SR_RO),
    FIELD(E(3, 0, 0, 4, 0), "ID_AA64PFR0_EL1", id_aa64pfr0_el1, 1, SR_RO),
    FIELD(E(3, 0, 0, 4, 1), "ID_AA64PFR1_EL1", id_aa64pfr1_el1, 1, SR_RO),
    FIELD(E(3, 0, 0, 5, 0), "ID_AA64DFR0_EL1", id_aa64dfr0_el1, 1, SR_RO),
    FIELD(E(3, 0, 0, 5, 1), "ID_AA64DFR1_EL1", id_aa64dfr1_el1, 1, SR_RO),
    FIELD(E(3, 0, 0, 6, 0), "ID_AA64ISAR0_EL1", id_aa64isar0_el1, 1, SR_RO),
    FIELD(E(3, 0, 0, 6, 1), "ID_AA64ISAR1_EL1", id_aa64isar1_el1, 1, SR_RO),
    FIELD(E(3, 0, 0, 7, 0), "ID_AA64MMFR0_EL1", id_aa64mmfr0_el1, 1, SR_RO),
    FIELD(E(3, 0, 0, 7, 1), "ID_AA64MMFR1_EL1", id_aa64mmfr1_el1, 1, SR_RO),
    FIELD(E(3, 0, 0, 7, 2), "ID_AA64MMFR2_EL1", id_aa64mmfr2_el1, 1, SR_RO),
    FIELD(E(3, 1, 0, 0, 0), "CCSIDR_EL1", ccsidr_el1, 1, SR_RO),
    FIELD(E(3, 1, 0, 0, 1), "CLIDR_EL1", clidr_el1, 1, SR_RO),
    FIELD(E(3, 1, 0, 0, 7), "AIDR_EL1", aidr_el1, 1, SR_RO),
    FIELD(E(3, 2, 0, 0, 0), "CSSELR_EL1", csselr_el1, 1, SR_RW),
    { E(3, 3, 0, 0, 1), "CTR_EL0", SR_FIELD, 1, SR_RO, A64_SCTLR_UCT, offsetof(a64_sysregs, ctr_el0) },
    { E(3, 3, 0, 0, 7), "DCZID_EL0", SR_DCZID, 0, SR_RO, 0, offsetof(a64_sysregs, dczid_el0) },

    /* EL1 system control, translation, exceptions, thread IDs */
    FIELD(E(3, 0, 1, 0, 0), "SCTLR_EL1", sctlr_el1, 1, SR_RW),
    FIELD(E(3, 0, 1, 0, 1), "ACTLR_EL1", actlr_el1, 1, SR_RW),
    { E(3, 0, 1, 0, 2), "CPACR_EL1", SR_CPACR, 1, SR_RW, 0, offsetof(a64_sysregs, cpacr_el1) },
    FIELD(E(3, 0, 2, 0, 0), "TTBR0_EL1", ttbr0_el1, 1, SR_RW),
    FIELD(E(3, 0, 2, 0, 1), "TTBR1_EL1", ttbr1_el1, 1, SR_RW),
    FIELD(E(3, 0, 2, 0, 2), "TCR_EL1", tcr_el1, 1, SR_RW),
    FIELD(E(3, 0, 5, 1, 0), "AFSR0_EL1", afsr0_el1, 1, SR_RW),
    FIELD(E(3, 0, 5, 1, 1), "AFSR1_EL1", afsr1_el1, 1, SR_RW),
    FIELD(E(3, 0, 5, 2, 0), "ESR_EL1", esr_el1, 1, SR_RW),
    FIELD(E(3, 0, 6, 0, 0), "FAR_EL1", far_el1, 1, SR_RW),
    FIELD(E(3, 0, 7, 4, 0), "PAR_EL1", par_el1, 1, SR_RW),
    FIELD(E(3, 0, 10, 2, 0), "MAIR_EL1", mair_el1, 1, SR_RW),
    FIELD(E(3, 0, 10, 3, 0), "AMAIR_EL1", amair_el1, 1, SR_RW),
    FIELD(E(3, 0, 12, 0, 0), "VBAR_EL1", vbar_el1, 1, SR_RW),
    FIELD(E(3, 0, 13, 0, 1), "CONTEXTIDR_EL1", contextidr_el1, 1, SR_RW),
    FIELD(E(3, 0, 13, 0, 4), "TPIDR_EL1", tpidr_el1, 1, SR_RW),
    FIELD(E(3, 0, 14, 1, 0), "CNTKCTL_EL1", cntkctl_el1, 1, SR_RW),
    FIELD(E(3, 3, 13, 0, 2), "TPIDR_EL0", tpidr_el0, 0, SR_RW),
    /* TPIDRRO_EL0: read-only at EL0, read/write at EL1 (handled below) */
    FIELD(E(3, 3, 13, 0, 3), "TPIDRRO_EL0", tpidrro_el0, 0, SR_RW),

    /* Self-hosted debug (D17.3; behaviour in debug.c). EL0 accesses are UNDEFINED. */
    DEBUGREG(E(2, 0, 0, 2, 2), "MDSCR_EL1", mdscr_el1),
    DBG_BP(0), DBG_BP(1), DBG_BP(2), DBG_BP(3), DBG_BP(4), DBG_BP(5),
    DBG_WP(0), DBG_WP(1), DBG_WP(2), DBG_WP(3),
    SPECIAL(E(2, 0, 1, 0, 4), "OSLAR_EL1", SR_OSLAR, 1, SR_WO, 0),
    { E(2, 0, 1, 1, 4), "OSLSR_EL1", SR_OS_FIELD, 1, SR_RO, 0, offsetof(a64_sysregs, oslsr_el1) },
    { E(2, 0, 1, 3, 4), "OSDLR_EL1", SR_OS_FIELD, 1, SR_RW, 0, offsetof(a64_sysregs, osdlr_el1) },
    { E(2, 0, 1, 4, 4), "DBGPRCR_EL1", SR_OS_FIELD, 1, SR_RW, 0, offsetof(a64_sysregs, dbgprcr_el1) },

    /* EL2 */
    FIELD(E(3, 4, 0, 0, 0), "VPIDR_EL2", vpidr_el2, 2, SR_RW),
    FIELD(E(3, 4, 0, 0, 5), "VMPIDR_EL2", vmpidr_el2, 2, SR_RW),
    FIELD(E(3, 4, 1, 0, 0), "SCTLR_EL2", sctlr_el2, 2, SR_RW),
    FIELD(E(3, 4, 1, 0, 1), "ACTLR_EL2", actlr_el2, 2, SR_RW),
    FIELD(E(3, 4, 1, 1, 0), "HCR_EL2", hcr_el2, 2, SR_RW),
    FIELD(E(3, 4, 1, 1, 1), "MDCR_EL2", mdcr_el2, 2, SR_RW),
    FIELD(E(3, 4, 1, 1, 2), "CPTR_EL2", cptr_el2, 2, SR_RW),
    FIELD(E(3, 4, 1, 1, 3), "HSTR_EL2", hstr_el2, 2, SR_RW),
    FIELD(E(3, 4, 2, 0, 0), "TTBR0_EL2", ttbr0_el2, 2, SR_RW),
    FIELD(E(3, 4, 2, 0, 2), "TCR_EL2", tcr_el2, 2, SR_RW),
    FIELD(E(3, 4, 2, 1, 0), "VTTBR_EL2", vttbr_el2, 2, SR_RW),
    FIELD(E(3, 4, 2, 1, 2), "VTCR_EL2", vtcr_el2, 2, SR_RW),
    FIELD(E(3, 4, 5, 1, 0), "AFSR0_EL2", afsr0_el2, 2, SR_RW),
    FIELD(E(3, 4, 5, 1, 1), "AFSR1_EL2", afsr1_el2, 2, SR_RW),
    FIELD(E(3, 4, 5, 2, 0), "ESR_EL2", esr_el2, 2, SR_RW),
    FIELD(E(3, 4, 6, 0, 0), "FAR_EL2", far_el2, 2, SR_RW),
    FIELD(E(3, 4, 6, 0, 4), "HPFAR_EL2", hpfar_el2, 2, SR_RW),
    FIELD(E(3, 4, 10, 2, 0), "MAIR_EL2", mair_el2, 2, SR_RW),
    FIELD(E(3, 4, 10, 3, 0), "AMAIR_EL2", amair_el2, 2, SR_RW),
    FIELD(E(3, 4, 12, 0, 0), "VBAR_EL2", vbar_el2, 2, SR_RW),
    FIELD(E(3, 4, 13, 0, 2), "TPIDR_EL2", tpidr_el2, 2, SR_RW),
    FIELD(E(3, 4, 14, 0, 3), "CNTVOFF_EL2", cntvoff_el2, 2, SR_RW),
    FIELD(E(3, 4, 14, 1, 0), "CNTHCTL_EL2", cnthctl_el2, 2, SR_RW),
};

/*
 * HCR_EL2 bits with an effect here: the interrupt routing (FMO, IMO, AMO) and the virtual
 * interrupts (VF, VI, VSE: src/platform/virt/virt_vintr.c), the traps of WFI, WFE and SMC (TWI,
 * TWE, TSC), the register traps (TID1-3, TIDCP, TACR, TVM, TRVM: hcr_el2_controls below), the
 * cache, TLB and DC ZVA traps (TSW, TPC, TPU, TTLB, TDZ: sys_ops.c), TGE, HCD, RW; SWIO, FB and BSU
 * change nothing with no caches and one PE, and TID0 traps AArch32 registers only. Any other
 * control (stage 2: VM, PTW; DC, CD, ID, E2H) is not modelled: a write setting one stops naming it.
 * Bits above E2H are RES0 on the modelled CPUs, and ignored.
 */
#define HCR_EL2_SWIO (1ull << 1)
#define HCR_EL2_FB (1ull << 9)
#define HCR_EL2_BSU (3ull << 10)
#define HCR_EL2_MODELLED (HCR_EL2_SWIO | A64_HCR_EL2_FMO | A64_HCR_EL2_IMO | A64_HCR_EL2_AMO | HCR_EL2_FB | \
                          HCR_EL2_BSU | A64_HCR_EL2_TWI | A64_HCR_EL2_TWE | A64_HCR_EL2_TSC | A64_HCR_EL2_TGE | \
                          A64_HCR_EL2_HCD | A64_HCR_EL2_RW | HCR_EL2_REGISTER_TRAPS | HCR_EL2_SYS_TRAPS | \
                          A64_HCR_EL2_TID0 | A64_HCR_EL2_VF | A64_HCR_EL2_VI | A64_HCR_EL2_VSE)
/* The controls that trap MRS/MSR (this file) and SYS instructions (sys_ops.c). */
#define HCR_EL2_REGISTER_TRAPS (A64_HCR_EL2_TID1 | A64_HCR_EL2_TID2 | A64_HCR_EL2_TID3 | A64_HCR_EL2_TIDCP | \
                                A64_HCR_EL2_TACR | A64_HCR_EL2_TVM | A64_HCR_EL2_TRVM)
#define HCR_EL2_SYS_TRAPS (A64_HCR_EL2_TSW | A64_HCR_EL2_TPC | A64_HCR_EL2_TPU | A64_HCR_EL2_TTLB | A64_HCR_EL2_TDZ)
#define HCR_EL2_DEFINED_V80 ((1ull << 35) - 1)     /* bits 0-34, VM to E2H */

/* The fields of an A64_SYSREG_ENC value. */
#define ENC_OP0(enc) (((enc) >> 14) & 0x3u)
#define ENC_OP1(enc) (((enc) >> 11) & 0x7u)
#define ENC_CRN(enc) (((enc) >> 7) & 0xfu)
#define ENC_CRM(enc) (((enc) >> 3) & 0xfu)

static bool is_reserved_id_space(unsigned op0, unsigned op1, unsigned crn, unsigned crm)
{
    return op0 == 3 && op1 == 0 && crn == 0 && crm >= 1 && crm <= 7;
}

/* IMPLEMENTATION DEFINED registers: op0 = 3 with a reserved CRn. emu implements none of them. */
static bool is_impdef_register(uint32_t enc)
{
    return ENC_OP0(enc) == 3 && (ENC_CRN(enc) == A64_CRN_IMPDEF_A || ENC_CRN(enc) == A64_CRN_IMPDEF_B);
}

/* The registers an HCR_EL2 control traps by name (HCR_EL2 in D17.2, and each register's
 * accessibility pseudocode): TID1 and TID2 the identification and cache ID registers, TACR
 * ACTLR_EL1, TVM the writes and TRVM the reads of the virtual memory controls. */
typedef struct hcr_trap_row {
    uint32_t enc;
    uint64_t read_controls, write_controls;
} hcr_trap_row;

#define VM_CONTROL(enc) { enc, A64_HCR_EL2_TRVM, A64_HCR_EL2_TVM }

static const hcr_trap_row hcr_trap_table[] = {
    { E(3, 0, 0, 0, 6), A64_HCR_EL2_TID1, 0 },                 /* REVIDR_EL1 */
    { E(3, 1, 0, 0, 7), A64_HCR_EL2_TID1, 0 },                 /* AIDR_EL1 */
    { E(3, 3, 0, 0, 1), A64_HCR_EL2_TID2, 0 },                 /* CTR_EL0 */
    { E(3, 1, 0, 0, 0), A64_HCR_EL2_TID2, 0 },                 /* CCSIDR_EL1 */
    { E(3, 1, 0, 0, 1), A64_HCR_EL2_TID2, 0 },                 /* CLIDR_EL1 */
    { E(3, 2, 0, 0, 0), A64_HCR_EL2_TID2, A64_HCR_EL2_TID2 },  /* CSSELR_EL1 */
    { E(3, 0, 1, 0, 1), A64_HCR_EL2_TACR, A64_HCR_EL2_TACR },  /* ACTLR_EL1 */
    VM_CONTROL(E(3, 0, 1, 0, 0)),   /* SCTLR_EL1 */
    VM_CONTROL(E(3, 0, 2, 0, 0)),   /* TTBR0_EL1 */
    VM_CONTROL(E(3, 0, 2, 0, 1)),   /* TTBR1_EL1 */
    VM_CONTROL(E(3, 0, 2, 0, 2)),   /* TCR_EL1 */
    VM_CONTROL(E(3, 0, 5, 1, 0)),   /* AFSR0_EL1 */
    VM_CONTROL(E(3, 0, 5, 1, 1)),   /* AFSR1_EL1 */
    VM_CONTROL(E(3, 0, 5, 2, 0)),   /* ESR_EL1 */
    VM_CONTROL(E(3, 0, 6, 0, 0)),   /* FAR_EL1 */
    VM_CONTROL(E(3, 0, 10, 2, 0)),  /* MAIR_EL1 */
    VM_CONTROL(E(3, 0, 10, 3, 0)),  /* AMAIR_EL1 */
    VM_CONTROL(E(3, 0, 13, 0, 1)),  /* CONTEXTIDR_EL1 */
};

/* The HCR_EL2 controls that trap an access to enc (0: none). Besides the named registers: TID3
 * traps reads of the whole ID group 3 (op0=3, op1=0, CRn=0, CRm=1..7), the reserved RAZ encodings
 * included, and TIDCP every IMPLEMENTATION DEFINED encoding, implemented or not (the pseudocode
 * checks TIDCP before anything decides the register exists). Which ELs they trap is the caller's. */
static uint64_t hcr_el2_controls(uint32_t enc, bool is_read)
{
    if (is_reserved_id_space(ENC_OP0(enc), ENC_OP1(enc), ENC_CRN(enc), ENC_CRM(enc)))
        return is_read ? A64_HCR_EL2_TID3 : 0;
    if (is_impdef_register(enc))
        return A64_HCR_EL2_TIDCP;
    for (size_t i = 0; i < sizeof hcr_trap_table / sizeof hcr_trap_table[0]; i++)
        if (hcr_trap_table[i].enc == enc)
            return is_read ? hcr_trap_table[i].read_controls : hcr_trap_table[i].write_controls;
    return 0;
}

/* Does an HCR_EL2 control trap this access at the current EL? The first test keeps the table out
 * of the common case, where no register trap is set. */
static bool hcr_el2_traps_access(const a64_cpu *cpu, uint32_t enc, bool is_read)
{
    if (!(cpu->sys.hcr_el2 & HCR_EL2_REGISTER_TRAPS))
        return false;
    return a64_hcr_el2_traps(cpu, hcr_el2_controls(enc, is_read));
}

#define NROWS (sizeof table / sizeof table[0])
#define ENC_BITS 16     /* op0:op1:CRn:CRm:op2, A64_SYSREG_ENC */
_Static_assert(NROWS < 255, "row numbers + 1 are bytes");

/*
 * How MRS/MSR reach a row without the general checks, worked out once per row: a register that is a
 * uint64_t of the CPU (a64_sysregs field or SP_EL0), from the lowest EL at which nothing but that EL
 * decides the access, unless one of the HCR_EL2 controls in *_traps is set (any EL: the general
 * path decides whether it traps here). Everything else (a write that drops page hints, EL0 enables,
 * the FP and debug traps, the special kinds) takes the general path.
 */
#define SR_NEVER 0xffu  /* a *_min_el: always the general path */

typedef struct sr_direct {
    size_t cpu_offset;      /* offsetof(a64_cpu, ...) of the value */
    uint8_t read_min_el;
    uint8_t write_min_el;
    bool spx_only;          /* SP_EL0: only while SPSel selects SP_ELx (C5.2.17) */
    uint32_t read_traps;    /* HCR_EL2 controls that may trap a read (hcr_el2_controls) */
    uint32_t write_traps;
} sr_direct;
_Static_assert(HCR_EL2_REGISTER_TRAPS <= UINT32_MAX, "sr_direct holds the register traps in 32 bits");

/* Registers whose value a translation depends on (D8: regime controls, memory attributes, stage-2
 * and routing controls): a write drops the CPU's host page hints (a64.h), which stand for
 * translations made under the old value. */
static bool shapes_translation(const sr_row *r)
{
    static const size_t offsets[] = {
        offsetof(a64_sysregs, sctlr_el1), offsetof(a64_sysregs, tcr_el1), offsetof(a64_sysregs, ttbr0_el1),
        offsetof(a64_sysregs, ttbr1_el1), offsetof(a64_sysregs, mair_el1), offsetof(a64_sysregs, sctlr_el2),
        offsetof(a64_sysregs, tcr_el2), offsetof(a64_sysregs, ttbr0_el2), offsetof(a64_sysregs, mair_el2),
        offsetof(a64_sysregs, hcr_el2), offsetof(a64_sysregs, vtcr_el2), offsetof(a64_sysregs, vttbr_el2),
    };
    if (r->kind != SR_FIELD)
        return false;
    for (size_t i = 0; i < sizeof offsets / sizeof offsets[0]; i++)
        if (r->offset == offsets[i])
            return true;
    return false;
}

/* Row number + 1 by encoding (0: none), and the direct access by that number (direct[0]: none), built
 * once: the MRS/MSR in every exception handler would otherwise scan the table. */
static uint8_t row_by_enc[1u << ENC_BITS];
static sr_direct direct[NROWS + 1] = { { .read_min_el = SR_NEVER, .write_min_el = SR_NEVER } };
static bool row_by_enc_built;

/* Registers whose writes sysreg_access checks for controls emu does not model (HCR_EL2). */
static bool write_is_checked(const sr_row *r)
{
    return r->kind == SR_FIELD && r->offset == offsetof(a64_sysregs, hcr_el2);
}

static sr_direct direct_for(const sr_row *r)
{
    sr_direct d = { .read_min_el = SR_NEVER, .write_min_el = SR_NEVER };
    if (r->kind == SR_FIELD) {
        d.cpu_offset = offsetof(a64_cpu, sys) + r->offset;
        if (r->dir != SR_WO)
            d.read_min_el = r->min_el;
        /* TPIDRRO_EL0 is read-only at EL0. */
        bool read_only_at_el0 = r->offset == offsetof(a64_sysregs, tpidrro_el0);
        if (r->dir == SR_RW && !shapes_translation(r) && !write_is_checked(r))
            d.write_min_el = read_only_at_el0 ? 1 : r->min_el;
        d.read_traps = (uint32_t)hcr_el2_controls(r->enc, true);
        d.write_traps = (uint32_t)hcr_el2_controls(r->enc, false);
    } else if (r->kind == SR_SP_EL0) {
        d.cpu_offset = offsetof(a64_cpu, sp_el[0]);
        d.read_min_el = d.write_min_el = r->min_el;
        d.spx_only = true;
    }
    return d;
}

static void build_index(void)
{
    for (size_t i = NROWS; i-- > 0;) {
        row_by_enc[table[i].enc & ((1u << ENC_BITS) - 1)] = (uint8_t)(i + 1);
        direct[i + 1] = direct_for(&table[i]);
    }
    row_by_enc_built = true;
}

static const sr_row *find(uint32_t enc)
{
    if (!row_by_enc_built)
        build_index();
    if (enc >> ENC_BITS)
        return NULL;
    unsigned n = row_by_enc[enc];
    return n ? &table[n - 1] : NULL;
}

const char *a64_sysreg_name(uint32_t enc)
{
    const sr_row *r = find(enc);
    return r ? r->name : NULL;
}

static bool cpacr_disables_fp(const a64_cpu *cpu)
{
    unsigned fpen = (unsigned)((cpu->sys.cpacr_el1 >> A64_CPACR_FPEN_SHIFT) & A64_CPACR_FPEN_MASK);
    if (cpu->pstate.el == 0)
        return fpen != A64_CPACR_FPEN_NONE;
    if (cpu->pstate.el == 1)
        return fpen != A64_CPACR_FPEN_NONE && fpen != A64_CPACR_FPEN_TRAP_EL0;
    return false;
}

a64_status a64_check_fp_enabled(a64_cpu *cpu, uint32_t insn)
{
    const uint32_t iss = ESR_ISS_FP_CV | (A64_COND_AL << ESR_ISS_FP_COND_SHIFT);
    if (cpacr_disables_fp(cpu)) {
        /* AArch64.AdvSIMDFPAccessTrap(EL1): HCR_EL2.TGE takes EL0's trap to EL2 as an Uncategorized
         * exception (EC 0x00), not EC 0x07. */
        if (cpu->pstate.el == 0 && a64_el2_enabled(cpu) && (cpu->sys.hcr_el2 & A64_HCR_EL2_TGE))
            return a64_undefined(cpu, insn);
        return a64_raise(cpu, insn, ESR_EC_FP_ACCESS, iss);
    }
    /* AArch64.CheckFPAdvSIMDTrap: CPTR_EL2.TFP, at EL2 too. */
    if (cpu->pstate.el <= 2 && a64_el2_enabled(cpu) && (cpu->sys.cptr_el2 & A64_CPTR_EL2_TFP)) {
        a64_raise(cpu, insn, ESR_EC_FP_ACCESS, iss);
        cpu->exc.to_el2 = true;
        return A64_EXCEPTION;
    }
    return A64_OK;
}

/* DCZID_EL0.DZP reads as 1 where DC ZVA would trap: at EL0 under SCTLR_EL1.DZE = 0, and at EL0 and
 * EL1 under HCR_EL2.TDZ (DCZID_EL0.DZP, HCR_EL2.TDZ and SCTLR_EL1.DZE in D17.2). */
static uint64_t dczid_value(const a64_cpu *cpu)
{
    bool prohibited = (cpu->pstate.el == 0 && !(cpu->sys.sctlr_el1 & A64_SCTLR_DZE)) ||
                      a64_hcr_el2_traps(cpu, A64_HCR_EL2_TDZ);
    return cpu->sys.dczid_el0 | (prohibited ? A64_DCZID_DZP : 0);
}

static uint64_t read_reg(a64_cpu *cpu, const sr_row *r)
{
    switch (r->kind) {
    case SR_FIELD:
    case SR_DEBUG:
    case SR_OS_FIELD:
    case SR_CPACR: return *(const uint64_t *)((const char *)&cpu->sys + r->offset);
    case SR_NZCV: return (uint64_t)cpu->pstate.nzcv << A64_SPSR_NZCV_SHIFT;
    case SR_DAIF: return (uint64_t)cpu->pstate.daif << A64_SPSR_DAIF_SHIFT;
    case SR_CURRENTEL: return (uint64_t)cpu->pstate.el << A64_SPSR_M_EL_SHIFT;
    case SR_SPSEL: return cpu->pstate.sp;
    case SR_SP_EL0: return cpu->sp_el[0];
    case SR_SP_EL1: return cpu->sp_el[1];
    case SR_FPCR: return cpu->fpcr;
    case SR_FPSR: return cpu->fpsr;
    case SR_MIDR: return cpu->pstate.el == 1 ? cpu->sys.vpidr_el2 : cpu->sys.midr_el1;
    case SR_MPIDR: return cpu->pstate.el == 1 ? cpu->sys.vmpidr_el2 : cpu->sys.mpidr_el1;
    case SR_DCZID: return dczid_value(cpu);
    case SR_OSLAR:
    case SR_RAZ: return 0;
    }
    return 0;
}

static void write_reg(a64_cpu *cpu, const sr_row *r, uint64_t v)
{
    switch (r->kind) {
    case SR_FIELD:
    case SR_OS_FIELD:
    case SR_CPACR: *(uint64_t *)((char *)&cpu->sys + r->offset) = v; break;
    case SR_NZCV: cpu->pstate.nzcv = (uint8_t)((v >> A64_SPSR_NZCV_SHIFT) & 0xf); break;
    case SR_DAIF: cpu->pstate.daif = (uint8_t)((v >> A64_SPSR_DAIF_SHIFT) & 0xf); break;
    case SR_SPSEL:
        cpu->pstate.sp = v & 1;
        a64_refresh_shortcuts(cpu);     /* the SP in use */
        break;
    case SR_SP_EL0: cpu->sp_el[0] = v; break;
    case SR_SP_EL1: cpu->sp_el[1] = v; break;
    case SR_FPCR: cpu->fpcr = (uint32_t)v; break;
    case SR_FPSR: cpu->fpsr = (uint32_t)v; break;
    case SR_OSLAR:
        cpu->sys.oslsr_el1 = A64_OSLSR_OSLM_IMPLEMENTED | ((v & A64_OSLAR_OSLK) ? A64_OSLSR_OSLK : 0);
        a64_debug_update(cpu);
        break;
    case SR_DEBUG:
        *(uint64_t *)((char *)&cpu->sys + r->offset) = v;
        a64_debug_update(cpu);
        break;
    default: break;
    }
}

static a64_status trap_sysreg(a64_cpu *cpu, uint32_t insn, unsigned op0, unsigned op1, unsigned crn,
                              unsigned crm, unsigned op2, unsigned rt, bool is_read)
{
    return a64_raise(cpu, insn, ESR_EC_SYSREG, esr_iss_sysreg(op0, op1, crn, crm, op2, rt, is_read));
}

/* CPTR_EL2.TCPAC: EL1's accesses to CPACR_EL1 trap to EL2 (D17.2.33). */
static bool cptr_el2_traps_cpacr(const a64_cpu *cpu)
{
    return cpu->pstate.el == 1 && a64_el2_enabled(cpu) && (cpu->sys.cptr_el2 & A64_CPTR_EL2_TCPAC);
}

static a64_status trap_sysreg_to_el2(a64_cpu *cpu, uint32_t insn, unsigned op0, unsigned op1, unsigned crn,
                                     unsigned crm, unsigned op2, unsigned rt, bool is_read)
{
    trap_sysreg(cpu, insn, op0, op1, crn, crm, op2, rt, is_read);
    cpu->exc.to_el2 = true;
    return A64_EXCEPTION;
}

/* Does MDCR_EL2 trap this EL1 access to EL2? TDA for the debug registers, TDOSA for the OS Lock
 * registers; MDCR_EL2.TDE and HCR_EL2.TGE make both act as set (D17.3.17, and each register's
 * accessibility pseudocode). */
static bool mdcr_el2_traps(const a64_cpu *cpu, const sr_row *r)
{
    if (cpu->pstate.el != 1 || !a64_el2_enabled(cpu))
        return false;
    uint64_t mdcr = cpu->sys.mdcr_el2;
    if ((mdcr & A64_MDCR_EL2_TDE) || (cpu->sys.hcr_el2 & A64_HCR_EL2_TGE))
        mdcr |= A64_MDCR_EL2_TDA | A64_MDCR_EL2_TDOSA;
    if (r->kind == SR_DEBUG)
        return (mdcr & A64_MDCR_EL2_TDA) != 0;
    if (r->kind == SR_OSLAR || r->kind == SR_OS_FIELD)
        return (mdcr & A64_MDCR_EL2_TDOSA) != 0;
    return false;
}

/* MRS/MSR (register) fields (C5.1.1): L, o0 (op0 = 2 + o0), op1, CRn, CRm, op2, Rt. Bits 19:5 are
 * o0:op1:CRn:CRm:op2, which is A64_SYSREG_ENC's layout below its op0<1> bit. */
#define MRS_MSR_L_BIT 21
#define SYSREG_ENC_OP0_HIGH (1u << 15)

/* The general path: every rule in the comment at the top. Out of line, so that the direct path in
 * a64_sysreg_insn needs no frame. */
static __attribute__((noinline)) a64_status sysreg_access(a64_cpu *cpu, uint32_t insn)
{
    unsigned op0 = 2 + BIT(insn, 19), op1 = BITS(insn, 18, 16), crn = BITS(insn, 15, 12), crm = BITS(insn, 11, 8);
    unsigned op2 = BITS(insn, 7, 5), rt = BITS(insn, 4, 0);
    bool is_read = BIT(insn, MRS_MSR_L_BIT);
    uint32_t enc = A64_SYSREG_ENC(op0, op1, crn, crm, op2);
    unsigned el = cpu->pstate.el;
    const sr_row *r = find(enc);
    if (!r) {
        /* The unnamed ID group 3 registers and the IMPLEMENTATION DEFINED ones are UNDEFINED at EL0
         * (this PE chooses not to trap EL0's IMPLEMENTATION DEFINED accesses under TIDCP, as the
         * HCR_EL2 description allows); at EL1 TID3 and TIDCP trap them before they read as zero
         * or turn out not to exist. */
        if (el == 1 && hcr_el2_traps_access(cpu, enc, is_read))
            return trap_sysreg_to_el2(cpu, insn, op0, op1, crn, crm, op2, rt, is_read);
        if (is_reserved_id_space(op0, op1, crn, crm) && el >= 1 && is_read) {
            set_xreg(cpu, rt, 0);
            return A64_OK;
        }
        if (cpu->ops.sysreg) {
            uint64_t v = is_read ? 0 : xreg(cpu, rt);
            switch (cpu->ops.sysreg(cpu->ops.ctx, enc, is_read, &v, el)) {
            case A64_SYSREG_DONE:
                if (is_read)
                    set_xreg(cpu, rt, v);
                return A64_OK;
            case A64_SYSREG_TRAP:
                return trap_sysreg(cpu, insn, op0, op1, crn, crm, op2, rt, is_read);
            case A64_SYSREG_TRAP_EL2:
                return trap_sysreg_to_el2(cpu, insn, op0, op1, crn, crm, op2, rt, is_read);
            case A64_SYSREG_UNHANDLED:
                break;
            }
        }
        return a64_undefined(cpu, insn);
    }

    if (el < r->min_el) {
        /* EL0 may reach a few EL1 registers when SCTLR_EL1 enables it. */
        if (!(el == 0 && r->el0_enable))
            return a64_undefined(cpu, insn);
        if (!(cpu->sys.sctlr_el1 & r->el0_enable))
            return trap_sysreg(cpu, insn, op0, op1, crn, crm, op2, rt, is_read);
    }
    bool read_only = r->dir == SR_RO || (r->kind == SR_FIELD && r->offset == offsetof(a64_sysregs, tpidrro_el0) && el == 0);
    if ((is_read && r->dir == SR_WO) || (!is_read && read_only))
        return a64_undefined(cpu, insn);
    if (r->kind == SR_FPCR || r->kind == SR_FPSR) {
        a64_status st = a64_check_fp_enabled(cpu, insn);
        if (st != A64_OK)
            return st;
    }
    if (mdcr_el2_traps(cpu, r))
        return trap_sysreg_to_el2(cpu, insn, op0, op1, crn, crm, op2, rt, is_read);
    if (r->kind == SR_CPACR && cptr_el2_traps_cpacr(cpu))
        return trap_sysreg_to_el2(cpu, insn, op0, op1, crn, crm, op2, rt, is_read);
    /* After UNDEFINED and, for EL0's CTR_EL0, after SCTLR_EL1.UCT's trap (CTR_EL0's accessibility
     * pseudocode checks UCT, then HCR_EL2.TID2). */
    if (hcr_el2_traps_access(cpu, enc, is_read))
        return trap_sysreg_to_el2(cpu, insn, op0, op1, crn, crm, op2, rt, is_read);
    /* SP_EL0 is UNDEFINED through MRS/MSR while it is the stack pointer in use (C5.2.17). */
    if (r->kind == SR_SP_EL0 && cpu->pstate.sp == 0)
        return a64_undefined(cpu, insn);

    if (!is_read && write_is_checked(r)) {
        uint64_t unmodelled = xreg(cpu, rt) & HCR_EL2_DEFINED_V80 & ~HCR_EL2_MODELLED;
        if (unmodelled) {
            char what[96];
            snprintf(what, sizeof what, "MSR %s setting controls emu does not model (bits 0x%llx)", r->name,
                     (unsigned long long)unmodelled);
            return a64_unsupported(cpu, insn, what);
        }
    }
    if (is_read)
        set_xreg(cpu, rt, read_reg(cpu, r));
    else {
        if (shapes_translation(r))
            a64_clear_page_hints(cpu);
        write_reg(cpu, r, xreg(cpu, rt));
    }
    return A64_OK;
}

a64_status a64_sysreg_insn(a64_cpu *cpu, uint32_t insn)
{
    uint32_t enc = SYSREG_ENC_OP0_HIGH | BITS(insn, 19, 5);
    unsigned rt = BITS(insn, 4, 0), el = cpu->pstate.el;
    bool is_read = BIT(insn, MRS_MSR_L_BIT);
    if (!row_by_enc_built)
        return sysreg_access(cpu, insn); /* which builds the index */
    const sr_direct *d = &direct[row_by_enc[enc]];
    if (!d->spx_only || cpu->pstate.sp) {
        uint64_t *value = (uint64_t *)((char *)cpu + d->cpu_offset);
        if (is_read && el >= d->read_min_el && !(cpu->sys.hcr_el2 & d->read_traps)) {
            set_xreg(cpu, rt, *value);
            return A64_OK;
        }
        if (!is_read && el >= d->write_min_el && !(cpu->sys.hcr_el2 & d->write_traps)) {
            *value = xreg(cpu, rt);
            return A64_OK;
        }
    }
    return sysreg_access(cpu, insn);
}
