/*
 * Names and features of the legacy-encoded x87, MMX and SSE instructions
 * (SDM vol. 2, appendix A: table A-3 for map 0F, A-4 for 0F 38, A-5 for
 * 0F 3A, A-6 for the 0F 71-73 groups, A-7 to A-22 for the x87 escapes).
 * Map 0F rows have four columns by mandatory prefix: none, 66, F3, F2.
 */
#include "cpu/x86/fpu_sse_names.h"

#define ANY X86_SIMD_RM_ANY
#define MEM X86_SIMD_RM_MEM
#define REG X86_SIMD_RM_REG
#define F(name, feat, rm) { name, X86_SIMD_##feat, rm }
#define MMX(name) F(name, MMX, ANY)
#define MMXS(name) F(name, MMX_SSE, ANY)
#define SSE(name) F(name, SSE, ANY)
#define SSE2(name) F(name, SSE2, ANY)
#define SSE3(name) F(name, SSE3, ANY)
#define NONE { NULL, X86_SIMD_UNDEFINED, ANY }
/* The common MMX/SSE2 integer row: MMX without a prefix, SSE2 with 66. */
#define INT(name) { MMX(name), SSE2(name), NONE, NONE }
/* The common packed/scalar float row: PS, PD, SS, SD. */
#define FP(stem) { SSE(stem "PS"), SSE2(stem "PD"), SSE(stem "SS"), SSE2(stem "SD") }
#define FP_PACKED(stem) { SSE(stem "PS"), SSE2(stem "PD"), NONE, NONE }

static const x86_simd_form map0f[256][X86_SIMD_COLUMNS] = {
    [0x10] = { SSE("MOVUPS"), SSE2("MOVUPD"), SSE("MOVSS"), SSE2("MOVSD") },
    [0x11] = { SSE("MOVUPS"), SSE2("MOVUPD"), SSE("MOVSS"), SSE2("MOVSD") },
    [0x12] = { SSE("MOVLPS"), F("MOVLPD", SSE2, MEM), SSE3("MOVSLDUP"), SSE3("MOVDDUP") },
    [0x13] = { F("MOVLPS", SSE, MEM), F("MOVLPD", SSE2, MEM), NONE, NONE },
    [0x14] = FP_PACKED("UNPCKL"),
    [0x15] = FP_PACKED("UNPCKH"),
    [0x16] = { SSE("MOVHPS"), F("MOVHPD", SSE2, MEM), SSE3("MOVSHDUP"), NONE },
    [0x17] = { F("MOVHPS", SSE, MEM), F("MOVHPD", SSE2, MEM), NONE, NONE },
    [0x28] = FP_PACKED("MOVA"),
    [0x29] = FP_PACKED("MOVA"),
    [0x2a] = { SSE("CVTPI2PS"), SSE2("CVTPI2PD"), SSE("CVTSI2SS"), SSE2("CVTSI2SD") },
    [0x2b] = { F("MOVNTPS", SSE, MEM), F("MOVNTPD", SSE2, MEM), NONE, NONE },
    [0x2c] = { SSE("CVTTPS2PI"), SSE2("CVTTPD2PI"), SSE("CVTTSS2SI"), SSE2("CVTTSD2SI") },
    [0x2d] = { SSE("CVTPS2PI"), SSE2("CVTPD2PI"), SSE("CVTSS2SI"), SSE2("CVTSD2SI") },
    [0x2e] = { SSE("UCOMISS"), SSE2("UCOMISD"), NONE, NONE },
    [0x2f] = { SSE("COMISS"), SSE2("COMISD"), NONE, NONE },
    [0x50] = { F("MOVMSKPS", SSE, REG), F("MOVMSKPD", SSE2, REG), NONE, NONE },
    [0x51] = FP("SQRT"),
    [0x52] = { SSE("RSQRTPS"), NONE, SSE("RSQRTSS"), NONE },
    [0x53] = { SSE("RCPPS"), NONE, SSE("RCPSS"), NONE },
    [0x54] = FP_PACKED("AND"),
    [0x55] = FP_PACKED("ANDN"),
    [0x56] = FP_PACKED("OR"),
    [0x57] = FP_PACKED("XOR"),
    [0x58] = FP("ADD"),
    [0x59] = FP("MUL"),
    [0x5a] = { SSE2("CVTPS2PD"), SSE2("CVTPD2PS"), SSE2("CVTSS2SD"), SSE2("CVTSD2SS") },
    [0x5b] = { SSE2("CVTDQ2PS"), SSE2("CVTPS2DQ"), SSE2("CVTTPS2DQ"), NONE },
    [0x5c] = FP("SUB"),
    [0x5d] = FP("MIN"),
    [0x5e] = FP("DIV"),
    [0x5f] = FP("MAX"),
    [0x60] = INT("PUNPCKLBW"),
    [0x61] = INT("PUNPCKLWD"),
    [0x62] = INT("PUNPCKLDQ"),
    [0x63] = INT("PACKSSWB"),
    [0x64] = INT("PCMPGTB"),
    [0x65] = INT("PCMPGTW"),
    [0x66] = INT("PCMPGTD"),
    [0x67] = INT("PACKUSWB"),
    [0x68] = INT("PUNPCKHBW"),
    [0x69] = INT("PUNPCKHWD"),
    [0x6a] = INT("PUNPCKHDQ"),
    [0x6b] = INT("PACKSSDW"),
    [0x6c] = { NONE, SSE2("PUNPCKLQDQ"), NONE, NONE },
    [0x6d] = { NONE, SSE2("PUNPCKHQDQ"), NONE, NONE },
    [0x6e] = INT("MOVD"),
    [0x6f] = { MMX("MOVQ"), SSE2("MOVDQA"), SSE2("MOVDQU"), NONE },
    [0x70] = { MMXS("PSHUFW"), SSE2("PSHUFD"), SSE2("PSHUFHW"), SSE2("PSHUFLW") },
    [0x74] = INT("PCMPEQB"),
    [0x75] = INT("PCMPEQW"),
    [0x76] = INT("PCMPEQD"),
    [0x77] = { MMX("EMMS"), NONE, NONE, NONE },
    [0x7c] = { NONE, SSE3("HADDPD"), NONE, SSE3("HADDPS") },
    [0x7d] = { NONE, SSE3("HSUBPD"), NONE, SSE3("HSUBPS") },
    [0x7e] = { MMX("MOVD"), SSE2("MOVD"), SSE2("MOVQ"), NONE },
    [0x7f] = { MMX("MOVQ"), SSE2("MOVDQA"), SSE2("MOVDQU"), NONE },
    [0xc2] = FP("CMP"),
    [0xc4] = { MMXS("PINSRW"), SSE2("PINSRW"), NONE, NONE },
    [0xc5] = { F("PEXTRW", MMX_SSE, REG), F("PEXTRW", SSE2, REG), NONE, NONE },
    [0xc6] = FP_PACKED("SHUF"),
    [0xd0] = { NONE, SSE3("ADDSUBPD"), NONE, SSE3("ADDSUBPS") },
    [0xd1] = INT("PSRLW"),
    [0xd2] = INT("PSRLD"),
    [0xd3] = INT("PSRLQ"),
    [0xd4] = { F("PADDQ", MMX_SSE2, ANY), SSE2("PADDQ"), NONE, NONE },
    [0xd5] = INT("PMULLW"),
    [0xd6] = { NONE, SSE2("MOVQ"), F("MOVQ2DQ", SSE2, REG), F("MOVDQ2Q", SSE2, REG) },
    [0xd7] = { F("PMOVMSKB", MMX_SSE, REG), F("PMOVMSKB", SSE2, REG), NONE, NONE },
    [0xd8] = INT("PSUBUSB"),
    [0xd9] = INT("PSUBUSW"),
    [0xda] = { MMXS("PMINUB"), SSE2("PMINUB"), NONE, NONE },
    [0xdb] = INT("PAND"),
    [0xdc] = INT("PADDUSB"),
    [0xdd] = INT("PADDUSW"),
    [0xde] = { MMXS("PMAXUB"), SSE2("PMAXUB"), NONE, NONE },
    [0xdf] = INT("PANDN"),
    [0xe0] = { MMXS("PAVGB"), SSE2("PAVGB"), NONE, NONE },
    [0xe1] = INT("PSRAW"),
    [0xe2] = INT("PSRAD"),
    [0xe3] = { MMXS("PAVGW"), SSE2("PAVGW"), NONE, NONE },
    [0xe4] = { MMXS("PMULHUW"), SSE2("PMULHUW"), NONE, NONE },
    [0xe5] = INT("PMULHW"),
    [0xe6] = { NONE, SSE2("CVTTPD2DQ"), SSE2("CVTDQ2PD"), SSE2("CVTPD2DQ") },
    [0xe7] = { F("MOVNTQ", MMX_SSE, MEM), F("MOVNTDQ", SSE2, MEM), NONE, NONE },
    [0xe8] = INT("PSUBSB"),
    [0xe9] = INT("PSUBSW"),
    [0xea] = { MMXS("PMINSW"), SSE2("PMINSW"), NONE, NONE },
    [0xeb] = INT("POR"),
    [0xec] = INT("PADDSB"),
    [0xed] = INT("PADDSW"),
    [0xee] = { MMXS("PMAXSW"), SSE2("PMAXSW"), NONE, NONE },
    [0xef] = INT("PXOR"),
    [0xf0] = { NONE, NONE, NONE, F("LDDQU", SSE3, MEM) },
    [0xf1] = INT("PSLLW"),
    [0xf2] = INT("PSLLD"),
    [0xf3] = INT("PSLLQ"),
    [0xf4] = { F("PMULUDQ", MMX_SSE2, ANY), SSE2("PMULUDQ"), NONE, NONE },
    [0xf5] = INT("PMADDWD"),
    [0xf6] = { MMXS("PSADBW"), SSE2("PSADBW"), NONE, NONE },
    [0xf7] = { F("MASKMOVQ", MMX_SSE, REG), F("MASKMOVDQU", SSE2, REG), NONE, NONE },
    [0xf8] = INT("PSUBB"),
    [0xf9] = INT("PSUBW"),
    [0xfa] = INT("PSUBD"),
    [0xfb] = { F("PSUBQ", MMX_SSE2, ANY), SSE2("PSUBQ"), NONE, NONE },
    [0xfc] = INT("PADDB"),
    [0xfd] = INT("PADDW"),
    [0xfe] = INT("PADDD"),
};

/* 0F 71, 0F 72, 0F 73 (groups 12-14): shifts by imm8, register operand only, by ModRM.reg. */
#define SHIFT(name) { F(name, MMX, REG), F(name, SSE2, REG) }
#define NO_SHIFT { NONE, NONE }
static const x86_simd_form shift_groups[3][8][2] = {
    { [2] = SHIFT("PSRLW"), [4] = SHIFT("PSRAW"), [6] = SHIFT("PSLLW") },
    { [2] = SHIFT("PSRLD"), [4] = SHIFT("PSRAD"), [6] = SHIFT("PSLLD") },
    { [2] = SHIFT("PSRLQ"), [3] = { NONE, F("PSRLDQ", SSE2, REG) }, [6] = SHIFT("PSLLQ"),
      [7] = { NONE, F("PSLLDQ", SSE2, REG) } },
};

/* 0F 38 and 0F 3A: columns none and 66 (the F2/F3 forms there are not SIMD). */
#define SSSE3(name) { F(name, MMX_SSSE3, ANY), F(name, SSSE3, ANY) }
#define SSE41(name) { NONE, F(name, SSE41, ANY) }
#define SSE42(name) { NONE, F(name, SSE42, ANY) }
#define AES(name) { NONE, F(name, AES, ANY) }
#define SHA(name) { F(name, SHA, ANY), NONE }

static const x86_simd_form map0f38[256][2] = {
    [0x00] = SSSE3("PSHUFB"), [0x01] = SSSE3("PHADDW"), [0x02] = SSSE3("PHADDD"),
    [0x03] = SSSE3("PHADDSW"), [0x04] = SSSE3("PMADDUBSW"), [0x05] = SSSE3("PHSUBW"),
    [0x06] = SSSE3("PHSUBD"), [0x07] = SSSE3("PHSUBSW"), [0x08] = SSSE3("PSIGNB"),
    [0x09] = SSSE3("PSIGNW"), [0x0a] = SSSE3("PSIGND"), [0x0b] = SSSE3("PMULHRSW"),
    [0x10] = SSE41("PBLENDVB"), [0x14] = SSE41("BLENDVPS"), [0x15] = SSE41("BLENDVPD"),
    [0x17] = SSE41("PTEST"),
    [0x1c] = SSSE3("PABSB"), [0x1d] = SSSE3("PABSW"), [0x1e] = SSSE3("PABSD"),
    [0x20] = SSE41("PMOVSXBW"), [0x21] = SSE41("PMOVSXBD"), [0x22] = SSE41("PMOVSXBQ"),
    [0x23] = SSE41("PMOVSXWD"), [0x24] = SSE41("PMOVSXWQ"), [0x25] = SSE41("PMOVSXDQ"),
    [0x28] = SSE41("PMULDQ"), [0x29] = SSE41("PCMPEQQ"),
    [0x2a] = { NONE, F("MOVNTDQA", SSE41, MEM) },
    [0x2b] = SSE41("PACKUSDW"),
    [0x30] = SSE41("PMOVZXBW"), [0x31] = SSE41("PMOVZXBD"), [0x32] = SSE41("PMOVZXBQ"),
    [0x33] = SSE41("PMOVZXWD"), [0x34] = SSE41("PMOVZXWQ"), [0x35] = SSE41("PMOVZXDQ"),
    [0x37] = SSE42("PCMPGTQ"),
    [0x38] = SSE41("PMINSB"), [0x39] = SSE41("PMINSD"), [0x3a] = SSE41("PMINUW"),
    [0x3b] = SSE41("PMINUD"), [0x3c] = SSE41("PMAXSB"), [0x3d] = SSE41("PMAXSD"),
    [0x3e] = SSE41("PMAXUW"), [0x3f] = SSE41("PMAXUD"),
    [0x40] = SSE41("PMULLD"), [0x41] = SSE41("PHMINPOSUW"),
    [0xc8] = SHA("SHA1NEXTE"), [0xc9] = SHA("SHA1MSG1"), [0xca] = SHA("SHA1MSG2"),
    [0xcb] = SHA("SHA256RNDS2"), [0xcc] = SHA("SHA256MSG1"), [0xcd] = SHA("SHA256MSG2"),
    [0xdb] = AES("AESIMC"), [0xdc] = AES("AESENC"), [0xdd] = AES("AESENCLAST"),
    [0xde] = AES("AESDEC"), [0xdf] = AES("AESDECLAST"),
};

static const x86_simd_form map0f3a[256][2] = {
    [0x08] = SSE41("ROUNDPS"), [0x09] = SSE41("ROUNDPD"), [0x0a] = SSE41("ROUNDSS"),
    [0x0b] = SSE41("ROUNDSD"), [0x0c] = SSE41("BLENDPS"), [0x0d] = SSE41("BLENDPD"),
    [0x0e] = SSE41("PBLENDW"), [0x0f] = SSSE3("PALIGNR"),
    [0x14] = SSE41("PEXTRB"), [0x15] = SSE41("PEXTRW"), [0x16] = SSE41("PEXTRD"),
    [0x17] = SSE41("EXTRACTPS"),
    [0x20] = SSE41("PINSRB"), [0x21] = SSE41("INSERTPS"), [0x22] = SSE41("PINSRD"),
    [0x40] = SSE41("DPPS"), [0x41] = SSE41("DPPD"), [0x42] = SSE41("MPSADBW"),
    [0x44] = { NONE, F("PCLMULQDQ", PCLMULQDQ, ANY) },
    [0x60] = SSE42("PCMPESTRM"), [0x61] = SSE42("PCMPESTRI"), [0x62] = SSE42("PCMPISTRM"),
    [0x63] = SSE42("PCMPISTRI"),
    [0xcc] = SHA("SHA1RNDS4"),
    [0xdf] = AES("AESKEYGENASSIST"),
};

/* Forms whose name depends on the operand: MOVLPS/MOVHLPS, MOVHPS/MOVLHPS, MOVD/MOVQ with REX.W. */
static const x86_simd_form movhlps = F("MOVHLPS", SSE, REG);
static const x86_simd_form movlhps = F("MOVLHPS", SSE, REG);
static const x86_simd_form movq_mmx = MMX("MOVQ");
static const x86_simd_form movq_sse2 = SSE2("MOVQ");
static const x86_simd_form pextrq = F("PEXTRQ", SSE41, ANY);
static const x86_simd_form pinsrq = F("PINSRQ", SSE41, ANY);

static unsigned prefix_column(const x86_insn *insn)
{
    if (insn->prefixes & X86_PFX_REP)
        return X86_SIMD_F3;
    if (insn->prefixes & X86_PFX_REPNE)
        return X86_SIMD_F2;
    return (insn->prefixes & X86_PFX_OPSIZE) ? X86_SIMD_66 : X86_SIMD_NP;
}

static const x86_simd_form *lookup_0f(const x86_insn *insn, unsigned col)
{
    unsigned op = insn->opcode;
    bool rex_w = (insn->prefixes & X86_PFX_REX_W) != 0;
    if (op >= 0x71 && op <= 0x73) {
        if (col > X86_SIMD_66)
            return NULL;
        return &shift_groups[op - 0x71][insn->reg & 7][col];
    }
    if (col == X86_SIMD_NP && insn->mod == 3 && op == 0x12)
        return &movhlps;
    if (col == X86_SIMD_NP && insn->mod == 3 && op == 0x16)
        return &movlhps;
    if (rex_w && (op == 0x6e || op == 0x7e) && col <= X86_SIMD_66)
        return col == X86_SIMD_NP ? &movq_mmx : &movq_sse2;
    return &map0f[op][col];
}

static const x86_simd_form *lookup_3byte(const x86_insn *insn, unsigned col)
{
    if (col > X86_SIMD_66)
        return NULL;
    bool rex_w = (insn->prefixes & X86_PFX_REX_W) != 0;
    if (insn->map == 3) {
        if (rex_w && col == X86_SIMD_66 && insn->opcode == 0x16)
            return &pextrq;
        if (rex_w && col == X86_SIMD_66 && insn->opcode == 0x22)
            return &pinsrq;
        return &map0f3a[insn->opcode][col];
    }
    return &map0f38[insn->opcode][col];
}

const x86_simd_form *x86_simd_lookup(const x86_insn *insn)
{
    unsigned col = prefix_column(insn);
    const x86_simd_form *f = insn->map == 1 ? lookup_0f(insn, col) : lookup_3byte(insn, col);
    if (!f || f->feature == X86_SIMD_UNDEFINED)
        return NULL;
    if ((f->rm == X86_SIMD_RM_MEM && insn->mod == 3) || (f->rm == X86_SIMD_RM_REG && insn->mod != 3))
        return NULL;
    return f;
}

const char *x86_simd_feature_name(x86_simd_feature f)
{
    static const char *const names[] = {
        [X86_SIMD_MMX] = "MMX", [X86_SIMD_MMX_SSE] = "MMX", [X86_SIMD_MMX_SSE2] = "MMX",
        [X86_SIMD_MMX_SSSE3] = "MMX", [X86_SIMD_SSE] = "SSE", [X86_SIMD_SSE2] = "SSE2",
        [X86_SIMD_SSE3] = "SSE3", [X86_SIMD_SSSE3] = "SSSE3", [X86_SIMD_SSE41] = "SSE4.1",
        [X86_SIMD_SSE42] = "SSE4.2", [X86_SIMD_AES] = "AES", [X86_SIMD_PCLMULQDQ] = "PCLMULQDQ",
        [X86_SIMD_SHA] = "SHA",
    };
    return (unsigned)f < sizeof names / sizeof names[0] && names[f] ? names[f] : "SIMD";
}

/* ---- x87 escapes D8-DF ---- */

/* Memory forms by opcode and ModRM.reg (tables, ..., A-21). */
static const char *const x87_mem[8][8] = {
    { "FADD", "FMUL", "FCOM", "FCOMP", "FSUB", "FSUBR", "FDIV", "FDIVR" },
    { "FLD", NULL, "FST", "FSTP", "FLDENV", "FLDCW", "FNSTENV", "FNSTCW" },
    { "FIADD", "FIMUL", "FICOM", "FICOMP", "FISUB", "FISUBR", "FIDIV", "FIDIVR" },
    { "FILD", "FISTTP", "FIST", "FISTP", NULL, "FLD", NULL, "FSTP" },
    { "FADD", "FMUL", "FCOM", "FCOMP", "FSUB", "FSUBR", "FDIV", "FDIVR" },
    { "FLD", "FISTTP", "FST", "FSTP", "FRSTOR", NULL, "FNSAVE", "FNSTSW" },
    { "FIADD", "FIMUL", "FICOM", "FICOMP", "FISUB", "FISUBR", "FIDIV", "FIDIVR" },
    { "FILD", "FISTTP", "FIST", "FISTP", "FBLD", "FILD", "FBSTP", "FISTP" },
};

/* Register forms named by ModRM.reg alone (the ST(i) operand is in ModRM.rm). */
static const char *const x87_reg[8][8] = {
    { "FADD", "FMUL", "FCOM", "FCOMP", "FSUB", "FSUBR", "FDIV", "FDIVR" },
    { "FLD", "FXCH" },
    { "FCMOVB", "FCMOVE", "FCMOVBE", "FCMOVU" },
    { "FCMOVNB", "FCMOVNE", "FCMOVNBE", "FCMOVNU", NULL, "FUCOMI", "FCOMI" },
    { "FADD", "FMUL", NULL, NULL, "FSUBR", "FSUB", "FDIVR", "FDIV" },
    { "FFREE", NULL, "FST", "FSTP", "FUCOM", "FUCOMP" },
    { "FADDP", "FMULP", NULL, NULL, "FSUBRP", "FSUBP", "FDIVRP", "FDIVP" },
    { NULL, NULL, NULL, NULL, NULL, "FUCOMIP", "FCOMIP" },
};

/* D9 E0-FF: one instruction per ModRM byte (table A-10). */
static const char *const x87_d9_e0[32] = {
    "FCHS", "FABS", NULL, NULL, "FTST", "FXAM", NULL, NULL,
    "FLD1", "FLDL2T", "FLDL2E", "FLDPI", "FLDLG2", "FLDLN2", "FLDZ", NULL,
    "F2XM1", "FYL2X", "FPTAN", "FPATAN", "FXTRACT", "FPREM1", "FDECSTP", "FINCSTP",
    "FPREM", "FYL2XP1", "FSQRT", "FSINCOS", "FRNDINT", "FSCALE", "FSIN", "FCOS",
};

#define X87_MODRM_D9_FNOP 0xd0
#define X87_MODRM_D9_FIRST_SPECIAL 0xe0
#define X87_MODRM_DA_FUCOMPP 0xe9
#define X87_MODRM_DB_FNCLEX 0xe2
#define X87_MODRM_DB_FNINIT 0xe3
#define X87_MODRM_DE_FCOMPP 0xd9
#define X87_MODRM_DF_FNSTSW_AX 0xe0

const char *x87_name(const x86_insn *insn)
{
    unsigned esc = insn->opcode & 7, reg = insn->reg & 7;
    if (insn->mod != 3)
        return x87_mem[esc][reg];
    unsigned modrm = 0xc0 | reg << 3 | (insn->rm & 7);
    switch (insn->opcode) {
    case 0xd9:
        if (modrm == X87_MODRM_D9_FNOP)
            return "FNOP";
        if (modrm >= X87_MODRM_D9_FIRST_SPECIAL)
            return x87_d9_e0[modrm - X87_MODRM_D9_FIRST_SPECIAL];
        break;
    case 0xda:
        if (modrm == X87_MODRM_DA_FUCOMPP)
            return "FUCOMPP";
        break;
    case 0xdb:
        if (modrm == X87_MODRM_DB_FNCLEX)
            return "FNCLEX";
        if (modrm == X87_MODRM_DB_FNINIT)
            return "FNINIT";
        break;
    case 0xde:
        if (modrm == X87_MODRM_DE_FCOMPP)
            return "FCOMPP";
        break;
    case 0xdf:
        if (modrm == X87_MODRM_DF_FNSTSW_AX)
            return "FNSTSW AX";
        break;
    default:
        break;
    }
    return x87_reg[esc][reg];
}
