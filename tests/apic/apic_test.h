/*
 * Helpers for the APIC suites: register accesses as single guest
 * instructions (RDMSR/WRMSR, 32-bit MMIO loads and stores) that report the
 * exception they raise, a tiny code emitter, and a machine with GDT, TSS
 * and IDT whose handlers acknowledge the interrupt and return, so delivery
 * order and nesting can be read from the trap records. Public API only.
 */
#ifndef EMU_TEST_APIC_TEST_H
#define EMU_TEST_APIC_TEST_H

#include <check.h>
#include <stdio.h>
#include <string.h>

#include "emu_test.h"

enum { V_GP = 13, V_NMI = 2 };

#define MSR_APIC_BASE    0x1bu
#define MSR_TSC          0x10u
#define MSR_TSC_DEADLINE 0x6e0u
#define X2(reg)          (0x800u + (reg))   /* x2APIC MSR of register index reg */
#define XAPIC            0xfee00000u
#define XA(reg)          (XAPIC + 16u * (reg))

/* Register indices (SDM vol. 3, table 11-6: MSR - 0x800, or xAPIC offset / 16). */
enum {
    R_ID = 0x02, R_VER = 0x03, R_TPR = 0x08, R_APR = 0x09, R_PPR = 0x0a, R_EOI = 0x0b, R_RRD = 0x0c,
    R_LDR = 0x0d, R_DFR = 0x0e, R_SVR = 0x0f, R_ISR = 0x10, R_TMR = 0x18, R_IRR = 0x20, R_ESR = 0x28,
    R_CMCI = 0x2f, R_ICR = 0x30, R_ICR_HI = 0x31, R_LVT_TIMER = 0x32, R_LVT_LINT0 = 0x35,
    R_LVT_LINT1 = 0x36, R_LVT_ERROR = 0x37, R_TIMER_INIT = 0x38, R_TIMER_CUR = 0x39, R_TIMER_DIV = 0x3e,
    R_SELF_IPI = 0x3f,
};

#define BASE_EN   (1u << 11)
#define BASE_EXTD (1u << 10)
#define BASE_BSP  (1u << 8)
#define APIC_BASE_XAPIC  (XAPIC | BASE_BSP | BASE_EN)
#define APIC_BASE_X2APIC (XAPIC | BASE_BSP | BASE_EN | BASE_EXTD)
#define APIC_BASE_OFF    (XAPIC | BASE_BSP)
#define SVR_ENABLE 0x1ffu                   /* software enable, spurious vector 0xff */
#define LVT_MASKED (1u << 16)
#define TIMER_PERIODIC (1u << 17)
#define TIMER_DEADLINE (2u << 17)
#define ICR_NMI   (4u << 8)
#define ICR_INIT  (5u << 8)
#define ICR_SIPI  (6u << 8)
#define ICR_LEVEL_ASSERT (1u << 14)
#define ICR_SELF  (1u << 18)
#define ICR_ALL   (2u << 18)
#define ICR_OTHERS (3u << 18)

/* ---- code emitter ---- */
typedef struct code {
    uint8_t b[2048];
    size_t n;
} code;

static inline void emit(code *c, const uint8_t *bytes, size_t n)
{
    ck_assert_msg(c->n + n <= sizeof c->b, "code buffer full");
    memcpy(c->b + c->n, bytes, n);
    c->n += n;
}

static inline void emit_imm32(code *c, uint8_t op, uint32_t imm)
{
    uint8_t b[5] = { op, (uint8_t)imm, (uint8_t)(imm >> 8), (uint8_t)(imm >> 16), (uint8_t)(imm >> 24) };
    emit(c, b, sizeof b);
}

#define OP_MOV_EAX 0xb8
#define OP_MOV_ECX 0xb9
#define OP_MOV_EDX 0xba
#define OP_MOV_EDI 0xbf

static inline void e_wrmsr(code *c, uint32_t msr, uint64_t val)
{
    emit_imm32(c, OP_MOV_ECX, msr);
    emit_imm32(c, OP_MOV_EAX, (uint32_t)val);
    emit_imm32(c, OP_MOV_EDX, (uint32_t)(val >> 32));
    emit(c, (const uint8_t[]){ 0x0f, 0x30 }, 2);
}

static inline void e_mmio_write(code *c, uint32_t addr, uint32_t val)
{
    emit_imm32(c, OP_MOV_EDI, addr);
    emit_imm32(c, OP_MOV_EAX, val);
    emit(c, (const uint8_t[]){ 0x89, 0x07 }, 2);        /* mov [rdi], eax */
}


/* Literal instruction bytes: E(c, 0xfb, 0x90) */
#define E(c, ...) emit((c), (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ }))
#define I_STI 0xfb
#define I_CLI 0xfa
#define I_HLT 0xf4
#define I_NOP 0x90
#define I_IRETQ 0x48, 0xcf

/* ---- single-instruction register access on a bare machine (break_on_exception) ---- */

static inline emu_machine *a_bare(const char *cpu)
{
    emu_options opts;
    emu_options_init(&opts);
    opts.arch = EMU_ARCH_X86_64;
    opts.cpu_model = cpu;
    opts.break_on_exception = true;
    emu_machine *m = NULL;
    emu_err err = emu_create(&opts, &m);
    ck_assert_msg(err == EMU_OK, "emu_create(%s): %s", cpu ? cpu : "default", emu_strerror(err));
    return m;
}

/* Run the loaded code one instruction; the vector it raised, or -1. */
static inline int a_step(emu_machine *m, const char *what)
{
    emu_stop stop;
    ck_assert_msg(emu_step(m, &stop) == EMU_OK, "%s: step", what);
    if (stop.kind == EMU_STOP_EXCEPTION) {
        t_abandon_exception(m);
        return stop.vector;
    }
    ck_assert_msg(stop.kind == EMU_STOP_NONE, "%s: stopped: %s", what, stop.message);
    return -1;
}

static inline int a_wrmsr(emu_machine *m, uint32_t msr, uint64_t val)
{
    static const uint8_t wrmsr[] = { 0x0f, 0x30 };
    t_load_code(m, wrmsr, sizeof wrmsr);
    t_set_reg(m, EMU_X86_RCX, msr);
    t_set_reg(m, EMU_X86_RAX, (uint32_t)val);
    t_set_reg(m, EMU_X86_RDX, val >> 32);
    return a_step(m, "wrmsr");
}

static inline int a_rdmsr(emu_machine *m, uint32_t msr, uint64_t *val)
{
    static const uint8_t rdmsr[] = { 0x0f, 0x32 };
    t_load_code(m, rdmsr, sizeof rdmsr);
    t_set_reg(m, EMU_X86_RCX, msr);
    int v = a_step(m, "rdmsr");
    *val = (t_reg(m, EMU_X86_RDX) << 32) | (t_reg(m, EMU_X86_RAX) & 0xffffffffu);
    return v;
}

static inline uint64_t a_msr(emu_machine *m, uint32_t msr, const char *what)
{
    uint64_t v = 0;
    int vec = a_rdmsr(m, msr, &v);
    ck_assert_msg(vec < 0, "%s: rdmsr 0x%x raised vector %d", what, msr, vec);
    return v;
}

static inline void a_wrmsr_ok(emu_machine *m, uint32_t msr, uint64_t val, const char *what)
{
    int vec = a_wrmsr(m, msr, val);
    ck_assert_msg(vec < 0, "%s: wrmsr 0x%x <- 0x%llx raised vector %d", what, msr, (unsigned long long)val, vec);
}

static inline void a_mmio_write(emu_machine *m, uint32_t addr, uint32_t val)
{
    static const uint8_t store[] = { 0x89, 0x07 };      /* mov [rdi], eax */
    t_load_code(m, store, sizeof store);
    t_set_reg(m, EMU_X86_RDI, addr);
    t_set_reg(m, EMU_X86_RAX, val);
    ck_assert_msg(a_step(m, "mmio write") < 0, "mmio write 0x%x faulted", addr);
}

static inline uint32_t a_mmio_read(emu_machine *m, uint32_t addr)
{
    static const uint8_t load[] = { 0x8b, 0x07 };       /* mov eax, [rdi] */
    t_load_code(m, load, sizeof load);
    t_set_reg(m, EMU_X86_RDI, addr);
    ck_assert_msg(a_step(m, "mmio read") < 0, "mmio read 0x%x faulted", addr);
    return (uint32_t)t_reg(m, EMU_X86_RAX);
}

/* ---- a machine that takes interrupts ---- */

#define GDT_ADDR   0x10000ull
#define TSS_ADDR   0x11000ull
#define IDT_ADDR   0x12000ull
#define HANDLERS   0x20000ull   /* vector v's handler at HANDLERS + HANDLER_SIZE * v */
#define HANDLER_SIZE 64u
#define RSP0_TOP   0x50000ull
#define SEL_KCODE  0x08

static inline void a_poke(emu_machine *m, uint64_t pa, const void *p, size_t n)
{
    ck_assert_msg(emu_mem_write_phys(m, pa, p, n) == EMU_OK, "write 0x%llx", (unsigned long long)pa);
}

static inline uint64_t a_seg_desc(unsigned type_s, unsigned flags)
{
    return 0xffffull | (uint64_t)type_s << 40 | 1ull << 47 | 0xfull << 48 | (uint64_t)flags << 52;
}

/* Every vector's handler: "sti" (so a higher class may nest), nop, EOI (x2APIC MSR or xAPIC MMIO), IRETQ. */
static inline void a_set_handler(emu_machine *m, unsigned vector, const code *body)
{
    ck_assert_msg(body->n <= HANDLER_SIZE, "handler for 0x%x too long", vector);
    a_poke(m, HANDLERS + HANDLER_SIZE * vector, body->b, body->n);
}

static inline void a_eoi(code *c, bool x2)
{
    if (x2)
        e_wrmsr(c, X2(R_EOI), 0);
    else
        e_mmio_write(c, XA(R_EOI), 0);
}

static inline void a_default_handler(code *c, bool x2)
{
    E(c, I_STI, I_NOP);
    a_eoi(c, x2);
    E(c, I_IRETQ);
}

static inline emu_machine *a_machine(const char *cpu, t_trap_log *log, bool x2)
{
    emu_options opts;
    emu_options_init(&opts);
    opts.arch = EMU_ARCH_X86_64;
    opts.cpu_model = cpu;
    emu_machine *m = NULL;
    ck_assert(emu_create(&opts, &m) == EMU_OK);
    uint64_t gdt[8] = {
        0, a_seg_desc(0x1b, 0x2), a_seg_desc(0x1b, 0xc), a_seg_desc(0x13, 0xc), 0, 0,
        0x67 | (TSS_ADDR & 0xffffff) << 16 | 0x9ull << 40 | 1ull << 47 | (TSS_ADDR >> 24 & 0xff) << 56,
        TSS_ADDR >> 32,
    };
    a_poke(m, GDT_ADDR, gdt, sizeof gdt);
    uint8_t tss[0x68] = { 0 };
    uint64_t rsp0 = RSP0_TOP;
    memcpy(tss + 4, &rsp0, 8);
    a_poke(m, TSS_ADDR, tss, sizeof tss);
    code h = { .n = 0 };
    a_default_handler(&h, x2);
    for (unsigned v = 0; v < 256; v++) {
        a_set_handler(m, v, &h);
        uint64_t off = HANDLERS + HANDLER_SIZE * v;
        uint64_t g[2] = { (off & 0xffff) | (uint64_t)SEL_KCODE << 16 | 0xeull << 40 | 1ull << 47 |
                              ((off >> 16) & 0xffff) << 48, off >> 32 };
        a_poke(m, IDT_ADDR + 16ull * v, g, sizeof g);
    }
    t_set_reg(m, EMU_X86_GDTR_BASE, GDT_ADDR);
    t_set_reg(m, EMU_X86_GDTR_LIMIT, sizeof gdt - 1);
    t_set_reg(m, EMU_X86_IDTR_BASE, IDT_ADDR);
    t_set_reg(m, EMU_X86_IDTR_LIMIT, 256 * 16 - 1);
    t_trap_log_attach(m, log);
    return m;
}

/* The prologue every interrupt test starts with: the mode, and the APIC software-enabled. */
static inline void a_enable(code *c, bool x2)
{
    if (x2) {
        e_wrmsr(c, MSR_APIC_BASE, APIC_BASE_X2APIC);
        e_wrmsr(c, X2(R_SVR), SVR_ENABLE);
    } else {
        e_mmio_write(c, XA(R_SVR), SVR_ENABLE);
    }
}

static inline void a_write(code *c, bool x2, unsigned reg, uint32_t val)
{
    if (x2)
        e_wrmsr(c, X2(reg), val);
    else
        e_mmio_write(c, XA(reg), val);
}

/* Load c at T_CODE_ADDR and run until the machine stops; return the stop. */
static inline emu_stop a_run(emu_machine *m, const code *c, uint64_t max)
{
    t_load_code(m, c->b, c->n);
    return t_run(m, max);
}

/* The interrupt records (kind interrupt or NMI) in order, as "v:source" checks. */
static inline const emu_trap *a_interrupt(const t_trap_log *log, unsigned nth)
{
    unsigned seen = 0;
    for (unsigned i = 0; i < log->n && i < 32; i++) {
        const emu_trap *t = &log->recs[i];
        if (t->kind != EMU_TRAP_INTERRUPT && t->kind != EMU_TRAP_NMI)
            continue;
        if (seen++ == nth)
            return t;
    }
    return NULL;
}

#define A_EXPECT_INTERRUPT(log, nth, want_vector, want_source)                                        \
    do {                                                                                              \
        const emu_trap *t_ = a_interrupt((log), (nth));                                               \
        ck_assert_msg(t_, "interrupt #%u: want vector 0x%x, got none", (nth), (unsigned)(want_vector)); \
        ck_assert_msg(t_->vector == (int)(want_vector), "interrupt #%u: want vector 0x%x, got 0x%x (%s)", \
                      (nth), (unsigned)(want_vector), (unsigned)t_->vector, t_->source);             \
        ck_assert_msg(strcmp(t_->source, (want_source)) == 0, "interrupt #%u (0x%x): source '%s', want '%s'", \
                      (nth), (unsigned)(want_vector), t_->source, (want_source));                     \
    } while (0)

#endif
