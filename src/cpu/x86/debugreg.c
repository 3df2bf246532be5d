/*
 * Debug-register breakpoints (SDM vol. 3, 18.2 and 18.3): DR0-DR3 hold
 * linear addresses (or, for I/O breakpoints, port numbers), DR7 enables each
 * (Ln/Gn) with a kind (R/Wn: execute, write, I/O, read/write) and a length
 * (LENn: 1, 2, 8 or 4 bytes), and DR6 reports which fired (B0-B3).
 * Instruction breakpoints are faults taken before the instruction,
 * suppressed while RFLAGS.RF is set; data and I/O breakpoints are traps
 * taken after the instruction that touched the watched bytes or ports, or,
 * in a REP string instruction, after the iteration that did (18.3.1.2).
 *
 * R/W = 10 means an I/O breakpoint only while CR4.DE = 1; with CR4.DE = 0
 * the encoding is undefined (18.2.4), and enabling it stops the run.
 *
 * What DR7 enables is derived once, here, whenever DR0-DR3, DR7 or CR4.DE
 * change (x86_debug_update), into masks the hot paths test. Pages holding
 * watched bytes get no host pointers in the TLB, so every access to them
 * takes the checked slow path where x86_debug_data_access looks at it.
 */
#include "core/machine.h"
#include "cpu/x86/x86.h"

#define DR7_RW_SHIFT  16
#define DR7_LEN_SHIFT 18
#define DR7_FIELD_BITS 4
#define DR7_RW_EXEC   0x0u
#define DR7_RW_WRITE  0x1u
#define DR7_RW_IO     0x2u
#define DR7_RW_RDWR   0x3u

/* LENn encodings: 00 one byte, 01 two, 10 eight (IA-32e mode), 11 four (18.2.5). */
static const uint8_t len_bytes[4] = { 1, 2, 8, 4 };

static unsigned rw_of(const x86_cpu *cpu, unsigned n)
{
    return (unsigned)(cpu->dr[7] >> (DR7_RW_SHIFT + DR7_FIELD_BITS * n)) & 3;
}

static unsigned len_of(const x86_cpu *cpu, unsigned n)
{
    return len_bytes[(cpu->dr[7] >> (DR7_LEN_SHIFT + DR7_FIELD_BITS * n)) & 3];
}

static bool enabled(const x86_cpu *cpu, unsigned n)
{
    return (cpu->dr[7] >> (2 * n)) & 3;     /* Ln or Gn */
}

x86_status x86_debug_update(x86_cpu *cpu)
{
    uint8_t exec = 0, data = 0, io = 0;
    for (unsigned n = 0; n < X86_DEBUG_BREAKPOINTS; n++) {
        if (!enabled(cpu, n))
            continue;
        switch (rw_of(cpu, n)) {
        case DR7_RW_EXEC:
            exec |= (uint8_t)(1u << n);
            break;
        case DR7_RW_IO:
            if (!(cpu->cr4 & X86_CR4_DE)) {
                machine_stop(cpu->machine, EMU_STOP_ERROR,
                             "DR7 enables breakpoint %u with R/W = 10 while CR4.DE = 0: an I/O "
                             "breakpoint needs CR4.DE = 1, else the SDM leaves R/W = 10 undefined "
                             "(vol. 3, 18.2.4)", n);
                return X86_STOP;
            }
            io |= (uint8_t)(1u << n);
            break;
        default:
            data |= (uint8_t)(1u << n);
            break;
        }
    }
    cpu->dr_exec_mask = exec;
    cpu->dr_data_mask = data;
    cpu->dr_io_mask = io;
    cpu->dr_enabled = exec | data | io;
    /* Watched pages must lose their fast-path pointers, and unwatched ones may regain them. */
    x86_tlb_flush_all(cpu);
    return X86_OK;
}

/* The bytes breakpoint n covers: its address aligned down to its length (18.2.5). */
static void range_of(const x86_cpu *cpu, unsigned n, uint64_t *first, uint64_t *last)
{
    uint64_t len = len_of(cpu, n);
    *first = cpu->dr[n] & ~(len - 1);
    *last = *first + len - 1;
}

bool x86_debug_watches_page(const x86_cpu *cpu, uint64_t lin)
{
    uint64_t page = lin & ~X86_PAGE_MASK;
    for (unsigned n = 0; n < X86_DEBUG_BREAKPOINTS; n++) {
        if (!(cpu->dr_data_mask & (1u << n)))
            continue;
        uint64_t first, last;
        range_of(cpu, n, &first, &last);
        if (first <= page + X86_PAGE_MASK && last >= page)
            return true;
    }
    return false;
}

void x86_debug_data_access(x86_cpu *cpu, uint64_t lin, unsigned len, bool write)
{
    for (unsigned n = 0; n < X86_DEBUG_BREAKPOINTS; n++) {
        if (!(cpu->dr_data_mask & (1u << n)) || (!write && rw_of(cpu, n) == DR7_RW_WRITE))
            continue;
        uint64_t first, last;
        range_of(cpu, n, &first, &last);
        if (first <= lin + len - 1 && last >= lin)
            cpu->dr_hits |= (uint8_t)(1u << n);
    }
}

void x86_debug_io_access(x86_cpu *cpu, uint16_t port, unsigned size)
{
    for (unsigned n = 0; n < X86_DEBUG_BREAKPOINTS; n++) {
        if (!(cpu->dr_io_mask & (1u << n)))
            continue;
        uint64_t first, last;
        range_of(cpu, n, &first, &last);
        if (first <= (uint64_t)port + size - 1 && last >= port)
            cpu->dr_hits |= (uint8_t)(1u << n);
    }
}

/*
 * A repeated string instruction reports a data or I/O breakpoint after the
 * iteration that met it (18.3.1.2): rCX, rSI and rDI already count that
 * iteration, and while iterations remain the saved RIP is the instruction
 * itself, with RF = 1 in the frame so that resuming it does not meet an
 * instruction breakpoint on it again (18.3.1.1).
 */
x86_status x86_debug_string_trap(x86_cpu *cpu)
{
    cpu->dr[6] = (cpu->dr[6] & ~X86_DR6_B_MASK) | cpu->dr_hits;
    cpu->dr_hits = 0;
    x86_status st = x86_raise(cpu, X86_VEC_DB, X86_EVENT_TRAP);
    cpu->fault.insn_rip = cpu->rip;
    cpu->fault.string_iteration = true;
    return st;
}

x86_status x86_debug_instruction_breakpoint(x86_cpu *cpu, uint64_t lin)
{
    uint8_t hits = 0;
    for (unsigned n = 0; n < X86_DEBUG_BREAKPOINTS; n++)
        if ((cpu->dr_exec_mask & (1u << n)) && cpu->dr[n] == lin)
            hits |= (uint8_t)(1u << n);
    if (!hits || (cpu->rflags & X86_FLAG_RF))
        return X86_OK;
    cpu->dr[6] = (cpu->dr[6] & ~X86_DR6_B_MASK) | hits;
    x86_status st = x86_raise(cpu, X86_VEC_DB, X86_EVENT_FAULT);
    cpu->fault.instruction_breakpoint = true;
    return st;
}
