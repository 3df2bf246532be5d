/*
 * Table-driven single-instruction cases for the x86 arithmetic suites
 * (test_alu.c, test_shift.c, test_muldiv.c, test_bitops.c).
 *
 * A case is one instruction with RAX, RBX, RCX, RDX and the arithmetic flags
 * in, RSI pointing at the middle of a 32-byte data window, and the registers,
 * flags (under the mask of flags the SDM defines for it) and window out. The
 * expected values were taken by running each instruction on an x86-64 host
 * (AMD EPYC) with the same inputs; the flags the SDM leaves undefined are
 * masked there and pinned separately where emu documents a choice
 * (docs/x86-flags.md).
 */
#ifndef EMU_TEST_X86_CASE_H
#define EMU_TEST_X86_CASE_H

#include <stdio.h>
#include <string.h>

#include "emu_test.h"

#define T_FLAGS_ARITH 0x8d5ull      /* OF SF ZF AF PF CF */
#define T_FLAG_CF 0x001ull
#define T_FLAG_PF 0x004ull
#define T_FLAG_AF 0x010ull
#define T_FLAG_ZF 0x040ull
#define T_FLAG_SF 0x080ull
#define T_FLAG_OF 0x800ull
#define T_RFLAGS_FIXED 0x2ull
#define T_WINDOW_WORDS 4
#define T_RSI_IN_WINDOW 16          /* RSI = T_DATA_ADDR + 16 */
#define T_VEC_DE 0
#define T_VEC_UD 6
#define T_VEC_GP 13

typedef struct t_x86_case {
    const char *name;
    uint8_t code[15];
    uint8_t len;
    uint64_t in[4];                 /* RAX RBX RCX RDX */
    uint64_t flags_in;
    uint64_t mem_in[T_WINDOW_WORDS];
    uint64_t out[4];
    uint64_t flags_out;             /* already masked */
    uint64_t flags_mask;
    uint64_t mem_out[T_WINDOW_WORDS];
} t_x86_case;

static const emu_reg t_case_regs[4] = { EMU_X86_RAX, EMU_X86_RBX, EMU_X86_RCX, EMU_X86_RDX };

/* Load code and inputs into m (reused between cases). */
static inline void t_case_setup(emu_machine *m, const uint8_t *code, unsigned len, const uint64_t in[4],
                                uint64_t flags_in, const uint64_t mem_in[T_WINDOW_WORDS])
{
    t_load_code(m, code, len);
    for (unsigned i = 0; i < 4; i++)
        t_set_reg(m, t_case_regs[i], in[i]);
    t_set_reg(m, EMU_X86_RSI, T_DATA_ADDR + T_RSI_IN_WINDOW);
    t_set_reg(m, EMU_X86_RFLAGS, T_RFLAGS_FIXED | flags_in);
    uint64_t zero[T_WINDOW_WORDS] = { 0 };
    emu_err err = emu_mem_write_phys(m, T_DATA_ADDR, mem_in ? mem_in : zero, sizeof zero);
    ck_assert_msg(err == EMU_OK, "write data window: %s", emu_strerror(err));
}

/* Step one instruction and compare registers, RIP, masked flags and memory. */
static inline void t_case_check(emu_machine *m, const char *what, unsigned len, const uint64_t out[4],
                                uint64_t flags_out, uint64_t flags_mask, const uint64_t mem_out[T_WINDOW_WORDS])
{
    t_step_n(m, 1, what);
    for (unsigned i = 0; i < 4; i++)
        T_EXPECT_REG(m, t_case_regs[i], out[i], what);
    T_EXPECT_REG(m, EMU_X86_RSI, T_DATA_ADDR + T_RSI_IN_WINDOW, what);
    T_EXPECT_REG(m, EMU_X86_RIP, T_CODE_ADDR + len, what);
    uint64_t fl = t_reg(m, EMU_X86_RFLAGS);
    ck_assert_msg((fl & flags_mask) == flags_out, "%s: RFLAGS want 0x%llx got 0x%llx (mask 0x%llx)", what,
                  (unsigned long long)flags_out, (unsigned long long)(fl & flags_mask),
                  (unsigned long long)flags_mask);
    ck_assert_msg((fl & ~T_FLAGS_ARITH) == T_RFLAGS_FIXED, "%s: non-arithmetic RFLAGS bits changed: 0x%llx", what,
                  (unsigned long long)fl);
    if (mem_out) {
        uint64_t got[T_WINDOW_WORDS];
        emu_err err = emu_mem_read_phys(m, T_DATA_ADDR, got, sizeof got);
        ck_assert_msg(err == EMU_OK, "read data window: %s", emu_strerror(err));
        for (unsigned i = 0; i < T_WINDOW_WORDS; i++)
            ck_assert_msg(got[i] == mem_out[i], "%s: memory [rsi%+d] want 0x%llx got 0x%llx", what,
                          (int)(8 * i) - T_RSI_IN_WINDOW, (unsigned long long)mem_out[i],
                          (unsigned long long)got[i]);
    }
}

static inline void t_case_run(emu_machine *m, const t_x86_case *c, unsigned index)
{
    char what[192];
    snprintf(what, sizeof what, "case %u \"%s\"", index, c->name);
    t_case_setup(m, c->code, c->len, c->in, c->flags_in, c->mem_in);
    t_case_check(m, what, c->len, c->out, c->flags_out, c->flags_mask, c->mem_out);
}

static inline void t_case_table(const t_x86_case *cases, unsigned n)
{
    emu_machine *m = t_machine(EMU_X86_START_LONG64);
    for (unsigned i = 0; i < n; i++)
        t_case_run(m, &cases[i], i);
    emu_close(m);
}

/* One instruction that must raise `vector` and change no register or memory. */
typedef struct t_x86_fault_case {
    const char *name;
    uint8_t code[15];
    uint8_t len;
    uint64_t in[4];
    int vector;
} t_x86_fault_case;

static inline void t_fault_table(const t_x86_fault_case *cases, unsigned n)
{
    emu_machine *m = t_machine(EMU_X86_START_LONG64);
    for (unsigned i = 0; i < n; i++) {
        const t_x86_fault_case *c = &cases[i];
        /* [rsi+8] is zero (a zero divisor). */
        uint64_t mem[T_WINDOW_WORDS] = { 0x1111111111111111ull, 0x2222222222222222ull, 0x3333333333333333ull, 0 };
        t_case_setup(m, c->code, c->len, c->in, 0, mem);
        emu_stop stop;
        emu_err err = emu_step(m, &stop);
        ck_assert_msg(err == EMU_OK, "fault case %u \"%s\": %s", i, c->name, emu_strerror(err));
        ck_assert_msg(stop.kind == EMU_STOP_EXCEPTION && stop.vector == c->vector,
                      "fault case %u \"%s\": want exception %d, got stop %s vector %d (%s)", i, c->name, c->vector,
                      emu_stop_kind_name(stop.kind), stop.vector, stop.message);
        char what[192];
        snprintf(what, sizeof what, "fault case %u \"%s\"", i, c->name);
        for (unsigned r = 0; r < 4; r++)
            T_EXPECT_REG(m, t_case_regs[r], c->in[r], what);
        T_EXPECT_REG(m, EMU_X86_RIP, T_CODE_ADDR, what);
        uint64_t got[T_WINDOW_WORDS];
        ck_assert(emu_mem_read_phys(m, T_DATA_ADDR, got, sizeof got) == EMU_OK);
        ck_assert_msg(memcmp(got, mem, sizeof got) == 0, "%s: memory changed", what);
        emu_close(m);
        m = t_machine(EMU_X86_START_LONG64);
    }
    emu_close(m);
}

#endif
