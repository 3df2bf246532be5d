/*
 * The x86 instruction decoder: bytes in, an x86_insn out, no CPU state
 * touched. Prefixes (SDM vol. 2, 2.1.1), REX (2.2.1), the opcode maps of
 * appendix A through opcodes.def, ModRM/SIB/displacement in the 16-bit and
 * 32/64-bit addressing forms (2.1.5, tables 2-1 to 2-3), immediates, and the
 * operand- and address-size rules of 64-bit mode (2.2.1.7, 3.6 of vol. 1).
 */
#include <stddef.h>
#include <string.h>

#include "cpu/x86/handlers.h"

#define X86_MAX_INSN_LEN 15     /* SDM vol. 2, 2.3.11: longer is #GP(0) */

enum { MAP_1B, MAP_0F, MAP_0F38, MAP_0F3A, MAP_COUNT };

/* Row flags (opcodes.def explains each). */
enum {
    OF_MODRM = 1u << 0,
    OF_BYTE = 1u << 1,
    OF_D64 = 1u << 2,
    OF_F64 = 1u << 3,
    OF_CR = 1u << 4,
    OF_NOMEM = 1u << 5,
    OF_MEM = 1u << 6,
    OF_LOCK = 1u << 7,
    OF_GROUP = 1u << 8,
    OF_VAR = 1u << 9,
};

enum x86_imm_form {
    IMM_NONE, IMM_IB, IMM_UB, IMM_IW, IMM_IZ, IMM_IV, IMM_MOFFS, IMM_FAR, IMM_ENTER,
};

enum { MODES_ALL, MODES_LEG, MODES_X64 };
enum { PANY, PNOREP, P66, PF3, PF2 };
#define R_ANY (-1)
#define M_ANY (-1)
#define M_MEM (-2)
#define M_REG (-3)
#define X86_INVALID NULL

typedef struct x86_opdesc {
    const char *mnemonic;
    x86_handler handler;        /* NULL: no such instruction (#UD) */
    uint8_t imm;
    uint16_t flags;
} x86_opdesc;

typedef struct x86_subdesc {
    uint8_t map, opcode, modes, prefix;
    int8_t reg;
    int16_t modrm;
    x86_opdesc desc;
} x86_subdesc;

/*
 * The main rows, one table for 16/32-bit code and one for 64-bit mode. A
 * row is kept in a table when its modes column includes that table's modes;
 * a duplicate row in one table is a -Woverride-init error.
 */
#define KEEP_LEG_ALL(...) __VA_ARGS__
#define KEEP_LEG_LEG(...) __VA_ARGS__
#define KEEP_LEG_X64(...)
#define KEEP_X64_ALL(...) __VA_ARGS__
#define KEEP_X64_LEG(...)
#define KEEP_X64_X64(...) __VA_ARGS__
#define ROW(map, opc, mn, h, imm, fl) [map][opc] = { mn, h, IMM_##imm, (fl) },
#define X86_SUB(...)

static const x86_opdesc op_legacy[MAP_COUNT][256] = {
#define X86_OP(map, opc, modes, mn, h, imm, fl) KEEP_LEG_##modes(ROW(map, opc, mn, h, imm, fl))
#include "cpu/x86/opcodes.def"
#undef X86_OP
};

static const x86_opdesc op_long64[MAP_COUNT][256] = {
#define X86_OP(map, opc, modes, mn, h, imm, fl) KEEP_X64_##modes(ROW(map, opc, mn, h, imm, fl))
#include "cpu/x86/opcodes.def"
#undef X86_OP
};
#undef X86_SUB

static const x86_subdesc op_sub[] = {
#define X86_OP(...)
#define X86_SUB(map, opc, modes, pfx, reg, modrm, mn, h, imm, fl) \
    { map, opc, MODES_##modes, pfx, reg, modrm, { mn, h, IMM_##imm, (fl) } },
#include "cpu/x86/opcodes.def"
#undef X86_OP
#undef X86_SUB
};

/* An opcode of 0F 38 / 0F 3A that the table does not name. */
static const x86_opdesc op_0f38_family = { "sse", x86_op_simd, IMM_NONE, OF_MODRM };
static const x86_opdesc op_0f3a_family = { "sse", x86_op_simd, IMM_UB, OF_MODRM };
/* 90 with REX.B is XCHG r8, rAX, not NOP (SDM vol. 2, NOP and XCHG). */
static const x86_opdesc op_xchg_r8 = { "xchg", x86_op_xchg_acc_r, IMM_NONE, 0 };

static const x86_opdesc *find_sub(unsigned map, unsigned opc, bool long64, unsigned mpfx,
                                  unsigned modrm)
{
    unsigned reg = (modrm >> 3) & 7;
    bool is_reg = (modrm >> 6) == 3;
    for (size_t i = 0; i < sizeof op_sub / sizeof op_sub[0]; i++) {
        const x86_subdesc *s = &op_sub[i];
        if (s->map != map || s->opcode != opc)
            continue;
        if ((s->modes == MODES_LEG && long64) || (s->modes == MODES_X64 && !long64))
            continue;
        if (s->prefix != PANY) {
            bool ok = s->prefix == PNOREP ? (mpfx == PANY || mpfx == P66) : s->prefix == mpfx;
            if (!ok)
                continue;
        }
        if (s->reg != R_ANY && (unsigned)s->reg != reg)
            continue;
        if ((s->modrm == M_MEM && is_reg) || (s->modrm == M_REG && !is_reg) ||
            (s->modrm >= 0 && (unsigned)s->modrm != modrm))
            continue;
        return &s->desc;
    }
    return NULL;
}

/* Result of a fetch that runs past the available bytes or the 15-byte limit. */
static int past_end(unsigned need, unsigned avail)
{
    return need > X86_MAX_INSN_LEN ? X86_DECODE_TOO_LONG : (need > avail ? X86_DECODE_SHORT : 0);
}

static uint64_t load_le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static int64_t sign_extend(uint64_t v, unsigned bytes)
{
    unsigned sh = 64 - 8 * bytes;
    return (int64_t)(v << sh) >> sh;
}

/* 16-bit addressing forms, by ModRM.rm (SDM vol. 2, table 2-1). */
static const uint8_t base16[8] = { X86_RBX, X86_RBX, X86_RBP, X86_RBP, X86_NO_REG, X86_NO_REG, X86_RBP, X86_RBX };
static const uint8_t index16[8] = { X86_RSI, X86_RDI, X86_RSI, X86_RDI, X86_RSI, X86_RDI, X86_NO_REG, X86_NO_REG };

#define REX_B 0x1
#define REX_X 0x2
#define REX_R 0x4
#define REX_W 0x8

/* VEX/EVEX (SDM vol. 2, 2.3.5 and 2.7.1): escapes, then 1, 2 or 3 payload bytes. */
#define VEX3_ESCAPE    0xc4
#define VEX2_ESCAPE    0xc5
#define EVEX_ESCAPE    0x62
#define REX_BASE       0x40
#define OPC_VZEROUPPER 0x77         /* VEX.0F 77: VZEROUPPER/VZEROALL, the one form without ModRM */
/* The payload's map field: 1 = 0F, 2 = 0F 38, 3 = 0F 3A. */
#define VEX_MAP_MASK   0x1f
#define EVEX_MAP_MASK  0x07
#define EVEX_P0_RESERVED 0x08       /* must be 0 */
#define EVEX_P1_FIXED  0x04         /* must be 1 */
#define VEX_PP_MASK    0x03         /* implied prefix: none, 66, F3, F2 */
#define VEX_W          0x80

static const x86_opdesc op_vex = { "vex", x86_op_vex, IMM_NONE, OF_MODRM };
static const x86_opdesc op_vex_ib = { "vex", x86_op_vex, IMM_UB, OF_MODRM };
static const x86_opdesc op_vex_no_modrm = { "vzeroupper", x86_op_vex, IMM_NONE, 0 };
static const x86_opdesc op_evex = { "evex", x86_op_evex, IMM_NONE, OF_MODRM };
static const x86_opdesc op_evex_ib = { "evex", x86_op_evex, IMM_UB, OF_MODRM };

/* Map 0F opcodes that take an imm8 in their VEX/EVEX forms: shuffles, shifts by imm8, CMPPS, PINSRW, ... */
static bool vex_0f_has_imm8(unsigned opc)
{
    return (opc >= 0x70 && opc <= 0x73) || opc == 0xc2 || (opc >= 0xc4 && opc <= 0xc6);
}

/*
 * Read a VEX (C4, C5) or EVEX (62) prefix at bytes[*pos] (the byte after
 * C4/C5/62), then the opcode: set the map, opcode, REX bits and implied
 * prefix it encodes, and the form that gives the length. Returns 0, or a
 * negative X86_DECODE_* result. Legacy 66/F2/F3/LOCK or REX before it is
 * #UD (2.3.2).
 */
static int decode_vex(const uint8_t *bytes, unsigned avail, bool long64, unsigned escape, unsigned *pos,
                      unsigned *map, unsigned *opc, unsigned *rex, unsigned *prefixes, unsigned *last_rep,
                      const x86_opdesc **d)
{
    unsigned payload = escape == VEX2_ESCAPE ? 1 : escape == VEX3_ESCAPE ? 2 : 3;
    int r = past_end(*pos + payload + 1, avail);
    if (r != 0)
        return r;
    if (*rex || *last_rep || (*prefixes & (X86_PFX_OPSIZE | X86_PFX_LOCK)))
        return X86_DECODE_INVALID;
    const uint8_t *p = bytes + *pos;
    unsigned vmap, pp, w = 0;
    if (escape == VEX2_ESCAPE) {
        vmap = MAP_0F;
        pp = p[0] & VEX_PP_MASK;
    } else if (escape == VEX3_ESCAPE) {
        vmap = p[0] & VEX_MAP_MASK;
        pp = p[1] & VEX_PP_MASK;
        w = p[1] & VEX_W;
    } else {
        if ((p[0] & EVEX_P0_RESERVED) || !(p[1] & EVEX_P1_FIXED))
            return X86_DECODE_INVALID;
        vmap = p[0] & EVEX_MAP_MASK;
        pp = p[1] & VEX_PP_MASK;
        w = p[1] & VEX_W;
    }
    if (vmap < MAP_0F || vmap > MAP_0F3A)
        return X86_DECODE_INVALID;
    /* R, X, B are stored inverted in bits 7:5 of the first payload byte; outside 64-bit mode they are unused. */
    unsigned inv = (unsigned)(~p[0] >> 5) & 7;
    unsigned bits = escape == VEX2_ESCAPE ? (inv & 4) : inv;
    *rex = long64 ? (REX_BASE | (bits & 4 ? REX_R : 0) | (bits & 2 ? REX_X : 0) | (bits & 1 ? REX_B : 0) |
                     (w ? REX_W : 0)) : 0;
    if (pp == 1)
        *prefixes |= X86_PFX_OPSIZE;
    else if (pp == 2)
        *last_rep = 0xf3;
    else if (pp == 3)
        *last_rep = 0xf2;
    *pos += payload;
    *opc = bytes[(*pos)++];
    *map = vmap;
    bool evex = escape == EVEX_ESCAPE;
    bool ib = vmap == MAP_0F3A || (vmap == MAP_0F && vex_0f_has_imm8(*opc));
    if (!evex && vmap == MAP_0F && *opc == OPC_VZEROUPPER)
        *d = &op_vex_no_modrm;
    else if (evex)
        *d = ib ? &op_evex_ib : &op_evex;
    else
        *d = ib ? &op_vex_ib : &op_vex;
    return 0;
}

int x86_decode(const uint8_t *bytes, unsigned avail, unsigned code_size, x86_insn *insn)
{
    const bool long64 = code_size == 8;
    unsigned pos = 0;
    unsigned rex = 0;
    unsigned prefixes = 0;
    unsigned last_rep = 0;          /* 0xF2 or 0xF3, whichever came last */
    uint8_t seg = X86_SEG_NONE;
    bool notrack = false;
    int r;

    memset(insn, 0, sizeof *insn);

#define NEED(n)                                                                 \
    do {                                                                        \
        if ((r = past_end(pos + (n), avail)) != 0)                              \
            return r;                                                           \
    } while (0)

    /* Legacy prefixes, then an optional REX that must come right before the opcode. */
    uint8_t b;
    for (;;) {
        NEED(1);
        b = bytes[pos++];
        unsigned new_rex = 0;
        switch (b) {
        case 0x26: case 0x2e: case 0x36: case 0x3e:
            /* In 64-bit mode ES/CS/SS/DS overrides are ignored (SDM vol. 1, 3.3.7.1). */
            if (!long64)
                seg = b == 0x26 ? X86_ES : b == 0x2e ? X86_CS : b == 0x36 ? X86_SS : X86_DS;
            notrack = b == 0x3e;
            break;
        case 0x64: seg = X86_FS; notrack = false; break;
        case 0x65: seg = X86_GS; notrack = false; break;
        case 0x66: prefixes |= X86_PFX_OPSIZE; break;
        case 0x67: prefixes |= X86_PFX_ADDRSIZE; break;
        case 0xf0: prefixes |= X86_PFX_LOCK; break;
        case 0xf2: case 0xf3: last_rep = b; break;
        default:
            if (long64 && (b & 0xf0) == 0x40) {
                new_rex = b;
                break;
            }
            goto opcode;
        }
        /* A REX followed by anything but the opcode is ignored (SDM vol. 2, 2.2.1). */
        rex = new_rex;
    }

opcode:;
    unsigned map = MAP_1B;
    unsigned opc = b;
    if (b == 0x0f) {
        NEED(1);
        opc = bytes[pos++];
        if (opc == 0x38 || opc == 0x3a) {
            map = opc == 0x38 ? MAP_0F38 : MAP_0F3A;
            NEED(1);
            opc = bytes[pos++];
        } else if (opc == 0x0f) {
            return X86_DECODE_INVALID;  /* 3DNow!: not an Intel instruction */
        } else {
            map = MAP_0F;
        }
    }

    /*
     * C4/C5 (VEX) and 62 (EVEX) are prefixes in 64-bit mode, and elsewhere
     * when the next byte has mod == 3 (LES/LDS/BOUND need memory; SDM vol. 2,
     * 2.3.5 and 2.7.1). The decoder takes their length; fpu_sse.c decides
     * what executing them raises.
     */
    const x86_opdesc *d = NULL;
    if (map == MAP_1B && (opc == VEX3_ESCAPE || opc == VEX2_ESCAPE || opc == EVEX_ESCAPE)) {
        NEED(1);
        if (long64 || (bytes[pos] >> 6) == 3) {
            int vex = decode_vex(bytes, avail, long64, opc, &pos, &map, &opc, &rex, &prefixes, &last_rep, &d);
            if (vex != 0)
                return vex;
        }
    }

    if (!d)
        d = &(long64 ? op_long64 : op_legacy)[map][opc];
    if (!d->handler) {
        if (map == MAP_0F38)
            d = &op_0f38_family;
        else if (map == MAP_0F3A)
            d = &op_0f3a_family;
        else
            return X86_DECODE_INVALID;
    }
    if (map == MAP_1B && opc == 0x90 && (rex & REX_B))
        d = &op_xchg_r8;

    unsigned modrm = 0;
    if (d->flags & OF_MODRM) {
        NEED(1);
        modrm = bytes[pos++];
    }
    if (d->flags & (OF_GROUP | OF_VAR)) {
        unsigned mpfx = last_rep == 0xf3 ? PF3 : last_rep == 0xf2 ? PF2 :
                        (prefixes & X86_PFX_OPSIZE) ? P66 : PANY;
        const x86_opdesc *s = find_sub(map, opc, long64, mpfx, modrm);
        if (s)
            d = s;
        else if (d->flags & OF_GROUP)
            return X86_DECODE_INVALID;
        if (!d->handler)
            return X86_DECODE_INVALID;
    }

    const unsigned flags = d->flags;
    const bool has_modrm = (flags & OF_MODRM) != 0;
    unsigned mod = has_modrm ? modrm >> 6 : 3;
    if (flags & OF_NOMEM)
        mod = 3;
    if ((flags & OF_MEM) && mod == 3)
        return X86_DECODE_INVALID;
    /* LOCK only on the listed read-modify-write forms with a memory destination (SDM vol. 2, LOCK). */
    if ((prefixes & X86_PFX_LOCK) && (!(flags & OF_LOCK) || mod == 3))
        return X86_DECODE_INVALID;

    /* Operand size (SDM vol. 1, 3.6; vol. 2, 2.2.1.2 and 2.2.1.7). */
    unsigned opsize;
    if (flags & OF_BYTE)
        opsize = 1;
    else if (flags & OF_CR)
        opsize = long64 ? 8 : 4;
    else if (long64) {
        if ((rex & REX_W) || (flags & OF_F64))
            opsize = 8;
        else if (prefixes & X86_PFX_OPSIZE)
            opsize = 2;
        else
            opsize = (flags & OF_D64) ? 8 : 4;
    } else {
        bool wide = (code_size == 4) != ((prefixes & X86_PFX_OPSIZE) != 0);
        opsize = wide ? 4 : 2;
    }
    unsigned addrsize;
    if (long64)
        addrsize = (prefixes & X86_PFX_ADDRSIZE) ? 4 : 8;
    else
        addrsize = ((code_size == 4) != ((prefixes & X86_PFX_ADDRSIZE) != 0)) ? 4 : 2;

    insn->has_modrm = has_modrm;
    insn->mod = (uint8_t)mod;
    if (has_modrm) {
        insn->reg = (uint8_t)(((modrm >> 3) & 7) | ((rex & REX_R) ? 8 : 0));
        insn->rm = (uint8_t)((modrm & 7) | ((rex & REX_B) ? 8 : 0));
    } else {
        /* "+r" forms (50+r, B8+r, 0F C8+r, ...) name their register here. */
        insn->rm = (uint8_t)((opc & 7) | ((rex & REX_B) ? 8 : 0));
    }
    insn->base = X86_NO_REG;
    insn->index = X86_NO_REG;
    insn->scale = 1;
    uint8_t default_seg = X86_DS;

    if (has_modrm && mod != 3) {
        unsigned rm3 = modrm & 7;
        unsigned disp_bytes = 0;
        if (addrsize == 2) {
            /* 16-bit forms: BX+SI, BX+DI, BP+SI, BP+DI, SI, DI, BP/disp16, BX (table 2-1). */
            if (mod == 0 && rm3 == 6) {
                disp_bytes = 2;
            } else {
                insn->base = base16[rm3];
                insn->index = index16[rm3];
                disp_bytes = mod == 1 ? 1 : mod == 2 ? 2 : 0;
            }
        } else {
            if (rm3 == 4) {
                NEED(1);
                unsigned sib = bytes[pos++];
                unsigned idx = ((sib >> 3) & 7) | ((rex & REX_X) ? 8 : 0);
                insn->scale = (uint8_t)(1u << (sib >> 6));
                insn->index = idx == X86_RSP ? X86_NO_REG : (uint8_t)idx;
                if ((sib & 7) == 5 && mod == 0)
                    disp_bytes = 4;     /* no base, disp32 (table 2-3) */
                else
                    insn->base = (uint8_t)((sib & 7) | ((rex & REX_B) ? 8 : 0));
            } else if (rm3 == 5 && mod == 0) {
                disp_bytes = 4;         /* disp32, or RIP+disp32 in 64-bit mode (2.2.1.6) */
                insn->rip_relative = long64;
            } else {
                insn->base = (uint8_t)((modrm & 7) | ((rex & REX_B) ? 8 : 0));
            }
            if (mod == 1)
                disp_bytes = 1;
            else if (mod == 2)
                disp_bytes = 4;
        }
        if (disp_bytes) {
            NEED(disp_bytes);
            insn->disp = sign_extend(load_le(bytes + pos, disp_bytes), disp_bytes);
            pos += disp_bytes;
        }
        /* rBP or rSP as the base register selects SS (SDM vol. 1, 3.7.4). */
        if (insn->base == X86_RBP || insn->base == X86_RSP)
            default_seg = X86_SS;
    }

    switch (d->imm) {
    case IMM_NONE:
        break;
    case IMM_IB:
    case IMM_UB:
        NEED(1);
        insn->imm = d->imm == IMM_IB ? (uint64_t)(int64_t)(int8_t)bytes[pos] : bytes[pos];
        insn->imm_size = 1;
        break;
    case IMM_IW:
        NEED(2);
        insn->imm = load_le(bytes + pos, 2);
        insn->imm_size = 2;
        break;
    case IMM_IZ: {
        unsigned n = opsize == 2 ? 2 : 4;
        NEED(n);
        insn->imm = (uint64_t)sign_extend(load_le(bytes + pos, n), n);
        insn->imm_size = (uint8_t)n;
        break;
    }
    case IMM_IV:
        NEED(opsize);
        insn->imm = load_le(bytes + pos, opsize);
        insn->imm_size = (uint8_t)opsize;
        break;
    case IMM_MOFFS:
        NEED(addrsize);
        insn->disp = (int64_t)load_le(bytes + pos, addrsize);
        insn->imm_size = (uint8_t)addrsize;
        break;
    case IMM_FAR: {
        unsigned n = opsize == 2 ? 2 : 4;
        NEED(n + 2);
        insn->imm = load_le(bytes + pos, n);
        insn->imm2 = load_le(bytes + pos + n, 2);
        insn->imm_size = (uint8_t)(n + 2);
        break;
    }
    case IMM_ENTER:
        NEED(3);
        insn->imm = load_le(bytes + pos, 2);
        insn->imm2 = bytes[pos + 2];
        insn->imm_size = 3;
        break;
    }
    pos += insn->imm_size;
#undef NEED

    if (rex) {
        prefixes |= X86_PFX_REX;
        if (rex & REX_W)
            prefixes |= X86_PFX_REX_W;
    }
    if (last_rep)
        prefixes |= last_rep == 0xf3 ? X86_PFX_REP : X86_PFX_REPNE;
    if (notrack)
        prefixes |= X86_PFX_NOTRACK;

    insn->handler = d->handler;
    insn->mnemonic = d->mnemonic;
    insn->length = (uint8_t)pos;
    insn->map = (uint8_t)map;
    insn->opcode = (uint8_t)opc;
    insn->opsize = (uint8_t)opsize;
    insn->addrsize = (uint8_t)addrsize;
    insn->prefixes = (uint8_t)prefixes;
    insn->seg = seg != X86_SEG_NONE ? seg : default_seg;
    return (int)pos;
}
