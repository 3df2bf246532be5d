/*
 * Differential test of the A64 integer interpreter against Unicorn 2 (QEMU
 * TCG, CPU model "max" so that LSE atomics exist).
 *
 * A deterministic generator (fixed seed; EMU_DIFF_SEED overrides) builds
 * sequences of random integer instructions: every data-processing
 * (immediate and register) class, branches (B, BL, B.cond, CBZ/CBNZ,
 * TBZ/TBNZ, BR/BLR/RET through ADR), and loads/stores in every addressing
 * mode, pairs, literals, exclusives (as LDXR/STXR pairs), load-acquire/
 * store-release, LSE atomics incl. CAS/CASP, and MRS/MSR of NZCV and
 * TPIDR_EL0, hints and barriers. Field values are random
 * within the class; words this decoder calls undefined are redrawn.
 * Both CPUs start each sequence from the same random registers, NZCV and
 * data, and step one instruction at a time; after each one all of X0-X30,
 * SP, NZCV and PC are compared, and the 16 bytes at the last store. At the
 * end of a sequence the data window is compared whole. A second run hands
 * the interpreter host page hints (a64.h) as the virt platform does, so
 * that its fast paths for hinted pages are compared too (an access served
 * by a hint bypasses the callback, so only the end-of-sequence compare of
 * memory sees it).
 *
 * Register roles keep memory operands inside the data window: X28 is a
 * fixed 64-byte aligned base, X27 a small index (register offsets), X26 the
 * base that pre/post-index writeback moves, X25 a second aligned base. No
 * generated instruction writes X25, X27 or X28.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicorn/unicorn.h>

#include "a64_case.h"
#include "emu_test.h"

#define DIFF_SEED_DEFAULT 0x5eeda64d1ff00001ull
#define DIFF_SEQUENCES 1000
#define DIFF_SEQ_LEN 150
#define DIFF_MIN_INSNS 100000
#define DIFF_MAX_STEPS (3 * DIFF_SEQ_LEN)
#define DIFF_DATA_SIZE 0x20000u
#define DIFF_BASE (T64_DATA + DIFF_DATA_SIZE / 2)
#define R_BASE2 25
#define R_WBASE 26
#define R_INDEX 27
#define R_BASE 28

static uint64_t rng;

static uint64_t rnd(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545f4914f6cdd1dull;
}

static unsigned rn(unsigned n)
{
    return (unsigned)(rnd() % n);
}

static uint64_t interesting(void)
{
    static const uint64_t v[] = { 0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000,
                                  0xffffffff, 0x100000000ull, 0x7fffffffffffffffull, 0x8000000000000000ull,
                                  ~0ull, ~1ull };
    switch (rn(4)) {
    case 0: return v[rn(sizeof v / sizeof v[0])];
    case 1: return rnd() & 0xff;
    case 2: return (uint64_t)(int64_t)(int32_t)rnd();
    default: return rnd();
    }
}

/* Keep the reserved registers out of a written field at bit `lo`. */
static uint32_t fix_dest(uint32_t w, unsigned lo)
{
    unsigned r = (w >> lo) & 0x1f;
    if (r >= R_BASE2 && r <= R_BASE)
        w = (w & ~(0x1fu << lo)) | ((r - 4) << lo);
    return w;
}

static uint32_t set_field(uint32_t w, unsigned lo, unsigned bits, uint32_t v)
{
    uint32_t m = ((1u << bits) - 1) << lo;
    return (w & ~m) | ((v << lo) & m);
}

static uint32_t small_offset(unsigned bits)
{
    int off = (int)rn(12) + 1; /* forward 1..12 instructions, or back a little */
    if (rn(4) == 0)
        off = -(int)rn(6) - 1;
    return (uint32_t)off & ((1u << bits) - 1);
}

enum cls {
    C_DP_IMM, C_LOGIC_IMM, C_MOVW, C_BITFIELD, C_EXTR, C_ADR, C_LOGIC_REG, C_ADDSUB_SH, C_ADDSUB_EXT, C_ADC,
    C_CCMP, C_CSEL, C_DIV, C_SHIFTV, C_CRC, C_DP1, C_DP3, C_BCOND, C_CBZ, C_TBZ, C_B, C_BR, C_LDST_UIMM,
    C_LDST_IMM9, C_LDST_REGOFF, C_LDP, C_LIT, C_EXCL, C_EXCL_PAIR, C_LDAR, C_ATOMIC, C_CAS, C_CASP, C_SYS, C_COUNT
};

static const char *const cls_names[C_COUNT] = {
    "add/sub imm", "logical imm", "move wide", "bitfield", "extr", "adr", "logical reg", "add/sub shifted",
    "add/sub extended", "adc/sbc", "ccmp", "csel", "div", "shiftv", "crc32", "dp1", "dp3", "b.cond", "cbz",
    "tbz", "b/bl", "br/blr/ret", "ldst uimm", "ldst imm9", "ldst regoff", "ldp/stp", "ldr literal",
    "exclusive", "exclusive pair", "ldar/stlr", "lse atomic", "cas", "casp", "system",
};

typedef struct tmpl {
    uint32_t mask, match;
} tmpl;

static const tmpl tmpls[C_COUNT] = {
    [C_DP_IMM] = { 0x1f800000, 0x11000000 },   [C_LOGIC_IMM] = { 0x1f800000, 0x12000000 },
    [C_MOVW] = { 0x1f800000, 0x12800000 },     [C_BITFIELD] = { 0x1f800000, 0x13000000 },
    [C_EXTR] = { 0x1f800000, 0x13800000 },     [C_ADR] = { 0x1f000000, 0x10000000 },
    [C_LOGIC_REG] = { 0x1f000000, 0x0a000000 }, [C_ADDSUB_SH] = { 0x1f200000, 0x0b000000 },
    [C_ADDSUB_EXT] = { 0x1f200000, 0x0b200000 }, [C_ADC] = { 0x1fe0fc00, 0x1a000000 },
    [C_CCMP] = { 0x1fe00000, 0x1a400000 },     [C_CSEL] = { 0x1fe00000, 0x1a800000 },
    [C_DIV] = { 0x7fe0f800, 0x1ac00800 },      [C_SHIFTV] = { 0x7fe0f000, 0x1ac02000 },
    [C_CRC] = { 0x7fe0e000, 0x1ac04000 },      [C_DP1] = { 0x7fffe000, 0x5ac00000 },
    [C_DP3] = { 0x7f000000, 0x1b000000 },      [C_BCOND] = { 0xff000010, 0x54000000 },
    [C_CBZ] = { 0x7e000000, 0x34000000 },      [C_TBZ] = { 0x7e000000, 0x36000000 },
    [C_B] = { 0x7c000000, 0x14000000 },        [C_BR] = { 0, 0 },
    [C_LDST_UIMM] = { 0x3f000000, 0x39000000 }, [C_LDST_IMM9] = { 0x3f200000, 0x38000000 },
    [C_LDST_REGOFF] = { 0x3f200c00, 0x38200800 }, [C_LDP] = { 0x3e000000, 0x28000000 },
    [C_LIT] = { 0x3f000000, 0x18000000 },      [C_EXCL] = { 0, 0 },
    [C_EXCL_PAIR] = { 0, 0 },                  [C_LDAR] = { 0xbfa08000, 0x88808000 },
    [C_ATOMIC] = { 0x3f200c00, 0x38200000 },   [C_CAS] = { 0x3fa00000, 0x08a00000 },
    [C_CASP] = { 0xbfa00000, 0x08200000 }, [C_SYS] = { 0, 0 },
};

/* System instructions whose effect is visible in X registers and NZCV at
 * any EL: MRS/MSR of NZCV and TPIDR_EL0 (Rt in bits 4:0), hints, barriers. */
static const uint32_t sys_words[] = {
    0xd51b4200, /* msr nzcv, xt */
    0xd53b4200, /* mrs xt, nzcv */
    0xd51bd040, /* msr tpidr_el0, xt */
    0xd53bd040, /* mrs xt, tpidr_el0 */
    0xd503201f, /* nop */
    0xd503203f, /* yield */
    0xd5033bbf, /* dmb ish */
    0xd5033f9f, /* dsb sy */
    0xd5033fdf, /* isb */
    0xd5033f5f, /* clrex */
};

/* Draw one instruction of class c (fields fixed up); 0 if none fits. */
static uint32_t draw(enum cls c)
{
    for (int tries = 0; tries < 200; tries++) {
        uint32_t w = ((uint32_t)rnd() & ~tmpls[c].mask) | tmpls[c].match;
        switch (c) {
        case C_CCMP:
            break; /* no destination register */
        case C_BCOND: w = set_field(w, 5, 19, small_offset(19)); break;
        case C_CBZ: w = set_field(w, 5, 19, small_offset(19)); break;
        case C_TBZ: w = set_field(w, 5, 14, small_offset(14)); break;
        case C_B: w = set_field(w, 0, 26, 1 + rn(10)); break;
        case C_LDST_UIMM:
            w = set_field(w, 10, 12, rn(512));
            w = set_field(w, 5, 5, R_BASE);
            w = fix_dest(w, 0);
            break;
        case C_LDST_IMM9: {
            unsigned idx = (w >> 10) & 3;
            w = set_field(w, 5, 5, (idx == 1 || idx == 3) ? R_WBASE : R_BASE);
            w = fix_dest(w, 0);
            break;
        }
        case C_LDST_REGOFF:
            w = set_field(w, 16, 5, R_INDEX);
            w = set_field(w, 5, 5, R_BASE);
            w = fix_dest(w, 0);
            break;
        case C_LDP: {
            unsigned mode = (w >> 23) & 3;
            w = set_field(w, 5, 5, (mode == 1 || mode == 3) ? R_WBASE : R_BASE);
            w = fix_dest(fix_dest(w, 0), 10);
            break;
        }
        case C_LIT: w = set_field(w, 5, 19, small_offset(19)); w = fix_dest(w, 0); break;
        case C_LDAR:
        case C_ATOMIC:
        case C_CAS:
        case C_CASP:
            w = set_field(w, 5, 5, rn(2) ? R_BASE : R_BASE2);
            w = fix_dest(fix_dest(w, 0), 16);
            if (c == C_CASP && ((w >> 16) & 0x1f) >= R_BASE2 - 1)
                w = set_field(w, 16, 5, ((w >> 16) & 0x1f) - 8); /* Rs+1 must not reach X25 */
            if (c == C_CASP && (w & 0x1f) >= R_BASE2 - 1)
                w = set_field(w, 0, 5, (w & 0x1f) - 8);
            break;
        default:
            w = fix_dest(w, 0);
            break;
        }
        a64_decoded d = a64_decode(w);
        if (d.group != A64_GRP_UNDEFINED && d.executes)
            return w;
    }
    return 0;
}

typedef struct gen {
    uint32_t code[DIFF_SEQ_LEN + 8];
    unsigned n;
    bool covered[C_COUNT];
} gen;

static void emit(gen *g, uint32_t w)
{
    if (g->n < DIFF_SEQ_LEN)
        g->code[g->n++] = w;
}

static void generate(gen *g)
{
    g->n = 0;
    while (g->n + 3 < DIFF_SEQ_LEN) {
        enum cls c = (enum cls)rn(C_COUNT);
        g->covered[c] = true;
        if (c == C_BR) {
            /* ADR Xn, .+8; BR/BLR Xn  or  ADR X30, .+8; RET */
            unsigned kind = rn(3), reg = kind == 2 ? 30 : 9 + rn(8);
            emit(g, 0x10000040u | reg);                                 /* ADR Xreg, #8 */
            emit(g, (kind == 0 ? 0xd61f0000u : kind == 1 ? 0xd63f0000u : 0xd65f0000u) | (reg << 5));
            continue;
        }
        if (c == C_SYS) {
            uint32_t w = sys_words[rn(sizeof sys_words / sizeof sys_words[0])];
            if ((w & 0xffd00000u) == 0xd5100000u) /* MRS/MSR: a random Rt, never a reserved one when written */
                w = fix_dest(w | rn(31), 0);
            emit(g, w);
            continue;
        }
        if (c == C_EXCL || c == C_EXCL_PAIR) {
            /* LDXR/LDAXR then STXR/STLXR of the same size at the same base. */
            unsigned size = c == C_EXCL ? rn(4) : 2 + rn(2), base = rn(2) ? R_BASE : R_BASE2;
            unsigned t = rn(24), t2 = (t + 1 + rn(20)) % 24, s = rn(24);
            uint32_t pair = c == C_EXCL_PAIR ? (1u << 21) : 0;
            uint32_t ld = (size << 30) | 0x08400000u | pair | (0x1fu << 16) | (rn(2) << 15) |
                          ((pair ? t2 : 0x1f) << 10) | (base << 5) | t;
            if (c == C_EXCL_PAIR)
                ld = (ld & ~(3u << 30)) | (1u << 31) | ((size & 1) << 30);
            uint32_t st = (ld & ~((1u << 22) | (0x1fu << 16) | 0x1fu)) | (s << 16) | rn(24);
            if (s == (st & 0x1f) || (pair && s == ((st >> 10) & 0x1f)))
                st = (st & ~(0x1fu << 16)) | (((s + 1) % 24) << 16);
            emit(g, ld);
            if (rn(2))
                emit(g, draw(C_DP_IMM));
            emit(g, st);
            continue;
        }
        uint32_t w = draw(c);
        if (w)
            emit(g, w);
    }
    /* Stop marker: BRK #0 ends the run on both sides. */
    while (g->n < DIFF_SEQ_LEN)
        emit(g, 0xd4200000u);
}

typedef struct stats {
    unsigned long long insns, sequences, stops, deviations;
} stats;

/* Unicorn 2.0.1 (QEMU 5.0) gets LDSMAX/LDSMIN/LDUMAX/LDUMIN of bytes,
 * halfwords and words wrong: it compares the whole 64-bit Rs, and for the
 * signed forms the loaded value without sign extension, where the Arm ARM
 * compares Rs<datasize-1:0> with the loaded datasize bits (C6.2.135 ff.).
 * For these the test compares the registers (the old value loaded is the
 * same), copies this emulator's stored value into Unicorn when they differ,
 * and counts a deviation. */
static bool unicorn_minmax_suspect(uint32_t w)
{
    return (w & 0x3f208c00u) == 0x38200000u && ((w >> 12) & 7) >= 4 && (w >> 30) != 3;
}

static const int uc_x[31] = {
    UC_ARM64_REG_X0, UC_ARM64_REG_X1, UC_ARM64_REG_X2, UC_ARM64_REG_X3, UC_ARM64_REG_X4, UC_ARM64_REG_X5,
    UC_ARM64_REG_X6, UC_ARM64_REG_X7, UC_ARM64_REG_X8, UC_ARM64_REG_X9, UC_ARM64_REG_X10, UC_ARM64_REG_X11,
    UC_ARM64_REG_X12, UC_ARM64_REG_X13, UC_ARM64_REG_X14, UC_ARM64_REG_X15, UC_ARM64_REG_X16,
    UC_ARM64_REG_X17, UC_ARM64_REG_X18, UC_ARM64_REG_X19, UC_ARM64_REG_X20, UC_ARM64_REG_X21,
    UC_ARM64_REG_X22, UC_ARM64_REG_X23, UC_ARM64_REG_X24, UC_ARM64_REG_X25, UC_ARM64_REG_X26,
    UC_ARM64_REG_X27, UC_ARM64_REG_X28, UC_ARM64_REG_X29, UC_ARM64_REG_X30,
};

static uint64_t ureg(uc_engine *uc, int reg)
{
    uint64_t v = 0;
    uc_reg_read(uc, reg, &v);
    return v;
}

static void wreg(uc_engine *uc, int reg, uint64_t v)
{
    uc_reg_write(uc, reg, &v);
}

static void dump_seq(const gen *g, unsigned at)
{
    fprintf(stderr, "sequence (mismatch at index %u):\n", at);
    for (unsigned i = 0; i < g->n; i++)
        fprintf(stderr, "%s%3u: 0x%08x\n", i == at ? ">" : " ", i, g->code[i]);
}

static void run_sequence(uc_engine *uc, t64 *t, const gen *g, stats *st)
{
    a64_cpu *cpu = &t->cpu;
    uint8_t code[sizeof g->code];
    for (unsigned i = 0; i < g->n; i++)
        for (unsigned b = 0; b < 4; b++)
            code[i * 4 + b] = (uint8_t)(g->code[i] >> (8 * b));
    memcpy(t->mem, code, g->n * 4);
    ck_assert_int_eq(uc_mem_write(uc, T64_CODE, code, g->n * 4), UC_ERR_OK);
    /* Unicorn keeps translated blocks across uc_mem_write: drop them. */
    ck_assert_int_eq(uc_ctl_remove_cache(uc, T64_CODE, T64_CODE + sizeof code), UC_ERR_OK);
    for (unsigned i = 0; i < DIFF_DATA_SIZE; i++)
        t->mem[T64_DATA - T64_MEM_BASE + i] = (uint8_t)rnd();
    ck_assert_int_eq(uc_mem_write(uc, T64_DATA, t->mem + (T64_DATA - T64_MEM_BASE), DIFF_DATA_SIZE), UC_ERR_OK);

    for (unsigned r = 0; r < 31; r++)
        cpu->x[r] = interesting();
    cpu->x[R_BASE] = DIFF_BASE;
    cpu->x[R_BASE2] = DIFF_BASE + 0x400;
    cpu->x[R_WBASE] = DIFF_BASE - 0x800 + rn(0x1000);
    cpu->x[R_INDEX] = rn(256);
    cpu->pstate.nzcv = (uint8_t)rn(16);
    cpu->sp_el[1] = interesting();
    cpu->pc = T64_CODE;
    a64_clear_exclusive(cpu);
    for (unsigned r = 0; r < 31; r++)
        wreg(uc, uc_x[r], cpu->x[r]);
    wreg(uc, UC_ARM64_REG_SP, cpu->sp_el[1]);
    wreg(uc, UC_ARM64_REG_NZCV, (uint64_t)cpu->pstate.nzcv << 28);
    wreg(uc, UC_ARM64_REG_PC, T64_CODE);
    st->sequences++;
    if (getenv("DIFF_DEBUG"))
        for (unsigned r = 0; r < 31; r++)
            if (ureg(uc, uc_x[r]) != cpu->x[r])
                fprintf(stderr, "seq %llu: X%u did not take: 0x%llx\n", st->sequences, r, (unsigned long long)ureg(uc, uc_x[r]));

    for (unsigned step = 0; step < DIFF_MAX_STEPS; step++) {
        uint64_t pc = cpu->pc;
        unsigned idx = (unsigned)((pc - T64_CODE) / 4);
        if (pc < T64_CODE || idx >= g->n)
            break;
        t->last.kind = A64_ACC_READ;
        bool suspect = unicorn_minmax_suspect(g->code[idx]);
        a64_status s = a64_step(cpu);
        uc_err ue = uc_emu_start(uc, pc, T64_CODE + 0x100000, 0, 1);
        bool emu_stopped = s != A64_OK;
        bool uc_stopped = ue != UC_ERR_OK || ureg(uc, UC_ARM64_REG_PC) == pc;
        /* A branch out of memory: Unicorn reports the failed fetch of the
         * target within this step, this emulator at the next one. */
        bool wild = cpu->pc < T64_MEM_BASE || cpu->pc >= T64_MEM_BASE + T64_MEM_SIZE || (cpu->pc & 3);
        if (!emu_stopped && uc_stopped && wild)
            emu_stopped = true;
        if (emu_stopped || uc_stopped) {
            if (emu_stopped != uc_stopped) {
                dump_seq(g, idx);
                ck_abort_msg("insn 0x%08x at index %u: emu %s (ec 0x%x), unicorn %s", g->code[idx], idx,
                             a64_status_name(s), (unsigned)cpu->exc.ec, uc_strerror(ue));
            }
            st->stops++;
            if (getenv("DIFF_DEBUG"))
                fprintf(stderr, "seq %llu stop at %u: emu %s ec 0x%x, uc %s\n", st->sequences, idx, a64_status_name(s),
                        (unsigned)cpu->exc.ec, uc_strerror(ue));
            break;
        }
        st->insns++;
        if (suspect && t->last.kind == A64_ACC_WRITE) {
            uint8_t ub[8];
            uc_mem_read(uc, t->last.va, ub, t->last.size);
            if (memcmp(ub, t->mem + (t->last.va - T64_MEM_BASE), t->last.size) != 0) {
                uc_mem_write(uc, t->last.va, t->mem + (t->last.va - T64_MEM_BASE), t->last.size);
                st->deviations++;
            }
        }
        for (unsigned r = 0; r < 31; r++) {
            uint64_t u = ureg(uc, uc_x[r]);
            if (u != cpu->x[r]) {
                dump_seq(g, idx);
                fprintf(stderr, "sequence %llu, step %u\n", st->sequences, step);
                ck_abort_msg("insn 0x%08x at index %u: X%u emu 0x%llx unicorn 0x%llx", g->code[idx], idx, r,
                             (unsigned long long)cpu->x[r], (unsigned long long)u);
            }
        }
        uint64_t usp = ureg(uc, UC_ARM64_REG_SP), unzcv = ureg(uc, UC_ARM64_REG_NZCV) >> 28;
        uint64_t upc = ureg(uc, UC_ARM64_REG_PC);
        if (usp != *a64_sp(cpu) || unzcv != cpu->pstate.nzcv || upc != cpu->pc) {
            dump_seq(g, idx);
            ck_abort_msg("insn 0x%08x at index %u: SP emu 0x%llx uc 0x%llx, NZCV emu %x uc %x, PC emu 0x%llx uc 0x%llx",
                         g->code[idx], idx, (unsigned long long)*a64_sp(cpu), (unsigned long long)usp,
                         cpu->pstate.nzcv, (unsigned)unzcv, (unsigned long long)cpu->pc, (unsigned long long)upc);
        }
        if (t->last.kind == A64_ACC_WRITE && t->last.va >= T64_DATA && t->last.va + 16 <= T64_DATA + DIFF_DATA_SIZE) {
            uint8_t ub[16];
            uc_mem_read(uc, t->last.va, ub, 16);
            if (memcmp(ub, t->mem + (t->last.va - T64_MEM_BASE), 16) != 0) {
                dump_seq(g, idx);
                for (unsigned k = 0; k < 16; k++)
                    fprintf(stderr, "%02x/%02x ", t->mem[t->last.va - T64_MEM_BASE + k], ub[k]);
                fprintf(stderr, "(emu/unicorn), X%u = 0x%llx\n", (g->code[idx] >> 16) & 31,
                        (unsigned long long)cpu->x[(g->code[idx] >> 16) & 31]);
                ck_abort_msg("insn 0x%08x at index %u: memory at 0x%llx differs", g->code[idx], idx,
                             (unsigned long long)t->last.va);
            }
        }
    }
    static uint8_t ubuf[DIFF_DATA_SIZE];
    uc_mem_read(uc, T64_DATA, ubuf, DIFF_DATA_SIZE);
    ck_assert_msg(memcmp(ubuf, t->mem + (T64_DATA - T64_MEM_BASE), DIFF_DATA_SIZE) == 0,
                  "data window differs at the end of sequence %llu", st->sequences);
}

static void differential(bool hints)
{
    const char *seed_env = getenv("EMU_DIFF_SEED");
    rng = seed_env ? strtoull(seed_env, NULL, 0) : DIFF_SEED_DEFAULT;
    if (rng == 0)
        rng = DIFF_SEED_DEFAULT;
    uc_engine *uc = NULL;
    ck_assert_int_eq(uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &uc), UC_ERR_OK);
    ck_assert_int_eq(uc_ctl_set_cpu_model(uc, UC_CPU_ARM64_MAX), UC_ERR_OK);
    ck_assert_int_eq(uc_mem_map(uc, T64_MEM_BASE, T64_MEM_SIZE, UC_PROT_ALL), UC_ERR_OK);
    t64 t;
    t64_init(&t);
    t.hints = hints;
    gen g;
    memset(&g, 0, sizeof g);
    stats st = { 0 };
    for (unsigned s = 0; s < DIFF_SEQUENCES; s++) {
        generate(&g);
        run_sequence(uc, &t, &g, &st);
    }
    for (unsigned c = 0; c < C_COUNT; c++)
        ck_assert_msg(g.covered[c], "instruction class %s was never generated", cls_names[c]);
    fprintf(stderr, "unicorn a64 diff%s: %llu instructions compared in %llu sequences (%llu ended by a stop), "
                    "%llu Unicorn deviations handled\n",
            hints ? " (page hints)" : "", st.insns, st.sequences, st.stops, st.deviations);
    ck_assert_msg(st.insns >= DIFF_MIN_INSNS, "only %llu instructions compared", st.insns);
    t64_free(&t);
    uc_close(uc);
}

START_TEST(unicorn_a64_differential)
{
    differential(false);
}
END_TEST

START_TEST(unicorn_a64_differential_page_hints)
{
    differential(true);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cpu_arm64_unicorn_diff");
    TCase *tc = tcase_create("diff");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, unicorn_a64_differential);
    tcase_add_test(tc, unicorn_a64_differential_page_hints);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
