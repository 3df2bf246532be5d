/*
 * The checks before an x87, MMX, SSE or AVX instruction, in the SDM's order
 * (vol. 3, 2.5 and table 2-2 "Action Taken By x87 FPU Instructions for
 * Different Combinations of EM, MP, and TS"; 13.1 and 13.2 for SSE; vol. 1,
 * 14.3 and vol. 2, 2.8 for VEX/EVEX; the FXSAVE, LDMXCSR, XSAVE and XGETBV
 * pages for the state instructions):
 *
 *   x87 (D8-DF), FXSAVE/FXRSTOR   CR0.EM or CR0.TS          #NM
 *   WAIT/FWAIT (9B)               CR0.MP and CR0.TS         #NM, else a no-op
 *   MMX registers                 CR0.EM, feature missing   #UD; then CR0.TS #NM
 *   SSE (XMM, MXCSR)              CR0.EM, CR4.OSFXSR clear, feature missing
 *                                                           #UD; then CR0.TS #NM
 *   XSAVE family, XGETBV/XSETBV   CR4.OSXSAVE clear or no XSAVE   #UD; then CR0.TS #NM
 *   VEX/EVEX                      real mode, CR4.OSXSAVE clear, XCR0 not
 *                                 enabling the state        #UD; then CR0.TS #NM
 *
 * #NM has no error code and is a fault: the saved RIP is the instruction.
 * An instruction that passes stops the machine naming itself, since emu
 * models no x87, MMX or XMM state. No CPU model offers XSAVE, so CR4.OSXSAVE
 * cannot be set and XCR0 keeps its reset value: every VEX and EVEX
 * instruction is #UD, as on hardware whose OS has not enabled AVX.
 */
#include <stdio.h>

#include "cpu/x86/cpu_features.h"
#include "cpu/x86/fpu_sse.h"
#include "cpu/x86/fpu_sse_names.h"
#include "cpu/x86/handlers.h"

/* CPUID bits of features no model of emu's reports (SDM vol. 2A, CPUID). */
#define FEAT_PCLMULQDQ X86_FW_1_ECX, 1
#define FEAT_AES       X86_FW_1_ECX, 25
#define FEAT_XSAVE     X86_FW_1_ECX, 26
#define FEAT_SHA       X86_FW_7_EBX, 29

/* XCR0 state components (SDM vol. 1, 13.1). */
#define XCR0_X87       (1ull << 0)
#define XCR0_SSE       (1ull << 1)
#define XCR0_AVX       (1ull << 2)
#define XCR0_OPMASK    (1ull << 5)
#define XCR0_ZMM_HI256 (1ull << 6)
#define XCR0_HI16_ZMM  (1ull << 7)
#define XCR0_VEX_STATE  (XCR0_X87 | XCR0_SSE | XCR0_AVX)
#define XCR0_EVEX_STATE (XCR0_VEX_STATE | XCR0_OPMASK | XCR0_ZMM_HI256 | XCR0_HI16_ZMM)

#define NAME_LEN 40                 /* "(reserved DB E4)", "(map 0F3A, opcode 0F)" */
#define WHAT_LEN 80                 /* family, space, name */

static x86_status device_not_available(x86_cpu *cpu)
{
    return x86_raise(cpu, X86_VEC_NM, X86_EVENT_FAULT);
}

/* x87 and FXSAVE/FXRSTOR: EM says the FPU is emulated, TS that its state is another task's. */
static x86_status check_x87(x86_cpu *cpu)
{
    if (cpu->cr0 & (X86_CR0_EM | X86_CR0_TS))
        return device_not_available(cpu);
    return X86_OK;
}

/* MMX: EM makes them #UD (there is no MMX emulation), TS #NM. */
static x86_status check_mmx(x86_cpu *cpu, bool present)
{
    if ((cpu->cr0 & X86_CR0_EM) || !present)
        return x86_ud(cpu);
    if (cpu->cr0 & X86_CR0_TS)
        return device_not_available(cpu);
    return X86_OK;
}

/* SSE: also #UD until the OS says it saves XMM state with FXSAVE (CR4.OSFXSR, vol. 3, 13.1.3). */
static x86_status check_sse(x86_cpu *cpu, bool present)
{
    if ((cpu->cr0 & X86_CR0_EM) || !(cpu->cr4 & X86_CR4_OSFXSR) || !present)
        return x86_ud(cpu);
    if (cpu->cr0 & X86_CR0_TS)
        return device_not_available(cpu);
    return X86_OK;
}

/* XSAVE family: the OS enables it with CR4.OSXSAVE (vol. 3, 2.5). */
static x86_status check_xsave(x86_cpu *cpu)
{
    if (!x86_cpu_has(&cpu->config, FEAT_XSAVE) || !(cpu->cr4 & X86_CR4_OSXSAVE))
        return x86_ud(cpu);
    if (cpu->cr0 & X86_CR0_TS)
        return device_not_available(cpu);
    return X86_OK;
}

static bool simd_present(const x86_cpu *cpu, x86_simd_feature f)
{
    const x86_cpu_config *c = &cpu->config;
    switch (f) {
    case X86_SIMD_MMX: return x86_cpu_has(c, X86_FEAT_MMX);
    case X86_SIMD_MMX_SSE: return x86_cpu_has(c, X86_FEAT_MMX) && x86_cpu_has(c, X86_FEAT_SSE);
    case X86_SIMD_MMX_SSE2: return x86_cpu_has(c, X86_FEAT_MMX) && x86_cpu_has(c, X86_FEAT_SSE2);
    case X86_SIMD_MMX_SSSE3: return x86_cpu_has(c, X86_FEAT_MMX) && x86_cpu_has(c, X86_FEAT_SSSE3);
    case X86_SIMD_SSE: return x86_cpu_has(c, X86_FEAT_SSE);
    case X86_SIMD_SSE2: return x86_cpu_has(c, X86_FEAT_SSE2);
    case X86_SIMD_SSE3: return x86_cpu_has(c, X86_FEAT_SSE3);
    case X86_SIMD_SSSE3: return x86_cpu_has(c, X86_FEAT_SSSE3);
    case X86_SIMD_SSE41: return x86_cpu_has(c, X86_FEAT_SSE41);
    case X86_SIMD_SSE42: return x86_cpu_has(c, X86_FEAT_SSE42);
    case X86_SIMD_AES: return x86_cpu_has(c, FEAT_AES);
    case X86_SIMD_PCLMULQDQ: return x86_cpu_has(c, FEAT_PCLMULQDQ);
    case X86_SIMD_SHA: return x86_cpu_has(c, FEAT_SHA);
    case X86_SIMD_UNDEFINED: break;
    }
    return false;
}

static bool mmx_registers(x86_simd_feature f)
{
    return f == X86_SIMD_MMX || f == X86_SIMD_MMX_SSE || f == X86_SIMD_MMX_SSE2 || f == X86_SIMD_MMX_SSSE3;
}

/* The checks passed: stop naming the instruction, e.g. "SSE MOVAPS". */
static x86_status stop_naming(x86_cpu *cpu, const x86_insn *insn, const char *family, const char *name)
{
    char what[WHAT_LEN];
    snprintf(what, sizeof what, "%s %s", family, name);
    return x86_unsupported(cpu, insn, what);
}

X86_HANDLER(x86_op_x87)
{
    x86_status st = check_x87(cpu);
    if (st != X86_OK)
        return st;
    const char *name = x87_name(insn);
    char reserved[NAME_LEN];
    if (!name) {
        /* Reserved escapes still reach the FPU (and its #NM above); name their bytes. */
        if (insn->mod == 3)
            snprintf(reserved, sizeof reserved, "(reserved %02X %02X)", insn->opcode,
                     0xc0u | (insn->reg & 7u) << 3 | (insn->rm & 7u));
        else
            snprintf(reserved, sizeof reserved, "(reserved %02X /%u)", insn->opcode, insn->reg & 7u);
        name = reserved;
    }
    return stop_naming(cpu, insn, "x87", name);
}

X86_HANDLER(x86_op_fwait)
{
    if ((cpu->cr0 & (X86_CR0_MP | X86_CR0_TS)) == (X86_CR0_MP | X86_CR0_TS))
        return device_not_available(cpu);
    /* WAIT waits for pending unmasked x87 exceptions; with no x87 state modelled none is ever pending. */
    return X86_OK;
}

X86_HANDLER(x86_op_simd)
{
    const x86_simd_form *f = x86_simd_lookup(insn);
    if (!f)
        return x86_ud(cpu);
    x86_simd_feature feature = (x86_simd_feature)f->feature;
    bool present = simd_present(cpu, feature);
    x86_status st = mmx_registers(feature) ? check_mmx(cpu, present) : check_sse(cpu, present);
    if (st != X86_OK)
        return st;
    return stop_naming(cpu, insn, x86_simd_feature_name(feature), f->name);
}

/* VEX and EVEX: the OS must have enabled the AVX (and AVX-512) state in XCR0 (vol. 1, 14.3). */
static x86_status avx_checks(x86_cpu *cpu, const x86_insn *insn, uint64_t state, const char *family)
{
    if (cpu->mode == X86_MODE_REAL || !(cpu->cr4 & X86_CR4_OSXSAVE) || (cpu->xcr0 & state) != state)
        return x86_ud(cpu);
    if (cpu->cr0 & X86_CR0_TS)
        return device_not_available(cpu);
    static const char *const maps[] = { "", "0F", "0F38", "0F3A" };
    char name[NAME_LEN];
    snprintf(name, sizeof name, "(map %s, opcode %02X)", maps[insn->map & 3], insn->opcode);
    return stop_naming(cpu, insn, family, name);
}

X86_HANDLER(x86_op_vex)
{
    return avx_checks(cpu, insn, XCR0_VEX_STATE, "AVX (VEX)");
}

X86_HANDLER(x86_op_evex)
{
    return avx_checks(cpu, insn, XCR0_EVEX_STATE, "AVX-512 (EVEX)");
}

x86_status x86_fp_state_group15(x86_cpu *cpu, const x86_insn *insn)
{
    static const char *const names[2][7] = {
        { "FXSAVE", "FXRSTOR", "LDMXCSR", "STMXCSR", "XSAVE", "XRSTOR", "XSAVEOPT" },
        { "FXSAVE64", "FXRSTOR64", "LDMXCSR", "STMXCSR", "XSAVE64", "XRSTOR64", "XSAVEOPT64" },
    };
    unsigned reg = insn->reg & 7;
    const char *name = names[(insn->prefixes & X86_PFX_REX_W) != 0][reg < 7 ? reg : 6];
    x86_status st;
    if (reg <= 1) {
        /* FXSAVE/FXRSTOR act on the x87 state as well, so EM is #NM, not #UD (vol. 2, FXSAVE). */
        if (!x86_cpu_has(&cpu->config, X86_FEAT_FXSR))
            return x86_ud(cpu);
        st = check_x87(cpu);
        return st != X86_OK ? st : stop_naming(cpu, insn, "x87/SSE state", name);
    }
    if (reg <= 3) {
        st = check_sse(cpu, x86_cpu_has(&cpu->config, X86_FEAT_SSE));
        return st != X86_OK ? st : stop_naming(cpu, insn, "SSE", name);
    }
    st = check_xsave(cpu);
    return st != X86_OK ? st : stop_naming(cpu, insn, "XSAVE", name);
}

x86_status x86_fp_state_group9(x86_cpu *cpu, const x86_insn *insn)
{
    x86_status st = check_xsave(cpu);
    if (st != X86_OK)
        return st;
    unsigned reg = insn->reg & 7;
    return stop_naming(cpu, insn, "XSAVE", reg == 3 ? "XRSTORS" : reg == 4 ? "XSAVEC" : "XSAVES");
}

x86_status x86_fp_xcr_access(x86_cpu *cpu, const x86_insn *insn)
{
    if (!x86_cpu_has(&cpu->config, FEAT_XSAVE) || !(cpu->cr4 & X86_CR4_OSXSAVE))
        return x86_ud(cpu);
    return stop_naming(cpu, insn, "XSAVE", (insn->rm & 7) == 0 ? "XGETBV" : "XSETBV");
}

bool x86_fp_unmodelled(x86_handler h)
{
    return h == x86_op_x87 || h == x86_op_simd || h == x86_op_vex || h == x86_op_evex;
}
