/*
 * System state operations shared by the system-instruction files and the
 * public API: control-register writes with their checks, MSR access,
 * segment-register loads from the descriptor tables, and CPUID. Each
 * validates first and changes nothing when it returns X86_FAULT, so the API
 * (emu_reg_write) and the instruction handlers apply the same rules.
 */
#ifndef EMU_CPU_X86_SYSTEM_H
#define EMU_CPU_X86_SYSTEM_H

#include <stdint.h>

#include "cpu/x86/x86.h"

/* ---- Control registers (system.c) ---- */

/*
 * MOV to CRn (n = 0, 2, 3, 4 or 8) with the SDM's checks (#GP(0) on
 * reserved bits and invalid combinations), the TLB flushes the write
 * requires and the mode update after CR0. Privilege is the caller's check.
 */
X86_MUST_CHECK x86_status x86_write_cr(x86_cpu *cpu, unsigned n, uint64_t val);

/* DR6/DR7 with their fixed bits applied; #GP(0) if bits 63:32 are set (SDM vol. 3, 18.2). */
X86_MUST_CHECK x86_status x86_write_dr(x86_cpu *cpu, unsigned n, uint64_t val);

/* ---- Protection keys (pkru.c; SDM vol. 3, 2.7 and 4.6.2) ---- */

/* RDPKRU (0F 01 EE) and WRPKRU (0F 01 EF). */
X86_MUST_CHECK x86_status x86_rdpkru(x86_cpu *cpu, const x86_insn *insn);
X86_MUST_CHECK x86_status x86_wrpkru(x86_cpu *cpu, const x86_insn *insn);

/* ---- MSRs (msr.c, docs/msrs.md) ---- */

/* Power-on values of the modelled MSRs (IA32_PAT, IA32_APIC_BASE, ...); call from x86_cpu_init. */
void x86_msr_init(x86_cpu *cpu);

/* RDMSR/WRMSR semantics without the CPL check: an unmodelled MSR or a bad value is #GP(0). */
X86_MUST_CHECK x86_status x86_msr_read(x86_cpu *cpu, uint32_t index, uint64_t *val);
X86_MUST_CHECK x86_status x86_msr_write(x86_cpu *cpu, uint32_t index, uint64_t val);

/* MSR indices (SDM vol. 4, table 2-2). */
#define X86_MSR_IA32_TSC            0x00000010u
#define X86_MSR_IA32_APIC_BASE      0x0000001bu
#define X86_MSR_IA32_TSC_ADJUST     0x0000003bu
#define X86_MSR_IA32_TSC_DEADLINE   0x000006e0u
#define X86_MSR_X2APIC_FIRST        0x00000800u
#define X86_MSR_X2APIC_LAST         0x000008ffu
#define X86_MSR_IA32_SPEC_CTRL      0x00000048u
#define X86_MSR_IA32_MTRRCAP        0x000000feu
#define X86_MSR_IA32_SYSENTER_CS    0x00000174u
#define X86_MSR_IA32_SYSENTER_ESP   0x00000175u
#define X86_MSR_IA32_SYSENTER_EIP   0x00000176u
#define X86_MSR_IA32_MISC_ENABLE    0x000001a0u
#define X86_MSR_IA32_PAT            0x00000277u
#define X86_MSR_IA32_MTRR_DEF_TYPE  0x000002ffu
#define X86_MSR_IA32_PKRS           0x000006e1u
#define X86_MSR_IA32_EFER           0xc0000080u
#define X86_MSR_IA32_STAR           0xc0000081u
#define X86_MSR_IA32_LSTAR          0xc0000082u
#define X86_MSR_IA32_CSTAR          0xc0000083u
#define X86_MSR_IA32_FMASK          0xc0000084u
#define X86_MSR_IA32_FS_BASE        0xc0000100u
#define X86_MSR_IA32_GS_BASE        0xc0000101u
#define X86_MSR_IA32_KERNEL_GS_BASE 0xc0000102u
#define X86_MSR_IA32_TSC_AUX        0xc0000103u

/* IA32_APIC_BASE fields (SDM vol. 3, 11.4.4). */
#define X86_APIC_BASE_BSP     (1ull << 8)
#define X86_APIC_BASE_EXTD    (1ull << 10)
#define X86_APIC_BASE_ENABLE  (1ull << 11)
#define X86_APIC_BASE_DEFAULT 0xfee00000ull

/* The modelled time-stamp counter: machine cycles plus IA32_TSC_ADJUST. */
uint64_t x86_tsc(const x86_cpu *cpu);

/* The x2APIC register MSRs (SDM vol. 3, 11.12.1.2). */
static inline bool x86_is_x2apic_msr(uint32_t index)
{
    return index >= X86_MSR_X2APIC_FIRST && index <= X86_MSR_X2APIC_LAST;
}

/* ---- Segments (segment.c) ---- */

/*
 * Load a segment register from the GDT/LDT with the checks of MOV Sreg
 * (for CS: those of a far JMP to a code segment at the current CPL), in
 * real mode base = selector * 16. Calls x86_update_mode() after CS or SS.
 */
X86_MUST_CHECK x86_status x86_load_sreg(x86_cpu *cpu, unsigned sreg, uint16_t selector);

/* Selector fields (SDM vol. 3, 3.4.2). */
#define X86_SEL_TI       0x4u
#define X86_SEL_INDEX_MASK 0xfff8u

/* System descriptor types (SDM vol. 3, table 3-2; IA-32e mode keeps 2, 9, B, C, E, F). */
#define X86_SYS_TSS16_AVAIL 0x1u
#define X86_SYS_LDT         0x2u
#define X86_SYS_TSS16_BUSY  0x3u
#define X86_SYS_CALL_GATE16 0x4u
#define X86_SYS_TASK_GATE   0x5u
#define X86_SYS_TSS_AVAIL   0x9u
#define X86_SYS_TSS_BUSY    0xbu
#define X86_SYS_CALL_GATE   0xcu
#define X86_SYS_TSS_BUSY_BIT 0x2u   /* available -> busy */

/* Raw descriptor (SDM vol. 3, 3.4.5): low and, for 16-byte system descriptors, high qword. */
typedef struct x86_descriptor {
    uint64_t lo, hi;
} x86_descriptor;

/*
 * Read the descriptor sel names from the GDT or LDT (16 bytes if wide),
 * with the table-limit check: #GP(sel & ~3) when the selector lies beyond
 * the limit or names the LDT while LDTR is null. *addr receives its linear
 * address (for setting the accessed or busy bit).
 */
X86_MUST_CHECK x86_status x86_read_descriptor_full(x86_cpu *cpu, uint16_t sel, bool wide,
                                                   x86_descriptor *d, uint64_t *addr);

/* The common case inline (an 8-byte GDT entry within the limit, on a page the TLB holds); anything
 * else, including every fault, takes x86_read_descriptor_full. */
static inline X86_MUST_CHECK x86_status x86_read_descriptor(x86_cpu *cpu, uint16_t sel, bool wide,
                                                            x86_descriptor *d, uint64_t *addr)
{
    if (!wide && !(sel & X86_SEL_TI)) {
        uint64_t index = sel & X86_SEL_INDEX_MASK;
        if (index + 7 <= cpu->gdtr.limit) {
            const uint8_t *host = x86_cached_read_ptr(cpu, cpu->gdtr.base + index, 8, false);
            if (X86_LIKELY(host)) {
                *addr = cpu->gdtr.base + index;
                d->lo = x86_load_le(host, 8);
                d->hi = 0;
                return X86_OK;
            }
        }
    }
    return x86_read_descriptor_full(cpu, sel, wide, d, addr);
}

/* Descriptor fields (SDM vol. 3, figure 3-8). */
#define X86_DESC_TYPE_SHIFT 40
#define X86_DESC_TYPE_MASK  0xfull
#define X86_DESC_S          (1ull << 44)
#define X86_DESC_DPL_SHIFT  45
#define X86_DESC_P          (1ull << 47)
#define X86_DESC_TYPE_BYTE  5           /* byte offset of type, S, DPL, P */
/* A 16-byte system descriptor's upper type field must be zero (3.5.2). */
#define X86_DESC_HI_TYPE_SHIFT 40
#define X86_DESC_HI_TYPE_MASK  0x1full

/* Code/data type bits (S = 1, SDM vol. 3, table 3-1). */
#define X86_TYPE_ACCESSED   0x1u
#define X86_TYPE_WRITABLE   0x2u    /* data */
#define X86_TYPE_READABLE   0x2u    /* code */
#define X86_TYPE_EXPAND_DN  0x4u    /* data */
#define X86_TYPE_CONFORMING 0x4u    /* code */
#define X86_TYPE_CODE       0x8u

static inline unsigned x86_desc_type(const x86_descriptor *d)
{
    return (unsigned)(d->lo >> X86_DESC_TYPE_SHIFT) & X86_DESC_TYPE_MASK;
}
static inline unsigned x86_desc_dpl(const x86_descriptor *d)
{
    return (unsigned)(d->lo >> X86_DESC_DPL_SHIFT) & 3;
}
static inline bool x86_desc_s(const x86_descriptor *d) { return (d->lo & X86_DESC_S) != 0; }
static inline bool x86_desc_p(const x86_descriptor *d) { return (d->lo & X86_DESC_P) != 0; }

/*
 * Read the 8-byte descriptor sel names without faulting on the selector
 * (LAR, LSL, VERR, VERW): *found is false for a null selector, an unusable
 * LDT or an index beyond the table limit.
 */
X86_MUST_CHECK x86_status x86_probe_descriptor(x86_cpu *cpu, uint16_t sel, x86_descriptor *d,
                                               bool *found);

/* VERR (write = false) / VERW: ZF = readable/writable at the CPL and the selector's RPL. */
X86_MUST_CHECK x86_status x86_verify_segment(x86_cpu *cpu, const x86_insn *insn, bool write);

/*
 * Set the accessed bit of the code/data descriptor at desc_addr that s was
 * loaded from, in memory and in s (SDM vol. 3, 3.4.5.1): the last step
 * before a segment register load commits, since the write may fault.
 */
X86_MUST_CHECK x86_status x86_segment_set_accessed(x86_cpu *cpu, x86_segment *s, uint64_t desc_addr);

#define X86_DESC_G          (1ull << 55)   /* granularity: the limit counts 4-KiB pages */
#define X86_DESC_ATTR_SHIFT 40
#define X86_DESC_ATTR_MASK  0xf0ffu         /* attr without limit[19:16] */

/* The descriptor cache contents a descriptor gives (base, scaled limit, attr). Inline: every
 * delivery and return decodes one to three descriptors, mostly with wide constant. */
static inline void x86_descriptor_to_segment(const x86_descriptor *d, bool wide, uint16_t sel, x86_segment *seg)
{
    /* Base 23:0 in bits 39:16 and 31:24 in bits 63:56; limit 15:0 in bits 15:0 and 19:16 in bits 51:48. */
    uint64_t base = ((d->lo >> 16) & 0xffffff) | ((d->lo >> 32) & 0xff000000ull);
    if (wide)
        base |= (d->hi & 0xffffffffull) << 32;
    uint32_t limit = (uint32_t)((d->lo & 0xffff) | ((d->lo >> 32) & 0xf0000));
    if (d->lo & X86_DESC_G)
        limit = (limit << X86_PAGE_SHIFT) | (uint32_t)X86_PAGE_MASK;
    seg->selector = sel;
    seg->base = base;
    seg->limit = limit;
    seg->attr = (uint16_t)((d->lo >> X86_DESC_ATTR_SHIFT) & X86_DESC_ATTR_MASK);
}

/* ---- CPUID (cpuid.c, docs/cpu-models.md) ---- */

/* The four registers CPUID returns for leaf/subleaf under the CPU's model. */
void x86_cpuid(const x86_cpu *cpu, uint32_t leaf, uint32_t subleaf, uint32_t out[4]);

#endif
