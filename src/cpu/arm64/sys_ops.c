/*
 * SYS: TLB maintenance (TLBI), instruction and data cache maintenance (IC,
 * DC) and address translation (AT), Arm ARM C5.3 and D7.
 *
 * This PE keeps no caches and no TLB of its own: a TLBI or IC is passed to
 * the ops->sys_op hook so the MMU or a decode cache can drop what it holds.
 * DC by VA checks that the address translates (it may fault, ISS.CM = 1);
 * DC ZVA writes a block of zeros of the DCZID_EL0.BS size. Set/way data cache
 * operations have nothing to clean. AT asks the MMU (ops->at) to translate
 * without accessing memory and writes the result to PAR_EL1; the stage 1+2
 * forms (AT S12E*) stop, as stage 2 is not modelled.
 *
 * With EL2, HCR_EL2 traps them to EL2 (EC 0x18, Direction 0) from EL1 and,
 * for those EL0 may execute, from EL0: TSW the set/way DCs, TPC the DCs to
 * the Point of Coherency, TPU the ICs and DC CVAU, TTLB the EL1 TLBIs, TDZ
 * DC ZVA. Each instruction's pseudocode checks them after UNDEFINED and
 * after EL0's SCTLR_EL1.UCI/DZE trap, and before the operation itself (so a
 * trapped DC by VA takes no translation fault).
 */
#include <string.h>

#include "cpu/arm64/a64_handlers.h"

#define SYS_KEY(op1, crn, crm, op2) (((op1) << 12) | ((crn) << 8) | ((crm) << 4) | (op2))

typedef enum sys_kind { SK_TLBI, SK_IC, SK_IC_VA, SK_DC_VA, SK_DC_SW, SK_DC_ZVA, SK_AT, SK_AT_S12 } sys_kind;

typedef struct sys_row {
    unsigned key;
    const char *name;
    sys_kind kind;
    uint8_t min_el;         /* lowest EL that may execute it */
    uint64_t el0_enable;    /* SCTLR_EL1 bit letting EL0 execute it (EC 0x18 trap when clear) */
    bool needs_write;       /* DC IVAC invalidates: checked as a write */
    uint64_t hcr_trap;      /* the HCR_EL2 control that traps it to EL2 at EL0/EL1 (0: none) */
} sys_row;

#define TSW A64_HCR_EL2_TSW
#define TPC A64_HCR_EL2_TPC
#define TPU A64_HCR_EL2_TPU
#define TTLB A64_HCR_EL2_TTLB
#define TDZ A64_HCR_EL2_TDZ

static const sys_row sys_table[] = {
    { SYS_KEY(0, 7, 1, 0), "IC IALLUIS", SK_IC, 1, 0, false, TPU },
    { SYS_KEY(0, 7, 5, 0), "IC IALLU", SK_IC, 1, 0, false, TPU },
    { SYS_KEY(3, 7, 5, 1), "IC IVAU", SK_IC_VA, 1, A64_SCTLR_UCI, false, TPU },
    { SYS_KEY(0, 7, 6, 1), "DC IVAC", SK_DC_VA, 1, 0, true, TPC },
    { SYS_KEY(0, 7, 6, 2), "DC ISW", SK_DC_SW, 1, 0, false, TSW },
    { SYS_KEY(0, 7, 10, 2), "DC CSW", SK_DC_SW, 1, 0, false, TSW },
    { SYS_KEY(0, 7, 14, 2), "DC CISW", SK_DC_SW, 1, 0, false, TSW },
    { SYS_KEY(3, 7, 4, 1), "DC ZVA", SK_DC_ZVA, 1, A64_SCTLR_DZE, false, TDZ },
    { SYS_KEY(3, 7, 10, 1), "DC CVAC", SK_DC_VA, 1, A64_SCTLR_UCI, false, TPC },
    { SYS_KEY(3, 7, 11, 1), "DC CVAU", SK_DC_VA, 1, A64_SCTLR_UCI, false, TPU },
    { SYS_KEY(3, 7, 14, 1), "DC CIVAC", SK_DC_VA, 1, A64_SCTLR_UCI, false, TPC },
    { SYS_KEY(0, 7, 8, 0), "AT S1E1R", SK_AT, 1, 0, false, 0 },
    { SYS_KEY(0, 7, 8, 1), "AT S1E1W", SK_AT, 1, 0, false, 0 },
    { SYS_KEY(0, 7, 8, 2), "AT S1E0R", SK_AT, 1, 0, false, 0 },
    { SYS_KEY(0, 7, 8, 3), "AT S1E0W", SK_AT, 1, 0, false, 0 },
    { SYS_KEY(4, 7, 8, 0), "AT S1E2R", SK_AT, 2, 0, false, 0 },
    { SYS_KEY(4, 7, 8, 1), "AT S1E2W", SK_AT, 2, 0, false, 0 },
    { SYS_KEY(4, 7, 8, 4), "AT S12E1R", SK_AT_S12, 2, 0, false, 0 },
    { SYS_KEY(4, 7, 8, 5), "AT S12E1W", SK_AT_S12, 2, 0, false, 0 },
    { SYS_KEY(4, 7, 8, 6), "AT S12E0R", SK_AT_S12, 2, 0, false, 0 },
    { SYS_KEY(4, 7, 8, 7), "AT S12E0W", SK_AT_S12, 2, 0, false, 0 },
    { SYS_KEY(0, 8, 3, 0), "TLBI VMALLE1IS", SK_TLBI, 1, 0, false, TTLB },
    { SYS_KEY(0, 8, 3, 1), "TLBI VAE1IS", SK_TLBI, 1, 0, false, TTLB },
    { SYS_KEY(0, 8, 3, 2), "TLBI ASIDE1IS", SK_TLBI, 1, 0, false, TTLB },
    { SYS_KEY(0, 8, 3, 3), "TLBI VAAE1IS", SK_TLBI, 1, 0, false, TTLB },
    { SYS_KEY(0, 8, 3, 5), "TLBI VALE1IS", SK_TLBI, 1, 0, false, TTLB },
    { SYS_KEY(0, 8, 3, 7), "TLBI VAALE1IS", SK_TLBI, 1, 0, false, TTLB },
    { SYS_KEY(0, 8, 7, 0), "TLBI VMALLE1", SK_TLBI, 1, 0, false, TTLB },
    { SYS_KEY(0, 8, 7, 1), "TLBI VAE1", SK_TLBI, 1, 0, false, TTLB },
    { SYS_KEY(0, 8, 7, 2), "TLBI ASIDE1", SK_TLBI, 1, 0, false, TTLB },
    { SYS_KEY(0, 8, 7, 3), "TLBI VAAE1", SK_TLBI, 1, 0, false, TTLB },
    { SYS_KEY(0, 8, 7, 5), "TLBI VALE1", SK_TLBI, 1, 0, false, TTLB },
    { SYS_KEY(0, 8, 7, 7), "TLBI VAALE1", SK_TLBI, 1, 0, false, TTLB },
    { SYS_KEY(4, 8, 0, 1), "TLBI IPAS2E1IS", SK_TLBI, 2, 0, false, 0 },
    { SYS_KEY(4, 8, 0, 5), "TLBI IPAS2LE1IS", SK_TLBI, 2, 0, false, 0 },
    { SYS_KEY(4, 8, 4, 1), "TLBI IPAS2E1", SK_TLBI, 2, 0, false, 0 },
    { SYS_KEY(4, 8, 4, 5), "TLBI IPAS2LE1", SK_TLBI, 2, 0, false, 0 },
    { SYS_KEY(4, 8, 3, 0), "TLBI ALLE2IS", SK_TLBI, 2, 0, false, 0 },
    { SYS_KEY(4, 8, 3, 1), "TLBI VAE2IS", SK_TLBI, 2, 0, false, 0 },
    { SYS_KEY(4, 8, 3, 4), "TLBI ALLE1IS", SK_TLBI, 2, 0, false, 0 },
    { SYS_KEY(4, 8, 3, 5), "TLBI VALE2IS", SK_TLBI, 2, 0, false, 0 },
    { SYS_KEY(4, 8, 3, 6), "TLBI VMALLS12E1IS", SK_TLBI, 2, 0, false, 0 },
    { SYS_KEY(4, 8, 7, 0), "TLBI ALLE2", SK_TLBI, 2, 0, false, 0 },
    { SYS_KEY(4, 8, 7, 1), "TLBI VAE2", SK_TLBI, 2, 0, false, 0 },
    { SYS_KEY(4, 8, 7, 4), "TLBI ALLE1", SK_TLBI, 2, 0, false, 0 },
    { SYS_KEY(4, 8, 7, 5), "TLBI VALE2", SK_TLBI, 2, 0, false, 0 },
    { SYS_KEY(4, 8, 7, 6), "TLBI VMALLS12E1", SK_TLBI, 2, 0, false, 0 },
};

/* SYS and SYSL with CRn 11 or 15 are reserved for IMPLEMENTATION DEFINED instructions (C5.3); emu
 * implements none, but HCR_EL2.TIDCP traps EL1's use of the whole space to EL2 (HCR_EL2.TIDCP; this
 * PE does not trap EL0's, which the manual leaves IMPLEMENTATION DEFINED). */
#define SYS_L_BIT 21

static bool tidcp_traps(const a64_cpu *cpu, unsigned crn)
{
    return cpu->pstate.el == 1 && (crn == A64_CRN_IMPDEF_A || crn == A64_CRN_IMPDEF_B) &&
           a64_hcr_el2_traps(cpu, A64_HCR_EL2_TIDCP);
}

static a64_status trap_sys_to_el2(a64_cpu *cpu, uint32_t insn, unsigned op1, unsigned crn, unsigned crm,
                                  unsigned op2, unsigned rt, bool is_read)
{
    a64_raise(cpu, insn, ESR_EC_SYSREG, esr_iss_sysreg(1, op1, crn, crm, op2, rt, is_read));
    cpu->exc.to_el2 = true;
    return A64_EXCEPTION;
}

static const sys_row *find_sys(unsigned key)
{
    for (size_t i = 0; i < sizeof sys_table / sizeof sys_table[0]; i++)
        if (sys_table[i].key == key)
            return &sys_table[i];
    return NULL;
}

static a64_status dc_zva(a64_cpu *cpu, uint32_t insn, uint64_t va)
{
    if (cpu->sys.dczid_el0 & A64_DCZID_DZP)
        return a64_undefined(cpu, insn);
    unsigned bs = (unsigned)(cpu->sys.dczid_el0 & A64_DCZID_BS_MASK);
    if (bs > A64_DCZID_BS_MAX)
        return a64_unsupported(cpu, insn, "DC ZVA with DCZID_EL0.BS above 2 KB");
    unsigned block = 4u << bs;
    static const uint8_t zeros[4u << A64_DCZID_BS_MAX];
    /* The block containing va is zeroed whatever va's alignment (C5.3.13). */
    return a64_mem_write(cpu, insn, va & ~(uint64_t)(block - 1), block, 1, A64_ACC_DC_ZVA, zeros, NULL);
}

/*
 * AT S1E1R/W, S1E0R/W (op1 0) and S1E2R/W (op1 4): op2 bit 0 is W, op2 bit 1 (with op1 0) asks for
 * EL0's permissions. The result goes to PAR_EL1; a fault is reported there, not taken.
 */
#define AT_OP2_WRITE 1u
#define AT_OP2_EL0 2u

static a64_status address_translate(a64_cpu *cpu, uint32_t insn, const sys_row *r, unsigned op2, uint64_t va)
{
    if (!cpu->ops.at)
        return a64_unsupported(cpu, insn, r->name);
    unsigned el = r->min_el == 2 ? 2 : (op2 & AT_OP2_EL0) ? 0 : 1;
    a64_access acc = { .va = va, .size = 1, .kind = (op2 & AT_OP2_WRITE) ? A64_ACC_WRITE : A64_ACC_READ, .el = el };
    cpu->sys.par_el1 = cpu->ops.at(cpu->ops.ctx, &acc);
    return A64_OK;
}

a64_status a64_op_sys(a64_cpu *cpu, uint32_t insn)
{
    unsigned op1 = BITS(insn, 18, 16), crn = BITS(insn, 15, 12), crm = BITS(insn, 11, 8), op2 = BITS(insn, 7, 5);
    unsigned rt = BITS(insn, 4, 0), el = cpu->pstate.el;
    bool is_sysl = BIT(insn, SYS_L_BIT);
    if (tidcp_traps(cpu, crn))
        return trap_sys_to_el2(cpu, insn, op1, crn, crm, op2, rt, is_sysl);
    const sys_row *r = is_sysl ? NULL : find_sys(SYS_KEY(op1, crn, crm, op2));
    if (!r)
        return a64_undefined(cpu, insn);
    if (el < r->min_el) {
        if (!(el == 0 && r->el0_enable))
            return a64_undefined(cpu, insn);
        if (!(cpu->sys.sctlr_el1 & r->el0_enable))
            return a64_raise(cpu, insn, ESR_EC_SYSREG, esr_iss_sysreg(1, op1, crn, crm, op2, rt, false));
    }
    if (a64_hcr_el2_traps(cpu, r->hcr_trap))
        return trap_sys_to_el2(cpu, insn, op1, crn, crm, op2, rt, false);
    uint64_t value = xreg(cpu, rt);
    uint8_t probe = 0;
    switch (r->kind) {
    case SK_DC_ZVA:
        return dc_zva(cpu, insn, value);
    case SK_DC_VA:
        /* A translation or permission fault is reported with ISS.CM set. */
        if (r->needs_write)
            return a64_mem_write(cpu, insn, value, 1, 1, A64_ACC_CACHE_MAINT, &probe, NULL);
        return a64_mem_read(cpu, insn, value, 1, 1, A64_ACC_CACHE_MAINT, &probe, NULL);
    case SK_DC_SW:
        return A64_OK;
    case SK_AT:
        return address_translate(cpu, insn, r, op2, value);
    case SK_AT_S12:
        return a64_unsupported(cpu, insn, "AT S12E* (stage 2 translation is not modelled)");
    case SK_TLBI:
    case SK_IC:
    case SK_IC_VA:
        if (cpu->ops.sys_op) {
            a64_sys_op op = { .name = r->name, .op1 = op1, .crn = crn, .crm = crm, .op2 = op2, .value = value };
            cpu->ops.sys_op(cpu->ops.ctx, &op);
        }
        return A64_OK;
    }
    return a64_undefined(cpu, insn);
}
