/*
 * trap_dispatch for the ring-3 firmware: one line per event with what the
 * handler observed. Addresses are printed relative to known points (the
 * case's instruction label, the RSP ring 3 recorded, the TSS stack pointers)
 * or by name (the per-CPU and user GS bases), so the output does not depend
 * on where the image is linked. README.md describes every field.
 */
#include "boot/boot.h"
#include "entry/frame.h"
#include "entry/gdt.h"
#include "entry/percpu.h"
#include "lib/exit.h"
#include "lib/serial.h"
#include "lib/x86.h"
#include "ring3/cases.h"

#define NO_CASE CASE_COUNT


/* RFLAGS bits printed: the system flags and OF (set on purpose for INTO). */
#define RFLAGS_SHOWN (X86_RFLAGS_FIXED1 | X86_RFLAGS_TF | X86_RFLAGS_IF | X86_RFLAGS_DF | \
                      X86_RFLAGS_OF | X86_RFLAGS_RF | X86_RFLAGS_AC)
/* RFLAGS bits a case sets that ring 3 must not keep. */
#define RFLAGS_CASE (X86_RFLAGS_TF | X86_RFLAGS_AC)
/* DR6 bits printed: B0-B3 and BS (18.2.3); the rest are reserved or model-specific. */
#define DR6_SHOWN (0xf | X86_DR6_BS)

static unsigned current = NO_CASE;
static unsigned events_seen;        /* events of the current case */
static unsigned cases_with_one_event;

/* Table 6-1; 0 for a reserved vector. */
static const char *const mnemonics[32] = {
    "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", 0, "#TS", "#NP",
    "#SS", "#GP", "#PF", 0, "#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
    [X86_VEC_VC] = "#VC", [X86_VEC_SX] = "#SX",
};

static const char *mnemonic(uint64_t vector)
{
    if (vector >= 32)
        return "interrupt";
    return mnemonics[vector] ? mnemonics[vector] : "reserved";
}

/* Vectors whose exceptions push an error code (table 6-1). */
static bool cpu_pushes_error(uint64_t vector)
{
    switch (vector) {
    case X86_VEC_DF: case X86_VEC_TS: case X86_VEC_NP: case X86_VEC_SS: case X86_VEC_GP:
    case X86_VEC_PF: case X86_VEC_AC: case X86_VEC_CP: case X86_VEC_VC: case X86_VEC_SX:
        return true;
    default:
        return false;
    }
}

static void put_gs_base(const char *label, uint64_t base)
{
    serial_puts(label);
    if (base == percpu_base())
        serial_puts("percpu");
    else if (base == (uint64_t)(uintptr_t)user_gs_area)
        serial_puts("user");
    else
        serial_put_hex(base);
}

static void put_gs_bases(void)
{
    put_gs_base(" gs ", percpu_read_gs_base());
    put_gs_base(" kernel-gs ", percpu_read_kernel_gs_base());
}

static bool within(uint64_t addr, const uint8_t *stack)
{
    uint64_t lo = (uint64_t)(uintptr_t)stack;
    return addr >= lo && addr <= lo + TRAP_STACK_SIZE;
}

/* Where the CPU left RSP: at the error code if it pushed one, else at RIP. */
static void put_entry_rsp(const struct trap_frame *f)
{
    uint64_t entry = (uint64_t)(uintptr_t)&f->rip - (cpu_pushes_error(f->vector) ? 8 : 0);
    serial_puts(" entry-rsp ");
    if (within(entry, rsp0_stack))
        serial_put_offset("rsp0", entry, gdt_rsp0());
    else if (within(entry, ist_df_stack))
        serial_put_offset("ist3", entry, gdt_ist(IST_DF));
    else if (within(entry, ist_nmi_stack))
        serial_put_offset("ist2", entry, gdt_ist(IST_NMI));
    else if (within(entry, ist1_stack))
        serial_put_offset("ist1", entry, gdt_ist(IST_GP));
    else
        serial_put_hex(entry);
}

static void put_case(unsigned c)
{
    serial_puts(ring3_cases[c].name);
    serial_puts(" (");
    serial_puts(ring3_cases[c].what);
    serial_puts("):");
}

/* The case ring 3 armed ended: say so if nothing trapped, and undo its state. */
static void close_case(void)
{
    if (current == NO_CASE)
        return;
    const struct ring3_case *c = &ring3_cases[current];
    if (events_seen == 0) {
        put_case(current);
        serial_puts(" no exception: the instruction completed\n");
    }
    if (events_seen == 1)
        cases_with_one_event++;
    if (c->disarm)
        c->disarm();
    current = NO_CASE;
}

static void arm(uint64_t id)
{
    close_case();
    if (id >= CASE_COUNT) {
        serial_puts("SYS_ARM: no case ");
        serial_put_u64(id);
        serial_puts("\n");
        debug_exit(DEBUG_EXIT_FAILURE);
    }
    current = (unsigned)id;
    events_seen = 0;
    if (ring3_cases[current].arm)
        ring3_cases[current].arm();
}

static void report_exception(struct trap_frame *f, uint16_t handler_ss)
{
    const struct ring3_case *c = &ring3_cases[current];
    put_case(current);
    serial_puts(" ");
    serial_puts(mnemonic(f->vector));
    serial_puts(" vector ");
    serial_put_u64(f->vector);
    if (cpu_pushes_error(f->vector)) {
        serial_puts(" error ");
        serial_put_hex(f->error);
    }
    if (f->vector == X86_VEC_PF) {
        serial_puts(" cr2 ");
        serial_put_hex(x86_read_cr2());
    }
    if (c->rip_absolute) {
        serial_puts(" rip ");
        serial_put_hex(f->rip);
    } else {
        serial_put_offset(" rip insn", f->rip, (uint64_t)(uintptr_t)c->insn);
    }
    serial_puts(" cs ");
    serial_put_hex(f->cs);
    serial_puts(" rflags ");
    serial_put_hex(f->rflags & RFLAGS_SHOWN);
    serial_put_offset(" rsp pre", f->rsp, trap_pre_rsp);
    serial_puts(" ss ");
    serial_put_hex(f->ss);
    put_entry_rsp(f);
    serial_puts(" handler-ss ");
    serial_put_hex(handler_ss);
    put_gs_bases();
    if (f->vector == X86_VEC_DB) {
        serial_puts(" dr6 ");
        serial_put_hex(x86_read_dr6() & DR6_SHOWN);
    }
    serial_puts("\n");
}

static uint16_t read_cs(void)
{
    uint16_t v;
    __asm__ volatile("mov %%cs, %0" : "=r"(v));
    return v;
}

static void report_syscall(const struct trap_frame *f, uint16_t handler_ss)
{
    put_case(current);
    serial_puts(" rax ");
    serial_put_hex(f->rax);
    serial_put_offset(" rcx insn", f->rcx, (uint64_t)(uintptr_t)ring3_cases[current].insn);
    serial_puts(" r11 ");
    serial_put_hex(f->r11 & RFLAGS_SHOWN);
    serial_put_offset(" user-rsp pre", f->rsp, trap_pre_rsp);
    serial_put_offset(" frame-end rsp0", (uint64_t)(uintptr_t)(&f->ss + 1), gdt_rsp0());
    serial_puts(" handler-cs ");
    serial_put_hex(read_cs());
    serial_puts(" handler-ss ");
    serial_put_hex(handler_ss);
    put_gs_bases();
    serial_puts("\n");
}

static void show_return(const struct trap_frame *f)
{
    serial_puts(current == CASE_SYSCALL ? "  after sysretq" : "  after iretq");
    serial_puts(": rax ");
    serial_put_hex(f->rdi);
    serial_puts(" gs:0 ");
    serial_put_hex(f->rsi);
    serial_puts(" cs ");
    serial_put_hex(f->rdx & 0xffff);
    serial_puts(" ss ");
    serial_put_hex(f->r10 & 0xffff);
    serial_puts("\n");
}

__attribute__((noreturn)) static void finish(void)
{
    close_case();
    serial_puts("ring3: ");
    serial_put_u64(cases_with_one_event);
    serial_puts(" of ");
    serial_put_u64(CASE_COUNT);
    serial_puts(" cases took exactly one event\n");
    debug_exit(cases_with_one_event == CASE_COUNT ? DEBUG_EXIT_SUCCESS : DEBUG_EXIT_FAILURE);
}

/* System calls by SYSCALL, and by INT 0x80 with the same numbers. */
static void system_call(struct trap_frame *f, uint16_t handler_ss)
{
    switch (f->rax) {
    case SYS_ARM:
        arm(f->rdi);
        return;
    case SYS_HELLO:
        events_seen++;
        if (f->vector == FRAME_VEC_SYSCALL)
            report_syscall(f, handler_ss);
        else
            report_exception(f, handler_ss);
        f->rax = SYS_HELLO_RESULT;
        return;
    case SYS_SHOW:
        show_return(f);
        return;
    case SYS_FINISH:
        finish();
    default:
        serial_puts("unknown system call ");
        serial_put_hex(f->rax);
        serial_puts("\n");
        debug_exit(DEBUG_EXIT_FAILURE);
    }
}

void trap_dispatch(struct trap_frame *f)
{
    uint16_t handler_ss = x86_read_ss();
    if (f->vector == FRAME_VEC_SYSCALL || f->vector == VEC_SYSCALL_INT) {
        system_call(f, handler_ss);
        return;
    }
    if (current == NO_CASE || (f->cs & X86_SEL_RPL_MASK) != 3) {
        serial_puts("unexpected: vector ");
        serial_put_u64(f->vector);
        serial_puts(" error ");
        serial_put_hex(f->error);
        serial_puts(" rip ");
        serial_put_hex(f->rip);
        serial_puts(" cs ");
        serial_put_hex(f->cs);
        serial_puts("\n");
        debug_exit(DEBUG_EXIT_FAILURE);
    }
    events_seen++;
    report_exception(f, handler_ss);
    f->rip = (uint64_t)(uintptr_t)ring3_cases[current].resume;
    f->rflags &= ~(uint64_t)RFLAGS_CASE;
    /* Every case ends with the RSP it recorded before its instruction. */
    f->rsp = trap_pre_rsp;
}
