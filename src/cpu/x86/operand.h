/*
 * Operand access for the handlers, inline because every instruction uses it:
 * general-purpose registers at a width (SDM vol. 1, 3.4.1.1: byte registers
 * AH..BH without REX, SPL..DIL with it; 32-bit writes zero-extend, 8- and
 * 16-bit writes merge), the effective address of a ModRM memory operand
 * (vol. 2, 2.1.5 and 2.2.1.6), and the r/m operand as register or memory
 * through the segment unit. Included by x86.h; not to be included alone.
 */
#ifndef EMU_CPU_X86_OPERAND_H
#define EMU_CPU_X86_OPERAND_H

/* All-ones in the low `size` bytes (1, 2, 4 or 8): a table load, not a variable shift. */
static inline uint64_t x86_width_mask(unsigned size)
{
    static const uint64_t masks[16] = {
        [1] = 0xffull, [2] = 0xffffull, [4] = 0xffffffffull, [8] = ~0ull,
    };
    return masks[size & 15];
}

/* Without REX, byte-register numbers 4..7 name AH, CH, DH, BH. */
static inline bool x86_is_high_byte(const x86_insn *insn, unsigned reg)
{
    return !(insn->prefixes & X86_PFX_REX) && reg >= X86_RSP && reg <= X86_RDI;
}

static inline uint64_t x86_reg_read(const x86_cpu *cpu, const x86_insn *insn, unsigned reg, unsigned size)
{
    if (size == 1) {
        if (x86_is_high_byte(insn, reg))
            return (cpu->gpr[reg - X86_RSP] >> 8) & 0xff;
        return cpu->gpr[reg] & 0xff;
    }
    return cpu->gpr[reg] & x86_width_mask(size);
}

static inline void x86_reg_write(x86_cpu *cpu, const x86_insn *insn, unsigned reg, unsigned size, uint64_t val)
{
    switch (size) {
    case 1:
        if (x86_is_high_byte(insn, reg)) {
            uint64_t *r = &cpu->gpr[reg - X86_RSP];
            *r = (*r & ~0xff00ull) | ((val & 0xff) << 8);
        } else {
            cpu->gpr[reg] = (cpu->gpr[reg] & ~0xffull) | (val & 0xff);
        }
        break;
    case 2:
        cpu->gpr[reg] = (cpu->gpr[reg] & ~0xffffull) | (val & 0xffff);
        break;
    case 4:
        cpu->gpr[reg] = (uint32_t)val;
        break;
    default:
        cpu->gpr[reg] = val;
        break;
    }
}

static inline uint64_t x86_effective_address(const x86_cpu *cpu, const x86_insn *insn)
{
    uint64_t ea = (uint64_t)insn->disp;
    if (insn->base != X86_NO_REG)
        ea += cpu->gpr[insn->base];
    if (insn->index != X86_NO_REG)
        ea += cpu->gpr[insn->index] * insn->scale;
    if (insn->rip_relative)
        ea += cpu->next_rip;
    return ea & x86_width_mask(insn->addrsize);
}

static inline X86_MUST_CHECK x86_status x86_rm_read(x86_cpu *cpu, const x86_insn *insn, unsigned size, uint64_t *val)
{
    if (insn->mod == 3) {
        *val = x86_reg_read(cpu, insn, insn->rm, size);
        return X86_OK;
    }
    return x86_seg_read(cpu, insn->seg, x86_effective_address(cpu, insn), size, val);
}

static inline X86_MUST_CHECK x86_status x86_rm_write(x86_cpu *cpu, const x86_insn *insn, unsigned size, uint64_t val)
{
    if (insn->mod == 3) {
        x86_reg_write(cpu, insn, insn->rm, size, val);
        return X86_OK;
    }
    return x86_seg_write(cpu, insn->seg, x86_effective_address(cpu, insn), size, val);
}

static inline X86_MUST_CHECK x86_status x86_rm_read_rmw(x86_cpu *cpu, const x86_insn *insn, unsigned size, uint64_t *val)
{
    if (insn->mod == 3) {
        *val = x86_reg_read(cpu, insn, insn->rm, size);
        return X86_OK;
    }
    uint64_t ea = x86_effective_address(cpu, insn), lin = 0;
    const x86_tlb_entry *e;
    /* A page the TLB lets us write without a dirty-bit update needs no walk (see x86_seg_read). */
    if (X86_LIKELY(x86_flat_segment(cpu, insn->seg))) {
        e = x86_tlb_lookup(&cpu->tlb, cpu->cpl == 3, ea);
        if (X86_LIKELY(e && e->host_write && (ea & X86_PAGE_MASK) + size <= X86_PAGE_SIZE)) {
            *val = x86_load_le(e->host_write + (ea & X86_PAGE_MASK), size);
            return X86_OK;
        }
    }
    x86_status st = x86_seg_linear(cpu, insn->seg, ea, size, X86_ACC_RMW, &lin);
    if (st != X86_OK)
        return st;
    e = x86_tlb_lookup(&cpu->tlb, cpu->cpl == 3, lin);
    if (e && e->host_write && (lin & X86_PAGE_MASK) + size <= X86_PAGE_SIZE) {
        *val = x86_load_le(e->host_write + (lin & X86_PAGE_MASK), size);
        return X86_OK;
    }
    return x86_lin_read_slow(cpu, lin, size, val, X86_ACC_RMW);
}

#endif
