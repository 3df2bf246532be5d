/*
 * Differential test of the x86-64 interpreter against Unicorn 2 (QEMU TCG).
 *
 * A deterministic generator (fixed seed; EMU_DIFF_SEED overrides) encodes
 * random sequences of the integer instructions (data movement, arithmetic,
 * logic, shifts and rotates, multiply/divide, bit operations, exchanges,
 * conditional moves and sets, branches, calls, the stack, ENTER/LEAVE,
 * string instructions with REP prefixes, NOPs) at every operand size with
 * register and memory operands. Both machines start from the same state and
 * execute the sequence one instruction at a time; after each one all 16
 * GPRs, RIP and RFLAGS are compared (flags the SDM leaves undefined for that
 * instruction are masked, docs/x86-flags.md), and the data window after
 * each instruction that writes memory. At the end of a sequence the data
 * and stack windows are compared whole. A mismatch prints the sequence
 * bytes, the instruction index and address, and each differing register.
 *
 * Memory layout, identical in both (emu identity-maps the low 4 GiB; the
 * same guest-physical windows are mapped in Unicorn at the same addresses):
 *   code  T_CODE_ADDR          64 KiB
 *   stack DIFF_STACK_BASE      64 KiB, RSP and RBP start inside it
 *   data  T_DATA_ADDR          4 KiB, R15 points at its middle
 * The generator never writes RSP, RBP (except through PUSH/POP/CALL/RET/
 * ENTER/LEAVE, balanced) or R15, and builds every memory operand from R15,
 * RIP or an absolute address inside the data window.
 *
 * Where Unicorn 2.0.1 deviates from the SDM the case is handled here: see
 * unicorn_deviation() (POPCNT, CMPXCHG r/m32, LOCK NEG) and g_shd()
 * (SHLD/SHRD imm8 with a RIP-relative operand).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicorn/unicorn.h>

#include "emu_test.h"

#define DIFF_SEED_DEFAULT 0x5eed2024c0ffee11ull
#define DIFF_SEQUENCES 1100
#define DIFF_ITEMS_PER_SEQ 100          /* generator items; each is 1..6 instructions */
#define DIFF_MIN_INSNS 100000
#define DIFF_CODE_SIZE 0x10000u
#define DIFF_STACK_BASE 0x1f0000ull
#define DIFF_STACK_SIZE 0x10000u
#define DIFF_RSP_START 0x1fc000ull
#define DIFF_RBP_START 0x1f8000ull
#define DIFF_DATA_SIZE 0x1000u
#define DIFF_R15 (T_DATA_ADDR + DIFF_DATA_SIZE / 2)
#define DIFF_DISP_RANGE 0x700           /* |disp from R15| stays inside the window with 16 bytes to spare */
#define DIFF_MAX_STEPS_FACTOR 4
#define DIFF_MAX_REP 12
#define X86_HLT 0xf4

#define F_CF 0x001ull
#define F_PF 0x004ull
#define F_AF 0x010ull
#define F_ZF 0x040ull
#define F_SF 0x080ull
#define F_DF 0x400ull
#define F_OF 0x800ull
#define F_ARITH (F_CF | F_PF | F_AF | F_ZF | F_SF | F_OF)
#define F_FIXED 0x002ull

enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15 };

/* ---- deterministic random numbers (xorshift64*) ---- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

static unsigned rn(unsigned n)
{
    return (unsigned)(rnd() % n);
}

/* Values with edge cases over-represented. */
static uint64_t rnd_value(void)
{
    static const uint64_t edges[] = { 0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000,
                                      0xffffffff, 0x7fffffffffffffffull, 0x8000000000000000ull, ~0ull, ~0ull - 1 };
    switch (rn(4)) {
    case 0: return edges[rn(sizeof edges / sizeof edges[0])];
    case 1: return rnd() & 0xff;
    default: return rnd();
    }
}

/* ---- per-instruction record ---- */

/* Which flags the SDM leaves undefined, decided from the state before the instruction. */
enum undef_kind {
    U_NONE, U_AF, U_MUL, U_DIV, U_SHIFT, U_SAR, U_ROT, U_SHD, U_BT, U_BSF, U_CNT,
};

typedef struct insn_rec {
    uint16_t len;
    uint8_t undef;          /* enum undef_kind */
    uint8_t size;           /* operand size for shift masks */
    int16_t count;          /* shift count: imm value, or -1 for CL */
    bool rep_string;        /* REP/REPE/REPNE string instruction: step Unicorn to the next address */
    bool writes_mem;
    bool popcnt;            /* Unicorn 2.0.1 lacks POPCNT: see unicorn_deviation() */
    bool cmpxchg32;         /* 32-bit CMPXCHG: see unicorn_deviation() */
    bool lock_neg;          /* LOCK NEG m: see unicorn_deviation() */
    int8_t cx_rm;           /* 32-bit CMPXCHG: register destination, or -1 for memory */
    uint8_t pc_reg;         /* POPCNT: destination register */
    int8_t pc_src;          /* POPCNT: source register, or -1 for memory at pc_addr */
    uint64_t pc_addr;       /* POPCNT's memory source; LOCK NEG's operand */
    const char *what;
} insn_rec;

typedef struct gen {
    uint8_t code[DIFF_CODE_SIZE];
    unsigned n;                         /* bytes emitted */
    insn_rec *rec;                      /* indexed by code offset; len 0 where no instruction starts */
    unsigned insns;                     /* instructions emitted */
    bool covered[64];                   /* coverage of instruction classes */
} gen;

/* ---- encoder ---- */

/* A memory or register operand for ModRM.rm. */
typedef enum { OP_REG, OP_R15_DISP, OP_R15_SIB, OP_INDEX_ONLY, OP_RIP, OP_ABS } op_kind;

typedef struct operand {
    op_kind kind;
    unsigned reg;           /* OP_REG */
    int32_t disp;           /* offset from R15 (all memory kinds) */
} operand;

static bool is_mem(const operand *o)
{
    return o->kind != OP_REG;
}

static uint64_t op_addr(const operand *o)
{
    return DIFF_R15 + (int64_t)o->disp;
}

typedef struct enc {
    uint8_t b[24];
    unsigned n;
    int rip_disp_at;        /* offset of a RIP-relative disp32 to patch, or -1 */
    uint64_t rip_target;
} enc;

static void put(enc *e, uint8_t v)
{
    e->b[e->n++] = v;
}

static void put_le(enc *e, uint64_t v, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i++)
        put(e, (uint8_t)(v >> (8 * i)));
}

#define PFX_LOCK 0xf0
#define PFX_REP  0xf3
#define PFX_REPNE 0xf2

/*
 * Encode [prefix] [66] [REX] opcode... ModRM [SIB] [disp] for `size` with
 * ModRM.reg = reg (0..15) and the r/m operand o. force_rex: emit REX even if
 * not needed (byte registers SPL..DIL); no_rex: caller uses AH..BH.
 */
static void enc_modrm(enc *e, uint8_t prefix, unsigned size, bool rexw_ok, const uint8_t *opc, unsigned nopc,
                      unsigned reg, const operand *o, bool force_rex)
{
    if (prefix)
        put(e, prefix);
    if (size == 2)
        put(e, 0x66);
    unsigned rex = 0;
    if (size == 8 && rexw_ok)
        rex |= 0x8;
    if (reg & 8)
        rex |= 0x4;
    if (o->kind == OP_REG && (o->reg & 8))
        rex |= 0x1;
    if (o->kind == OP_R15_DISP || o->kind == OP_R15_SIB)
        rex |= 0x1;
    if (o->kind == OP_INDEX_ONLY)
        rex |= 0x2;
    if (rex || force_rex)
        put(e, (uint8_t)(0x40 | rex));
    for (unsigned i = 0; i < nopc; i++)
        put(e, opc[i]);
    unsigned r = (reg & 7) << 3;
    switch (o->kind) {
    case OP_REG:
        put(e, (uint8_t)(0xc0 | r | (o->reg & 7)));
        break;
    case OP_R15_DISP:
        if (o->disp >= -128 && o->disp < 128) {
            put(e, (uint8_t)(0x40 | r | 7));
            put(e, (uint8_t)o->disp);
        } else {
            put(e, (uint8_t)(0x80 | r | 7));
            put_le(e, (uint32_t)o->disp, 4);
        }
        break;
    case OP_R15_SIB:                                    /* [r15 + disp32] through a SIB with no index */
        put(e, (uint8_t)(0x80 | r | 4));
        put(e, 0x27);
        put_le(e, (uint32_t)o->disp, 4);
        break;
    case OP_INDEX_ONLY:                                 /* [r15*1 + disp32], no base */
        put(e, (uint8_t)(r | 4));
        put(e, 0x3d);
        put_le(e, (uint32_t)o->disp, 4);
        break;
    case OP_ABS:                                        /* [disp32], no base, no index */
        put(e, (uint8_t)(r | 4));
        put(e, 0x25);
        put_le(e, (uint32_t)op_addr(o), 4);
        break;
    case OP_RIP:
        put(e, (uint8_t)(r | 5));
        e->rip_disp_at = (int)e->n;
        e->rip_target = op_addr(o);
        put_le(e, 0, 4);
        break;
    }
}

/* ---- generator state helpers ---- */

static const unsigned sizes[4] = { 1, 2, 4, 8 };

static unsigned rnd_size(void)
{
    return sizes[rn(4)];
}

/* Registers an instruction may write: not RSP, RBP or R15. */
static unsigned rnd_dst(void)
{
    static const unsigned ok[] = { RAX, RCX, RDX, RBX, RSI, RDI, R8, R9, R10, R11, R12, R13, R14 };
    return ok[rn(sizeof ok / sizeof ok[0])];
}

static unsigned rnd_src(void)
{
    return rn(16);
}

static operand reg_op(unsigned r)
{
    operand o = { OP_REG, r, 0 };
    return o;
}

/* A memory operand `size` bytes long, aligned to `align`. */
static operand mem_op(unsigned align)
{
    static const op_kind kinds[] = { OP_R15_DISP, OP_R15_DISP, OP_R15_DISP, OP_R15_SIB, OP_INDEX_ONLY, OP_RIP, OP_ABS };
    operand o;
    o.kind = kinds[rn(sizeof kinds / sizeof kinds[0])];
    o.reg = 0;
    int32_t d = (int32_t)rn(2 * DIFF_DISP_RANGE) - DIFF_DISP_RANGE;
    if (rn(3) == 0)
        d = (int32_t)rn(256) - 128;
    o.disp = d & ~(int32_t)(align - 1);
    return o;
}

/*
 * Byte operands: registers 4..7 mean AH..BH without REX and SPL..DIL with
 * it. Writing SPL/BPL is forbidden, and AH..BH cannot be combined with R15
 * (needs REX), so a byte instruction picks one of the two modes.
 */
typedef struct byte_mode {
    bool high;              /* AH..BH usable; no REX, no R8+, memory only as RIP/ABS */
} byte_mode;

static byte_mode rnd_byte_mode(unsigned size)
{
    byte_mode b = { size == 1 && rn(3) == 0 };
    return b;
}

static unsigned bm_dst(byte_mode b)
{
    return b.high ? rn(8) : rnd_dst();
}

static unsigned bm_src(byte_mode b)
{
    return b.high ? rn(8) : rnd_src();
}

static operand bm_mem(byte_mode b, unsigned align)
{
    operand o = mem_op(align);
    if (b.high && (o.kind == OP_R15_DISP || o.kind == OP_R15_SIB || o.kind == OP_INDEX_ONLY))
        o.kind = rn(2) ? OP_RIP : OP_ABS;
    return o;
}

/* r/m operand: register (destination rules if dst) or memory. */
static operand bm_rm(byte_mode b, bool dst, unsigned align)
{
    if (rn(2))
        return reg_op(dst ? bm_dst(b) : bm_src(b));
    return bm_mem(b, align);
}

/* Append an encoded instruction with its record. */
static void emit(gen *g, enc *e, insn_rec r)
{
    if (g->n + e->n >= DIFF_CODE_SIZE - 64)
        ck_abort_msg("code window overflow");
    if (e->rip_disp_at >= 0) {
        uint64_t next = T_CODE_ADDR + g->n + e->n;
        uint32_t d = (uint32_t)(int32_t)((int64_t)e->rip_target - (int64_t)next);
        memcpy(&e->b[e->rip_disp_at], &d, 4);
    }
    memcpy(&g->code[g->n], e->b, e->n);
    r.len = (uint16_t)e->n;
    g->rec[g->n] = r;
    g->n += e->n;
    g->insns++;
}

static enc enc_new(void)
{
    enc e;
    memset(&e, 0, sizeof e);
    e.rip_disp_at = -1;
    return e;
}

static insn_rec rec(const char *what)
{
    insn_rec r;
    memset(&r, 0, sizeof r);
    r.what = what;
    r.count = -1;
    r.pc_src = -1;
    return r;
}

/* Emit an instruction with ModRM; w_bit: add 1 to the last opcode byte for non-byte sizes. */
static void emit_modrm(gen *g, const char *what, uint8_t prefix, unsigned size, const uint8_t *opc, unsigned nopc,
                       bool w_bit, unsigned reg, operand o, byte_mode b, const void *imm, unsigned imm_size,
                       insn_rec r)
{
    enc e = enc_new();
    uint8_t op[3];
    memcpy(op, opc, nopc);
    if (w_bit && size != 1)
        op[nopc - 1]++;
    bool force = size == 1 && !b.high && rn(2);
    enc_modrm(&e, prefix, size, true, op, nopc, reg, &o, force);
    if (imm_size) {
        uint64_t v;
        memcpy(&v, imm, sizeof v);
        put_le(&e, v, imm_size);
    }
    r.what = what;
    r.writes_mem = r.writes_mem && is_mem(&o);
    emit(g, &e, r);
}

/* mov r64, imm64 (REX.W B8+r), used to set up operands. */
static void emit_mov_imm64(gen *g, unsigned reg, uint64_t v)
{
    enc e = enc_new();
    put(&e, (uint8_t)(0x48 | (reg >> 3)));
    put(&e, (uint8_t)(0xb8 + (reg & 7)));
    put_le(&e, v, 8);
    emit(g, &e, rec("mov r64, imm64"));
}

/* mov qword [r15+disp], r (to plant a value in memory). */
static void emit_store64(gen *g, operand m, unsigned reg)
{
    enc e = enc_new();
    static const uint8_t op = 0x89;
    enc_modrm(&e, 0, 8, true, &op, 1, reg, &m, false);
    insn_rec r = rec("mov m64, r64");
    r.writes_mem = true;
    emit(g, &e, r);
}

/* ---- instruction classes ---- */

enum cls {
    C_ALU, C_ALU_IMM, C_ACC_IMM, C_TEST, C_INCDEC, C_NEGNOT, C_SHIFT, C_SHD, C_MUL1, C_DIV, C_IMUL2, C_IMUL3,
    C_CBW, C_BT, C_BTI, C_SCAN, C_POPCNT, C_BSWAP, C_XCHG, C_XADD, C_CMPXCHG, C_CMPXCHG8B, C_CMOV, C_SETCC,
    C_JCC, C_JMP, C_CALL, C_PUSHPOP, C_PUSHF, C_ENTER, C_STRING, C_NOP, C_MOV, C_MOVX, C_LEA, C_FLAGOP,
    C_LAHF, C_MOVABS, C_COUNT
};

static const char *const cls_names[C_COUNT] = {
    "alu", "alu-imm", "acc-imm", "test", "inc/dec", "neg/not", "shift/rotate", "shld/shrd", "mul/imul r/m",
    "div/idiv", "imul r,r/m", "imul r,r/m,imm", "cbw/cwd", "bt r", "bt imm", "bsf/bsr/tzcnt/lzcnt", "popcnt",
    "bswap", "xchg", "xadd", "cmpxchg", "cmpxchg8b/16b", "cmovcc", "setcc", "jcc", "jmp", "call/ret",
    "push/pop", "pushf/popf", "enter/leave", "string", "nop", "mov", "movzx/movsx/movsxd", "lea", "flag ops",
    "lahf/sahf", "mov moffs/imm",
};

static void gen_item(gen *g, bool in_block);

static void g_alu(gen *g)
{
    unsigned size = rnd_size(), op = rn(8);
    byte_mode b = rnd_byte_mode(size);
    insn_rec r = rec("alu");
    r.undef = (op == 1 || op == 4 || op == 6) ? U_AF : U_NONE;
    r.writes_mem = op != 7;
    uint8_t opc = (uint8_t)(op * 8);
    if (rn(2)) {                                        /* op r/m, r */
        operand o = bm_rm(b, op != 7, 1);
        uint8_t pfx = is_mem(&o) && op != 7 && rn(4) == 0 ? PFX_LOCK : 0;
        emit_modrm(g, "alu r/m, r", pfx, size, &opc, 1, true, bm_src(b), o, b, NULL, 0, r);
    } else {                                            /* op r, r/m */
        opc += 2;
        r.writes_mem = false;
        emit_modrm(g, "alu r, r/m", 0, size, &opc, 1, true, bm_dst(b), bm_rm(b, false, 1), b, NULL, 0, r);
    }
}

static void g_alu_imm(gen *g)
{
    unsigned size = rnd_size(), op = rn(8);
    byte_mode b = rnd_byte_mode(size);
    insn_rec r = rec("grp1");
    r.undef = (op == 1 || op == 4 || op == 6) ? U_AF : U_NONE;
    r.writes_mem = op != 7;
    operand o = bm_rm(b, op != 7, 1);
    uint8_t pfx = is_mem(&o) && op != 7 && rn(4) == 0 ? PFX_LOCK : 0;
    uint64_t imm = rnd_value();
    uint8_t opc;
    unsigned isz;
    if (size == 1) {
        opc = 0x80;
        isz = 1;
    } else if (rn(2)) {
        opc = 0x83;                                     /* imm8 sign-extended */
        isz = 1;
    } else {
        opc = 0x81;
        isz = size == 2 ? 2 : 4;
    }
    emit_modrm(g, "grp1 r/m, imm", pfx, size, &opc, 1, false, op, o, b, &imm, isz, r);
}

static void g_acc_imm(gen *g)
{
    unsigned size = rnd_size(), op = rn(9);
    enc e = enc_new();
    if (size == 2)
        put(&e, 0x66);
    if (size == 8)
        put(&e, 0x48);
    insn_rec r = rec("acc, imm");
    uint8_t opc = op == 8 ? 0xa8 : (uint8_t)(op * 8 + 4);   /* op 8: TEST acc, imm */
    r.undef = (op == 1 || op == 4 || op == 6 || op == 8) ? U_AF : U_NONE;
    put(&e, (uint8_t)(opc + (size != 1)));
    put_le(&e, rnd_value(), size == 1 ? 1 : size == 2 ? 2 : 4);
    emit(g, &e, r);
}

static void g_test(gen *g)
{
    unsigned size = rnd_size();
    byte_mode b = rnd_byte_mode(size);
    insn_rec r = rec("test");
    r.undef = U_AF;
    if (rn(2)) {
        uint8_t opc = 0x84;
        emit_modrm(g, "test r/m, r", 0, size, &opc, 1, true, bm_src(b), bm_rm(b, false, 1), b, NULL, 0, r);
    } else {
        uint8_t opc = 0xf6;
        uint64_t imm = rnd_value();
        emit_modrm(g, "test r/m, imm", 0, size, &opc, 1, true, 0, bm_rm(b, false, 1), b, &imm,
                   size == 1 ? 1 : size == 2 ? 2 : 4, r);
    }
}

static void g_unary(gen *g, bool incdec)
{
    unsigned size = rnd_size();
    byte_mode b = rnd_byte_mode(size);
    operand o = bm_rm(b, true, 1);
    uint8_t pfx = is_mem(&o) && rn(4) == 0 ? PFX_LOCK : 0;
    insn_rec r = rec(incdec ? "inc/dec" : "neg/not");
    r.writes_mem = true;
    uint8_t opc = incdec ? 0xfe : 0xf6;
    unsigned digit = incdec ? rn(2) : 2 + rn(2);
    r.lock_neg = pfx == PFX_LOCK && digit == 3;
    r.size = (uint8_t)size;
    r.pc_addr = op_addr(&o);
    emit_modrm(g, r.what, pfx, size, &opc, 1, true, digit, o, b, NULL, 0, r);
}

/* Sometimes set CL to an interesting count first. */
static void maybe_set_cl(gen *g)
{
    static const uint64_t counts[] = { 0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 255 };
    if (rn(2))
        emit_mov_imm64(g, RCX, (rnd() & ~0xffull) | counts[rn(sizeof counts / sizeof counts[0])]);
}

static void g_shift(gen *g)
{
    unsigned size = rnd_size(), op = rn(8);
    byte_mode b = rnd_byte_mode(size);
    insn_rec r = rec("grp2");
    r.size = (uint8_t)size;
    r.undef = op < 4 ? U_ROT : op == 7 ? U_SAR : U_SHIFT;
    r.writes_mem = true;
    operand o = bm_rm(b, true, 1);
    unsigned form = rn(3);
    if (form == 0) {
        uint8_t opc = 0xd0;
        r.count = 1;
        emit_modrm(g, "grp2 r/m, 1", 0, size, &opc, 1, true, op, o, b, NULL, 0, r);
    } else if (form == 1) {
        maybe_set_cl(g);
        uint8_t opc = 0xd2;
        emit_modrm(g, "grp2 r/m, cl", 0, size, &opc, 1, true, op, o, b, NULL, 0, r);
    } else {
        uint8_t opc = 0xc0;
        uint64_t imm = rn(3) ? rn(70) : rn(256);
        r.count = (int16_t)imm;
        emit_modrm(g, "grp2 r/m, imm8", 0, size, &opc, 1, true, op, o, b, &imm, 1, r);
    }
}

static void g_shd(gen *g)
{
    unsigned size = 2u << rn(3);
    byte_mode b = { false };
    insn_rec r = rec("shld/shrd");
    r.size = (uint8_t)size;
    r.undef = U_SHD;
    r.writes_mem = true;
    bool right = rn(2);
    operand o = bm_rm(b, true, 1);
    if (rn(2)) {
        maybe_set_cl(g);
        uint8_t opc[2] = { 0x0f, right ? 0xad : 0xa5 };
        emit_modrm(g, right ? "shrd r/m, r, cl" : "shld r/m, r, cl", 0, size, opc, 2, false, rnd_src(), o, b,
                   NULL, 0, r);
    } else {
        /*
         * Unicorn 2.0.1 (QEMU 5) forgets the imm8 when it computes a
         * RIP-relative address for SHLD/SHRD imm8, accessing one byte too
         * low; the SDM makes RIP-relative addresses relative to the end of
         * the instruction. That one combination is not generated.
         */
        if (o.kind == OP_RIP)
            o.kind = OP_R15_DISP;
        uint8_t opc[2] = { 0x0f, right ? 0xac : 0xa4 };
        uint64_t imm = rn(3) ? rn(70) : rn(256);
        r.count = (int16_t)imm;
        emit_modrm(g, right ? "shrd r/m, r, imm8" : "shld r/m, r, imm8", 0, size, opc, 2, false, rnd_src(), o, b,
                   &imm, 1, r);
    }
}

static void g_mul1(gen *g)
{
    unsigned size = rnd_size();
    byte_mode b = rnd_byte_mode(size);
    insn_rec r = rec("mul/imul r/m");
    r.undef = U_MUL;
    uint8_t opc = 0xf6;
    emit_modrm(g, r.what, 0, size, &opc, 1, true, 4 + rn(2), bm_rm(b, false, 1), b, NULL, 0, r);
}

/* DIV/IDIV without #DE: the dividend is the sign/zero extension of rAX and the divisor neither 0 nor -1. */
static void g_div(gen *g)
{
    unsigned size = rnd_size();
    bool sign = rn(2);
    uint64_t mask = ~0ull >> (64 - 8 * size);
    uint64_t d = rnd_value() & mask;
    if (d == 0 || d == mask)
        d = 3;
    if (size == 1) {
        enc e = enc_new();                              /* movzx eax, al or movsx ax, al */
        if (sign)
            put(&e, 0x66);
        put(&e, 0x0f);
        put(&e, sign ? 0xbe : 0xb6);
        put(&e, 0xc0);
        emit(g, &e, rec("movzx/movsx"));
    } else {
        enc e = enc_new();
        if (sign) {                                     /* cwd/cdq/cqo */
            if (size == 2)
                put(&e, 0x66);
            if (size == 8)
                put(&e, 0x48);
            put(&e, 0x99);
        } else {
            put(&e, 0x31);                              /* xor edx, edx */
            put(&e, 0xd2);
        }
        emit(g, &e, rec("dividend extension"));
    }
    byte_mode b = { false };
    operand o;
    unsigned tmp = rn(2) ? RBX : R9 + rn(6);
    emit_mov_imm64(g, tmp, (rnd() & ~mask) | d);
    if (rn(2)) {
        o = mem_op(8);
        emit_store64(g, o, tmp);
    } else {
        o = reg_op(tmp);
    }
    insn_rec r = rec(sign ? "idiv" : "div");
    r.undef = U_DIV;
    uint8_t opc = 0xf6;
    emit_modrm(g, r.what, 0, size, &opc, 1, true, sign ? 7 : 6, o, b, NULL, 0, r);
}

static void g_imul(gen *g, bool three)
{
    unsigned size = 2u << rn(3);
    byte_mode b = { false };
    insn_rec r = rec(three ? "imul r, r/m, imm" : "imul r, r/m");
    r.undef = U_MUL;
    if (three) {
        bool imm8 = rn(2);
        uint8_t opc = imm8 ? 0x6b : 0x69;
        uint64_t imm = rnd_value();
        emit_modrm(g, r.what, 0, size, &opc, 1, false, rnd_dst(), bm_rm(b, false, 1), b, &imm,
                   imm8 ? 1 : size == 2 ? 2 : 4, r);
    } else {
        uint8_t opc[2] = { 0x0f, 0xaf };
        emit_modrm(g, r.what, 0, size, opc, 2, false, rnd_dst(), bm_rm(b, false, 1), b, NULL, 0, r);
    }
}

static void g_cbw(gen *g)
{
    enc e = enc_new();
    unsigned size = 2u << rn(3);
    if (size == 2)
        put(&e, 0x66);
    if (size == 8)
        put(&e, 0x48);
    put(&e, rn(2) ? 0x98 : 0x99);
    emit(g, &e, rec("cbw/cwd family"));
}

static void g_bt(gen *g, bool imm)
{
    unsigned size = 2u << rn(3), op = rn(4);
    byte_mode b = { false };
    insn_rec r = rec(imm ? "bt* r/m, imm8" : "bt* r/m, r");
    r.undef = U_BT;
    r.writes_mem = op != 0;
    operand o = bm_rm(b, op != 0, size);
    uint8_t pfx = is_mem(&o) && op != 0 && rn(4) == 0 ? PFX_LOCK : 0;
    if (imm) {
        uint8_t opc[2] = { 0x0f, 0xba };
        uint64_t v = rn(256);
        emit_modrm(g, r.what, pfx, size, opc, 2, false, 4 + op, o, b, &v, 1, r);
        return;
    }
    unsigned off = rnd_dst();
    if (is_mem(&o)) {
        /* A signed bit offset of at most +-1024 keeps the access within 128 bytes of the operand. */
        o.disp = (o.disp > 0 ? o.disp - 256 : o.disp + 256) & ~(int32_t)(size - 1);
        emit_mov_imm64(g, off, (uint64_t)(int64_t)((int)rn(2048) - 1024));
    }
    uint8_t opc[2] = { 0x0f, (uint8_t)(0xa3 + 8 * op) };
    emit_modrm(g, r.what, pfx, size, opc, 2, false, off, o, b, NULL, 0, r);
}

static void g_scan(gen *g)
{
    unsigned size = 2u << rn(3), which = rn(4);
    byte_mode b = { false };
    static const char *const names[] = { "bsf", "bsr", "tzcnt", "lzcnt" };
    insn_rec r = rec(names[which]);
    r.undef = which < 2 ? U_BSF : U_CNT;
    uint8_t opc[2] = { 0x0f, (uint8_t)(0xbc + (which & 1)) };
    emit_modrm(g, r.what, which >= 2 ? PFX_REP : 0, size, opc, 2, false, rnd_dst(), bm_rm(b, false, 1), b, NULL,
               0, r);
}

static void g_popcnt(gen *g)
{
    unsigned size = 2u << rn(3), dst = rnd_dst();
    byte_mode b = { false };
    operand o = bm_rm(b, false, 1);
    insn_rec r = rec("popcnt");
    r.popcnt = true;
    r.size = (uint8_t)size;
    r.pc_reg = (uint8_t)dst;
    r.pc_src = is_mem(&o) ? -1 : (int8_t)o.reg;
    r.pc_addr = is_mem(&o) ? op_addr(&o) : 0;
    uint8_t opc[2] = { 0x0f, 0xb8 };
    emit_modrm(g, r.what, PFX_REP, size, opc, 2, false, dst, o, b, NULL, 0, r);
}

static void g_bswap(gen *g)
{
    unsigned reg = rnd_dst();
    enc e = enc_new();
    bool w = rn(2);
    if (w || (reg & 8))
        put(&e, (uint8_t)(0x40 | (w ? 8 : 0) | (reg >> 3)));
    put(&e, 0x0f);
    put(&e, (uint8_t)(0xc8 + (reg & 7)));
    emit(g, &e, rec("bswap"));
}

static void g_xchg(gen *g)
{
    unsigned size = rnd_size();
    if (size != 1 && rn(3) == 0) {                      /* 90+r: xchg rAX, r */
        unsigned reg = rnd_dst();
        enc e = enc_new();
        if (size == 2)
            put(&e, 0x66);
        if (size == 8 || (reg & 8))
            put(&e, (uint8_t)(0x40 | (size == 8 ? 8 : 0) | (reg >> 3)));
        put(&e, (uint8_t)(0x90 + (reg & 7)));
        emit(g, &e, rec("xchg rax, r"));
        return;
    }
    byte_mode b = rnd_byte_mode(size);
    insn_rec r = rec("xchg r/m, r");
    r.writes_mem = true;
    operand o = bm_rm(b, true, 1);
    uint8_t pfx = is_mem(&o) && rn(2) ? PFX_LOCK : 0;
    uint8_t opc = 0x86;
    emit_modrm(g, r.what, pfx, size, &opc, 1, true, bm_dst(b), o, b, NULL, 0, r);
}

static void g_xadd_cmpxchg(gen *g, bool xadd)
{
    unsigned size = rnd_size();
    byte_mode b = rnd_byte_mode(size);
    insn_rec r = rec(xadd ? "xadd" : "cmpxchg");
    r.writes_mem = true;
    r.cmpxchg32 = !xadd && size == 4;
    operand o = bm_rm(b, true, 1);
    r.cx_rm = is_mem(&o) ? -1 : (int8_t)o.reg;
    if (!xadd && rn(2)) {
        /* Make the comparison succeed about half the time: load the accumulator from the destination. */
        uint8_t mov = 0x8a;
        insn_rec mr = rec("mov acc, r/m");
        emit_modrm(g, "mov acc, r/m", 0, size, &mov, 1, true, RAX, o, b, NULL, 0, mr);
    }
    uint8_t pfx = is_mem(&o) && rn(2) ? PFX_LOCK : 0;
    uint8_t opc[2] = { 0x0f, xadd ? 0xc0 : 0xb0 };
    emit_modrm(g, r.what, pfx, size, opc, 2, true, bm_dst(b), o, b, NULL, 0, r);
}

static void g_cmpxchg8b(gen *g)
{
    bool wide = rn(2);
    operand o = mem_op(wide ? 16 : 8);
    if (rn(2)) {                                        /* load rDX:rAX from the operand so it may succeed */
        uint8_t mov = 0x8b;
        byte_mode b = { false };
        operand hi = o;
        hi.disp += wide ? 8 : 4;
        emit_modrm(g, "mov", 0, wide ? 8 : 4, &mov, 1, false, RAX, o, b, NULL, 0, rec("mov"));
        emit_modrm(g, "mov", 0, wide ? 8 : 4, &mov, 1, false, RDX, hi, b, NULL, 0, rec("mov"));
    }
    enc e = enc_new();
    static const uint8_t opc[2] = { 0x0f, 0xc7 };
    enc_modrm(&e, rn(2) ? PFX_LOCK : 0, wide ? 8 : 4, true, opc, 2, 1, &o, false);
    insn_rec r = rec(wide ? "cmpxchg16b" : "cmpxchg8b");
    r.writes_mem = true;
    emit(g, &e, r);
}

static void g_cmov_setcc(gen *g, bool cmov)
{
    unsigned cc = rn(16);
    byte_mode b = { false };
    if (cmov) {
        unsigned size = 2u << rn(3);
        uint8_t opc[2] = { 0x0f, (uint8_t)(0x40 + cc) };
        emit_modrm(g, "cmovcc", 0, size, opc, 2, false, rnd_dst(), bm_rm(b, false, 1), b, NULL, 0, rec("cmovcc"));
    } else {
        b = rnd_byte_mode(1);
        uint8_t opc[2] = { 0x0f, (uint8_t)(0x90 + cc) };
        insn_rec r = rec("setcc");
        r.writes_mem = true;
        emit_modrm(g, "setcc", 0, 1, opc, 2, false, 0, bm_rm(b, true, 1), b, NULL, 0, r);
    }
}

/* Jcc/JMP forward over a block that runs only if the branch is not taken. */
static void g_branch(gen *g, bool cond)
{
    unsigned cc = rn(16);
    bool rel32 = rn(2);
    enc e = enc_new();
    if (cond && rel32) {
        put(&e, 0x0f);
        put(&e, (uint8_t)(0x80 + cc));
    } else if (cond) {
        put(&e, (uint8_t)(0x70 + cc));
    } else {
        put(&e, rel32 ? 0xe9 : 0xeb);
    }
    unsigned at = g->n, disp_at = e.n;
    put_le(&e, 0, rel32 ? 4 : 1);
    emit(g, &e, rec(cond ? "jcc" : "jmp"));
    unsigned start = g->n, items = 1 + rn(3);
    for (unsigned i = 0; i < items; i++)
        gen_item(g, true);
    unsigned dist = g->n - start;
    if (!rel32 && dist >= 128)
        ck_abort_msg("jump block too long for rel8");
    memcpy(&g->code[at + disp_at], &dist, rel32 ? 4 : 1);
}

/* call L1; jmp L2; L1: block; ret [imm16]; L2: (with a pushed slot for ret imm16). */
static void g_call(gen *g)
{
    bool ret_imm = rn(2);
    if (ret_imm) {
        enc p = enc_new();
        put(&p, 0x6a);
        put(&p, (uint8_t)rn(256));
        emit(g, &p, rec("push imm8"));
    }
    enc c = enc_new();
    put(&c, 0xe8);
    put_le(&c, 2, 4);                                   /* over the jmp rel8 */
    insn_rec cr = rec("call rel32");
    emit(g, &c, cr);
    enc j = enc_new();
    put(&j, 0xeb);
    put(&j, 0);
    unsigned jat = g->n;
    emit(g, &j, rec("jmp rel8"));
    unsigned start = g->n, items = 1 + rn(3);
    for (unsigned i = 0; i < items; i++)
        gen_item(g, true);
    enc r = enc_new();
    if (ret_imm) {
        put(&r, 0xc2);
        put_le(&r, 8, 2);
    } else {
        put(&r, 0xc3);
    }
    emit(g, &r, rec("ret"));
    unsigned dist = g->n - start;
    if (dist >= 128)
        ck_abort_msg("call block too long");
    g->code[jat + 1] = (uint8_t)dist;
}

static void g_pushpop(gen *g)
{
    unsigned form = rn(4);
    bool w16 = rn(5) == 0;
    enc e = enc_new();
    if (form == 0) {                                    /* push r / pop r */
        unsigned s = rnd_src(), d = rnd_dst();
        if (w16)
            put(&e, 0x66);
        if (s & 8)
            put(&e, 0x41);
        put(&e, (uint8_t)(0x50 + (s & 7)));
        insn_rec r = rec("push r");
        emit(g, &e, r);
        enc p = enc_new();
        if (w16)
            put(&p, 0x66);
        if (d & 8)
            put(&p, 0x41);
        put(&p, (uint8_t)(0x58 + (d & 7)));
        emit(g, &p, rec("pop r"));
    } else if (form == 1) {                             /* push imm; pop r */
        bool imm8 = rn(2);
        if (w16)
            put(&e, 0x66);
        put(&e, imm8 ? 0x6a : 0x68);
        put_le(&e, rnd_value(), imm8 ? 1 : w16 ? 2 : 4);
        emit(g, &e, rec("push imm"));
        enc p = enc_new();
        unsigned d = rnd_dst();
        if (w16)
            put(&p, 0x66);
        if (d & 8)
            put(&p, 0x41);
        put(&p, (uint8_t)(0x58 + (d & 7)));
        emit(g, &p, rec("pop r"));
    } else {                                            /* push r/m (FF /6); pop r/m (8F /0) */
        unsigned size = w16 ? 2 : 8;
        uint8_t ff = 0xff, pop = 0x8f;
        operand src = form == 2 ? mem_op(1) : reg_op(rnd_src());
        enc ep = enc_new();
        enc_modrm(&ep, 0, size, false, &ff, 1, 6, &src, false);
        emit(g, &ep, rec("push r/m"));
        operand dst = rn(2) ? mem_op(1) : reg_op(rnd_dst());
        insn_rec r = rec("pop r/m");
        r.writes_mem = is_mem(&dst);
        enc eo = enc_new();
        enc_modrm(&eo, 0, size, false, &pop, 1, 0, &dst, false);
        emit(g, &eo, r);
    }
}

/* PUSHF, and POPF of a value with only the arithmetic flags and DF (TF, IF, AC would change control). */
static void g_pushf(gen *g)
{
    if (rn(2)) {
        enc e = enc_new();
        put(&e, 0x9c);
        emit(g, &e, rec("pushf"));
        enc p = enc_new();
        unsigned d = rnd_dst();
        if (d & 8)
            put(&p, 0x41);
        put(&p, (uint8_t)(0x58 + (d & 7)));
        emit(g, &p, rec("pop r"));
    } else {
        enc e = enc_new();
        put(&e, 0x68);
        put_le(&e, (rnd() & (F_ARITH | (rn(4) == 0 ? F_DF : 0))) | F_FIXED, 4);
        emit(g, &e, rec("push imm32"));
        enc p = enc_new();
        put(&p, 0x9d);
        emit(g, &p, rec("popf"));
    }
}

static void g_enter(gen *g)
{
    enc e = enc_new();
    put(&e, 0xc8);
    put_le(&e, rn(64) * 8, 2);
    put(&e, (uint8_t)rn(3));
    emit(g, &e, rec("enter"));
    unsigned items = rn(3);
    for (unsigned i = 0; i < items; i++)
        gen_item(g, true);
    enc l = enc_new();
    put(&l, 0xc9);
    emit(g, &l, rec("leave"));
}

/* MOVS STOS LODS CMPS SCAS with optional REP/REPE/REPNE; RSI/RDI in the data window, RCX small. */
static void g_string(gen *g)
{
    static const uint8_t ops[] = { 0xa4, 0xaa, 0xac, 0xa6, 0xae };
    static const char *const names[] = { "movs", "stos", "lods", "cmps", "scas" };
    unsigned k = rn(5), size = rnd_size();
    emit_mov_imm64(g, RSI, DIFF_R15 + (uint64_t)(int64_t)((int)rn(512) - 256));
    emit_mov_imm64(g, RDI, DIFF_R15 + (uint64_t)(int64_t)((int)rn(512) - 256));
    emit_mov_imm64(g, RCX, rn(DIFF_MAX_REP));
    if (rn(4) == 0) {
        enc d = enc_new();
        put(&d, rn(2) ? 0xfc : 0xfd);                   /* cld / std */
        emit(g, &d, rec("cld/std"));
    }
    enc e = enc_new();
    unsigned p = rn(3);
    if (p == 1)
        put(&e, PFX_REP);
    if (p == 2)
        put(&e, PFX_REPNE);
    if (size == 2)
        put(&e, 0x66);
    if (size == 8)
        put(&e, 0x48);
    put(&e, (uint8_t)(ops[k] + (size != 1)));
    insn_rec r = rec(names[k]);
    r.rep_string = p != 0;
    r.writes_mem = k <= 1;
    emit(g, &e, r);
}

static void g_nop(gen *g)
{
    enc e = enc_new();
    switch (rn(4)) {
    case 0:
        put(&e, 0x90);
        break;
    case 1:
        put(&e, 0x66);
        put(&e, 0x90);
        break;
    case 2:
        put(&e, 0xf3);                                  /* pause */
        put(&e, 0x90);
        break;
    default: {
        byte_mode b = { false };
        uint8_t opc[2] = { 0x0f, 0x1f };
        emit_modrm(g, "nop r/m", 0, rn(2) ? 2 : 4, opc, 2, false, 0, bm_rm(b, false, 1), b, NULL, 0, rec("nop"));
        return;
    }
    }
    emit(g, &e, rec("nop"));
}

static void g_mov(gen *g)
{
    unsigned size = rnd_size();
    byte_mode b = rnd_byte_mode(size);
    unsigned form = rn(4);
    uint8_t opc;
    insn_rec r = rec("mov");
    if (form == 0) {
        opc = 0x88;
        operand o = bm_rm(b, true, 1);
        r.writes_mem = true;
        emit_modrm(g, "mov r/m, r", 0, size, &opc, 1, true, bm_src(b), o, b, NULL, 0, r);
    } else if (form == 1) {
        opc = 0x8a;
        emit_modrm(g, "mov r, r/m", 0, size, &opc, 1, true, bm_dst(b), bm_rm(b, false, 1), b, NULL, 0, r);
    } else if (form == 2) {
        opc = 0xc6;
        uint64_t imm = rnd_value();
        r.writes_mem = true;
        emit_modrm(g, "mov r/m, imm", 0, size, &opc, 1, true, 0, bm_rm(b, true, 1), b, &imm,
                   size == 1 ? 1 : size == 2 ? 2 : 4, r);
    } else {
        unsigned reg = bm_dst(b);
        enc e = enc_new();
        if (size == 2)
            put(&e, 0x66);
        if (size == 8 || (reg & 8) || (size == 1 && !b.high && reg >= 4))
            put(&e, (uint8_t)(0x40 | (size == 8 ? 8 : 0) | (reg >> 3)));
        put(&e, (uint8_t)((size == 1 ? 0xb0 : 0xb8) + (reg & 7)));
        put_le(&e, rnd_value(), size);
        emit(g, &e, rec("mov r, imm"));
    }
}

/* A0-A3 with a 64-bit absolute address (moffs) into the data window. */
static void g_moffs(gen *g)
{
    unsigned size = rnd_size();
    bool store = rn(2);
    enc e = enc_new();
    if (size == 2)
        put(&e, 0x66);
    if (size == 8)
        put(&e, 0x48);
    put(&e, (uint8_t)((store ? 0xa2 : 0xa0) + (size != 1)));
    put_le(&e, DIFF_R15 + (uint64_t)(int64_t)((int)rn(2 * DIFF_DISP_RANGE) - DIFF_DISP_RANGE), 8);
    insn_rec r = rec(store ? "mov moffs, acc" : "mov acc, moffs");
    r.writes_mem = store;
    emit(g, &e, r);
}

static void g_movx(gen *g)
{
    byte_mode b = { false };
    unsigned form = rn(3);
    if (form == 2) {                                    /* movsxd r64, r/m32 (and the 32-bit form) */
        uint8_t opc = 0x63;
        emit_modrm(g, "movsxd", 0, rn(4) ? 8 : 4, &opc, 1, false, rnd_dst(), bm_rm(b, false, 1), b, NULL, 0,
                   rec("movsxd"));
        return;
    }
    bool word_src = rn(2);
    unsigned size = word_src ? (rn(2) ? 4 : 8) : 2u << rn(3);
    if (!word_src)
        b = rnd_byte_mode(1);
    if (b.high && size == 8)
        size = 4;
    uint8_t opc[2] = { 0x0f, (uint8_t)((form ? 0xbe : 0xb6) + word_src) };
    emit_modrm(g, form ? "movsx" : "movzx", 0, size, opc, 2, false, b.high ? rn(4) : rnd_dst(),
               bm_rm(b, false, 1), b, NULL, 0, rec("movzx/movsx"));
}

static void g_lea(gen *g)
{
    unsigned size = 2u << rn(3), dst = rnd_dst(), base = rnd_src(), index = rnd_src();
    enc e = enc_new();
    if (size == 2)
        put(&e, 0x66);
    if (rn(4) == 0)
        put(&e, 0x67);                                  /* 32-bit address size */
    unsigned rex = (size == 8 ? 8 : 0) | ((dst >> 3) << 2) | ((index >> 3) << 1) | (base >> 3);
    if (rex)
        put(&e, (uint8_t)(0x40 | rex));
    put(&e, 0x8d);
    unsigned mod = rn(3);
    if ((index & 7) == 4 && !(index & 8))
        index = RAX;                                    /* SIB index 100 without REX.X means none */
    put(&e, (uint8_t)(mod << 6 | (dst & 7) << 3 | 4));
    put(&e, (uint8_t)(rn(4) << 6 | (index & 7) << 3 | (base & 7)));
    if (mod == 0 && (base & 7) == 5)
        put_le(&e, rnd(), 4);
    else if (mod == 1)
        put(&e, (uint8_t)rnd());
    else if (mod == 2)
        put_le(&e, rnd(), 4);
    emit(g, &e, rec("lea"));
}

static void g_flagop(gen *g)
{
    static const uint8_t ops[] = { 0xf5, 0xf8, 0xf9, 0xfc, 0xfd };
    enc e = enc_new();
    put(&e, ops[rn(5)]);
    emit(g, &e, rec("flag op"));
}

static void g_lahf(gen *g)
{
    enc e = enc_new();
    put(&e, rn(2) ? 0x9e : 0x9f);
    emit(g, &e, rec("lahf/sahf"));
}

static void gen_item(gen *g, bool in_block)
{
    unsigned c;
    do
        c = rn(C_COUNT);
    while (in_block && (c == C_JCC || c == C_JMP || c == C_CALL || c == C_PUSHPOP || c == C_PUSHF ||
                        c == C_ENTER));
    g->covered[c] = true;
    switch (c) {
    case C_ALU: g_alu(g); break;
    case C_ALU_IMM: g_alu_imm(g); break;
    case C_ACC_IMM: g_acc_imm(g); break;
    case C_TEST: g_test(g); break;
    case C_INCDEC: g_unary(g, true); break;
    case C_NEGNOT: g_unary(g, false); break;
    case C_SHIFT: g_shift(g); break;
    case C_SHD: g_shd(g); break;
    case C_MUL1: g_mul1(g); break;
    case C_DIV: g_div(g); break;
    case C_IMUL2: g_imul(g, false); break;
    case C_IMUL3: g_imul(g, true); break;
    case C_CBW: g_cbw(g); break;
    case C_BT: g_bt(g, false); break;
    case C_BTI: g_bt(g, true); break;
    case C_SCAN: g_scan(g); break;
    case C_POPCNT: g_popcnt(g); break;
    case C_BSWAP: g_bswap(g); break;
    case C_XCHG: g_xchg(g); break;
    case C_XADD: g_xadd_cmpxchg(g, true); break;
    case C_CMPXCHG: g_xadd_cmpxchg(g, false); break;
    case C_CMPXCHG8B: g_cmpxchg8b(g); break;
    case C_CMOV: g_cmov_setcc(g, true); break;
    case C_SETCC: g_cmov_setcc(g, false); break;
    case C_JCC: g_branch(g, true); break;
    case C_JMP: g_branch(g, false); break;
    case C_CALL: g_call(g); break;
    case C_PUSHPOP: g_pushpop(g); break;
    case C_PUSHF: g_pushf(g); break;
    case C_ENTER: g_enter(g); break;
    case C_STRING: g_string(g); break;
    case C_NOP: g_nop(g); break;
    case C_MOV: g_mov(g); break;
    case C_MOVX: g_movx(g); break;
    case C_LEA: g_lea(g); break;
    case C_FLAGOP: g_flagop(g); break;
    case C_LAHF: g_lahf(g); break;
    default: g_moffs(g); break;
    }
}

/* ---- the two machines ---- */

static const int uc_gpr[16] = {
    UC_X86_REG_RAX, UC_X86_REG_RCX, UC_X86_REG_RDX, UC_X86_REG_RBX, UC_X86_REG_RSP, UC_X86_REG_RBP,
    UC_X86_REG_RSI, UC_X86_REG_RDI, UC_X86_REG_R8, UC_X86_REG_R9, UC_X86_REG_R10, UC_X86_REG_R11,
    UC_X86_REG_R12, UC_X86_REG_R13, UC_X86_REG_R14, UC_X86_REG_R15,
};

static const char *const gpr_names[16] = { "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                           "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" };

typedef struct regs {
    uint64_t gpr[16], rip, rflags;
} regs;

/* Check's ck_assert records a location on every call; the hot loop only calls it on failure. */
static void uc_check(uc_err err, const char *what)
{
    if (err != UC_ERR_OK)
        ck_abort_msg("unicorn %s: %s", what, uc_strerror(err));
}

static void emu_check(emu_err err, const char *what)
{
    if (err != EMU_OK)
        ck_abort_msg("emu %s: %s", what, emu_strerror(err));
}

static void uc_get(uc_engine *uc, regs *r)
{
    memset(r, 0, sizeof *r);
    for (unsigned i = 0; i < 16; i++)
        uc_check(uc_reg_read(uc, uc_gpr[i], &r->gpr[i]), "reg read");
    uc_check(uc_reg_read(uc, UC_X86_REG_RIP, &r->rip), "reg read");
    uc_check(uc_reg_read(uc, UC_X86_REG_EFLAGS, &r->rflags), "reg read");
}

static void uc_set(uc_engine *uc, const regs *r)
{
    for (unsigned i = 0; i < 16; i++)
        uc_check(uc_reg_write(uc, uc_gpr[i], &r->gpr[i]), "reg write");
    uc_check(uc_reg_write(uc, UC_X86_REG_RIP, &r->rip), "reg write");
    uc_check(uc_reg_write(uc, UC_X86_REG_EFLAGS, &r->rflags), "reg write");
}

static void emu_get(emu_machine *m, regs *r)
{
    for (unsigned i = 0; i < 16; i++)
        emu_check(emu_reg_read(m, (emu_reg)(EMU_X86_RAX + i), &r->gpr[i]), "reg read");
    emu_check(emu_reg_read(m, EMU_X86_RIP, &r->rip), "reg read");
    emu_check(emu_reg_read(m, EMU_X86_RFLAGS, &r->rflags), "reg read");
}

static void emu_set(emu_machine *m, const regs *r)
{
    for (unsigned i = 0; i < 16; i++)
        emu_check(emu_reg_write(m, (emu_reg)(EMU_X86_RAX + i), r->gpr[i]), "reg write");
    emu_check(emu_reg_write(m, EMU_X86_RIP, r->rip), "reg write");
    emu_check(emu_reg_write(m, EMU_X86_RFLAGS, r->rflags), "reg write");
}

/* Flags the SDM leaves undefined after this instruction, given the state before it. */
static uint64_t undefined_flags(const insn_rec *r, const regs *before)
{
    unsigned bits = 8u * r->size;
    unsigned count = r->count >= 0 ? (unsigned)r->count : (unsigned)(before->gpr[RCX] & 0xff);
    unsigned c = count & (r->size == 8 ? 63 : 31);
    switch (r->undef) {
    case U_AF: return F_AF;
    case U_MUL: return F_SF | F_ZF | F_AF | F_PF;
    case U_DIV: return F_ARITH;
    case U_SHIFT: return c == 0 ? 0 : F_AF | (c != 1 ? F_OF : 0) | (c >= bits ? F_CF : 0);
    case U_SAR: return c == 0 ? 0 : F_AF | (c != 1 ? F_OF : 0);
    case U_ROT: return c > 1 ? F_OF : 0;
    case U_SHD: return c == 0 ? 0 : c > bits ? F_ARITH : F_AF | (c != 1 ? F_OF : 0);
    case U_BT: return F_OF | F_SF | F_AF | F_PF;
    case U_BSF: return F_CF | F_OF | F_SF | F_AF | F_PF;
    case U_CNT: return F_OF | F_SF | F_AF | F_PF;
    default: return 0;
    }
}

/*
 * Unicorn 2.0.1 against the SDM:
 *  - POPCNT: every Unicorn 2.0.1 CPU model reports CPUID.01H:ECX.POPCNT = 0
 *    and raises #UD, while emu's model (Skylake-Client) has it. The test
 *    completes the instruction on the Unicorn side from the SDM's
 *    definition (count of set bits; ZF = source is zero; the other five
 *    flags cleared) and compares emu against that.
 *  - CMPXCHG r/m32: QEMU before 7.2 writes both the accumulator and a
 *    register destination unconditionally, zero-extending them. The SDM
 *    writes the accumulator only on failure, and hardware writes a register
 *    destination only on success (QEMU's later fix says the same; checked on
 *    an AMD EPYC host, tests/cpu_x86/test_alu.c). The test restores bits
 *    63:32 of the register that should not have been written: RAX after a
 *    success (ZF = 1), the destination after a failure.
 *  - LOCK NEG m: the atomic path computes SF, ZF, PF and OF from the
 *    original operand instead of the result (the unlocked NEG is right).
 *    The test recomputes the six flags from the stored result as the NEG
 *    page defines them (CF = source != 0; the others of 0 - source).
 * Returns true if Unicorn's step was replaced or corrected.
 */
static bool unicorn_deviation(uc_engine *uc, const insn_rec *r, const regs *before, uc_err err, regs *after)
{
    if (r->popcnt && err == UC_ERR_INSN_INVALID) {
        uint64_t mask = ~0ull >> (64 - 8 * r->size), src;
        if (r->pc_src >= 0) {
            src = before->gpr[r->pc_src];
        } else {
            uc_check(uc_mem_read(uc, r->pc_addr, &src, sizeof src), "mem read");
        }
        src &= mask;
        *after = *before;
        uint64_t res = (uint64_t)__builtin_popcountll(src);
        uint64_t *d = &after->gpr[r->pc_reg];
        *d = r->size == 4 ? res : r->size == 2 ? (*d & ~0xffffull) | res : res;
        after->rflags = (before->rflags & ~F_ARITH) | (src == 0 ? F_ZF : 0);
        after->rip = before->rip + r->len;
        uc_set(uc, after);
        return true;
    }
    if (r->lock_neg && err == UC_ERR_OK) {
        uint64_t mask = ~0ull >> (64 - 8 * r->size), res = 0;
        uc_check(uc_mem_read(uc, r->pc_addr, &res, r->size), "mem read");
        uint64_t old = (0 - res) & mask, sign = 1ull << (8 * r->size - 1);
        unsigned ones = (unsigned)__builtin_popcountll(res & 0xff);
        uint64_t f = (res != 0 ? F_CF : 0) | (ones % 2 == 0 ? F_PF : 0) | ((old ^ res) & F_AF) |
                     (res == 0 ? F_ZF : 0) | (res & sign ? F_SF : 0) | (res == sign ? F_OF : 0);
        uint64_t fixed = (after->rflags & ~F_ARITH) | f;
        if (fixed != after->rflags) {
            after->rflags = fixed;
            uc_set(uc, after);
            return true;
        }
        return false;
    }
    if (r->cmpxchg32 && err == UC_ERR_OK) {
        int reg = (after->rflags & F_ZF) ? RAX : r->cx_rm;
        if (reg < 0 || (reg == r->cx_rm && (after->rflags & F_ZF)))
            return false;           /* no register, or RAX is the destination and was written */
        uint64_t want = (after->gpr[reg] & 0xffffffffull) | (before->gpr[reg] & ~0xffffffffull);
        if (after->gpr[reg] != want) {
            after->gpr[reg] = want;
            uc_set(uc, after);
            return true;
        }
    }
    return false;
}

typedef struct diff_stats {
    uint64_t insns, undefined_differences, deviations;
    bool verbose;           /* EMU_DIFF_VERBOSE: list every masked undefined-flag difference */
    bool trace;             /* EMU_DIFF_TRACE: print each instruction before it runs */
} diff_stats;

static void print_sequence(const gen *g)
{
    fprintf(stderr, "sequence bytes (%u) at 0x%llx:\n", g->n, (unsigned long long)T_CODE_ADDR);
    for (unsigned i = 0; i < g->n; i++)
        fprintf(stderr, "%02x%s", g->code[i], (i % 32 == 31 || i + 1 == g->n) ? "\n" : " ");
}

static void report_mismatch(const gen *g, unsigned seq, unsigned step, const insn_rec *r, uint64_t pc,
                            const regs *e, const regs *u, uint64_t undef, const char *why)
{
    print_sequence(g);
    fprintf(stderr, "sequence %u, instruction index %u at 0x%llx (+0x%llx) \"%s\": %s\n", seq, step,
            (unsigned long long)pc, (unsigned long long)(pc - T_CODE_ADDR), r ? r->what : "?", why);
    if (r) {
        fprintf(stderr, "  bytes:");
        for (unsigned i = 0; i < r->len; i++)
            fprintf(stderr, " %02x", g->code[pc - T_CODE_ADDR + i]);
        fprintf(stderr, "\n");
    }
    for (unsigned i = 0; i < 16; i++)
        if (e->gpr[i] != u->gpr[i])
            fprintf(stderr, "  %s: emu 0x%016llx unicorn 0x%016llx\n", gpr_names[i], (unsigned long long)e->gpr[i],
                    (unsigned long long)u->gpr[i]);
    if (e->rip != u->rip)
        fprintf(stderr, "  rip: emu 0x%llx unicorn 0x%llx\n", (unsigned long long)e->rip,
                (unsigned long long)u->rip);
    if ((e->rflags & ~undef) != (u->rflags & ~undef))
        fprintf(stderr, "  rflags: emu 0x%llx unicorn 0x%llx (undefined 0x%llx masked)\n",
                (unsigned long long)e->rflags, (unsigned long long)u->rflags, (unsigned long long)undef);
}

static bool windows_equal(emu_machine *m, uc_engine *uc, uint64_t base, unsigned size, uint8_t *a, uint8_t *b,
                          unsigned *first)
{
    emu_check(emu_mem_read_phys(m, base, a, size), "mem read");
    uc_check(uc_mem_read(uc, base, b, size), "mem read");
    if (memcmp(a, b, size) == 0)
        return true;
    for (unsigned i = 0; i < size; i++)
        if (a[i] != b[i]) {
            *first = i;
            break;
        }
    return false;
}

/* Run one sequence in both machines in lock step; returns false on the first mismatch. */
static bool run_sequence(emu_machine *m, uc_engine *uc, gen *g, unsigned seq, diff_stats *st)
{
    static uint8_t data[DIFF_DATA_SIZE], stack[DIFF_STACK_SIZE], ea[DIFF_STACK_SIZE], eb[DIFF_STACK_SIZE];
    for (unsigned i = 0; i < DIFF_DATA_SIZE; i += 8) {
        uint64_t v = rnd_value();
        memcpy(&data[i], &v, 8);
    }
    memset(stack, 0, sizeof stack);
    regs start;
    for (unsigned i = 0; i < 16; i++)
        start.gpr[i] = rnd_value();
    start.gpr[RSP] = DIFF_RSP_START;
    start.gpr[RBP] = DIFF_RBP_START;
    start.gpr[R15] = DIFF_R15;
    start.rip = T_CODE_ADDR;
    start.rflags = F_FIXED | (rnd() & F_ARITH);

    /*
     * Past the end: HLT, which ends a Unicorn translation block, so Unicorn
     * never translates leftovers of a longer earlier sequence.
     */
    memset(&g->code[g->n], X86_HLT, DIFF_CODE_SIZE - g->n);
    emu_check(emu_mem_write_phys(m, T_CODE_ADDR, g->code, DIFF_CODE_SIZE), "mem write");
    emu_check(emu_mem_write_phys(m, T_DATA_ADDR, data, sizeof data), "mem write");
    emu_check(emu_mem_write_phys(m, DIFF_STACK_BASE, stack, sizeof stack), "mem write");
    uc_check(uc_mem_write(uc, T_CODE_ADDR, g->code, DIFF_CODE_SIZE), "mem write");
    /* Unicorn 2.0.1 keeps translations of the previous sequence's code: drop them. */
    uc_check(uc_ctl_remove_cache(uc, T_CODE_ADDR, T_CODE_ADDR + DIFF_CODE_SIZE), "remove cache");
    uc_check(uc_mem_write(uc, T_DATA_ADDR, data, sizeof data), "mem write");
    uc_check(uc_mem_write(uc, DIFF_STACK_BASE, stack, sizeof stack), "mem write");
    emu_set(m, &start);
    uc_set(uc, &start);

    if (st->trace)
        print_sequence(g);
    uint64_t end = T_CODE_ADDR + g->n;
    unsigned max_steps = DIFF_MAX_STEPS_FACTOR * g->insns + 16;
    regs before = start, e, u;
    for (unsigned step = 0; before.rip != end; step++) {
        uint64_t pc = before.rip;
        const insn_rec *r = pc >= T_CODE_ADDR && pc < end ? &g->rec[pc - T_CODE_ADDR] : NULL;
        if (step >= max_steps || !r || r->len == 0) {
            emu_get(m, &e);
            report_mismatch(g, seq, step, NULL, pc, &e, &before, 0, "execution left the generated instructions");
            return false;
        }
        emu_stop stop;
        emu_err err = emu_step(m, &stop);
        if (err != EMU_OK || stop.kind != EMU_STOP_NONE) {
            emu_get(m, &e);
            report_mismatch(g, seq, step, r, pc, &e, &before, 0, err != EMU_OK ? emu_strerror(err) : stop.message);
            return false;
        }
        /*
         * Unicorn counts each REP iteration as an instruction, so a REP string
         * instruction runs to the next address. Always passing a count keeps
         * Unicorn's count hook installed: removing it flushes every translation.
         */
        if (st->trace) {
            fprintf(stderr, "seq %u step %u +0x%llx %s:", seq, step, (unsigned long long)(pc - T_CODE_ADDR), r->what);
            for (unsigned i = 0; i < r->len; i++)
                fprintf(stderr, " %02x", g->code[pc - T_CODE_ADDR + i]);
            fprintf(stderr, "\n");
        }
        uc_err uerr = r->rep_string ? uc_emu_start(uc, pc, pc + r->len, 0, DIFF_MAX_REP + 2)
                                    : uc_emu_start(uc, pc, 0, 0, 1);
        uc_get(uc, &u);
        if (unicorn_deviation(uc, r, &before, uerr, &u))
            st->deviations++;
        else if (uerr != UC_ERR_OK) {
            emu_get(m, &e);
            report_mismatch(g, seq, step, r, pc, &e, &u, 0, uc_strerror(uerr));
            return false;
        }
        emu_get(m, &e);
        uint64_t undef = undefined_flags(r, &before);
        bool same = memcmp(e.gpr, u.gpr, sizeof e.gpr) == 0 && e.rip == u.rip &&
                    (e.rflags & ~undef) == (u.rflags & ~undef);
        if (!same) {
            report_mismatch(g, seq, step, r, pc, &e, &u, undef, "state differs");
            unsigned at = 0;
            if (!windows_equal(m, uc, T_DATA_ADDR, DIFF_DATA_SIZE, ea, eb, &at))
                fprintf(stderr, "  data window differs too, first at 0x%llx: emu 0x%02x unicorn 0x%02x\n",
                        (unsigned long long)(T_DATA_ADDR + at), ea[at], eb[at]);
            return false;
        }
        if (e.rflags != u.rflags) {
            /* Only undefined flags differ: continue from Unicorn's so later instructions agree. */
            st->undefined_differences++;
            if (st->verbose)
                fprintf(stderr, "undefined flags differ: \"%s\" at +0x%llx: emu 0x%llx unicorn 0x%llx (cl 0x%llx)\n",
                        r->what, (unsigned long long)(pc - T_CODE_ADDR), (unsigned long long)e.rflags,
                        (unsigned long long)u.rflags, (unsigned long long)(before.gpr[RCX] & 0xff));
            emu_check(emu_reg_write(m, EMU_X86_RFLAGS, u.rflags), "reg write");
        }
        if (r->writes_mem) {
            unsigned at = 0;
            if (!windows_equal(m, uc, T_DATA_ADDR, DIFF_DATA_SIZE, ea, eb, &at)) {
                report_mismatch(g, seq, step, r, pc, &e, &u, undef, "data window differs");
                fprintf(stderr, "  first differing byte at 0x%llx: emu 0x%02x unicorn 0x%02x\n",
                        (unsigned long long)(T_DATA_ADDR + at), ea[at], eb[at]);
                return false;
            }
        }
        st->insns++;
        before = u;
    }
    unsigned at = 0;
    if (!windows_equal(m, uc, T_DATA_ADDR, DIFF_DATA_SIZE, ea, eb, &at) ||
        !windows_equal(m, uc, DIFF_STACK_BASE, DIFF_STACK_SIZE, ea, eb, &at)) {
        report_mismatch(g, seq, g->insns, NULL, end, &e, &u, 0, "memory differs at the end of the sequence");
        fprintf(stderr, "  first differing byte at window offset 0x%x: emu 0x%02x unicorn 0x%02x\n", at, ea[at],
                eb[at]);
        return false;
    }
    return true;
}

START_TEST(unicorn_differential)
{
    const char *seed_env = getenv("EMU_DIFF_SEED");
    uint64_t seed = seed_env ? strtoull(seed_env, NULL, 0) : DIFF_SEED_DEFAULT;
    rng_state = seed ? seed : DIFF_SEED_DEFAULT;

    emu_options opts;
    emu_options_init(&opts);
    opts.arch = EMU_ARCH_X86_64;
    opts.x86_start = EMU_X86_START_LONG64;
    opts.cpu_model = "Skylake-Client";          /* BMI1, ABM, POPCNT, LAHF_LM, CX16, as Unicorn's model */
    emu_machine *m = NULL;
    emu_err eerr = emu_create(&opts, &m);
    ck_assert_msg(eerr == EMU_OK, "emu_create: %s", emu_strerror(eerr));

    uc_engine *uc = NULL;
    uc_check(uc_open(UC_ARCH_X86, UC_MODE_64, &uc), "open");
    uc_check(uc_ctl_set_cpu_model(uc, UC_CPU_X86_SKYLAKE_CLIENT), "cpu model");
    uc_check(uc_mem_map(uc, T_CODE_ADDR, DIFF_CODE_SIZE, UC_PROT_ALL), "map code");
    uc_check(uc_mem_map(uc, DIFF_STACK_BASE, DIFF_STACK_SIZE, UC_PROT_READ | UC_PROT_WRITE), "map stack");
    uc_check(uc_mem_map(uc, T_DATA_ADDR, DIFF_DATA_SIZE, UC_PROT_READ | UC_PROT_WRITE), "map data");

    static gen g;
    static insn_rec recs[DIFF_CODE_SIZE];
    bool covered[C_COUNT] = { false };
    diff_stats st = { 0, 0, 0, getenv("EMU_DIFF_VERBOSE") != NULL, getenv("EMU_DIFF_TRACE") != NULL };
    bool ok = true;
    for (unsigned seq = 0; ok && (seq < DIFF_SEQUENCES || st.insns < DIFF_MIN_INSNS); seq++) {
        memset(recs, 0, g.n * sizeof recs[0]);     /* only what the last sequence used */
        memset(&g, 0, sizeof g);
        g.rec = recs;
        for (unsigned i = 0; i < DIFF_ITEMS_PER_SEQ; i++)
            gen_item(&g, false);
        for (unsigned c = 0; c < C_COUNT; c++)
            covered[c] |= g.covered[c];
        ok = run_sequence(m, uc, &g, seq, &st);
        if (!ok)
            ck_abort_msg("emu and Unicorn differ in sequence %u (seed 0x%llx); details on stderr", seq,
                      (unsigned long long)seed);
    }
    for (unsigned c = 0; c < C_COUNT; c++)
        ck_assert_msg(covered[c], "instruction class %s was never generated", cls_names[c]);
    ck_assert_msg(st.insns >= DIFF_MIN_INSNS, "only %llu instructions compared", (unsigned long long)st.insns);
    fprintf(stderr, "unicorn diff: %llu instructions compared, %llu with differing undefined flags (masked), "
                    "%llu Unicorn deviations handled\n",
            (unsigned long long)st.insns, (unsigned long long)st.undefined_differences,
            (unsigned long long)st.deviations);
    uc_close(uc);
    emu_close(m);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cpu_x86_unicorn_diff");
    TCase *tc = tcase_create("diff");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, unicorn_differential);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
