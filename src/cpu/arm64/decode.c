/*
 * The A64 decode table: one row per encoding or encoding class, in the
 * order of the Arm ARM's encoding index (C4.1 "A64 instruction set
 * encoding"). A row gives mask and match, the Arm ARM's name, the handler and
 * an optional check of field values the index marks unallocated. The first
 * matching row wins, so a more specific row comes before a more general one.
 *
 * SIMD&FP data processing is recognised class by class (C4.1.96) so that
 * every such instruction is subject to the CPACR_EL1.FPEN trap. A class
 * with a handler executes what simd_*.c models and stops loudly on its other
 * opcodes; a class without one stops loudly, naming the instruction or its
 * class (simd_class.c).
 */
#include <stddef.h>

#include "cpu/arm64/a64_handlers.h"

#define R(mask, match, name, handler, valid, group, fp) { mask, match, name, handler, valid, group, fp }
#define INT(mask, match, name, handler, valid, group) R(mask, match, name, handler, valid, group, false)
#define SIMD(mask, match, name, handler, valid, group) R(mask, match, name, handler, valid, group, true)
#define SIMDC(mask, match, name) R(mask, match, name, NULL, NULL, A64_GRP_FP_SIMD, true)

static const a64_row rows[] = {
    /* ---- Data processing (immediate), C4.1.86 ---- */
    INT(0x1f000000, 0x10000000, "ADR/ADRP", a64_op_adr, NULL, A64_GRP_DP_IMM),
    /* ADD and SUB of X registers without flags first (same name): SP arithmetic in every handler; and
     * SUBS of X registers (CMP): loop counters and compares with a constant. */
    INT(0xff800000, 0x91000000, "ADD/SUB (immediate)", a64_op_add_x_imm, NULL, A64_GRP_DP_IMM),
    INT(0xff800000, 0xd1000000, "ADD/SUB (immediate)", a64_op_sub_x_imm, NULL, A64_GRP_DP_IMM),
    INT(0xff800000, 0xf1000000, "ADD/SUB (immediate)", a64_op_subs_x_imm, NULL, A64_GRP_DP_IMM),
    INT(0x1f800000, 0x11000000, "ADD/SUB (immediate)", a64_op_addsub_imm, NULL, A64_GRP_DP_IMM),
    INT(0x1f800000, 0x12000000, "logical (immediate)", a64_op_logical_imm, a64_valid_logical_imm, A64_GRP_DP_IMM),
    INT(0x1f800000, 0x12800000, "move wide (immediate)", a64_op_movewide, a64_valid_movewide, A64_GRP_DP_IMM),
    INT(0x1f800000, 0x13000000, "bitfield", a64_op_bitfield, a64_valid_bitfield, A64_GRP_DP_IMM),
    INT(0x1f800000, 0x13800000, "EXTR", a64_op_extract, a64_valid_extract, A64_GRP_DP_IMM),

    /* ---- Branches, exception generating and system, C4.1.87 ---- */
    INT(0xff000010, 0x54000000, "B.cond", a64_op_b_cond, NULL, A64_GRP_BRANCH),
    INT(0xff000000, 0xd4000000, "exception generation", a64_op_exc_gen, a64_valid_exc_gen, A64_GRP_SYSTEM),
    INT(0xfffff01f, 0xd503201f, "hint", a64_op_hint, NULL, A64_GRP_SYSTEM),
    INT(0xfffff01f, 0xd503301f, "barrier / CLREX", a64_op_barrier, a64_valid_barrier, A64_GRP_SYSTEM),
    INT(0xfff8f01f, 0xd500401f, "MSR (immediate)", a64_op_msr_imm, a64_valid_msr_imm, A64_GRP_SYSTEM),
    /* Every SYS/SYSL and MRS/MSR encoding decodes (as Capstone does); one
     * this PE lacks is UNDEFINED when executed (sys_ops.c, sysreg.c). */
    INT(0xffd80000, 0xd5080000, "SYS/SYSL", a64_op_sys, NULL, A64_GRP_SYSTEM),
    INT(0xffd00000, 0xd5100000, "MSR/MRS (register)", a64_op_msr_mrs, NULL, A64_GRP_SYSTEM),
    INT(0xffffffff, 0xd69f03e0, "ERET", a64_op_eret, NULL, A64_GRP_SYSTEM),
    INT(0xffffffff, 0xd6bf03e0, "DRPS", a64_op_drps, NULL, A64_GRP_SYSTEM),
    INT(0xfe000000, 0xd6000000, "BR/BLR/RET", a64_op_br_reg, a64_valid_br_reg, A64_GRP_BRANCH),
    INT(0x7c000000, 0x14000000, "B/BL", a64_op_b_imm, NULL, A64_GRP_BRANCH),
    INT(0x7e000000, 0x34000000, "CBZ/CBNZ", a64_op_cbz, NULL, A64_GRP_BRANCH),
    INT(0x7e000000, 0x36000000, "TBZ/TBNZ", a64_op_tbz, NULL, A64_GRP_BRANCH),

    /* ---- Loads and stores, C4.1.88 ---- */
    SIMD(0xbfbf0000, 0x0c000000, "LD/ST multiple structures", a64_op_simd_ldst_multi, a64_valid_simd_ldst_multi, A64_GRP_FP_SIMD),
    SIMD(0xbfa00000, 0x0c800000, "LD/ST multiple structures (post-index)", a64_op_simd_ldst_multi, a64_valid_simd_ldst_multi, A64_GRP_FP_SIMD),
    SIMD(0xbf9f0000, 0x0d000000, "LD/ST single structure", a64_op_simd_ldst_single, a64_valid_simd_ldst_single, A64_GRP_FP_SIMD),
    SIMD(0xbf800000, 0x0d800000, "LD/ST single structure (post-index)", a64_op_simd_ldst_single, a64_valid_simd_ldst_single, A64_GRP_FP_SIMD),
    INT(0x3fa00000, 0x08000000, "load/store exclusive register", a64_op_ldst_excl, NULL, A64_GRP_LDST),
    INT(0xbfa00000, 0x88200000, "load/store exclusive pair", a64_op_ldst_excl_pair, a64_valid_ldst_excl_pair, A64_GRP_LDST),
    INT(0xbfa00000, 0x08200000, "CASP", a64_op_casp, a64_valid_casp, A64_GRP_LDST),
    INT(0x3fa00000, 0x08800000, "load-acquire/store-release", a64_op_ldar_stlr, a64_valid_ldar_stlr, A64_GRP_LDST),
    INT(0x3fa00000, 0x08a00000, "CAS", a64_op_cas, a64_valid_cas, A64_GRP_LDST),
    INT(0x3f000000, 0x18000000, "LDR (literal)", a64_op_ldr_lit, NULL, A64_GRP_LDST),
    SIMD(0x3f000000, 0x1c000000, "LDR (literal, SIMD&FP)", a64_op_ldr_lit, a64_valid_ldr_lit_simd, A64_GRP_FP_SIMD),
    /* X-register STP/LDP, one row per indexing mode (the frame saves of every handler), before the
     * general row that serves the rest of the class: same name, same check. The signed-offset forms
     * with Rn = SP, the frame's own, come first. */
    INT(0xffc003e0, 0xa90003e0, "load/store pair", a64_op_stp_x_sp_offset, a64_valid_ldst_pair, A64_GRP_LDST),
    INT(0xffc003e0, 0xa94003e0, "load/store pair", a64_op_ldp_x_sp_offset, a64_valid_ldst_pair, A64_GRP_LDST),
    INT(0xffc00000, 0xa9000000, "load/store pair", a64_op_stp_x_offset, a64_valid_ldst_pair, A64_GRP_LDST),
    INT(0xffc00000, 0xa9800000, "load/store pair", a64_op_stp_x_pre, a64_valid_ldst_pair, A64_GRP_LDST),
    INT(0xffc00000, 0xa8800000, "load/store pair", a64_op_stp_x_post, a64_valid_ldst_pair, A64_GRP_LDST),
    INT(0xffc00000, 0xa9400000, "load/store pair", a64_op_ldp_x_offset, a64_valid_ldst_pair, A64_GRP_LDST),
    INT(0xffc00000, 0xa9c00000, "load/store pair", a64_op_ldp_x_pre, a64_valid_ldst_pair, A64_GRP_LDST),
    INT(0xffc00000, 0xa8c00000, "load/store pair", a64_op_ldp_x_post, a64_valid_ldst_pair, A64_GRP_LDST),
    INT(0x3e000000, 0x28000000, "load/store pair", a64_op_ldst_pair, a64_valid_ldst_pair, A64_GRP_LDST),
    SIMD(0x3e000000, 0x2c000000, "load/store pair (SIMD&FP)", a64_op_ldst_pair, a64_valid_ldst_pair, A64_GRP_FP_SIMD),
    INT(0x3f200000, 0x38000000, "load/store register (imm9)", a64_op_ldst_reg, a64_valid_ldst_reg, A64_GRP_LDST),
    SIMD(0x3f200000, 0x3c000000, "load/store register (imm9, SIMD&FP)", a64_op_ldst_reg, a64_valid_ldst_reg, A64_GRP_FP_SIMD),
    INT(0x3f200c00, 0x38200800, "load/store register (register offset)", a64_op_ldst_reg, a64_valid_ldst_reg, A64_GRP_LDST),
    SIMD(0x3f200c00, 0x3c200800, "load/store register (register offset, SIMD&FP)", a64_op_ldst_reg, a64_valid_ldst_reg, A64_GRP_FP_SIMD),
    INT(0x3f200c00, 0x38200000, "atomic memory operation", a64_op_atomic, a64_valid_atomic, A64_GRP_LDST),
    /* LDR/STR of X and W registers, before the general row (same name, same check). */
    INT(0xffc00000, 0xf9000000, "load/store register (unsigned offset)", a64_op_str_x_uimm, a64_valid_ldst_reg, A64_GRP_LDST),
    INT(0xffc00000, 0xf9400000, "load/store register (unsigned offset)", a64_op_ldr_x_uimm, a64_valid_ldst_reg, A64_GRP_LDST),
    INT(0xffc00000, 0xb9000000, "load/store register (unsigned offset)", a64_op_str_w_uimm, a64_valid_ldst_reg, A64_GRP_LDST),
    INT(0xffc00000, 0xb9400000, "load/store register (unsigned offset)", a64_op_ldr_w_uimm, a64_valid_ldst_reg, A64_GRP_LDST),
    INT(0x3f000000, 0x39000000, "load/store register (unsigned offset)", a64_op_ldst_reg, a64_valid_ldst_reg, A64_GRP_LDST),
    SIMD(0x3f000000, 0x3d000000, "load/store register (unsigned offset, SIMD&FP)", a64_op_ldst_reg, a64_valid_ldst_reg, A64_GRP_FP_SIMD),

    /* ---- Data processing (register), C4.1.87 ---- */
    INT(0x1f000000, 0x0a000000, "logical (shifted register)", a64_op_logical_reg, a64_valid_logical_reg, A64_GRP_DP_REG),
    INT(0x1f200000, 0x0b000000, "ADD/SUB (shifted register)", a64_op_addsub_shift, a64_valid_addsub_shift, A64_GRP_DP_REG),
    INT(0x1f200000, 0x0b200000, "ADD/SUB (extended register)", a64_op_addsub_ext, a64_valid_addsub_ext, A64_GRP_DP_REG),
    INT(0x1fe0fc00, 0x1a000000, "ADC/SBC", a64_op_adc, NULL, A64_GRP_DP_REG),
    INT(0x1fe00000, 0x1a400000, "conditional compare", a64_op_condcmp, a64_valid_condcmp, A64_GRP_DP_REG),
    INT(0x1fe00000, 0x1a800000, "conditional select", a64_op_condsel, a64_valid_condsel, A64_GRP_DP_REG),
    INT(0x7fe0f800, 0x1ac00800, "UDIV/SDIV", a64_op_div, NULL, A64_GRP_DP_REG),
    INT(0x7fe0f000, 0x1ac02000, "LSLV/LSRV/ASRV/RORV", a64_op_shiftv, NULL, A64_GRP_DP_REG),
    INT(0x7fe0e000, 0x1ac04000, "CRC32/CRC32C", a64_op_crc32, a64_valid_crc32, A64_GRP_DP_REG),
    INT(0x5fe00000, 0x5ac00000, "data processing (1 source)", a64_op_dp1, a64_valid_dp1, A64_GRP_DP_REG),
    INT(0x1f000000, 0x1b000000, "data processing (3 source)", a64_op_dp3, a64_valid_dp3, A64_GRP_DP_REG),

    /* ---- SIMD&FP data processing, C4.1.96 (class rows; see simd_class.c) ---- */
    SIMDC(0xff3e0c00, 0x4e280800, "Cryptographic AES"),
    SIMDC(0xff208c00, 0x5e000000, "Cryptographic three-register SHA"),
    SIMDC(0xff3e0c00, 0x5e280800, "Cryptographic two-register SHA"),
    SIMDC(0xdfe08400, 0x5e000400, "Advanced SIMD scalar copy"),
    SIMDC(0xdf60c400, 0x5e400400, "Advanced SIMD scalar three same FP16"),
    SIMDC(0xdf7e0c00, 0x5e780800, "Advanced SIMD scalar two-register miscellaneous FP16"),
    SIMDC(0xdf208400, 0x5e008400, "Advanced SIMD scalar three same extra"),
    SIMDC(0xdf3e0c00, 0x5e200800, "Advanced SIMD scalar two-register miscellaneous"),
    SIMDC(0xdf3e0c00, 0x5e300800, "Advanced SIMD scalar pairwise"),
    SIMDC(0xdf200c00, 0x5e200000, "Advanced SIMD scalar three different"),
    SIMDC(0xdf200400, 0x5e200400, "Advanced SIMD scalar three same"),
    SIMDC(0xdf800400, 0x5f000400, "Advanced SIMD scalar shift by immediate"),
    SIMDC(0xdf000400, 0x5f000000, "Advanced SIMD scalar x indexed element"),
    SIMDC(0xbf208c00, 0x0e000000, "Advanced SIMD table lookup"),
    SIMDC(0xbf208c00, 0x0e000800, "Advanced SIMD permute"),
    SIMDC(0xbf208400, 0x2e000000, "Advanced SIMD extract"),
    SIMD(0x9fe08400, 0x0e000400, "Advanced SIMD copy", a64_op_simd_copy, NULL, A64_GRP_FP_SIMD),
    SIMDC(0x9f60c400, 0x0e400400, "Advanced SIMD three same (FP16)"),
    SIMDC(0x9f7e0c00, 0x0e780800, "Advanced SIMD two-register miscellaneous (FP16)"),
    SIMDC(0x9f208400, 0x0e008400, "Advanced SIMD three-register extension"),
    SIMD(0x9f3e0c00, 0x0e200800, "Advanced SIMD two-register miscellaneous", a64_op_simd_two_misc, NULL, A64_GRP_FP_SIMD),
    SIMD(0x9f3e0c00, 0x0e300800, "Advanced SIMD across lanes", a64_op_simd_across, NULL, A64_GRP_FP_SIMD),
    SIMDC(0x9f200c00, 0x0e200000, "Advanced SIMD three different"),
    SIMD(0x9f200400, 0x0e200400, "Advanced SIMD three same", a64_op_simd_three_same, NULL, A64_GRP_FP_SIMD),
    SIMD(0x9ff80400, 0x0f000400, "Advanced SIMD modified immediate", a64_op_simd_modimm, NULL, A64_GRP_FP_SIMD),
    SIMD(0x9f800400, 0x0f000400, "Advanced SIMD shift by immediate", a64_op_simd_shift_imm, NULL, A64_GRP_FP_SIMD),
    SIMDC(0x9f000400, 0x0f000000, "Advanced SIMD vector x indexed element"),
    SIMDC(0xffe0c000, 0xce408000, "Cryptographic three-register, imm2"),
    SIMDC(0xffe0b000, 0xce608000, "Cryptographic three-register SHA512"),
    SIMDC(0xff808000, 0xce000000, "Cryptographic four-register"),
    SIMDC(0xffe00000, 0xce800000, "XAR"),
    SIMDC(0xfffff000, 0xcec08000, "Cryptographic two-register SHA512"),
    SIMDC(0x5f200000, 0x1e000000, "Conversion between floating-point and fixed-point"),
    SIMD(0x5f20fc00, 0x1e200000, "Conversion between floating-point and integer", a64_op_fp_int_conv, NULL, A64_GRP_FP_SIMD),
    SIMD(0x5f207c00, 0x1e204000, "Floating-point data-processing (1 source)", a64_op_fp_dp1, NULL, A64_GRP_FP_SIMD),
    SIMDC(0x5f203c00, 0x1e202000, "Floating-point compare"),
    SIMD(0x5f201c00, 0x1e201000, "Floating-point immediate", a64_op_fp_imm, NULL, A64_GRP_FP_SIMD),
    SIMDC(0x5f200c00, 0x1e200400, "Floating-point conditional compare"),
    SIMDC(0x5f200c00, 0x1e200800, "Floating-point data-processing (2 source)"),
    SIMDC(0x5f200c00, 0x1e200c00, "Floating-point conditional select"),
    SIMDC(0x5f000000, 0x1f000000, "Floating-point data-processing (3 source)"),
};

#define NROWS (sizeof rows / sizeof rows[0])

/* Rows indexed by op0 = insn[28:25], the first level of the encoding index,
 * built once: a row belongs to every op0 value its mask/match allows. */
#define OP0_SHIFT 25
#define OP0_MASK (0xfu << OP0_SHIFT)

static uint8_t bucket[16][NROWS];
static uint8_t bucket_len[16];
static bool buckets_built;

static void build_buckets(void)
{
    for (unsigned op0 = 0; op0 < 16; op0++) {
        uint32_t bits = (uint32_t)op0 << OP0_SHIFT;
        for (unsigned i = 0; i < NROWS; i++)
            if ((rows[i].match & OP0_MASK & rows[i].mask) == (bits & rows[i].mask & OP0_MASK))
                bucket[op0][bucket_len[op0]++] = (uint8_t)i;
    }
    buckets_built = true;
}

_Static_assert(NROWS < 256, "bucket indexes are bytes");

static const a64_row *lookup_uncached(uint32_t insn)
{
    unsigned op0 = (insn & OP0_MASK) >> OP0_SHIFT;
    for (unsigned k = 0; k < bucket_len[op0]; k++) {
        const a64_row *r = &rows[bucket[op0][k]];
        if ((insn & r->mask) == r->match)
            return (r->valid && !r->valid(insn)) ? NULL : r;
    }
    return NULL;
}

/* The row depends on the instruction word alone, so a direct-mapped cache of recent words spares the
 * bucket scan in loops (the scan was a quarter of the run time). */
#define DECODE_CACHE_BITS 12
typedef struct decode_cache_entry {
    uint32_t insn;
    bool filled;
    const a64_row *row;
} decode_cache_entry;
static decode_cache_entry decode_cache[1u << DECODE_CACHE_BITS];

const a64_row *a64_lookup(uint32_t insn)
{
    if (!buckets_built)
        build_buckets();
    decode_cache_entry *e = &decode_cache[(insn ^ (insn >> DECODE_CACHE_BITS) ^ (insn >> 24)) &
                                          ((1u << DECODE_CACHE_BITS) - 1)];
    if (e->filled && e->insn == insn)
        return e->row;
    e->insn = insn;
    e->row = lookup_uncached(insn);
    e->filled = true;
    return e->row;
}

a64_decoded a64_decode(uint32_t insn)
{
    const a64_row *r = a64_lookup(insn);
    if (!r)
        return (a64_decoded){ .name = NULL, .group = A64_GRP_UNDEFINED };
    return (a64_decoded){ .name = r->name, .group = r->group, .executes = r->handler != NULL, .fp = r->fp };
}

const char *a64_decode_table_check(void)
{
    for (unsigned i = 0; i < NROWS; i++)
        if (rows[i].match & ~rows[i].mask)
            return rows[i].name; /* such a row could never match */
    return NULL;
}
