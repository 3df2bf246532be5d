/*
 * exception_dispatch: every vector slot lands here. The handler counts the
 * exception in this CPU's state (TPIDR_EL1), reads ESR_EL1, shifts out the
 * exception class and dispatches on it; each case prints what it saw (ESR
 * decoded, ELR, SPSR, FAR where the class writes it, SP_EL0) and decides
 * where execution resumes by editing the saved frame.
 */
#include "boot/frame.h"
#include "exceptions/exceptions.h"
#include "lib/sysreg.h"
#include "lib/uart.h"

/* ESR_EL1 (Arm ARM D17.2.37). */
#define ESR_EC_SHIFT 26
#define ESR_IL (1u << 25)
#define ESR_ISS_MASK 0x1ffffffu
#define EC_UNKNOWN 0x00
#define EC_WFX 0x01
#define EC_FP_ACCESS 0x07
#define EC_SVC64 0x15
#define EC_SYSREG 0x18
#define EC_IABT_LOWER 0x20
#define EC_PC_ALIGN 0x22
#define EC_DABT_LOWER 0x24
#define EC_DABT_CUR 0x25
#define EC_SP_ALIGN 0x26
#define EC_BRK64 0x3c
#define CPACR_FPEN_ALL (3ull << 20)
#define INSN_BYTES 4

static const char *const slot_names[16] = {
    "EL1t sync", "EL1t IRQ", "EL1t FIQ", "EL1t SError", "EL1h sync", "EL1h IRQ", "EL1h FIQ", "EL1h SError",
    "EL0 sync", "EL0 IRQ", "EL0 FIQ", "EL0 SError", "EL0/A32 sync", "EL0/A32 IRQ", "EL0/A32 FIQ", "EL0/A32 SError",
};

static const char *class_name(unsigned ec)
{
    switch (ec) {
    case EC_UNKNOWN: return "unknown reason (undefined instruction)";
    case EC_WFX: return "trapped WFI/WFE";
    case EC_FP_ACCESS: return "FP/SIMD access trap";
    case EC_SVC64: return "SVC";
    case EC_SYSREG: return "trapped MSR/MRS/system instruction";
    case EC_IABT_LOWER: return "instruction abort from EL0";
    case EC_PC_ALIGN: return "PC alignment fault";
    case EC_DABT_LOWER: return "data abort from EL0";
    case EC_DABT_CUR: return "data abort at EL1";
    case EC_SP_ALIGN: return "SP alignment fault";
    case EC_BRK64: return "BRK";
    default: return "unexpected class";
    }
}

static percpu *this_cpu(void)
{
    return (percpu *)read_sysreg(tpidr_el1);
}

static void field(const char *name, uint64_t v, unsigned digits)
{
    uart_puts(" ");
    uart_puts(name);
    uart_puts("=");
    uart_hex(v, digits);
}

/* ISS details per class: the fields a handler would decide on. */
static void print_iss(unsigned ec, uint32_t iss)
{
    switch (ec) {
    case EC_SVC64:
    case EC_BRK64:
        field("imm16", iss & 0xffff, 4);
        break;
    case EC_IABT_LOWER:
    case EC_DABT_LOWER:
    case EC_DABT_CUR:
        field("FSC", iss & 0x3f, 2);
        if (ec != EC_IABT_LOWER) {
            field("WnR", (iss >> 6) & 1, 1);
            field("ISV", (iss >> 24) & 1, 1);
        }
        break;
    case EC_WFX:
        field("TI", iss & 1, 1);
        break;
    case EC_SYSREG:
        field("Op0", (iss >> 20) & 3, 1);
        field("Op1", (iss >> 14) & 7, 1);
        field("CRn", (iss >> 10) & 15, 1);
        field("CRm", (iss >> 1) & 15, 1);
        field("Op2", (iss >> 17) & 7, 1);
        field("Rt", (iss >> 5) & 31, 2);
        field("read", iss & 1, 1);
        break;
    default:
        break;
    }
}

static void sync_exception(uint64_t slot, frame *f)
{
    uint64_t esr = read_sysreg(esr_el1);
    unsigned ec = (unsigned)(esr >> ESR_EC_SHIFT) & 0x3f;
    uint32_t iss = (uint32_t)esr & ESR_ISS_MASK;
    uart_puts("[");
    uart_dec(this_cpu()->exceptions);
    uart_puts("] ");
    uart_puts(slot_names[slot]);
    uart_puts(": EC=");
    uart_hex(ec, 2);
    uart_puts(" (");
    uart_puts(class_name(ec));
    uart_puts(")");
    field("IL", (esr & ESR_IL) ? 1 : 0, 1);
    field("ISS", iss, 7);
    print_iss(ec, iss);
    uart_puts("\n     ELR=");
    uart_hex(f->elr, 16);
    field("SPSR", f->spsr, 8);
    field("SP_EL0", f->sp_el0, 16);
    /* FAR_EL1 is written by aborts and PC alignment faults; for other classes it is UNKNOWN. */
    if (ec == EC_IABT_LOWER || ec == EC_DABT_LOWER || ec == EC_DABT_CUR || ec == EC_PC_ALIGN)
        field("FAR", read_sysreg(far_el1), 16);
    uart_puts("\n");

    switch (ec) {
    case EC_SVC64:
        if ((iss & 0xffff) == 0) {
            /* The EL0 program is done: resume at EL1, handler mode, everything masked. */
            f->elr = (uint64_t)(uintptr_t)el1_after_el0;
            f->spsr = 0x3c5;
            this_cpu()->fp_result = f->x[0];
        }
        break;                      /* ELR is already the next instruction */
    case EC_BRK64:
    case EC_UNKNOWN:
    case EC_DABT_LOWER:
    case EC_DABT_CUR:
    case EC_SP_ALIGN:
    case EC_WFX:
    case EC_SYSREG:
        f->elr += INSN_BYTES;       /* ELR is the instruction itself: step over it */
        break;
    case EC_IABT_LOWER:
    case EC_PC_ALIGN:
        f->elr = f->x[30];          /* the BLR's return address */
        break;
    case EC_FP_ACCESS:
        write_sysreg(cpacr_el1, read_sysreg(cpacr_el1) | CPACR_FPEN_ALL);
        isb();
        uart_puts("     FP enabled (CPACR_EL1.FPEN=0b11), retrying\n");
        break;                      /* ELR is the FP instruction: it runs again */
    default:
        uart_puts("     unexpected: stopping\n");
        for (;;)
            __asm__ volatile("wfi");
    }
}

void exception_dispatch(uint64_t slot, frame *f)
{
    this_cpu()->exceptions++;
    if ((slot & 3) == 1) {
        irq_handler();
        return;
    }
    sync_exception(slot, f);
}
