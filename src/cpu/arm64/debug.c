/*
 * AArch64 self-hosted debug (Arm ARM chapter D2, pseudocode
 * AArch64.CheckBreakpoint, AArch64.CheckWatchpoint, AArch64.CheckSoftwareStep
 * and DebugExceptionReturnSS).
 *
 * Debug exceptions target EL1, or EL2 when EL2 is implemented and
 * MDCR_EL2.TDE or HCR_EL2.TGE is set (D2.3.1, DebugTarget). They are
 * generated from any EL below the target whenever the OS Lock is clear, from
 * the target itself only when MDSCR_EL1.KDE = 1 and PSTATE.D = 0, and never
 * from above it (D2.3, AArch64.GenerateDebugExceptionsFrom). An exception
 * from below the target reports the lower-EL class (EC 0x30, 0x32, 0x34),
 * one at the target the current-EL class.
 *
 * The hot path is kept cheap by cpu->debug_attention, which depends only on
 * system registers (never on PSTATE, so exception entry, ERET and MSR DAIF do
 * not need to recompute it): set when the OS Lock is clear and either
 * software step is enabled or MDSCR_EL1.MDE is set with a breakpoint or
 * watchpoint enabled.
 */
#include "cpu/arm64/debug.h"

#include "cpu/arm64/a64_internal.h"

/* DBGBCR<n>_EL1 (D17.3.2) and DBGWCR<n>_EL1 (D17.3.8) fields. */
#define DBGCR_E 1ull
#define DBGCR_PMC_EL1 (1ull << 1)       /* PMC/PAC bit 0: match at EL1 */
#define DBGCR_PMC_EL0 (1ull << 2)       /* PMC/PAC bit 1: match at EL0 */
#define DBGCR_SSC_SHIFT 14
#define DBGCR_SSC_MASK 3ull
#define DBGCR_SSC_SECURE_ONLY 2ull      /* no Secure state here: never matches */
#define DBGCR_HMC (1ull << 13)          /* higher mode control: match at EL2 */
#define DBGBCR_BAS_SHIFT 5
#define DBGBCR_BAS_MASK 0xfull
#define DBGBCR_BT_SHIFT 20
#define DBGBCR_BT_MASK 0xfull
#define DBGCR_LBN_SHIFT 16              /* the linked breakpoint, in DBGBCR and DBGWCR */
#define DBGCR_LBN_MASK 0xfull

/* DBGBCR<n>_EL1.BT, the breakpoint type (D2.8.2). The "linked" context types never fire on their own:
 * an address breakpoint or watchpoint links to them. */
enum {
    BT_UNLINKED_ADDR = 0x0,
    BT_LINKED_ADDR = 0x1,
    BT_UNLINKED_CID = 0x2,
    BT_LINKED_CID = 0x3,
    BT_UNLINKED_VMID = 0x8,
    BT_LINKED_VMID = 0x9,
    BT_UNLINKED_CID_VMID = 0xa,
    BT_LINKED_CID_VMID = 0xb,
};

/* DBGBVR<n>_EL1 of a context breakpoint: the Context ID in bits 31:0, the VMID in bits 39:32. */
#define DBGBVR_CID_MASK 0xffffffffull
#define DBGBVR_VMID_SHIFT 32
#define VTTBR_VMID_SHIFT 48
#define VMID_MASK 0xffull               /* 8-bit VMIDs: VTCR_EL2.VS is RES0 on the modelled CPUs */
#define DBGWCR_LSC_SHIFT 3
#define DBGWCR_LSC_LOAD 1ull
#define DBGWCR_LSC_STORE 2ull
#define DBGWCR_BAS_SHIFT 5
#define DBGWCR_BAS_MASK 0xffull
#define DBGWCR_WT (1ull << 20)          /* linked watchpoint */
#define DBGWCR_MASK_SHIFT 24
#define DBGWCR_MASK_MASK 0x1full
#define DBGWCR_MASK_MIN 3u              /* MASK 1 and 2 are reserved */

/* DBGBVR/DBGWVR: VA[48:2], bits 63:49 a sign extension of bit 48. */
#define DBGVR_VA_TOP 48
#define DBGWVR_WORD (1ull << 2)         /* word-aligned: BAS[3:0] select bytes 4..7 of the doubleword */
#define DWORD_MASK 7ull

/* ISS of a debug exception: the fault status code "debug exception" (D17.2.37). */
#define ESR_ISS_DEBUG_FSC 0x22u
#define ESR_ISS_SS_ISV (1u << 24)       /* software step: EX is valid */
#define ESR_ISS_SS_EX (1u << 6)         /* the stepped instruction was a load-exclusive */

/* LDXR, LDAXR, LDXP, LDAXP: Load/store exclusive with o2 = 0, L = 1 (C4.1.66). */
#define INSN_LDEX_MASK 0x3fc00000u
#define INSN_LDEX_MATCH 0x08400000u

static bool os_locked(const a64_cpu *cpu)
{
    return (cpu->sys.oslsr_el1 & A64_OSLSR_OSLK) != 0;
}

/* DoubleLockStatus (D2.5.3): OSDLR_EL1.DLK set while DBGPRCR_EL1.CORENPDRQ is clear (not in Debug state,
 * which emu never enters). Only the slow path checks it: cpu->debug_attention may stay set while
 * double-locked. */
static bool double_locked(const a64_cpu *cpu)
{
    return (cpu->sys.osdlr_el1 & A64_OSDLR_DLK) && !(cpu->sys.dbgprcr_el1 & A64_DBGPRCR_CORENPDRQ);
}

void a64_debug_update(a64_cpu *cpu)
{
    const a64_sysregs *s = &cpu->sys;
    bool any = false;
    for (unsigned n = 0; n < A64_DBG_NUM_BRPS; n++)
        any |= (s->dbgbcr_el1[n] & DBGCR_E) != 0;
    for (unsigned n = 0; n < A64_DBG_NUM_WRPS; n++)
        any |= (s->dbgwcr_el1[n] & DBGCR_E) != 0;
    bool wanted = (s->mdscr_el1 & A64_MDSCR_SS) || ((s->mdscr_el1 & A64_MDSCR_MDE) && any);
    cpu->debug_attention = wanted && !os_locked(cpu);
    a64_refresh_shortcuts(cpu);     /* the fast paths bypass the debug checks */
}

unsigned a64_debug_target_el(const a64_cpu *cpu)
{
    if (a64_el2_enabled(cpu) && ((cpu->sys.mdcr_el2 & A64_MDCR_EL2_TDE) || (cpu->sys.hcr_el2 & A64_HCR_EL2_TGE)))
        return 2;
    return 1;
}

bool a64_debug_exceptions_enabled(const a64_cpu *cpu, unsigned el, bool d_masked)
{
    const unsigned target = a64_debug_target_el(cpu);
    if (os_locked(cpu) || double_locked(cpu) || el > target)
        return false;
    if (el == target)
        return (cpu->sys.mdscr_el1 & A64_MDSCR_KDE) && !d_masked;
    return true;
}

static bool enabled_here(const a64_cpu *cpu)
{
    return a64_debug_exceptions_enabled(cpu, cpu->pstate.el, (cpu->pstate.daif & A64_DAIF_D) != 0);
}

/* AArch64.StateMatch for Non-secure state: does the comparator apply to an access at `el`? HMC
 * selects EL2, PMC/PAC bit 0 EL1 and bit 1 EL0; SSC "Secure only" never matches here. */
static bool privilege_matches(uint64_t cr, unsigned el)
{
    if (((cr >> DBGCR_SSC_SHIFT) & DBGCR_SSC_MASK) == DBGCR_SSC_SECURE_ONLY)
        return false;
    if (el == 2)
        return (cr & DBGCR_HMC) != 0;
    return (cr & (el == 0 ? DBGCR_PMC_EL0 : DBGCR_PMC_EL1)) != 0;
}

/* Raise a debug exception to the debug target: the lower-EL class when it is taken from below the
 * target, the current-EL class at the target (D17.2.37). */
static a64_status raise_debug(a64_cpu *cpu, uint32_t insn, esr_ec lower_ec, esr_ec current_ec, uint32_t iss)
{
    unsigned target = a64_debug_target_el(cpu);
    a64_raise(cpu, insn, cpu->pstate.el < target ? lower_ec : current_ec, iss);
    cpu->exc.to_el2 = target == 2;
    return A64_EXCEPTION;
}

static uint64_t vr_address(uint64_t vr)
{
    const unsigned shift = 63 - DBGVR_VA_TOP;
    return (uint64_t)((int64_t)(vr << shift) >> shift);
}

static bool peek_insn(a64_cpu *cpu, uint32_t *insn)
{
    uint8_t b[4] = { 0 };
    a64_access acc = { .va = cpu->pc, .size = 4, .kind = A64_ACC_FETCH, .el = cpu->pstate.el };
    a64_mem_fault fault = { 0 };
    if ((cpu->pc & 3) || cpu->ops.access(cpu->ops.ctx, &acc, b, &fault) != A64_MEM_OK)
        return false;
    *insn = (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
    return true;
}

/* The value comparisons of a context breakpoint (AArch64.BreakpointValueMatch): only breakpoints
 * numbered from A64_DBG_NUM_BRPS - A64_DBG_NUM_CTX_CMPS up compare contexts. Without VHE, CONTEXTIDR_EL1
 * and the VMID (VTTBR_EL2.VMID, with EL2 enabled) are compared at EL0 and EL1 only. */
static bool context_aware(unsigned n)
{
    return n >= A64_DBG_NUM_BRPS - A64_DBG_NUM_CTX_CMPS && n < A64_DBG_NUM_BRPS;
}

static bool cid_matches(const a64_cpu *cpu, unsigned n)
{
    return cpu->pstate.el < 2 && (cpu->sys.contextidr_el1 & DBGBVR_CID_MASK) ==
                                     (cpu->sys.dbgbvr_el1[n] & DBGBVR_CID_MASK);
}

static bool vmid_matches(const a64_cpu *cpu, unsigned n)
{
    return cpu->pstate.el < 2 && a64_el2_enabled(cpu) &&
           ((cpu->sys.vttbr_el2 >> VTTBR_VMID_SHIFT) & VMID_MASK) ==
           ((cpu->sys.dbgbvr_el1[n] >> DBGBVR_VMID_SHIFT) & VMID_MASK);
}

/* The breakpoint an address breakpoint or a watchpoint links to (LBN): it matches when it is enabled,
 * context-aware, of a linked context type and its contexts match. A link to anything else is
 * CONSTRAINED UNPREDICTABLE; emu takes the permitted choice of no match, as QEMU does. */
static bool linked_context_matches(const a64_cpu *cpu, uint64_t linking_cr)
{
    unsigned lbn = (unsigned)((linking_cr >> DBGCR_LBN_SHIFT) & DBGCR_LBN_MASK);
    if (!context_aware(lbn) || !(cpu->sys.dbgbcr_el1[lbn] & DBGCR_E))
        return false;
    switch ((cpu->sys.dbgbcr_el1[lbn] >> DBGBCR_BT_SHIFT) & DBGBCR_BT_MASK) {
    case BT_LINKED_CID: return cid_matches(cpu, lbn);
    case BT_LINKED_VMID: return vmid_matches(cpu, lbn);
    case BT_LINKED_CID_VMID: return cid_matches(cpu, lbn) && vmid_matches(cpu, lbn);
    default: return false;
    }
}

static bool address_matches(const a64_cpu *cpu, unsigned n)
{
    /* For A64 BAS is 0b1111 (0b0000 never matches; other values are
     * CONSTRAINED UNPREDICTABLE, taken here as matching the word). */
    if (((cpu->sys.dbgbcr_el1[n] >> DBGBCR_BAS_SHIFT) & DBGBCR_BAS_MASK) == 0)
        return false;
    return (vr_address(cpu->sys.dbgbvr_el1[n]) & ~3ull) == (cpu->pc & ~3ull);
}

/* AArch64.BreakpointMatch for breakpoint n at the current PC. */
static bool breakpoint_matches(const a64_cpu *cpu, unsigned n)
{
    uint64_t bcr = cpu->sys.dbgbcr_el1[n];
    if (!(bcr & DBGCR_E) || !privilege_matches(bcr, cpu->pstate.el))
        return false;
    switch ((bcr >> DBGBCR_BT_SHIFT) & DBGBCR_BT_MASK) {
    case BT_UNLINKED_ADDR: return address_matches(cpu, n);
    case BT_LINKED_ADDR: return address_matches(cpu, n) && linked_context_matches(cpu, bcr);
    /* A context type on a breakpoint that is not context-aware is CONSTRAINED UNPREDICTABLE: no match. */
    case BT_UNLINKED_CID: return context_aware(n) && cid_matches(cpu, n);
    case BT_UNLINKED_VMID: return context_aware(n) && vmid_matches(cpu, n);
    case BT_UNLINKED_CID_VMID: return context_aware(n) && cid_matches(cpu, n) && vmid_matches(cpu, n);
    /* Linked context types fire only through a breakpoint or watchpoint linking to them. The address
     * mismatch types (0b010x) are AArch32's and, with the other reserved values, are CONSTRAINED
     * UNPREDICTABLE in AArch64: emu takes the permitted choice of a disabled breakpoint, as QEMU does. */
    default: return false;
    }
}

static a64_status check_breakpoints(a64_cpu *cpu)
{
    if (!(cpu->sys.mdscr_el1 & A64_MDSCR_MDE))
        return A64_OK;
    for (unsigned n = 0; n < A64_DBG_NUM_BRPS; n++) {
        uint32_t insn = 0;
        /* The check follows a successful fetch: an Instruction Abort has priority (D1.13.2). */
        if (breakpoint_matches(cpu, n) && peek_insn(cpu, &insn))
            return raise_debug(cpu, insn, ESR_EC_BREAKPT_LOWER, ESR_EC_BREAKPT_CUR, ESR_ISS_DEBUG_FSC);
    }
    return A64_OK;
}

static bool is_exception_generating(esr_ec ec)
{
    return ec == ESR_EC_SVC64 || ec == ESR_EC_HVC64 || ec == ESR_EC_SMC64;
}

a64_status a64_debug_step(a64_cpu *cpu)
{
    if (!cpu->ops.access)
        return a64_step_insn(cpu);      /* which reports the missing memory interface */
    const bool enabled = enabled_here(cpu);
    const bool step_active = enabled && (cpu->sys.mdscr_el1 & A64_MDSCR_SS);
    /* Active-pending (PSTATE.SS = 0): the step exception comes before the
     * next instruction, with ISV set only if an instruction was stepped (D2.12.4). */
    if (step_active && !cpu->pstate.ss) {
        uint32_t iss = ESR_ISS_DEBUG_FSC;
        if (cpu->step_syndrome_valid)
            iss |= ESR_ISS_SS_ISV | (cpu->step_ex ? ESR_ISS_SS_EX : 0);
        cpu->step_syndrome_valid = false;
        return raise_debug(cpu, 0, ESR_EC_SOFTSTP_LOWER, ESR_EC_SOFTSTP_CUR, iss);
    }
    if (enabled) {
        a64_status st = check_breakpoints(cpu);
        if (st != A64_OK)
            return st;
    }
    /* Active-not-pending: this instruction is stepped. */
    uint32_t insn = 0;
    const bool stepping = step_active && peek_insn(cpu, &insn);
    a64_status st = a64_step_insn(cpu);
    if (!stepping)
        return st;
    if (st == A64_OK || st == A64_WFI || st == A64_WFE) {
        cpu->pstate.ss = 0;
        cpu->step_syndrome_valid = true;
        cpu->step_ex = (insn & INSN_LDEX_MASK) == INSN_LDEX_MATCH;
    } else if (st == A64_EXCEPTION && is_exception_generating(cpu->exc.ec)) {
        /* SVC/HVC/SMC complete the step: SPSR.SS = 0, so the return is active-pending (D2.12.7). */
        cpu->pstate.ss = 0;
        cpu->step_syndrome_valid = false;
    }
    return st;
}

/* The first byte of [va, va + size) that watchpoint n watches, or false. */
static bool watched_byte(uint64_t wcr, uint64_t wvr, uint64_t va, unsigned size, uint64_t *hit)
{
    uint64_t base = vr_address(wvr);
    unsigned mask = (unsigned)((wcr >> DBGWCR_MASK_SHIFT) & DBGWCR_MASK_MASK);
    if (mask != 0) {
        /* An aligned 2^MASK-byte range (BAS ignored, as QEMU does). */
        uint64_t len = 1ull << mask;
        base &= ~(len - 1);
        uint64_t first = va - base < len ? va : base;
        if (first - base < len && first - va < size) {
            *hit = first;
            return true;
        }
        return false;
    }
    unsigned bas = (unsigned)((wcr >> DBGWCR_BAS_SHIFT) & DBGWCR_BAS_MASK);
    if (base & DBGWVR_WORD)
        bas = (bas & 0xfu) << 4;
    base &= ~DWORD_MASK;
    for (unsigned i = 0; i <= DWORD_MASK; i++) {
        uint64_t b = base + i;
        if ((bas & (1u << i)) && b - va < size) {
            *hit = b;
            return true;
        }
    }
    return false;
}

a64_status a64_debug_watch(a64_cpu *cpu, uint32_t insn, a64_acc_kind kind, uint64_t va, unsigned size,
                           unsigned flags)
{
    /* DC by VA other than DC ZVA does not generate watchpoints in Armv8.0 (D2.9.6). */
    if (kind == A64_ACC_FETCH || (flags & A64_ACC_CACHE_MAINT) || !(cpu->sys.mdscr_el1 & A64_MDSCR_MDE) ||
        !enabled_here(cpu))
        return A64_OK;
    /* LDTR/STTR at EL1 are checked as EL0 accesses (D2.9.3). */
    unsigned el = (flags & A64_ACC_UNPRIV) ? 0 : cpu->pstate.el;
    /* An atomic read-modify-write is both a load and a store. */
    uint64_t lsc_want = (flags & A64_ACC_ATOMIC) ? (DBGWCR_LSC_LOAD | DBGWCR_LSC_STORE)
                        : kind == A64_ACC_WRITE ? DBGWCR_LSC_STORE : DBGWCR_LSC_LOAD;
    for (unsigned n = 0; n < A64_DBG_NUM_WRPS; n++) {
        uint64_t wcr = cpu->sys.dbgwcr_el1[n];
        uint64_t lsc = (wcr >> DBGWCR_LSC_SHIFT) & (DBGWCR_LSC_LOAD | DBGWCR_LSC_STORE);
        if (!(wcr & DBGCR_E) || !(lsc & lsc_want) || !privilege_matches(wcr, el))
            continue;
        unsigned mask = (unsigned)((wcr >> DBGWCR_MASK_SHIFT) & DBGWCR_MASK_MASK);
        if (mask != 0 && mask < DBGWCR_MASK_MIN)
            return a64_unsupported(cpu, insn, "DBGWCR<n>_EL1.MASK 1 or 2 (reserved)");
        uint64_t hit = 0;
        if (!watched_byte(wcr, cpu->sys.dbgwvr_el1[n], va, size, &hit))
            continue;
        if ((wcr & DBGWCR_WT) && !linked_context_matches(cpu, wcr))
            continue;
        bool wnr = (lsc & lsc_want & DBGWCR_LSC_STORE) != 0;
        raise_debug(cpu, insn, ESR_EC_WATCHPT_LOWER, ESR_EC_WATCHPT_CUR,
                    ESR_ISS_DEBUG_FSC | (wnr ? ESR_ISS_DABT_WNR : 0));
        cpu->exc.far_valid = true;
        cpu->exc.far = hit;
        return A64_EXCEPTION;
    }
    return A64_OK;
}

uint8_t a64_debug_return_ss(const a64_cpu *cpu, uint64_t spsr, unsigned dest_el)
{
    if (!(cpu->sys.mdscr_el1 & A64_MDSCR_SS))
        return 0;
    bool at_source = enabled_here(cpu);
    bool at_dest = a64_debug_exceptions_enabled(cpu, dest_el, (spsr & ((uint64_t)A64_DAIF_D << A64_SPSR_DAIF_SHIFT)) != 0);
    return (!at_source && at_dest && (spsr & A64_SPSR_SS)) ? 1 : 0;
}
