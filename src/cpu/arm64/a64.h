/*
 * The A64 integer interpreter: CPU state, the memory interface it calls for
 * every fetch and data access, and the exception record it fills instead of
 * delivering exceptions itself.
 *
 * One call to a64_step() executes one instruction. It returns A64_OK, or a
 * status that the caller (the run loop, later src/entry/arm64) acts on:
 * A64_EXCEPTION with cpu->exc filled (EC, ISS, preferred return address,
 * FAR), A64_WFI/A64_WFE, A64_ERET, or A64_UNSUPPORTED naming an instruction
 * this emulator does not model. The interpreter never writes ESR/ELR/SPSR/
 * FAR, never changes PSTATE.EL and never jumps to a vector: that is the
 * entry code's job (Arm ARM D1.10 "Exception entry").
 *
 * Architecture reference: Arm ARM (DDI 0487), chapter C4 "A64 Instruction
 * Set Encoding" and chapter C6 "A64 Base Instruction Descriptions".
 */
#ifndef EMU_CPU_ARM64_A64_H
#define EMU_CPU_ARM64_A64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/arm64/esr.h"

/* ---- PSTATE (Arm ARM D1.4 "Process state, PSTATE") ---- */

#define A64_NZCV_N (1u << 3)    /* in pstate.nzcv: the NZCV register's bits 31:28 >> 28 */
#define A64_NZCV_Z (1u << 2)
#define A64_NZCV_C (1u << 1)
#define A64_NZCV_V (1u << 0)

#define A64_DAIF_D (1u << 3)    /* in pstate.daif: the DAIF register's bits 9:6 >> 6 */
#define A64_DAIF_A (1u << 2)
#define A64_DAIF_I (1u << 1)
#define A64_DAIF_F (1u << 0)

typedef struct a64_pstate {
    uint8_t nzcv;   /* N Z C V, A64_NZCV_* */
    uint8_t daif;   /* D A I F, A64_DAIF_* */
    uint8_t el;     /* current exception level, 0..2 (EL3 is not implemented) */
    uint8_t sp;     /* SPSel: 0 uses SP_EL0, 1 uses SP_ELx */
    uint8_t il;     /* illegal execution state */
    uint8_t ss;     /* software step */
} a64_pstate;

/* SPSR_ELx / "NZCV" / "DAIF" register images of PSTATE (Arm ARM C5.2.18). */
#define A64_SPSR_N (1ull << 31)
#define A64_SPSR_NZCV_SHIFT 28
#define A64_SPSR_SS (1ull << 21)
#define A64_SPSR_IL (1ull << 20)
#define A64_SPSR_DAIF_SHIFT 6
#define A64_SPSR_M_EL_SHIFT 2   /* M[3:2]: exception level */
#define A64_SPSR_M_SP 1ull      /* M[0]: SPSel */

/* ---- System registers held by the CPU (Arm ARM D17.2, D17.3) ---- */

/* Self-hosted debug: breakpoint and watchpoint register pairs (as QEMU's cortex-a57). */
#define A64_DBG_NUM_BRPS 6
#define A64_DBG_NUM_WRPS 4
#define A64_DBG_NUM_CTX_CMPS 2      /* the last two breakpoints are context-aware */

typedef struct a64_sysregs {
    /* EL1 */
    uint64_t sctlr_el1, actlr_el1, cpacr_el1;
    uint64_t tcr_el1, ttbr0_el1, ttbr1_el1, mair_el1, amair_el1;
    uint64_t vbar_el1, esr_el1, elr_el1, spsr_el1, far_el1, afsr0_el1, afsr1_el1;
    uint64_t par_el1, contextidr_el1;
    uint64_t tpidr_el0, tpidr_el1, tpidrro_el0;
    uint64_t cntkctl_el1, mdscr_el1, csselr_el1, osdlr_el1, oslsr_el1, dbgprcr_el1;
    uint64_t dbgbcr_el1[A64_DBG_NUM_BRPS], dbgbvr_el1[A64_DBG_NUM_BRPS];
    uint64_t dbgwcr_el1[A64_DBG_NUM_WRPS], dbgwvr_el1[A64_DBG_NUM_WRPS];
    /* EL2 */
    uint64_t sctlr_el2, actlr_el2, hcr_el2, cptr_el2, hstr_el2, mdcr_el2;
    uint64_t tcr_el2, ttbr0_el2, mair_el2, amair_el2, vtcr_el2, vttbr_el2;
    uint64_t vbar_el2, esr_el2, elr_el2, spsr_el2, far_el2, hpfar_el2, afsr0_el2, afsr1_el2;
    uint64_t tpidr_el2, cnthctl_el2, cntvoff_el2, vpidr_el2, vmpidr_el2;
    /* Identification (read-only to software; set by a64_cpu_init, a platform may override) */
    uint64_t midr_el1, mpidr_el1, revidr_el1, ctr_el0, dczid_el0, clidr_el1, aidr_el1;
    uint64_t id_aa64pfr0_el1, id_aa64pfr1_el1, id_aa64dfr0_el1, id_aa64dfr1_el1;
    uint64_t id_aa64isar0_el1, id_aa64isar1_el1, id_aa64mmfr0_el1, id_aa64mmfr1_el1, id_aa64mmfr2_el1;
    uint64_t ccsidr_el1; /* one geometry for every level selected by CSSELR_EL1 */
} a64_sysregs;

/* SCTLR_EL1 bits the interpreter consults (Arm ARM D17.2.118). */
#define A64_SCTLR_A (1ull << 1)         /* alignment check */
#define A64_SCTLR_SA (1ull << 3)        /* SP alignment check at EL1 */
#define A64_SCTLR_SA0 (1ull << 4)       /* SP alignment check at EL0 */
#define A64_SCTLR_UMA (1ull << 9)       /* EL0 access to DAIF */
#define A64_SCTLR_DZE (1ull << 14)      /* EL0 DC ZVA */
#define A64_SCTLR_UCT (1ull << 15)      /* EL0 access to CTR_EL0 */
#define A64_SCTLR_NTWI (1ull << 16)     /* WFI at EL0 not trapped */
#define A64_SCTLR_NTWE (1ull << 18)     /* WFE at EL0 not trapped */

/* HCR_EL2 controls (Arm ARM, HCR_EL2's register description). */
#define A64_HCR_EL2_FMO (1ull << 3)     /* physical FIQ to EL2; virtual FIQ enabled */
#define A64_HCR_EL2_IMO (1ull << 4)     /* physical IRQ to EL2; virtual IRQ enabled */
#define A64_HCR_EL2_AMO (1ull << 5)     /* physical SError to EL2; virtual SError enabled */
#define A64_HCR_EL2_VF (1ull << 6)      /* a virtual FIQ is pending */
#define A64_HCR_EL2_VI (1ull << 7)      /* a virtual IRQ is pending */
#define A64_HCR_EL2_VSE (1ull << 8)     /* a virtual SError is pending */
#define A64_HCR_EL2_TWI (1ull << 13)    /* WFI at EL0/EL1 traps to EL2 */
#define A64_HCR_EL2_TWE (1ull << 14)    /* WFE at EL0/EL1 traps to EL2 */
#define A64_HCR_EL2_TID0 (1ull << 15)   /* AArch32 ID group 0 only: no effect here */
#define A64_HCR_EL2_TID1 (1ull << 16)   /* EL1 reads of REVIDR_EL1, AIDR_EL1 */
#define A64_HCR_EL2_TID2 (1ull << 17)   /* CTR_EL0, CCSIDR_EL1, CLIDR_EL1, CSSELR_EL1 */
#define A64_HCR_EL2_TID3 (1ull << 18)   /* EL1 reads of the ID group 3 registers */
#define A64_HCR_EL2_TSC (1ull << 19)    /* SMC at EL1 traps to EL2 */
#define A64_HCR_EL2_TIDCP (1ull << 20)  /* EL1 accesses to the IMPLEMENTATION DEFINED registers */
#define A64_HCR_EL2_TACR (1ull << 21)   /* EL1 accesses to ACTLR_EL1 */
#define A64_HCR_EL2_TSW (1ull << 22)    /* DC by set/way at EL1 */
#define A64_HCR_EL2_TPC (1ull << 23)    /* DC to the Point of Coherency by VA */
#define A64_HCR_EL2_TPU (1ull << 24)    /* IC, and DC to the Point of Unification */
#define A64_HCR_EL2_TTLB (1ull << 25)   /* TLBI at EL1 */
#define A64_HCR_EL2_TVM (1ull << 26)    /* EL1 writes of the virtual memory controls */
#define A64_HCR_EL2_TGE (1ull << 27)    /* EL0's exceptions go to EL2 */
#define A64_HCR_EL2_TDZ (1ull << 28)    /* DC ZVA at EL0/EL1 */
#define A64_HCR_EL2_HCD (1ull << 29)    /* HVC is UNDEFINED */
#define A64_HCR_EL2_TRVM (1ull << 30)   /* EL1 reads of the virtual memory controls */
#define A64_HCR_EL2_RW (1ull << 31)     /* EL1 is AArch64 */
#define A64_PFR0_EL2_SHIFT 8            /* ID_AA64PFR0_EL1.EL2: 0 when EL2 is not implemented */
#define A64_PFR0_FIELD_MASK 0xfull
#define A64_SCTLR_UCI (1ull << 26)      /* EL0 cache maintenance by VA */

/* CPACR_EL1.FPEN (bits 21:20, Arm ARM D17.2.30). */
#define A64_CPACR_FPEN_SHIFT 20
#define A64_CPACR_FPEN_MASK 3ull
#define A64_CPACR_FPEN_TRAP_EL0 1ull    /* 0b01: trap EL0 only */
#define A64_CPACR_FPEN_NONE 3ull        /* 0b11: no trap */
/* CPTR_EL2 (D17.2.33): TFP traps SIMD&FP at EL0-EL2 to EL2, TCPAC EL1's CPACR_EL1 accesses. */
#define A64_CPTR_EL2_TFP (1ull << 10)
#define A64_CPTR_EL2_TCPAC (1ull << 31)

/* DCZID_EL0: BS (bits 3:0) is log2 of the DC ZVA block size in words; DZP prohibits. */
#define A64_DCZID_BS_MASK 0xfull
#define A64_DCZID_DZP (1ull << 4)
#define A64_DCZID_BS_MAX 9u             /* 2 KB: the largest block the Arm ARM allows */

/* ---- Memory interface ---- */

typedef enum a64_acc_kind {
    A64_ACC_READ,
    A64_ACC_WRITE,
    A64_ACC_FETCH,
} a64_acc_kind;

/* Attributes of one access (bit set in a64_access.flags). */
#define A64_ACC_UNPRIV (1u << 0)   /* LDTR/STTR at EL1: checked as an EL0 access */
#define A64_ACC_EXCL (1u << 1)     /* LDXR/STXR family */
#define A64_ACC_ACQUIRE (1u << 2)  /* LDAR, LDAXR, LDADDA, ... */
#define A64_ACC_RELEASE (1u << 3)  /* STLR, STLXR, LDADDL, ... */
#define A64_ACC_ATOMIC (1u << 4)   /* read and write of one LSE atomic (both halves carry it) */
#define A64_ACC_SIMD (1u << 5)     /* to or from a SIMD&FP register */
#define A64_ACC_DC_ZVA (1u << 6)   /* the zeroing write of DC ZVA */
#define A64_ACC_CACHE_MAINT (1u << 7) /* DC by VA (CIVAC etc.): a check, no data; size 1 */

typedef struct a64_access {
    uint64_t va;            /* virtual address of the first byte */
    unsigned size;          /* bytes: 1, 2, 4, 8, 16, or the DC ZVA block size */
    a64_acc_kind kind;
    unsigned flags;         /* A64_ACC_* */
    unsigned el;            /* PSTATE.EL at the time of the access */
} a64_access;

/* What a memory callback reports when the access cannot complete. */
typedef struct a64_mem_fault {
    unsigned fsc;           /* DFSC/IFSC, ESR_FSC_* (translation: ESR_FSC_TRANSLATION_L0 + level) */
    bool s1ptw;             /* fault on a stage-2 walk during a stage-1 walk */
    bool far_valid;         /* false: FAR is UNKNOWN (ESR ISS.FnV) */
    uint64_t far;           /* faulting address, normally acc->va or the byte that faulted */
    uint64_t ipa;           /* for HPFAR_EL2 when a stage-2 fault; 0 otherwise */
} a64_mem_fault;

typedef enum a64_mem_status {
    A64_MEM_OK = 0,
    A64_MEM_FAULT,          /* *fault filled: the interpreter raises an abort */
} a64_mem_status;

/* One TLB or cache maintenance operation (SYS with op0 = 1). */
typedef struct a64_sys_op {
    const char *name;       /* "TLBI VMALLE1IS", "IC IALLU", ... */
    unsigned op1, crn, crm, op2;
    uint64_t value;         /* Xt (XZR reads as 0) */
} a64_sys_op;

/* Result of the platform's system-register hook. */
typedef enum a64_sysreg_result {
    A64_SYSREG_UNHANDLED = 0,   /* not a register the platform provides: UNDEFINED */
    A64_SYSREG_DONE,            /* read or written */
    A64_SYSREG_TRAP,            /* trapped (EC 0x18) by a control the platform owns (e.g. CNTKCTL_EL1) */
    A64_SYSREG_TRAP_EL2,        /* the same, to EL2 (e.g. CNTHCTL_EL2) */
} a64_sysreg_result;

typedef struct a64_ops {
    void *ctx;
    /* Every instruction fetch and data access. `data` holds acc->size bytes,
     * little-endian, read into or written from. An access may cross a page
     * boundary (any size, unaligned unless an alignment check applies): the
     * callback translates each part and either completes the whole access or
     * reports a fault without writing. With A64_ACC_CACHE_MAINT no data
     * moves: only translation and permission are checked. Required. */
    a64_mem_status (*access)(void *ctx, const a64_access *acc, void *data, a64_mem_fault *fault);
    /* TLBI, IC, DC by set/way: the MMU drops cached translations. May be NULL. */
    void (*sys_op)(void *ctx, const a64_sys_op *op);
    /* AT: translate acc->va (size 1) as that access would, touching no memory, and return the value
     * PAR_EL1 takes. NULL: AT stops, naming the instruction. */
    uint64_t (*at)(void *ctx, const a64_access *acc);
    /* System registers this module does not hold (the generic timer CNT*, GICv3
     * ICC_*). `enc` is A64_SYSREG_ENC(op0, op1, crn, crm, op2). May be NULL. */
    a64_sysreg_result (*sysreg)(void *ctx, uint32_t enc, bool is_read, uint64_t *value, unsigned el);
} a64_ops;

/* ---- The exception record ---- */

typedef struct a64_exception {
    esr_ec ec;              /* ESR_ELx.EC */
    bool il;                /* ESR_ELx.IL: always 1 here (32-bit instructions; RES1 for aborts and alignment faults) */
    uint32_t iss;           /* ESR_ELx.ISS */
    uint64_t preferred_return; /* ELR_ELx: this instruction, or the next one for SVC/HVC/SMC */
    bool far_valid;
    uint64_t far;           /* FAR_ELx for aborts and PC alignment faults */
    uint64_t ipa;           /* HPFAR_EL2 source for stage-2 aborts */
    uint32_t insn;          /* the instruction word (0 when the fetch itself failed) */
    bool to_el2;            /* a trap an EL2 control takes to EL2 (HCR_EL2 TWI, TSC, TVM, ...) */
} a64_exception;

/* HLT #0xF000, the A64 semihosting call (Arm "Semihosting for AArch32 and
 * AArch64", 2.1). Halting debug is not modelled, so it raises EC 0x00 with
 * the word in exc.insn; a platform with semihosting recognises it here. */
#define A64_INSN_HLT_SEMIHOSTING 0xd45e0000u

static inline bool a64_exc_is_semihosting(const a64_exception *e)
{
    return e->ec == ESR_EC_UNKNOWN && e->insn == A64_INSN_HLT_SEMIHOSTING;
}

typedef enum a64_status {
    A64_OK = 0,
    A64_EXCEPTION,          /* cpu->exc describes a synchronous exception; PC unchanged */
    A64_WFI,                /* WFI executed: PC is past it; wait for an interrupt */
    A64_WFE,                /* WFE executed (event register was clear): PC is past it */
    A64_ERET,               /* ERET at EL1 or EL2: PC still at the ERET; entry code returns */
    A64_UNSUPPORTED,        /* cpu->unsupported names the instruction; nothing changed */
} a64_status;

/* ---- The CPU ---- */

typedef union a64_vreg {
    uint8_t b[16];
    uint16_t h[8];
    uint32_t s[4];
    uint64_t d[2];
} a64_vreg;

/*
 * Host page hints: a platform's memory callback that finds an access on a
 * page of RAM (permission checked for this kind of access at this EL) may
 * record the page's host address here; the
 * interpreter then fetches, loads and stores on that page without calling
 * ops.access. A hint is only a shortcut for what the callback would do: the
 * platform clears them all (a64_clear_page_hints) whenever a translation
 * may change (TLBI), the interpreter on every MSR to a register that shapes
 * translation (SCTLR, TCR, TTBR, MAIR, HCR_EL2, VTCR_EL2, VTTBR_EL2), and
 * the run loop at every entry, for what a debugger or test changed between
 * runs. Self-hosted debug (breakpoints,
 * watchpoints) must see every access: while it is active the interpreter
 * ignores the hints (a64_hints_usable). a64_run_batch reads words it has
 * run before through what the newest code page hint was when it fetched
 * them (cpu->fetch_key), and loads and stores try the hint that last
 * served their kind first (cpu->shortcut): whatever changes the hints,
 * debug_attention or PSTATE.SPSel calls a64_refresh_shortcuts
 * (a64_set_page_hint, a64_clear_page_hints, a64_debug_update and MSR SPSel
 * do), and so do a64_step and a64_run_batch at their start, for PSTATE.EL
 * and IL, which change only between steps (exception entry and return).
 */
#define A64_HINT_PAGE_SHIFT 12
#define A64_HINT_PAGE_MASK ((1ull << A64_HINT_PAGE_SHIFT) - 1)
/* Hints per access kind, the newest first: two, so that a handler's stack and data pages, or EL0's code
 * page and the vectors, do not evict each other. */
#define A64_HINT_SLOTS 2

typedef struct a64_page_hint {
    uint64_t va_page;       /* va >> A64_HINT_PAGE_SHIFT */
    uint8_t *host;          /* host address of the page's first byte */
    uint8_t el_tag;         /* PSTATE.EL + 1 of the accesses it serves; 0: empty */
    bool device;            /* Device memory: a data access must be aligned to use the hint */
    uint64_t serial;        /* names these contents among every CPU's hints (a64_hint_serial); 0: empty */
} a64_page_hint;

/* A copy of the page hint that last served a data access of its kind (a64_hint_host), found with
 * one compare: key is its va_page while it serves the current EL and self-hosted debug is off, else
 * A64_SHORTCUT_NONE. It is dropped whenever the hints of its kind change, so it always copies a hint
 * in the list. */
typedef struct a64_hint_shortcut {
    uint64_t key;
    uint8_t *host;
    uint64_t align_mask;    /* Device memory: ~0, an access must be naturally aligned; else 0 */
    uint64_t va_page;
    uint8_t el_tag;         /* of the hint copied; 0: none */
} a64_hint_shortcut;

#define A64_SHORTCUT_NONE UINT64_MAX   /* never a va >> A64_HINT_PAGE_SHIFT */

/* A serial number for a new hint, never 0 and never given before (exec.c keeps decoded rows with the
 * serial of the code page hint they were fetched through, in one table for every CPU). */
uint64_t a64_hint_serial(void);

typedef struct a64_cpu {
    /* X0..X30, and x[31] always 0: XZR, read by number without a test (set_xreg, the only writer by
     * number, puts 0 back). */
    uint64_t x[32];
    uint64_t sp_el[3];      /* SP_EL0, SP_EL1, SP_EL2 */
    uint64_t pc;
    a64_pstate pstate;
    a64_vreg v[32];
    uint32_t fpcr, fpsr;
    a64_sysregs sys;

    /* Single-CPU local exclusive monitor (Arm ARM B2.9.2). */
    bool excl_valid;
    uint64_t excl_addr;
    unsigned excl_size;
    bool event_register;    /* WFE/SEV/SEVL (Arm ARM D1.6.1) */

    /* Self-hosted debug (debug.c). debug_attention is derived from MDSCR_EL1,
     * OSLSR_EL1 and the DBG*CR enables by a64_debug_update(); while it is
     * false, a64_step and data accesses skip every debug check. */
    bool debug_attention;
    bool step_syndrome_valid; /* the last instruction was stepped and completed: ISV = 1 */
    bool step_ex;             /* ... and was a load-exclusive (ESR ISS.EX) */

    a64_ops ops;
    a64_page_hint hint[3][A64_HINT_SLOTS]; /* by a64_acc_kind, newest first */
    /* The serial of the newest code page hint while a64_run_batch may fetch through the words it
     * remembers from it: the hint serves the current EL, and neither self-hosted debug nor PSTATE.IL
     * is in the way; else A64_FETCH_KEY_NONE. Kept by a64_refresh_shortcuts. */
    uint64_t fetch_key;
    a64_hint_shortcut shortcut[2];  /* by a64_acc_kind, data only (READ, WRITE); a64_refresh_shortcuts */
    /* The SP in use during a step, sp_el[sp_index] (a64_sp's choice by PSTATE.EL and SPSel), kept by
     * a64_refresh_shortcuts for the interpreter's own use. */
    uint8_t sp_index;

    /* Results of the last step: exc when it returned A64_EXCEPTION, unsupported when A64_UNSUPPORTED
     * (neither is cleared by a step that completes). */
    a64_exception exc;
    char unsupported[128];  /* "FADD (scalar floating-point, type 1): ..." */

    /* Internal to one step: the PC after it, which only the handlers of A64_GRP_BRANCH rows set to
     * anything but the next instruction's address (a64_run_batch relies on it). */
    uint64_t next_pc;
} a64_cpu;

/* Is EL2 implemented, and so enabled (no EL3, no Secure state here)? The platform says so through
 * ID_AA64PFR0_EL1.EL2. */
static inline bool a64_el2_enabled(const a64_cpu *cpu)
{
    return ((cpu->sys.id_aa64pfr0_el1 >> A64_PFR0_EL2_SHIFT) & A64_PFR0_FIELD_MASK) != 0;
}

/* An HCR_EL2 control in force for the current EL: EL2 enabled and the PE at EL0 or EL1. */
static inline bool a64_hcr_el2_traps(const a64_cpu *cpu, uint64_t control)
{
    return cpu->pstate.el < 2 && a64_el2_enabled(cpu) && (cpu->sys.hcr_el2 & control);
}

/* The CRn values reserved for IMPLEMENTATION DEFINED registers (op0 = 3, MRS/MSR) and instructions
 * (SYS/SYSL), C5.3; HCR_EL2.TIDCP traps them. */
#define A64_CRN_IMPDEF_A 11u
#define A64_CRN_IMPDEF_B 15u

/* Encode a system register as the Arm ARM writes S<op0>_<op1>_C<n>_C<m>_<op2>. */
#define A64_SYSREG_ENC(op0, op1, crn, crm, op2) \
    (((uint32_t)(op0) << 14) | ((uint32_t)(op1) << 11) | ((uint32_t)(crn) << 7) | \
     ((uint32_t)(crm) << 3) | (uint32_t)(op2))

/* Reset state: EL1h, DAIF masked, MMU off, ID registers of the modelled core. */
void a64_cpu_init(a64_cpu *cpu, const a64_ops *ops);

/* Execute one instruction at cpu->pc. */
a64_status a64_step(a64_cpu *cpu);

/*
 * A run of instructions for a run loop that looks at its machine only every
 * so often: a64_run_batch steps (as a64_step) until an instruction returns
 * other than A64_OK, `max` instructions have completed, or the caller's
 * clock reaches *deadline. The clock advances by `cost` after each completed
 * instruction, so that whatever reads it during an instruction sees the time
 * it would one step at a time; *deadline is read after each instruction, so
 * that one may bring it forward (a timer armed, attention asked for).
 */
typedef struct a64_batch {
    uint64_t max;               /* instructions to complete at most, 1 or more */
    uint64_t *clock;
    const uint64_t *deadline;
    uint64_t cost;
    /* Filled by a64_run_batch. */
    uint64_t done;              /* instructions completed with A64_OK */
    uint64_t pc;                /* where the last instruction stepped was (it returned the status) */
} a64_batch;

/* Execute instructions at cpu->pc as a64_batch describes; the status of the last one stepped. */
a64_status a64_run_batch(a64_cpu *cpu, a64_batch *b);

#define A64_FETCH_KEY_NONE UINT64_MAX  /* never a hint's serial */

/* Which sp_el[] is the stack pointer in use: SP_EL0 at EL0 or with SPSel = 0; else SP_ELx (no EL3
 * here: 2 at most). */
static inline unsigned a64_sp_index(const a64_pstate *ps)
{
    unsigned el = ps->sp ? ps->el : 0;
    return el > 2 ? 2 : el;
}

/* Recompute what the interpreter derives from the hints, PSTATE.EL, IL, SPSel and debug_attention for
 * its fast paths (cpu->fetch_key, cpu->shortcut, cpu->sp_index): whenever one of them changes, and at
 * the start of every step and batch (PSTATE.EL and IL change only between them, on exception entry
 * and return, or by whoever sets the CPU's state between runs). */
static inline void a64_refresh_shortcuts(a64_cpu *cpu)
{
    const unsigned el_tag = cpu->pstate.el + 1u;
    const a64_page_hint *h = &cpu->hint[A64_ACC_FETCH][0];
    bool usable = h->serial != 0 && h->el_tag == el_tag && !cpu->pstate.il && !cpu->debug_attention;
    cpu->fetch_key = usable ? h->serial : A64_FETCH_KEY_NONE;
    for (unsigned k = A64_ACC_READ; k <= A64_ACC_WRITE; k++) {
        a64_hint_shortcut *s = &cpu->shortcut[k];
        s->key = s->el_tag == el_tag && !cpu->debug_attention ? s->va_page : A64_SHORTCUT_NONE;
    }
    cpu->sp_index = (uint8_t)a64_sp_index(&cpu->pstate);
}

/* Forget every host page hint. */
static inline void a64_clear_page_hints(a64_cpu *cpu)
{
    for (unsigned i = 0; i < 3; i++)
        for (unsigned j = 0; j < A64_HINT_SLOTS; j++)
            cpu->hint[i][j] = (a64_page_hint){ .el_tag = 0, .serial = 0 };
    for (unsigned k = A64_ACC_READ; k <= A64_ACC_WRITE; k++)
        cpu->shortcut[k] = (a64_hint_shortcut){ .key = A64_SHORTCUT_NONE, .el_tag = 0 };
    a64_refresh_shortcuts(cpu);
}

/* Record a host page hint for accesses of `kind` at `el` (see a64_page_hint). A data shortcut of that
 * kind is dropped, as the hint it copies may be the one pushed out. */
static inline void a64_set_page_hint(a64_cpu *cpu, a64_acc_kind kind, unsigned el, uint64_t va, uint8_t *page,
                                     bool device)
{
    for (unsigned j = A64_HINT_SLOTS - 1; j > 0; j--)
        cpu->hint[kind][j] = cpu->hint[kind][j - 1];
    cpu->hint[kind][0] = (a64_page_hint){ .va_page = va >> A64_HINT_PAGE_SHIFT, .host = page,
                                       .el_tag = (uint8_t)(el + 1), .device = device,
                                       .serial = a64_hint_serial() };
    if (kind != A64_ACC_FETCH)
        cpu->shortcut[kind] = (a64_hint_shortcut){ .key = A64_SHORTCUT_NONE, .el_tag = 0 };
    a64_refresh_shortcuts(cpu);
}

/* The stack pointer in use (SP_EL0 or SP_ELx by PSTATE.SPSel), from PSTATE as it is now. Inline, as
 * are the three below: every exception entry and return uses them. */
static inline uint64_t *a64_sp(a64_cpu *cpu)
{
    return &cpu->sp_el[a64_sp_index(&cpu->pstate)];
}

/* NZCV/DAIF/EL/SPSel/IL/SS as an SPSR_ELx image, and back (for entry/ERET). */
static inline uint64_t a64_pstate_to_spsr(const a64_pstate *ps)
{
    return ((uint64_t)ps->nzcv << A64_SPSR_NZCV_SHIFT) | (ps->ss ? A64_SPSR_SS : 0) |
           (ps->il ? A64_SPSR_IL : 0) | ((uint64_t)ps->daif << A64_SPSR_DAIF_SHIFT) |
           ((uint64_t)ps->el << A64_SPSR_M_EL_SHIFT) | (ps->sp ? A64_SPSR_M_SP : 0);
}

static inline void a64_pstate_from_spsr(a64_pstate *ps, uint64_t spsr)
{
    ps->nzcv = (uint8_t)((spsr >> A64_SPSR_NZCV_SHIFT) & 0xf);
    ps->ss = (spsr & A64_SPSR_SS) != 0;
    ps->il = (spsr & A64_SPSR_IL) != 0;
    ps->daif = (uint8_t)((spsr >> A64_SPSR_DAIF_SHIFT) & 0xf);
    ps->el = (uint8_t)((spsr >> A64_SPSR_M_EL_SHIFT) & 3);
    ps->sp = (spsr & A64_SPSR_M_SP) != 0;
}

/* Clear the local exclusive monitor (exception entry and ERET do, Arm ARM B2.9.5). */
static inline void a64_clear_exclusive(a64_cpu *cpu)
{
    cpu->excl_valid = false;
}

/* ---- Decoder (for tests, the fuzzer and disassembly of stops) ---- */

typedef enum a64_group {
    A64_GRP_UNDEFINED = 0,
    A64_GRP_DP_IMM,
    A64_GRP_DP_REG,
    A64_GRP_BRANCH,
    A64_GRP_SYSTEM,
    A64_GRP_LDST,
    A64_GRP_FP_SIMD,        /* SIMD&FP data processing and SIMD&FP loads/stores */
} a64_group;

typedef struct a64_decoded {
    const char *name;       /* the row's name, "ADD (immediate)"; NULL when undefined */
    a64_group group;
    bool executes;          /* has an executor (a SIMD&FP class executor may still stop
                               on opcodes it does not model); false: recognised,
                               always stops with A64_UNSUPPORTED */
    bool fp;                /* subject to the CPACR_EL1.FPEN trap */
} a64_decoded;

/* Decode without executing. Undefined words give group A64_GRP_UNDEFINED.
 * A word can decode to a row and still be UNDEFINED for its field values
 * (a reserved size, an unallocated system register): `name` is then set
 * and the executor raises EC 0x00. */
a64_decoded a64_decode(uint32_t insn);

/* Self-check of the decode table: the name of a row whose match has bits
 * outside its mask (it could never match), or NULL. */
const char *a64_decode_table_check(void);

const char *a64_status_name(a64_status st);

#endif
