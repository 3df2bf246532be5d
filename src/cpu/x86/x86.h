/*
 * x86-64 CPU state, the decoded-instruction record and the interfaces the
 * instruction handlers share: operand access, guest memory through the
 * segment and paging units, and fault reporting.
 *
 * Faults travel as return values (x86_status); a handler that finds a fault
 * fills cpu->fault through x86_raise() and returns X86_FAULT without having
 * changed architectural state, so the instruction can be restarted.
 */
#ifndef EMU_CPU_X86_X86_H
#define EMU_CPU_X86_X86_H

#include <stdint.h>
#include <stdbool.h>
#include <string.h>

#include "cpu/x86/cpu_model.h"
#include "mmu/x86_tlb.h"

struct emu_machine;
struct x86_dcache;

#define X86_LIKELY(x) __builtin_expect(!!(x), 1)
#define X86_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define X86_MUST_CHECK __attribute__((warn_unused_result))

/* General-purpose registers in encoding order. */
enum x86_gpr {
    X86_RAX, X86_RCX, X86_RDX, X86_RBX, X86_RSP, X86_RBP, X86_RSI, X86_RDI,
    X86_R8, X86_R9, X86_R10, X86_R11, X86_R12, X86_R13, X86_R14, X86_R15,
};

/* Segment registers in encoding order (ModRM.reg of MOV Sreg). */
enum x86_sreg { X86_ES, X86_CS, X86_SS, X86_DS, X86_FS, X86_GS, X86_SREG_COUNT };
#define X86_SEG_NONE 0xff

/* RFLAGS bits (SDM vol. 1, 3.4.3). */
#define X86_FLAG_CF   (1ull << 0)
#define X86_FLAG_FIXED1 (1ull << 1)   /* reserved, always 1 */
#define X86_FLAG_PF   (1ull << 2)
#define X86_FLAG_AF   (1ull << 4)
#define X86_FLAG_ZF   (1ull << 6)
#define X86_FLAG_SF   (1ull << 7)
#define X86_FLAG_TF   (1ull << 8)
#define X86_FLAG_IF   (1ull << 9)
#define X86_FLAG_DF   (1ull << 10)
#define X86_FLAG_OF   (1ull << 11)
#define X86_FLAG_IOPL (3ull << 12)
#define X86_FLAG_IOPL_SHIFT 12
#define X86_FLAG_NT   (1ull << 14)
#define X86_FLAG_RF   (1ull << 16)
#define X86_FLAG_VM   (1ull << 17)
#define X86_FLAG_AC   (1ull << 18)
#define X86_FLAG_VIF  (1ull << 19)
#define X86_FLAG_VIP  (1ull << 20)
#define X86_FLAG_ID   (1ull << 21)
#define X86_FLAGS_ARITH (X86_FLAG_CF | X86_FLAG_PF | X86_FLAG_AF | X86_FLAG_ZF | X86_FLAG_SF | X86_FLAG_OF)

/* Control register bits (SDM vol. 3, 2.5). */
#define X86_CR0_PE (1ull << 0)
#define X86_CR0_MP (1ull << 1)
#define X86_CR0_EM (1ull << 2)
#define X86_CR0_TS (1ull << 3)
#define X86_CR0_ET (1ull << 4)
#define X86_CR0_NE (1ull << 5)
#define X86_CR0_WP (1ull << 16)
#define X86_CR0_AM (1ull << 18)
#define X86_CR0_NW (1ull << 29)
#define X86_CR0_CD (1ull << 30)
#define X86_CR0_PG (1ull << 31)

#define X86_CR4_VME        (1ull << 0)
#define X86_CR4_PVI        (1ull << 1)
#define X86_CR4_TSD        (1ull << 2)
#define X86_CR4_DE         (1ull << 3)
#define X86_CR4_PSE        (1ull << 4)
#define X86_CR4_PAE        (1ull << 5)
#define X86_CR4_MCE        (1ull << 6)
#define X86_CR4_PGE        (1ull << 7)
#define X86_CR4_PCE        (1ull << 8)
#define X86_CR4_OSFXSR     (1ull << 9)
#define X86_CR4_OSXMMEXCPT (1ull << 10)
#define X86_CR4_UMIP       (1ull << 11)
#define X86_CR4_LA57       (1ull << 12)
#define X86_CR4_FSGSBASE   (1ull << 16)
#define X86_CR4_PCIDE      (1ull << 17)
#define X86_CR4_OSXSAVE    (1ull << 18)
#define X86_CR4_SMEP       (1ull << 20)
#define X86_CR4_SMAP       (1ull << 21)
#define X86_CR4_PKE        (1ull << 22)
#define X86_CR4_CET        (1ull << 23)
#define X86_CR4_PKS        (1ull << 24)

/* IA32_EFER (SDM vol. 3, 2.2.1). */
#define X86_EFER_SCE (1ull << 0)
#define X86_EFER_LME (1ull << 8)
#define X86_EFER_LMA (1ull << 10)
#define X86_EFER_NXE (1ull << 11)

/* Exception vectors (SDM vol. 3, table 6-1). */
enum x86_vector {
    X86_VEC_DE = 0, X86_VEC_DB = 1, X86_VEC_NMI = 2, X86_VEC_BP = 3,
    X86_VEC_OF = 4, X86_VEC_BR = 5, X86_VEC_UD = 6, X86_VEC_NM = 7,
    X86_VEC_DF = 8, X86_VEC_TS = 10, X86_VEC_NP = 11, X86_VEC_SS = 12,
    X86_VEC_GP = 13, X86_VEC_PF = 14, X86_VEC_MF = 16, X86_VEC_AC = 17,
    X86_VEC_MC = 18, X86_VEC_XM = 19, X86_VEC_VE = 20, X86_VEC_CP = 21,
};

/* #PF error code bits (SDM vol. 3, 4.7). */
#define X86_PF_P    (1u << 0)
#define X86_PF_W    (1u << 1)
#define X86_PF_U    (1u << 2)
#define X86_PF_RSVD (1u << 3)
#define X86_PF_I    (1u << 4)
#define X86_PF_PK   (1u << 5)

/*
 * Segment register: visible selector plus the descriptor cache. attr holds
 * descriptor bits 40..55 shifted down by 40: type[3:0], S[4], DPL[6:5], P[7],
 * AVL[12], L[13], D/B[14], G[15] (SDM vol. 3, 3.4.5).
 */
typedef struct x86_segment {
    uint16_t selector;
    uint64_t base;
    uint32_t limit;     /* byte-granular, already scaled by G */
    uint16_t attr;
} x86_segment;

#define X86_SEG_ATTR_TYPE_MASK 0x000f
#define X86_SEG_ATTR_S         0x0010
#define X86_SEG_ATTR_DPL_SHIFT 5
#define X86_SEG_ATTR_DPL_MASK  0x0060
#define X86_SEG_ATTR_P         0x0080
#define X86_SEG_ATTR_AVL       0x1000
#define X86_SEG_ATTR_L         0x2000
#define X86_SEL_RPL_MASK 0x3u      /* a selector's requested privilege level */
#define X86_SEG_ATTR_DB        0x4000
#define X86_SEG_ATTR_G         0x8000

typedef struct x86_dtr {
    uint64_t base;
    uint16_t limit;
} x86_dtr;

/* Interrupt shadows (SDM vol. 3, 6.8.3): STI blocks interrupts, MOV SS / POP SS also debug traps. */
#define X86_SHADOW_STI    0x1u
#define X86_SHADOW_MOV_SS 0x2u

/* DR6 status bits (SDM vol. 3, 18.2.3). */
#define X86_DR6_B_MASK 0xfull       /* B0-B3: which breakpoint conditions were met */
#define X86_DR6_BD (1ull << 13)     /* debug-register access detected (DR7.GD) */
#define X86_DR6_BS (1ull << 14)     /* single step */
#define X86_DEBUG_BREAKPOINTS 4

/* Operating mode, derived from CR0.PE, EFER.LMA and CS.L/D by x86_update_mode(). */
typedef enum x86_mode {
    X86_MODE_REAL,
    X86_MODE_PROT16,
    X86_MODE_PROT32,
    X86_MODE_COMPAT16,
    X86_MODE_COMPAT32,
    X86_MODE_LONG64,
} x86_mode;

/* The outcome of a handler or an access. */
typedef enum x86_status {
    X86_OK = 0,
    X86_FAULT,          /* cpu->fault describes an exception to deliver */
    X86_STOP,           /* machine_stop() was called: HLT, exit, unsupported, ... */
} x86_status;

/* Class of a raised event, for the saved RIP and, later, delivery. */
typedef enum x86_event_kind {
    X86_EVENT_FAULT,    /* saved RIP = the faulting instruction */
    X86_EVENT_TRAP,     /* saved RIP = the next instruction (INT n, INT3, INTO, INT1) */
    X86_EVENT_INTERRUPT,/* external, accepted between instructions: saved RIP = the next to run */
    X86_EVENT_NMI,
} x86_event_kind;

typedef struct x86_fault {
    uint8_t vector;
    bool has_error_code;
    uint32_t error_code;
    uint64_t cr2;               /* #PF: faulting linear address */
    x86_event_kind kind;
    bool software;              /* INT n / INT3 / INTO: DPL-checked at delivery */
    uint64_t insn_rip;          /* trap-kind events: the instruction that raised it (RIP is past it) */
    bool instruction_breakpoint; /* #DB fault from DR0-DR3: pushes RF = 0 (18.3.1.1) */
    bool string_iteration;      /* trap between iterations of a REP string instruction: the saved
                                   RIP is that instruction and RF = 1 is pushed (18.3.1.1) */
} x86_fault;

/* Decoded instruction. Produced by x86_decode(), consumed by handlers. */
struct x86_cpu;
struct x86_insn;
typedef x86_status (*x86_handler)(struct x86_cpu *cpu, const struct x86_insn *insn);

/* Prefix flags in x86_insn.prefixes. */
#define X86_PFX_LOCK    (1u << 0)
#define X86_PFX_REP     (1u << 1)   /* F3 */
#define X86_PFX_REPNE   (1u << 2)   /* F2 */
#define X86_PFX_OPSIZE  (1u << 3)   /* 66 */
#define X86_PFX_ADDRSIZE (1u << 4)  /* 67 */
#define X86_PFX_REX     (1u << 5)   /* any REX present (changes byte registers) */
#define X86_PFX_REX_W   (1u << 6)
#define X86_PFX_NOTRACK (1u << 7)   /* 3E before an indirect branch */

typedef struct x86_insn {
    x86_handler handler;
    const char *mnemonic;
    uint8_t length;
    uint8_t map;            /* 0: one-byte, 1: 0F, 2: 0F 38, 3: 0F 3A */
    uint8_t opcode;         /* last opcode byte */
    uint8_t opsize;         /* operand size in bytes: 1, 2, 4 or 8 (1 for byte forms) */
    uint8_t addrsize;       /* address size in bytes: 2, 4 or 8 */
    uint8_t prefixes;       /* X86_PFX_* */
    uint8_t seg;            /* effective segment of the memory operand (override or default) */
    uint8_t has_modrm;
    uint8_t mod;            /* ModRM.mod */
    uint8_t reg;            /* ModRM.reg extended by REX.R (0..15) */
    uint8_t rm;             /* ModRM.rm extended by REX.B (register operand when mod == 3) */
    uint8_t base;           /* memory operand base register, X86_NO_REG if none */
    uint8_t index;          /* memory operand index register, X86_NO_REG if none */
    uint8_t scale;          /* 1, 2, 4, 8 */
    uint8_t rip_relative;   /* disp is relative to the next instruction */
    uint8_t imm_size;       /* bytes of the immediate (0 if none) */
    int64_t disp;
    uint64_t imm;           /* sign- or zero-extended per the form */
    uint64_t imm2;          /* second immediate: ENTER's level, far pointer selector */
} x86_insn;

#define X86_NO_REG 0xff

/* Machine-specific registers modelled beyond the ones with dedicated fields. */
typedef struct x86_msrs {
    uint64_t kernel_gs_base;
    uint64_t star, lstar, cstar, sfmask;
    uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
    uint64_t tsc_aux;
    uint64_t pat;
    uint64_t apic_base;
    uint64_t misc_enable;
    uint64_t tsc_adjust;        /* TSC = cycles + tsc_adjust */
    uint64_t mtrr_def_type;
    uint64_t pkrs;
    uint64_t spec_ctrl;
} x86_msrs;

typedef struct x86_cpu {
    uint64_t gpr[16];
    uint64_t rip;
    uint64_t next_rip;          /* set before a handler runs; branches overwrite it */
    uint64_t rflags;            /* arithmetic bits valid only after x86_flags_sync() */

    /*
     * Lazy arithmetic flags: the hot ALU instructions record their operands
     * and result here instead of computing six flags that the next
     * instruction usually overwrites; x86_flags_sync() folds them into rflags,
     * and x86_cond() answers most conditions from them directly.
     */
    uint8_t lazy_kind;          /* x86_lazy_kind; X86_LAZY_NONE: rflags is exact */
    uint8_t lazy_size;          /* operand size in bytes */
    uint64_t lazy_a, lazy_b, lazy_res;

    x86_segment seg[X86_SREG_COUNT];
    x86_segment ldtr, tr;
    x86_dtr gdtr, idtr;

    uint64_t cr0, cr2, cr3, cr4, cr8;
    uint64_t dr[8];
    uint8_t dr_exec_mask;       /* enabled instruction breakpoints (derived: x86_debug_update) */
    uint8_t dr_data_mask;       /* enabled data breakpoints (derived) */
    uint8_t dr_io_mask;         /* enabled I/O breakpoints, CR4.DE = 1 (derived) */
    uint8_t dr_hits;            /* data breakpoints met by the current instruction */
    uint8_t dr_enabled;         /* dr_exec_mask | dr_data_mask | dr_io_mask (derived) */
    uint64_t efer;
    uint32_t pkru;
    uint64_t xcr0;
    x86_msrs msr;

    /* Derived state: rebuilt only by x86_update_mode(). */
    x86_mode mode;
    uint8_t cpl;
    uint8_t code_size;          /* 2, 4 or 8: default operand/address size of CS */
    uint8_t stack_size;         /* 2, 4 or 8: stack pointer width (SS.B, or 8 in 64-bit mode) */
    uint64_t code_size_tag;     /* X86_CODE_SIZE_TAG(code_size), for exec.c's predecode tags */

    /*
     * The fetch's shortcut past the TLB (exec.c): per privilege class as in
     * the TLB ([0]: CPL 0-2, [1]: CPL 3), the linear page number and host
     * bytes of the executable code page the last fetch at that class used.
     * Emptied by every TLB flush, the only event that changes what the TLB
     * would answer for a page it holds.
     */
    uint64_t fetch_page[2];
    const uint8_t *fetch_host[2];

    bool halted;
    uint64_t halt_rip;          /* the HLT that halted it, for messages */
    uint8_t interrupt_shadow;   /* X86_SHADOW_*: blocking for one instruction */
    bool nmi_blocked;           /* an NMI was delivered and no IRET has run since (SDM vol. 3, 6.7.1) */
    uint32_t trap_step_cost;    /* the cost profile's delivery_step, read once per step in trap records */

    x86_fault fault;            /* valid when a handler returned X86_FAULT */

    x86_tlb tlb;
    struct x86_dcache *dcache;  /* predecode cache, owned by exec.c */
    x86_cpu_config config;      /* CPU model and features (cpu_model.h) */

    struct lapic *apic;         /* this CPU's local APIC (src/apic), NULL before the platform attaches it */
    struct emu_machine *machine;

    /* x86_run delivers an exception itself when emu_run would at once (exec.c); for emu_run's
     * trap-storm count: m->insns at x86_run's start or its last delivery, and whether it made one. */
    uint64_t run_delivery_mark;
    bool run_delivered;
} x86_cpu;

/* ---- Faults ---- */

/* Record a fault/trap and return X86_FAULT. */
X86_MUST_CHECK x86_status x86_raise(x86_cpu *cpu, uint8_t vector, x86_event_kind kind);
X86_MUST_CHECK x86_status x86_raise_error(x86_cpu *cpu, uint8_t vector, uint32_t error_code);
X86_MUST_CHECK x86_status x86_raise_pf(x86_cpu *cpu, uint64_t lin, uint32_t error_code);
static inline X86_MUST_CHECK x86_status x86_ud(x86_cpu *cpu) { return x86_raise(cpu, X86_VEC_UD, X86_EVENT_FAULT); }
static inline X86_MUST_CHECK x86_status x86_gp0(x86_cpu *cpu) { return x86_raise_error(cpu, X86_VEC_GP, 0); }

/* Stop the machine naming an instruction emu decodes but does not model. */
X86_MUST_CHECK x86_status x86_unsupported(x86_cpu *cpu, const x86_insn *insn, const char *what);

/* ---- Mode ---- */

#define X86_NO_FETCH_PAGE UINT64_MAX      /* fetch_page when empty: no linear page number */
/*
 * The code size folded into a predecode tag's bits 53-55 (exec.c), so one
 * compare checks address and size. No two (address, size) pairs share a
 * tag: a fetched address is canonical (bits 47-63 equal) or below 4 GiB,
 * so two of them never differ in bits 53-55 alone.
 */
#define X86_CODE_SIZE_TAG(size) ((uint64_t)(size) << 52)

/* Recompute mode, cpl, code_size, stack_size after any write to CR0, EFER, CS or SS. */
void x86_update_mode_slow(x86_cpu *cpu);
static inline void x86_update_mode(x86_cpu *cpu)
{
    /* 64-bit code, every trap round trip's case, inline: IA-32e mode with CS.L = 1 (SDM vol. 3, 5.2.1). */
    if (X86_LIKELY((cpu->efer & X86_EFER_LMA) && (cpu->seg[X86_CS].attr & X86_SEG_ATTR_L) &&
                   (cpu->cr0 & X86_CR0_PE))) {
        cpu->mode = X86_MODE_LONG64;
        cpu->cpl = cpu->seg[X86_CS].selector & X86_SEL_RPL_MASK;
        cpu->code_size = 8;
        cpu->code_size_tag = X86_CODE_SIZE_TAG(8);
        cpu->stack_size = 8;
        return;
    }
    x86_update_mode_slow(cpu);
}
static inline bool x86_long64(const x86_cpu *cpu) { return cpu->mode == X86_MODE_LONG64; }

/* ---- Stack (stack.c) ---- */
X86_MUST_CHECK x86_status x86_push(x86_cpu *cpu, unsigned size, uint64_t val);
X86_MUST_CHECK x86_status x86_pop(x86_cpu *cpu, unsigned size, uint64_t *val);

/* ---- Memory through segmentation and paging (access.c, mmu) ---- */

/* Access kinds for the linear-address slow path and the page walker. */
typedef enum x86_access {
    X86_ACC_READ = 0,
    X86_ACC_WRITE = 1,
    X86_ACC_EXEC = 2,
    X86_ACC_RMW = 3,            /* read that will be followed by a write */
} x86_access;

/*
 * Segmented access: sreg base added (FS/GS only in 64-bit mode), limit and
 * canonical checks raising #GP or #SS (SS-relative) as the SDM says.
 */
X86_MUST_CHECK x86_status x86_seg_read_slow(x86_cpu *cpu, unsigned sreg, uint64_t offset, unsigned size, uint64_t *val);
X86_MUST_CHECK x86_status x86_seg_write_slow(x86_cpu *cpu, unsigned sreg, uint64_t offset, unsigned size, uint64_t val);
/* Linear address of sreg:offset after the segment checks (for multi-byte system reads: LGDT, far pointers). */
X86_MUST_CHECK x86_status x86_seg_linear(x86_cpu *cpu, unsigned sreg, uint64_t offset, unsigned size, x86_access acc, uint64_t *lin);
/* The same with the alignment #AC requires given (a power of two): far pointers, SGDT/SIDT images. */
X86_MUST_CHECK x86_status x86_seg_linear_aligned(x86_cpu *cpu, unsigned sreg, uint64_t offset, unsigned size,
                                                 x86_access acc, unsigned align, uint64_t *lin);

/* Linear access of 1, 2, 4 or 8 bytes; page-crossing accesses are handled. Fast path inline. */
X86_MUST_CHECK x86_status x86_lin_read_slow(x86_cpu *cpu, uint64_t lin, unsigned size, uint64_t *val, x86_access acc);
X86_MUST_CHECK x86_status x86_lin_write_slow(x86_cpu *cpu, uint64_t lin, unsigned size, uint64_t val);
/* Linear access of any length (descriptor tables, 16-byte operands). */
X86_MUST_CHECK x86_status x86_lin_read_buf(x86_cpu *cpu, uint64_t lin, void *buf, unsigned len, x86_access acc);
X86_MUST_CHECK x86_status x86_lin_write_buf(x86_cpu *cpu, uint64_t lin, const void *buf, unsigned len);
/* The same with the privilege of the access given (delivery writes the frame at the new CPL). */
X86_MUST_CHECK x86_status x86_lin_write_buf_as(x86_cpu *cpu, uint64_t lin, const void *buf, unsigned len,
                                               bool user);

/*
 * The host bytes behind [lin, lin+len) when one TLB entry covers them for a
 * read at this privilege (user: CPL 3 data access; else supervisor, as for
 * descriptor tables), or NULL: the caller then takes the full access path,
 * which walks, faults and reports exactly as usual.
 */
static inline const uint8_t *x86_cached_read_ptr(const x86_cpu *cpu, uint64_t lin, unsigned len, bool user)
{
    if ((lin & X86_PAGE_MASK) + len > X86_PAGE_SIZE || !(cpu->efer & X86_EFER_LMA))
        return NULL;
    const x86_tlb_entry *e = x86_tlb_lookup(&cpu->tlb, user, lin);
    return e && e->host_read ? e->host_read + (lin & X86_PAGE_MASK) : NULL;
}

/* The same for a write: the page must be writable at this privilege with its dirty bit set. */
static inline uint8_t *x86_cached_write_ptr(const x86_cpu *cpu, uint64_t lin, unsigned len, bool user)
{
    if ((lin & X86_PAGE_MASK) + len > X86_PAGE_SIZE || !(cpu->efer & X86_EFER_LMA))
        return NULL;
    const x86_tlb_entry *e = x86_tlb_lookup(&cpu->tlb, user, lin);
    return e && e->host_write ? e->host_write + (lin & X86_PAGE_MASK) : NULL;
}

static inline uint64_t x86_load_le(const uint8_t *p, unsigned size)
{
    uint64_t v = 0;
    switch (size) {
    case 1: v = p[0]; break;
    case 2: { uint16_t t; memcpy(&t, p, 2); v = t; break; }
    case 4: { uint32_t t; memcpy(&t, p, 4); v = t; break; }
    default: memcpy(&v, p, 8); break;
    }
    return v;
}

static inline void x86_store_le(uint8_t *p, unsigned size, uint64_t v)
{
    switch (size) {
    case 1: p[0] = (uint8_t)v; break;
    case 2: { uint16_t t = (uint16_t)v; memcpy(p, &t, 2); break; }
    case 4: { uint32_t t = (uint32_t)v; memcpy(p, &t, 4); break; }
    default: memcpy(p, &v, 8); break;
    }
}

static inline X86_MUST_CHECK x86_status x86_lin_read(x86_cpu *cpu, uint64_t lin, unsigned size, uint64_t *val)
{
    const x86_tlb_entry *e = x86_tlb_lookup(&cpu->tlb, cpu->cpl == 3, lin);
    if (X86_LIKELY(e && e->host_read && (lin & X86_PAGE_MASK) + size <= X86_PAGE_SIZE)) {
        *val = x86_load_le(e->host_read + (lin & X86_PAGE_MASK), size);
        return X86_OK;
    }
    return x86_lin_read_slow(cpu, lin, size, val, X86_ACC_READ);
}

static inline X86_MUST_CHECK x86_status x86_lin_write(x86_cpu *cpu, uint64_t lin, unsigned size, uint64_t val)
{
    const x86_tlb_entry *e = x86_tlb_lookup(&cpu->tlb, cpu->cpl == 3, lin);
    if (X86_LIKELY(e && e->host_write && (lin & X86_PAGE_MASK) + size <= X86_PAGE_SIZE)) {
        x86_store_le(e->host_write + (lin & X86_PAGE_MASK), size, val);
        return X86_OK;
    }
    return x86_lin_write_slow(cpu, lin, size, val);
}

/*
 * In 64-bit mode ES/CS/SS/DS have base 0 and no limit, so their offsets are
 * linear addresses; a TLB hit also proves the page canonical (only canonical
 * pages are ever cached), and an access within one page is then canonical as
 * a whole. Everything else (FS/GS, legacy modes, RFLAGS.AC set for a possible
 * #AC, TLB misses) takes the checked path in access.c.
 */
static inline bool x86_flat_segment(const x86_cpu *cpu, unsigned sreg)
{
    return x86_long64(cpu) && sreg < X86_FS && !(cpu->rflags & X86_FLAG_AC);
}

static inline X86_MUST_CHECK x86_status x86_seg_read(x86_cpu *cpu, unsigned sreg, uint64_t offset,
                                                     unsigned size, uint64_t *val)
{
    if (X86_LIKELY(x86_flat_segment(cpu, sreg))) {
        const x86_tlb_entry *e = x86_tlb_lookup(&cpu->tlb, cpu->cpl == 3, offset);
        if (X86_LIKELY(e && e->host_read && (offset & X86_PAGE_MASK) + size <= X86_PAGE_SIZE)) {
            *val = x86_load_le(e->host_read + (offset & X86_PAGE_MASK), size);
            return X86_OK;
        }
    }
    return x86_seg_read_slow(cpu, sreg, offset, size, val);
}

static inline X86_MUST_CHECK x86_status x86_seg_write(x86_cpu *cpu, unsigned sreg, uint64_t offset,
                                                      unsigned size, uint64_t val)
{
    if (X86_LIKELY(x86_flat_segment(cpu, sreg))) {
        const x86_tlb_entry *e = x86_tlb_lookup(&cpu->tlb, cpu->cpl == 3, offset);
        if (X86_LIKELY(e && e->host_write && (offset & X86_PAGE_MASK) + size <= X86_PAGE_SIZE)) {
            x86_store_le(e->host_write + (offset & X86_PAGE_MASK), size, val);
            return X86_OK;
        }
    }
    return x86_seg_write_slow(cpu, sreg, offset, size, val);
}

#include "cpu/x86/operand.h"

/*
 * Host pointer to the code at linear address lin (instruction fetch with the
 * execute checks of paging). *avail is the number of bytes readable from it
 * before the page ends. Returns X86_FAULT (#PF) or X86_STOP (unbacked).
 */
X86_MUST_CHECK x86_status x86_fetch_ptr(x86_cpu *cpu, uint64_t lin, const uint8_t **ptr, unsigned *avail);

/* Flush every cached translation (CR3 write, paging-mode change). */
void x86_tlb_flush_all(x86_cpu *cpu);
/* Flush one page's translations (INVLPG). */
void x86_tlb_flush_page(x86_cpu *cpu, uint64_t lin);

/* Translate a linear address without raising (debugger / API use): 0 ok, -1 not mapped. */
int x86_translate_debug(x86_cpu *cpu, uint64_t lin, uint64_t *pa);

/* ---- Debug registers (debugreg.c) ---- */

/* Re-derive the breakpoint masks after DR0-DR3, DR7 or CR4.DE change; X86_STOP for R/W = 10 without CR4.DE. */
X86_MUST_CHECK x86_status x86_debug_update(x86_cpu *cpu);
/* Does a data breakpoint watch any byte of the page containing lin? (TLB fill asks.) */
bool x86_debug_watches_page(const x86_cpu *cpu, uint64_t lin);
/* Note the data breakpoints an access meets, for the trap after the instruction. */
void x86_debug_data_access(x86_cpu *cpu, uint64_t lin, unsigned len, bool write);
/* The same for a port access by IN, OUT, INS or OUTS (I/O breakpoints, CR4.DE = 1). */
void x86_debug_io_access(x86_cpu *cpu, uint16_t port, unsigned size);
/* A REP string iteration met a breakpoint and iterations remain: the #DB trap before the next. */
X86_MUST_CHECK x86_status x86_debug_string_trap(x86_cpu *cpu);
/* Before executing at lin: an enabled execute breakpoint there raises #DB (unless RF). */
X86_MUST_CHECK x86_status x86_debug_instruction_breakpoint(x86_cpu *cpu, uint64_t lin);

/* ---- Flags and conditions (flags.c) ---- */

typedef enum x86_lazy_kind {
    X86_LAZY_NONE,
    X86_LAZY_ADD,       /* ADD/ADC: res = a + b (+ CF) */
    X86_LAZY_SUB,       /* SUB/SBB/CMP: res = a - b (- CF) */
    X86_LAZY_LOGIC,     /* AND/OR/XOR/TEST: CF = OF = AF = 0 */
} x86_lazy_kind;

/* Compute the pending lazy flags into rflags (out of line: the rare path). */
void x86_flags_materialize(x86_cpu *cpu);

/* Make rflags exact. Call before reading or writing any arithmetic flag. */
static inline void x86_flags_sync(x86_cpu *cpu)
{
    if (cpu->lazy_kind != X86_LAZY_NONE)
        x86_flags_materialize(cpu);
}

/* For an instruction about to overwrite all six arithmetic flags (IRET, SYSRET, POPF): the pending
 * ones need not be computed. The bits in rflags are stale until then, so read none of them. */
static inline void x86_flags_discard(x86_cpu *cpu)
{
    cpu->lazy_kind = X86_LAZY_NONE;
}

/* RFLAGS with exact arithmetic bits. */
static inline uint64_t x86_rflags(x86_cpu *cpu)
{
    x86_flags_sync(cpu);
    return cpu->rflags;
}

/* Record an ALU result whose six arithmetic flags are computed only when needed. */
static inline void x86_flags_lazy(x86_cpu *cpu, x86_lazy_kind kind, unsigned size, uint64_t a, uint64_t b,
                                  uint64_t res)
{
    cpu->lazy_kind = (uint8_t)kind;
    cpu->lazy_size = (uint8_t)size;
    cpu->lazy_a = a;
    cpu->lazy_b = b;
    cpu->lazy_res = res;
}

/* Evaluate condition code cc (0..15, the low nibble of Jcc/SETcc/CMOVcc). */
bool x86_cond(x86_cpu *cpu, unsigned cc);

/* ---- Lifecycle (cpu.c, exec.c) ---- */

int x86_cpu_init(x86_cpu *cpu, struct emu_machine *m, const char *cpu_model, char *why, size_t why_len);
void x86_cpu_destroy(x86_cpu *cpu);

/*
 * Execute one instruction at cpu->rip: fetch, decode (through the predecode
 * cache), run the handler, and on X86_OK commit rip = next_rip.
 */
x86_status x86_step(x86_cpu *cpu);

/*
 * Run up to max_insns instructions or until a fault or stop; returns the
 * status of the last instruction and adds the number retired to *retired.
 * Stops early before an instruction at a breakpoint (returns X86_STOP).
 */
x86_status x86_run(x86_cpu *cpu, uint64_t max_insns, uint64_t *retired);

/*
 * Decode one instruction from bytes (pure: no CPU state). code_size is 2, 4
 * or 8. Returns the length, or one of the negative X86_DECODE_* results.
 */
#define X86_DECODE_INVALID  (-1)   /* not an instruction in this mode: #UD */
#define X86_DECODE_SHORT    (-2)   /* more bytes needed than avail */
#define X86_DECODE_TOO_LONG (-3)   /* over 15 bytes: #GP(0) */
int x86_decode(const uint8_t *bytes, unsigned avail, unsigned code_size, x86_insn *insn);

#endif
