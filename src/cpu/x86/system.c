/*
 * System instructions (SDM vol. 2 instruction pages; vol. 3, 2.5 control
 * registers, 2.7 system instructions, 17.2 debug registers): MOV to/from
 * CRn and DRn, the descriptor-table and task registers (0F 00, 0F 01),
 * CLTS, INVD/WBINVD, HLT, CLI/STI, RDTSC.
 *
 * Privileged instructions at CPL > 0 raise #GP(0); SGDT, SIDT, SLDT, STR and
 * SMSW do so under CR4.UMIP. Serializing instructions (vol. 3, 10.3) add the
 * profile's serializing cost. MOV to DR0-DR3/DR7 (and CR4.DE, which gives
 * DR7's R/W = 10 its meaning) re-derive the breakpoints (debugreg.c);
 * RDPKRU/WRPKRU live with the protection keys (pkru.c).
 */
#include <stdio.h>

#include "apic/lapic.h"
#include "core/machine.h"
#include "core/memory.h"
#include "cpu/x86/cpu_features.h"
#include "cpu/x86/fpu_sse.h"
#include "cpu/x86/handlers.h"
#include "cpu/x86/system.h"
#include "mmu/x86_paging.h"

/* CR0 bits the processor implements; others in 31:0 are ignored, 63:32 reserved (2.5). */
#define CR0_IMPLEMENTED                                                                  \
    (X86_CR0_PE | X86_CR0_MP | X86_CR0_EM | X86_CR0_TS | X86_CR0_ET | X86_CR0_NE |      \
     X86_CR0_WP | X86_CR0_AM | X86_CR0_NW | X86_CR0_CD | X86_CR0_PG)
#define CR0_FLUSH_BITS (X86_CR0_PE | X86_CR0_WP | X86_CR0_PG)
/* CR4 bits that change translations or access rights, cached TLB pointers included (4.10.4.1). */
#define CR4_FLUSH_BITS                                                                    \
    (X86_CR4_PAE | X86_CR4_PSE | X86_CR4_PGE | X86_CR4_SMEP | X86_CR4_SMAP | X86_CR4_PKE | \
     X86_CR4_PKS)
#define LMSW_BITS (X86_CR0_PE | X86_CR0_MP | X86_CR0_EM | X86_CR0_TS)
#define HIGH32 0xffffffff00000000ull
#define LOW32  0xffffffffull
#define CR3_PAE_BASE_MASK 0xffffffe0ull
#define CR8_TPR_MASK 0xfull
#define PAE_PDPTES 4

/* DR6/DR7 fixed bits (17.2.3, 17.2.4). */
#define DR6_WRITABLE 0xe00full      /* B0-B3, BD, BS, BT */
#define DR6_FIXED1   0xffff0ff0ull
#define DR7_WRITABLE 0xffff23ffull  /* L0-G3, LE, GE, GD, R/W and LEN fields */
#define DR7_FIXED1   0x400ull
#define DR7_GD       (1ull << 13)

#define DTR_LIMIT_BYTES 2
#define DTR_AC_ALIGN 4      /* "GDTR, IDTR, LDTR, or Task Register Contents" (vol. 3, table 6-7) */
#define BASE_24BIT 0x00ffffffull

/* ---- Control registers ---- */

static uint64_t cr4_valid(const x86_cpu *cpu)
{
    const x86_cpu_config *c = &cpu->config;
    uint64_t v = X86_CR4_PCE;
    if (x86_cpu_has(c, X86_FEAT_TSC)) v |= X86_CR4_TSD;
    if (x86_cpu_has(c, X86_FEAT_DE)) v |= X86_CR4_DE;
    if (x86_cpu_has(c, X86_FEAT_PSE)) v |= X86_CR4_PSE;
    if (x86_cpu_has(c, X86_FEAT_PAE)) v |= X86_CR4_PAE;
    if (x86_cpu_has(c, X86_FEAT_MCE)) v |= X86_CR4_MCE;
    if (x86_cpu_has(c, X86_FEAT_PGE)) v |= X86_CR4_PGE;
    if (x86_cpu_has(c, X86_FEAT_FXSR)) v |= X86_CR4_OSFXSR;
    if (x86_cpu_has(c, X86_FEAT_SSE)) v |= X86_CR4_OSXMMEXCPT;
    if (x86_cpu_has(c, X86_FEAT_UMIP)) v |= X86_CR4_UMIP;
    if (x86_cpu_has(c, X86_FEAT_FSGSBASE)) v |= X86_CR4_FSGSBASE;
    if (x86_cpu_has(c, X86_FEAT_SMEP)) v |= X86_CR4_SMEP;
    if (x86_cpu_has(c, X86_FEAT_SMAP)) v |= X86_CR4_SMAP;
    if (x86_cpu_has(c, X86_FEAT_PKU)) v |= X86_CR4_PKE;
    if (x86_cpu_has(c, X86_FEAT_PKS)) v |= X86_CR4_PKS;
    return v;
}

/*
 * PAE paging loads the four PDPTEs at MOV CR3 and at the CR0/CR4 writes that
 * enter or change it; a reserved bit in a present one is #GP(0) (4.4.1).
 */
static x86_status check_pae_pdptes(x86_cpu *cpu, uint64_t cr3)
{
    uint64_t base = cr3 & CR3_PAE_BASE_MASK;
    for (unsigned i = 0; i < PAE_PDPTES; i++) {
        uint64_t e;
        if (mem_phys_read(cpu->machine, base + i * 8, 8, &e) < 0)
            return X86_STOP;
        if ((e & X86_PTE_P) && (e & X86_PAE_PDPTE_RSVD))
            return x86_gp0(cpu);
    }
    return X86_OK;
}

static bool pae_paging(uint64_t cr0, uint64_t cr4, uint64_t efer)
{
    return (cr0 & X86_CR0_PG) && (cr4 & X86_CR4_PAE) && !(efer & X86_EFER_LMA);
}

static x86_status write_cr0(x86_cpu *cpu, uint64_t val)
{
    if (val & HIGH32)
        return x86_gp0(cpu);
    val = (val & CR0_IMPLEMENTED) | X86_CR0_ET;
    if ((val & X86_CR0_PG) && !(val & X86_CR0_PE))
        return x86_gp0(cpu);
    if ((val & X86_CR0_NW) && !(val & X86_CR0_CD))
        return x86_gp0(cpu);
    uint64_t efer = cpu->efer;
    bool pg_on = !(cpu->cr0 & X86_CR0_PG) && (val & X86_CR0_PG);
    bool pg_off = (cpu->cr0 & X86_CR0_PG) && !(val & X86_CR0_PG);
    if (pg_on && (efer & X86_EFER_LME)) {
        /* Activating IA-32e mode needs CR4.PAE and a CS without L (9.8.5). */
        if (!(cpu->cr4 & X86_CR4_PAE) || (cpu->seg[X86_CS].attr & X86_SEG_ATTR_L))
            return x86_gp0(cpu);
        efer |= X86_EFER_LMA;
    }
    if (pg_off && (efer & X86_EFER_LMA)) {
        /* Leaving IA-32e mode is done from compatibility mode (9.8.5.4). */
        if (x86_long64(cpu))
            return x86_gp0(cpu);
        efer &= ~X86_EFER_LMA;
    }
    if (pg_on && pae_paging(val, cpu->cr4, efer)) {
        x86_status st = check_pae_pdptes(cpu, cpu->cr3);
        if (st != X86_OK)
            return st;
    }
    uint64_t changed = cpu->cr0 ^ val;
    cpu->cr0 = val;
    cpu->efer = efer;
    if (changed & CR0_FLUSH_BITS)
        x86_tlb_flush_all(cpu);
    x86_update_mode(cpu);
    return X86_OK;
}

static x86_status write_cr3(x86_cpu *cpu, uint64_t val)
{
    if (cpu->efer & X86_EFER_LMA) {
        /* Bits 63:MAXPHYADDR are reserved (PCIDs are not modelled). */
        if (val >> X86_MAXPHYADDR)
            return x86_gp0(cpu);
    } else {
        val &= LOW32;
    }
    if (pae_paging(cpu->cr0, cpu->cr4, cpu->efer)) {
        x86_status st = check_pae_pdptes(cpu, val);
        if (st != X86_OK)
            return st;
    }
    cpu->cr3 = val;
    x86_tlb_flush_all(cpu);
    return X86_OK;
}

static x86_status write_cr4(x86_cpu *cpu, uint64_t val)
{
    if (val & ~cr4_valid(cpu))
        return x86_gp0(cpu);
    /* IA-32e mode requires PAE paging (2.5). */
    if ((cpu->efer & X86_EFER_LMA) && !(val & X86_CR4_PAE))
        return x86_gp0(cpu);
    uint64_t changed = cpu->cr4 ^ val;
    if ((changed & CR4_FLUSH_BITS) && pae_paging(cpu->cr0, val, cpu->efer)) {
        x86_status st = check_pae_pdptes(cpu, cpu->cr3);
        if (st != X86_OK)
            return st;
    }
    cpu->cr4 = val;
    if (changed & CR4_FLUSH_BITS)
        x86_tlb_flush_all(cpu);
    /* DR7's R/W = 10 means an I/O breakpoint only while CR4.DE = 1 (18.2.4). */
    if (changed & X86_CR4_DE)
        return x86_debug_update(cpu);
    return X86_OK;
}

x86_status x86_write_cr(x86_cpu *cpu, unsigned n, uint64_t val)
{
    switch (n) {
    case 0:
        return write_cr0(cpu, val);
    case 2:
        cpu->cr2 = val;
        return X86_OK;
    case 3:
        return write_cr3(cpu, val);
    case 4:
        return write_cr4(cpu, val);
    case 8:
        /* CR8 holds the task-priority class; bits 63:4 are reserved. */
        if (val & ~CR8_TPR_MASK)
            return x86_gp0(cpu);
        cpu->cr8 = val;
        if (cpu->apic)
            lapic_cr8_write(cpu->apic, val);    /* CR8 is TPR[7:4] (SDM vol. 3, 11.8.6.1) */
        return X86_OK;
    default:
        return x86_ud(cpu);
    }
}

static bool cr_exists(unsigned n)
{
    return n == 0 || n == 2 || n == 3 || n == 4 || n == 8;
}

/* Operand width of MOV CR/DR: 64 bits in 64-bit mode, else 32 (the mod field is ignored). */
static unsigned crdr_size(const x86_cpu *cpu)
{
    return x86_long64(cpu) ? 8 : 4;
}

static void add_serializing(x86_cpu *cpu)
{
    cpu->machine->cycles += cpu->machine->cost->serializing;
}

X86_HANDLER(x86_op_mov_from_cr)
{
    unsigned n = insn->reg;
    if (!cr_exists(n) || (insn->prefixes & X86_PFX_LOCK))
        return x86_ud(cpu);
    if (cpu->cpl != 0)
        return x86_gp0(cpu);
    uint64_t cr8 = cpu->apic ? lapic_cr8_read(cpu->apic) : cpu->cr8;
    uint64_t v = n == 0 ? cpu->cr0 : n == 2 ? cpu->cr2 : n == 3 ? cpu->cr3 : n == 4 ? cpu->cr4 : cr8;
    x86_reg_write(cpu, insn, insn->rm, crdr_size(cpu), v);
    return X86_OK;
}

X86_HANDLER(x86_op_mov_to_cr)
{
    unsigned n = insn->reg;
    if (!cr_exists(n) || (insn->prefixes & X86_PFX_LOCK))
        return x86_ud(cpu);
    if (cpu->cpl != 0)
        return x86_gp0(cpu);
    x86_status st = x86_write_cr(cpu, n, x86_reg_read(cpu, insn, insn->rm, crdr_size(cpu)));
    if (st != X86_OK)
        return st;
    if (n != 8)
        add_serializing(cpu);
    return X86_OK;
}

/* ---- Debug registers ---- */

x86_status x86_write_dr(x86_cpu *cpu, unsigned n, uint64_t val)
{
    switch (n) {
    case 0: case 1: case 2: case 3:
        cpu->dr[n] = x86_long64(cpu) ? val : (val & LOW32);
        return x86_debug_update(cpu);
    case 6:
        if (val & HIGH32)
            return x86_gp0(cpu);
        cpu->dr[6] = (val & DR6_WRITABLE) | DR6_FIXED1;
        return X86_OK;
    case 7:
        if (val & HIGH32)
            return x86_gp0(cpu);
        cpu->dr[7] = (val & DR7_WRITABLE) | DR7_FIXED1;
        return x86_debug_update(cpu);
    default:
        return x86_ud(cpu);
    }
}

/* DR4/DR5 alias DR6/DR7 unless CR4.DE makes them #UD; DR8-15 do not exist (17.2.2). */
static x86_status dr_index(x86_cpu *cpu, const x86_insn *insn, unsigned *n)
{
    unsigned r = insn->reg;
    if (r > 7 || (insn->prefixes & X86_PFX_LOCK))
        return x86_ud(cpu);
    if (r == 4 || r == 5) {
        if (cpu->cr4 & X86_CR4_DE)
            return x86_ud(cpu);
        r += 2;
    }
    if (cpu->cpl != 0)
        return x86_gp0(cpu);
    /* DR7.GD: any MOV DR raises #DB (fault) before it executes (17.2.4). */
    if (cpu->dr[7] & DR7_GD) {
        /* DR6.BD says why; GD clears so the handler can use the registers (17.2.4). */
        cpu->dr[6] |= X86_DR6_BD;
        cpu->dr[7] &= ~DR7_GD;
        return x86_raise(cpu, X86_VEC_DB, X86_EVENT_FAULT);
    }
    *n = r;
    return X86_OK;
}

X86_HANDLER(x86_op_mov_from_dr)
{
    unsigned n = 0;
    x86_status st = dr_index(cpu, insn, &n);
    if (st != X86_OK)
        return st;
    x86_reg_write(cpu, insn, insn->rm, crdr_size(cpu), cpu->dr[n]);
    return X86_OK;
}

X86_HANDLER(x86_op_mov_to_dr)
{
    unsigned n = 0;
    x86_status st = dr_index(cpu, insn, &n);
    if (st != X86_OK)
        return st;
    st = x86_write_dr(cpu, n, x86_reg_read(cpu, insn, insn->rm, crdr_size(cpu)));
    if (st != X86_OK)
        return st;
    add_serializing(cpu);
    return X86_OK;
}

/* ---- Group 6: SLDT STR LLDT LTR VERR VERW ---- */

/* UMIP: SGDT, SIDT, SLDT, STR and SMSW are #GP(0) above CPL 0 (2.5). */
static bool umip_blocks(const x86_cpu *cpu)
{
    return (cpu->cr4 & X86_CR4_UMIP) && cpu->cpl > 0;
}

/* Store a selector or CR0 image: 16 bits to memory, the operand size to a register. */
static x86_status store_rm16(x86_cpu *cpu, const x86_insn *insn, uint64_t val)
{
    unsigned size = insn->mod == 3 ? insn->opsize : 2;
    if (size == 2)
        val &= 0xffff;
    return x86_rm_write(cpu, insn, size, val);
}

static uint16_t sel_err(uint16_t sel)
{
    return sel & (X86_SEL_INDEX_MASK | X86_SEL_TI);
}

static bool sel_null(uint16_t sel)
{
    return sel_err(sel) == 0;
}

/*
 * Read and check an LDT or TSS descriptor for LLDT/LTR: GDT only, the given
 * system type, present; 16 bytes with a zero upper type and a canonical
 * base in IA-32e mode (3.5.2, 7.2.3).
 */
static x86_status load_system_descriptor(x86_cpu *cpu, uint16_t sel, bool tss, x86_descriptor *d,
                                         uint64_t *addr, x86_segment *out)
{
    bool wide = (cpu->efer & X86_EFER_LMA) != 0;
    if (sel & X86_SEL_TI)
        return x86_raise_error(cpu, X86_VEC_GP, sel_err(sel));
    x86_status st = x86_read_descriptor(cpu, sel, wide, d, addr);
    if (st != X86_OK)
        return st;
    unsigned type = x86_desc_type(d);
    bool type_ok = tss ? (type == X86_SYS_TSS_AVAIL || (!wide && type == X86_SYS_TSS16_AVAIL))
                       : type == X86_SYS_LDT;
    if (x86_desc_s(d) || !type_ok)
        return x86_raise_error(cpu, X86_VEC_GP, sel_err(sel));
    if (!x86_desc_p(d))
        return x86_raise_error(cpu, X86_VEC_NP, sel_err(sel));
    x86_descriptor_to_segment(d, wide, sel, out);
    if (wide && (((d->hi >> X86_DESC_HI_TYPE_SHIFT) & X86_DESC_HI_TYPE_MASK) != 0 ||
                 !x86_canonical(out->base)))
        return x86_raise_error(cpu, X86_VEC_GP, sel_err(sel));
    return X86_OK;
}

static x86_status op_lldt(x86_cpu *cpu, const x86_insn *insn)
{
    if (cpu->cpl != 0)
        return x86_gp0(cpu);
    uint64_t v;
    x86_status st = x86_rm_read(cpu, insn, 2, &v);
    if (st != X86_OK)
        return st;
    uint16_t sel = (uint16_t)v;
    x86_segment ldt = { .selector = sel };
    if (!sel_null(sel)) {
        x86_descriptor d;
        uint64_t addr;
        st = load_system_descriptor(cpu, sel, false, &d, &addr, &ldt);
        if (st != X86_OK)
            return st;
    }
    /* A null selector leaves LDTR unusable (attr 0). */
    cpu->ldtr = ldt;
    add_serializing(cpu);
    return X86_OK;
}

static x86_status op_ltr(x86_cpu *cpu, const x86_insn *insn)
{
    if (cpu->cpl != 0)
        return x86_gp0(cpu);
    uint64_t v;
    x86_status st = x86_rm_read(cpu, insn, 2, &v);
    if (st != X86_OK)
        return st;
    uint16_t sel = (uint16_t)v;
    if (sel_null(sel))
        return x86_gp0(cpu);
    x86_descriptor d;
    uint64_t addr;
    x86_segment tr;
    st = load_system_descriptor(cpu, sel, true, &d, &addr, &tr);
    if (st != X86_OK)
        return st;
    /* LTR marks the TSS busy in its descriptor (7.2.4). */
    uint8_t type_byte = (uint8_t)(d.lo >> X86_DESC_TYPE_SHIFT) | X86_SYS_TSS_BUSY_BIT;
    st = x86_sys_write_buf(cpu, addr + X86_DESC_TYPE_BYTE, &type_byte, 1);
    if (st != X86_OK)
        return st;
    tr.attr |= X86_SYS_TSS_BUSY_BIT;
    cpu->tr = tr;
    add_serializing(cpu);
    return X86_OK;
}

X86_HANDLER(x86_op_grp6)
{
    if (cpu->mode == X86_MODE_REAL)
        return x86_ud(cpu);
    switch (insn->reg & 7) {
    case 0:     /* SLDT */
        if (umip_blocks(cpu))
            return x86_gp0(cpu);
        return store_rm16(cpu, insn, cpu->ldtr.selector);
    case 1:     /* STR */
        if (umip_blocks(cpu))
            return x86_gp0(cpu);
        return store_rm16(cpu, insn, cpu->tr.selector);
    case 2:
        return op_lldt(cpu, insn);
    case 3:
        return op_ltr(cpu, insn);
    case 4:
        return x86_verify_segment(cpu, insn, false);
    case 5:
        return x86_verify_segment(cpu, insn, true);
    default:
        return x86_ud(cpu);
    }
}

/* ---- Group 7 ---- */

/* SGDT/SIDT: limit then base (8 bytes in 64-bit mode, else 4). */
static x86_status store_dtr(x86_cpu *cpu, const x86_insn *insn, const x86_dtr *dtr)
{
    if (umip_blocks(cpu))
        return x86_gp0(cpu);
    unsigned base_size = x86_long64(cpu) ? 8 : 4;
    uint8_t image[DTR_LIMIT_BYTES + 8];
    x86_store_le(image, 2, dtr->limit);
    x86_store_le(image + DTR_LIMIT_BYTES, base_size, dtr->base);
    uint64_t lin = 0;
    /* A data store like any other: at CPL 3 (UMIP clear) #AC wants it 4-byte aligned (vol. 3, table 6-7). */
    x86_status st = x86_seg_linear_aligned(cpu, insn->seg, x86_effective_address(cpu, insn),
                                           DTR_LIMIT_BYTES + base_size, X86_ACC_WRITE, DTR_AC_ALIGN, &lin);
    if (st != X86_OK)
        return st;
    return x86_lin_write_buf(cpu, lin, image, DTR_LIMIT_BYTES + base_size);
}

/* LGDT/LIDT: 64-bit base in 64-bit mode; a 16-bit operand size keeps 24 bits of base. */
static x86_status load_dtr(x86_cpu *cpu, const x86_insn *insn, x86_dtr *dtr)
{
    if (cpu->cpl != 0)
        return x86_gp0(cpu);
    unsigned base_size = x86_long64(cpu) ? 8 : 4;
    uint8_t image[DTR_LIMIT_BYTES + 8];
    uint64_t lin = 0;
    x86_status st = x86_seg_linear(cpu, insn->seg, x86_effective_address(cpu, insn),
                                   DTR_LIMIT_BYTES + base_size, X86_ACC_READ, &lin);
    if (st == X86_OK)
        st = x86_lin_read_buf(cpu, lin, image, DTR_LIMIT_BYTES + base_size, X86_ACC_READ);
    if (st != X86_OK)
        return st;
    uint64_t base = x86_load_le(image + DTR_LIMIT_BYTES, base_size);
    if (!x86_long64(cpu) && insn->opsize == 2)
        base &= BASE_24BIT;
    dtr->limit = (uint16_t)x86_load_le(image, 2);
    dtr->base = base;
    add_serializing(cpu);
    return X86_OK;
}

/* LMSW loads CR0 bits 3:0; it can set PE but never clear it. */
static x86_status op_lmsw(x86_cpu *cpu, const x86_insn *insn)
{
    if (cpu->cpl != 0)
        return x86_gp0(cpu);
    uint64_t v;
    x86_status st = x86_rm_read(cpu, insn, 2, &v);
    if (st != X86_OK)
        return st;
    uint64_t cr0 = (cpu->cr0 & ~(LMSW_BITS & ~X86_CR0_PE)) | (v & LMSW_BITS);
    return x86_write_cr(cpu, 0, cr0);
}

static x86_status op_invlpg(x86_cpu *cpu, const x86_insn *insn)
{
    if (cpu->cpl != 0)
        return x86_gp0(cpu);
    uint64_t ea = x86_effective_address(cpu, insn);
    uint64_t lin = 0;
    if (x86_long64(cpu))
        lin = ea + ((insn->seg == X86_FS || insn->seg == X86_GS) ? cpu->seg[insn->seg].base : 0);
    else
        lin = (cpu->seg[insn->seg].base + ea) & LOW32;
    /* INVLPG never faults on the address it names (vol. 2, INVLPG). */
    x86_tlb_flush_page(cpu, lin);
    add_serializing(cpu);
    return X86_OK;
}

static x86_status op_swapgs(x86_cpu *cpu)
{
    if (!x86_long64(cpu))
        return x86_ud(cpu);
    if (cpu->cpl != 0)
        return x86_gp0(cpu);
    uint64_t t = cpu->seg[X86_GS].base;
    cpu->seg[X86_GS].base = cpu->msr.kernel_gs_base;
    cpu->msr.kernel_gs_base = t;
    return X86_OK;
}

static x86_status tsc_allowed(x86_cpu *cpu)
{
    if ((cpu->cr4 & X86_CR4_TSD) && cpu->cpl > 0)
        return x86_gp0(cpu);
    return X86_OK;
}

static x86_status op_rdtscp(x86_cpu *cpu)
{
    if (!x86_cpu_has(&cpu->config, X86_FEAT_RDTSCP))
        return x86_ud(cpu);
    x86_status st = tsc_allowed(cpu);
    if (st != X86_OK)
        return st;
    uint64_t tsc = x86_tsc(cpu);
    cpu->gpr[X86_RAX] = tsc & LOW32;
    cpu->gpr[X86_RDX] = tsc >> 32;
    cpu->gpr[X86_RCX] = cpu->msr.tsc_aux & LOW32;
    return X86_OK;
}

/* CLAC/STAC: SMAP models only, CPL 0 only (#UD otherwise). */
static x86_status op_clac_stac(x86_cpu *cpu, bool set)
{
    if (!x86_cpu_has(&cpu->config, X86_FEAT_SMAP) || cpu->cpl > 0)
        return x86_ud(cpu);
    if (set)
        cpu->rflags |= X86_FLAG_AC;
    else
        cpu->rflags &= ~X86_FLAG_AC;
    return X86_OK;
}

/* Register forms of 0F 01 that ringside does not model, by ModRM.reg and rm. */
static const char *const grp7_reg_forms[8][8] = {
    [0] = { [1] = "VMCALL", [2] = "VMLAUNCH", [3] = "VMRESUME", [4] = "VMXOFF", [5] = "PCONFIG",
            [6] = "WRMSRLIST", [7] = "WRMSRNS" },
    [1] = { [0] = "MONITOR", [1] = "MWAIT", [4] = "CLUI", [5] = "STUI", [6] = "TESTUI",
            [7] = "ENCLS" },
    [2] = { [0] = "XGETBV", [1] = "XSETBV", [4] = "VMFUNC", [5] = "XEND", [6] = "XTEST",
            [7] = "ENCLU" },
    [3] = { [0] = "VMRUN", [1] = "VMMCALL", [2] = "VMLOAD", [3] = "VMSAVE", [4] = "STGI",
            [5] = "CLGI", [6] = "SKINIT", [7] = "INVLPGA" },
    [5] = { [0] = "SETSSBSY", [2] = "SAVEPREVSSP", [4] = "UIRET" },
    [7] = { [2] = "MONITORX", [3] = "MWAITX", [4] = "CLZERO", [5] = "RDPRU", [6] = "INVLPGB",
            [7] = "TLBSYNC" },
};

static x86_status grp7_register_form(x86_cpu *cpu, const x86_insn *insn)
{
    unsigned reg = insn->reg & 7, rm = insn->rm & 7;
    if (reg == 5 && rm == 6)
        return x86_rdpkru(cpu, insn);
    if (reg == 5 && rm == 7)
        return x86_wrpkru(cpu, insn);
    if (reg == 1 && rm == 2)
        return op_clac_stac(cpu, false);
    if (reg == 1 && rm == 3)
        return op_clac_stac(cpu, true);
    if (reg == 4) {
        if (umip_blocks(cpu))
            return x86_gp0(cpu);
        return store_rm16(cpu, insn, cpu->cr0);
    }
    if (reg == 6)
        return op_lmsw(cpu, insn);
    if (reg == 7 && rm == 0)
        return op_swapgs(cpu);
    if (reg == 7 && rm == 1)
        return op_rdtscp(cpu);
    if (reg == 2 && rm <= 1)
        return x86_fp_xcr_access(cpu, insn);
    const char *name = grp7_reg_forms[reg][rm];
    if (!name)
        return x86_ud(cpu);
    char what[48];
    snprintf(what, sizeof what, "%s (0F 01 %02X)", name, 0xc0 | reg << 3 | rm);
    return x86_unsupported(cpu, insn, what);
}

X86_HANDLER(x86_op_grp7)
{
    if (insn->mod == 3)
        return grp7_register_form(cpu, insn);
    switch (insn->reg & 7) {
    case 0:
        return store_dtr(cpu, insn, &cpu->gdtr);
    case 1:
        return store_dtr(cpu, insn, &cpu->idtr);
    case 2:
        return load_dtr(cpu, insn, &cpu->gdtr);
    case 3:
        return load_dtr(cpu, insn, &cpu->idtr);
    case 4:
        if (umip_blocks(cpu))
            return x86_gp0(cpu);
        return store_rm16(cpu, insn, cpu->cr0);
    case 5:
        return x86_unsupported(cpu, insn, "RSTORSSP (0F 01 /5, CET shadow stacks)");
    case 6:
        return op_lmsw(cpu, insn);
    default:
        return op_invlpg(cpu, insn);
    }
}

/* ---- The rest ---- */

X86_HANDLER(x86_op_clts)
{
    if (cpu->cpl != 0)
        return x86_gp0(cpu);
    cpu->cr0 &= ~X86_CR0_TS;
    return X86_OK;
}

/* INVD/WBINVD: no caches are modelled, so only the privilege check and the cost remain. */
X86_HANDLER(x86_op_invd_wbinvd)
{
    if (cpu->cpl != 0)
        return x86_gp0(cpu);
    add_serializing(cpu);
    return X86_OK;
}

X86_HANDLER(x86_op_hlt)
{
    if (cpu->cpl != 0)
        return x86_gp0(cpu);
    /* HLT completes; the CPU then waits, and an interrupt saves the RIP after it (vol. 2, HLT).
     * The run loop services the wait: timers run on, and HLT that nothing can wake stops. */
    cpu->halted = true;
    cpu->halt_rip = cpu->rip;
    machine_attention(cpu->machine);
    return X86_OK;
}

/* CLI/STI: IOPL-sensitive in protected mode (VME/PVI are not modelled). */
static x86_status if_change_allowed(const x86_cpu *cpu)
{
    if (cpu->mode == X86_MODE_REAL)
        return X86_OK;
    unsigned iopl = (unsigned)((cpu->rflags & X86_FLAG_IOPL) >> X86_FLAG_IOPL_SHIFT);
    return cpu->cpl <= iopl ? X86_OK : X86_FAULT;
}

X86_HANDLER(x86_op_cli)
{
    if (if_change_allowed(cpu) != X86_OK)
        return x86_gp0(cpu);
    cpu->rflags &= ~X86_FLAG_IF;
    return X86_OK;
}

X86_HANDLER(x86_op_sti)
{
    if (if_change_allowed(cpu) != X86_OK)
        return x86_gp0(cpu);
    /* STI that sets IF delays interrupts until after the next instruction (vol. 2, STI). */
    if (!(cpu->rflags & X86_FLAG_IF))
        cpu->interrupt_shadow = X86_SHADOW_STI;
    cpu->rflags |= X86_FLAG_IF;
    return X86_OK;
}

X86_HANDLER(x86_op_rdtsc)
{
    if (!x86_cpu_has(&cpu->config, X86_FEAT_TSC))
        return x86_ud(cpu);
    x86_status st = tsc_allowed(cpu);
    if (st != X86_OK)
        return st;
    uint64_t tsc = x86_tsc(cpu);
    cpu->gpr[X86_RAX] = tsc & LOW32;
    cpu->gpr[X86_RDX] = tsc >> 32;
    return X86_OK;
}
