/*
 * Data accesses through the a64_ops memory callback, and the aborts they
 * raise: alignment faults (Arm ARM B2.5.2, pseudocode
 * AArch64.CheckAlignment), SP alignment faults (D1.8.2) and data aborts with
 * the ISS the Arm ARM gives for a Data Abort (D17.2.37).
 */
#include <string.h>

#include "cpu/arm64/a64_internal.h"
#include "cpu/arm64/debug.h"

static bool alignment_check_enabled(const a64_cpu *cpu)
{
    uint64_t sctlr = cpu->pstate.el == 2 ? cpu->sys.sctlr_el2 : cpu->sys.sctlr_el1;
    return (sctlr & A64_SCTLR_A) != 0;
}

static esr_ec dabt_class(const a64_cpu *cpu)
{
    /* From EL0 the abort goes to a higher EL; from EL1/EL2 to the same EL
     * unless the entry code routes it elsewhere (stage 2, HCR_EL2.TGE). */
    return cpu->pstate.el == 0 ? ESR_EC_DABT_LOWER : ESR_EC_DABT_CUR;
}

static uint32_t syndrome_bits(const a64_ldst_syn *syn)
{
    if (!syn || !syn->valid)
        return 0;
    return ESR_ISS_DABT_ISV | (syn->sas << ESR_ISS_DABT_SAS_SHIFT) | (syn->sse ? ESR_ISS_DABT_SSE : 0) |
           (syn->srt << ESR_ISS_DABT_SRT_SHIFT) | (syn->sf ? ESR_ISS_DABT_SF : 0) |
           (syn->ar ? ESR_ISS_DABT_AR : 0);
}

a64_status a64_alignment_fault(a64_cpu *cpu, uint32_t insn, uint64_t va, bool is_write)
{
    a64_raise(cpu, insn, dabt_class(cpu), ESR_FSC_ALIGNMENT | (is_write ? ESR_ISS_DABT_WNR : 0));
    cpu->exc.far_valid = true;
    cpu->exc.far = va;
    return A64_EXCEPTION;
}

/* Copy an access's bytes; the common sizes as fixed-size copies the compiler inlines. */
static inline void copy_sized(void *dst, const void *src, unsigned size)
{
    switch (size) {
    case 1: memcpy(dst, src, 1); break;
    case 2: memcpy(dst, src, 2); break;
    case 4: memcpy(dst, src, 4); break;
    case 8: memcpy(dst, src, 8); break;
    default: memcpy(dst, src, size); break;
    }
}

static inline a64_status access(a64_cpu *cpu, uint32_t insn, a64_acc_kind kind, uint64_t va, unsigned size,
                         unsigned align, unsigned flags, void *data, const a64_ldst_syn *syn)
{
    bool forced = (flags & (A64_ACC_EXCL | A64_ACC_ATOMIC | A64_ACC_ACQUIRE | A64_ACC_RELEASE)) != 0;
    if ((forced || alignment_check_enabled(cpu)) && align > 1 && (va & (align - 1)) != 0)
        return a64_alignment_fault(cpu, insn, va, kind == A64_ACC_WRITE);
    if (cpu->debug_attention) {
        /* Checked before the access so that a store does not complete (D2.9). */
        a64_status st = a64_debug_watch(cpu, insn, kind, va, size, flags);
        if (st != A64_OK)
            return st;
    }

    /* Plain loads and stores (acquire/release and SIMD too: their only extra rule, alignment, is
     * checked above) on a hinted RAM page skip the callback (a64.h, a64_page_hint). Exclusives,
     * atomics, unprivileged accesses, DC ZVA and cache maintenance always take the callback. */
    if (!(flags & ~(A64_ACC_ACQUIRE | A64_ACC_RELEASE | A64_ACC_SIMD))) {
        uint8_t *p = a64_hint_host(cpu, kind, va, size);
        if (p) {
            if (kind == A64_ACC_WRITE)
                copy_sized(p, data, size);
            else
                copy_sized(data, p, size);
            return A64_OK;
        }
    }

    a64_access acc = { .va = va, .size = size, .kind = kind, .flags = flags, .el = cpu->pstate.el };
    a64_mem_fault fault = { .far_valid = true, .far = va };
    if (cpu->ops.access(cpu->ops.ctx, &acc, data, &fault) == A64_MEM_OK)
        return A64_OK;

    uint32_t iss = (fault.fsc & ESR_ISS_FSC_MASK) | syndrome_bits(syn) |
                   (kind == A64_ACC_WRITE ? ESR_ISS_DABT_WNR : 0) | (fault.s1ptw ? ESR_ISS_DABT_S1PTW : 0) |
                   (fault.far_valid ? 0 : ESR_ISS_DABT_FNV) |
                   ((flags & A64_ACC_CACHE_MAINT) ? ESR_ISS_DABT_CM : 0);
    a64_raise(cpu, insn, dabt_class(cpu), iss);
    cpu->exc.far_valid = fault.far_valid;
    cpu->exc.far = fault.far;
    cpu->exc.ipa = fault.ipa;
    return A64_EXCEPTION;
}

a64_status a64_mem_read(a64_cpu *cpu, uint32_t insn, uint64_t va, unsigned size, unsigned align,
                        unsigned flags, void *out, const a64_ldst_syn *syn)
{
    return access(cpu, insn, A64_ACC_READ, va, size, align, flags, out, syn);
}

a64_status a64_mem_write(a64_cpu *cpu, uint32_t insn, uint64_t va, unsigned size, unsigned align,
                         unsigned flags, const void *in, const a64_ldst_syn *syn)
{
    return access(cpu, insn, A64_ACC_WRITE, va, size, align, flags, (void *)in, syn);
}

a64_status a64_read_uint_full(a64_cpu *cpu, uint32_t insn, uint64_t va, unsigned size, unsigned flags,
                              uint64_t *out, const a64_ldst_syn *syn)
{
    uint8_t buf[8] = { 0 };
    a64_status st = access(cpu, insn, A64_ACC_READ, va, size, size, flags, buf, syn);
    if (st != A64_OK)
        return st;
    *out = a64_le_load(buf, size);
    return A64_OK;
}

a64_status a64_write_uint_full(a64_cpu *cpu, uint32_t insn, uint64_t va, unsigned size, unsigned flags,
                               uint64_t value, const a64_ldst_syn *syn)
{
    uint8_t buf[8] = { 0 };
    a64_le_store(buf, size, value);
    return access(cpu, insn, A64_ACC_WRITE, va, size, size, flags, buf, syn);
}

unsigned a64_unpriv_flag(const a64_cpu *cpu)
{
    /* LDTR/STTR at EL1 are checked as EL0 accesses; at EL0 and (with
     * HCR_EL2.E2H = 0) at EL2 they behave as ordinary accesses (Arm ARM C3.2.5). */
    return cpu->pstate.el == 1 ? A64_ACC_UNPRIV : 0;
}
