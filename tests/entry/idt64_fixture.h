/*
 * A bare 64-bit machine with its own GDT, TSS and IDT whose handlers are
 * "cli; hlt", for the delivery suites (test_deliver64.c, test_gate_rules.c):
 * each case runs guest code until a handler halts, then inspects the frame
 * and the trap records.
 */
#ifndef EMU_TEST_IDT64_FIXTURE_H
#define EMU_TEST_IDT64_FIXTURE_H

#include <check.h>
#include <string.h>

#include "emu_test.h"

#define GDT_ADDR   0x10000ull
#define TSS_ADDR   0x11000ull
#define IDT_ADDR   0x12000ull
#define HANDLERS   0x20000ull   /* vector v's handler at HANDLERS + 16 * v */
#define RSP0_TOP   0x50000ull
#define IST1_TOP   0x60008ull   /* deliberately not 16-byte aligned */
#define USER_RSP   0x1ff008ull

/* The boot GDT's kernel selectors (0x08 code, 0x18 data) keep their meaning. */
#define SEL_KCODE  0x08
#define SEL_KDATA  0x18
#define SEL_UDATA  0x23
#define SEL_UCODE  0x2b
#define SEL_TSS    0x30

#define GATE_INT   0xe
#define GATE_TRAP  0xf
#define RF         (1ull << 16)
#define IF         (1ull << 9)

static const uint8_t setup_code[] = {
    0x66, 0xb8, SEL_TSS, 0x00,      /* mov ax, SEL_TSS */
    0x0f, 0x00, 0xd8,               /* ltr ax */
};
#define BODY_ADDR (T_CODE_ADDR + sizeof setup_code)

static inline uint64_t desc(unsigned type_s, unsigned dpl, unsigned flags)
{
    /* base 0, limit 0xfffff, present */
    return 0xffffull | (uint64_t)type_s << 40 | (uint64_t)dpl << 45 | 1ull << 47 | 0xfull << 48 |
           (uint64_t)flags << 52;
}

static inline void poke(emu_machine *m, uint64_t pa, const void *p, size_t n)
{
    ck_assert_msg(emu_mem_write_phys(m, pa, p, n) == EMU_OK, "write 0x%llx", (unsigned long long)pa);
}

static inline uint64_t peek64(emu_machine *m, uint64_t va)
{
    uint64_t v = 0;
    ck_assert_msg(emu_mem_read_virt(m, va, &v, 8) == EMU_OK, "read 0x%llx", (unsigned long long)va);
    return v;
}

static inline void set_gate(emu_machine *m, unsigned vector, uint64_t offset, unsigned ist, unsigned type, unsigned dpl,
                     bool present)
{
    uint64_t g[2];
    g[0] = (offset & 0xffff) | (uint64_t)SEL_KCODE << 16 | (uint64_t)ist << 32 | (uint64_t)type << 40 |
           (uint64_t)dpl << 45 | (uint64_t)present << 47 | ((offset >> 16) & 0xffff) << 48;
    g[1] = offset >> 32;
    poke(m, IDT_ADDR + 16ull * vector, g, sizeof g);
}

/* A machine with GDT, TSS and an IDT whose gates all halt. */
static inline emu_machine *machine_with(t_trap_log *log, bool break_on_exception)
{
    emu_options opts;
    emu_options_init(&opts);
    opts.arch = EMU_ARCH_X86_64;
    opts.break_on_exception = break_on_exception;
    emu_machine *m = NULL;
    ck_assert(emu_create(&opts, &m) == EMU_OK);
    uint64_t gdt[8] = {
        0, desc(0x1b, 0, 0x2), desc(0x1b, 0, 0xc), desc(0x13, 0, 0xc), desc(0x13, 3, 0xc), desc(0x1b, 3, 0x2),
        /* 64-bit TSS, limit 0x67, available */
        0x67 | (TSS_ADDR & 0xffffff) << 16 | 0x9ull << 40 | 1ull << 47 | (TSS_ADDR >> 24 & 0xff) << 56,
        TSS_ADDR >> 32,
    };
    poke(m, GDT_ADDR, gdt, sizeof gdt);
    uint8_t tss[0x68] = { 0 };
    uint64_t rsp0 = RSP0_TOP, ist1 = IST1_TOP;
    memcpy(tss + 4, &rsp0, 8);
    memcpy(tss + 0x24, &ist1, 8);
    poke(m, TSS_ADDR, tss, sizeof tss);
    static const uint8_t halt[] = { 0xfa, 0xf4 };
    for (unsigned v = 0; v < 256; v++) {
        poke(m, HANDLERS + 16ull * v, halt, sizeof halt);
        set_gate(m, v, HANDLERS + 16ull * v, 0, GATE_INT, 0, true);
    }
    t_set_reg(m, EMU_X86_GDTR_BASE, GDT_ADDR);
    t_set_reg(m, EMU_X86_GDTR_LIMIT, sizeof gdt - 1);
    t_set_reg(m, EMU_X86_IDTR_BASE, IDT_ADDR);
    t_set_reg(m, EMU_X86_IDTR_LIMIT, 256 * 16 - 1);
    poke(m, T_CODE_ADDR, setup_code, sizeof setup_code);
    t_set_reg(m, EMU_X86_RIP, T_CODE_ADDR);
    t_set_reg(m, EMU_X86_RSP, T_STACK_TOP);
    t_trap_log_attach(m, log);
    return m;
}

/* The usual case: exceptions are delivered. */
static inline emu_machine *machine(t_trap_log *log)
{
    return machine_with(log, false);
}

/* Run to the handler's HLT (its second byte: the handler starts with a one-byte instruction). */
static inline void run_to_handler(emu_machine *m, unsigned vector, const char *what)
{
    emu_stop stop = t_run(m, 1000);
    ck_assert_msg(stop.kind == EMU_STOP_HALT, "%s: want the handler's HLT, got %s: %s", what,
                  emu_stop_kind_name(stop.kind), stop.message);
    ck_assert_msg(stop.pc == HANDLERS + 16ull * vector + 1, "%s: halted at 0x%llx, want the handler's HLT at 0x%llx",
                  what, (unsigned long long)stop.pc, (unsigned long long)(HANDLERS + 16ull * vector + 1));
}

static inline void check_record_sums(const emu_trap *t, const char *what)
{
    uint64_t sum = 0;
    for (unsigned i = 0; i < t->n_steps; i++)
        sum += t->steps[i].cycles;
    ck_assert_msg(t->n_steps > 0 && sum == t->cycles, "%s: %u steps summing to %llu, record says %llu", what,
                  t->n_steps, (unsigned long long)sum, (unsigned long long)t->cycles);
}

/* Enter ring 3 with IRETQ, then run user_code there. */
static inline void to_ring3(emu_machine *m, const uint8_t *user_code, size_t len)
{
    static const uint8_t iretq[] = { 0x48, 0xcf };
    poke(m, BODY_ADDR, iretq, sizeof iretq);
    poke(m, 0x180000, user_code, len);
    uint64_t frame[5] = { 0x180000, SEL_UCODE, 0x202, USER_RSP, SEL_UDATA };
    poke(m, T_STACK_TOP - sizeof frame, frame, sizeof frame);
    t_set_reg(m, EMU_X86_RSP, T_STACK_TOP - sizeof frame);
}

#endif
