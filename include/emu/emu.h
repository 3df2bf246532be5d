/*
 * ringside public API: the only header front ends and tests include.
 *
 * One opaque handle (emu_machine), one error enum (emu_err), typed register
 * identifiers, and a stop record that says exactly why execution stopped.
 * Every call returns an emu_err; emu_strerror() names it.
 */
#ifndef EMU_EMU_H
#define EMU_EMU_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EMU_VERSION_STRING "0.1.0"

typedef struct emu_machine emu_machine;

/* Error codes returned by every API call. */
typedef enum emu_err {
    EMU_OK = 0,
    EMU_ERR_NOMEM,          /* host allocation failed */
    EMU_ERR_IO,             /* firmware file missing or unreadable */
    EMU_ERR_NOT_ELF,        /* firmware is not an ELF file */
    EMU_ERR_BAD_ELF,        /* ELF is truncated or malformed */
    EMU_ERR_WRONG_ARCH,     /* ELF machine type is not one emu models */
    EMU_ERR_BAD_IMAGE,      /* ELF is valid but cannot be loaded (segment outside RAM, ...) */
    EMU_ERR_INVALID_ARG,    /* bad option or argument value */
    EMU_ERR_BAD_REG,        /* register identifier not valid for this machine */
    EMU_ERR_BAD_ADDRESS,    /* guest address not backed or not mapped */
    EMU_ERR_BAD_CPU_MODEL,  /* --cpu string names an unknown model or feature */
    EMU_ERR_UNSUPPORTED,    /* requested feature is not modelled */
    EMU_ERR_STOPPED,        /* machine has stopped for good (shutdown, exit) */
} emu_err;

const char *emu_strerror(emu_err err);

typedef enum emu_arch {
    EMU_ARCH_NONE = 0,      /* detect from the ELF header */
    EMU_ARCH_X86_64,
    EMU_ARCH_AARCH64,
} emu_arch;

/* How the firmware is entered. */
typedef enum emu_boot {
    EMU_BOOT_AUTO = 0,      /* multiboot v1 if the ELF32 carries a header, else ELF64 direct */
    EMU_BOOT_MULTIBOOT,     /* QEMU -kernel multiboot v1 entry: 32-bit protected mode */
    EMU_BOOT_ELF64,         /* 64-bit mode at CPL0 with an identity map (docs/boot.md) */
} emu_boot;

/* CPU state a machine created without firmware (emu_create) starts in. */
typedef enum emu_x86_start {
    EMU_X86_START_LONG64 = 0, /* the ELF64 direct-boot state (docs/boot.md) */
    EMU_X86_START_PROT32,     /* the multiboot entry state: flat 32-bit protected mode */
} emu_x86_start;

/* Output sink for the guest console (serial, debugcon). */
typedef void (*emu_console_fn)(void *ctx, const uint8_t *bytes, size_t len);

typedef struct emu_options {
    emu_arch arch;              /* EMU_ARCH_NONE: from the ELF header */
    uint64_t memory_bytes;      /* 0: 128 MiB */
    emu_boot boot;
    emu_x86_start x86_start;    /* emu_create only */
    const char *cpu_model;      /* QEMU -cpu syntax; NULL: "max" */
    const char *append;         /* kernel command line (multiboot), NULL: "" */
    const char *const *initrd;  /* module files (multiboot), n_initrd of them */
    size_t n_initrd;
    emu_console_fn console;     /* NULL: console output is discarded */
    void *console_ctx;
    int console_input_fd;       /* COM1 receive source; -1: none */
    /* Stop with EMU_STOP_EXCEPTION before delivering an exception, as a debugger's
     * "catch" does; the exception is delivered when the run resumes, unless
     * the front end writes RIP first (which abandons it). */
    bool break_on_exception;
    /* AArch64 `virt` machine (docs/virt-platform.md, docs/boot.md). */
    int gic_version;            /* 2 or 3; 0: 2, as QEMU's -M virt */
    unsigned start_el;          /* EL at entry: 1 or 2; 0: 1, as QEMU's -kernel without virtualization=on */
    bool semihosting;           /* HLT #0xF000 is an Arm semihosting call, as QEMU's -semihosting */
} emu_options;

/* Fill opts with the defaults documented above. */
void emu_options_init(emu_options *opts);

/*
 * Open a machine from a firmware ELF. On failure *out is NULL and, if why is
 * non-NULL, a one-line human-readable explanation is written to it.
 */
emu_err emu_open(const char *path, const emu_options *opts, emu_machine **out,
                 char *why, size_t why_len);

/* Open from an in-memory ELF image (same rules as emu_open). */
emu_err emu_open_image(const void *image, size_t size, const emu_options *opts,
                       emu_machine **out, char *why, size_t why_len);

/* Create a machine with RAM and CPU but no firmware (tests, tools). */
emu_err emu_create(const emu_options *opts, emu_machine **out);

void emu_close(emu_machine *m);

emu_arch emu_machine_arch(const emu_machine *m);

/* Why execution stopped. */
typedef enum emu_stop_kind {
    EMU_STOP_NONE = 0,      /* still runnable (emu_step completed one instruction) */
    EMU_STOP_EXIT,          /* guest requested exit: exit_code (isa-debug-exit) */
    EMU_STOP_HALT,          /* HLT with interrupts disabled: nothing can wake it */
    EMU_STOP_SHUTDOWN,      /* shutdown (triple fault) */
    EMU_STOP_RESET,         /* guest requested a reset (port 0x64/0xcf9); as QEMU -no-reboot */
    EMU_STOP_INSN_LIMIT,    /* instruction limit reached */
    EMU_STOP_BREAKPOINT,    /* about to execute an instruction at a breakpoint */
    EMU_STOP_EXCEPTION,     /* break_on_exception: an exception is about to be delivered */
    EMU_STOP_ERROR,         /* emulator error: unsupported instruction/register/device */
} emu_stop_kind;

typedef struct emu_stop {
    emu_stop_kind kind;
    int exit_code;          /* EMU_STOP_EXIT: the guest's status */
    uint64_t pc;            /* address of the instruction concerned */
    uint8_t bytes[16];      /* its bytes, when known */
    unsigned n_bytes;
    int vector;             /* EMU_STOP_EXCEPTION: x86 vector; else -1 */
    uint32_t error_code;    /* EMU_STOP_EXCEPTION: error code, if the vector has one */
    char message[256];      /* one line: what happened and where */
} emu_stop;

const char *emu_stop_kind_name(emu_stop_kind kind);

/* Run until a stop; max_insns 0 means no instruction limit. */
emu_err emu_run(emu_machine *m, uint64_t max_insns, emu_stop *stop);

/* Execute exactly one instruction (stop->kind is EMU_STOP_NONE if it simply completed).
 * After a break_on_exception stop, one step is the delivery: it ends before the
 * handler's first instruction. */
emu_err emu_step(emu_machine *m, emu_stop *stop);

/* Instructions retired and modelled cycles so far. */
uint64_t emu_insn_count(const emu_machine *m);
uint64_t emu_cycle_count(const emu_machine *m);

/* Breakpoints by guest PC (virtual address of the instruction). */
emu_err emu_breakpoint_add(emu_machine *m, uint64_t pc);
emu_err emu_breakpoint_remove(emu_machine *m, uint64_t pc);

/*
 * Deterministic interrupt injection (emu --inject). The request is made when
 * execution reaches an instruction address (before that instruction runs; the
 * first time only) or when the modelled clock reaches a cycle; the CPU then
 * accepts it by the architectural rules, as it would a device's.
 * - x86-64: an NMI, or a maskable external interrupt with `vector` (IF, the
 *   STI/MOV SS shadows, NMI blocking).
 * - AArch64: interrupt `intid` (a PPI 16-31 or an SPI 32 and up) made
 *   pending at the GIC as a write to its set-pending register would; the
 *   GIC's enables, priorities and groups and PSTATE.I/F decide when it is
 *   taken. No NMI (FEAT_NMI is not modelled): EMU_ERR_UNSUPPORTED.
 * Up to 32 injections per machine; EMU_ERR_INVALID_ARG for a vector or
 * INTID the machine does not have.
 */
typedef enum emu_inject_when {
    EMU_INJECT_AT_PC,
    EMU_INJECT_AT_CYCLE,
} emu_inject_when;

typedef struct emu_injection {
    bool nmi;               /* true: an NMI; false: a maskable interrupt with `vector` */
    uint8_t vector;         /* x86-64 */
    uint16_t intid;         /* AArch64: the GIC INTID */
    emu_inject_when when;
    uint64_t at;            /* the instruction's virtual address, or the machine cycle */
} emu_injection;

emu_err emu_inject(emu_machine *m, const emu_injection *inj);

/* The value of a symbol in the firmware's ELF symbol table. EMU_ERR_INVALID_ARG if it has none. */
emu_err emu_symbol_lookup(const emu_machine *m, const char *name, uint64_t *value);

/* Registers. */
typedef enum emu_reg {
    EMU_X86_RAX = 0, EMU_X86_RCX, EMU_X86_RDX, EMU_X86_RBX,
    EMU_X86_RSP, EMU_X86_RBP, EMU_X86_RSI, EMU_X86_RDI,
    EMU_X86_R8, EMU_X86_R9, EMU_X86_R10, EMU_X86_R11,
    EMU_X86_R12, EMU_X86_R13, EMU_X86_R14, EMU_X86_R15,
    EMU_X86_RIP, EMU_X86_RFLAGS,
    /* Segment selectors (writes load from the GDT/LDT as MOV Sreg would at CPL0). */
    EMU_X86_ES, EMU_X86_CS, EMU_X86_SS, EMU_X86_DS, EMU_X86_FS, EMU_X86_GS,
    EMU_X86_ES_BASE, EMU_X86_CS_BASE, EMU_X86_SS_BASE, EMU_X86_DS_BASE,
    EMU_X86_FS_BASE, EMU_X86_GS_BASE, EMU_X86_KERNEL_GS_BASE,
    EMU_X86_CR0, EMU_X86_CR2, EMU_X86_CR3, EMU_X86_CR4, EMU_X86_CR8,
    EMU_X86_DR0, EMU_X86_DR1, EMU_X86_DR2, EMU_X86_DR3, EMU_X86_DR6, EMU_X86_DR7,
    EMU_X86_EFER,
    EMU_X86_GDTR_BASE, EMU_X86_GDTR_LIMIT, EMU_X86_IDTR_BASE, EMU_X86_IDTR_LIMIT,
    EMU_X86_LDTR, EMU_X86_TR,
    EMU_X86_CPL,            /* read-only */
    EMU_X86_REG_COUNT,
    /* AArch64, from a fixed base so x86 registers can still be appended above. */
    EMU_A64_X0 = 0x100,
    EMU_A64_X1, EMU_A64_X2, EMU_A64_X3, EMU_A64_X4, EMU_A64_X5, EMU_A64_X6, EMU_A64_X7, EMU_A64_X8,
    EMU_A64_X9, EMU_A64_X10, EMU_A64_X11, EMU_A64_X12, EMU_A64_X13, EMU_A64_X14, EMU_A64_X15, EMU_A64_X16,
    EMU_A64_X17, EMU_A64_X18, EMU_A64_X19, EMU_A64_X20, EMU_A64_X21, EMU_A64_X22, EMU_A64_X23, EMU_A64_X24,
    EMU_A64_X25, EMU_A64_X26, EMU_A64_X27, EMU_A64_X28, EMU_A64_X29, EMU_A64_X30,
    EMU_A64_SP,             /* the SP PSTATE.SPSel selects */
    EMU_A64_PC,
    EMU_A64_PSTATE,         /* as an SPSR_ELx image: NZCV, DAIF, IL, SS, M[3:0] (EL and SPSel) */
    EMU_A64_NZCV,           /* the NZCV register: flags in bits 31:28 */
    EMU_A64_CURRENTEL,      /* read-only: EL in bits 3:2 */
    EMU_A64_SP_EL0, EMU_A64_SP_EL1,
    EMU_A64_ELR_EL1, EMU_A64_SPSR_EL1, EMU_A64_ESR_EL1, EMU_A64_FAR_EL1, EMU_A64_VBAR_EL1,
    EMU_A64_SCTLR_EL1, EMU_A64_TCR_EL1, EMU_A64_TTBR0_EL1, EMU_A64_TTBR1_EL1, EMU_A64_MAIR_EL1,
    EMU_A64_CPACR_EL1, EMU_A64_TPIDR_EL1, EMU_A64_TPIDR_EL0, EMU_A64_CNTKCTL_EL1,
    EMU_A64_REG_END
} emu_reg;

const char *emu_reg_name(emu_reg reg);
emu_err emu_reg_read(emu_machine *m, emu_reg reg, uint64_t *value);
emu_err emu_reg_write(emu_machine *m, emu_reg reg, uint64_t value);

/* Guest memory, physical and virtual (virtual: through the current translation, supervisor access). */
emu_err emu_mem_read_phys(emu_machine *m, uint64_t pa, void *buf, size_t len);
emu_err emu_mem_write_phys(emu_machine *m, uint64_t pa, const void *buf, size_t len);
emu_err emu_mem_read_virt(emu_machine *m, uint64_t va, void *buf, size_t len);
emu_err emu_mem_write_virt(emu_machine *m, uint64_t va, const void *buf, size_t len);

/* x86 decoding as the interpreter sees it (for disassembly views and tests). */
typedef enum emu_x86_mode {
    EMU_X86_MODE_16 = 16,
    EMU_X86_MODE_32 = 32,
    EMU_X86_MODE_64 = 64,
} emu_x86_mode;

typedef struct emu_x86_insn_info {
    unsigned length;        /* bytes consumed */
    char mnemonic[16];      /* lower case, as the decoder's table names it */
    bool supported;         /* false: decodes, but emu does not execute it */
} emu_x86_insn_info;

/*
 * Decode one instruction. Returns EMU_OK with info filled, EMU_ERR_INVALID_ARG
 * for bytes that are not a valid instruction (#UD), EMU_ERR_BAD_ADDRESS if
 * len is too short for the instruction.
 */
emu_err emu_x86_decode(const uint8_t *bytes, size_t len, emu_x86_mode mode,
                       emu_x86_insn_info *info);

/*
 * The trap as data: every delivery (exception, software interrupt) and every
 * return (IRET) is one record, built step by step by the delivery code as it
 * works. Each step names the architectural operation, what it read or wrote
 * and its modelled cost; the steps' cycles add up to `cycles`.
 */
#define EMU_TRAP_MAX_STEPS 40

typedef enum emu_trap_kind {
    EMU_TRAP_FAULT,         /* saved PC is the faulting instruction */
    EMU_TRAP_TRAP,          /* saved PC is the next instruction (INT1, #DB traps), or a REP string instruction with iterations left */
    EMU_TRAP_ABORT,         /* #DF (and machine checks) */
    EMU_TRAP_SOFTWARE,      /* INT n, INT3, INTO */
    EMU_TRAP_SYSCALL,       /* SYSCALL, SYSENTER */
    EMU_TRAP_RETURN,        /* IRET, SYSRET, SYSEXIT, far RET to an outer privilege level */
    EMU_TRAP_INTERRUPT,     /* a maskable external interrupt (INTR), accepted at an instruction boundary */
    EMU_TRAP_NMI,           /* a non-maskable interrupt */
    EMU_TRAP_CALL_GATE,     /* far CALL or JMP through a call gate (the far RET back is EMU_TRAP_RETURN) */
} emu_trap_kind;
#define EMU_TRAP_KIND_COUNT (EMU_TRAP_CALL_GATE + 1)

typedef struct emu_trap_step {
    const char *name;       /* "read IDT[14]", "push RIP", ... (static text) */
    uint64_t addr;          /* address read or written, 0 if none */
    uint64_t value;         /* what was read or written */
    uint32_t cycles;        /* modelled cost of this step */
} emu_trap_step;

typedef struct emu_trap {
    uint64_t seq;           /* 1, 2, ... per machine */
    emu_arch arch;          /* which architecture's fields below apply */
    uint64_t cycle_start;   /* machine clock when delivery began */
    uint64_t cycles;        /* modelled cost: the sum of the steps' cycles */
    emu_trap_kind kind;
    int vector;             /* x86 vector; -1 for a return */
    bool has_error_code;
    uint32_t error_code;
    uint64_t cr2;           /* #PF: the faulting linear address */
    uint64_t from_pc, from_sp;
    unsigned from_priv;     /* CPL */
    uint64_t to_pc, to_sp;
    unsigned to_priv;
    char stack[16];         /* why that stack: "current", "RSP0", "IST1", ... */
    uint64_t gs_base;       /* x86: the GS base in force when the record began */
    uint64_t kernel_gs_base;/* x86: IA32_KERNEL_GS_BASE then (SWAPGS would exchange the two) */
    char source[64];        /* interrupts: who raised it ("injected", "APIC timer", ...); else "" */
    /* AArch64: vector is the slot number 0-15 (offset from VBAR / 0x80), from/to_priv are ELs, and
     * stack names the SP selected ("SP_EL1", "SP_EL0"). */
    uint32_t esr;           /* ESR_ELx written (synchronous exceptions and SError) */
    uint64_t far;           /* FAR_ELx written, when far_valid */
    bool far_valid;
    uint64_t spsr;          /* SPSR_ELx written on entry, or read by ERET */
    uint64_t vbar;          /* VBAR_ELx the vector was taken from */
    char escalation[200];   /* "#NP delivering #GP -> #DF", or "" */
    unsigned n_steps;
    emu_trap_step steps[EMU_TRAP_MAX_STEPS];
} emu_trap;

typedef void (*emu_trap_fn)(void *ctx, const emu_trap *trap);

/* Call fn with every trap record as it completes (NULL: none). */
void emu_set_trap_hook(emu_machine *m, emu_trap_fn fn, void *ctx);

const char *emu_trap_kind_name(emu_trap_kind kind);

/* A record as one line of text (no newline), as `emu --trace-traps` prints it.
 * Returns its length, or 0 (and an empty string) if len is too small. */
size_t emu_trap_to_text(const emu_trap *trap, char *buf, size_t len);

/* A record as one JSON object (no newline), the JSON Lines trace format of
 * docs/trace.md. Returns its length, or 0 if len is too small (8 KiB always suffices). */
size_t emu_trap_to_json(const emu_trap *trap, char *buf, size_t len);
#define EMU_TRAP_JSON_MAX 8192

/* A record narrated in plain English, as `emu --explain` prints it: a first
 * line saying what was delivered or returned from where, then one numbered
 * line per step ("  3. read IDT gate: It reads ..."), then where the handler
 * (or the return) starts and the cost. Lines end in '\n' but the last.
 * Returns its length, or 0 (and an empty string) if len is too small. */
size_t emu_trap_explain(const emu_trap *trap, char *buf, size_t len);
#define EMU_TRAP_EXPLAIN_MAX 16384

/* Counts and modelled cycles per kind, and per vector within a kind, as
 * `emu --summary` prints them. Zero it, then add every record. */
typedef struct emu_trap_summary {
    uint64_t count[EMU_TRAP_KIND_COUNT];
    uint64_t cycles[EMU_TRAP_KIND_COUNT];
    uint64_t vector_count[EMU_TRAP_KIND_COUNT][256];
    uint64_t vector_cycles[EMU_TRAP_KIND_COUNT][256];
    emu_arch arch;          /* the records' architecture (vector labels); set by emu_trap_summary_add */
} emu_trap_summary;

void emu_trap_summary_add(emu_trap_summary *s, const emu_trap *trap);

/* The summary as a table: a header, a row per kind seen (kind order), under
 * it a row per vector (ascending), and a total. Returns its length, or 0 if
 * len is too small (EMU_TRAP_SUMMARY_TEXT_MAX always suffices). */
size_t emu_trap_summary_to_text(const emu_trap_summary *s, char *buf, size_t len);
#define EMU_TRAP_SUMMARY_TEXT_MAX (64 * (2 + EMU_TRAP_KIND_COUNT * 257))

/* Text for `--cpu help`: the x86 CPU models and how to change features. */
const char *emu_x86_cpu_help(void);

/* Text for `--cpu help`: the AArch64 (virt) CPU models and their MIDR_EL1. */
const char *emu_a64_cpu_help(void);

#ifdef __cplusplus
}
#endif

#endif
