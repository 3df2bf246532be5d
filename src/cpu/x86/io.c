/*
 * Port I/O: IN, OUT, INS, OUTS (SDM vol. 2 instruction pages; vol. 1,
 * chapter 19 I/O protection). In protected mode at CPL > IOPL every port
 * byte of the access must be clear in the TSS I/O permission bitmap, else
 * #GP(0). Each port access costs the profile's port_io; an access to a
 * port no device lists stops the machine (io_port_read/io_port_write). A
 * completed access is shown to the I/O breakpoints (debugreg.c), whose #DB
 * trap follows the instruction, or the REP INS/OUTS iteration.
 */
#include "core/machine.h"
#include "core/memory.h"
#include "cpu/x86/handlers.h"
#include "cpu/x86/string_iter.h"
#include "cpu/x86/system.h"
#include "mmu/x86_paging.h"

#define TSS_IOMAP_BASE_OFFSET 0x66     /* 16-bit I/O map base in a 32/64-bit TSS */
#define BITS_PER_BYTE 8

/* The TSS I/O permission bitmap check (vol. 1, 19.5.2); every failure is #GP(0). */
static x86_status check_io_bitmap(x86_cpu *cpu, uint16_t port, unsigned size)
{
    const x86_segment *tr = &cpu->tr;
    unsigned type = tr->attr & X86_SEG_ATTR_TYPE_MASK;
    bool tss32 = (tr->attr & X86_SEG_ATTR_P) &&
                 (type == X86_SYS_TSS_AVAIL || type == X86_SYS_TSS_BUSY);
    if (!tss32 || tr->limit < TSS_IOMAP_BASE_OFFSET + 1)
        return x86_gp0(cpu);
    uint8_t raw[2];
    x86_status st = x86_sys_read_buf(cpu, tr->base + TSS_IOMAP_BASE_OFFSET, raw, 2);
    if (st != X86_OK)
        return st;
    uint64_t at = x86_load_le(raw, 2) + port / BITS_PER_BYTE;
    /* The processor reads two bytes so that an access may straddle a byte of the map. */
    if (at + 1 > tr->limit)
        return x86_gp0(cpu);
    st = x86_sys_read_buf(cpu, tr->base + at, raw, 2);
    if (st != X86_OK)
        return st;
    unsigned bits = (unsigned)x86_load_le(raw, 2) >> (port % BITS_PER_BYTE);
    if (bits & ((1u << size) - 1))
        return x86_gp0(cpu);
    return X86_OK;
}

static x86_status io_allowed(x86_cpu *cpu, uint16_t port, unsigned size)
{
    if (cpu->mode == X86_MODE_REAL)
        return X86_OK;
    unsigned iopl = (unsigned)((cpu->rflags & X86_FLAG_IOPL) >> X86_FLAG_IOPL_SHIFT);
    if (cpu->cpl <= iopl)
        return X86_OK;
    return check_io_bitmap(cpu, port, size);
}

/* Port access width: 1 for the byte forms, else 2 or 4 (REX.W does not widen it). */
static unsigned io_size(const x86_insn *insn)
{
    return insn->opsize == 8 ? 4 : insn->opsize;
}

static uint16_t io_port(const x86_cpu *cpu, const x86_insn *insn)
{
    bool dx_form = insn->opcode >= 0xec;
    return dx_form ? (uint16_t)cpu->gpr[X86_RDX] : (uint16_t)(insn->imm & 0xff);
}

/* Each port access is also looked at by the I/O breakpoints (CR4.DE = 1, DR7 R/W = 10). */
static x86_status port_read(x86_cpu *cpu, uint16_t port, unsigned size, uint32_t *val)
{
    cpu->machine->cycles += cpu->machine->cost->port_io;
    if (io_port_read(cpu->machine, port, size, val) < 0)
        return X86_STOP;
    if (X86_UNLIKELY(cpu->dr_io_mask))
        x86_debug_io_access(cpu, port, size);
    return X86_OK;
}

static x86_status port_write(x86_cpu *cpu, uint16_t port, unsigned size, uint32_t val)
{
    cpu->machine->cycles += cpu->machine->cost->port_io;
    if (io_port_write(cpu->machine, port, size, val) < 0)
        return X86_STOP;
    if (X86_UNLIKELY(cpu->dr_io_mask))
        x86_debug_io_access(cpu, port, size);
    return X86_OK;
}

X86_HANDLER(x86_op_in)
{
    unsigned size = io_size(insn);
    uint16_t port = io_port(cpu, insn);
    x86_status st = io_allowed(cpu, port, size);
    if (st != X86_OK)
        return st;
    uint32_t val;
    st = port_read(cpu, port, size, &val);
    if (st != X86_OK)
        return st;
    x86_reg_write(cpu, insn, X86_RAX, size, val);
    return X86_OK;
}

X86_HANDLER(x86_op_out)
{
    unsigned size = io_size(insn);
    uint16_t port = io_port(cpu, insn);
    x86_status st = io_allowed(cpu, port, size);
    if (st != X86_OK)
        return st;
    return port_write(cpu, port, size, (uint32_t)x86_reg_read(cpu, insn, X86_RAX, size));
}

/*
 * INS/OUTS move one element per iteration and update the index and count
 * after each, so a fault in a REP iteration leaves the completed ones done
 * and the instruction restartable.
 */
X86_HANDLER(x86_op_ins)
{
    unsigned size = io_size(insn);
    uint16_t port = (uint16_t)cpu->gpr[X86_RDX];
    bool rep = x86_string_repeated(insn);
    uint64_t step = x86_string_step(cpu, size);
    x86_status st = io_allowed(cpu, port, size);
    if (st != X86_OK)
        return st;
    for (;;) {
        uint64_t count = 0;
        if (rep && (count = x86_string_reg(cpu, insn, X86_RCX)) == 0)
            return X86_OK;
        uint64_t di = x86_string_reg(cpu, insn, X86_RDI);
        uint64_t lin = 0;
        uint32_t val;
        /* INS writes ES:rDI (no override); the destination is checked before the port is read. */
        st = x86_seg_linear(cpu, X86_ES, di, size, X86_ACC_WRITE, &lin);
        if (st == X86_OK)
            st = x86_lin_check(cpu, lin, size, X86_ACC_WRITE);
        if (st == X86_OK)
            st = port_read(cpu, port, size, &val);
        if (st == X86_OK)
            st = x86_lin_write(cpu, lin, size, val);
        if (st != X86_OK)
            return st;
        x86_string_set_reg(cpu, insn, X86_RDI, di + step);
        if (!rep)
            return X86_OK;
        if (x86_string_rep_pause(cpu, insn, count, false, &st))
            return st;
    }
}

X86_HANDLER(x86_op_outs)
{
    unsigned size = io_size(insn);
    uint16_t port = (uint16_t)cpu->gpr[X86_RDX];
    bool rep = x86_string_repeated(insn);
    uint64_t step = x86_string_step(cpu, size);
    x86_status st = io_allowed(cpu, port, size);
    if (st != X86_OK)
        return st;
    for (;;) {
        uint64_t count = 0;
        if (rep && (count = x86_string_reg(cpu, insn, X86_RCX)) == 0)
            return X86_OK;
        uint64_t si = x86_string_reg(cpu, insn, X86_RSI), val;
        st = x86_seg_read(cpu, insn->seg, si, size, &val);
        if (st == X86_OK)
            st = port_write(cpu, port, size, (uint32_t)val);
        if (st != X86_OK)
            return st;
        x86_string_set_reg(cpu, insn, X86_RSI, si + step);
        if (!rep)
            return X86_OK;
        if (x86_string_rep_pause(cpu, insn, count, false, &st))
            return st;
    }
}
